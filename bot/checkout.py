"""Getting the head version of the changed files out of git, without running anything from the repository.

Nothing is ever checked out: the head commit is fetched shallow and blob-less into a bare
scratch repository, then only the blobs of the changed files are fetched and written out as
plain files.  That way no hook, filter, LFS smudge or symlink from the reviewed repository
ever comes into play, and the work is bounded by the size of the PR rather than of the repo.
"""

from __future__ import annotations

import asyncio
import base64
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analyzers.process import run_bounded

GIT_OUTPUT_LIMIT = 64 * 1024 * 1024
REGULAR_MODES = {"100644", "100755"}
SKIP_REASONS = {"120000": "symlink", "160000": "submodule"}
BINARY_SNIFF_BYTES = 8000


class CheckoutError(Exception):
    """git could not give us the files; the message is safe to show (no secrets)."""


@dataclass
class Materialized:
    """The files written for analysis, and the ones left out with the reason why."""

    root: Path
    files: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def read_lines(self, path: str) -> list[str]:
        return (self.root / path).read_text(encoding="utf-8", errors="replace").splitlines()


def git_env(home: Path | None = None, token: str | None = None) -> dict[str, str]:
    """An environment that ignores every user and system git config and never prompts.

    The token travels in an ``http.extraHeader`` set through GIT_CONFIG_* variables: it is
    never part of an argument list (visible in ``ps``) nor of the remote URL (echoed in errors).
    """
    config = {
        "core.hooksPath": os.devnull,
        "core.fsmonitor": "false",
        "credential.helper": "",
        "protocol.allow": "never",
        "protocol.https.allow": "always",
        "protocol.http.allow": "always",
        "protocol.file.allow": "always",
        "filter.lfs.smudge": "",
        "filter.lfs.process": "",
        "filter.lfs.required": "false",
        "fetch.recurseSubmodules": "false",
        "gc.auto": "0",
        "maintenance.auto": "false",
    }
    if token:
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        config["http.extraHeader"] = f"Authorization: Basic {basic}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home or tempfile.gettempdir()),  # no config is read from it anyway
        "LANG": "C",
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_CONFIG_COUNT": str(len(config)),
    }
    for i, (key, value) in enumerate(config.items()):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


async def git(
    args: Sequence[str],
    *,
    git_dir: Path,
    env: Mapping[str, str],
    timeout: float,
    stdin: bytes | None = None,
    max_file_bytes: int | None = None,
    secrets: Sequence[str] = (),
) -> bytes:
    """Run one git command in ``git_dir`` and return its stdout, or raise a redacted CheckoutError."""
    argv = ["git", f"--git-dir={git_dir}", *args]
    if max_file_bytes is not None:
        # No single file git writes (a pack) may exceed the bound: a fetch cannot fill the disk.
        argv = ["prlimit", f"--fsize={max_file_bytes}", "--", *argv]
    result = await run_bounded(
        argv, cwd=git_dir, timeout=timeout, env=env, stdin=stdin, max_output=GIT_OUTPUT_LIMIT
    )
    if result.timed_out:
        raise CheckoutError(f"git {args[0]} timed out after {timeout:g} s")
    if result.returncode != 0 or result.truncated:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {result.returncode}"
        for secret in secrets:
            if secret:
                detail = detail.replace(secret, "***")
        raise CheckoutError(f"git {args[0]} failed: {detail[:300]}")
    return result.stdout


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


async def run_init(git_dir: Path, env: Mapping[str, str]) -> None:
    result = await run_bounded(
        ["git", "init", "--quiet", "--bare", str(git_dir)], timeout=30, env=env, max_output=65536
    )
    if result.returncode != 0:
        raise CheckoutError("git init failed")


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


async def cat_file(
    git_dir: Path, mode: str, oids: Sequence[str], *, env: Mapping[str, str], timeout: float
) -> bytes:
    """One ``git cat-file --batch`` or ``--batch-check`` call for many objects."""
    stdin = "".join(f"{oid}\n" for oid in oids).encode()
    return await git(["cat-file", mode], git_dir=git_dir, env=env, timeout=timeout, stdin=stdin)


async def object_sizes(
    git_dir: Path, oids: Sequence[str], *, env: Mapping[str, str], timeout: float
) -> dict[str, int]:
    out = await cat_file(git_dir, "--batch-check", oids, env=env, timeout=timeout)
    sizes: dict[str, int] = {}
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes


async def read_blobs(
    git_dir: Path, oids: Sequence[str], *, env: Mapping[str, str], timeout: float
) -> dict[str, bytes]:
    """Read many blobs in one call."""
    if not oids:
        return {}
    out = await cat_file(git_dir, "--batch", oids, env=env, timeout=timeout)
    blobs: dict[str, bytes] = {}
    pos = 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        parts = out[pos:header_end].decode().split()
        pos = header_end + 1
        if len(parts) != 3:  # "<oid> missing"
            continue
        size = int(parts[2])
        blobs[parts[0]] = out[pos : pos + size]
        pos += size + 1
    return blobs


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
            result.skipped[path] = "unsafe path"
        else:
            safe.append(path)
    tree = await list_tree(git_dir, sha, safe, env=env, timeout=timeout)
    wanted: dict[str, str] = {}
    for path in safe:
        if path not in tree:
            result.skipped[path] = "not in head commit"
            continue
        mode, oid = tree[path]
        if mode not in REGULAR_MODES:
            result.skipped[path] = SKIP_REASONS.get(mode, f"not a regular file (mode {mode})")
            continue
        wanted[path] = oid
    oids = sorted(set(wanted.values()))
    if fetch_missing and oids:
        await git(
            [
                *("-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags"),
                *(
                    "--no-write-fetch-head",
                    "--recurse-submodules=no",
                    "--filter=blob:none",
                    "--stdin",
                    "origin",
                ),
            ],
            git_dir=git_dir,
            env=env,
            timeout=timeout,
            stdin="".join(f"{oid}\n" for oid in oids).encode(),
            max_file_bytes=max(len(oids), 1) * max_file_bytes + 64 * 1024 * 1024,
        )
    sizes = await object_sizes(git_dir, oids, env=env, timeout=timeout)
    small = [oid for oid in oids if sizes.get(oid, max_file_bytes + 1) <= max_file_bytes]
    blobs = await read_blobs(git_dir, small, env=env, timeout=timeout)
    await asyncio.to_thread(write_files, result, wanted, blobs, sizes)
    return result


def write_files(
    result: Materialized, wanted: dict[str, str], blobs: dict[str, bytes], sizes: dict[str, int]
) -> None:
    """Write the fetched blobs as plain files (in a thread: many small writes would block the loop)."""
    result.root.mkdir(parents=True, exist_ok=True)
    for path, oid in sorted(wanted.items()):
        data = blobs.get(oid)
        if data is None:
            result.skipped[path] = "too large" if oid in sizes else "missing blob"
        elif b"\x00" in data[:BINARY_SNIFF_BYTES]:
            result.skipped[path] = "binary"
        else:
            write_plain_file(result.root, path, data)
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
