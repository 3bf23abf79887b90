"""The service's settings: the environment variables of DESIGN.md plus the optional YAML file."""

from __future__ import annotations

import os
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pathspec

from analyzers.safe_yaml import YamlLimitError, load_bounded

DEFAULT_API_URL = "https://api.github.com"
MAX_WEBHOOK_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB


class ConfigError(Exception):
    """The configuration is wrong; the message says where and how."""


@dataclass(frozen=True)
class PathRules:
    """Rule settings by path (``paths:``): gitignore-style globs, each with the rules ignored in
    the files it matches ("B101" or "bandit:B101"); every matching glob applies."""

    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def merged(self, other: PathRules) -> PathRules:
        """These entries and ``other``'s; an entry of ``other`` for the same glob replaces ours."""
        combined = dict(self.entries)
        combined.update(other.entries)
        return PathRules(tuple(combined.items()))

    def __str__(self) -> str:  # /config shows it: globs that share a rule list on one line
        grouped: dict[tuple[str, ...], list[str]] = {}
        for glob, rules in self.entries:
            grouped.setdefault(rules, []).append(glob)
        return (
            "; ".join(
                f"{', '.join(globs)}: ignore {', '.join(rules) or 'nothing'}"
                for rules, globs in grouped.items()
            )
            or "(none)"
        )


# Where tests live, in the common layouts of the languages reviewed (gitignore-style: a glob
# without a slash matches at any depth, "tests/" any directory of that name).
TEST_PATHS: tuple[str, ...] = (
    "tests/", "test/", "testing/", "__tests__/", "conftest.py", "test_*.py", "*_test.py", "*_test.go",
    "*.test.*", "*.spec.*",
)  # fmt: skip
# Rules about code that runs in production, not in a test: asserts are how tests check
# (B101, ruff B011); fixtures hold made-up passwords, keys and tokens (B105-B107, the secret
# scanner's guesses; its provider-specific detectors stay on: a real AWS key in a test is
# still leaked); tests write to /tmp (B108), draw random data (B311), call local servers
# without a timeout (B113), round-trip pickles (B301, B403) and render templates that no
# browser sees (B701, autoescape off).
TEST_ONLY_RULES: tuple[str, ...] = (
    "bandit:B101", "bandit:B105", "bandit:B106", "bandit:B107", "bandit:B108", "bandit:B113",
    "bandit:B301", "bandit:B311", "bandit:B403", "bandit:B701", "ruff:B011",
    "detect-secrets:secret-keyword", "detect-secrets:basic-auth-credentials",
    "detect-secrets:json-web-token",
)  # fmt: skip
# bandit's notes on any use of subprocess: B404 (the import), B603 (a call without a shell: the
# safe form, which is what a fix of os.system/shell=True looks like), B607 (a program found on
# PATH). None is a problem by itself; the shell forms (B602, B605) stay, and semgrep's taint
# rules follow request data into a command.
NOT_BY_DEFAULT: tuple[str, ...] = ("bandit:B404", "bandit:B603", "bandit:B607")
DEFAULT_PATH_RULES = PathRules((("*.py", NOT_BY_DEFAULT), *((glob, TEST_ONLY_RULES) for glob in TEST_PATHS)))


@dataclass(frozen=True)
class ReviewSettings:
    """How reviews behave (``review:`` in the service YAML)."""

    review_drafts: bool = False
    review_bot_prs: bool = False
    fail_on: str = "error"  # severity from which the check run concludes "failure"
    max_inline_comments: int = 30  # per review request; the rest go to the summary
    max_files: int = 300  # changed files analyzed per PR; more and the summary says so
    max_file_bytes: int = 1024 * 1024
    analyzer_timeout: float = 120.0
    # Caps of each analyzer process (analyzers/limits.py): memory it may commit, CPU time per run.
    analyzer_memory_mb: int = 1024
    analyzer_cpu_seconds: int = 60
    fetch_timeout: float = 120.0
    filter_mode: str = "added"
    # Policy a repository may change in .github/review-bot.yml (bot/pipeline/repo_config.py):
    disabled_analyzers: tuple[str, ...] = ()
    # Least severity that becomes an inline comment; notes go to the check run and the summary.
    comment_on: str = "warning"
    include: tuple[str, ...] = ()  # gitignore-style globs; empty means every file
    exclude: tuple[str, ...] = ()
    ignore_rules: tuple[str, ...] = ()  # "B101" or "bandit:B101"
    paths: PathRules = DEFAULT_PATH_RULES  # rules ignored by path; a repository's entries add to these
    semgrep_rules: tuple[str, ...] = ()  # extra rule files kept in the repository
    skip_generated: bool = True  # vendored, generated, minified and lock files
    commands_per_minute: int = 3  # costly slash-commands (/review, /ask) per PR per minute
    # The check run's conclusion when something that should have been reviewed was not (a file
    # not fetchable, an analyzer failed, the job given up): never one branch protection passes.
    incomplete_conclusion: str = "failure"  # or "action_required"


@dataclass(frozen=True)
class AnalysisSettings:
    """Analyses of a repository outside GitHub PRs (the REST API: bot/analysis/); env ANALYSIS_*."""

    # git hosts an analysis may fetch from (https only): "host" or "host:port"; empty: no URL at all
    allowed_hosts: tuple[str, ...] = ()
    # hosts also allowed over http and to resolve to loopback: a test's git server, never production
    loopback_hosts: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()  # directories whose repositories may be analysed by path
    concurrency: int = 2  # analyses running at once in one process
    max_pending: int = 100  # queued or running in one process; more and submit says busy
    timeout: float = 900.0  # seconds for one whole analysis (fetch, analyzers, agents)
    fetch_timeout: float = 120.0
    retention_seconds: int = 7 * 24 * 3600  # records and SARIF kept this long in Redis
    max_records: int = 10_000  # records kept in memory without Redis

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AnalysisSettings:
        def names(raw: str | None, sep: str = ",") -> tuple[str, ...]:
            return tuple(item.strip() for item in (raw or "").split(sep) if item.strip())

        values: dict[str, Any] = {
            "allowed_hosts": tuple(h.lower() for h in names(env.get("ANALYSIS_ALLOWED_HOSTS"))),
            "loopback_hosts": tuple(h.lower() for h in names(env.get("ANALYSIS_LOOPBACK_HOSTS"))),
            "roots": names(env.get("ANALYSIS_ROOTS"), os.pathsep),
        }
        numbers = {"concurrency": int, "max_pending": int, "timeout": float, "fetch_timeout": float,
                   "retention_seconds": int, "max_records": int}  # fmt: skip
        for key, kind in numbers.items():
            raw = env.get(f"ANALYSIS_{key.upper()}")
            if raw:
                value = _int(f"ANALYSIS_{key.upper()}", raw) if kind is int else _float(key, raw)
                if value <= 0:
                    raise ConfigError(f"ANALYSIS_{key.upper()} must be positive")
                values[key] = value
        return cls(**values)


def _float(key: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"ANALYSIS_{key.upper()} must be a number, got {raw[:20]!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything the server needs; built from the environment by ``from_env``."""

    app_id: str | None = None
    private_key: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    state_secret: str | None = field(default=None, repr=False)  # keys the PR state's MAC (pr_state.py)
    api_url: str = DEFAULT_API_URL
    redis_url: str | None = field(default=None, repr=False)
    # The review history (bot/history/): DATABASE_URL (or HISTORY_DB: a URL or a SQLite file path;
    # "off" records nothing); without either, a SQLite file in STATE_DIR (else the temp directory).
    database_url: str | None = field(default=None, repr=False)
    state_dir: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"  # LOG_FORMAT: "text" or "json" (one JSON object per line)
    host: str = "0.0.0.0"  # noqa: S104 - a server in a container listens on all interfaces
    port: int = 8080
    workers: int = 2
    # Reviews of one installation (organisation) running at once, in this process and across all
    # workers sharing Redis (0: no limit): one busy organisation cannot take every worker.
    per_installation_concurrency: int = 2
    metrics_port: int | None = None  # `review-bot worker` serves /health and /ready here (else on port)
    shutdown_grace: float = 30.0  # SIGTERM: seconds running reviews get to finish before handed back
    # The Redis queue's liveness timings (RedisQueueOptions): a SIGKILLed worker's job is taken
    # over after about heartbeat timeout + sweep interval + a few seconds.
    queue_heartbeat_interval: float = 10.0
    queue_heartbeat_timeout: int = 60
    queue_sweep_interval: int = 15
    mutation_interval: float = 1.0  # GitHub asks for a second between mutating calls
    job_attempts: int = 5
    job_retry_delay: float = 5.0  # first wait before a failed review runs again; doubles each time
    breaker_failures: int = 5  # consecutive failures that open a GitHub host's circuit
    breaker_reset: float = 60.0  # seconds the circuit stays open before one trial call
    # Unauthenticated clients of /webhook (bot/webhook_intake.py, bot/web.py's serve):
    webhook_max_bodies: int = 32  # bodies being read before their signature is checked
    webhook_max_bytes: int = 64 * 1024 * 1024  # bytes those bodies may hold in all
    webhook_read_timeout: float = 10.0  # to receive one whole body
    keepalive_timeout: float = 15.0  # idle, or still sending request headers, then closed
    max_connections: int = 1000  # the oldest connection is closed to make room for a new one
    # SERVER_REUSE_PORT: several receivers on one host share the webhook port (SO_REUSEPORT; the
    # kernel spreads connections over them). Only with REDIS_URL, where they share the queue.
    reuse_port: bool = False
    # The reconcile pass (bot/reconcile.py): on start and every this many seconds (0: never), open
    # PRs without a completed check run of ours are queued, bounded per pass.
    reconcile_interval: float = 3600.0
    reconcile_max_repos: int = 200
    reconcile_max_pulls: int = 500
    review: ReviewSettings = ReviewSettings()
    analysis: AnalysisSettings = AnalysisSettings()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        private_key = env.get("GITHUB_PRIVATE_KEY") or None
        key_path = env.get("GITHUB_PRIVATE_KEY_PATH")
        if not private_key and key_path:
            try:
                private_key = Path(key_path).read_text()
            except OSError as exc:
                raise ConfigError(
                    f"GITHUB_PRIVATE_KEY_PATH: cannot read {key_path}: {exc.strerror}"
                ) from None
        values: dict[str, Any] = {
            "app_id": env.get("GITHUB_APP_ID") or None,
            "private_key": private_key,
            "webhook_secret": env.get("GITHUB_WEBHOOK_SECRET") or None,
            "state_secret": env.get("STATE_SECRET") or None,
            "api_url": (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            "redis_url": env.get("REDIS_URL") or None,
            "database_url": env.get("DATABASE_URL") or env.get("HISTORY_DB") or None,
            "state_dir": env.get("STATE_DIR") or None,
            "log_level": (env.get("LOG_LEVEL") or "INFO").upper(),
        }
        if env.get("PORT"):
            values["port"] = _int("PORT", env["PORT"])
        log_format = (env.get("LOG_FORMAT") or "text").lower()
        if log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be text or json, not {log_format[:20]!r}")
        values["log_format"] = log_format
        if env.get("METRICS_PORT"):
            values["metrics_port"] = _int("METRICS_PORT", env["METRICS_PORT"])
        if env.get("SERVER_REUSE_PORT"):
            values["reuse_port"] = _flag("SERVER_REUSE_PORT", env["SERVER_REUSE_PORT"])
        values["analysis"] = AnalysisSettings.from_env(env)
        settings = cls(**values)
        config_path = env.get("REVIEW_BOT_CONFIG")
        if config_path:
            settings = settings.with_yaml(Path(config_path))
        return settings

    def with_yaml(self, path: Path) -> Settings:
        """Overlay the service YAML (``server``, ``review``, ``rate_limiting`` sections)."""
        try:
            data = load_bounded(path.read_text()) or {}
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        except YamlLimitError as exc:  # syntax, nesting, alias bombs, unreadable values: a short reason
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: the top level must be a mapping")
        top: dict[str, Any] = {}
        # "api" is read by bot/api/settings.py (the REST API keeps its settings beside it).
        unknown = set(data) - {"server", "review", "rate_limiting", "api"}
        if unknown:
            raise ConfigError(f"{path}: unknown section {sorted(unknown)[0]!r}")
        server = _section(
            path,
            data,
            "server",
            {
                "host": str,
                "port": int,
                "workers": int,
                "per_installation_concurrency": int,
                "shutdown_grace": float,
                "queue_heartbeat_interval": float,
                "queue_heartbeat_timeout": int,
                "queue_sweep_interval": int,
                "max_connections": int,
                "reuse_port": bool,
                "webhook_max_bodies": int,
                "webhook_max_bytes": int,
                "webhook_read_timeout": float,
                "keepalive_timeout": float,
                "reconcile_interval": float,
                "reconcile_max_repos": int,
                "reconcile_max_pulls": int,
            },
        )
        if server.get("per_installation_concurrency", 0) < 0:
            raise ConfigError(f"{path}: server.per_installation_concurrency must be 0 (no limit) or more")
        top.update(server)
        limits = _section(
            path,
            data,
            "rate_limiting",
            {
                "mutation_interval_seconds": float,
                "job_attempts": int,
                "job_retry_delay_seconds": float,
                "breaker_failures": int,
                "breaker_reset_seconds": float,
            },
        )
        for key in ("mutation_interval", "job_retry_delay", "breaker_reset"):
            if f"{key}_seconds" in limits:
                limits[key] = limits.pop(f"{key}_seconds")
        top.update(limits)
        review_types = {f.name: type(getattr(ReviewSettings(), f.name)) for f in fields(ReviewSettings)}
        review = _section(path, data, "review", review_types)
        if "paths" in review:  # added to the built-in entries (or replacing one for the same glob)
            review["paths"] = self.review.paths.merged(review["paths"])
        check_review_choices(review, f"{path}: review.")
        return replace(self, **top, review=replace(self.review, **review))

    @property
    def github_configured(self) -> bool:
        return bool(self.app_id and self.private_key and self.webhook_secret)


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw[:20]!r}")


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def _section(path: Path, data: dict[str, Any], name: str, types: dict[str, type]) -> dict[str, Any]:
    section = data.get(name) or {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: {name} must be a mapping")
    out: dict[str, Any] = {}
    for key, value in section.items():
        if key not in types:
            raise ConfigError(f"{path}: unknown key {name}.{key}")
        out[key] = coerce(value, types[key], f"{path}: {name}.{key}")
    return out


def coerce(value: Any, expected: type, where: str) -> Any:
    """``value`` as the type a setting has, or a ConfigError saying where and what was expected."""
    if expected is PathRules:
        return parse_path_rules(value, where)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if expected is tuple:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise ConfigError(f"{where} must be a list of strings, got {brief(value)}")
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(f"{where} must be {expected.__name__}, got {brief(value)}")
    return value


MAX_PATH_GLOBS = 100
MAX_GLOB_CHARS = 200
PATH_KEYS = ("ignore_rules",)


def parse_path_rules(value: Any, where: str) -> PathRules:
    """``paths:`` as PathRules: a mapping of gitignore-style globs to their settings."""
    if not isinstance(value, dict):
        raise ConfigError(
            f'{where} must map globs to settings, e.g. {{"tests/**": {{ignore_rules: [B101]}}}}'
        )
    if len(value) > MAX_PATH_GLOBS:
        raise ConfigError(f"{where}: at most {MAX_PATH_GLOBS} globs")
    entries = []
    for glob, item in value.items():
        if (
            not isinstance(glob, str)
            or not glob.strip()
            or len(glob) > MAX_GLOB_CHARS
            or not glob.isprintable()
        ):
            raise ConfigError(
                f"{where}: {brief(glob)} is not a glob (a line of at most {MAX_GLOB_CHARS} characters)"
            )
        try:
            pathspec.GitIgnoreSpec.from_lines([glob])
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{where}: {brief(glob)} is not a valid glob: {brief(str(exc))}") from None
        if not isinstance(item, dict):
            raise ConfigError(f"{where}.{brief(glob)} must be a mapping, e.g. {{ignore_rules: [B101]}}")
        for key in item:
            if key not in PATH_KEYS:
                raise ConfigError(
                    f"{where}.{brief(glob)}: unknown key {brief(key)} (known: {', '.join(PATH_KEYS)})"
                )
        rules = coerce(item.get("ignore_rules", []), tuple, f"{where}.{brief(glob)}.ignore_rules")
        entries.append((glob, rules))
    return PathRules(tuple(entries))


_BRIEF = reprlib.Repr()
_BRIEF.maxlevel, _BRIEF.maxlist, _BRIEF.maxtuple, _BRIEF.maxdict, _BRIEF.maxset = 2, 4, 4, 4, 4
_BRIEF.maxstring, _BRIEF.maxother = 60, 60


def brief(value: Any, limit: int = 80) -> str:
    """A short repr for an error message: it never walks (or prints) a whole large value, such
    as an alias bomb's expansion, and never turns a huge integer into its digits."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of {value.bit_length()} bits"
    try:
        text = _BRIEF.repr(value)
    except ValueError:  # a huge integer inside a list
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


MAX_SETTING = 10**12
REVIEW_CHOICES = {
    "fail_on": ("error", "warning", "note", "never"),
    "comment_on": ("error", "warning", "note"),
    "filter_mode": ("added", "diff_context", "file", "nofilter"),
    "incomplete_conclusion": ("failure", "action_required"),
}


def check_review_choices(review: dict[str, Any], where: str) -> None:
    for key, choices in REVIEW_CHOICES.items():
        if key in review and review[key] not in choices:
            raise ConfigError(f"{where}{key} must be one of {', '.join(choices)}, got {brief(review[key])}")
    for key in ("max_inline_comments", "max_files", "max_file_bytes", "commands_per_minute",
                "analyzer_memory_mb", "analyzer_cpu_seconds"):  # fmt: skip
        if key in review and review[key] < 1:
            raise ConfigError(f"{where}{key} must be at least 1")
        if key in review and review[key] > MAX_SETTING:  # a 5,000-digit number is not a setting
            raise ConfigError(f"{where}{key} must be at most {MAX_SETTING:,}")
