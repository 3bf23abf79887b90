"""The REST API under /api/v1 (issue 13): API keys and JWTs, roles, quotas, analyses and trends.

``setup_api(app, settings)`` mounts it on the app of bot/web.py (receiver and single roles):
the routes of bot/api/routes.py, the problem-details and CORS middleware, the token verifier
(``app[API_AUTH]``, which the live WebSocket uses too), the key store and the limiter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings

__all__ = ["setup_api"]


def setup_api(app: web.Application, settings: Settings, *args: Any, **kwargs: Any) -> None:
    """Mount /api/v1 on ``app`` (bot/api/app.py). Imported lazily: the CLI's ``keys`` command
    lives in this package and must not pull in the server's libraries."""
    from bot.api.app import setup_api as setup

    setup(app, settings, *args, **kwargs)
