"""A hostile model (one that does what the PR body tells it) names paths for its added problems:
outside the checkout, devices, FIFOs, symlinks, files the PR does not change, lines that do not
exist. The review completes, nothing outside the PR's files is read, the event loop keeps
running, and the summary counts what was dropped. The model libraries' own loggers do not put
PR code or secrets in the logs at INFO."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from pathlib import Path

import pytest

from analyzers import fingerprint
from analyzers.diff import FileDiff
from bot.agents.answer import AddedProblem, AnswerError, parse_answer
from bot.agents.config import MODEL_LOGGERS, load_agent_config, quiet_model_loggers
from bot.agents.dialogue import NO_SUCH_LINE, NOT_IN_PR, admit_added, discuss, read_checkout_lines
from bot.agents.team import DEFAULT_BREAKER
from bot.cli import main
from bot.queue import InProcessQueue
from bot.web import create_app
from tests.e2e import FAST_RETRY, INSTALLATION, NUMBER, OWNER, REPO, World, bot_settings, until
from tests.ghdouble import commit, make_repo
from tests.openai_stub import OpenAIStub, answer_json
from tests.test_agents_e2e import agent_config_file, app_world, inline_rules

PASSWD_LINE = next((line for line in Path("/etc/passwd").read_text().splitlines() if line.strip()), "root:x")
HOSTILE_ADDED = [
    {"path": "../../etc/passwd", "line": 1, "message": "look here"},
    {"path": "/etc/passwd", "line": 1, "message": "absolute"},
    {"path": "/dev/zero", "line": 1, "message": "endless"},
    {"path": "app/../../../../etc/passwd", "line": 1, "message": "dot-dot inside"},
    {"path": "app/__init__.py", "line": 1, "message": "in the repository, not in the PR"},
    {"path": "app/files.py", "line": 10**9, "message": "past the end"},
    {"path": "app/files.py", "line": int("9" * 4000), "message": "a 4,000-digit line"},
    {"path": "app/files.py", "line": 17, "severity": "warning", "message": "load_settings swallows errors"},
]


@pytest.fixture(autouse=True)
def fresh_breaker():
    DEFAULT_BREAKER.__init__()
    yield


def posted(world: World) -> str:
    """Everything the bot sent to GitHub about the PR."""
    github = world.github
    stores = (github.reviews, github.review_comments, github.issue_comments, github.check_runs)
    return json.dumps([list(store.values()) for store in stores], default=str)


async def test_hostile_paths_are_dropped_unread_and_the_review_lands(
    aiohttp_client, github_double, tmp_path, aiohttp_server, caplog
):
    caplog.set_level(logging.INFO)
    stub = OpenAIStub(script=["The coder's view."], default=answer_json(added=HOSTILE_ADDED))
    server = await aiohttp_server(stub.app())
    config = agent_config_file(tmp_path, str(server.make_url("/v1")))
    world = await app_world(aiohttp_client, github_double, tmp_path, config)

    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()

    [review] = world.reviews()
    assert ("app/files.py", 17, "ai-review") in inline_rules(world)  # the one honest problem is kept
    [summary] = world.summaries()
    assert "1 problem(s) added" in summary["body"]
    assert (
        f"Dropped 7 problem(s) the agents added, unread: 5 {NOT_IN_PR}, 2 {NO_SUCH_LINE}." in summary["body"]
    )
    assert all(c["line"] <= 21 for c in review["comments"])  # no absurd line number posted ...
    assert "raised off the diff" not in summary["body"]  # ... nor listed (the transcript quotes the model)
    assert PASSWD_LINE not in posted(world)
    assert PASSWD_LINE not in caplog.text


def test_the_reader_refuses_everything_but_a_regular_file_inside(tmp_path):
    root = tmp_path / "files"
    (root / "app").mkdir(parents=True)
    (root / "app" / "ok.py").write_text("one\ntwo\n")
    os.mkfifo(root / "app" / "fifo.py")  # a writer never comes: an ordinary open would block forever
    (root / "app" / "link.py").symlink_to("/etc/passwd")
    (root / "etc").symlink_to("/etc")
    (root / "big.py").write_bytes(b"x = 1\n" * 1000)
    assert read_checkout_lines(root, "app/ok.py") == ["one", "two"]
    for path in (
        "../../etc/passwd",
        "/etc/passwd",
        "/dev/zero",
        "app/../../etc/passwd",
        "app/fifo.py",
        "app/link.py",
        "etc/passwd",  # through a symlinked directory
        "app",  # a directory
        "app/missing.py",
        ".git/config",
        "app/ok.py\x00",
        "",
    ):
        assert read_checkout_lines(root, path) is None, path
    assert read_checkout_lines(root, "big.py", max_bytes=100) is None  # bounded: too large is not read


async def test_a_blocking_read_never_stalls_the_event_loop():
    """Files are read in a thread: a coroutine keeps running while a read hangs."""
    release = threading.Event()
    safety = threading.Timer(30, release.set)  # the test fails rather than hangs if reads were on the loop
    safety.start()

    def stuck_read(path: str) -> list[str]:
        release.wait()
        return ["a", "b"]

    diffs = {"app/x.py": FileDiff("app/x.py", added={1, 2})}
    reading = asyncio.create_task(admit_added([AddedProblem("app/x.py", 2, "note", "m")], diffs, stuck_read))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        await until(lambda: ticks >= 20, timeout=20)
        assert not reading.done()
        release.set()
        kept, lines, dropped = await reading
    finally:
        safety.cancel()
        ticking.cancel()
    assert [p.line for p in kept] == [2] and lines == {"app/x.py": ["a", "b"]} and dropped == []


async def test_fifo_symlink_and_device_paths_of_the_pr_are_never_read(tmp_path, aiohttp_server):
    """The dialogue end to end against a real HTTP model, over a checkout holding a FIFO and symlinks
    on paths the PR names: the problems on them are kept as PR paths, but fingerprinted unread."""
    root = tmp_path / "files"
    (root / "app").mkdir(parents=True)
    (root / "app" / "ok.py").write_text("a = 1\nb = eval(input())\n")
    os.mkfifo(root / "app" / "fifo.py")
    (root / "app" / "link.py").symlink_to("/etc/passwd")
    (root / "app" / "zero.py").symlink_to("/dev/zero")
    paths = ["app/ok.py", "app/fifo.py", "app/link.py", "app/zero.py"]
    added = [{"path": p, "line": 2 if p == "app/ok.py" else 1, "message": "m"} for p in paths]
    stub = OpenAIStub(script=["coder"], default=answer_json(added=added))
    server = await aiohttp_server(stub.app())
    config = load_agent_config(agent_config_file(tmp_path, str(server.make_url("/v1"))))
    diffs = {p: FileDiff(p, status="added", added={1, 2}) for p in paths}
    patches = {p: "@@ -0,0 +1,2 @@\n+a\n+b\n" for p in paths}

    discussion = await asyncio.wait_for(  # a hang guard only: a FIFO read would never return
        discuss(
            config,
            findings=[],
            diffs=diffs,
            patches=patches,
            title="t",
            body=None,
            read_lines=lambda path: read_checkout_lines(root, path),
        ),
        timeout=60,
    )
    assert discussion.ran and discussion.dropped == []
    by_path = {f.path: f for f in discussion.added_in_diff}
    assert by_path["app/ok.py"].fingerprint == fingerprint(
        "agents", "ai-review", "app/ok.py", "b = eval(input())"
    )
    for path in ("app/fifo.py", "app/link.py", "app/zero.py"):
        assert by_path[path].fingerprint == fingerprint("agents", "ai-review", path, "")  # nothing read


def test_numbers_and_nesting_the_json_parser_cannot_hold_are_a_clean_answer_error():
    huge = '{"verdict": "x", "added": [{"path": "a.py", "line": ' + "9" * 5000 + ', "message": "m"}]}'
    deep = '{"verdict": "x", "added": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for text in (huge, deep, "{" * 50_000):
        with pytest.raises(AnswerError):
            parse_answer(text, {})
    with pytest.raises(AnswerError):  # a non-positive line is against the contract: the model is asked again
        parse_answer('{"verdict": "x", "added": [{"path": "a.py", "line": -3, "message": "m"}]}', {})


async def test_the_problem_list_is_checked_against_the_diffs_own_paths():
    diffs = {
        "src/a.py": FileDiff("src/a.py", added={1}),
        "gone.py": FileDiff("gone.py", status="removed", deleted={1}),
    }
    problems = [
        AddedProblem(path, line, "note", "m")
        for path, line in [
            ("src/a.py", 1),
            ("./src/a.py", 1),  # the same file spelled otherwise is not the diff's path
            ("src//a.py", 1),
            ("SRC/A.PY", 1),
            ("gone.py", 1),  # deleted by the PR: nothing to point at
            ("src/a.py", 3),  # past the end of a two-line file
        ]
    ]
    kept, _, dropped = await admit_added(problems, diffs, lambda path: ["x", "y"])
    assert [(p.path, p.line) for p in kept] == [("src/a.py", 1)]
    assert dropped == [NOT_IN_PR] * 4 + [NO_SUCH_LINE]


# Logs -------------------------------------------------------------------------------------------

SECRET_VALUE = "Zq8vLx2mTr9wKp4sYh3N"  # a keyword secret: detect-secrets finds it, the prompt scrub does not
PR_CODE = "pr_code_marker_5f1e0c"
SECRET_FILES = {
    "app/settings.py": f'{PR_CODE} = 1\ndb_password = "{SECRET_VALUE}"\n',
}


async def secret_review(aiohttp_client, github_double, tmp_path, aiohttp_server) -> World:
    stub = OpenAIStub(script=[f"The coder quotes {PR_CODE} and {SECRET_VALUE}."], default=answer_json())
    server = await aiohttp_server(stub.app())
    config = load_agent_config(agent_config_file(tmp_path, str(server.make_url("/v1"))))
    path = make_repo(tmp_path / "secret-repo", {"app/__init__.py": ""})
    commit(path, SECRET_FILES, branch="feature")
    github_double.add_repo(OWNER, REPO, path)
    github_double.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github_double.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    queue = InProcessQueue()
    app = create_app(bot_settings(github_double.base_url), queue=queue, retry=FAST_RETRY, agent_config=config)
    world = World(github=github_double, bot=await aiohttp_client(app), queue=queue, repo_path=path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert len(world.summaries()) == 1 and len(stub.requests) >= 2  # the dialogue ran
    assert PR_CODE in json.dumps(stub.requests)  # the model saw the PR code
    return world


@pytest.fixture
def model_loggers_reset():
    saved = {name: logging.getLogger(name).level for name in MODEL_LOGGERS}
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


async def test_at_info_the_logs_hold_no_pr_code_or_secret(
    aiohttp_client, github_double, tmp_path, aiohttp_server, caplog, monkeypatch, model_loggers_reset
):
    monkeypatch.delenv("REVIEW_BOT_MODEL_LOG_LEVEL", raising=False)
    for name in MODEL_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    assert main(["demo", str(tmp_path / "demo")]) == 0  # where serve and review configure logging
    assert all(logging.getLogger(n).getEffectiveLevel() == logging.WARNING for n in MODEL_LOGGERS)
    caplog.set_level(logging.INFO)  # LOG_LEVEL=INFO

    await secret_review(aiohttp_client, github_double, tmp_path, aiohttp_server)
    assert caplog.records  # the bot did log at INFO
    assert PR_CODE not in caplog.text and SECRET_VALUE not in caplog.text


async def test_the_operator_can_ask_for_the_model_logs(
    aiohttp_client, github_double, tmp_path, aiohttp_server, caplog, model_loggers_reset
):
    """The control for the test above: with the loggers let through, the same review does leak."""
    quiet_model_loggers({"REVIEW_BOT_MODEL_LOG_LEVEL": "INFO"})
    caplog.set_level(logging.INFO)
    await secret_review(aiohttp_client, github_double, tmp_path, aiohttp_server)
    assert PR_CODE in caplog.text
