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
from bot.github.client import GitHubClient, GitHubHTTPError
from bot.pipeline.repo_config import (
    CONFIG_PATH,
    MAX_CONFIG_BYTES,
    MAX_RULE_FILE_BYTES,
    RepoPolicy,
    parse_repo_config,
)

log = logging.getLogger(__name__)


async def read_base_file(
    gh: GitHubClient, owner: str, repo: str, path: str, ref: str, limit: int
) -> bytes | None:
    """A file's bytes at ``ref`` through the contents API; None when it does not exist there."""
    try:
        item = await gh.getitem(
            "/repos/{owner}/{repo}/contents/{+path}{?ref}",
            {"owner": owner, "repo": repo, "path": path, "ref": ref},
        )
    except GitHubHTTPError as exc:
        if exc.status == 404:
            return None
        raise
    if not isinstance(item, dict) or item.get("type") != "file":
        raise ConfigError(f"{path} is not a file")
    if int(item.get("size") or 0) > limit:
        raise ConfigError(f"{path} is larger than {limit:,} bytes")
    try:
        return base64.b64decode(item.get("content") or "")
    except (binascii.Error, ValueError):
        raise ConfigError(f"{path}: GitHub sent content that is not base64") from None


async def load_repo_policy(
    gh: GitHubClient, owner: str, repo: str, base_sha: str, defaults: ReviewSettings
) -> RepoPolicy:
    """The repository's policy at the PR's base commit (never its head)."""
    try:
        raw = await read_base_file(gh, owner, repo, CONFIG_PATH, base_sha, MAX_CONFIG_BYTES)
        if raw is None:
            return RepoPolicy(defaults)
        # Bounded, but still up to a few hundred ms of pure Python for a hostile 64 KB: off the loop.
        settings = await asyncio.to_thread(parse_repo_config, raw.decode("utf-8", "replace"), defaults)
        rule_files: dict[str, bytes] = {}
        for path in settings.semgrep_rules:
            data = await read_base_file(gh, owner, repo, path, base_sha, MAX_RULE_FILE_BYTES)
            if data is None:
                raise ConfigError(f"{CONFIG_PATH}: semgrep_rules: {path} does not exist on the base branch")
            rule_files[path] = data
        return RepoPolicy(settings, rule_files=rule_files)
    except ConfigError as exc:
        log.info("%s/%s: invalid %s: %s", owner, repo, CONFIG_PATH, exc)
        return RepoPolicy(defaults, error=str(exc))
