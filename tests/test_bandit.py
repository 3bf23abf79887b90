"""BanditAnalyzer with the real bandit, on small files written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.bandit import BanditAnalyzer, message_for, severity_for
from tests.files import write_file

RISKY = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n    return eval(cmd)\n"


async def _run(root: Path, paths: list[str], analyzer: BanditAnalyzer | None = None, seconds: float = 120):
    return await (analyzer or BanditAnalyzer()).run(root, paths, timeout=seconds)


async def test_findings_are_mapped(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "app/run.py", RISKY)
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert result.version and result.version[0].isdigit()
    by_rule = {f.rule_id: f for f in result.findings}
    shell = by_rule["B602"]
    assert (shell.tool, shell.severity, shell.path, shell.line, shell.end_line) == (
        "bandit",
        "error",
        "app/run.py",
        5,
        5,
    )
    assert shell.column == 5  # bandit's col_offset 4, made 1-based
    assert "(CWE-78)" in shell.message
    assert shell.help_url and "b602" in shell.help_url
    assert by_rule["B307"].severity == "warning"  # eval: MEDIUM severity, HIGH confidence
    assert by_rule["B404"].severity == "note"  # import subprocess: LOW


async def test_multi_line_issue_spans_its_lines(tmp_path: Path) -> None:
    rel = write_file(
        tmp_path, "multi.py", "import subprocess\nsubprocess.call(\n    'ls',\n    shell=True,\n)\n"
    )
    result = await _run(tmp_path, [rel])
    [shell] = [f for f in result.findings if f.rule_id == "B602"]
    assert shell.line == 2
    assert shell.end_line >= 4


async def test_unparsable_files_become_notices(tmp_path: Path) -> None:
    bad = write_file(tmp_path, "bad.py", "def f(:\n")
    latin = write_file(tmp_path, "latin.py", b"x = '\xe9\xff'\n")
    good = write_file(tmp_path, "good.py", RISKY)
    result = await _run(tmp_path, [bad, latin, good])
    assert result.error is None  # exit 1 means "issues found", not a crash
    assert any(f.path == "good.py" for f in result.findings)
    assert len(result.notices) == 2
    assert any("bad.py" in n for n in result.notices)
    assert any("latin.py" in n for n in result.notices)


async def test_empty_file_and_unicode_name(tmp_path: Path) -> None:
    empty = write_file(tmp_path, "empty.py", "")
    odd = write_file(tmp_path, "sp ace/ünï cødé.py", "import pickle\npickle.loads(b'')\n")
    result = await _run(tmp_path, [empty, odd])
    assert result.error is None
    assert {f.path for f in result.findings} == {odd}
    assert {f.rule_id for f in result.findings} >= {"B301"}


async def test_repository_config_is_not_read(tmp_path: Path) -> None:
    write_file(tmp_path, ".bandit", "[bandit]\nskips = B602,B404,B307\n")
    write_file(tmp_path, "pyproject.toml", '[tool.bandit]\nskips = ["B602"]\n')
    rel = write_file(tmp_path, "run.py", RISKY)
    result = await _run(tmp_path, [rel])
    assert "B602" in {f.rule_id for f in result.findings}


async def test_reviewed_code_is_never_imported(tmp_path: Path) -> None:
    # A repository that shadows bandit (or anything bandit imports) must not run its code.
    marker = tmp_path / "imported"
    payload = f"open({str(marker)!r}, 'w').write('yes')\n"
    write_file(tmp_path, "bandit.py", payload)
    write_file(tmp_path, "json.py", payload)
    rel = write_file(tmp_path, "run.py", RISKY)
    result = await _run(tmp_path, [rel, "bandit.py"])
    assert result.error is None
    assert any(f.path == "run.py" for f in result.findings)
    assert not marker.exists()


async def test_timeout_degrades(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANALYZER_POOL", "0")  # the CLI's run; the warm pool's: test_analyzer_pool.py
    rel = write_file(tmp_path, "run.py", RISKY)
    result = await _run(tmp_path, [rel], seconds=0.01)
    assert result.error == "bandit timed out after 0.01 s"
    assert result.findings == []


async def test_nothing_to_check_runs_nothing(tmp_path: Path) -> None:
    result = await _run(tmp_path, ["deleted.py"])
    assert result.error is None and result.findings == []


@pytest.mark.parametrize(
    ("severity", "confidence", "expected"),
    [
        ("HIGH", "HIGH", "error"),
        ("HIGH", "MEDIUM", "error"),
        ("HIGH", "LOW", "warning"),
        ("MEDIUM", "HIGH", "warning"),
        ("MEDIUM", "LOW", "note"),
        ("LOW", "HIGH", "note"),
        ("LOW", "LOW", "note"),
    ],
)
def test_severity_mapping(severity: str, confidence: str, expected: str) -> None:
    assert severity_for(severity, confidence) == expected


def test_message_mentions_cwe_and_low_confidence() -> None:
    item = {"issue_text": "Bad.", "issue_cwe": {"id": 89}, "issue_confidence": "LOW"}
    assert message_for(item) == "Bad. (CWE-89) (low confidence)"
    assert message_for({"issue_text": "Bad.", "issue_cwe": {"id": 0}}) == "Bad."


async def test_password_rules_never_quote_the_value(tmp_path: Path) -> None:
    """bandit's B105-B107 messages quote the literal; a real credential must not reach a comment."""
    code = (
        'password = "hunter2-secret"\n\n\n'
        'def login(password="s3cr3t-value"):\n    return password\n\n\n'
        'login(password="another-secret")\n'
    )
    write_file(tmp_path, "creds.py", code)
    result = await BanditAnalyzer().run(tmp_path, ["creds.py"], timeout=60)
    rules = {f.rule_id for f in result.findings}
    assert {"B105", "B106", "B107"} <= rules
    for finding in result.findings:
        for secret in ("hunter2-secret", "s3cr3t-value", "another-secret"):
            assert secret not in finding.message
