"""Class 1 of issue 8: a review that could not be completed must never look like a pass.

Each way a PR author could make the bot give up (a huge incompressible file, a file the bot
cannot write, an analyzer crash, an unexpected error in the analysis or in the dialogue, a head
that cannot be fetched) is tried end to end against the GitHub double with real git and the
real analyzers: what could not be reviewed is named in the summary, the rest is still posted,
and the check run never concludes ``success`` or ``neutral`` for a PR that was not fully reviewed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

import bot.pipeline.analyze
import bot.pipeline.run
import bot.worker
from analyzers import AnalyzerResult
from bot.agents.config import load_agent_config
from bot.pipeline.checkout import BadCommitId, check_commit_id, fetch_commit
from bot.queue import ReviewJob
from bot.web import CONTEXT
from bot.worker import failure_reason, retry_delay
from tests.e2e import INSTALLATION, OWNER, REPO, World, make_world
from tests.ghdouble import bulk_commit, commit, make_repo

MB = 1024 * 1024
EVAL_PY = "def run(expression):\n    return eval(expression)\n"
FAKE_TOKEN = "ghs_FAKEtokenTHATmustNEVERbePOSTED0123456"
PASSING = ("success", "neutral", "skipped")


def placed(world: World) -> set[tuple[str, int]]:
    return {(c["path"], c["line"]) for r in world.reviews() for c in r["comments"]}


def everything_posted(world: World) -> str:
    bodies = [c["body"] for c in world.github.issue_comments.get(world.key, [])]
    bodies += [r["body"] for r in world.reviews()] + [
        c["body"] for r in world.reviews() for c in r["comments"]
    ]
    bodies += [str(run.get("output")) for run in world.check_runs()]
    return "\n".join(bodies)


def huge_incompressible(size: int) -> bytes:
    """Text for git's binary sniff (its first 8,000 bytes), random bytes after: GitHub lists no
    patch for it, the bot selects it for analysis, and its pack is as large as the file."""
    return b"# generated data follows\n" * 400 + os.urandom(size)


@pytest.mark.parametrize("conclusion", ["failure", "action_required"])
async def test_a_huge_incompressible_file_is_named_and_the_rest_is_reviewed(
    aiohttp_client, github_double, tmp_path, conclusion
):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    files: dict[str, str | bytes] = {f"app/m{i}.py": EVAL_PY for i in range(5)}
    files["app/huge.py"] = huge_incompressible(24 * MB)
    commit(path, files, branch="feature")
    # fail_on=never: the conclusion can only come from the review being incomplete.
    world = await make_world(
        aiohttp_client, github_double, path, fail_on="never", incomplete_conclusion=conclusion
    )
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    assert {(f"app/m{i}.py", 2) for i in range(5)} <= placed(world)  # the rest is reviewed inline
    [summary] = world.summaries()
    assert "`app/huge.py` (larger than 1 MB)" in summary["body"]
    assert "1 changed file could not be analyzed" in summary["body"]
    [run] = world.check_runs()
    assert run["status"] == "completed" and run["conclusion"] == conclusion
    assert "could not be analyzed" in run["output"]["summary"]
    # One attempt was enough: the culprit was bisected out, nothing was retried or given up.
    assert len([p for m, p, _ in world.github.requests if m == "GET" and p.endswith("/files")]) == 1


async def test_several_oversized_files_among_many_are_each_bisected_out(
    aiohttp_client, github_double, tmp_path
):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    files: dict[str, str | bytes] = {f"src/ok{i}.py": EVAL_PY for i in range(9)}
    files.update({f"src/big{i}.py": huge_incompressible(2 * MB) for i in range(3)})
    commit(path, files, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, fail_on="never", max_file_bytes=100_000)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    assert {(f"src/ok{i}.py", 2) for i in range(9)} <= placed(world)
    [summary] = world.summaries()
    for i in range(3):
        assert f"`src/big{i}.py` (larger than 97.7 KB)" in summary["body"]
    assert "3 changed files could not be analyzed" in summary["body"]
    [run] = world.check_runs()
    assert run["conclusion"] not in PASSING


async def test_a_file_that_cannot_be_written_here_is_named_and_the_rest_is_reviewed(
    aiohttp_client, github_double, tmp_path
):
    # git takes a 300-byte file name; this file system does not (255): the write fails for it alone.
    long_name = "app/" + "x" * 300 + ".py"
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    bulk_commit(path, {long_name: EVAL_PY.encode(), "app/ok.py": EVAL_PY.encode()}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, fail_on="never")
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    assert ("app/ok.py", 2) in placed(world)
    [summary] = world.summaries()
    assert "could not be written" in summary["body"] and "x" * 300 in summary["body"]
    [run] = world.check_runs()
    assert run["conclusion"] == "failure" and run["conclusion"] not in PASSING


class CrashingAnalyzer:
    """An analyzer with a bug that one file's content triggers (its message holds a secret)."""

    name = "crashy"

    def handles(self, path: str) -> bool:
        return path.endswith(".py")

    async def version(self) -> str | None:
        return "1.0"

    def config_key(self) -> str:
        return ""

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        raise RuntimeError(f"cannot parse {paths[0]} with {FAKE_TOKEN}")


async def test_an_analyzer_crash_is_named_and_the_other_findings_are_posted(
    aiohttp_client, github_double, tmp_path, monkeypatch
):
    real = bot.pipeline.run.build_analyzers
    monkeypatch.setattr(
        bot.pipeline.run, "build_analyzers", lambda *a, **k: [*real(*a, **k), CrashingAnalyzer()]
    )
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, fail_on="never")
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    assert ("app.py", 2) in placed(world)
    [summary] = world.summaries()
    assert "The review is incomplete" in summary["body"] and "crashy failed: RuntimeError" in summary["body"]
    [run] = world.check_runs()
    assert run["conclusion"] == "failure"
    assert FAKE_TOKEN not in everything_posted(world)


async def test_an_unexpected_error_in_the_analysis_publishes_a_failing_review_at_once(
    aiohttp_client, github_double, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):  # stands for a bug that a hostile input reaches
        raise ValueError(f"unexpected shape near {FAKE_TOKEN}")

    monkeypatch.setattr(bot.pipeline.analyze, "merge_findings", broken)
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    [summary] = world.summaries()
    assert "The analysis failed unexpectedly (ValueError)" in summary["body"]
    [run] = world.check_runs()
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert FAKE_TOKEN not in everything_posted(world)
    files_listed = [p for m, p, _ in world.github.requests if m == "GET" and p.endswith("/files")]
    assert len(files_listed) == 1  # published on the first attempt: no retry loop, no give-up


async def test_a_head_that_cannot_be_fetched_is_given_up_as_a_failure_and_the_summary_says_why(
    aiohttp_client, github_double, tmp_path
):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, job_attempts=2)
    payload = world.payload("opened")
    payload["repository"]["clone_url"] = world.github.git_url(OWNER, "gone")  # the fetch keeps failing
    payload["pull_request"]["head"]["repo"]["clone_url"] = world.github.git_url(OWNER, "gone-too")
    assert await world.deliver("pull_request", payload) == 202
    await world.settle()

    assert world.reviews() == []
    [run] = world.check_runs()
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert "Gave up after 2 attempt(s): git fetch failed" in run["output"]["summary"]
    [summary] = world.summaries()
    assert "could not be completed" in summary["body"] and "git fetch failed" in summary["body"]
    posted = everything_posted(world)
    assert all(token not in posted for token in world.github.tokens)


async def test_a_given_up_review_takes_the_repositorys_incomplete_conclusion(
    aiohttp_client, github_double, tmp_path
):
    path = make_repo(
        tmp_path / "hello",
        {"README.md": "hi\n", ".github/review-bot.yml": "incomplete_conclusion: action_required\n"},
    )
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, job_attempts=1)
    payload = world.payload("opened")
    payload["repository"]["clone_url"] = world.github.git_url(OWNER, "gone")
    payload["pull_request"]["head"]["repo"]["clone_url"] = world.github.git_url(OWNER, "gone")
    assert await world.deliver("pull_request", payload) == 202
    await world.settle()
    [run] = world.check_runs()
    assert run["conclusion"] == "action_required"


async def test_a_dialogue_that_raises_degrades_the_review_and_never_gives_it_up(
    aiohttp_client, github_double, tmp_path, monkeypatch
):
    async def broken(*args, **kwargs):  # e.g. reading a path the model made up
        raise MemoryError(FAKE_TOKEN)

    monkeypatch.setattr(bot.pipeline.run, "discuss_outcome", broken)
    config_path = tmp_path / "agent_config.yaml"
    config_path.write_text(
        "llm: {provider: openai-compatible, base_url: 'http://127.0.0.1:9/v1', timeout_seconds: 3}\n"
        "agents:\n  coder: {model: m}\n  reviewer: {model: m}\n"
    )
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path, fail_on="warning")
    world.bot.app[CONTEXT].agent_config = load_agent_config(config_path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    assert ("app.py", 2) in placed(world)
    [summary] = world.summaries()
    assert "the dialogue failed unexpectedly (MemoryError)" in summary["body"]
    [run] = world.check_runs()
    # The dialogue is advice on top of the analyzers: its loss is said, the conclusion is theirs.
    assert run["status"] == "completed" and run["conclusion"] == "failure"  # B307 is a warning
    assert FAKE_TOKEN not in everything_posted(world)


@pytest.mark.parametrize(
    "sha",
    [
        "--upload-pack=touch /tmp/pwned",
        "../../../repos/x/y/issues",
        "ABCDEF" + "0" * 34,  # uppercase: not what GitHub sends
        "a" * 39,
        "a" * 41,
        "a" * 40 + "\n",
    ],
)
async def test_a_bad_head_sha_is_refused_before_any_git_call(tmp_path, sha):
    with pytest.raises(BadCommitId):
        check_commit_id(sha)
    with pytest.raises(BadCommitId):  # fetch_commit checks again: it never hands git an option
        await fetch_commit("http://127.0.0.1:9/x.git", sha, token=None, workdir=tmp_path)
    assert not (tmp_path / "repo.git").exists()
    job = ReviewJob(INSTALLATION, OWNER, REPO, 2, sha, "b" * 40, "main", "http://127.0.0.1:9/x.git")
    assert retry_delay(job, BadCommitId("x")) is None  # a clear error, not a retry loop


async def test_a_job_with_a_bad_head_sha_makes_no_call_with_it(aiohttp_client, github_double, tmp_path):
    path = make_repo(tmp_path / "hello", {"README.md": "hi\n"})
    commit(path, {"app.py": EVAL_PY}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path)
    sha = "--upload-pack=touch " + str(tmp_path / "pwned")
    job = ReviewJob(INSTALLATION, OWNER, REPO, 2, sha, "b" * 40, "main", world.github.git_url(OWNER, REPO))
    assert await world.queue.enqueue(job)
    await world.settle()
    assert not (tmp_path / "pwned").exists()
    assert not any("/git/" in p or "check-runs" in p for _, p, _ in world.github.requests)
    assert world.check_runs() == [] and world.summaries() == []


def test_failure_reasons_never_carry_an_unknown_exceptions_text():
    assert failure_reason(RuntimeError(FAKE_TOKEN)) == "an unexpected error (RuntimeError)"
    assert FAKE_TOKEN not in failure_reason(OSError(FAKE_TOKEN))
    assert re.fullmatch(
        r"[^\n]{1,300}", failure_reason(BadCommitId("the head commit id is not a sha\n" * 50))
    )
