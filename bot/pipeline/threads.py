"""What became of the findings the bot commented on: open, fixed or ignored; threads closed when fixed.

After a full review of a push, each of the bot's own inline comments (its marker names tool,
rule, fingerprint and merged sources: bot/text/render.py) is one of:

- ignored: ``/ignore`` names its rule, or a tool it was merged from ("also reported by");
- fixed: its file is no longer in the PR (or is deleted), or every tool that reported it
  analyzed the file again and none reports its fingerprint anywhere in the file. A fingerprint
  hashes the line's text, not its number, so a finding whose line moved is still there, and so
  is one that merely left the diff's changed lines (``ReviewOutcome.present`` is the whole
  file's, not the diff's);
- open: anything else, including what this review could not look at again (a tool failed or
  was switched off, the file was skipped, GitHub listed only part of the PR).

A fixed comment gets "✅ Fixed in `abc1234`" (its marker stays) and its thread is resolved; an
ignored one's thread is resolved too (``/ignore`` already marked the comment). Resolving needs
GraphQL, which GitHub may refuse (an Enterprise Server App without the permission): then the note
alone says it. A thread in which someone other than a bot spoke after the bot's last comment is
never resolved, since that would fold their words away unanswered: it only gets the note. A
finding noted fixed that comes back (the same fingerprint, seen by a full review) loses its note
and its thread is reopened. An incremental review (``/review --incremental``) sees part of the
PR only: it changes nothing here, it only counts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from bot.github.pr_state import PRState
from bot.github.pull_request import GITHUB_FILES_CAP, PullRequest, ReviewThread
from bot.pipeline.analyze import ReviewOutcome
from bot.text.render import (
    FIXED_MARK,
    FindingCounts,
    FindingMark,
    finding_mark_in,
    finding_names,
    with_fixed_note,
)

log = logging.getLogger(__name__)

Fate = Literal["open", "fixed", "ignored"]


@dataclass
class Commented:
    """One of the bot's inline comments about a finding, and what became of the finding."""

    comment: dict[str, Any]  # the thread's first comment, ours (REST)
    mark: FindingMark
    fate: Fate
    person_spoke_last: bool  # someone not a bot replied after the bot's last word in the thread
    came_back: bool = False  # noted fixed earlier, and a full review sees it again

    @property
    def id(self) -> int:
        return int(self.comment["id"])

    @property
    def noted_fixed(self) -> bool:
        return FIXED_MARK in str(self.comment.get("body") or "")


def looked_again(outcome: ReviewOutcome, path: str, tools: Sequence[str]) -> bool:
    """Whether each of ``tools`` analyzed ``path`` in full in this review (no failure, no cap)."""
    if not tools or path not in outcome.analyzed or path in outcome.skipped:
        return False
    results = {r.tool: r for r in outcome.results}
    for tool in tools:
        result = results.get(tool)
        if result is None or result.error or result.capped or path in result.not_analyzed:
            return False
    return True


def gone(outcome: ReviewOutcome, path: str, mark: FindingMark) -> bool:
    """Whether a full review shows the finding is no longer in the PR."""
    diff = outcome.diffs.get(path)
    if diff is None:  # the file left the PR, unless GitHub listed only part of it
        return len(outcome.diffs) < GITHUB_FILES_CAP
    if diff.status == "removed":
        return True
    if mark.fingerprint in outcome.present or any(
        f.fingerprint == mark.fingerprint for f in outcome.findings
    ):
        return False
    return looked_again(outcome, path, list(dict.fromkeys(tool for tool, _ in mark.names())))


def person_spoke_last(pr: PullRequest, root: dict[str, Any], comments: Sequence[dict[str, Any]]) -> bool:
    """Someone other than a bot wrote in ``root``'s thread after the bot's last comment there
    (GitHub's comment ids grow with time; every reply points at the thread's first comment)."""
    thread = [c for c in comments if c is root or c.get("in_reply_to_id") == root["id"]]
    last_ours = max(int(c["id"]) for c in thread if pr.is_own(c))
    return any(
        int(c["id"]) > last_ours and (c.get("user") or {}).get("type") != "Bot" and not pr.is_own(c)
        for c in thread
    )


def judge(
    pr: PullRequest,
    comments: Sequence[dict[str, Any]],
    outcome: ReviewOutcome,
    state: PRState,
    *,
    full: bool,
) -> list[Commented]:
    """Each of our comments about a finding with its fate (markers read only from our own)."""
    present = outcome.present | {f.fingerprint for f in outcome.findings}
    judged: list[Commented] = []
    for comment in comments:
        if comment.get("in_reply_to_id") is not None or not pr.is_own(comment):
            continue
        body = str(comment.get("body") or "")
        mark = finding_mark_in(body)
        if mark is None:
            continue
        fate: Fate
        noted, seen = FIXED_MARK in body, mark.fingerprint in present
        if state.ignores(mark.names()):
            fate = "ignored"
        elif full and gone(outcome, str(comment.get("path") or ""), mark):
            fate = "fixed"
        else:  # noted fixed earlier and not seen since (or not looked at again): still fixed
            fate = "fixed" if noted and not seen else "open"
        spoke = person_spoke_last(pr, comment, comments)
        judged.append(Commented(comment, mark, fate, spoke, came_back=full and fate == "open" and noted))
    return judged


def count(outcome: ReviewOutcome, state: PRState, judged: Sequence[Commented]) -> FindingCounts:
    """Distinct findings (by fingerprint): this review's, and those the bot commented on before."""
    fates: dict[str, Fate] = {}
    for finding in outcome.findings:
        fates[finding.fingerprint] = "ignored" if state.ignores(finding_names(finding)) else "open"
    for item in judged:
        fates.setdefault(item.mark.fingerprint, item.fate)
    values = list(fates.values())
    return FindingCounts(
        open=values.count("open"), fixed=values.count("fixed"), ignored=values.count("ignored")
    )


async def settle_threads(
    pr: PullRequest, head_sha: str, outcome: ReviewOutcome, state: PRState, *, full: bool
) -> FindingCounts:
    """Note and resolve what a full review shows fixed (or ignored), reopen what came back, and
    count. A failure here costs the notes or the resolutions, never the review: it is logged."""
    try:
        comments = await pr.review_comments()
    except Exception as exc:
        log.warning("%s: cannot list the review comments (%s); fixed findings not counted", pr.where, exc)
        return count(outcome, state, [])
    judged = judge(pr, comments, outcome, state, full=full)
    if full:
        await note(pr, head_sha, judged)
        await resolve(pr, judged)
    return count(outcome, state, judged)


async def note(pr: PullRequest, head_sha: str, judged: Sequence[Commented]) -> None:
    """Add the "Fixed in" note to each newly fixed finding's comment; remove it from one that came back."""
    for item in judged:
        if item.fate == "fixed" and not item.noted_fixed:
            sha: str | None = head_sha
        elif item.came_back and item.noted_fixed:
            sha = None
        else:
            continue
        body = with_fixed_note(str(item.comment.get("body") or ""), sha)
        try:
            await pr.edit_review_comment(item.id, body)
        except Exception as exc:
            log.warning("%s: comment %s not noted %s: %s", pr.where, item.id, item.fate, exc)
            continue
        item.comment["body"] = body


def thread_change(item: Commented, thread: ReviewThread) -> bool | None:
    """True: resolve the thread, False: reopen it, None: leave it."""
    if item.fate in ("fixed", "ignored") and not thread.resolved and not item.person_spoke_last:
        return True
    if item.came_back and thread.resolved:
        return False
    return None


async def resolve(pr: PullRequest, judged: Sequence[Commented]) -> None:
    """Resolve the threads of fixed and ignored findings; reopen those whose finding came back.
    GitHub refusing once (no permission, GraphQL off) stops the rest: the notes say it instead."""
    wanted = [i for i in judged if i.fate != "open" or i.came_back]
    if not wanted:
        return
    try:
        threads = {t.root_id: t for t in await pr.review_threads() if t.root_id is not None}
    except Exception as exc:
        log.warning("%s: review threads not readable (%s); fixed findings are only noted", pr.where, exc)
        return
    for item in wanted:
        thread = threads.get(item.id)
        change = thread_change(item, thread) if thread is not None else None
        if thread is None or change is None:
            continue
        try:
            await pr.set_thread_resolved(thread.id, change)
        except Exception as exc:
            log.warning(
                "%s: review thread of comment %s not changed (%s); noted only", pr.where, item.id, exc
            )
            return
