"""Analyses end to end: real repositories, real git, real analyzers; the same JSON as the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.analysis.service import AnalysisService
from bot.config import AnalysisSettings
from tests import test_analysis_support
from tests.test_analysis_support import (
    GitServer,
    Who,
    bare_copy,
    demo_repo,
    finished,
    make_service,
    request,
)

git_server = test_analysis_support.git_server  # the same fixture: a git server per test


def cli_json(repo: Path) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "review",
            str(repo),
            "--base",
            "main",
            "--head",
            "feature",
            "--format",
            "json",
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    return json.loads(out.stdout)


def summary(result: dict) -> list[tuple]:
    return sorted(
        (f["tool"], f["rule_id"], f["path"], f["line"], f["fingerprint"]) for f in result["findings"]
    )


async def run_one(service: AnalysisService, repository: str):
    service.start()
    try:
        analysis = await service.submit(request(repository), Who())
        assert analysis.status == "queued"
        return await finished(service, analysis.id)
    finally:
        await service.stop()


async def test_analysis_of_a_path_under_a_root_returns_the_cli_findings(tmp_path):
    repo = demo_repo(tmp_path / "roots")
    service = make_service(AnalysisSettings(roots=(str(tmp_path / "roots"),)))
    done = await run_one(service, "demo")
    assert done.status == "done", done.error
    assert summary(done.result) == summary(cli_json(repo))
    assert {"semgrep", "bandit", "ruff"} <= {f["tool"] for f in done.result["findings"]}


async def test_analysis_of_an_allowed_loopback_url_returns_the_cli_findings(tmp_path, git_server: GitServer):
    repo = demo_repo(tmp_path / "work")
    bare_copy(repo, git_server.root, "demo")
    service = make_service(AnalysisSettings(loopback_hosts=(git_server.host,)))
    done = await run_one(service, git_server.url("demo"))
    assert done.status == "done", done.error
    assert summary(done.result) == summary(cli_json(repo))
