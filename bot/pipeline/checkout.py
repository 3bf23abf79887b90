"""Getting the head version of the changed files out of git, without running anything from the repository.

Nothing is ever checked out: the head commit is fetched shallow and blob-less into a bare
scratch repository, then only the blobs of the changed files are fetched and written out as
plain files.  That way no hook, filter, LFS smudge or symlink from the reviewed repository
ever comes into play, and the work is bounded by the size of the PR rather than of the repo.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analyzers.process import run_bounded
from bot.pipeline.blobs import (
    PACK_SLACK,
    READ_BATCH_BYTES,
    batches_by_size,
    fetch_blobs,
    object_sizes,
    read_blobs,
    size_text,
)
from bot.pipeline.gitrun import BadCommitId, CheckoutError, check_commit_id, git, git_env, run_init

__all__ = [  # the git runner's names, for the modules that import them from here
    "BadCommitId",
    "CheckoutError",
    "Materialized",
    "check_commit_id",
    "fetch_commit",
    "git",
    "git_env",
    "local_git_dir",
    "materialize",
    "safe_relative_path",
    "write_plain_file",
]

REGULAR_MODES = {"100644", "100755"}
SKIP_REASONS = {"120000": "symlink", "160000": "submodule"}
BINARY_SNIFF_BYTES = 8000


@dataclass
class Materialized:
    """The files written for analysis, and the ones left out with the reason why.

    ``skipped`` holds what is left out by design (binaries, symlinks, submodules: nothing to
    analyze); ``failed`` what should have been analyzed and could not be (too large, not
    fetchable, not writable here), which makes the review incomplete.
    """

    root: Path
    files: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def read_lines(self, path: str) -> list[str]:
        return (self.root / path).read_text(encoding="utf-8", errors="replace").splitlines()


async def fetch_commit(
    clone_url: str,
    sha: str,
    *,
    token: str | None,
    workdir: Path,
    timeout: float = 120.0,
    max_bytes: int = 512 * 1024 * 1024,
) -> tuple[Path, dict[str, str]]:
    """Fetch one commit's trees (no blobs) into a new bare repository; return it and its git env."""
    check_commit_id(sha)  # a payload value never becomes a git option or refspec unchecked
    if not clone_url.startswith(("https://", "http://")):
        raise CheckoutError("clone URL must be http(s)")
    git_dir = workdir / "repo.git"
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    env = git_env(home, token)
    secrets = [token or ""]
    await run_init(git_dir, env)
    await git(["remote", "add", "origin", clone_url], git_dir=git_dir, env=env, timeout=30, secrets=secrets)
    await git(
        ["fetch", "--quiet", "--no-tags", "--depth=1", "--filter=blob:none", "origin", sha],
        git_dir=git_dir,
        env=env,
        timeout=timeout,
        max_file_bytes=max_bytes,
        secrets=secrets,
    )
    return git_dir, env


def safe_relative_path(path: str) -> PurePosixPath | None:
    """The path if it stays inside the checkout and out of any .git folder, else None."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or "\x00" in path:
        return None
    if any(part in ("..", ".", "") or part.lower() == ".git" for part in pure.parts):
        return None
    return pure


async def list_tree(
    git_dir: Path, sha: str, paths: Sequence[str], *, env: Mapping[str, str], timeout: float
) -> dict[str, tuple[str, str]]:
    """Map each path present in the commit to (mode, object id); absent paths are left out."""
    entries: dict[str, tuple[str, str]] = {}
    wanted = set(paths)
    # ls-tree takes pathspecs; literal ones so that names with glob characters mean themselves.
    chunk = 500
    ordered = sorted(wanted)
    for start in range(0, len(ordered), chunk):
        out = await git(
            ["--literal-pathspecs", "ls-tree", "-r", "-z", sha, "--", *ordered[start : start + chunk]],
            git_dir=git_dir,
            env=env,
            timeout=timeout,
        )
        for record in out.split(b"\x00"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, _kind, oid = meta.decode().split(" ")
            path = name.decode("utf-8", "surrogateescape")
            if path in wanted:
                entries[path] = (mode, oid)
    return entries


async def materialize(
    git_dir: Path,
    sha: str,
    paths: Sequence[str],
    dest: Path,
    *,
    env: Mapping[str, str],
    fetch_missing: bool,
    max_file_bytes: int = 1024 * 1024,
    timeout: float = 120.0,
) -> Materialized:
    """Write the head version of ``paths`` under ``dest`` as plain files; say why any is left out."""
    result = Materialized(root=dest)
    safe = []
    for path in paths:
        if safe_relative_path(path) is None:
            result.failed[path] = "unsafe path"
        else:
            safe.append(path)
    tree = await list_tree(git_dir, sha, safe, env=env, timeout=timeout)
    wanted: dict[str, str] = {}
    for path in safe:
        if path not in tree:
            result.failed[path] = "not in head commit"
            continue
        mode, oid = tree[path]
        if mode not in REGULAR_MODES:
            result.skipped[path] = SKIP_REASONS.get(mode, f"not a regular file (mode {mode})")
            continue
        wanted[path] = oid
    oids = sorted(set(wanted.values()))
    unreadable: dict[str, str] = {}
    if fetch_missing and oids:
        unreadable = await fetch_blobs(git_dir, oids, env=env, timeout=timeout, max_file_bytes=max_file_bytes)
    present = [oid for oid in oids if oid not in unreadable]
    # Capped like a fetch: in a partial clone, asking for a missing object fetches it lazily.
    fsize = len(present) * max_file_bytes + PACK_SLACK
    sizes = await object_sizes(git_dir, present, env=env, timeout=timeout, fsize=fsize)
    for oid in present:
        if oid not in sizes:
            unreadable[oid] = "could not be fetched"
        elif sizes[oid] > max_file_bytes:
            unreadable[oid] = f"larger than {size_text(max_file_bytes)}"
    for path, oid in wanted.items():
        if oid in unreadable:
            result.failed[path] = unreadable[oid]
    small = [oid for oid in present if oid not in unreadable]
    for batch in batches_by_size(small, sizes, READ_BATCH_BYTES):
        blobs = await read_blobs(git_dir, batch, env=env, timeout=timeout, fsize=fsize)
        mine = {path: oid for path, oid in wanted.items() if oid in set(batch)}
        await asyncio.to_thread(write_files, result, mine, blobs)
    result.files.sort()
    return result


def write_files(result: Materialized, wanted: dict[str, str], blobs: dict[str, bytes]) -> None:
    """Write the fetched blobs as plain files (in a thread: many small writes would block the loop)."""
    result.root.mkdir(parents=True, exist_ok=True)
    for path, oid in sorted(wanted.items()):
        data = blobs.get(oid)
        if data is None:
            result.failed[path] = "could not be fetched"
        elif b"\x00" in data[:BINARY_SNIFF_BYTES]:
            result.skipped[path] = "binary"
        else:
            try:
                write_plain_file(result.root, path, data)
            except CheckoutError:
                result.failed[path] = "could not be written: a parent is not a folder"
            except OSError as exc:  # e.g. a name longer than this file system allows
                result.failed[path] = f"could not be written ({(exc.strerror or 'error').lower()})"
            else:
                result.files.append(path)


def write_plain_file(root: Path, path: str, data: bytes) -> None:
    """Create ``root/path`` as a new regular file, refusing to follow any symlink on the way."""
    target = root / path
    parent = root
    for part in PurePosixPath(path).parts[:-1]:
        parent = parent / part
        try:
            parent.mkdir()
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(parent).st_mode):
                raise CheckoutError(f"refusing to write through a non-directory: {path}") from None
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


async def local_git_dir(path: Path, *, timeout: float = 30.0) -> Path:
    """The git directory of a local repository (for the CLI); raises CheckoutError if there is none."""
    result = await run_bounded(
        ["git", "-C", str(path), "rev-parse", "--absolute-git-dir"], timeout=timeout, max_output=65536
    )
    if result.returncode != 0:
        raise CheckoutError(f"{path} is not a git repository")
    return Path(result.stdout.decode().strip())
