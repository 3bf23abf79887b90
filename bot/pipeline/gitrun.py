"""Running git on the bot's behalf: an environment that reads no config and never prompts, every
call bounded in time, output and (optionally) the size of any file it writes, errors redacted.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from analyzers.process import run_bounded

GIT_OUTPUT_LIMIT = 64 * 1024 * 1024
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256
# git reports a child (index-pack) killed by the --fsize cap as "died of signal 25" (SIGXFSZ).
_OVER_SIZE = re.compile(rf"died of signal {int(signal.SIGXFSZ)}\b|File size limit exceeded")


class CheckoutError(Exception):
    """git could not give us the files; the message is safe to show (no secrets).

    ``over_size_limit``: git was stopped by the ``--fsize`` cap, so what it fetched was too large.
    """

    def __init__(self, message: str, *, over_size_limit: bool = False) -> None:
        super().__init__(message)
        self.over_size_limit = over_size_limit


class BadCommitId(CheckoutError):
    """Not a full commit sha: it never reaches a git argument list, and retrying cannot help."""


def check_commit_id(sha: str) -> str:
    """``sha`` when it is a full lowercase SHA-1 or SHA-256 commit id, else BadCommitId."""
    if not isinstance(sha, str) or not COMMIT_ID.fullmatch(sha):
        raise BadCommitId("the head commit id is not a 40- or 64-digit hexadecimal sha")
    return sha


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
    command = next((a for a, b in zip(args, ["", *args], strict=False) if a[:1] != "-" and b != "-c"), "")
    if result.timed_out:
        raise CheckoutError(f"git {command} timed out after {timeout:g} s")
    if result.truncated:  # the subcommand, not "-c": say which and why
        raise CheckoutError(f"git {command} printed more than {GIT_OUTPUT_LIMIT // (1024 * 1024)} MB")
    if result.returncode != 0 or result.truncated:
        stderr = result.stderr.decode("utf-8", "replace")
        message = stderr.strip().splitlines()
        detail = message[-1] if message else f"exit status {result.returncode}"
        for secret in secrets:
            if secret:
                detail = detail.replace(secret, "***")
        over = max_file_bytes is not None and (
            result.returncode == -signal.SIGXFSZ or _OVER_SIZE.search(stderr) is not None
        )
        raise CheckoutError(f"git {command} failed: {detail[:300]}", over_size_limit=over)
    return result.stdout


async def run_init(git_dir: Path, env: Mapping[str, str]) -> None:
    result = await run_bounded(
        ["git", "init", "--quiet", "--bare", str(git_dir)], timeout=30, env=env, max_output=65536
    )
    if result.returncode != 0:
        raise CheckoutError("git init failed")
