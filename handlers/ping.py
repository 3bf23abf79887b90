"""ping: GitHub's hello when a webhook is set up."""

from __future__ import annotations

import logging

from gidgethub import routing, sansio

from bot.context import BotContext
from bot.github.payloads import PingEvent, parse

log = logging.getLogger(__name__)
router = routing.Router()


@router.register("ping")
async def pong(event: sansio.Event, ctx: BotContext) -> None:
    """Log the zen GitHub sends; the server answers 200 with a pong."""
    payload = parse(PingEvent, event.data)
    log.info("ping (hook %s): %s", payload.hook.id if payload.hook else None, payload.zen)
