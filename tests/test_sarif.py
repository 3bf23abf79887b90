"""SARIF 2.1.0 output, validated against the OASIS schema, and what GitHub code scanning reads from it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from analyzers.bandit import BanditAnalyzer
from analyzers.base import AnalyzerResult, Finding, run_analyzers, with_fingerprints
from analyzers.ruff import RuffAnalyzer
from analyzers.sarif import FINGERPRINT_KEY, security_severity, to_sarif
from analyzers.semgrep import SemgrepAnalyzer

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


# What GitHub code scanning reads: one run per analyzer, rules described by their analyzer -----

SOURCE = "\n".join(
    [
        "import subprocess",
        "import yaml",
        "",
        "",
        "def f(x):",
        "    if x == None:",
        "        subprocess.call(x, shell=True)",
        "    return yaml.load(x)",
        "",
    ]
)


@pytest.fixture(scope="module")
def real_log(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """ruff, bandit and semgrep on one file, as the CLI's --format sarif would report them."""
    root = tmp_path_factory.mktemp("sarif")
    (root / "mod.py").write_text(SOURCE, encoding="utf-8")
    analyzers = [RuffAnalyzer(), BanditAnalyzer(), SemgrepAnalyzer()]
    results = asyncio.run(run_analyzers(root, ["mod.py"], analyzers, timeout=120))
    assert all(r.error is None for r in results), [r.error for r in results]
    findings = with_fingerprints(
        [f for r in results for f in r.findings],
        lambda p: (root / p).read_text(encoding="utf-8").splitlines(),
    )
    return to_sarif(findings, results)


def _runs(log: dict) -> dict[str, dict]:
    return {run["tool"]["driver"]["name"]: run for run in log["runs"]}


def _rule(log: dict, tool: str, rule_id: str) -> dict:
    [rule] = [r for r in _runs(log)[tool]["tool"]["driver"]["rules"] if r["id"] == rule_id]
    return rule


def test_real_log_is_valid_sarif_with_one_run_per_analyzer(real_log: dict) -> None:
    assert _errors(real_log) == []
    assert [run["tool"]["driver"]["name"] for run in real_log["runs"]] == ["ruff", "bandit", "semgrep"]
    for run in real_log["runs"]:
        driver = run["tool"]["driver"]
        assert driver["version"] and driver["informationUri"].startswith("https://")
        assert {res["ruleId"] for res in run["results"]} == {rule["id"] for rule in driver["rules"]}
        assert run["invocations"][0]["executionSuccessful"] is True


def test_every_result_carries_the_bots_fingerprint(real_log: dict) -> None:
    results = [res for run in real_log["runs"] for res in run["results"]]
    assert results
    assert all(len(res["partialFingerprints"][FINGERPRINT_KEY]) == 16 for res in results)
    assert len({res["partialFingerprints"][FINGERPRINT_KEY] for res in results}) == len(results)


def test_each_rule_has_its_own_description_not_its_first_message(real_log: dict) -> None:
    for run in real_log["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for result in run["results"]:
            rule = rules[result["ruleIndex"]]
            assert rule["id"] == result["ruleId"]
            assert rule["shortDescription"]["text"] != result["message"]["text"]
    # From the rule's own documentation: semgrep's rule YAML (metavariable unfilled), bandit's
    # docstring, ruff's `ruff rule`.
    semgrep = _rule(real_log, "semgrep", "py-subprocess-shell-true")
    assert semgrep["shortDescription"]["text"].startswith("subprocess.$FN(..., shell=True)")
    assert (
        _rule(real_log, "bandit", "B602")["shortDescription"]["text"] == "Use of popen with shell equals true"
    )
    assert "None" in _rule(real_log, "ruff", "E711")["shortDescription"]["text"]


def test_rules_carry_help_with_why_and_how(real_log: dict) -> None:
    semgrep = _rule(real_log, "semgrep", "py-subprocess-shell-true")
    assert "Pass an argument list without shell=True" in semgrep["help"]["text"]
    assert "https://cwe.mitre.org/data/definitions/78.html" in semgrep["help"]["markdown"]
    assert semgrep["helpUri"].startswith("https://")
    bandit = _rule(real_log, "bandit", "B602")
    assert "shell injection" in bandit["help"]["text"]
    assert bandit["helpUri"].startswith("https://bandit.readthedocs.io/")
    ruff = _rule(real_log, "ruff", "E711")
    assert "## What it does" in ruff["help"]["markdown"]  # ruff's own page for the rule
    assert ruff["helpUri"] == "https://docs.astral.sh/ruff/rules/none-comparison"


def test_security_rules_are_tagged_with_their_cwe_and_scored(real_log: dict) -> None:
    for tool, rule_id, cwe in [
        ("semgrep", "py-subprocess-shell-true", "78"),
        ("semgrep", "py-yaml-load-unsafe", "502"),
        ("bandit", "B602", "78"),
        ("bandit", "B506", "502"),  # bandit files it under CWE-20; its analyzer says what it is
    ]:
        properties = _rule(real_log, tool, rule_id)["properties"]
        assert properties["tags"][0] == "security"
        assert f"external/cwe/cwe-{cwe}" in properties["tags"]
        score = float(properties["security-severity"])
        assert 0.0 < score <= 10.0
    # Command injection at error severity is critical to GitHub (9.0 and up) ...
    assert _rule(real_log, "semgrep", "py-subprocess-shell-true")["properties"]["security-severity"] == "9.0"
    # ... and a rule about style or correctness is no security rule at all.
    assert "properties" not in _rule(real_log, "ruff", "E711")


def test_security_severity_follows_severity_and_weakness() -> None:
    assert security_severity("error", ["CWE-78"]) == "9.0"
    assert security_severity("error", ["CWE-295"]) == "7.0"
    assert security_severity("warning", ["CWE-502"]) == "7.0"
    assert security_severity("warning", []) == "5.0"
    assert security_severity("note", ["CWE-88"]) == "3.0"


def test_a_tool_without_an_analyzer_still_gets_a_valid_run() -> None:
    # The agents' findings: no analyzer documents their rules; the run is still valid SARIF.
    log = to_sarif([_finding(tool="agents", rule_id="agents/bug", help_url=None, suggestion=None)])
    assert _errors(log) == []
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["shortDescription"]["text"] == "agents rule agents/bug"
    assert "informationUri" not in log["runs"][0]["tool"]["driver"]
