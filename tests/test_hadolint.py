"""HadolintAnalyzer with the real hadolint, on small Dockerfiles written to tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analyzers.hadolint import HadolintAnalyzer
from analyzers.process import find_tool
from tests.files import write_file

pytestmark = pytest.mark.skipif(find_tool("hadolint") is None, reason="hadolint is not installed")

DOCKERFILE = (
    "FROM python:3.12-slim\nADD app.py /srv/app.py\nRUN pip install --no-cache-dir requests\nUSER root\n"
)


async def _run(root: Path, paths: list[str], analyzer: HadolintAnalyzer | None = None, seconds: float = 60):
    return await (analyzer or HadolintAnalyzer()).run(root, paths, timeout=seconds)


async def test_real_bugs_are_found(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "docker/Dockerfile", DOCKERFILE)
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert result.version and result.version[0].isdigit()
    by_rule = {f.rule_id: f for f in result.findings}
    add = by_rule["DL3020"]
    assert (add.path, add.line, add.severity) == ("docker/Dockerfile", 2, "error")
    assert add.help_url == "https://github.com/hadolint/hadolint/wiki/DL3020"
    root_user = by_rule["DL3002"]
    assert (root_user.line, root_user.severity, root_user.cwe) == (4, "warning", "CWE-250")


async def test_run_lines_get_shellcheck_rules(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "app.Dockerfile", "FROM alpine:3.20\nRUN rm -rf $TARGET/cache\n")
    [finding] = (await _run(tmp_path, [rel])).findings
    assert (finding.rule_id, finding.line, finding.severity) == ("SC2086", 2, "note")
    assert finding.help_url == "https://www.shellcheck.net/wiki/SC2086"


async def test_repository_config_is_ignored(tmp_path: Path) -> None:
    write_file(tmp_path, ".hadolint.yaml", "ignored:\n  - DL3020\n  - DL3002\n")
    rel = write_file(tmp_path, "Dockerfile", DOCKERFILE)
    rules = {f.rule_id for f in (await _run(tmp_path, [rel])).findings}
    assert {"DL3020", "DL3002"} <= rules


async def test_file_name_starting_with_a_dash(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "-x.Dockerfile", "FROM alpine:3.20\nADD a.txt /a.txt\n")
    result = await _run(tmp_path, [rel])
    assert [(f.path, f.rule_id) for f in result.findings] == [(rel, "DL3020")]


def test_handles_dockerfile_names() -> None:
    analyzer = HadolintAnalyzer()
    for name in ("Dockerfile", "a/Dockerfile.prod", "web.Dockerfile", "Containerfile"):
        assert analyzer.handles(name), name
    for name in ("Dockerfile.dockerignore", "docker-compose.yml", "notes.md"):
        assert not analyzer.handles(name), name


async def test_missing_executable_and_timeout(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "Dockerfile", DOCKERFILE)
    missing = await _run(tmp_path, [rel], HadolintAnalyzer(executable=str(tmp_path / "nope" / "hadolint")))
    assert missing.error and missing.error.startswith("hadolint could not start")
    fake = tmp_path / "fake-hadolint"
    body = (
        "import sys, time\n"
        "if '--version' in sys.argv: print('Haskell Dockerfile Linter 9.9.9')\n"
        "else: time.sleep(60)"
    )
    fake.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
    fake.chmod(0o755)
    slow = await _run(tmp_path, [rel], HadolintAnalyzer(executable=str(fake)), seconds=0.5)
    assert slow.error == "hadolint timed out after 0.5 s"
    assert slow.version == "9.9.9"
