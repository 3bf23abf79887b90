"""The floor for bench_webhook.py --ingest: the least a webhook endpoint does, and nothing else.

aiohttp on uvloop (as `review-bot serve`), one route: read the body, check its HMAC-SHA256
signature, parse it as JSON (orjson), answer 202. No Redis, no routing, no logging, no metrics.
The same wrk script against it, on the same machine in the same run, says how much of the
receiver's tail the machine and the HTTP stack make by themselves.

    python bench/bare_webhook.py PORT SECRET
"""

from __future__ import annotations

import hashlib
import hmac
import sys

import orjson
import uvloop
from aiohttp import web


def make_app(secret: bytes) -> web.Application:
    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            return web.json_response({"error": "bad signature"}, status=401)
        if not isinstance(orjson.loads(body), dict):
            return web.json_response({"error": "not a JSON object"}, status=400)
        return web.json_response({"accepted": request.headers.get("X-GitHub-Delivery")}, status=202)

    async def alive(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/", alive)
    return app


if __name__ == "__main__":
    port, secret = int(sys.argv[1]), sys.argv[2].encode()
    uvloop.install()
    web.run_app(make_app(secret), host="127.0.0.1", port=port, access_log=None, print=None)
