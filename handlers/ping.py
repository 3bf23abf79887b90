"""ping: GitHub's hello when a webhook is set up."""

from __future__ import annotations

import logging

from gidgethub import routing, sansio

from bot.context import BotContext

log = logging.getLogger(__name__)
router = routing.Router()


@router.register("ping")
async def pong(event: sansio.Event, ctx: BotContext) -> None:
    """Log the zen GitHub sends; the server answers 202 like any accepted delivery."""
    log.info("ping (hook %s): %s", (event.data.get("hook") or {}).get("id"), event.data.get("zen", ""))
