"""installation and installation_repositories events: drop cached tokens, keep a log."""

from __future__ import annotations

import logging

from gidgethub import routing, sansio

from bot.context import BotContext

log = logging.getLogger(__name__)
router = routing.Router()


@router.register("installation")
@router.register("installation_repositories")
async def installation_changed(event: sansio.Event, ctx: BotContext) -> None:
    """Forget the installation's token: its permissions or repositories have changed."""
    installation = event.data.get("installation") or {}
    installation_id = installation.get("id")
    account = (installation.get("account") or {}).get("login", "?")
    ctx.tokens.invalidate(installation_id if isinstance(installation_id, int) else None)
    added = [r.get("full_name") for r in event.data.get("repositories_added") or []]
    removed = [r.get("full_name") for r in event.data.get("repositories_removed") or []]
    log.info(
        "%s %s for %s (installation %s)%s%s",
        event.event,
        event.data.get("action"),
        account,
        installation_id,
        f"; added {', '.join(map(str, added))}" if added else "",
        f"; removed {', '.join(map(str, removed))}" if removed else "",
    )
