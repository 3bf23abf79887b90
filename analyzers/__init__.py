"""Static analyzers for code review: a library usable on its own (it imports nothing from the bot)."""

from analyzers.actions import ActionsAnalyzer
from analyzers.bandit import BanditAnalyzer
from analyzers.base import (
    SEVERITY_RANK,
    Analyzer,
    AnalyzerResult,
    Finding,
    PathMap,
    Severity,
    checkable_files,
    default_analyzers,
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
from analyzers.ruff import RuffAnalyzer
from analyzers.sarif import to_sarif
from analyzers.secrets import SecretsAnalyzer
from analyzers.semgrep import SemgrepAnalyzer
from analyzers.shellcheck import ShellcheckAnalyzer
from analyzers.yamllint import YamllintAnalyzer

__all__ = [
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
    "SecretsAnalyzer",
    "SemgrepAnalyzer",
    "Severity",
    "ShellcheckAnalyzer",
    "YamllintAnalyzer",
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
    "run_analyzers",
    "run_bounded",
    "severity_at_least",
    "to_sarif",
    "tool_versions",
    "with_fingerprints",
]
