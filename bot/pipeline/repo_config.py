"""Per-repository configuration: ``.github/review-bot.yml``, always read from the base branch.

A pull request must not be able to switch its own review off, so the App reads this file (and
any extra semgrep rule files it names) through the contents API at the base commit, never from
the PR head. Invalid configuration is reported on the PR and the review runs with the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzers.registry import analyzer_aliases, analyzer_names
from analyzers.safe_yaml import YamlLimitError, load_bounded
from bot.config import ConfigError, PathRules, ReviewSettings, brief, check_review_choices, coerce
from bot.pipeline.checkout import CheckoutError, git

CONFIG_PATH = ".github/review-bot.yml"
MAX_CONFIG_BYTES = 64 * 1024
MAX_RULE_FILES = 20
MAX_RULE_FILE_BYTES = 1024 * 1024

# key in the YAML file -> (field of ReviewSettings, type)
KEYS: dict[str, tuple[str, type]] = {
    "filter_mode": ("filter_mode", str),
    "fail_on": ("fail_on", str),
    "comment_on": ("comment_on", str),
    "include": ("include", tuple),
    "exclude": ("exclude", tuple),
    "ignore_rules": ("ignore_rules", tuple),
    "paths": ("paths", PathRules),  # {glob: {ignore_rules: [...]}}, added to the built-in entries
    "max_inline_comments": ("max_inline_comments", int),
    "semgrep_rules": ("semgrep_rules", tuple),
    "skip_generated": ("skip_generated", bool),
    "incomplete_conclusion": ("incomplete_conclusion", str),
}


@dataclass
class RepoPolicy:
    """The review settings in effect for one repository, and what went wrong reading them."""

    settings: ReviewSettings
    error: str | None = None
    rule_files: dict[str, bytes] = field(default_factory=dict)  # extra semgrep rules, by repo path


def parse_repo_config(text: str, base: ReviewSettings, source: str = CONFIG_PATH) -> ReviewSettings:
    """``base`` with the file's settings applied; ConfigError names the file and the key.

    The file is the repository's, so it is loaded within bounds (no alias bomb, deep nesting or
    giant number gets through) and no message ever shows more than a short excerpt of a value.
    """
    try:
        data = load_bounded(text, max_bytes=MAX_CONFIG_BYTES)
    except YamlLimitError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if data is None:
        return base
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of settings")
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "analyzers":
            changes["disabled_analyzers"] = disabled_analyzers(value, source)
        elif key in KEYS:
            name, expected = KEYS[key]
            changes[name] = coerce(value, expected, f"{source}: {key}")
        else:
            known = ", ".join(["analyzers", *KEYS])
            raise ConfigError(f"{source}: unknown key {brief(key)} (known keys: {known})")
    check_review_choices(changes, f"{source}: ")
    if "paths" in changes:  # a glob the defaults also name replaces their entry (e.g. to switch it off)
        changes["paths"] = base.paths.merged(changes["paths"])
    for path in changes.get("semgrep_rules", ()):
        if path.startswith("/") or ".." in path.split("/"):
            raise ConfigError(f"{source}: semgrep_rules: {brief(path)} must be a path inside the repository")
    if len(changes.get("semgrep_rules", ())) > MAX_RULE_FILES:
        raise ConfigError(f"{source}: semgrep_rules: at most {MAX_RULE_FILES} files")
    return replace(base, **changes)


def disabled_analyzers(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: analyzers must map analyzer names to true or false")
    off = []
    names, aliases = analyzer_names(), analyzer_aliases()  # each analyzer declares its own
    for name, enabled in value.items():
        name = aliases.get(name, name) if isinstance(name, str) else name
        if name not in names:
            label = name if isinstance(name, str) and len(name) <= 60 and name.isprintable() else brief(name)
            known = ", ".join(names)
            raise ConfigError(f"{source}: analyzers.{label}: unknown analyzer (known: {known})")
        if not isinstance(enabled, bool):
            raise ConfigError(f"{source}: analyzers.{name} must be true or false, got {brief(enabled)}")
        if not enabled:
            off.append(name)
    return tuple(off)


def load_policy_file(config: Path, repo: Path, defaults: ReviewSettings) -> RepoPolicy:
    """The CLI's ``--config FILE``: its errors are the user's to fix now, so they raise."""
    try:
        with config.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # never more than the limit in memory
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{config}: cannot read: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{config}: not UTF-8 text") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{config}: larger than {MAX_CONFIG_BYTES:,} bytes")
    settings = parse_repo_config(text, defaults, source=str(config))
    rule_files: dict[str, bytes] = {}
    for path in settings.semgrep_rules:
        try:
            rule_files[path] = (repo / path).read_bytes()
        except OSError:
            raise ConfigError(f"{config}: semgrep_rules: cannot read {path} in {repo}") from None
    return RepoPolicy(settings, rule_files=rule_files)


async def load_local_policy(
    git_dir: Path, base_sha: str, env: Mapping[str, str], defaults: ReviewSettings
) -> RepoPolicy:
    """The repository's policy at the base commit of a local review, read through git."""

    async def show(path: str, limit: int) -> bytes | None:
        """The file at the base commit, None when it is not there; ConfigError when too large."""
        spec = f"{base_sha}:{path}"
        try:
            size = int(await git(["cat-file", "-s", spec], git_dir=git_dir, env=env, timeout=30))
        except (CheckoutError, ValueError):
            return None
        if size > limit:
            raise ConfigError(f"{path} is larger than {limit:,} bytes")
        return await git(["cat-file", "blob", spec], git_dir=git_dir, env=env, timeout=30)

    try:
        raw = await show(CONFIG_PATH, MAX_CONFIG_BYTES)
        if raw is None:
            return RepoPolicy(defaults)
        settings = parse_repo_config(raw.decode("utf-8", "replace"), defaults)
        rule_files = {}
        for path in settings.semgrep_rules:
            data = await show(path, MAX_RULE_FILE_BYTES)
            if data is None:
                raise ConfigError(f"{CONFIG_PATH}: semgrep_rules: {path} does not exist at the base commit")
            rule_files[path] = data
    except (ConfigError, CheckoutError) as exc:
        return RepoPolicy(defaults, error=str(exc))
    return RepoPolicy(settings, rule_files=rule_files)
