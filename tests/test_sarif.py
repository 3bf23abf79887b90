"""SARIF 2.1.0 output, validated against the OASIS schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from analyzers.bandit import BanditAnalyzer
from analyzers.base import AnalyzerResult, Finding, run_analyzers, with_fingerprints
from analyzers.ruff import RuffAnalyzer
from analyzers.sarif import FINGERPRINT_KEY, to_sarif

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = Draft4Validator(SCHEMA)


def _errors(log: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(log)]


def _finding(**overrides: object) -> Finding:
    base = {
        "tool": "ruff",
        "rule_id": "E711",
        "severity": "warning",
        "path": "src/app.py",
        "line": 3,
        "end_line": 4,
        "message": "Comparison to None",
        "column": 8,
        "help_url": "https://docs.astral.sh/ruff/rules/none-comparison",
        "suggestion": "if x is None:",
        "fingerprint": "0123456789abcdef",
    }
    base.update(overrides)
    return Finding(**base)  # type: ignore[arg-type]


def test_schema_rejects_a_broken_log() -> None:
    # The validator is live: a result without a message is not SARIF.
    log = to_sarif([_finding()])
    del log["runs"][0]["results"][0]["message"]
    assert _errors(log)


def test_one_run_per_tool_with_everything_mapped() -> None:
    findings = [
        _finding(),
        _finding(
            tool="bandit", rule_id="B602", severity="error", suggestion=None, help_url=None, column=None
        ),
        _finding(rule_id="E711", line=9, end_line=9, severity="note", suggestion=None),
    ]
    results = [AnalyzerResult(tool="ruff", version="0.17.6"), AnalyzerResult(tool="bandit", version="1.9.4")]
    log = to_sarif(findings, results)
    assert _errors(log) == []
    assert log["version"] == "2.1.0"
    ruff_run, bandit_run = log["runs"]
    driver = ruff_run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("ruff", "0.17.6")
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["E711"]  # one rule entry, two results
    assert driver["rules"][0]["helpUri"] == "https://docs.astral.sh/ruff/rules/none-comparison"
    first = ruff_run["results"][0]
    assert first["ruleId"] == "E711" and first["level"] == "warning" and first["ruleIndex"] == 0
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "endLine": 4, "startColumn": 8}
    assert first["partialFingerprints"] == {FINGERPRINT_KEY: "0123456789abcdef"}
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {"startLine": 3, "endLine": 4}
    assert replacement["insertedContent"]["text"] == "if x is None:"
    assert ruff_run["results"][1]["level"] == "note" and "fixes" not in ruff_run["results"][1]
    assert bandit_run["results"][0]["level"] == "error"
    assert "startColumn" not in bandit_run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert ruff_run["invocations"] == [{"executionSuccessful": True}]


def test_failed_analyzer_is_an_unsuccessful_invocation() -> None:
    results = [
        AnalyzerResult(tool="ruff", error="ruff timed out after 120 s"),
        AnalyzerResult(tool="bandit", notices=["bandit could not analyze bad.py: syntax error"]),
    ]
    log = to_sarif([], results)
    assert _errors(log) == []
    ruff_inv = log["runs"][0]["invocations"][0]
    assert ruff_inv["executionSuccessful"] is False
    assert ruff_inv["toolExecutionNotifications"][0]["message"]["text"] == "ruff timed out after 120 s"
    assert ruff_inv["toolExecutionNotifications"][0]["level"] == "error"
    bandit_inv = log["runs"][1]["invocations"][0]
    assert bandit_inv["executionSuccessful"] is True
    assert bandit_inv["toolExecutionNotifications"][0]["level"] == "warning"


def test_paths_become_relative_uri_references() -> None:
    log = to_sarif([_finding(path="dir with space/ünï.py", fingerprint="")])
    assert _errors(log) == []
    result = log["runs"][0]["results"][0]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20with%20space/%C3%BCn%C3%AF.py"
    assert "partialFingerprints" not in result  # none computed, none claimed


def test_empty_input_is_a_valid_empty_log() -> None:
    log = to_sarif([])
    assert _errors(log) == []
    assert log["runs"] == []


def test_deleting_suggestion_is_an_empty_insertion() -> None:
    log = to_sarif([_finding(suggestion="")])
    replacement = log["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"] == {"text": ""}
    assert _errors(log) == []


@pytest.mark.parametrize("severity", ["error", "warning", "note"])
def test_levels(severity: str) -> None:
    log = to_sarif([_finding(severity=severity)])
    assert log["runs"][0]["results"][0]["level"] == severity
    assert _errors(log) == []


async def test_real_analyzers_output_validates(tmp_path: Path) -> None:
    source = "\n".join(
        [
            "import os",
            "import subprocess",
            "",
            "",
            "def f(x):",
            "    if x == None:",
            "        subprocess.call(x, shell=True)",
            "",
        ]
    )
    (tmp_path / "mod.py").write_text(source, encoding="utf-8")
    (tmp_path / "bad.py").write_text("def f(:\n", encoding="utf-8")
    results = await run_analyzers(
        tmp_path, ["mod.py", "bad.py"], [RuffAnalyzer(), BanditAnalyzer()], timeout=120
    )
    findings = with_fingerprints(
        [f for r in results for f in r.findings],
        lambda p: (tmp_path / p).read_text(encoding="utf-8").splitlines(),
    )
    log = to_sarif(findings, results)
    assert _errors(log) == []
    assert {run["tool"]["driver"]["name"] for run in log["runs"]} == {"ruff", "bandit"}
    assert all(res["partialFingerprints"][FINGERPRINT_KEY] for run in log["runs"] for res in run["results"])
    assert any("fixes" in res for res in log["runs"][0]["results"])
    json.dumps(log)  # plain JSON, nothing exotic inside
