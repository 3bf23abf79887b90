"""Static analyzers for code review: a library usable on its own (it imports nothing from the bot).

``analyzers.registry`` lists every analyzer; the tool classes are re-exported here for the
imports that name them, but a new analyzer needs only its line in the registry.
"""

from analyzers.actions import ActionsAnalyzer
from analyzers.bandit import BanditAnalyzer
from analyzers.base import (
    SEVERITY_RANK,
    Analyzer,
    AnalyzerResult,
    Finding,
    PathMap,
    RuleDoc,
    Severity,
    checkable_files,
    fingerprint,
    run_analyzers,
    severity_at_least,
    tool_versions,
    with_fingerprints,
)
from analyzers.diff import (
    FILTER_MODES,
    DiffError,
    FileDiff,
    filter_findings,
    in_diff,
    in_same_hunk,
    parse_patch,
    parse_unified_diff,
)
from analyzers.hadolint import HadolintAnalyzer
from analyzers.limits import ResourceLimits
from analyzers.process import ProcResult, describe_failure, minimal_env, run_bounded
from analyzers.registry import ANALYZERS, analyzer_class, build_analyzers, default_analyzers, rule_doc
from analyzers.ruff import RuffAnalyzer
from analyzers.sarif import to_sarif
from analyzers.secrets import SecretsAnalyzer
from analyzers.semgrep import SemgrepAnalyzer
from analyzers.shellcheck import ShellcheckAnalyzer
from analyzers.tool import ToolAnalyzer
from analyzers.yamllint import YamllintAnalyzer

__all__ = [
    "ANALYZERS",
    "FILTER_MODES",
    "SEVERITY_RANK",
    "ActionsAnalyzer",
    "Analyzer",
    "AnalyzerResult",
    "BanditAnalyzer",
    "DiffError",
    "FileDiff",
    "Finding",
    "HadolintAnalyzer",
    "PathMap",
    "ProcResult",
    "ResourceLimits",
    "RuffAnalyzer",
    "RuleDoc",
    "SecretsAnalyzer",
    "SemgrepAnalyzer",
    "Severity",
    "ShellcheckAnalyzer",
    "ToolAnalyzer",
    "YamllintAnalyzer",
    "analyzer_class",
    "build_analyzers",
    "checkable_files",
    "default_analyzers",
    "describe_failure",
    "filter_findings",
    "fingerprint",
    "in_diff",
    "in_same_hunk",
    "minimal_env",
    "parse_patch",
    "parse_unified_diff",
    "rule_doc",
    "run_analyzers",
    "run_bounded",
    "severity_at_least",
    "to_sarif",
    "tool_versions",
    "with_fingerprints",
]
