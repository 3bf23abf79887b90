"""Fetching and reading the blobs of a PR's changed files, each file's failure its own.

A PR author controls what is in these blobs: a file far over the size limit (incompressible,
so the pack is as large as the file) must cost that file only, not the whole review.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.pipeline.gitrun import CheckoutError, git

PACK_SLACK = 1024 * 1024  # a pack's own overhead over its objects' bytes, with room to spare
READ_BATCH_BYTES = 32 * 1024 * 1024  # blob bytes per ``cat-file --batch`` call (under GIT_OUTPUT_LIMIT)


async def cat_file(
    git_dir: Path,
    mode: str,
    oids: Sequence[str],
    *,
    env: Mapping[str, str],
    timeout: float,
    fsize: int | None = None,
) -> bytes:
    """One ``git cat-file --batch`` or ``--batch-check`` call for many objects."""
    stdin = "".join(f"{oid}\n" for oid in oids).encode()
    return await git(
        ["cat-file", mode], git_dir=git_dir, env=env, timeout=timeout, stdin=stdin, max_file_bytes=fsize
    )


async def object_sizes(
    git_dir: Path, oids: Sequence[str], *, env: Mapping[str, str], timeout: float, fsize: int | None = None
) -> dict[str, int]:
    if not oids:
        return {}
    out = await cat_file(git_dir, "--batch-check", oids, env=env, timeout=timeout, fsize=fsize)
    sizes: dict[str, int] = {}
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes


async def read_blobs(
    git_dir: Path, oids: Sequence[str], *, env: Mapping[str, str], timeout: float, fsize: int | None = None
) -> dict[str, bytes]:
    """Read many blobs in one call."""
    if not oids:
        return {}
    out = await cat_file(git_dir, "--batch", oids, env=env, timeout=timeout, fsize=fsize)
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


def size_text(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:,} bytes"


async def fetch_blobs(
    git_dir: Path, oids: Sequence[str], *, env: Mapping[str, str], timeout: float, max_file_bytes: int
) -> dict[str, str]:
    """Fetch the blobs ``oids`` from origin; return those that could not be fetched, with why.

    One fetch brings them all in the usual case. Its ``--fsize`` cap lets the pack hold
    ``len(batch)`` files of ``max_file_bytes``, no more, so one huge (say incompressible) file
    fails its whole batch: the batch is then halved until the culprit fails alone and is
    named, and the rest is fetched. All of it within ``timeout``. Only a first fetch failing
    for another reason (network, server) raises: retrying the job later may help that.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    failed: dict[str, str] = {}
    batches = [list(oids)]
    first = True
    while batches:
        batch = batches.pop()
        left = deadline - loop.time()
        if left < 1:
            failed.update(dict.fromkeys(batch, "could not be fetched in time"))
            continue
        try:
            await fetch_batch(git_dir, batch, env=env, timeout=left, max_file_bytes=max_file_bytes)
        except CheckoutError as exc:
            if first and not exc.over_size_limit:
                raise
            remove_partial_packs(git_dir)
            if not exc.over_size_limit:
                failed.update(dict.fromkeys(batch, "could not be fetched"))
            elif len(batch) == 1:
                failed[batch[0]] = f"larger than {size_text(max_file_bytes)}"
            else:
                half = len(batch) // 2
                batches += [batch[half:], batch[:half]]
        first = False
    return failed


async def fetch_batch(
    git_dir: Path, oids: Sequence[str], *, env: Mapping[str, str], timeout: float, max_file_bytes: int
) -> None:
    await git(
        [
            # Objects past bigFileThreshold are streamed by index-pack, never held whole in memory.
            *("-c", "fetch.negotiationAlgorithm=noop", "-c", f"core.bigFileThreshold={max_file_bytes}"),
            *("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no"),
            *("--filter=blob:none", "--stdin", "origin"),
        ],
        git_dir=git_dir,
        env=env,
        timeout=timeout,
        stdin="".join(f"{oid}\n" for oid in oids).encode(),
        max_file_bytes=len(oids) * max_file_bytes + PACK_SLACK,
    )


def remove_partial_packs(git_dir: Path) -> None:
    """A fetch stopped by the size cap leaves its temporary pack behind: the disk is bounded too."""
    for leftover in (git_dir / "objects" / "pack").glob("tmp_*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def batches_by_size(oids: Sequence[str], sizes: Mapping[str, int], budget: int) -> list[list[str]]:
    """``oids`` in runs of at most ``budget`` bytes (at least one object each)."""
    batches: list[list[str]] = []
    used = 0
    for oid in oids:
        if not batches or used + sizes[oid] > budget:
            batches.append([])
            used = 0
        batches[-1].append(oid)
        used += sizes[oid]
    return batches
