"""Hostile targets of an analysis: redirects, failing fetches, repositories that try to run code."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
from pathlib import Path

import pytest

from bot.analysis.service import AnalysisService, TargetRejected
from bot.config import AnalysisSettings
from tests import test_analysis_support
from tests.test_analysis_support import (
    GitServer,
    Who,
    bare_copy,
    demo_repo,
    finished,
    make_service,
    redirecting_server,
    request,
    run_git,
)

git_server = test_analysis_support.git_server  # the same fixture: a git server per test


@pytest.fixture
async def service_for():
    started: list[AnalysisService] = []

    def make(settings: AnalysisSettings) -> AnalysisService:
        service = make_service(settings)
        service.start()
        started.append(service)
        return service

    yield make
    for service in started:
        await service.stop()


async def test_a_redirect_is_never_followed(tmp_path, git_server: GitServer, service_for):
    bare_copy(demo_repo(tmp_path / "work"), git_server.root, "demo")
    redirector = await redirecting_server(f"http://{git_server.host}")
    try:
        host = f"127.0.0.1:{redirector.port}"
        service = service_for(AnalysisSettings(loopback_hosts=(host,)))
        analysis = await service.submit(request(f"http://{host}/demo.git"), Who())
        ended = await finished(service, analysis.id)
    finally:
        await redirector.close()
    assert ended.status == "failed"
    assert ended.error and "git fetch failed" in ended.error
    assert git_server.hits == []  # the redirect target was never asked


async def test_a_failing_fetch_fails_the_analysis_with_a_safe_error(
    tmp_path, git_server: GitServer, service_for
):
    bare_copy(demo_repo(tmp_path / "work"), git_server.root, "demo")
    service = service_for(AnalysisSettings(loopback_hosts=(git_server.host,)))
    missing = await service.submit(request(git_server.url("nothing-here")), Who())
    unknown_ref = await service.submit(request(git_server.url("demo"), head="no-such-branch"), Who())
    for analysis_id in (missing.id, unknown_ref.id):
        ended = await finished(service, analysis_id)
        assert ended.status == "failed" and ended.result is None
        assert ended.error and ended.error.startswith("git fetch failed")
        assert len(ended.error) <= 500 and "\n" not in ended.error
    assert await service.sarif(missing.id) is None


async def test_a_dead_server_fails_the_analysis(tmp_path, git_server: GitServer, service_for):
    redirector = await redirecting_server("http://127.0.0.1:1")
    port = redirector.port
    await redirector.close()  # nothing listens there any more
    host = f"127.0.0.1:{port}"
    service = service_for(AnalysisSettings(loopback_hosts=(host,)))
    analysis = await service.submit(request(f"http://{host}/demo.git"), Who())
    ended = await finished(service, analysis.id)
    assert ended.status == "failed" and "git fetch failed" in (ended.error or "")


@pytest.mark.parametrize(
    "repository",
    ["https://10.0.0.1/x.git", "https://169.254.169.254/x.git", "https://[::1]/x.git", "file:///etc",
     "ext::sh", "../escape", "/etc"],
)  # fmt: skip
async def test_submit_refuses_before_queueing(tmp_path, repository, service_for):
    settings = AnalysisSettings(
        allowed_hosts=("10.0.0.1", "169.254.169.254", "[::1]"), roots=(str(tmp_path),)
    )
    service = service_for(settings)
    with pytest.raises(TargetRejected):
        await service.submit(request(repository), Who())
    assert await service.list(Who(), page=1, per_page=10) == ([], 0)


def trap_repo(root: Path, marker: Path) -> Path:
    """The demo repository, configured every way git could run a command from it."""
    repo = demo_repo(root)
    run_git(repo, "checkout", "-q", "feature")
    (repo / ".gitattributes").write_text("* filter=trap diff=trap\n*.py filter=lfs diff=lfs merge=lfs\n")
    (repo / ".gitmodules").write_text('[submodule "x"]\n\tpath = x\n\turl = ext::sh -c touch% /tmp/pwned\n')
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", "attributes")  # committed first: the traps come after
    write = f"#!/bin/sh\necho ran >> {marker}\nexit 0\n"
    script = root / "trap.sh"
    script.write_text(write)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    hooks = repo / ".git" / "hooks"
    for hook in ("pre-commit", "post-checkout", "post-merge", "reference-transaction", "pre-upload-pack",
                 "post-rewrite", "pre-push", "fsmonitor-watchman", "push-to-checkout", "update"):  # fmt: skip
        (hooks / hook).write_text(write)
        (hooks / hook).chmod(0o755)
    for key, value in {
        "core.fsmonitor": str(script),
        "core.hooksPath": str(hooks),
        "core.pager": str(script),
        "core.sshCommand": str(script),
        "core.askPass": str(script),
        "core.editor": str(script),
        "credential.helper": f"!{script}",
        "filter.trap.clean": str(script),
        "filter.trap.smudge": str(script),
        "filter.trap.process": str(script),
        "filter.trap.required": "true",
        "diff.trap.textconv": str(script),
        "diff.trap.command": str(script),
        "diff.external": str(script),
        "uploadpack.packObjectsHook": str(script),
        "core.alternateRefsCommand": str(script),
        "gpg.program": str(script),
        "lfs.standalonetransferagent": "trap",
        "lfs.customtransfer.trap.path": str(script),
    }.items():
        run_git(repo, "config", key, value)
    marker.unlink(missing_ok=True)
    return repo


async def test_nothing_from_the_repository_runs(tmp_path, git_server: GitServer, service_for):
    marker = tmp_path / "marker"
    repo = trap_repo(tmp_path / "root", marker)
    served = bare_copy(repo, git_server.root, "trap")
    for key in ("core.fsmonitor", "uploadpack.packObjectsHook", "core.alternateRefsCommand"):
        run_git(served, "config", key, str(tmp_path / "root" / "trap.sh"))
    for hook in ("pre-upload-pack", "reference-transaction"):
        (served / "hooks" / hook).write_text(f"#!/bin/sh\necho ran >> {marker}\n")
        (served / "hooks" / hook).chmod(0o755)
    marker.unlink(missing_ok=True)
    settings = AnalysisSettings(roots=(str(tmp_path / "root"),), loopback_hosts=(git_server.host,))
    service = service_for(settings)
    by_path = await service.submit(request("demo"), Who())
    by_url = await service.submit(request(git_server.url("trap")), Who())
    for analysis_id in (by_path.id, by_url.id):
        ended = await finished(service, analysis_id)
        assert ended.status == "done", ended.error
        assert {"bandit", "ruff"} <= {f["tool"] for f in ended.result["findings"]}
    assert not marker.exists()
    assert not os.path.exists("/tmp/pwned")
    # The control: the same repository does run its commands for a plain git command.
    argv = ["git", "-C", str(repo), "-c", "core.fsmonitor=false", "commit", "-q", "--allow-empty", "-m", "x"]
    await asyncio.to_thread(subprocess.run, argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert marker.exists()


async def test_the_fetch_goes_to_the_checked_address_not_a_new_dns_answer(tmp_path, git_server: GitServer):
    """The name below resolves nowhere: git can only reach the server through the pinned address."""
    bare_copy(demo_repo(tmp_path / "work"), git_server.root, "demo")
    port = git_server.host.split(":")[1]
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    settings = AnalysisSettings(loopback_hosts=(f"git.pinned.invalid:{port}",))
    service = make_service(settings, resolver=resolver)
    service.start()
    try:
        analysis = await service.submit(request(f"http://git.pinned.invalid:{port}/demo.git"), Who())
        ended = await finished(service, analysis.id)
    finally:
        await service.stop()
    assert ended.status == "done", ended.error
    assert asked == ["git.pinned.invalid", "git.pinned.invalid"]  # at submit, and again before the fetch
    assert git_server.hits  # and git reached the server at the address checked
