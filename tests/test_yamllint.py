"""YamllintAnalyzer with the real yamllint, on small YAML files written to tmp_path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from analyzers.yamllint import YamllintAnalyzer
from tests.files import write_file

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("yamllint") is None, reason="yamllint is not installed"
)


async def _run(root: Path, paths: list[str], seconds: float = 60):
    return await YamllintAnalyzer().run(root, paths, timeout=seconds)


async def test_duplicate_key_and_syntax_error_are_errors(tmp_path: Path) -> None:
    dup = write_file(tmp_path, "deploy/app.yaml", "name: web\nreplicas: 2\nname: api\n")
    broken = write_file(tmp_path, "broken.yml", "items: [1, 2\nother: 3\n")
    result = await _run(tmp_path, [dup, broken])
    assert result.error is None
    assert result.version and result.version[0].isdigit()
    found = {(f.path, f.rule_id, f.line, f.severity) for f in result.findings}
    assert ("deploy/app.yaml", "key-duplicates", 3, "error") in found
    assert any(f.path == broken and f.rule_id == "syntax" and f.severity == "error" for f in result.findings)
    [duplicate] = [f for f in result.findings if f.rule_id == "key-duplicates"]
    assert "only the last" in duplicate.message
    assert duplicate.help_url and duplicate.help_url.endswith("key_duplicates")


async def test_ambiguous_truthy_is_a_warning_but_workflow_on_key_is_not(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "ci.yml", "on:\n  push: {}\nenabled: yes\ncountry: NO\nflag: true\n")
    result = await _run(tmp_path, [rel])
    assert sorted((f.rule_id, f.line, f.severity) for f in result.findings) == [
        ("truthy", 3, "warning"),
        ("truthy", 4, "warning"),
    ]


async def test_style_is_not_reported_and_repo_config_is_ignored(tmp_path: Path) -> None:
    write_file(tmp_path, ".yamllint", "rules:\n  key-duplicates: disable\n  line-length: {max: 10}\n")
    rel = write_file(
        tmp_path,
        "-style.yml",
        "key:   'a very long value that is far too long for eighty columns of text'\nkey: 2\n",
    )
    result = await _run(tmp_path, [rel])
    assert [(f.path, f.rule_id) for f in result.findings] == [(rel, "key-duplicates")]


async def test_missing_tool_and_timeout_degrade(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rel = write_file(tmp_path, "a.yml", "a: 1\n")
    monkeypatch.setenv("ANALYZER_POOL", "0")  # the CLI's run; the warm pool's: test_analyzer_pool.py
    slow = await _run(tmp_path, [rel], seconds=0.001)  # far less than a Python start-up
    assert slow.error == "yamllint timed out after 0.001 s"
    monkeypatch.setattr("analyzers.yamllint.sys.executable", str(tmp_path / "nope" / "python"))
    missing = await _run(tmp_path, [rel])
    assert missing.error and missing.error.startswith("yamllint could not start")


def test_handles_every_yaml_file() -> None:
    analyzer = YamllintAnalyzer()
    assert analyzer.handles("k8s/deploy.yaml") and analyzer.handles(".github/workflows/ci.yml")
    assert not analyzer.handles("README.md")
