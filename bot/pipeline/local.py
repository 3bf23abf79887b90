"""The local git sources: the commits of a head not in a base, or what is staged in the index.

Both are for a repository on this machine (the CLI and the pre-commit hook). They say, through
``announce``, which revisions they compare before the analysis starts, and warn about changes
the review will not see (uncommitted ones for a review of commits, unstaged ones for --staged).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analyzers.cache import AnalysisCache
from analyzers.diff import DiffError, patches_by_path
from bot.config import ReviewSettings
from bot.pipeline.analyze import ReviewOutcome
from bot.pipeline.checkout import CheckoutError, git, git_env, local_git_dir
from bot.pipeline.index_snapshot import pending_changes, snapshot_index, user_index, worktree_top
from bot.pipeline.local_diff import LocalDiff, read_local_diff
from bot.pipeline.repo_config import RepoPolicy, load_local_policy, load_policy_file
from bot.pipeline.run import Change, Reporter, run_review
from bot.text.printable import printable

if TYPE_CHECKING:
    from bot.agents.config import AgentConfig
    from bot.events import EventChannel

Announce = Callable[[str], None]
SHALLOW_HINT = (
    "this is a shallow clone: fetch more history (`git fetch --deepen=N` or `git fetch --unshallow`; "
    "in GitHub Actions, `fetch-depth: 0` with actions/checkout)"
)


async def resolve_commit(git_dir: Path, ref: str, *, env: Mapping[str, str]) -> str:
    if ref.startswith("-"):
        raise CheckoutError(f"not a revision: {ref!r}")
    out = await git(
        ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], git_dir=git_dir, env=env, timeout=30
    )
    return out.decode().strip()


async def is_shallow(git_dir: Path, env: Mapping[str, str]) -> bool:
    try:
        out = await git(["rev-parse", "--is-shallow-repository"], git_dir=git_dir, env=env, timeout=30)
    except CheckoutError:
        return False
    return out.strip() == b"true"


async def resolve_named(git_dir: Path, ref: str, *, env: Mapping[str, str]) -> str:
    """``ref``'s commit; an unknown one is named, with what to fetch in a shallow clone."""
    try:
        return await resolve_commit(git_dir, ref, env=env)
    except CheckoutError:
        hint = f" ({SHALLOW_HINT})" if await is_shallow(git_dir, env) else ""
        raise CheckoutError(f"unknown revision: {ref!r}{hint}") from None


async def merge_base(git_dir: Path, base: str, head: str, *, env: Mapping[str, str], names: str) -> str:
    """Where ``head`` left ``base``; a shallow clone that lacks it says how to get it."""
    try:
        out = await git(["merge-base", base, head], git_dir=git_dir, env=env, timeout=60)
    except CheckoutError:
        if await is_shallow(git_dir, env):
            raise CheckoutError(
                f"{names} have no common commit in the history fetched; {SHALLOW_HINT}"
            ) from None
        raise CheckoutError(f"{names} have no common ancestor: there is no change to review") from None
    return out.decode().strip()


def short(sha: str | None) -> str:
    return sha[:7] if sha else "none"


def incomplete_from_source(change: Change, policy: RepoPolicy, local: LocalDiff) -> None:
    """What the source already knows it leaves out: an invalid config, diffs too large to read."""
    if policy.error:
        change.incomplete.append(f"Ignored an invalid configuration, used the defaults: {policy.error}")
    change.skipped.update(local.too_large)
    if local.too_large:
        change.incomplete.append(
            f"The diff of {len(local.too_large)} file(s) is larger than git's output cap: "
            "no line of them was reviewed (they are listed as skipped)."
        )


@dataclass
class LocalGitSource:
    """``head``'s commits not in ``base``; the policy from ``base`` (as the App reads it from the
    base branch), unless ``config`` names a file to use instead."""

    path: Path
    base: str
    head: str = "HEAD"
    settings: ReviewSettings | None = None
    config: Path | None = None
    want_words: bool = False  # the commit message and patches, for the agents
    announce: Announce | None = None  # told which revisions are compared, and what is left out
    policy: RepoPolicy | None = field(default=None, init=False)  # once opened: the CLI's fail_on

    async def open(self, workdir: Path) -> Change:
        settings = self.settings or ReviewSettings()
        git_dir = await local_git_dir(self.path)
        env = git_env(workdir)
        head_sha = await resolve_named(git_dir, self.head, env=env)
        base_sha = await resolve_named(git_dir, self.base, env=env)
        if self.config is not None:
            policy = load_policy_file(self.config, self.path, settings)
        else:
            policy = await load_local_policy(git_dir, base_sha, env, settings)
        self.policy = policy
        names = f"{printable(self.base)!r} and {printable(self.head)!r}"
        fork = await merge_base(git_dir, base_sha, head_sha, env=env, names=names)
        if self.announce is not None:
            base, head = printable(self.base), printable(self.head)
            self.announce(f"reviewing {base} ({short(base_sha)})..{head} ({short(head_sha)})")
            await self.warn_uncommitted(git_dir, head_sha, env)
        local = await read_local_diff(git_dir, fork, head_sha, env=env)
        change = Change(git_dir=git_dir, head_sha=head_sha, diffs=local.diffs, policy=policy, env=env)
        incomplete_from_source(change, policy, local)
        if self.want_words:
            await add_commit_words(change, local, env)
        return change

    async def warn_uncommitted(self, git_dir: Path, head_sha: str, env: Mapping[str, str]) -> None:
        """When the head reviewed is the checked-out commit, say that uncommitted changes are not in it."""
        worktree = await worktree_top(self.path)
        if worktree is None or self.announce is None:
            return
        try:
            if await resolve_commit(git_dir, "HEAD", env=env) != head_sha:
                return
        except CheckoutError:
            return
        pending = await pending_changes(git_dir, worktree, index_file=user_index(git_dir, worktree))
        if pending is not None and pending.files:
            self.announce(
                f"warning: {pending.files} file(s) have uncommitted changes, which this review does not "
                "see (it reviews commits; `--staged` reviews what is staged)"
            )


@dataclass
class LocalStagedSource:
    """What is staged in the index, against HEAD: what the next commit would hold. The policy
    comes from HEAD (the branch the commit goes onto), unless ``config`` names a file."""

    path: Path
    settings: ReviewSettings | None = None
    config: Path | None = None
    want_words: bool = False
    announce: Announce | None = None
    policy: RepoPolicy | None = field(default=None, init=False)

    async def open(self, workdir: Path) -> Change:
        settings = self.settings or ReviewSettings()
        git_dir = await local_git_dir(self.path)
        worktree = await worktree_top(self.path)
        index_file = user_index(git_dir, worktree)
        snap = await snapshot_index(git_dir, workdir, index_file=index_file)
        if self.config is not None:
            policy = load_policy_file(self.config, self.path, settings)
        elif snap.head is not None:
            policy = await load_local_policy(git_dir, snap.head, snap.env, settings)
        else:
            policy = RepoPolicy(settings)  # no commit yet: no configuration either
        self.policy = policy
        if self.announce is not None:
            against = f"HEAD ({short(snap.head)})" if snap.head else "an empty repository (no commit yet)"
            self.announce(f"reviewing staged changes against {against}")
            if worktree is not None:
                pending = await pending_changes(git_dir, worktree, index_file=index_file)
                if pending is not None and pending.unstaged:
                    self.announce(
                        f"warning: {pending.unstaged} file(s) have changes that are not staged, which "
                        "this review does not see (`git add` them to include them)"
                    )
        local = await read_local_diff(git_dir, snap.base, snap.commit, env=snap.env)
        change = Change(git_dir=git_dir, head_sha=snap.commit, diffs=local.diffs, policy=policy, env=snap.env)
        incomplete_from_source(change, policy, local)
        if self.want_words:
            change.title = "Staged changes (not yet committed)"
            change.patches = patches_from_diff(local.text)
        return change


async def review_local(
    path: Path,
    *,
    base: str,
    head: str = "HEAD",
    settings: ReviewSettings | None = None,
    config: Path | None = None,
    agents: AgentConfig | None = None,
    events: EventChannel | None = None,
    topic: str = "local",
    cache: AnalysisCache | None = None,
    reporter: Reporter | None = None,
) -> ReviewOutcome:
    """Review the commits of ``head`` not in ``base`` in a local repository, as the App would."""
    source = LocalGitSource(path, base, head, settings, config, want_words=agents is not None)
    return await run_review(source, reporter, cache=cache, agents=agents, events=events, topic=topic)


async def add_commit_words(change: Change, local: LocalDiff, env: Mapping[str, str]) -> None:
    """For the agents: the head commit's message as title and body, and the patches of the diff."""
    message = await git(
        ["log", "-1", "--format=%s%n%n%b", change.head_sha], git_dir=change.git_dir, env=env, timeout=30
    )
    change.title, _, change.body = message.decode("utf-8", "replace").partition("\n\n")
    change.patches = patches_from_diff(local.text)


def patches_from_diff(text: str) -> dict[str, str]:
    try:
        return patches_by_path(text)
    except DiffError:
        return {}
