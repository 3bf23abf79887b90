"""The Action's reporters: the App's GitHub reporter (review, check run, summary comment) made to
cope with a read-only token, and the files only an Action has: the SARIF file for code scanning,
the job summary and the step's outputs. bot/pipeline/actions.py composes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.github.client import GitHubHTTPError
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.checkrun import check_conclusion
from bot.pipeline.github import GitHubReporter
from bot.pipeline.repo_config import RepoPolicy
from bot.pipeline.run import Change, Reporter
from bot.pipeline.terminal import format_markdown, format_sarif

MAX_JOB_SUMMARY_BYTES = 1024 * 1024  # GitHub's cap on one step's job summary
READ_ONLY_HINT = (
    "GitHub gives `pull_request` workflows a read-only token for pull requests from forks, so no "
    "review, check run or comment can be posted; the findings are in this job's summary, the "
    "SARIF file and the exit status. To post on forks' pull requests, run the Action on "
    "`pull_request_target` (see the README: it never checks out or runs the PR's code)."
)


class ReportFileError(Exception):
    """A file the Action was asked to write could not be written (the message names it)."""


def conclusion_of(outcome: ReviewOutcome, policy: RepoPolicy) -> str:
    """The check run's conclusion for this outcome (the step's exit status follows it)."""
    settings = policy.settings
    problems = bool(outcome.errors or outcome.incomplete)
    return check_conclusion(outcome.findings, settings.fail_on, problems, settings.incomplete_conclusion)


@dataclass
class PostingReporter:
    """The App's GitHub reporter; when the token turns out to be read-only (a fork's PR on
    ``pull_request``), the review goes on without posting, saying so."""

    github: GitHubReporter
    may_be_read_only: bool  # a fork's PR on `pull_request`: GitHub's token cannot write
    warn: Callable[[str], None]
    posting: bool = True
    started: bool = False
    reported: bool = False

    async def start(self) -> None:
        try:
            await self.github.start()
        except GitHubHTTPError as exc:
            if exc.status != 403 or not self.may_be_read_only:
                raise
            self.posting = False
            self.warn(f"not posting the review (GitHub answered 403 {exc.message}). {READ_ONLY_HINT}")
            return
        self.started = True

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        if self.posting:
            await self.github.report(outcome, change)
        self.reported = True


@dataclass
class FilesReporter:
    """What only an Action has: the SARIF file, the job summary (``GITHUB_STEP_SUMMARY``) and the
    step's outputs (``GITHUB_OUTPUT``). Written after GitHub has the review."""

    sarif_file: Path | None = None
    step_summary: Path | None = None
    outputs: Path | None = None
    conclusion: str = ""

    async def start(self) -> None:
        return None

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        self.conclusion = conclusion_of(outcome, change.policy)
        try:
            if self.sarif_file is not None:
                self.sarif_file.parent.mkdir(parents=True, exist_ok=True)
                self.sarif_file.write_text(format_sarif(outcome) + "\n", encoding="utf-8")
            if self.step_summary is not None:
                append_bounded(self.step_summary, format_markdown(outcome) + "\n", MAX_JOB_SUMMARY_BYTES)
            if self.outputs is not None:
                sarif = str(self.sarif_file) if self.sarif_file is not None else ""
                lines = [f"findings={len(outcome.findings)}", f"conclusion={self.conclusion}"]
                lines.append(f"sarif-file={sarif}" if "\n" not in sarif else "sarif-file=")
                with self.outputs.open("a", encoding="utf-8") as handle:
                    handle.write("\n".join(lines) + "\n")
        except OSError as exc:
            raise ReportFileError(
                f"cannot write {exc.filename}: {exc.strerror or type(exc).__name__}"
            ) from None


def append_bounded(path: Path, text: str, limit: int) -> None:
    """Append ``text`` to ``path``, cut to ``limit`` bytes with a note when longer."""
    data = text.encode("utf-8")
    if len(data) > limit:
        note = b"\n\n_The rest is cut: see the pull request's summary comment and check run._\n"
        data = data[: limit - len(note)].decode("utf-8", "ignore").encode("utf-8") + note
    with path.open("ab") as handle:
        handle.write(data)


@dataclass
class Reporters:
    """Several reporters as one: started and told in order (a failing one stops the rest)."""

    reporters: list[Reporter]

    async def start(self) -> None:
        for reporter in self.reporters:
            await reporter.start()

    async def report(self, outcome: ReviewOutcome, change: Change) -> None:
        for reporter in self.reporters:
            await reporter.report(outcome, change)
