"""installation and installation_repositories events: drop cached tokens, keep a log."""

from __future__ import annotations

import logging

from gidgethub import routing, sansio

from bot.context import BotContext
from bot.github.payloads import InstallationEvent, parse

log = logging.getLogger(__name__)
router = routing.Router()


@router.register("installation")
@router.register("installation_repositories")
async def installation_changed(event: sansio.Event, ctx: BotContext) -> None:
    """Forget the installation's token: its permissions or repositories have changed."""
    payload = parse(InstallationEvent, event.data)
    installation = payload.installation
    account = installation.account.login if installation.account else "?"
    ctx.tokens.invalidate(installation.id)
    added = [r.full_name for r in payload.repositories_added or []]
    removed = [r.full_name for r in payload.repositories_removed or []]
    log.info(
        "%s %s for %s (installation %s)%s%s",
        event.event,
        payload.action,
        account,
        installation.id,
        f"; added {', '.join(added)}" if added else "",
        f"; removed {', '.join(removed)}" if removed else "",
    )
