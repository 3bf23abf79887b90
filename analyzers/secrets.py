"""Committed secrets (private keys, cloud keys, tokens, passwords), found by Yelp's detect-secrets.

detect-secrets runs in its own process, like every other tool: it reads the reviewed files and
the bot's memory never holds a secret it found. Its report names each secret only by a hash, and
even that is left out of the findings: a finding says which kind of secret sits on which line.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from analyzers.base import Finding, PathMap, RuleDoc, Severity
from analyzers.limits import ResourceLimits
from analyzers.pool import PooledToolAnalyzer

TOOL = "detect-secrets"
CWE = "CWE-798"
DOCS = "https://github.com/Yelp/detect-secrets"
# Plugins left out, to keep false positives low:
#   Base64HighEntropyString, HexHighEntropyString  any random-looking string (hashes, lockfile
#       integrity sums, test data, UUIDs) fires: a bot that cries wolf on every PR gets muted,
#       and every real provider format is matched by a specific plugin anyway
#   IPPublicDetector  an IP address is not a credential
DISABLED_PLUGINS: tuple[str, ...] = ("Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector")
# Documentation placeholders (AWS's own AKIAIOSFODNN7EXAMPLE, "example-password"): detect-secrets
# flags them; a real key that contains "example" is vanishingly unlikely.
EXCLUDE_SECRETS = r"(?i)example"
# Kinds of secret that are guesses (a word like "password" next to a string) or often sample
# data (JWTs in tests, user:pass@ URLs in docs): a warning, not a failed check.
GUESSED_TYPES = frozenset(
    {
        "Secret Keyword",
        "Basic Auth Credentials",
        "JSON Web Token",
        "Base64 High Entropy String",
        "Hex High Entropy String",
    }
)
# Files no secret scanner reads as text; detect-secrets would skip most of them itself.
BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".bmp", ".pdf", ".zip", ".gz", ".tgz", ".bz2",
    ".xz", ".7z", ".jar", ".war", ".whl", ".so", ".dylib", ".dll", ".exe", ".bin", ".woff", ".woff2",
    ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".wav", ".pyc", ".class", ".o", ".a",
)  # fmt: skip


# detect-secrets' own filters that drop whole files by name: every lock file it knows (a private
# key in poetry.lock is still a leaked key), any extension on its "non-text" list (.lock, .sum,
# .css, .svg, .map, ...; binaries never reach it, the bot skips them itself), and any path
# containing "swagger". The secret scanner covers every changed text file.
FILE_NAME_FILTERS: tuple[str, ...] = (
    "detect_secrets.filters.heuristic.is_lock_file",
    "detect_secrets.filters.heuristic.is_non_text_file",
    "detect_secrets.filters.heuristic.is_swagger_file",
)


# `detect-secrets scan` itself, its options and its report, but the files scanned one after the
# other in this one process. Its own scan of several files uses a multiprocessing pool whose
# workers rebuild their settings with the default file filters back on (so a key in x.lock was
# missed whenever a PR changed two files), multiply the memory limit by the number of cores, and
# hang when one worker is killed (at its memory limit) instead of failing.
_SCAN_IN_ONE_PROCESS = """\
import json, sys
from detect_secrets.core import baseline
from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.main import parse_args
args = parse_args(sys.argv[1:])
found = SecretsCollection(root=args.custom_root)
for name in args.path:
    found.scan_file(name)
print(json.dumps(baseline.format_for_output(found)))
"""


def rule_id_for(secret_type: str) -> str:
    """A stable rule id from detect-secrets' type name: "AWS Access Key" -> "aws-access-key"."""
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-") or "secret"


def severity_for(secret_type: str) -> Severity:
    return "warning" if secret_type in GUESSED_TYPES else "error"


# detect-secrets' type names (not secrets themselves) that read better as their own sentence.
_WHAT: dict[str, str] = {
    "Secret Keyword": "This looks like a hard-coded password or secret",
    "Private Key": "A private key is committed here",
}


ADVICE = (
    "Anyone who can read the repository can use it, and it stays in the git history even after "
    "the line is removed: revoke or rotate it now, then load it at run time from a secret store "
    "or an environment variable (in GitHub Actions, `secrets.*`). If it is a placeholder, make "
    "that obvious (e.g. contain EXAMPLE)."
)


def message_for(secret_type: str) -> str:
    what = _WHAT.get(secret_type) or f"This looks like a real credential ({secret_type})"
    return f"{what}. {ADVICE}"


def to_finding(item: dict[str, Any], rel: str) -> Finding:
    # Only the type and the line are used: never the hashed secret, never the line's text.
    secret_type = str(item.get("type") or "Secret")
    line = int(item.get("line_number") or 1)
    return Finding(
        tool=TOOL,
        rule_id=rule_id_for(secret_type),
        severity=severity_for(secret_type),
        path=rel,
        line=line,
        end_line=line,
        message=message_for(secret_type),
        cwe=CWE,
    )


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> list[Finding]:
    """The ``results`` of detect-secrets' baseline JSON as findings, one per secret and line."""
    report = json.loads(stdout.decode("utf-8"))
    results = report.get("results") if isinstance(report, dict) else None
    if not isinstance(results, dict):
        raise ValueError("detect-secrets' report has no results object")
    mapping = PathMap(root, paths)
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for name, items in results.items():
        rel = mapping.relative(str(name))
        if rel is None:
            continue
        for item in items or []:
            finding = to_finding(item, rel)
            key = (rel, finding.line, finding.rule_id)
            if key not in seen:  # two secrets of one kind on one line: one comment is enough
                seen.add(key)
                findings.append(finding)
    return findings


def rule_doc(rule_id: str) -> RuleDoc:
    """Every kind of secret is one problem: a credential anyone with the repository can use."""
    kind = rule_id.replace("-", " ")
    return RuleDoc(
        title=f"Committed credential ({kind})",
        why=ADVICE,
        cwe=CWE,
        help_url=DOCS,
        security=True,
    )


def preload() -> None:
    """What a warm pool child imports once: detect-secrets' scanner, plugins and filters."""
    from detect_secrets.core import baseline, scan  # noqa: F401
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.secrets_collection import SecretsCollection  # noqa: F401
    from detect_secrets.main import parse_args  # noqa: F401
    from detect_secrets.transformers import get_transformers

    get_mapping_from_secret_type_to_class()
    get_transformers()


def run_as_library(args: Mapping[str, Any], out: io.TextIOBase) -> int:
    """``_SCAN_IN_ONE_PROCESS`` (the script ``SecretsAnalyzer.command()`` runs) on the same
    arguments, in this process, its JSON report to ``out``.

    detect-secrets keeps its settings (plugins, filters, their cached patterns) in globals, which
    its own ``cache_bust`` resets: once before the scan, so that nothing an earlier run configured
    is left, and once after, while this run's filters are still named in the settings, so that
    their caches are cleared too. The settings then start over from what the arguments say,
    exactly as in a fresh process.
    """
    from detect_secrets.core import baseline
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.main import parse_args
    from detect_secrets.settings import cache_bust

    cache_bust()
    try:
        parsed = parse_args(list(args["argv"]))
        found = SecretsCollection(root=parsed.custom_root)
        for name in parsed.path:
            found.scan_file(name)
        print(json.dumps(baseline.format_for_output(found)), file=out)
    finally:
        cache_bust()
    return 0


class SecretsAnalyzer(PooledToolAnalyzer):
    """Runs ``detect-secrets scan`` on the changed files, offline, with a chosen set of plugins."""

    name = TOOL
    aliases = ("secrets",)  # the friendlier name people will type
    module = "detect_secrets"
    distribution = "detect-secrets"
    information_uri = DOCS
    docs_url = DOCS
    # Generated, vendored, minified and lock files are still read: a key in them is still leaked.
    scans_skipped_files = True
    # Its stderr is left out on purpose: a traceback may quote the line holding a secret.
    quote_stderr = False

    def __init__(
        self,
        *,
        disabled_plugins: Sequence[str] = DISABLED_PLUGINS,
        exclude_secrets: str | None = EXCLUDE_SECRETS,
        honor_allowlist: bool = True,
        limits: ResourceLimits | None = None,
    ) -> None:
        super().__init__(limits=limits)
        self.disabled_plugins = tuple(disabled_plugins)
        self.exclude_secrets = exclude_secrets
        self.honor_allowlist = honor_allowlist

    def handles(self, path: str) -> bool:
        return not PurePosixPath(path).name.lower().endswith(BINARY_SUFFIXES)

    def config_key(self) -> str:
        return (
            f"disabled={','.join(self.disabled_plugins)};exclude-secrets={self.exclude_secrets};"
            f"allowlist={self.honor_allowlist};filters-off={','.join(FILE_NAME_FILTERS)}"
        )

    def command(self, paths: Sequence[str]) -> list[str]:
        # -I: the reviewed repository (the working directory) is not on sys.path.
        return [sys.executable, "-I", "-c", _SCAN_IN_ONE_PROCESS, *self.scan_args(paths)]

    def scan_args(self, paths: Sequence[str]) -> list[str]:
        # -n: never verify a secret over the network (that would send it to the provider).
        # Explicit files only: detect-secrets then neither asks git nor reads a baseline.
        argv = ["scan", "-n"]
        for plugin in self.disabled_plugins:
            argv += ["--disable-plugin", plugin]
        if self.exclude_secrets:
            argv += ["--exclude-secrets", self.exclude_secrets]
        for name in FILE_NAME_FILTERS:
            argv += ["--disable-filter", name]
        if not self.honor_allowlist:  # `# pragma: allowlist secret` comments in the code
            argv += ["--disable-filter", "detect_secrets.filters.allowlist.is_line_allowlisted"]
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        # One file that crashes detect-secrets (deep YAML: RecursionError) must not hide the
        # secrets in all the others: the template retries the batch without it.
        return self.command(files)

    def pool_args(self, files: Sequence[str]) -> dict[str, Any]:
        return {"argv": self.scan_args(files)}

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> list[Finding]:
        return parse_output(report, root, files)

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id)
