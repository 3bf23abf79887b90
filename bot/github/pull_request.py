"""The PullRequest gateway: every REST call about one pull request, and the PR's state under its lock.

One object per (installation client, owner, repository, PR number), as reviewdog's
``service/github`` has one ``PullRequest``: the PR itself, its files and comparisons, reviews
and inline comments, replies, the conversation's comments and the summary, reactions, the
commenter's permission, check runs, files at the base commit, posts made at most once, and
(through GraphQL, which alone knows them) its review threads and their resolution.
The rest of the bot asks this object and never builds a GitHub path (bot/github/pr_paths.py
holds them; tests/test_pull_request_gateway.py checks that nothing else does).

The PR's state (bot/github/pr_state.py) rides in the bot's summary comment. It is changed only
through :meth:`PullRequest.state`, which holds the PR's lock (bot/keyed_locks.PRLock) while it
reads the latest state, lets the caller change it, and writes the summary back: a review's
summary and a ``/pause`` can no longer write over each other.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from analyzers.diff import DiffError, FileDiff, parse_patch
from bot.github.client import GitHubClient, GitHubHTTPError, GraphQLError
from bot.github.pr_paths import (
    CONTENTS_TEMPLATE,
    INSTALLATION_REPOSITORIES_PATH,
    INSTALLATIONS_PATH,
    PERMISSION_TEMPLATE,
    RESOLVE_THREAD_MUTATION,
    REVIEW_THREADS_QUERY,
    UNRESOLVE_THREAD_MUTATION,
    PRPaths,
    RepoPaths,
)
from bot.github.pr_state import PriorState, PRState, StateSeal, pr_scope
from bot.keyed_locks import PRLock
from bot.text.render import CONFIG_ERROR_MARKER, SUMMARY_MARKER, fingerprints_in, with_state

log = logging.getLogger(__name__)

GITHUB_FILES_CAP = 3000  # GitHub lists at most 3,000 files of a pull request
COMPARE_FILES_CAP = 300  # and at most 300 of a comparison
NOT_REVIEWED_YET = f"{SUMMARY_MARKER}\n## Review bot\n\nNot reviewed yet."
THREAD_PAGES_CAP = 30  # 100 review threads a page: 3,000 threads is far past any PR a person reads


def is_own(item: dict[str, Any], own_login: str | None) -> bool:
    """Written by this App: its login when known, else any bot (people cannot fake user.type)."""
    user = item.get("user") or {}
    return user.get("type") == "Bot" and (own_login is None or user.get("login") == own_login)


@dataclass
class PullFiles:
    """The PR's changed files as GitHub sees them."""

    diffs: dict[str, FileDiff]
    patches: dict[str, str]  # path -> GitHub's ``patch`` (the hunks), where GitHub gives one
    capped: bool  # GitHub lists at most 3,000 files: True when that cap was reached


@dataclass(frozen=True)
class ReviewThread:
    """One review thread as GitHub's GraphQL API has it (REST knows comments, not threads)."""

    id: str  # the thread's GraphQL node id, for resolveReviewThread
    resolved: bool
    root_id: int | None  # the REST id (databaseId) of its first comment; None when GitHub gives none


@dataclass
class StateEdit:
    """The PR's latest state, read under its lock; written back when the ``async with`` block ends."""

    prior: PriorState
    body: str | None = None  # the summary's new text; None keeps its current text (or a placeholder)
    dropped: bool = False
    comment_id: int | None = None  # the summary comment, once written

    @property
    def state(self) -> PRState:
        return self.prior.state

    @property
    def seal(self) -> StateSeal:
        return self.prior.seal

    def drop(self) -> None:
        """Leave the summary as it is (e.g. the PR moved on and the change no longer applies)."""
        self.dropped = True


class PullRequest:
    """Every call about one pull request, acting as one installation."""

    def __init__(
        self,
        gh: GitHubClient,
        owner: str,
        repo: str,
        number: int,
        *,
        state_key: bytes,
        locks: PRLock,
        own_login: str | None = None,
    ) -> None:
        self.gh = gh
        self.owner, self.repo, self.number = owner, repo, number
        self.own_login = own_login  # "<app slug>[bot]"; None: any bot's comment counts as ours
        self.locks = locks
        self.seal = StateSeal(state_key, pr_scope(owner, repo, number))
        self.paths = PRPaths(owner, repo, number)

    def __repr__(self) -> str:
        return f"PullRequest({self.where!r})"

    @property
    def where(self) -> str:
        """For logs: owner/repo#number."""
        return f"{self.owner}/{self.repo}#{self.number}"

    @property
    def key(self) -> tuple[str, str, int]:
        """The PR's lock key (the same as ReviewJob.pr_key)."""
        return (self.owner.lower(), self.repo.lower(), self.number)

    def is_own(self, item: dict[str, Any]) -> bool:
        return is_own(item, self.own_login)

    # --- the pull request, its files ------------------------------------------------------------

    async def fetch(self) -> dict[str, Any]:
        """The PR as GitHub has it now: head, base, title, body, state."""
        return dict(await self.gh.getitem(self.paths.pull()))

    async def files(self) -> PullFiles:
        files = await self.gh.get_all(self.paths.pull("/files"), limit=GITHUB_FILES_CAP)
        return self.parse_files(files, len(files) >= GITHUB_FILES_CAP)

    async def compare_files(self, since: str, head_sha: str) -> tuple[PullFiles, str]:
        """What changed from ``since`` to ``head_sha`` (GitHub's three-dot compare), and the
        comparison's status: ``ahead`` or ``identical`` when ``since`` is an ancestor of the head."""
        data = await self.gh.getitem(self.paths.compare(since, head_sha))
        files = data.get("files") or []
        return self.parse_files(files, len(files) >= COMPARE_FILES_CAP), str(data.get("status") or "")

    def parse_files(self, files: list[dict[str, Any]], capped: bool) -> PullFiles:
        """GitHub's diff entries (of a PR or a comparison: the same shape) as diffs and patches."""
        diffs: dict[str, FileDiff] = {}
        patches: dict[str, str] = {}
        for entry in files:
            path, status, patch = entry["filename"], entry.get("status", "modified"), entry.get("patch")
            old_path = entry.get("previous_filename")
            try:
                diffs[path] = parse_patch(path, patch, old_path=old_path, status=status)
            except DiffError:
                log.warning("%s: cannot parse the patch of %s; no comments there", self.where, path)
                diffs[path] = parse_patch(path, None, old_path=old_path, status=status)
                continue
            if patch:
                patches[path] = patch
        return PullFiles(diffs, patches, capped)

    async def contents(self, path: str, ref: str) -> Any:
        """The contents API's answer for ``path`` at ``ref`` (the base commit): a file's item, a
        directory's listing; None when there is nothing there."""
        try:
            item = await self.gh.getitem(CONTENTS_TEMPLATE, self.paths.url_vars(path=path, ref=ref))
        except GitHubHTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return item

    async def permission(self, login: str) -> set[str]:
        """The commenter's role and legacy permission on the repository (empty when not a collaborator)."""
        try:
            data = await self.gh.getitem(PERMISSION_TEMPLATE, self.paths.url_vars(username=login))
        except GitHubHTTPError as exc:
            if exc.status != 404:
                raise
            return set()
        return {str(data.get("role_name") or ""), str(data.get("permission") or "")}

    # --- reviews, inline comments, replies -------------------------------------------------------

    async def create_review(self, data: dict[str, Any]) -> int:
        """One review (``data`` as GitHub's create-review takes it), posted at most once."""
        review = await self.post_once(self.paths.pull("/reviews"), self.paths.pull("/reviews"), data)
        return int(review["id"])

    async def review_comments(self) -> list[dict[str, Any]]:
        """Every inline comment on the PR, anyone's (check :meth:`is_own` before trusting one)."""
        return await self.gh.get_all(self.paths.pull("/comments"))

    async def review_comment(self, comment_id: int) -> dict[str, Any]:
        return dict(await self.gh.getitem(self.paths.review_comment(comment_id)))

    async def edit_review_comment(self, comment_id: int, body: str) -> None:
        await self.gh.patch(self.paths.review_comment(comment_id), data={"body": body})

    async def reply_in_thread(self, root_id: int, body: str) -> dict[str, Any]:
        """A reply in the review thread started by ``root_id``, posted at most once."""
        return await self.post_once(self.paths.replies(root_id), self.paths.pull("/comments"), {"body": body})

    # --- review threads (GraphQL) ---------------------------------------------------------------

    async def review_threads(self) -> list[ReviewThread]:
        """Every review thread of the PR, by its first comment's REST id.

        Raises GraphQLError when GitHub answers with errors (e.g. an Enterprise Server whose App
        lacks the permission), GitHubHTTPError for an HTTP failure."""
        threads: list[ReviewThread] = []
        cursor: str | None = None
        for _ in range(THREAD_PAGES_CAP):
            data = await self.gh.graphql(
                REVIEW_THREADS_QUERY, owner=self.owner, repo=self.repo, number=self.number, cursor=cursor
            )
            pull = ((data or {}).get("repository") or {}).get("pullRequest")
            if not isinstance(pull, dict):
                raise GraphQLError(f"{self.where}: GitHub returned no pull request", ("NOT_FOUND",))
            connection = pull.get("reviewThreads") or {}
            for node in connection.get("nodes") or []:
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    first = ((node.get("comments") or {}).get("nodes") or [None])[0] or {}
                    root = first.get("databaseId")
                    threads.append(
                        ReviewThread(
                            node["id"], node.get("isResolved") is True, root if type(root) is int else None
                        )
                    )
            page = connection.get("pageInfo") or {}
            cursor = page.get("endCursor")
            if not page.get("hasNextPage") or not isinstance(cursor, str):
                break
        return threads

    async def set_thread_resolved(self, thread_id: str, resolved: bool = True) -> None:
        """Resolve (or reopen) one review thread; GraphQLError when GitHub refuses."""
        mutation, field = (
            (RESOLVE_THREAD_MUTATION, "resolveReviewThread")
            if resolved
            else (UNRESOLVE_THREAD_MUTATION, "unresolveReviewThread")
        )
        data = await self.gh.graphql(mutation, threadId=thread_id)
        thread = ((data or {}).get(field) or {}).get("thread") or {}
        if thread.get("isResolved") is not resolved:
            raise GraphQLError(f"{self.where}: {field} did not change the thread")

    # --- the conversation: comments, the summary, reactions --------------------------------------

    async def comment(self, body: str) -> dict[str, Any]:
        """A new comment on the PR's conversation, posted at most once."""
        url = self.paths.issue("/comments")
        return await self.post_once(url, url, {"body": body})

    async def upsert_comment(self, comment_id: int | None, body: str) -> int:
        """Edit our comment in place, or post it when there is none (or it was deleted)."""
        if comment_id is not None:
            try:
                await self.gh.patch(self.paths.issue_comment(comment_id), data={"body": body})
                return comment_id
            except GitHubHTTPError as exc:
                if exc.status != 404:
                    raise
        return int((await self.comment(body))["id"])

    async def react(self, kind: Literal["issue", "pull"], comment_id: int, content: str) -> None:
        """A reaction on a comment of the conversation (``issue``) or of a review thread (``pull``)."""
        await self.gh.post(self.paths.reactions(kind, comment_id), data={"content": content})

    async def post_once(self, url: str, list_url: str, data: dict[str, Any]) -> dict[str, Any]:
        """Create a review or comment exactly once, even when a retried POST had landed after all:
        a nonce marker in its body finds the copy that landed (in ``list_url``) before a retry."""
        marker = f"<!-- review-bot:post:{uuid.uuid4().hex} -->"
        data = {**data, "body": f"{data['body']}\n{marker}"}

        async def find_existing() -> dict[str, Any] | None:
            items = await self.gh.get_all(list_url)
            return next((item for item in items if marker in (item.get("body") or "")), None)

        return dict(await self.gh.post_once(url, data=data, find_existing=find_existing))

    # --- check runs ------------------------------------------------------------------------------

    async def running_check_runs(self, head_sha: str, name: str, app_id: str | None) -> list[dict[str, Any]]:
        """Check runs called ``name`` on the head commit still in progress (ours, with ``app_id``)."""
        query = {"check_name": name, "status": "in_progress", **({"app_id": app_id} if app_id else {})}
        return await self.gh.get_all(self.paths.check_runs_on(head_sha, query), iterable_key="check_runs")

    async def create_check_run(self, data: dict[str, Any]) -> int:
        return int((await self.gh.post(self.paths.check_runs(), data=data))["id"])

    async def update_check_run(self, run_id: int, data: dict[str, Any]) -> None:
        """Change a check run; with ``output.annotations``, GitHub appends them (50 a request)."""
        await self.gh.patch(self.paths.check_run(run_id), data=data)

    # --- the PR's state --------------------------------------------------------------------------

    async def read_state(self) -> PriorState:
        """What the bot said and keeps on this PR: only from its own comments, and the summary's
        state only with a valid signature. A read for a decision; to change it, :meth:`state`."""
        prior = PriorState(seal=self.seal)
        for comment in await self.review_comments():
            if self.is_own(comment):
                prior.said |= fingerprints_in(comment.get("body"))
        for comment in await self.gh.get_all(self.paths.issue("/comments")):
            body = str(comment.get("body") or "")
            # Our summary and config comments start with their marker; a reply of ours quoting one does not.
            if self.is_own(comment) and body.startswith(SUMMARY_MARKER):
                prior.summary_comment_id, prior.summary_body = int(comment["id"]), body
                prior.state = self.seal.read(body)
                prior.said |= set(prior.state.said)
            elif self.is_own(comment) and body.startswith(CONFIG_ERROR_MARKER):
                prior.config_comment_id = int(comment["id"])
        return prior

    @asynccontextmanager
    async def state(self) -> AsyncIterator[StateEdit]:
        """``async with pr.state() as edit:`` change ``edit.state`` (and set ``edit.body`` for a
        new summary text); on leaving the block the summary is written with the state's notes
        and signed marker. The PR's lock is held from the read to the write, so every change
        made this way (a review's summary, a command) sees the one before it."""
        async with self.locks.hold(self.key):
            edit = StateEdit(await self.read_state())
            yield edit
            if not edit.dropped:
                body = edit.body if edit.body is not None else edit.prior.summary_body or NOT_REVIEWED_YET
                sealed = with_state(body, edit.state, self.seal)
                edit.comment_id = await self.upsert_comment(edit.prior.summary_comment_id, sealed)


# --- the App's open pull requests (the reconcile pass, bot/reconcile.py) ---------------------------

_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


async def installation_ids(app_gh: GitHubClient, limit: int) -> list[int]:
    """The App's installations (``app_gh`` acts as the App itself), at most ``limit``."""
    items = await app_gh.get_all(INSTALLATIONS_PATH, limit=limit)
    return [item["id"] for item in items if isinstance(item, dict) and type(item.get("id")) is int]


async def installation_repositories(gh: GitHubClient, limit: int) -> list[dict[str, Any]]:
    """The repositories one installation can see (``gh`` acts as it), at most ``limit``."""
    items = await gh.get_all(INSTALLATION_REPOSITORIES_PATH, limit=limit, iterable_key="repositories")
    return [item for item in items if isinstance(item, dict)]


async def open_pulls(gh: GitHubClient, owner: str, repo: str, limit: int) -> list[dict[str, Any]]:
    """A repository's open pull requests, the most recently updated first, at most ``limit``."""
    items = await gh.get_all(RepoPaths(owner, repo).open_pulls(), limit=limit)
    return [item for item in items if isinstance(item, dict)]


async def has_completed_check_run(
    gh: GitHubClient, owner: str, repo: str, head_sha: str, name: str, app_id: str | None
) -> bool:
    """Whether the commit has a completed check run called ``name`` (of the App ``app_id``)."""
    if not _SHA.fullmatch(head_sha):
        raise ValueError("not a commit id")  # never put anything else into a URL
    query = {"check_name": name, "status": "completed", **({"app_id": app_id} if app_id else {})}
    url = RepoPaths(owner, repo).check_runs_on(head_sha, query)
    return bool(await gh.get_all(url, limit=1, iterable_key="check_runs"))
