"""The analyzers this library has, one line each; whatever needs "all analyzers" asks here.

The per-repository config's analyzer names and aliases, ``/explain``'s rule documentation, SARIF's
tool and rule metadata and dedupe's rule topics all come from the analyzer classes listed below
(each declares its own, see analyzers/tool.py), so adding an analyzer is its module, its tests
and one line in ANALYZERS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from analyzers.actions import ActionsAnalyzer
from analyzers.bandit import BanditAnalyzer
from analyzers.base import Analyzer, RuleDoc
from analyzers.hadolint import HadolintAnalyzer
from analyzers.limits import ResourceLimits
from analyzers.ruff import RuffAnalyzer
from analyzers.secrets import SecretsAnalyzer
from analyzers.semgrep import SemgrepAnalyzer
from analyzers.shellcheck import ShellcheckAnalyzer
from analyzers.tool import ToolAnalyzer
from analyzers.yamllint import YamllintAnalyzer

# In the order a review lists them.
ANALYZERS: tuple[type[ToolAnalyzer], ...] = (
    RuffAnalyzer,
    BanditAnalyzer,
    SemgrepAnalyzer,
    ShellcheckAnalyzer,
    HadolintAnalyzer,
    ActionsAnalyzer,
    YamllintAnalyzer,
    SecretsAnalyzer,
)


def analyzer_names() -> tuple[str, ...]:
    """Every analyzer's name, as the per-repository config and the review summary use them."""
    return tuple(cls.name for cls in ANALYZERS)


def analyzer_aliases() -> dict[str, str]:
    """Other names a repository's config may use for an analyzer -> its name."""
    return {alias: cls.name for cls in ANALYZERS for alias in cls.aliases}


def analyzer_class(name: str) -> type[ToolAnalyzer] | None:
    """The analyzer class of this name (or alias); None for a name no analyzer has (e.g. "agents")."""
    for cls in ANALYZERS:
        if name == cls.name or name in cls.aliases:
            return cls
    return None


def default_analyzers(limits: ResourceLimits | None = None) -> list[Analyzer]:
    """Every analyzer, each on the files it handles, with these memory and CPU-time caps per tool."""
    return build_analyzers(limits)


def build_analyzers(
    limits: ResourceLimits | None = None,
    *,
    disabled: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Analyzer]:
    """The analyzers not ``disabled`` (names), each built with its ``options[name]`` as keyword
    arguments (e.g. ``{"semgrep": {"extra_rule_paths": [...]}}``)."""
    options = options or {}
    return [
        cls(limits=limits, **dict(options.get(cls.name) or {}))
        for cls in ANALYZERS
        if cls.name not in disabled
    ]


def rule_doc(tool: str, rule_id: str) -> RuleDoc | None:
    """What the analyzer ``tool`` says about its rule ``rule_id``; None when nobody can say."""
    cls = analyzer_class(tool)
    if cls is None:
        return None
    try:
        return cls.rule_doc(rule_id)
    except Exception:  # documentation is nice to have: never worth failing a reply or a report
        return None


def information_uri(tool: str) -> str | None:
    cls = analyzer_class(tool)
    return cls.information_uri if cls is not None else None


def rule_topic(tool: str, rule_id: str) -> str | None:
    """The CWE an analyzer says its rule is really about, when it files it under a broader one."""
    cls = analyzer_class(tool)
    return cls.rule_topics.get(rule_id) if cls is not None else None


def merge_preference(tool: str) -> int:
    """Lower wins when several tools report one problem (see ToolAnalyzer.merge_preference)."""
    cls = analyzer_class(tool)
    return cls.merge_preference if cls is not None else ToolAnalyzer.merge_preference
