"""The GitHub Actions door: the pull request of an Actions event, reviewed as the App reviews one.

``review-bot action`` (the ``run:`` step of action.yml) reads the event GitHub wrote for the job
(``GITHUB_EVENT_PATH``), validates it with the webhook models the App uses, and composes the
App's own pieces: the pull-request source (policy from the base branch through the contents API,
the PR's files, the head commit fetched over HTTPS with the job's token, never checked out) and
the GitHub reporter (review, check run, summary comment), as ``github-actions[bot]``. It adds a
reporter for what only an Action has: the SARIF file, the job summary and the step's outputs.

The head is fetched by the bot itself, as the App fetches it (GitHub serves a PR's head from the
base repository, forks included), so nothing depends on what actions/checkout fetched: the
default ``fetch-depth: 1``, or no checkout at all, is enough. The workspace is read only for an
explicit ``config`` input, and for one safety check under ``pull_request_target``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import aiohttp

from analyzers import severity_at_least
from bot.config import ConfigError, Settings
from bot.github.client import GitHubClient, GitHubHTTPError, MutationThrottle
from bot.github.payloads import PayloadError, PullRequestEvent, Sha, parse
from bot.github.payloads import PullRequest as PullRequestPayload
from bot.github.pr_state import derive_state_key
from bot.github.pull_request import PullRequest
from bot.keyed_locks import KeyedLocks
from bot.pipeline.actions_report import FilesReporter, PostingReporter, Reporters, ReportFileError
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.checkout import CheckoutError
from bot.pipeline.checkrun import abandon_check_run
from bot.pipeline.github import GitHubPRSource, GitHubReporter
from bot.pipeline.repo_config import RepoPolicy, load_policy_file
from bot.pipeline.run import Change, run_review
from bot.pipeline.terminal import format_text
from bot.queue import ReviewJob
from bot.text.printable import printable

OWN_LOGIN = "github-actions[bot]"  # who GITHUB_TOKEN posts as: the "is it ours" checks look for it
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
MAX_EVENT_BYTES = 25 * 1024 * 1024  # GitHub's cap on a webhook payload; the event file is one
MAX_PACKED_REFS_BYTES = 4 * 1024 * 1024  # a checkout's refs; a bigger file is not read to its end
GIVE_UP_SECONDS = 30.0  # closing the check run after a failure is best effort: GitHub may be why
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FETCH_HINT = (
    "review-bot fetches the head commit itself, over HTTPS with the job's token, so "
    "actions/checkout's fetch-depth does not matter: the token needs `contents: read`, and the "
    "commit must still be on GitHub (force-pushed away? a newer run reviews the new head)"
)
PERMISSIONS_HINT = (
    "give the job `permissions: {contents: read, pull-requests: write, checks: write}` "
    "(and, for a pull request from a fork, see the README)"
)


class ActionsError(Exception):
    """The Action cannot review: set up wrongly or given an unusable event (exit 2, this message)."""


class ActionsPull(PullRequestPayload):
    merge_commit_sha: Sha | None = None  # the test merge commit actions/checkout checks out


class ActionsPullRequestEvent(PullRequestEvent):
    """A ``pull_request``/``pull_request_target`` event: the App's webhook model (no installation)."""

    pull_request: ActionsPull


@dataclass(frozen=True)
class ActionsEvent:
    """The pull-request event that started the job, validated."""

    name: str  # pull_request or pull_request_target
    payload: ActionsPullRequestEvent

    @property
    def full_name(self) -> str:
        return f"{self.payload.repository.owner.login}/{self.payload.repository.name}"

    @property
    def from_fork(self) -> bool:
        """The head lives in another repository (or one since deleted)."""
        head_repo = self.payload.pull_request.head.repo
        return head_repo is None or head_repo.clone_url != self.payload.repository.clone_url

    def job(self) -> ReviewJob:
        """The same job the App's webhook handler builds from this payload."""
        pr, repo = self.payload.pull_request, self.payload.repository
        head_repo = pr.head.repo
        return ReviewJob(
            installation_id=None,
            owner=repo.owner.login,
            repo=repo.name,
            pr_number=pr.number,
            head_sha=pr.head.sha,
            base_sha=pr.base.sha,
            base_ref=pr.base.ref,
            clone_url=repo.clone_url,  # forks too: GitHub serves their heads from the base repository
            head_clone_url=(head_repo.clone_url if head_repo else None) or "",
        )


def read_event(name: str, path: Path) -> ActionsEvent | None:
    """The event file of a pull-request event, validated; None for any other event (not read)."""
    if name not in PULL_REQUEST_EVENTS:
        return None
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_EVENT_BYTES + 1)
    except OSError as exc:
        raise ActionsError(f"cannot read GITHUB_EVENT_PATH: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > MAX_EVENT_BYTES:
        raise ActionsError(f"the event file is larger than {MAX_EVENT_BYTES:,} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ActionsError("the event file is not JSON") from None
    try:
        return ActionsEvent(name, parse(ActionsPullRequestEvent, data))
    except PayloadError as exc:
        raise ActionsError(f"the {name} event file: {exc}") from None


def checked_out_commit(workspace: Path) -> str | None:
    """The commit checked out in ``workspace``, read from ``.git`` as files (no git runs there:
    its config may be a PR's); None when there is no plain checkout or it names a branch we
    cannot resolve without git."""
    git_dir = workspace / ".git"
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace")[:1024].strip()
        if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", head):
            return head
        ref = head.removeprefix("ref: ").strip()
        if not re.fullmatch(r"refs/[A-Za-z0-9._/-]{1,200}", ref) or ".." in ref:
            return None
        loose = git_dir / ref
        if loose.is_file():
            return loose.read_text(encoding="utf-8", errors="replace")[:100].strip() or None
        with (git_dir / "packed-refs").open("rb") as handle:
            packed = handle.read(MAX_PACKED_REFS_BYTES).decode("utf-8", "replace")
        for line in packed.splitlines():
            sha, _, name = line.partition(" ")
            if name == ref:
                return sha
    except OSError:
        return None
    return None


def refuse_privileged_checkout(event: ActionsEvent, workspace: Path | None) -> None:
    """Under ``pull_request_target`` the job holds a write token and the repository's secrets even
    for a fork's PR: refuse when the workspace holds the PR's own code (its head or test merge),
    since any step of this job might run it. The review itself never needs that checkout."""
    if event.name != "pull_request_target" or workspace is None:
        return
    pull = event.payload.pull_request
    checked_out = checked_out_commit(workspace)
    if checked_out is not None and checked_out in (pull.head.sha, pull.merge_commit_sha):
        raise ActionsError(
            f"this pull_request_target job has checked out the pull request's own code "
            f"({checked_out[:7]}) in {workspace}, with a token that can write and the repository's "
            "secrets: refusing. review-bot fetches what it reviews itself; check out the base "
            "branch (actions/checkout's default for pull_request_target), or nothing."
        )


def with_inputs(policy: RepoPolicy, fail_on: str | None, filter_mode: str | None) -> RepoPolicy:
    """The policy with the Action's inputs over it: the workflow author's choice wins."""
    old = policy.settings
    new = replace(old, fail_on=fail_on or old.fail_on, filter_mode=filter_mode or old.filter_mode)
    return replace(policy, settings=new)


@dataclass
class ActionsSource:
    """The App's pull-request source, with the Action's inputs over the policy it reads."""

    inner: GitHubPRSource
    fail_on: str | None = None
    filter_mode: str | None = None
    policy: RepoPolicy | None = field(default=None, init=False)  # once opened: for the exit status

    async def open(self, workdir: Path) -> Change:
        change = await self.inner.open(workdir)
        change.policy = self.policy = with_inputs(change.policy, self.fail_on, self.filter_mode)
        return change


# --- the door: the job's environment in, the review out, an exit status ------------------------


@dataclass(frozen=True)
class ActionOptions:
    """The Action's inputs (action.yml passes them through ``env:``; empty means the default)."""

    fail_on: str | None = None
    filter_mode: str | None = None
    config: Path | None = None
    sarif_file: Path | None = None


def workflow_command(kind: str, message: str) -> None:
    """An annotation on the run (``::error::``, ``::warning::``, ``::notice::``); the message is
    escaped so that it stays one command, whatever it holds."""
    data = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::{kind}::review-bot: {data}", flush=True)


@contextmanager
def commands_paused() -> Iterator[None]:
    """While the review prints (file names, messages: the PR's text), no line of it is taken for
    a workflow command: GitHub's ``stop-commands`` with a token nobody can guess."""
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    try:
        yield
    finally:
        print(f"::{token}::", flush=True)


def in_workspace(path: Path | None, workspace: Path | None) -> Path | None:
    """An input's path: relative ones are in the workspace, as for the other steps of the job."""
    if path is None or path.is_absolute() or workspace is None:
        return path
    return workspace / path


def job_state_key(state_secret: str | None) -> bytes:
    """The PR state's key: STATE_SECRET when the workflow passes one (the state then carries over
    between runs), else one for this run. What was said already is read back from the inline
    comments either way, so a re-run posts nothing twice."""
    if state_secret:
        return derive_state_key(state_secret, None)
    # Every run would otherwise warn that the last run's marker does not verify: expected here.
    logging.getLogger("bot.github.pr_state").setLevel(logging.ERROR)
    return secrets.token_bytes(32)


def run_action(options: ActionOptions, environ: MutableMapping[str, str]) -> int:
    """``review-bot action``: 0 when the check run passes (or there is nothing to review), 1 when
    it does not (a finding reaches ``fail_on``, or the review is incomplete), 2 on an error."""
    try:
        return asyncio.run(review_event(options, environ))
    except (ActionsError, ConfigError, ReportFileError) as exc:
        workflow_command("error", printable(exc))  # our own messages: no secret in them
    except CheckoutError as exc:
        workflow_command("error", f"{printable(exc)} ({FETCH_HINT})")
    except GitHubHTTPError as exc:
        hint = f"; {PERMISSIONS_HINT}" if exc.status in (403, 404) else ""
        workflow_command("error", f"GitHub refused a request: {printable(exc)}{hint}")
    except Exception as exc:
        from bot.worker import failure_reason  # the App's words for a failure, safe to show

        workflow_command("error", f"the review failed: {failure_reason(exc)}")
    return EXIT_ERROR


async def review_event(options: ActionOptions, environ: MutableMapping[str, str]) -> int:
    name, event_path = environ.get("GITHUB_EVENT_NAME", ""), environ.get("GITHUB_EVENT_PATH", "")
    if not name or not event_path:
        raise ActionsError(
            "GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: `review-bot action` runs as a step "
            "of a GitHub Actions workflow (see the README); on a local repository use `review-bot review`"
        )
    event = read_event(name, Path(event_path))
    if event is None:
        workflow_command(
            "warning",
            f"nothing to review: this job runs on `{printable(name)}`, and review-bot reviews pull "
            "requests (`on: pull_request`)",
        )
        return EXIT_OK
    # Out of the environment at once: no child process (git, the analyzers) inherits it.
    token = environ.pop("GITHUB_TOKEN", "").strip()
    if not token:
        raise ActionsError(
            "no GitHub token: GITHUB_TOKEN is empty (the `github-token` input, whose default is "
            "`${{ github.token }}`, was set to an empty value?)"
        )
    payload = event.payload
    if payload.action == "closed" or payload.pull_request.state == "closed":
        workflow_command("notice", f"pull request #{payload.pull_request.number} is closed: not reviewed")
        return EXIT_OK
    repository = environ.get("GITHUB_REPOSITORY", "")
    if repository and repository.lower() != event.full_name.lower():
        raise ActionsError(f"the event is about {event.full_name}, but this job runs in {repository}")
    workspace = Path(environ["GITHUB_WORKSPACE"]) if environ.get("GITHUB_WORKSPACE") else None
    refuse_privileged_checkout(event, workspace)
    settings = Settings.from_env(environ)  # GITHUB_API_URL, STATE_SECRET, REVIEW_BOT_CONFIG
    policy = config_input(in_workspace(options.config, workspace), workspace, settings)
    job = event.job()
    if event.name == "pull_request_target":
        workflow_command(
            "notice",
            "on pull_request_target this job can write and read secrets even for a fork's pull request: "
            "review-bot never checks out or runs its code, and no other step of this job may either",
        )
    print(
        f"review-bot: reviewing {job.full_name}#{job.pr_number}: {printable(job.base_ref)} "
        f"({job.base_sha[:7]})..{job.head_sha[:7]}, as {OWN_LOGIN}",
        flush=True,
    )
    warnings: list[str] = []  # annotations said after the review, once workflow commands are back
    async with aiohttp.ClientSession() as session:

        async def provider(refresh: bool) -> str:
            return token

        async def fetch_token() -> str:
            return token

        client = GitHubClient(
            session,
            base_url=settings.api_url,
            token_provider=provider,
            throttle=MutationThrottle(settings.mutation_interval),
        )
        pr = PullRequest(
            client,
            job.owner,
            job.repo,
            job.pr_number,
            state_key=job_state_key(settings.state_secret),
            locks=KeyedLocks(),
            own_login=OWN_LOGIN,
        )
        source = ActionsSource(
            GitHubPRSource(pr, job, settings.review, fetch_token, policy=policy),
            fail_on=options.fail_on,
            filter_mode=options.filter_mode,
        )
        posting = PostingReporter(
            GitHubReporter(pr, job, app_id=None),
            may_be_read_only=event.name == "pull_request" and event.from_fork,
            warn=warnings.append,
        )
        files = FilesReporter(
            in_workspace(options.sarif_file, workspace),
            Path(environ["GITHUB_STEP_SUMMARY"]) if environ.get("GITHUB_STEP_SUMMARY") else None,
            Path(environ["GITHUB_OUTPUT"]) if environ.get("GITHUB_OUTPUT") else None,
        )
        try:
            with commands_paused():
                outcome = await run_review(source, Reporters([posting, files]))
                print(format_text(outcome, colour=False), flush=True)
        except BaseException as exc:
            if posting.started and not posting.reported:
                await give_up(pr, job, exc, source.policy or RepoPolicy(settings.review))
            raise
        finally:
            for warning in warnings:
                workflow_command("warning", warning)
    return exit_status(outcome, files.conclusion, source.policy or RepoPolicy(settings.review))


def config_input(config: Path | None, workspace: Path | None, settings: Settings) -> RepoPolicy | None:
    """The ``config`` input's policy: the workflow author's explicit choice (a file in the checkout,
    which for ``pull_request`` is the PR's own merge commit). Without it, None: the base branch's
    ``.github/review-bot.yml``, read through the API, as for the App."""
    if config is None:
        return None
    if not config.is_file():
        raise ActionsError(
            f"config: {config} is not a file (is the repository checked out? the `config` input "
            "reads from the workspace: add actions/checkout before this step, or leave `config` "
            "empty to use .github/review-bot.yml from the base branch)"
        )
    return load_policy_file(config, workspace or Path.cwd(), settings.review)


async def give_up(pr: PullRequest, job: ReviewJob, exc: BaseException, policy: RepoPolicy) -> None:
    """Close the check run this run started, never as a pass (as the App does when it gives up);
    best effort and bounded: GitHub may be why the review failed."""
    from bot.worker import failure_reason

    reason = f"The review could not be completed: {failure_reason(exc)}"
    conclusion = policy.settings.incomplete_conclusion
    with contextlib.suppress(Exception):
        async with asyncio.timeout(GIVE_UP_SECONDS):
            await abandon_check_run(pr, job.head_sha, reason, None, conclusion)


def exit_status(outcome: ReviewOutcome, conclusion: str, policy: RepoPolicy) -> int:
    """The check run's verdict as the step's: a failed check fails the step."""
    if conclusion == "success":
        return EXIT_OK
    fail_on = policy.settings.fail_on
    reaching = [f for f in outcome.findings if fail_on != "never" and severity_at_least(f.severity, fail_on)]
    if reaching:
        workflow_command("error", f"{len(reaching)} finding(s) at or above fail-on `{fail_on}`")
    else:
        workflow_command("error", "the review is incomplete (see the report above): never a pass")
    return EXIT_FINDINGS
