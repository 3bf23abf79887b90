"""What the state commands and /config do on GitHub (parsing and dispatch: bot/commands/dispatch.py).

The PR's state lives in the hidden marker of the bot's summary comment (bot/github/pr_state.py): a
command rewrites that marker and the visible notes in place, under a per-PR lock, or posts a
summary holding the state when there is none yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from analyzers.safe_yaml import load_bounded
from bot.config import ReviewSettings
from bot.context import BotContext
from bot.github.client import GitHubClient
from bot.github.pr_state import IgnoredRule, PRState
from bot.pipeline.base_branch import load_repo_policy, read_base_file
from bot.pipeline.publish import is_own, read_prior_state, upsert_comment
from bot.pipeline.repo_config import CONFIG_PATH, KEYS, MAX_CONFIG_BYTES
from bot.queue import ReviewJob
from bot.text.render import SUMMARY_MARKER, fingerprints_in, with_state
from bot.text.sanitize import code_span, escape_markdown

IGNORED_MARK = "<!-- review-bot:ignored -->"
IGNORED_LINE = re.compile(r"\n*" + re.escape(IGNORED_MARK) + r"[^\n]*")
HEADER_RULE = re.compile(r"· (\S+) \[?`([^`]+)`")  # "🟠 **warning** · bandit [`B307`](…)"


async def change_state(
    ctx: BotContext, gh: GitHubClient, job: ReviewJob, change: Callable[[PRState], None]
) -> None:
    """Read the summary's state, change it, write it back in place (or post a summary holding it)."""
    async with ctx.state_locks.hold(job.pr_key):
        prior = await read_prior_state(gh, job, ctx.own_login, state_key=ctx.state_key)
        change(prior.state)
        body = f"{SUMMARY_MARKER}\n## Review bot\n\nNot reviewed yet."
        if prior.summary_comment_id is not None:
            url = f"/repos/{job.owner}/{job.repo}/issues/comments/{prior.summary_comment_id}"
            body = str((await gh.getitem(url)).get("body") or body)
        await upsert_comment(gh, job, prior.summary_comment_id, with_state(body, prior.state, prior.seal))


async def mark_comments(ctx: BotContext, gh: GitHubClient, job: ReviewJob, rule: str, note: str) -> None:
    """Add ``note`` (or with note="" remove it) on our inline comments of ``rule``; the
    fingerprint marker stays, so a re-review still knows what it said."""
    probe = PRState(ignored={rule: IgnoredRule("")})
    for comment in await gh.get_all(f"/repos/{job.owner}/{job.repo}/pulls/{job.pr_number}/comments"):
        body = str(comment.get("body") or "")
        if not is_own(comment, ctx.own_login) or not fingerprints_in(body):
            continue
        match = HEADER_RULE.search(body.split("\n", 1)[0])
        if match is None or not probe.is_ignored(match.group(1), match.group(2)):
            continue
        new = IGNORED_LINE.sub("", body) + (f"\n\n{IGNORED_MARK}{note}" if note else "")
        if new != body:
            await gh.patch(
                f"/repos/{job.owner}/{job.repo}/pulls/comments/{comment['id']}", data={"body": new}
            )


def shown(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, tuple):
        text = ", ".join(value) if value else "(none)"
    else:
        text = str(value)
    return code_span(text, table=True)


async def config_report(ctx: BotContext, gh: GitHubClient, job: ReviewJob) -> str:
    """The settings a review of this PR would use, each with where it came from (a table)."""
    service, defaults = ctx.settings.review, ReviewSettings()
    policy = await load_repo_policy(gh, job.owner, job.repo, job.base_sha, service)
    from_repo: set[str] = set()
    if policy.error is None:
        raw = await read_base_file(gh, job.owner, job.repo, CONFIG_PATH, job.base_sha, MAX_CONFIG_BYTES)
        data = load_bounded(raw.decode("utf-8", "replace")) if raw else None  # valid: parsed just above
        for key in data if isinstance(data, dict) else ():
            from_repo.add("disabled_analyzers" if key == "analyzers" else KEYS[key][0])
    repo_source = f"{code_span(CONFIG_PATH)} at the base commit {code_span(job.base_sha[:7])}"
    lines = ["**Effective configuration for this PR**", "", "| setting | value | from |", "|---|---|---|"]
    for item in fields(ReviewSettings):
        if item.name in from_repo:
            source = repo_source
        elif getattr(service, item.name) != getattr(defaults, item.name):
            source = "the service configuration"
        else:
            source = "default"
        lines.append(f"| {item.name} | {shown(getattr(policy.settings, item.name))} | {source} |")
    state = (await read_prior_state(gh, job, ctx.own_login, state_key=ctx.state_key)).state
    paused = f"yes (`/pause` by {escape_markdown(state.paused_by)})" if state.paused else "no"
    lines.append(f"| paused | {paused} | PR state (`/pause`, `/resume`) |")
    for rule, item in state.ignored.items():
        lines.append(f"| ignored rule | {shown(rule)} | `/ignore` by {escape_markdown(item.by)} |")
    agents = ctx.agent_config
    if agents is None:
        lines.append("| agent dialogue | off | no agent configuration on the service |")
    else:
        models = f"coder {agents.coder.model}, reviewer {agents.reviewer.model}"
        lines.append(f"| agent dialogue | {shown(models)} | the service's agent configuration |")
    if policy.error:
        error = escape_markdown(policy.error)
        lines += ["", f"{code_span(CONFIG_PATH)} is invalid, so the defaults apply: {error}"]
    return "\n".join(lines)
