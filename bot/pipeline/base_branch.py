"""The repository's policy as it is on the PR's base commit, read through the contents API.

Apart from bot/pipeline/repo_config.py so that the CLI, which reads the same file through git, does not
load the HTTP client at all.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging

from bot.config import ConfigError, ReviewSettings
from bot.github.pull_request import PullRequest
from bot.pipeline.repo_config import (
    CONFIG_PATH,
    MAX_CONFIG_BYTES,
    MAX_RULE_FILE_BYTES,
    RepoPolicy,
    parse_repo_config,
)

log = logging.getLogger(__name__)


async def read_base_file(pr: PullRequest, path: str, ref: str, limit: int) -> bytes | None:
    """A file's bytes at ``ref`` through the contents API; None when it does not exist there."""
    item = await pr.contents(path, ref)
    if item is None:
        return None
    if not isinstance(item, dict) or item.get("type") != "file":
        raise ConfigError(f"{path} is not a file")
    if int(item.get("size") or 0) > limit:
        raise ConfigError(f"{path} is larger than {limit:,} bytes")
    try:
        return base64.b64decode(item.get("content") or "")
    except (binascii.Error, ValueError):
        raise ConfigError(f"{path}: GitHub sent content that is not base64") from None


async def load_repo_policy(pr: PullRequest, base_sha: str, defaults: ReviewSettings) -> RepoPolicy:
    """The repository's policy at the PR's base commit (never its head)."""
    try:
        raw = await read_base_file(pr, CONFIG_PATH, base_sha, MAX_CONFIG_BYTES)
        if raw is None:
            return RepoPolicy(defaults)
        # Bounded, but still up to a few hundred ms of pure Python for a hostile 64 KB: off the loop.
        settings = await asyncio.to_thread(parse_repo_config, raw.decode("utf-8", "replace"), defaults)
        rule_files: dict[str, bytes] = {}
        for path in settings.semgrep_rules:
            data = await read_base_file(pr, path, base_sha, MAX_RULE_FILE_BYTES)
            if data is None:
                raise ConfigError(f"{CONFIG_PATH}: semgrep_rules: {path} does not exist on the base branch")
            rule_files[path] = data
        return RepoPolicy(settings, rule_files=rule_files)
    except ConfigError as exc:
        log.info("%s: invalid %s: %s", pr.where, CONFIG_PATH, exc)
        return RepoPolicy(defaults, error=str(exc))
