"""Everything under /api/v1 answers errors as problem details (404, 405, 413 and unexpected
exceptions included, with nothing of the exception in the body) and speaks CORS only to the
configured origins."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.api.keys import KeyStoreError
from bot.api.problems import problem
from bot.api.registry import PREFIX
from bot.redis_client import UNAVAILABLE, describe

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
EXPOSED_HEADERS = "Location, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
PREFLIGHT_MAX_AGE = "600"


def is_api(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def api_middleware(cors_origins: tuple[str, ...]) -> Middleware:
    allowed = frozenset(cors_origins)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not is_api(request.path):
            return await handler(request)
        origin = request.headers.get("Origin")
        cors = origin is not None and origin in allowed
        if (
            request.method == "OPTIONS"
            and origin is not None
            and "Access-Control-Request-Method" in request.headers
        ):
            if not cors:  # no CORS headers: the browser refuses the cross-origin call
                return problem(403, "Forbidden", "this origin may not call the API")
            return web.Response(
                status=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ALLOWED_METHODS,
                    "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
                    "Vary": "Origin",
                },
            )
        response = await answer(request, handler)
        if not response.prepared:
            response.headers.add("Vary", "Origin")  # the answer depends on the Origin header
            if cors and origin is not None:
                # Bearer tokens, not cookies: no Allow-Credentials, and the origin named, never "*".
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

    return middleware


async def answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return problem(exc.status, exc.reason, headers=headers)
    except KeyStoreError as exc:  # says which file, never a key: for the log only
        log.warning("API %s %s: %s", request.method, request.path, exc)
        return problem(
            503, "Service Unavailable", "the key store cannot be read", headers={"Retry-After": "5"}
        )
    except UNAVAILABLE as exc:  # Redis (quotas, keys) is down: try again, as the webhook does
        log.warning("API %s %s: shared state unavailable (%s)", request.method, request.path, describe(exc))
        return problem(
            503, "Service Unavailable", "shared state is unavailable; try again", headers={"Retry-After": "5"}
        )
    except Exception:
        # The traceback goes to the log only; the client learns nothing of the code or its data.
        log.exception("API %s %s failed", request.method, request.path)
        return problem(500, "Internal Server Error", "an unexpected error; it was logged")
    if response.status >= 400 and not response.prepared and _plain_error(response):
        return problem(response.status, response.reason or "", headers=_keep(response))
    return response


def _plain_error(response: web.StreamResponse) -> bool:
    """An error response that is not a problem already (one aiohttp or a handler built as text)."""
    content_type = response.headers.get("Content-Type", "")
    return not content_type.startswith("application/problem+json") and not content_type.startswith(
        "application/sarif"
    )


def _keep(response: web.StreamResponse) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
