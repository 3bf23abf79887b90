"""Slash-commands in PR comments: parse, check permission and rate, run, answer.

The webhook handler (handlers/comments.py) only parses and hands a `CommandComment` to
`run_commands`, which runs in the background: 👀 at once, then each command, then one reply
(when there is something to say) and 👍, or 😕 when a command was refused or failed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.commands.answers import ask, explain
from bot.commands.effects import change_state, config_report, mark_comments
from bot.config import ConfigError
from bot.context import BotContext
from bot.github.client import CircuitOpenError, GitHubHTTPError
from bot.github.pr_state import RULE_ID, IgnoredRule, PRState
from bot.github.pull_request import PullRequest
from bot.queue import Priority, ReviewJob
from bot.rate_windows import Slot
from bot.text.render import fingerprints_in
from bot.text.sanitize import code_span, escape_markdown

log = logging.getLogger(__name__)

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
MAX_COMMANDS = 5  # per comment
MAX_IGNORED = 50  # per PR, so the summary's notes stay well inside GitHub's body limit
MAX_REASON = 200
LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
NAME = r"([A-Za-z][A-Za-z0-9_-]{0,39})(?=\s|$)[ \t]*(.*)"
SLASH_LINE = re.compile(r"/" + NAME)
MENTION_LINE = re.compile(r"@([A-Za-z0-9][A-Za-z0-9-]{0,38})(?:\[bot\])?\s+/?" + NAME)
REPLY_MARK = "<!-- review-bot:command-reply -->"


@dataclass(frozen=True)
class Command:
    name: str  # lower case, without the slash
    args: str
    mention: str | None = None  # the login written as "@login cmd", checked against our own later


@dataclass(frozen=True)
class CommandComment:
    """A new comment holding commands, as the webhook handler read it."""

    kind: Literal["issue", "pull"]  # an issue comment on the PR, or a review comment (thread)
    installation_id: int
    owner: str
    repo: str
    number: int
    comment_id: int
    author: str
    commands: tuple[Command, ...]
    in_reply_to: int | None = None
    comment: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Result:
    ok: bool = True
    reply: str = ""


@dataclass(frozen=True)
class Spec:
    needs_write: bool
    costly: bool
    usage: str
    help: str


SPECS: dict[str, Spec] = {
    "review": Spec(
        True,
        True,
        "/review [--incremental]",
        "review the current head now (`--incremental`: only the commits since the last review)",
    ),
    "ask": Spec(True, True, "/ask <question>", "ask the agents a question about this PR's diff"),
    "explain": Spec(
        False,
        False,
        "/explain",
        "as a reply in a bot review thread: why the finding matters and how to fix it",
    ),
    "ignore": Spec(True, False, "/ignore <rule-id> [reason]", "stop reporting a rule on this PR"),
    "unignore": Spec(True, False, "/unignore <rule-id>", "report an ignored rule again"),
    "pause": Spec(True, False, "/pause", "stop automatic reviews on pushes to this PR"),
    "resume": Spec(True, False, "/resume", "restart automatic reviews on pushes"),
    "config": Spec(
        False, False, "/config", "the effective configuration for this PR and where each value comes from"
    ),
    "help": Spec(False, False, "/help", "this list"),
}


# Checked before the rate limit, so a typo does not use up the minute's budget.
ARGS_OK: dict[str, Callable[[str], bool]] = {
    "review": lambda args: args in ("", "--incremental"),
    "ask": bool,
    "pause": lambda args: not args,
    "resume": lambda args: not args,
}


def any_args(args: str) -> bool:
    return True


def parse_commands(body: str | None) -> list[Command]:
    """Commands are the first word of a line; quoted lines and code blocks are not commands."""
    found: list[Command] = []
    lines = (body or "").splitlines()
    fenced = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or line.startswith(">"):
            continue
        match = SLASH_LINE.fullmatch(line)
        mention = None
        if match is None and (m := MENTION_LINE.fullmatch(line)):
            mention, match = m.group(1), m
            name, args = m.group(2), m.group(3)
        elif match is not None:
            name, args = match.group(1), match.group(2)
        else:
            continue
        name = name.lower()
        if name == "ask":  # a question may go on over the next lines
            args = "\n".join([args, *lines[i + 1 :]]).strip()
            found.append(Command(name, args, mention))
            break
        found.append(Command(name, args.strip(), mention))
        if len(found) == MAX_COMMANDS:
            break
    return found


def help_text() -> str:
    rows = [f"- `{spec.usage}`: {spec.help}" for spec in SPECS.values()]
    return "\n".join(["Commands (also as `@<bot> <command>`; the first word of a line):", *rows])


# --- running -----------------------------------------------------------------------------------


async def run_commands(ctx: BotContext, cc: CommandComment) -> None:
    own = await ctx.learn_own_login()
    slug = (own or "").removesuffix("[bot]").lower()
    commands = [c for c in cc.commands if c.mention is None or (slug and c.mention.lower() == slug)]
    if not commands:
        return  # it mentioned someone else
    pr = await ctx.pull_request(cc.installation_id, cc.owner, cc.repo, cc.number)
    await react(pr, cc, "eyes")
    results = [await run_one(ctx, pr, cc, command) for command in commands]
    replies = [r.reply for r in results if r.reply]
    if replies:
        await reply(pr, cc, "\n\n---\n\n".join(replies))
    await react(pr, cc, "+1" if all(r.ok for r in results) else "confused")


async def run_one(ctx: BotContext, pr: PullRequest, cc: CommandComment, command: Command) -> Result:
    spec = SPECS.get(command.name)
    if spec is None:
        return Result(False, f"Unknown command {code_span('/' + command.name)}.\n\n{help_text()}")
    try:
        if spec.needs_write and not await can_write(ctx, pr, cc):
            return Result(
                False,
                f"Sorry, {code_span('/' + command.name)} can be run only by people with write, "
                "maintain or admin access to this repository.",
            )
        if not ARGS_OK.get(command.name, any_args)(command.args):
            return Result(False, f"Usage: `{spec.usage}`")
        if spec.costly:
            slot = await take_slot(ctx, cc)
            if slot != "ok":
                limit = ctx.settings.review.commands_per_minute
                text = (
                    f"Too many requests: at most {limit} `/review` or `/ask` per minute on this PR. "
                    "Please try again in a minute."
                )
                return Result(False, text if slot == "warn" else "")
        return await HANDLERS[command.name](ctx, pr, cc, command.args)
    except Exception as exc:  # one failed command must still get its 😕 and leave the others be
        known = isinstance(exc, GitHubHTTPError | CircuitOpenError | ConfigError)
        log.warning(
            "%s/%s#%s: /%s failed: %s", cc.owner, cc.repo, cc.number, command.name, exc, exc_info=not known
        )
        return Result(False, f"{code_span('/' + command.name)} failed; please try again later.")


async def can_write(ctx: BotContext, pr: PullRequest, cc: CommandComment) -> bool:
    key = (cc.installation_id, cc.owner.lower(), cc.repo.lower(), cc.author.lower())
    if key not in ctx.permissions:
        ctx.permissions[key] = "write" if await pr.permission(cc.author) & WRITE_ROLES else "read"
    return ctx.permissions[key] == "write"


async def take_slot(ctx: BotContext, cc: CommandComment) -> Slot:
    """A sliding minute per PR (shared by every replica when Redis is configured); the first refused
    command gets a reply, the rest only 😕."""
    key = f"{cc.owner.lower()}/{cc.repo.lower()}#{cc.number}"
    return await ctx.command_windows.take(key, ctx.settings.review.commands_per_minute)


async def react(pr: PullRequest, cc: CommandComment, content: str) -> None:
    try:
        await pr.react(cc.kind, cc.comment_id, content)
    except GitHubHTTPError as exc:  # a reaction is a courtesy: never lose the command over it
        log.info("%s/%s#%s: reaction %s not added: %s", cc.owner, cc.repo, cc.number, content, exc)


async def reply(pr: PullRequest, cc: CommandComment, text: str) -> None:
    if cc.kind == "pull":  # in the thread; GitHub replies to the thread's first comment
        await pr.reply_in_thread(cc.in_reply_to or cc.comment_id, f"{text}\n{REPLY_MARK}")
        return
    if LOGIN.fullmatch(cc.author):
        text = f"@{cc.author} {text}"
    await pr.comment(f"{text}\n{REPLY_MARK}")


# --- the commands ------------------------------------------------------------------------------


async def job_for_pr(pr: PullRequest, cc: CommandComment) -> tuple[ReviewJob, dict[str, Any]]:
    data = await pr.fetch()
    base, head = data["base"], data["head"]
    job = ReviewJob(
        installation_id=cc.installation_id,
        owner=cc.owner,
        repo=cc.repo,
        pr_number=cc.number,
        head_sha=str(head["sha"]),
        base_sha=str(base["sha"]),
        base_ref=str(base["ref"]),
        clone_url=str((base.get("repo") or {}).get("clone_url") or ""),
        head_clone_url=str((head.get("repo") or {}).get("clone_url") or ""),
        delivery_id=f"command:{cc.kind}:{cc.comment_id}",
        requested_by=cc.author,
        priority=Priority.CRITICAL,
    )
    return job, data


async def cmd_review(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    job, data = await job_for_pr(pr, cc)
    if data.get("state") != "open":
        return Result(False, "This pull request is closed: nothing to review.")
    note = ""
    if args == "--incremental":
        last = (await pr.read_state()).state.last_reviewed_head
        if not last:
            note = "No earlier review on this PR: running a full review instead."
        elif last == job.head_sha:
            return Result(True, f"Nothing new since the last review ({code_span(last[:7])}).")
        else:
            job = replace(job, incremental_from=last)
    await ctx.queue.enqueue(job)
    return Result(True, note)


async def cmd_ask(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    job, _ = await job_for_pr(pr, cc)
    return Result(True, await ask(ctx, pr.gh, job, args[:4000], cc.author))


async def cmd_explain(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    where = "Use `/explain` as a reply in one of the bot's review threads."
    if cc.kind != "pull" or cc.in_reply_to is None:
        return Result(False, where)
    root = next((c for c in await pr.review_comments() if c.get("id") == cc.in_reply_to), None)
    if root is None or not pr.is_own(root) or not fingerprints_in(root.get("body")):
        return Result(False, where)
    return Result(True, await explain(ctx, pr.gh, cc.owner, cc.repo, cc.number, cc.comment))


def rule_args(args: str, usage: str) -> tuple[str, str] | Result:
    rule, _, reason = args.partition(" ")
    if not RULE_ID.fullmatch(rule):
        return Result(False, f"Usage: `{usage}` (a rule id such as `B307` or `ruff:E722`).")
    return rule, " ".join(reason.split())[:MAX_REASON]


async def cmd_ignore(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    parsed = rule_args(args, SPECS["ignore"].usage)
    if isinstance(parsed, Result):
        return parsed
    rule, reason = parsed
    full = Result()

    def change(state: PRState) -> None:
        if rule not in state.ignored and len(state.ignored) >= MAX_IGNORED:
            full.ok, full.reply = False, f"At most {MAX_IGNORED} rules can be ignored on one PR."
            return
        state.ignored[rule] = IgnoredRule(cc.author, reason)

    await change_state(pr, change)
    if full.ok:
        why = f": {escape_markdown(reason)}" if reason else ""
        await mark_comments(pr, rule, f"🔕 Ignored by @{cc.author}{why}")
    return full


async def cmd_unignore(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    parsed = rule_args(args, SPECS["unignore"].usage)
    if isinstance(parsed, Result) or parsed[1]:
        return Result(False, f"Usage: `{SPECS['unignore'].usage}`")
    rule = parsed[0]

    def change(state: PRState) -> None:
        state.ignored.pop(rule, None)

    await change_state(pr, change)
    await mark_comments(pr, rule, "")
    return Result()


def set_paused(paused: bool, by: str) -> Callable[[PRState], None]:
    def change(state: PRState) -> None:
        state.paused, state.paused_by = paused, by if paused else ""

    return change


async def cmd_pause(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    await change_state(pr, set_paused(True, cc.author))
    return Result()


async def cmd_resume(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    await change_state(pr, set_paused(False, ""))
    return Result()


async def cmd_config(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    job, _ = await job_for_pr(pr, cc)
    return Result(True, await config_report(ctx, pr, job))


async def cmd_help(ctx: BotContext, pr: PullRequest, cc: CommandComment, args: str) -> Result:
    return Result(True, help_text())


HANDLERS: dict[str, Callable[[BotContext, PullRequest, CommandComment, str], Awaitable[Result]]] = {
    "review": cmd_review,
    "ask": cmd_ask,
    "explain": cmd_explain,
    "ignore": cmd_ignore,
    "unignore": cmd_unignore,
    "pause": cmd_pause,
    "resume": cmd_resume,
    "config": cmd_config,
    "help": cmd_help,
}
