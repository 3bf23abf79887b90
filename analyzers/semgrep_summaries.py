"""Cross-function taint for the bundled semgrep taint rules, by function summaries.

semgrep's free engine follows a value within one function only: request data returned by a
helper, or handed to a helper as an argument, is lost at the function's edge. Two passes fix the
common cases for every language in analyzers/semgrep_functions.py, across all files of a batch:

1. When the batch defines a function that it also calls (a textual look), summary rules ride in
   the normal run: for each set of sources of a language's taint rules (the rules' own
   ``pattern-sources``, read from the bundled files, with the union of that set's sanitizers and
   propagators), one taint rule whose sinks are what those functions return (a ``return``, a
   Kotlin expression body, a JS arrow's expression, a Rust tail expression) and the arguments of
   calls to them. Its message names the function (``$SUMRETFN``) or the callee and the
   argument's position, so no metavariable output is needed.
2. Only when a summary names such a function, the taint rules of that set run again on the
   batch's files of that language, rewritten so that calls of a returning function are sources,
   and so is the parameter at that position of a function called with tainted data. Their
   findings replace the first run's for those rules, under the same rule ids.

One level deep (a helper of a helper is not followed), positional arguments only, and a name
stands for every function of that name in the batch (overrides excepted: their name is a
library's, as ContentProvider.query is SQLiteDatabase.query's).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzers.semgrep_functions import SYNTAX, called_functions, syntax_name
from analyzers.semgrep_languages import LANGUAGE_EXTENSIONS, extension, rule_file_rules

PREFIX = "review-bot-summary"
MAX_POSITION = 4  # arguments followed: the first four
MAX_NAMES = 400  # functions defined and called in one language of a batch, at most, for summaries
_TEXT_BYTES = 1024 * 1024  # read of each file for the textual checks
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LAST_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:<[^<>()]*>)?\s*$")
_IS_METHOD = re.compile(r"\.|::|->")
_NOT_SELF = r"^(?!(self|cls|&self|&mut self)$)"


@dataclass(eq=False)  # hashed by identity: the groups of one rule file version are made once
class Group:
    """Taint rules of one language that share their sources."""

    syntax: str
    index: int
    rules: list[dict[str, Any]]

    @property
    def rule_id(self) -> str:
        return f"{PREFIX}-{self.syntax}-{self.index}"

    @property
    def extensions(self) -> frozenset[str]:
        found: set[str] = set()
        for language in self.rules[0].get("languages") or []:
            found |= LANGUAGE_EXTENSIONS.get(str(language).lower(), frozenset())
        return frozenset(found)


def taint_rules(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The taint rules of the given (bundled) rule files that a syntax above covers."""
    found: list[dict[str, Any]] = []
    for path in paths:
        for rule in rule_file_rules(path) or ():
            if not isinstance(rule, dict):
                continue
            if rule.get("mode") == "taint" and syntax_name(rule.get("languages")) and rule.get("id"):
                found.append(rule)
    return found


def groups_of(rules: Sequence[dict[str, Any]]) -> list[Group]:
    """The rules grouped by language and sources, in their order."""
    groups: dict[str, Group] = {}
    for rule in rules:
        syntax = syntax_name(rule.get("languages")) or ""  # taint_rules keeps only known ones
        key = json.dumps([rule.get("languages"), rule.get("pattern-sources")], sort_keys=True)
        if key not in groups:
            groups[key] = Group(syntax, len(groups), [])
        groups[key].rules.append(rule)
    return list(groups.values())


def _union(rules: Sequence[dict[str, Any]], key: str) -> list[Any]:
    seen: dict[str, Any] = {}
    for rule in rules:
        for item in rule.get(key) or []:
            seen.setdefault(json.dumps(item, sort_keys=True), item)
    return list(seen.values())


def _message() -> str:
    calls = "".join(f"|c{k}=$SUMC{k}" for k in range(MAX_POSITION))
    return f"ret=$SUMRETFN{calls}|end"


def _named(metavariable: str, names: str, dotted: bool) -> dict[str, Any]:
    prefix = r"(?:[\s\S]*[.:>?!]\s*)?" if dotted else ""  # obj.name, Type::name, obj?.name
    return {"metavariable-regex": {"metavariable": metavariable, "regex": f"^{prefix}(?:{names})$"}}


def summary_rule(group: Group, names: Iterable[str]) -> dict[str, Any]:
    """The taint rule that reports, for one group's sources, which of the functions ``names`` (those
    the batch defines and calls) return that data, and which are called with it as an argument.

    Only calls of those names are sinks: a call of a library function is not followed anyway, and
    semgrep reports one finding where sinks of one rule nest (in ``res.send(load(x))`` the one
    of ``load``, as ``res.send`` is no sink).
    """
    syntax = SYNTAX[group.syntax]
    alternatives = _names(re.escape(name) for name in names)
    returns = {
        "patterns": [
            {"pattern-either": [{"pattern-inside": body} for body in syntax.bodies]},
            {"pattern-either": [{"pattern": ret} for ret in syntax.returns]},
            _named("$SUMRETFN", alternatives, dotted=False),
            {"focus-metavariable": "$SUMRET"},
        ]
    }
    sinks: list[dict[str, Any]] = [returns]
    for expression in syntax.expressions:
        sinks.append(
            {
                "patterns": [
                    {"pattern": expression},
                    _named("$SUMRETFN", alternatives, dotted=False),
                    {"metavariable-regex": {"metavariable": "$SUMRET", "regex": r"^(?!\{)"}},
                    {"focus-metavariable": "$SUMRET"},
                ]
            }
        )
    for k in range(MAX_POSITION):
        before = "".join(f"$SUMX{i}, " for i in range(k))
        call = {"pattern": f"$SUMC{k}({before}$SUMA, ...)"}
        sinks.append(
            {
                "patterns": [
                    call,
                    _named(f"$SUMC{k}", alternatives, dotted=True),
                    {"focus-metavariable": "$SUMA"},
                ]
            }
        )
    first = group.rules[0]
    rule: dict[str, Any] = {
        "id": group.rule_id,
        "languages": first.get("languages"),
        "severity": "INFO",
        "message": _message(),
        "mode": "taint",
        "pattern-sources": first.get("pattern-sources"),
        "pattern-sinks": sinks,
    }
    if isinstance(first.get("options"), dict):
        rule["options"] = first["options"]
    for key in ("pattern-sanitizers", "pattern-propagators"):
        if union := _union(group.rules, key):
            rule[key] = union
    return rule


@dataclass
class Summaries:
    """What the first run said, per group id: returning functions and (callee, position, method)."""

    returning: dict[str, set[str]] = field(default_factory=dict)
    calls: dict[str, set[tuple[str, int, bool]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.returning.values()) or any(self.calls.values())


def parse_message(message: str) -> tuple[str | None, tuple[str, int, bool] | None]:
    """(returning function, None) or (None, (callee, position, is a method call)) of one result."""
    if "ret=$SUMRETFN|" not in message:
        name = message[len("ret=") :].split("|", 1)[0] if message.startswith("ret=") else ""
        return (name if _NAME.fullmatch(name) else None), None
    for k in range(MAX_POSITION):
        marker = f"|c{k}="
        if f"{marker}$SUMC{k}|" in message or marker not in message:
            continue
        after = message.split(marker, 1)[1]
        end = f"|c{k + 1}=" if k + 1 < MAX_POSITION else "|end"
        callee = after.rsplit(end, 1)[0] if end in after else after
        callee = callee[-200:]  # the callee may be a whole function expression
        match = _LAST_NAME.search(callee)
        if match:
            return None, (match.group(1), k, bool(_IS_METHOD.search(callee[: match.start()])))
    return None, None


def take_summaries(report: dict[str, Any]) -> Summaries:
    """Remove the summary rules' results from semgrep's report and return what they said."""
    summaries = Summaries()
    kept: list[Any] = []
    for item in report.get("results") or []:
        rule_id = str(item.get("check_id") or "") if isinstance(item, dict) else ""
        if not rule_id.startswith(PREFIX):
            kept.append(item)
            continue
        returning, call = parse_message(str((item.get("extra") or {}).get("message") or ""))
        if returning:
            summaries.returning.setdefault(rule_id, set()).add(returning)
        if call:
            summaries.calls.setdefault(rule_id, set()).add(call)
    if "results" in report:
        report["results"] = kept
    return summaries


def usable(summaries: Summaries, groups: Sequence[Group], texts: dict[str, list[str]]) -> Summaries:
    """Only the summaries that a second run can use: functions the batch's files define."""
    kept = Summaries()
    for group in groups:
        own = texts.get(group.syntax, [])
        defined, called = called_functions(group.syntax, own)
        returning = {n for n in summaries.returning.get(group.rule_id, ()) if n in called}
        calls = {c for c in summaries.calls.get(group.rule_id, ()) if c[0] in defined}
        if returning:
            kept.returning[group.rule_id] = returning
        if calls:
            kept.calls[group.rule_id] = calls
    return kept


def _names(names: Iterable[str]) -> str:
    return "|".join(sorted(set(names)))


def extra_sources(
    group: Group, returning: set[str], calls: set[tuple[str, int, bool]]
) -> list[dict[str, Any]]:
    """Sources for the group's rules: calls of returning functions, parameters that get taint."""
    syntax = SYNTAX[group.syntax]
    sources: list[dict[str, Any]] = []
    if returning:
        regex = rf"^(?:[\s\S]*[.:>]\s*)?(?:{_names(returning)})$"
        sources.append(
            {
                "patterns": [
                    {"pattern": "$SUMCALLEE(...)"},
                    {"metavariable-regex": {"metavariable": "$SUMCALLEE", "regex": regex}},
                ]
            }
        )
    by_position: dict[tuple[int, bool], set[str]] = {}
    for name, position, method in calls:
        by_position.setdefault((position, method and bool(syntax.receivers)), set()).add(name)
    for (position, method), names in sorted(by_position.items()):
        params = "".join(syntax.param.format(i=i) + ", " for i in range(position))
        params += syntax.focus + ", ..."
        headers = [f.replace("{params}", params) for f in syntax.functions]
        if method:  # obj.m(x): the written-out receiver (self) comes first
            headers += [
                f.replace("{params}", f"{r}, {params}") for f in syntax.functions for r in syntax.receivers
            ]
        pattern: list[dict[str, Any]] = [
            {"pattern-either": [{"pattern-inside": header} for header in headers]},
            {"metavariable-regex": {"metavariable": "$SUMFN", "regex": f"^(?:{_names(names)})$"}},
        ]
        if syntax.receivers:  # never the receiver itself: all of self would count as request data
            pattern.append({"metavariable-regex": {"metavariable": "$SUMP", "regex": _NOT_SELF}})
            if position:
                pattern.append({"metavariable-regex": {"metavariable": "$SUMX0", "regex": _NOT_SELF}})
        pattern.append({"pattern": "$SUMP"})
        sources.append({"patterns": pattern})
    return sources


def rewritten_rules(groups: Sequence[Group], summaries: Summaries) -> list[dict[str, Any]]:
    """The groups' taint rules with the summaries' extra sources (same ids), for those that have any."""
    rules: list[dict[str, Any]] = []
    for group in groups:
        returning = summaries.returning.get(group.rule_id, set())
        calls = summaries.calls.get(group.rule_id, set())
        if not returning and not calls:
            continue
        extra = extra_sources(group, returning, calls)
        for rule in group.rules:
            copied = copy.deepcopy(rule)
            copied["pattern-sources"] = [*(rule.get("pattern-sources") or []), *extra]
            rules.append(copied)
    return rules


def files_for(groups: Sequence[Group], summaries: Summaries, files: Sequence[str]) -> list[str]:
    """The batch's files that the rewritten rules can match."""
    wanted: set[str] = set()
    for group in groups:
        if summaries.returning.get(group.rule_id) or summaries.calls.get(group.rule_id):
            wanted |= group.extensions
    return [path for path in files if extension(path) in wanted]


def merge(first: dict[str, Any], second: dict[str, Any], rule_ids: set[str], files: Sequence[str]) -> None:
    """Put the second run's findings in place of the first's for its rules and files."""
    redone = {os.path.normpath(path) for path in files}

    def replaced(item: Any) -> bool:
        if not isinstance(item, dict):
            return False
        return str(item.get("check_id")) in rule_ids and os.path.normpath(str(item.get("path"))) in redone

    results = [item for item in first.get("results") or [] if not replaced(item)]
    results += [item for item in second.get("results") or [] if replaced(item)]
    first["results"] = results
    seen = {json.dumps(error, sort_keys=True) for error in first.get("errors") or []}
    for error in second.get("errors") or []:
        if json.dumps(error, sort_keys=True) not in seen:
            first.setdefault("errors", []).append(error)


@functools.lru_cache(maxsize=32)
def _plan(key: tuple[tuple[str, int, int], ...]) -> tuple[Group, ...]:
    return tuple(groups_of(taint_rules(Path(path) for path, _, _ in key)))


def plan(rule_paths: Sequence[Path]) -> tuple[Group, ...]:
    """The taint rule groups of these rule files, made once per version of the files."""
    key: list[tuple[str, int, int]] = []
    for path in rule_paths:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        key.append((str(path), stat.st_mtime_ns, stat.st_size))
    return _plan(tuple(key))


def rules_text(groups: Sequence[Group], names: dict[str, set[str]]) -> str:
    """The summary rules of these groups as a rule file (JSON is YAML: semgrep reads it)."""
    return json.dumps({"rules": [summary_rule(group, names[group.syntax]) for group in groups]})


def worth_a_summary(
    groups: Sequence[Group], texts: dict[str, list[str]]
) -> tuple[tuple[Group, ...], dict[str, set[str]]]:
    """The groups whose language has, in this batch, functions that are defined and called, and
    those functions' names: a summary of any other can change nothing, so a batch without one
    pays nothing for the summaries."""
    names: dict[str, set[str]] = {}
    for syntax, own in texts.items():
        found = called_functions(syntax, own)[1]
        if len(found) > MAX_NAMES:  # a generated file, say: its summary rules would cost too much
            continue
        if found:
            names[syntax] = found
    return tuple(group for group in groups if group.syntax in names), names


def texts_of(root: Path, files: Sequence[str], groups: Sequence[Group]) -> dict[str, list[str]]:
    """The batch's files of each group's language, as text (for the pre-check of usable())."""
    texts: dict[str, list[str]] = {}
    for group in groups:
        if group.syntax in texts:
            continue
        texts[group.syntax] = []
        for rel in files:
            if extension(rel) in group.extensions:
                try:
                    with open(root / rel, "rb") as handle:  # the start of a huge file is enough here
                        texts[group.syntax].append(handle.read(_TEXT_BYTES).decode("utf-8", "replace"))
                except OSError:
                    continue
    return texts
