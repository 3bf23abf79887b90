"""Which semgrep rule files can match which files: a batch is given only the rule files for its languages.

semgrep parses and compiles every rule file it is given before it looks at a target, and then
runs a rule only on targets whose extension belongs to one of the rule's languages (explicitly
named targets included). So a rule file none of whose languages covers any file of the batch
cannot produce a finding there, and leaving it out costs nothing but semgrep's time: on one
Python file, the 22 bundled files cost about 0.55 CPU-s, the two Python ones about 0.3.

A rule file is left out only when every language of every one of its rules is one this table
knows and none of them covers an extension in the batch. A ``generic``/``regex`` rule counts as
covering only the extensions its ``paths: include`` names, when every pattern there is a plain
``*.ext`` (semgrep then runs it on no other file). Anything else (a language the table does not
know, ``generic``/``regex`` rules that may apply to any file, a rule without ``languages``, a file
that does not parse) keeps the rule file in every batch, as before.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

import yaml

# semgrep's own table (semgrep_interfaces/lang.json): each name a rule's ``languages`` may use
# -> the file extensions semgrep gives that language, lowercased (a ".C" file is cpp to semgrep,
# a ".c" one C: lowercasing only ever keeps a rule file that could have been left out).
_LANGUAGES = (
    ("c", ".c .h"),
    ("cpp c++", ".cc .cpp .cxx .c++ .pcc .tpp .c .h .hh .hpp .hxx .inl .ipp"),
    ("csharp c#", ".cs"),
    ("go golang", ".go"),
    ("java", ".java"),
    ("js javascript", ".cjs .js .jsx .mjs"),
    ("ts typescript", ".ts .tsx"),
    ("kt kotlin", ".kt .kts .ktm"),
    ("php", ".php .tpl .phtml"),
    ("py python python2 python3", ".py .pyi"),
    ("ruby", ".rb"),
    ("rust", ".rs"),
    ("tf hcl terraform", ".tf .tofu .hcl .tfvars"),
)
LANGUAGE_EXTENSIONS: dict[str, frozenset[str]] = {
    name: frozenset(exts.split()) for names, exts in _LANGUAGES for name in names.split()
}
_ANY_FILE_LANGUAGES = frozenset({"generic", "regex"})
_EXTENSION_GLOB = re.compile(r"\*(\.[A-Za-z0-9_+-]+)+")  # "*.erb", "*.html.erb"; no "/", "**", "?"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the bundled rules are ~330 KB


def extension(path: str) -> str:
    """A file's extension as the table above spells it (".py"); "" for none."""
    return PurePosixPath(path).suffix.lower()


def languages_extensions(languages: object) -> frozenset[str] | None:
    """The extensions one rule's ``languages`` cover; None when any of them may match any file."""
    if not isinstance(languages, list) or not languages:
        return None
    found: set[str] = set()
    for name in languages:
        exts = LANGUAGE_EXTENSIONS.get(str(name).lower())
        if exts is None:  # generic, regex, a language this table does not know
            return None
        found |= exts
    return frozenset(found)


def included_extensions(rule: dict[object, object]) -> frozenset[str] | None:
    """The extensions a ``generic``/``regex`` rule is kept to by ``paths: include``; else None."""
    languages = rule.get("languages")
    paths = rule.get("paths")
    include = paths.get("include") if isinstance(paths, dict) else None
    if not isinstance(languages, list) or not languages or not isinstance(include, list) or not include:
        return None
    if any(str(name).lower() not in _ANY_FILE_LANGUAGES for name in languages):
        return None
    if not all(isinstance(glob, str) and _EXTENSION_GLOB.fullmatch(glob) for glob in include):
        return None
    return frozenset(extension(glob) for glob in include)  # "*.html.erb" -> ".erb", as for a file


@functools.lru_cache(maxsize=256)
def _rules_of(path: str, _mtime_ns: int, _size: int) -> tuple[object, ...] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_LOADER)  # noqa: S506 (a safe loader, C or Python)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    rules = data.get("rules") if isinstance(data, dict) else None
    return tuple(rules) if isinstance(rules, list) else None


def rule_file_rules(path: Path) -> tuple[object, ...] | None:
    """The entries of a rule file's ``rules`` list, or None when it does not read as one.

    Read once per version of the file (its path, modification time and size key the answer);
    the entries are shared between callers: copy one before changing it.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _rules_of(str(path), stat.st_mtime_ns, stat.st_size)


def rule_file_extensions(path: Path) -> frozenset[str] | None:
    """The extensions of the files some rule of this file can match; None for "any file"."""
    rules = rule_file_rules(path)
    if not rules:
        return None
    found: set[str] = set()
    for rule in rules:
        if not isinstance(rule, dict):
            return None
        exts = languages_extensions(rule.get("languages"))
        if exts is None:
            exts = included_extensions(rule)
        if exts is None:
            return None
        found |= exts
    return frozenset(found)


def rules_for_files(rule_paths: Sequence[Path], files: Iterable[str]) -> list[Path]:
    """The rule files, in their order, that can match at least one of ``files``.

    When none can (a batch of a language no rule file covers), all of them are returned, so
    that semgrep runs and says which files it skipped, exactly as without this selection.
    """
    wanted = {extension(path) for path in files}
    chosen = [path for path in rule_paths if (exts := rule_file_extensions(path)) is None or exts & wanted]
    return chosen or list(rule_paths)
