"""The live page, /ui/: three static files read once, served with a strict CSP (the page shows
PR text and agent messages: it builds its DOM with textContent only, and may run only its own
script and talk only to its own origin)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

UI_DIR = Path(__file__).parent / "ui"
FILES = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "style.css": "text/css",
    "icon.svg": "image/svg+xml",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
UI_FILES = web.AppKey("ui_files", dict)


def add_ui_routes(app: web.Application) -> None:
    app[UI_FILES] = {name: (UI_DIR / name).read_bytes() for name in FILES}
    app.router.add_get("/ui", redirect_to_ui)
    app.router.add_get("/ui/", serve_ui)
    app.router.add_get("/ui/{name}", serve_ui)


async def redirect_to_ui(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/ui/", headers=HEADERS)


async def serve_ui(request: web.Request) -> web.Response:
    name = request.match_info.get("name", "index.html")
    body = request.app[UI_FILES].get(name)
    if body is None:
        raise web.HTTPNotFound(headers=HEADERS)
    return web.Response(body=body, content_type=FILES[name], charset="utf-8", headers=HEADERS)
