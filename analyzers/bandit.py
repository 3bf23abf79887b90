"""Bandit, the security linter, run on the changed Python files."""

from __future__ import annotations

import functools
import importlib.util
import inspect
import io
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzers.base import Finding, PathMap, RuleDoc, Severity
from analyzers.limits import ResourceLimits
from analyzers.pool import PooledToolAnalyzer
from analyzers.process import run_small

TOOL = "bandit"
DOCS = "https://bandit.readthedocs.io/en/latest/plugins/index.html"
_BY_SEVERITY: dict[str, Severity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "note"}
_LOWER: dict[Severity, Severity] = {"error": "warning", "warning": "note", "note": "note"}


def severity_for(issue_severity: str, issue_confidence: str) -> Severity:
    """Bandit's severity, one step lower when bandit itself has low confidence.

    A LOW-confidence result is, by bandit's own account, probably a false positive:
    it should not be what fails a check run, but it is still worth a mention.
    """
    severity = _BY_SEVERITY.get(issue_severity.upper(), "warning")
    if issue_confidence.upper() == "LOW":
        severity = _LOWER[severity]
    return severity


def cwe_of(item: dict[str, Any]) -> str | None:
    cwe = item.get("issue_cwe") or {}
    cwe_id = cwe.get("id") if isinstance(cwe, dict) else None
    return f"CWE-{cwe_id}" if cwe_id else None


# Rules whose message quotes the suspected credential itself: the value must never reach a
# comment, a log or a fingerprint (the same rule as for detect-secrets' findings).
QUOTES_A_SECRET = frozenset({"B105", "B106", "B107"})


def message_for(item: dict[str, Any]) -> str:
    text = str(item.get("issue_text") or item.get("test_name") or "bandit issue").strip()
    if item.get("test_id") in QUOTES_A_SECRET:
        text = "Possible hardcoded password: a literal string is used as a password or secret"
    if cwe := cwe_of(item):
        text += f" ({cwe})"
    if str(item.get("issue_confidence") or "").upper() == "LOW":
        text += " (low confidence)"  # says why the severity was lowered
    return text


def to_finding(item: dict[str, Any], rel: str) -> Finding:
    line = int(item.get("line_number") or 1)
    line_range = [int(n) for n in item.get("line_range") or [] if isinstance(n, int)]
    col = item.get("col_offset")
    return Finding(
        tool=TOOL,
        rule_id=str(item.get("test_id") or "B000"),
        severity=severity_for(str(item.get("issue_severity") or ""), str(item.get("issue_confidence") or "")),
        path=rel,
        line=min([line, *line_range]),
        end_line=max([line, *line_range]),
        message=message_for(item),
        column=col + 1 if isinstance(col, int) else None,  # bandit counts columns from 0
        help_url=item.get("more_info") or None,
        cwe=cwe_of(item),
    )


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> tuple[list[Finding], list[str]]:
    """Findings, and one notice per file bandit could not analyze (a syntax error, say)."""
    report = json.loads(stdout.decode("utf-8"))
    if not isinstance(report, dict):
        raise ValueError("bandit's JSON report is not an object")
    mapping = PathMap(root, paths)
    findings: list[Finding] = []
    for item in report.get("results") or []:
        rel = mapping.relative(str(item.get("filename") or ""))
        if rel is not None:
            findings.append(to_finding(item, rel))
    notices = []
    for error in report.get("errors") or []:
        name = str(error.get("filename") or "")
        rel = mapping.relative(name) or name
        notices.append(f"bandit could not analyze {rel}: {error.get('reason') or 'unknown reason'}")
    return findings, notices


# bandit's own documentation of its tests, read by a short child process (bandit's plugin loader
# costs ~17 MB and 0.25 s: the bot's process need not keep it), once per process.
_DUMP_DOCS = """\
import json, sys
from bandit.core import docs_utils, extension_loader
docs = {}
for tid, plugin in extension_loader.MANAGER.plugins_by_id.items():
    func = plugin.plugin
    text = func.__doc__ or getattr(sys.modules.get(func.__module__), "__doc__", "") or ""
    docs[tid] = {"name": plugin.name, "doc": text, "url": docs_utils.get_url(tid)}
for tid, entry in extension_loader.MANAGER.blacklist_by_id.items():
    docs[tid] = {"name": entry["name"], "doc": entry["message"], "cwe": entry.get("cwe"),
                 "url": docs_utils.get_url(tid), "blacklist": True}
print(json.dumps(docs))
"""
_TITLE = re.compile(r"^\**(B\d+): (.+?)\**$")
# Where the description of a test ends in its docstring: options, examples, links, directives.
_END = re.compile(r"^(?:\*\*|:|\.\. |>>|See also|Please see)")
_UNDERLINE = re.compile(r"[=-]{3,}")
MAX_WHY_CHARS = 1200


@functools.cache
def bandit_docs() -> dict[str, dict[str, Any]]:
    """bandit's tests by id: name, docstring, documentation URL (and CWE for the blacklist ones)."""
    if importlib.util.find_spec("bandit") is None:
        return {}
    out = run_small([sys.executable, "-I", "-c", _DUMP_DOCS], timeout=30, max_output=4 * 1024 * 1024)
    try:
        docs = json.loads(out.decode("utf-8")) if out else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return docs if isinstance(docs, dict) else {}


def doc_from(rule_id: str, entry: dict[str, Any]) -> RuleDoc:
    """A RuleDoc from bandit's docstring of a test: its title line and its first paragraph."""
    text = inspect.cleandoc(str(entry.get("doc") or ""))
    cwe = f"CWE-{entry['cwe']}" if isinstance(entry.get("cwe"), int) else None
    url = str(entry.get("url") or "") or DOCS
    if entry.get("blacklist"):  # a message or two, no docstring; "{name}" is the call or module found
        text = " ".join(text.replace("{name}", "…").split())
        first = text.split(". ", 1)[0].removesuffix(".")
        return RuleDoc(title=first or rule_id, why=text or None, cwe=cwe, help_url=url, security=True)
    title: str | None = None
    paragraphs: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if title is None:
            match = _TITLE.match(stripped)
            # "Test for use of assert" names the test; "Use of assert" names the problem.
            title = (
                match.group(2).strip().removeprefix("Test for ")
                if match and match.group(1) == rule_id
                else None
            )
            continue
        if _UNDERLINE.fullmatch(stripped):  # the title's RST underline
            continue
        if _END.match(stripped):
            break
        if stripped:
            current.append(stripped)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    why = " ".join(paragraphs[:2]).replace("``", "`").replace("\\*", "*")[:MAX_WHY_CHARS] or None
    name = str(entry.get("name") or rule_id).replace("_", " ")
    title = (title or name).strip()
    return RuleDoc(title=title[:1].upper() + title[1:], why=why, cwe=cwe, help_url=url, security=True)


def preload() -> None:
    """What a warm pool child imports once: bandit's manager and its installed plugins."""
    from bandit.core import extension_loader, manager  # noqa: F401


def run_as_library(args: Mapping[str, Any], out: io.TextIOBase) -> int:
    """``BanditAnalyzer.command()``'s run (``bandit -f json -q --exclude "" [--skip S] [--ignore-nosec]
    -- FILES``) the way bandit's own ``main`` does it, in this process, its JSON report to ``out``.

    What main would read from the repository it reads nowhere here: no ``-c`` config file, and the
    ``.bandit`` ini main looks for only inside directory targets (only files are passed). Its
    plugins are the installed ones (the extension manager, loaded at import from the bot's
    environment); its context lines (3), severity and confidence filters (all) are main's defaults.
    Returns main's exit status: 1 when something was found, 2 for a bad profile.
    """
    from bandit.core import config, constants, extension_loader, manager

    profile: dict[str, set[str]] = {"include": set(), "exclude": set(args["skips"])}
    try:
        extension_loader.MANAGER.validate_profile(profile)
    except ValueError as exc:
        print(f"[main]\tERROR\t{exc}", file=sys.stderr)
        return 2
    b_mgr = manager.BanditManager(
        config.BanditConfig(),
        "file",
        False,
        profile=profile,
        verbose=False,
        quiet=True,
        ignore_nosec=not args["honor_nosec"],
    )
    b_mgr.discover_files(list(args["files"]), False, "")
    if not b_mgr.b_ts.tests:
        print("[main]\tERROR\tNo tests would be run, please check the profile.", file=sys.stderr)
        return 2
    b_mgr.run_tests()
    level = constants.RANKING[0]  # main's default -l / -i: every severity and confidence
    b_mgr.output_results(3, level, level, out, "json", None)
    return 1 if b_mgr.results_count(sev_filter=level, conf_filter=level) > 0 else 0


class BanditAnalyzer(PooledToolAnalyzer):
    """Runs bandit with its defaults, never with configuration from the reviewed repository."""

    name = TOOL
    module = "bandit"
    information_uri = "https://bandit.readthedocs.io/"
    docs_url = DOCS
    merge_preference = 1  # says which CWE and why, tersely
    # yaml.load: bandit files it under CWE-20 (improper input validation); it is deserialization.
    rule_topics = {"B506": "CWE-502"}
    ok_codes = (0, 1)  # exit 1 only says "issues found"; anything else, or no report, is a crash

    def __init__(
        self, *, honor_nosec: bool = True, skips: Sequence[str] = (), limits: ResourceLimits | None = None
    ) -> None:
        super().__init__(limits=limits)
        self.honor_nosec = honor_nosec
        self.skips = tuple(skips)

    def handles(self, path: str) -> bool:
        return path.endswith(".py")

    def config_key(self) -> str:
        return f"skips={','.join(self.skips)};nosec={self.honor_nosec}"

    def command(self, paths: Sequence[str]) -> list[str]:
        # -I: no cwd on sys.path, no PYTHON* variables, no user site, so a bandit.py in the
        # reviewed repository can never be imported in its place. Only files are passed, and
        # bandit looks for a project ".bandit" file only inside directory targets, so none of
        # the repository's configuration is read.
        # --exclude "": bandit's default exclude list (.git, .tox, .eggs, *.egg, ...) is matched
        # as a *substring* of every path, named files included, so .github/scripts/x.py (".git")
        # or a.tox.py would never be checked; an empty list excludes nothing.
        argv = [sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", "--exclude", ""]
        if self.skips:
            argv += ["--skip", ",".join(self.skips)]
        if not self.honor_nosec:
            argv.append("--ignore-nosec")
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(files)

    def pool_args(self, files: Sequence[str]) -> dict[str, Any]:
        files = [f"./{p}" for p in files]
        return {"skips": list(self.skips), "honor_nosec": self.honor_nosec, "files": files}

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> tuple[list[Finding], list[str]]:
        return parse_output(report, root, files)

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        entry = bandit_docs().get(rule_id)
        if entry is None:
            return RuleDoc(title=f"bandit test {rule_id}", help_url=DOCS, security=True)
        return doc_from(rule_id, entry)
