"""The REST API's source: base..head of a repository named by URL or by a path under a root.

The repository is fetched the way a PR head is (bot/pipeline/checkout.py): into a new bare
scratch repository in the review's workdir, commits and trees only (``--filter=blob:none``) of
just the two refs, then the blobs of the changed files, each git call with an argument list, a
timeout, bounded output and a ``prlimit --fsize`` cap; nothing is checked out, so no hook,
filter, LFS smudge or submodule of the repository ever runs. Two environments: the fetching one
knows the remote (pinned to the addresses bot/analysis/targets.py checked, redirects refused);
the reading one does not, so a missing object is an error, never an uncapped lazy fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analyzers.diff import parse_unified_diff
from bot.analysis.targets import Target, literal_address
from bot.config import ReviewSettings
from bot.pipeline.blobs import fetch_blobs
from bot.pipeline.checkout import CheckoutError, git, git_env
from bot.pipeline.gitrun import run_init
from bot.pipeline.local import add_commit_words, incomplete_from_source, merge_base, short
from bot.pipeline.local_diff import DIFF_ARGS, LocalDiff, read_local_diff
from bot.pipeline.repo_config import (
    CONFIG_PATH,
    MAX_CONFIG_BYTES,
    MAX_RULE_FILE_BYTES,
    RepoPolicy,
    load_local_policy,
)
from bot.pipeline.run import Change
from bot.text.printable import printable

ZERO = {"0" * 40, "0" * 64}
BASE_REF, HEAD_REF = "refs/analysis/base", "refs/analysis/head"


def analysis_env(home: Path, target: Target, *, fetching: bool) -> dict[str, str]:
    """git_env narrowed to this target's transport; ``fetching`` adds the remote itself."""
    env = git_env(home)
    http = target.kind == "url" and target.location.lower().startswith("http://") and target.loopback
    extra = {
        # Later GIT_CONFIG_* entries win: only the transport this target needs stays allowed.
        "protocol.file.allow": "always" if target.kind == "path" else "never",
        "protocol.http.allow": "always" if http else "never",
        "protocol.https.allow": "always" if target.kind == "url" else "never",
        "http.followRedirects": "false",
        "submodule.recurse": "false",
        "core.symlinks": "false",
        # A local path's upload-pack runs as our child and reads these too (partial fetch, any sha).
        "uploadpack.allowFilter": "true",
        "uploadpack.allowAnySHA1InWant": "true",
    }
    if target.kind == "url" and target.addresses and literal_address(target.host) is None:
        addresses = ",".join(f"[{a}]" if ":" in a else a for a in target.addresses)
        extra["http.curloptResolve"] = f"{target.host.strip('[]')}:{target.port}:{addresses}"
    if fetching:
        extra["remote.origin.url"] = target.location
    count = int(env["GIT_CONFIG_COUNT"])
    for i, (key, value) in enumerate(extra.items(), start=count):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    env["GIT_CONFIG_COUNT"] = str(count + len(extra))
    env["GIT_PROTOCOL_FROM_USER"] = "0"  # "user" transports (ext::, fd::) are never allowed
    return env


async def changed_blobs(
    git_dir: Path, fork: str, head: str, *, env: Mapping[str, str], timeout: float
) -> dict[str, tuple[str, str]]:
    """path -> (old blob, new blob) of the files ``head`` changes; trees only, no blob needed."""
    out = await git(
        ["diff", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-relative", fork, head, "--"],
        git_dir=git_dir,
        env=env,
        timeout=timeout,
    )
    fields = out.split(b"\x00")
    changed: dict[str, tuple[str, str]] = {}
    for meta, name in zip(fields[0::2], fields[1::2], strict=False):
        parts = meta.decode("ascii", "replace").split()
        if len(parts) >= 4 and parts[0].startswith(":"):
            changed[name.decode("utf-8", "surrogateescape")] = (parts[2], parts[3])
    return changed


async def tree_blob(git_dir: Path, commit: str, path: str, env: Mapping[str, str]) -> str | None:
    out = await git(
        ["--literal-pathspecs", "ls-tree", "-z", commit, "--", path], git_dir=git_dir, env=env, timeout=30
    )
    meta = out.split(b"\t", 1)[0].decode("ascii", "replace").split()
    return meta[2] if len(meta) == 3 and meta[1] == "blob" else None


@dataclass
class RepositorySource:
    """``head``'s commits not in ``base`` of a checked target; the policy from ``base``."""

    target: Target
    base: str
    head: str
    settings: ReviewSettings
    fetch_timeout: float = 120.0
    max_fetch_bytes: int = 512 * 1024 * 1024
    want_words: bool = False

    async def open(self, workdir: Path) -> Change:
        git_dir, home = workdir / "repo.git", workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        fetch_env = analysis_env(home, self.target, fetching=True)
        read_env = analysis_env(home, self.target, fetching=False)
        await run_init(git_dir, read_env)
        await git(
            [
                *("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no"),
                *("--filter=blob:none", "--no-auto-maintenance", "origin"),
                f"+{self.base}:{BASE_REF}",
                f"+{self.head}:{HEAD_REF}",
            ],
            git_dir=git_dir,
            env=fetch_env,
            timeout=self.fetch_timeout,
            max_file_bytes=self.max_fetch_bytes,
        )
        base_sha = await self.commit(git_dir, BASE_REF, "base", read_env)
        head_sha = await self.commit(git_dir, HEAD_REF, "head", read_env)
        names = f"{printable(self.base)!r} and {printable(self.head)!r}"
        fork = await merge_base(git_dir, base_sha, head_sha, env=read_env, names=names)
        policy = await self.policy(git_dir, base_sha, fetch_env, read_env)
        changed = await changed_blobs(git_dir, fork, head_sha, env=read_env, timeout=self.fetch_timeout)
        oids = sorted({oid for pair in changed.values() for oid in pair} - ZERO)
        failed = {}
        if oids:
            failed = await fetch_blobs(
                git_dir,
                oids,
                env=fetch_env,
                timeout=self.fetch_timeout,
                max_file_bytes=policy.settings.max_file_bytes,
            )
        unread = {path: why for path, pair in changed.items() for oid in pair if (why := failed.get(oid))}
        local = await self.diff(git_dir, fork, head_sha, unread, read_env)
        change = Change(
            git_dir=git_dir,
            head_sha=head_sha,
            diffs=local.diffs,
            policy=policy,
            env=fetch_env,
            fetch_missing=True,
            scope=f"{printable(self.base)} ({short(base_sha)})..{printable(self.head)} ({short(head_sha)})",
        )
        incomplete_from_source(change, policy, local)
        if unread:
            change.skipped.update(unread)
            change.incomplete.append(
                f"{len(unread)} changed file(s) could not be fetched (listed as skipped)."
            )
        if self.target.kind == "url" and self.target.location.startswith("https://"):
            change.repo_url = self.target.location.removesuffix(".git")
        if self.want_words:
            await add_commit_words(change, local, read_env)
        return change

    @staticmethod
    async def commit(git_dir: Path, ref: str, what: str, env: Mapping[str, str]) -> str:
        try:
            out = await git(
                ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                git_dir=git_dir,
                env=env,
                timeout=30,
            )
        except CheckoutError:
            raise CheckoutError(f"the {what} ref does not name a commit") from None
        return out.decode().strip()

    async def policy(
        self, git_dir: Path, base_sha: str, fetch_env: Mapping[str, str], read_env: Mapping[str, str]
    ) -> RepoPolicy:
        """.github/review-bot.yml (and its semgrep rule files) as on the base commit, fetched capped;
        one that cannot be fetched is an error in the policy, never silently the defaults."""
        oid = await tree_blob(git_dir, base_sha, CONFIG_PATH, read_env)
        if oid is None:
            return RepoPolicy(self.settings)
        failed = await fetch_blobs(
            git_dir, [oid], env=fetch_env, timeout=self.fetch_timeout, max_file_bytes=MAX_CONFIG_BYTES
        )
        if failed:
            return RepoPolicy(self.settings, error=f"{CONFIG_PATH}: {failed[oid]}")
        policy = await load_local_policy(git_dir, base_sha, read_env, self.settings)
        rules = [
            oid
            for path in policy.settings.semgrep_rules
            if (oid := await tree_blob(git_dir, base_sha, path, read_env)) is not None
        ]
        if rules:
            failed = await fetch_blobs(
                git_dir, rules, env=fetch_env, timeout=self.fetch_timeout, max_file_bytes=MAX_RULE_FILE_BYTES
            )
            if failed:
                why = next(iter(failed.values()))
                return RepoPolicy(self.settings, error=f"{CONFIG_PATH}: a semgrep rule file: {why}")
            policy = await load_local_policy(git_dir, base_sha, read_env, self.settings)
        return policy

    async def diff(
        self, git_dir: Path, fork: str, head: str, unread: Mapping[str, str], env: Mapping[str, str]
    ) -> LocalDiff:
        if not unread:
            return await read_local_diff(git_dir, fork, head, env=env, timeout=self.fetch_timeout)
        # Files whose blobs could not be fetched are left out of the diff (git would need them).
        excludes = [f":(exclude,literal){path}" for path in unread]
        out = await git(
            [*DIFF_ARGS, fork, head, "--", ".", *excludes],
            git_dir=git_dir,
            env=env,
            timeout=self.fetch_timeout,
        )
        text = out.decode("utf-8", "surrogateescape")
        return LocalDiff(parse_unified_diff(text), text)
