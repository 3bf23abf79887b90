"""Results cached per (file path and content, analyzer, its version, its configuration).

A push that changes one file of a twenty-file PR re-analyzes that one file. The cache is an
interface of two async calls on bytes, so a Redis layer can stand in for the in-process one
(cachetools) without the runner knowing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cachetools import TTLCache

from analyzers.base import Analyzer, AnalyzerResult, Finding, run_analyzers
from analyzers.batch import cap_findings

DEFAULT_ITEMS = 50_000
DEFAULT_TTL = 7 * 24 * 3600
DEFAULT_BYTES = 128 * 1024 * 1024
# One file's findings bigger than this are not worth keeping: such a file is rare, and an entry
# that size would push hundreds of ordinary ones out.
DEFAULT_ENTRY_BYTES = 1024 * 1024


class AnalysisCache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes) -> None: ...


class MemoryCache:
    """The in-process cache: bounded in bytes, in items and in age; no entry above a size.

    cachetools bounds one measure: each entry costs its bytes (key and value), but never less
    than ``max_bytes / maxsize``, so both the bytes and the number of entries stay bounded.
    """

    def __init__(
        self,
        maxsize: int = DEFAULT_ITEMS,
        ttl: float = DEFAULT_TTL,
        *,
        max_bytes: int = DEFAULT_BYTES,
        max_entry_bytes: int = DEFAULT_ENTRY_BYTES,
    ) -> None:
        slot = max(1, max_bytes // max(1, maxsize))
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._items: TTLCache[str, tuple[str, bytes]] = TTLCache(
            max_bytes, ttl, getsizeof=lambda item: max(slot, len(item[0]) + len(item[1]))
        )
        self.hits = 0
        self.misses = 0

    async def get(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self.hits += 1
        return item[1]

    async def set(self, key: str, value: bytes) -> None:
        if len(key) + len(value) > self.max_entry_bytes:
            self._items.pop(key, None)  # an older, smaller answer for this key is stale now
            return
        self._items[key] = (key, value)

    @property
    def size_bytes(self) -> int:
        """What the entries cost against ``max_bytes``."""
        return int(self._items.currsize)

    def __len__(self) -> int:
        return len(self._items)


def file_digests(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """sha256 of each file's path and content: some rules depend on a file's name or folder."""
    return {
        path: hashlib.sha256(
            path.encode("utf-8", "surrogateescape") + b"\0" + (root / path).read_bytes()
        ).hexdigest()
        for path in paths
    }


def cache_key(digest: str, tool: str, version: str, config: str) -> str:
    config_digest = hashlib.sha256(config.encode()).hexdigest()[:16]
    return f"review-bot:analysis:v1:{tool}:{version}:{config_digest}:{digest}"


@dataclass
class OnlyThese:
    """An analyzer narrowed to the files the cache could not answer for."""

    inner: Analyzer
    paths: frozenset[str]

    @property
    def name(self) -> str:
        return self.inner.name

    def handles(self, path: str) -> bool:
        return path in self.paths

    async def version(self) -> str | None:
        return await self.inner.version()

    def config_key(self) -> str:
        return self.inner.config_key()

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        return await self.inner.run(root, paths, timeout=timeout)


async def run_cached(
    root: Path,
    paths: Sequence[str],
    analyzers: Sequence[Analyzer],
    *,
    cache: AnalysisCache | None,
    timeout: float = 120.0,
    keep: Callable[[list[Finding]], list[Finding]] | None = None,
) -> list[AnalyzerResult]:
    """run_analyzers, answering from the cache what it can and caching what clean runs found.

    The findings of each tool are then narrowed to those ``keep`` keeps (the caller's policy:
    what it would drop anyway must not count against the caps, nor make a review incomplete)
    and capped (per file and in all), cached ones included. The cache holds them all.
    """
    if cache is None:
        results = await run_analyzers(root, paths, analyzers, timeout=timeout)
        for result in results:
            _keep_and_cap(result, keep)
        return results
    digests = await asyncio.to_thread(file_digests, root, paths)
    cached: dict[str, list[Finding]] = {}
    keys: dict[tuple[str, str], str] = {}
    narrowed: list[Analyzer] = []
    for analyzer in analyzers:
        mine = [p for p in paths if analyzer.handles(p)]
        version = await analyzer.version()
        if version is None:  # unknown version: results cannot be trusted across upgrades
            narrowed.append(analyzer)
            continue
        config = analyzer.config_key()
        misses: set[str] = set()
        hits: list[Finding] = []
        for path in mine:
            key = cache_key(digests[path], analyzer.name, version, config)
            keys[analyzer.name, path] = key
            raw = await cache.get(key)
            if raw is None:
                misses.add(path)
            else:
                hits.extend(Finding.from_dict({**item, "path": path}) for item in json.loads(raw))
        cached[analyzer.name] = hits
        narrowed.append(OnlyThese(analyzer, frozenset(misses)))
    results = await run_analyzers(root, paths, narrowed, timeout=timeout)
    for analyzer, result in zip(narrowed, results, strict=True):
        if isinstance(analyzer, OnlyThese) and result.error is None:
            await store(cache, keys, result, analyzer.paths)
        result.findings.extend(cached.get(result.tool, []))
        if result.version is None and isinstance(analyzer, OnlyThese):
            result.version = await analyzer.version()
        _keep_and_cap(result, keep)
    return results


def _keep_and_cap(result: AnalyzerResult, keep: Callable[[list[Finding]], list[Finding]] | None) -> None:
    if keep is not None:
        result.findings = keep(result.findings)
    cap_findings(result)


async def store(
    cache: AnalysisCache, keys: dict[tuple[str, str], str], result: AnalyzerResult, paths: frozenset[str]
) -> None:
    """Cache each analyzed file's findings (none is an answer too), unless the tool had trouble with it."""
    by_path: dict[str, list[dict[str, object]]] = {path: [] for path in paths}
    for finding in result.findings:
        if finding.path in by_path:
            by_path[finding.path].append(finding.to_dict())
    troubled = {path for path in paths for notice in result.notices if path in notice}
    troubled |= set(result.not_analyzed)
    troubled |= set(result.coupled)  # their findings hang on other files too: never cached alone
    # A file whose findings the tool itself capped: its cached answer would lose the cap's note.
    troubled |= {path for path in paths for note in result.capped if repr(path) in note}
    for path, items in by_path.items():
        if path not in troubled:
            await cache.set(keys[result.tool, path], json.dumps(items).encode())
