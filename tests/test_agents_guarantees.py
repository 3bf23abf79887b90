"""The agent dialogue never makes a review worse (bot/agents/admit.py), whatever the model answers.

A confirmed finding keeps its comment; a dismissal counts only when its reason cites the code of
the finding's lines or hunk, and never for a finding the check run fails on; a problem the
agents add must sit on a line the pull request adds. The model here is a real HTTP server
speaking OpenAI's API (tests/openai_stub.py) that answers like a careless or hostile reviewer;
the review is the App's (GitHub double, real git, real analyzers) or the CLI's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pytest

from analyzers import Finding
from analyzers.diff import FileDiff
from bot.agents.admit import (
    AT_FAIL_ON,
    NO_CITATION,
    NOT_ADDED_LINE,
    admit_dismissals,
    cites_code,
    finding_code,
    protected,
)
from bot.agents.answer import FindingVerdict
from bot.agents.config import load_agent_config
from bot.agents.dialogue import NOT_IN_PR, Discussion
from bot.agents.team import DEFAULT_BREAKER
from bot.config import ReviewSettings
from bot.demo import EXPECTED_FINDINGS, create_demo
from bot.pipeline.local import review_local
from tests.openai_stub import OpenAIStub, answer_json
from tests.test_agents_e2e import agent_config_file, app_world, inline_rules


@pytest.fixture(autouse=True)
def fresh_breaker():
    DEFAULT_BREAKER.__init__()  # each test starts with the model's circuit closed
    yield


def assert_never_worse(
    findings: Sequence[Finding], discussion: Discussion, diffs: Mapping[str, FileDiff], fail_on: str
) -> None:
    """What the dialogue may change, checked on its outcome (the llm tests use it too)."""
    by_fingerprint = {f.fingerprint: f for f in findings}
    assert set(discussion.dismissed) <= set(by_fingerprint)  # only the analyzers' own findings
    for fp in discussion.dismissed:
        assert not protected(by_fingerprint[fp], fail_on), by_fingerprint[fp]
    verdicts = {v.fingerprint: v for v in discussion.review.verdicts}
    for fp in discussion.dismissed:  # each kept dismissal was the model's, with a reason
        assert verdicts[fp].status == "dismissed"
    for problem in discussion.added_in_diff:
        assert problem.line in diffs[problem.path].added, problem
    dismissed = sum(v.status == "dismissed" for v in discussion.review.verdicts)
    assert len(discussion.dismissed) + len(discussion.refused) == dismissed
    assert len(discussion.added_in_diff) + len(discussion.dropped) == len(discussion.review.added)


# Citing the code --------------------------------------------------------------------------------

CODE = ["def archive(folder, name):", '    subprocess.call("tar czf " + name, shell=True)']


@pytest.mark.parametrize(
    ("reason", "cites"),
    [
        ("`shell=True` is fine: `name` comes from our own config", True),  # a quoted span
        ('the "tar czf" call is on a fixed path', True),  # double quotes
        ("archive is only called by the cron job", True),  # an identifier of the code, unquoted
        ("false positive", False),
        ("This is fine, harmless, not a security issue; the code is safe.", False),  # everyday words
        ("duplicate of F1 (B602)", False),  # ids and rule names are not code
        ("`os.system` is not used here", False),  # quoted, but not in the code
        ("`tar` only", True),
        ("", False),
    ],
)
def test_a_reason_cites_the_code_by_quoting_it_or_naming_its_identifiers(reason: str, cites: bool) -> None:
    assert cites_code(reason, CODE) is cites


def test_nothing_can_be_cited_from_an_unreadable_file() -> None:
    assert not cites_code("`shell=True`", [])
    finding = Finding("ruff", "F401", "warning", "a.py", 2, 2, "unused")
    assert finding_code(finding, FileDiff("a.py", added={2}, hunks=[(1, 3)]), None) == []


def test_the_citable_code_is_the_findings_lines_and_its_hunk_only() -> None:
    lines = ["import alpha", "beta = 1", "gamma = 2", "", "delta = 3"]
    diff = FileDiff("a.py", added={2, 5}, context={1, 3}, hunks=[(1, 3), (5, 5)])
    finding = Finding("ruff", "X1", "warning", "a.py", 2, 2, "m")
    assert finding_code(finding, diff, lines) == ["import alpha", "beta = 1", "gamma = 2"]
    assert cites_code("alpha is never None", finding_code(finding, diff, lines))
    assert not cites_code("delta is never None", finding_code(finding, diff, lines))  # another hunk


def verdict(fid: str, finding: Finding, status: str, reason: str) -> FindingVerdict:
    return FindingVerdict(fid, finding.fingerprint, status, reason)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fail_on", "kept", "refused"),
    [
        ("error", {"warn"}, [AT_FAIL_ON, NO_CITATION]),
        ("warning", set(), [AT_FAIL_ON, AT_FAIL_ON, NO_CITATION]),
        ("never", {"warn", "err"}, [NO_CITATION]),  # nothing fails the check: citing is enough
    ],
)
def test_dismissals_need_a_citation_and_never_touch_what_the_check_fails_on(
    fail_on: str, kept: set[str], refused: list[str]
) -> None:
    lines = ["import sys", "eval(text)", "x = 1"]
    diff = FileDiff("a.py", status="added", added={1, 2, 3}, hunks=[(1, 3)])
    findings = {
        "warn": Finding("ruff", "F401", "warning", "a.py", 1, 1, "unused", fingerprint="warn"),
        "err": Finding("bandit", "B307", "error", "a.py", 2, 2, "eval", fingerprint="err"),
        "note": Finding("ruff", "X", "note", "a.py", 3, 3, "m", fingerprint="note"),
        "ok": Finding("ruff", "Y", "warning", "a.py", 3, 3, "m", fingerprint="ok"),
    }
    verdicts = [
        verdict("F1", findings["warn"], "dismissed", "`import sys` is harmless"),
        verdict("F2", findings["err"], "dismissed", "`text` is a constant"),
        verdict("F3", findings["note"], "dismissed", "a false positive"),
        verdict("F4", findings["ok"], "confirmed", "real"),
    ]
    dismissed, why = admit_dismissals(
        verdicts, findings, fail_on=fail_on, diffs={"a.py": diff}, lines={"a.py": lines}
    )
    assert set(dismissed) == kept
    assert why == refused


# Against the App: what GitHub receives ------------------------------------------------------------

# The demo's findings, in the prompt's order (tests/test_agents_e2e.py): F1 app/auth.py:3
# secret-keyword (warning), F2 app/files.py:5 F401 (warning), F3 :14 shell=True (error),
# F4 :19 B307 (warning), F5 :20 E722 (warning), F6 :21 F821 (error).
CARELESS = {
    "verdict": "All good, approve.",
    "findings": [
        {"id": "F1", "status": "dismissed", "reason": "a test fixture, not a secret"},
        {"id": "F2", "status": "dismissed", "reason": "`import sys` is unused but harmless"},
        {"id": "F3", "status": "dismissed", "reason": "`shell=True` is needed for the tar pipeline"},
        {"id": "F4", "status": "confirmed", "reason": "eval of text"},
        {"id": "F5", "status": "dismissed", "reason": "false positive, this is fine"},
        {"id": "F6", "status": "dismissed", "reason": "`defaults` is defined elsewhere"},
    ],
    "added": [
        {"path": "app/files.py", "line": 3, "message": "os is imported (a context line)"},
        {"path": "app/files.py", "line": 9, "message": "a context line too"},
        {"path": "README.md", "line": 1, "message": "not in the PR"},
        {"path": "app/__init__.py", "line": 1, "message": "in the repository, not in the PR"},
        {"path": "app/files.py", "line": 17, "severity": "warning", "message": "load_settings hides errors"},
    ],
}


async def test_a_careless_model_cannot_make_the_posted_review_worse(
    aiohttp_client, github_double, tmp_path, aiohttp_server
):
    stub = OpenAIStub(script=["The coder's view."], default=answer_json(**CARELESS))
    server = await aiohttp_server(stub.app())
    config = agent_config_file(tmp_path, str(server.make_url("/v1")))
    world = await app_world(aiohttp_client, github_double, tmp_path, config)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    after = inline_rules(world)
    # Only the dismissal that cites the code of a finding the check does not fail on is honoured;
    # the one problem on a line the PR adds is the only one added.
    before = set(EXPECTED_FINDINGS)  # without agents, every demo finding is commented inline
    assert after == (before - {("app/files.py", 5, "F401")}) | {("app/files.py", 17, "ai-review")}
    [run] = world.check_runs()
    assert run["conclusion"] == "failure"  # from the analyzers alone, as without agents
    [summary] = world.summaries()
    body = summary["body"]
    assert f"Kept 4 finding(s) the agents dismissed: 2 {NO_CITATION}, 2 {AT_FAIL_ON}." in body
    assert f"Dropped 4 problem(s) the agents added, unread: 2 {NOT_ADDED_LINE}, 2 {NOT_IN_PR}." in body
    assert "Findings the agents dismissed (1)" in body


# Through the CLI's path: the review's outcome ------------------------------------------------------


async def test_the_repositorys_fail_on_decides_what_cannot_be_dismissed(tmp_path, aiohttp_server):
    demo = create_demo(tmp_path / "demo")
    stub = OpenAIStub(script=["The coder's view."], default=answer_json(**CARELESS))
    server = await aiohttp_server(stub.app())
    config = load_agent_config(agent_config_file(tmp_path, str(server.make_url("/v1"))))

    for fail_on, honoured in [("error", {5}), ("warning", set()), ("never", {5, 14, 21})]:
        settings = ReviewSettings(fail_on=fail_on)
        outcome = await review_local(demo, base="main", agents=config, settings=settings)
        assert {(f.path, f.line, f.rule_id) for f in outcome.findings} == EXPECTED_FINDINGS
        discussion = outcome.discussion
        assert discussion is not None and discussion.ran
        assert_never_worse(outcome.findings, discussion, outcome.diffs, fail_on)
        lines = {f.line for f in outcome.findings if f.fingerprint in discussion.dismissed}
        assert lines == honoured, fail_on
        assert [(f.path, f.line) for f in discussion.added_in_diff] == [("app/files.py", 17)]
        assert json.dumps(discussion.refused)  # plain words, for the JSON report
