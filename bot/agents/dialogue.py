"""The agent dialogue inside a review: run it, then fold what it settled into the review.

The dialogue never decides whether a PR passes (the check run concludes from the analyzers
alone), never approves or requests changes, and everything the agents wrote is sanitised
before it is posted. What it can do: keep a dismissed finding out of the inline comments (it
is still listed, with the reason), and add problems the analyzers cannot see.

The model's answer is as untrusted as the PR it read: a problem it adds is kept only on a file
this PR changed (the diff's own path, exactly) and on a line the PR adds; anything else is
dropped, counted in the summary, and never read. A dismissal is kept only under the rules of
bot/agents/admit.py (never for a finding the check fails on; its reason must cite the code);
a refused one leaves the finding as it was, counted. The files named are read in a thread, only
as regular files inside the checkout reached through no symlink, and only up to a size.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzers import Finding, with_fingerprints
from analyzers.diff import FileDiff
from bot.agents.admit import NOT_ADDED_LINE, admit_dismissals, on_added_line, refusal_note
from bot.agents.answer import AddedProblem
from bot.agents.config import AgentConfig
from bot.agents.team import AgentReview, run_agent_review
from bot.events import EventChannel
from bot.pipeline.checkout import safe_relative_path
from bot.text.sanitize import sanitize_agent_text

AGENT_TOOL = "agents"
AGENT_RULE = "ai-review"
MAX_READ_BYTES = 4 * 1024 * 1024  # the checkout holds files up to max_file_bytes (1 MiB by default)
MAX_LINE = 1_000_000  # for a file whose length is unknown (not written for analysis, or too large)
NOT_IN_PR = "not on a file this pull request changes"
NO_SUCH_LINE = "on a line the file does not have"

ReadLines = Callable[[str], Sequence[str] | None]  # a PR file's head lines; None: not readable


@dataclass
class Discussion:
    """The dialogue's outcome, ready for publishing."""

    review: AgentReview
    added_in_diff: list[Finding] = field(default_factory=list)  # on lines the PR adds: inline comments
    dismissed: dict[str, str] = field(default_factory=dict)  # finding fingerprint -> the agents' reason
    dropped: list[str] = field(default_factory=list)  # why each refused added problem was refused
    refused: list[str] = field(default_factory=list)  # why each refused dismissal was refused

    @property
    def ran(self) -> bool:
        return self.review.skipped is None

    @property
    def dropped_note(self) -> str:
        """One sentence for the summary (our words only: the model's paths are not repeated)."""
        counts = {reason: self.dropped.count(reason) for reason in dict.fromkeys(self.dropped)}
        detail = ", ".join(f"{n} {reason}" for reason, n in counts.items())
        return f"Dropped {len(self.dropped)} problem(s) the agents added, unread: {detail}."

    @property
    def refused_note(self) -> str:
        return refusal_note(self.refused)


def read_checkout_lines(root: Path, path: str, *, max_bytes: int = MAX_READ_BYTES) -> list[str] | None:
    """The lines of ``root/path`` when it is a regular file of at most ``max_bytes`` inside ``root``,
    reached through no symlink; else None. Blocking: call it in a thread.

    The file is opened non-blocking and checked again on the open descriptor, so a FIFO or a
    device put in its place after the checks can neither stall the read nor feed it forever.
    """
    relative = safe_relative_path(path)
    if relative is None:
        return None
    try:
        base = os.path.realpath(root)
        current, info = base, None
        for part in relative.parts:
            current = os.path.join(current, part)
            info = os.lstat(current)
            if stat.S_ISLNK(info.st_mode):
                return None
        inside = os.path.commonpath([base, os.path.realpath(current)]) == base
        if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes or not inside:
            return None
        fd = os.open(current, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except (OSError, ValueError):
        return None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            return None
        data = _read_at_most(fd, max_bytes)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace").splitlines()


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def on_pr_file(path: str, diffs: Mapping[str, FileDiff]) -> bool:
    """Whether ``path`` is, exactly, a file this PR adds or changes (not one it deletes)."""
    diff = diffs.get(path)
    return diff is not None and diff.status != "removed" and safe_relative_path(path) is not None


async def admit_added(
    problems: Sequence[AddedProblem], diffs: Mapping[str, FileDiff], read_lines: ReadLines
) -> tuple[list[AddedProblem], dict[str, Sequence[str]], list[str]]:
    """The added problems kept, the head lines of their files, and why each other one was dropped.

    Only the PR's own files are read, in a thread: the event loop never waits on a file.
    """
    paths = sorted({p.path for p in problems if on_pr_file(p.path, diffs)})
    texts = await asyncio.to_thread(lambda: {path: read_lines(path) for path in paths})
    kept: list[AddedProblem] = []
    dropped: list[str] = []
    for problem in problems:
        if problem.path not in texts:
            dropped.append(NOT_IN_PR)
            continue
        lines = texts[problem.path]
        if not 1 <= problem.line <= (MAX_LINE if lines is None else len(lines)):
            dropped.append(NO_SUCH_LINE)
            continue
        if not on_added_line(problem.path, problem.line, diffs):  # a context line is not the PR's
            dropped.append(NOT_ADDED_LINE)
            continue
        kept.append(problem)
    return kept, {path: lines or () for path, lines in texts.items()}, dropped


def agent_findings(
    problems: Sequence[AddedProblem], lines: Mapping[str, Sequence[str]], repo_url: str | None
) -> list[Finding]:
    """The problems the agents added, as findings (their text sanitised, their lines fingerprinted)."""
    raw = [
        Finding(
            tool=AGENT_TOOL,
            rule_id=AGENT_RULE,
            severity=problem.severity,
            path=problem.path,
            line=problem.line,
            end_line=problem.line,
            message=sanitize_agent_text(problem.message, repo_url=repo_url),
        )
        for problem in problems
    ]
    return with_fingerprints(raw, lambda path: lines.get(path, ()))


async def discuss(
    config: AgentConfig | None,
    *,
    findings: Sequence[Finding],
    diffs: Mapping[str, FileDiff],
    patches: Mapping[str, str],
    title: str,
    body: str | None,
    read_lines: ReadLines,
    fail_on: str = "error",
    repo_url: str | None = None,
    events: EventChannel | None = None,
    topic: str = "",
) -> Discussion:
    """Run the dialogue over the diff and the findings; never raises, never blocks the review.

    ``read_lines`` is called in a thread, and only with paths of files this PR changes.
    ``fail_on`` is the severity the check run fails from: findings at it cannot be dismissed.
    """
    review = await run_agent_review(
        config, title=title, body=body, patches=patches, findings=findings, events=events, topic=topic
    )
    if review.skipped is not None:
        return Discussion(review)
    problems, lines, dropped = await admit_added(review.added, diffs, read_lines)
    added = agent_findings(problems, lines, repo_url)
    by_fingerprint = {f.fingerprint: f for f in findings}
    asked = [
        by_fingerprint[v.fingerprint]
        for v in review.verdicts
        if v.status == "dismissed" and v.fingerprint in by_fingerprint
    ]
    cited = sorted({f.path for f in asked if on_pr_file(f.path, diffs)})  # the files a reason may cite
    code = await asyncio.to_thread(lambda: {path: read_lines(path) for path in cited})
    kept, refused = admit_dismissals(
        review.verdicts, by_fingerprint, fail_on=fail_on, diffs=diffs, lines=code
    )
    dismissed = {fp: sanitize_agent_text(reason, repo_url=repo_url) for fp, reason in kept.items()}
    return Discussion(review, added_in_diff=added, dismissed=dismissed, dropped=dropped, refused=refused)
