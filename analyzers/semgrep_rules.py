"""The bot's own semgrep rule files: which there are, a key that changes with them, whether an extra
one would be refused, and what each rule says about itself (for /explain and SARIF).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from analyzers.base import RuleDoc

RULES_DIR = Path(__file__).parent / "rules" / "semgrep"
_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)


def bundled_rules() -> tuple[Path, ...]:
    """The rule files shipped inside the package, one per language."""
    try:
        listed = RULES_DIR.stat().st_mtime_ns  # a file added or removed changes the folder's
    except OSError:
        listed = 0
    return _rule_files(listed)


@functools.lru_cache(maxsize=4)
def _rule_files(_listed: int) -> tuple[Path, ...]:
    return tuple(sorted(RULES_DIR.glob("*.yml")))  # ~2 ms, and an analyzer is built per review


def rules_key(paths: Sequence[Path]) -> str:
    """A hash of the rule files' names and contents: changes whenever a rule does."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def rule_file_problem(path: Path) -> str | None:
    """Why semgrep would refuse this rule file outright (and drop every other rule with it)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return f"not valid YAML ({type(exc).__name__})"
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return "no 'rules:' list"
    return None


def cwe_of(metadata: dict[str, Any]) -> str | None:
    """ "CWE-78" from metadata.cwe, which may be a text such as "CWE-78: ..." or a list of them."""
    cwe = metadata.get("cwe")
    first = cwe[0] if isinstance(cwe, list) and cwe else cwe
    match = _CWE.search(str(first)) if first else None
    return f"CWE-{match.group(1)}" if match else None


@functools.cache
def bundled_rule_index() -> dict[str, dict[str, Any]]:
    """The bundled rules by id, as written in their YAML (the bot's own files)."""
    rules: dict[str, dict[str, Any]] = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 20x faster on 330 KB of rules
    for path in bundled_rules():
        for rule in (yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}).get("rules") or []:  # noqa: S506
            if isinstance(rule, dict) and "id" in rule:
                rules[str(rule["id"])] = rule
    return rules


_CLAUSE_END = re.compile(r"\.\s|\.$|, so |, which |: |; ")


def short_title(message: str, limit: int = 160) -> str:
    """A rule's message cut to its first clause ("Request data is the target of a redirect"): up
    to the first end of sentence, ", so", ", which", ":" or ";" outside brackets and quotes."""
    depth, quoted = 0, False
    for i, char in enumerate(message):
        if char == '"':
            quoted = not quoted
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and not quoted and _CLAUSE_END.match(message, i) and i >= 20:
            return message[:i] if i <= limit else message[: limit - 1].rsplit(" ", 1)[0] + "…"
    return message if len(message) <= limit else message[: limit - 1].rsplit(" ", 1)[0] + "…"


def rule_doc(rule_id: str) -> RuleDoc | None:
    """One of the bundled rules, from its YAML; None for a repository's own rule file."""
    index = bundled_rule_index()
    rule = index.get(rule_id) or index.get(rule_id.rsplit(".", 1)[-1])
    if rule is None:
        return None
    meta = rule.get("metadata") or {}
    refs = meta.get("references") or []
    refs = [str(r) for r in (refs if isinstance(refs, list) else [refs]) if str(r).startswith("https://")]
    message = " ".join(str(rule.get("message") or "").split())
    return RuleDoc(
        title=short_title(message) or str(rule["id"]),
        why=message or None,
        cwe=cwe_of(meta),
        help_url=refs[0] if refs else None,
        references=tuple(refs),
        security=meta.get("category") == "security",
    )
