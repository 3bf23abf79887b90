"""Semgrep, run once over all changed files with the bot's own rules for their languages (and a
repository's extra ones).

Only local rule files are used: the registry is never asked, no metrics are sent, and the
native CLI (``--experimental``) is used because it gives the same JSON about ten times faster
than the Python wrapper.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from analyzers import semgrep_summaries as summaries
from analyzers.base import AnalyzerResult, Finding, PathMap, RuleDoc, Severity, checkable_files
from analyzers.limits import MIB, ResourceLimits
from analyzers.process import ProcResult, describe_failure, find_tool, minimal_env, run_bounded, tool_version
from analyzers.semgrep_engine import (
    engine_env,
    gc_env,
    jobs_for,
    native_program,
    packaged_core,
    refuse_native,
)
from analyzers.semgrep_languages import rules_for_files
from analyzers.semgrep_rules import (
    RULES_DIR,  # noqa: F401 (tests and benches import it from here)
    bundled_rules,
    cwe_of,
    rule_doc,
    rule_file_problem,
    rules_key,
)
from analyzers.tool import ToolAnalyzer

TOOL = "semgrep"
# Every extension a bundled rule's language covers; a file semgrep has no rule for is not sent.
EXTENSIONS: tuple[str, ...] = (
    ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".go", ".java", ".rb", ".php", ".cs",
    ".kt", ".kts", ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".py",
    ".rs", ".tf", ".hcl", ".erb",
)  # fmt: skip
_SEVERITY: dict[str, Severity] = {"ERROR": "error", "WARNING": "warning", "INFO": "note"}
# Larger files are skipped by semgrep; the skip is reported as a notice, never silent.
DEFAULT_MAX_TARGET_BYTES = 5_000_000
_LINE = re.compile(rb"[^\n]*\n|[^\n]+$")
_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
# semgrep's per-file error types that mean a file was not (fully) analyzed, as opposed to a
# part of it that did not parse: such a file is named in the review, like a crash on it.
UNFINISHED = frozenset({"Timeout", "OutOfMemory", "StackOverflow"})
# Share of the process's memory limit given to semgrep's own --max-memory: with its own limit it
# stops one file and goes on with the rest, instead of dying at the process limit.
_OWN_MEMORY_SHARE = 0.75
# The report's key (ours, beside semgrep's) naming the files whose findings may hang on others'.
COUPLED = "review_bot_coupled"


def find_semgrep() -> str | None:
    """The semgrep beside this interpreter (the venv's), else the one on PATH."""
    return find_tool("semgrep")


def help_url_of(metadata: dict[str, Any]) -> str | None:
    refs = metadata.get("references")
    first = refs[0] if isinstance(refs, list) and refs else refs
    return first if isinstance(first, str) and first.startswith(("https://", "http://")) else None


def suggestion_for(data: bytes, start: int, end: int, fix: str, line: int, end_line: int) -> str | None:
    """The text replacing lines line..end_line once ``fix`` replaces bytes start..end, or None.

    semgrep's offsets count bytes; the suggestion keeps the rest of the first and last lines
    and the file's line ending inside a multi-line fix, and drops the final line ending.
    """
    lines = _LINE.findall(data)
    if not 1 <= line <= end_line <= len(lines):
        return None
    first = sum(len(text) for text in lines[: line - 1])
    last = first + sum(len(text) for text in lines[line - 1 : end_line])
    if not first <= start <= end <= last:
        return None
    newline = b"\r\n" if lines[end_line - 1].endswith(b"\r\n") else b"\n"
    replacement = fix.encode("utf-8").replace(b"\r\n", b"\n").replace(b"\n", newline)
    text = data[first:start] + replacement + data[end:last]
    if text == data[first:last]:
        return None
    if text.endswith(newline):
        text = text[: -len(newline)]
    elif text.endswith(b"\n"):
        text = text[:-1]
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _position(item: dict[str, Any], key: str) -> tuple[int, int, int]:
    pos = item.get(key) or {}
    return int(pos.get("line") or 1), int(pos.get("col") or 1), int(pos.get("offset") or 0)


def to_finding(item: dict[str, Any], rel: str, data: bytes | None) -> Finding:
    extra = item.get("extra") or {}
    metadata = extra.get("metadata") or {}
    line, column, start = _position(item, "start")
    end_line, _, end = _position(item, "end")
    end_line = max(line, end_line)
    fix = extra.get("fix")
    suggestion = None
    if isinstance(fix, str) and data is not None:
        suggestion = suggestion_for(data, start, end, fix, line, end_line)
    rule_id = str(item.get("check_id") or "semgrep")
    return Finding(
        tool=TOOL,
        rule_id=rule_id,
        severity=_SEVERITY.get(str(extra.get("severity") or "").upper(), "warning"),
        path=rel,
        line=line,
        end_line=end_line,
        message=" ".join(str(extra.get("message") or rule_id).split()),
        column=column,
        help_url=help_url_of(metadata),
        suggestion=suggestion,
        cwe=cwe_of(metadata),
    )


def _read(root: Path, rel: str, cache: dict[str, bytes | None]) -> bytes | None:
    if rel not in cache:
        try:
            cache[rel] = (root / rel).read_bytes()
        except OSError:
            cache[rel] = None
    return cache[rel]


def error_notice(error: dict[str, Any], mapping: PathMap) -> str:
    """One line a person can read for an entry of semgrep's ``errors`` array."""
    kind = str(error.get("type") or "error")
    if isinstance(error.get("type"), list):  # some versions give ["PartialParsing", [locations]]
        kind = str(error["type"][0])
    message = str(error.get("message") or "").strip().splitlines()
    where = str(error.get("path") or "")
    where = (mapping.relative(where) or where) if where else str(error.get("rule_id") or "")
    text = f"semgrep: {kind}"
    if where:
        text += f" in {where}"
    return f"{text}: {message[0]}" if message else text


def unfinished_files(errors: Sequence[dict[str, Any]], mapping: PathMap) -> dict[str, str]:
    """The files semgrep gave up on (a timeout, out of memory), each with its error line."""
    unfinished: dict[str, str] = {}
    for error in errors:
        kind = error.get("type")
        kind = kind[0] if isinstance(kind, list) and kind else kind
        rel = mapping.relative(str(error.get("path") or "")) if error.get("path") else None
        if rel is not None and str(kind) in UNFINISHED:
            unfinished.setdefault(rel, error_notice(error, mapping))
    return unfinished


@dataclass
class Report:
    findings: list[Finding]
    notices: list[str]  # one per entry of semgrep's errors
    scanned: set[str] | None  # the files semgrep says it scanned (None if unsaid)
    unfinished: dict[str, str]  # files it gave up on, with the reason
    coupled: list[str]  # files the run with function summaries covered (never cached alone)


def parse_output(stdout: bytes, root: Path, paths: Sequence[str]) -> Report:
    """semgrep's JSON report: findings, notices from its errors, what it scanned and gave up on."""
    report = json.loads(stdout.decode("utf-8"))
    if not isinstance(report, dict):
        raise ValueError("semgrep's JSON report is not an object")
    mapping = PathMap(root, paths)
    cache: dict[str, bytes | None] = {}
    findings: list[Finding] = []
    for item in report.get("results") or []:
        rel = mapping.relative(str(item.get("path") or ""))
        if rel is not None and not str(item.get("check_id") or "").startswith(summaries.PREFIX):
            findings.append(to_finding(item, rel, _read(root, rel, cache)))
    errors = [error for error in report.get("errors") or [] if isinstance(error, dict)]
    notices = [error_notice(error, mapping) for error in errors]
    scanned_list = (report.get("paths") or {}).get("scanned")
    scanned = None
    if isinstance(scanned_list, list):
        scanned = {rel for name in scanned_list if (rel := mapping.relative(str(name))) is not None}
    coupled = [rel for name in report.get(COUPLED) or [] if (rel := mapping.relative(str(name))) is not None]
    return Report(findings, notices, scanned, unfinished_files(errors, mapping), coupled)


class SemgrepAnalyzer(ToolAnalyzer):
    """Runs one ``semgrep scan`` over every handled file with the rules for their languages, offline."""

    name = TOOL
    binary = "semgrep"
    information_uri = "https://semgrep.dev/"
    merge_preference = 0  # our own rules carry a "why and how to fix" message

    def __init__(
        self,
        *,
        rule_paths: Sequence[Path] | None = None,
        extra_rule_paths: Sequence[Path] = (),
        executable: str | None = None,
        max_target_bytes: int = DEFAULT_MAX_TARGET_BYTES,
        limits: ResourceLimits | None = None,
        summaries: bool = True,
    ) -> None:
        super().__init__(limits=limits, executable=executable)
        self.summaries = summaries  # cross-function taint (analyzers/semgrep_summaries.py)
        self.rule_paths = tuple(Path(p) for p in (bundled_rules() if rule_paths is None else rule_paths))
        self.extra_rule_paths = tuple(Path(p) for p in extra_rule_paths)
        self.max_target_bytes = max_target_bytes

    def handles(self, path: str) -> bool:
        return path.lower().endswith(EXTENSIONS)

    def config_key(self) -> str:
        return f"rules={rules_key([*self.rule_paths, *self.extra_rule_paths])};max={self.max_target_bytes}"

    def command(
        self, exe: str, rules: Sequence[Path], paths: Sequence[str], *, jobs: int | None = None
    ) -> list[str]:
        # --no-git-ignore: the bot chose these files, a .gitignore must not drop them (explicit
        # targets already bypass .semgrepignore); --no-rewrite-rule-ids keeps ids as written.
        argv = [exe, "scan", "--experimental", "--json", "--metrics=off", "--disable-version-check"]
        argv += ["--no-git-ignore", "--no-rewrite-rule-ids", "--quiet"]
        argv += [f"--max-target-bytes={self.max_target_bytes}", "--no-exclude-minified-files"]
        if self.limits.memory_bytes:
            argv.append(f"--max-memory={max(1, int(self.limits.memory_bytes * _OWN_MEMORY_SHARE) // MIB)}")
        # No more parallel domains than files: each costs a minor heap and start-up for nothing.
        # The bot's runs pass jobs_for() (analyzers/semgrep_engine.py): one for a small batch.
        argv.append(f"--jobs={jobs if jobs is not None else max(1, min(len(paths), os.cpu_count() or 1))}")
        for rule in rules:
            argv += ["--config", str(rule.resolve())]
        return [*argv, "--", *(f"./{p}" for p in paths)]

    def program(self) -> str | None:
        # The pip package's script only execs its native engine: started directly, a run saves
        # a Python interpreter start (analyzers/semgrep_engine.py).
        exe = super().program()
        return (native_program(exe) or exe) if exe and self.executable is None else exe

    def tool_env(self, extra: dict[str, str]) -> dict[str, str]:
        env = minimal_env({**_ENV, **extra})
        wrapper = find_semgrep() if self.executable is None else None
        return engine_env(env, wrapper) if wrapper and packaged_core(wrapper) else env

    async def version(self) -> str | None:
        exe = self.program()
        # --experimental answers from the native binary in 0.1 s instead of 1 s.
        if exe is None:
            return None
        found = await tool_version([exe, "--experimental", "--version"], env=self.tool_env({}))
        wrapper = super().program()
        if found is None and wrapper and exe != wrapper:  # the engine would not start directly
            refuse_native()
            found = await tool_version([wrapper, "--experimental", "--version"], env=self.tool_env({}))
        return found

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        await self.version()  # first, so that a direct start that fails is found out before a run
        return await super().run(root, paths, timeout=timeout)

    def usable_rules(self) -> tuple[list[Path], list[str]]:
        """The rule files to pass, and a notice for each extra one dropped because it is broken."""
        rules, notices = list(self.rule_paths), []
        for path in self.extra_rule_paths:
            problem = rule_file_problem(path)
            if problem is None:
                rules.append(path)
            else:
                notices.append(f"semgrep: extra rule file {path.name} ignored: {problem}")
        return rules, notices

    @functools.cached_property
    def _usable(self) -> tuple[list[Path], list[str]]:
        return self.usable_rules()  # the rule files are fixed for this analyzer: checked once

    def targets(self, root: Path, paths: Sequence[str]) -> tuple[list[str], list[str]]:
        rules, notices = self._usable
        files = checkable_files(root, [p for p in paths if self.handles(p)])
        return (files if rules else []), list(notices)

    def rules_for(self, files: Sequence[str]) -> list[Path]:
        """The rule files for one batch: the bundled ones for the batch's languages (see
        analyzers/semgrep_languages.py), and every usable extra one of the repository."""
        usable = self._usable[0]  # the bundled rule files first, then the extra ones that parse
        own = len(self.rule_paths)
        return [*rules_for_files(usable[:own], files), *usable[own:]]

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return self.command(exe, self.rules_for(files), files)

    @contextlib.contextmanager
    def environment(self) -> Iterator[dict[str, str]]:
        with tempfile.TemporaryDirectory(prefix="semgrep-home-") as home:
            yield self.tool_env({"HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home})

    async def run_batch(self, exe: str, root: Path, files: Sequence[str], budget: float) -> ProcResult:
        started = time.monotonic()
        # Summary rules of the batch's taint rules ride in the same run (analyzers/semgrep_summaries.py),
        # for the languages in which the batch defines and calls a function.
        groups = summaries.plan(rules_for_files(self.rule_paths, files)) if self.summaries else ()
        texts = summaries.texts_of(root, files, groups)
        groups, names = summaries.worth_a_summary(groups, texts)
        with self.environment() as env:
            env = {**env, **gc_env(root, files)}  # a lighter collector for a small batch
            rules = self.rules_for(files)
            if groups:
                rules.append(Path(env["HOME"]) / "review-bot-summaries.yml")
                rules[-1].write_text(summaries.rules_text(groups, names), encoding="utf-8")
            argv = self.command(exe, rules, files, jobs=jobs_for(root, files))
            run = await self._run(argv, root, env, budget)
            if not groups or run.timed_out or run.truncated or summaries.PREFIX.encode() not in run.stdout:
                return run
            left = budget - (time.monotonic() - started)
            return await self.second_pass(exe, root, files, (groups, texts), run, env, left)

    async def _run(self, argv: list[str], root: Path, env: dict[str, str], budget: float) -> ProcResult:
        return await run_bounded(
            argv, cwd=root, timeout=budget, env=env, limits=self.limits.with_cpu_at_most(budget)
        )

    async def second_pass(
        self,
        exe: str,
        root: Path,
        files: Sequence[str],
        batch: tuple[Sequence[summaries.Group], dict[str, list[str]]],
        first: ProcResult,
        env: dict[str, str],
        budget: float,
    ) -> ProcResult:
        """The first run's report, with the taint rules that function summaries extend run again."""
        try:
            report = json.loads(first.stdout.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return first  # report() says it is unreadable
        if not isinstance(report, dict):
            return first
        groups, texts = batch
        found = summaries.usable(summaries.take_summaries(report), groups, texts)
        if not found:
            return first  # parse_output() leaves the summary rules' results out
        rules = summaries.rewritten_rules(groups, found)
        targets = summaries.files_for(groups, found, files)
        rule_file = Path(env["HOME"]) / "review-bot-rewritten.yml"
        rule_file.write_text(json.dumps({"rules": rules}), encoding="utf-8")
        second = None
        if budget >= 1:
            argv = self.command(exe, [rule_file], targets, jobs=jobs_for(root, targets))
            second = await self._run(argv, root, env, budget)
        try:
            again = (
                json.loads(second.stdout.decode("utf-8")) if second and second.returncode in (0, 1) else None
            )
        except (ValueError, UnicodeDecodeError):
            again = None
        if isinstance(again, dict):
            summaries.merge(report, again, {str(rule["id"]) for rule in rules}, [f"./{p}" for p in targets])
        else:
            why = "no time left" if second is None else f"exit {second.returncode}"
            message = f"the run with function summaries did not finish ({why}): same-function flows only"
            report.setdefault("errors", []).append({"type": "Summaries", "message": message})
        # A flow from a helper in one file to a sink in another: neither file's findings may be
        # cached by its own content (a later push changing only the helper would meet a stale
        # answer for the caller), so the next review analyzes both again.
        report[COUPLED] = [f"./{p}" for p in targets]
        return replace(first, stdout=json.dumps(report).encode("utf-8"))

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        return rule_doc(rule_id)

    def report(
        self, result: ProcResult, root: Path, files: Sequence[str], version: str | None, timeout: float
    ) -> AnalyzerResult:
        notices: list[str] = []
        failure = describe_failure(TOOL, result, timeout, needs_report=True)
        if failure:
            return AnalyzerResult(tool=TOOL, version=version, error=failure, notices=notices)
        try:
            report = parse_output(result.stdout, root, files)
        except (ValueError, UnicodeDecodeError, AttributeError, TypeError) as exc:
            error = f"semgrep's report was unreadable: {exc}"
            return AnalyzerResult(tool=TOOL, version=version, error=error, notices=notices)
        notices += report.notices
        # A non-zero exit that still gave JSON is fine when findings came; without any scanned
        # file it means semgrep refused to run (a bad rule, say), which is a failure to say so.
        if result.returncode not in (0, 1) and not report.scanned and not report.findings:
            reason = "; ".join(report.notices) or result.stderr_tail()
            error = f"semgrep failed (exit {result.returncode}): {reason}"
            return AnalyzerResult(tool=TOOL, version=version, error=error, notices=notices)
        if report.scanned is not None:
            notices += [self._skip_notice(root, rel) for rel in files if rel not in report.scanned]
        return AnalyzerResult(
            tool=TOOL,
            findings=report.findings,
            version=version,
            notices=notices,
            not_analyzed=report.unfinished,
            coupled=report.coupled,
        )

    def _skip_notice(self, root: Path, rel: str) -> str:
        try:
            size = (root / rel).stat().st_size
        except OSError:
            size = 0
        if self.max_target_bytes > 0 and size > self.max_target_bytes:
            return f"semgrep skipped {rel}: larger than {self.max_target_bytes} bytes"
        return f"semgrep skipped {rel} (minified, binary or not a language it parses)"
