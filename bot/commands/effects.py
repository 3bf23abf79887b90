"""What the state commands and /config do on GitHub (parsing and dispatch: bot/commands/dispatch.py).

The PR's state lives in the hidden marker of the bot's summary comment (bot/github/pr_state.py): a
command changes it through the PR's gateway, under the PR's lock (bot/github/pull_request.py),
which rewrites the marker and the visible notes in place, or posts a summary holding the state
when there is none yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from analyzers.safe_yaml import load_bounded
from bot.config import ReviewSettings
from bot.context import BotContext
from bot.github.pr_state import IgnoredRule, PRState
from bot.github.pull_request import PullRequest
from bot.pipeline.base_branch import load_repo_policy, read_base_file
from bot.pipeline.repo_config import CONFIG_PATH, KEYS, MAX_CONFIG_BYTES
from bot.queue import ReviewJob
from bot.text.render import finding_mark_in
from bot.text.sanitize import code_span, escape_markdown

IGNORED_MARK = "<!-- review-bot:ignored -->"
IGNORED_LINE = re.compile(r"\n*" + re.escape(IGNORED_MARK) + r"[^\n]*")


async def change_state(pr: PullRequest, change: Callable[[PRState], None]) -> None:
    """Change the PR's state under its lock: the summary keeps its text, with new notes and marker."""
    async with pr.state() as edit:
        change(edit.state)


async def mark_comments(pr: PullRequest, rule: str, note: str) -> None:
    """Add ``note`` (or with note="" remove it) on our inline comments of ``rule`` (theirs, or
    one of the tools they were merged from), read from each comment's marker; the marker
    stays, so a re-review still knows what it said."""
    probe = PRState(ignored={rule: IgnoredRule("")})
    for comment in await pr.review_comments():
        body = str(comment.get("body") or "")
        mark = finding_mark_in(body) if pr.is_own(comment) else None
        if mark is None or not probe.ignores(mark.names()):
            continue  # not ours, another rule, or written before markers named the rule
        new = IGNORED_LINE.sub("", body) + (f"\n\n{IGNORED_MARK}{note}" if note else "")
        if new != body:
            await pr.edit_review_comment(int(comment["id"]), new)


def shown(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, tuple):
        text = ", ".join(value) if value else "(none)"
    else:
        text = str(value)
    return code_span(text, table=True)


async def config_report(ctx: BotContext, pr: PullRequest, job: ReviewJob) -> str:
    """The settings a review of this PR would use, each with where it came from (a table)."""
    service, defaults = ctx.settings.review, ReviewSettings()
    policy = await load_repo_policy(pr, job.base_sha, service)
    from_repo: set[str] = set()
    if policy.error is None:
        raw = await read_base_file(pr, CONFIG_PATH, job.base_sha, MAX_CONFIG_BYTES)
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
    state = (await pr.read_state()).state
    paused = f"yes (`/pause` by {escape_markdown(state.paused_by)})" if state.paused else "no"
    lines.append(f"| paused | {paused} | PR state (`/pause`, `/resume`) |")
    for rule, ignored in state.ignored.items():
        lines.append(f"| ignored rule | {shown(rule)} | `/ignore` by {escape_markdown(ignored.by)} |")
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
