"""GET /api/v1/ws on one process (memory hub): authentication, bad input, authorization per
session, resume after a reconnect, a slow consumer, 1,000 members of one session, the page."""

from __future__ import annotations

import asyncio
import json
import resource
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.api.registry import KEYS
from bot.events import review_topic
from bot.live import LiveOptions
from bot.live import ws as live_ws
from bot.live.connection import CLOSE_SLOW
from tests.live_world import (
    api_env,  # noqa: F401 - a fixture
    close_code,
    connect,
    credentials,
    live_app,
    live_of,
    live_settings,
    publish,
    receive_json,
    receive_until,
    serve,
    until,
)

SHA = "0123456789abcdef0123456789abcdef01234567"
TOPIC = review_topic("Octo-Org", "hello", 7, SHA)
SESSION = "review:octo-org/hello#7"


pytestmark = pytest.mark.usefixtures("api_env")


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[TestClient]:
    client = await serve(live_app(live_settings(tmp_path), tmp_path, options=LiveOptions(replay=64)))
    yield client
    await client.close()


async def welcome(ws: aiohttp.ClientWebSocketResponse) -> dict[str, object]:
    message = await receive_json(ws)
    assert message["type"] == "welcome", message
    return message


async def test_a_bad_token_in_the_header_is_closed_with_4401(bot: TestClient) -> None:
    ws = await connect(bot, "not.a.jwt")
    assert await close_code(ws) == live_ws.CLOSE_AUTH


async def test_a_bad_token_in_the_first_message_is_closed_with_4401(bot: TestClient) -> None:
    ws = await connect(bot, None)
    await ws.send_json({"type": "auth", "token": "eyJhbGciOiJub25lIn0.e30."})  # alg: none
    assert await close_code(ws) == live_ws.CLOSE_AUTH


async def test_a_first_message_that_is_not_auth_is_closed_with_4401(bot: TestClient) -> None:
    ws = await connect(bot, None)
    await ws.send_json({"type": "join_session", "session": SESSION})
    assert await close_code(ws) == live_ws.CLOSE_AUTH
    assert live_of(bot).hub.member_count(SESSION) == 0


async def test_no_auth_within_the_deadline_is_closed_with_4401(
    bot: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_ws, "AUTH_TIMEOUT", 0.2)
    ws = await connect(bot, None)
    assert await close_code(ws) == live_ws.CLOSE_AUTH


async def test_a_revoked_key_closes_its_open_sockets_with_4401(tmp_path: Path) -> None:
    options = LiveOptions(reverify_interval=0.05)
    bot = await serve(live_app(live_settings(tmp_path), tmp_path, options=options))
    try:
        token, api_key = await credentials(bot)
        ws = await connect(bot, token)
        await welcome(ws)
        key_id = api_key.removeprefix("rbk_").split(".")[0]
        assert await bot.app[KEYS].revoke(key_id)
        assert await close_code(ws) == live_ws.CLOSE_AUTH
        await until(lambda: not live_of(bot).connections)
    finally:
        await bot.close()


async def test_auth_by_first_message_then_ping(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, None)
    await ws.send_json({"type": "auth", "token": token})
    assert (await welcome(ws))["org"] == "octo-org"
    await ws.send_json({"type": "ping"})
    assert (await receive_json(ws))["type"] == "pong"
    await ws.close()


async def test_malformed_messages_get_errors_and_change_nothing(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    bad = {
        "{not json": "bad_json",
        "[" * 10_000: "bad_json",  # deeper than the JSON parser's recursion
        "[1, 2]": "bad_message",
        '{"type": "explode"}': "unknown_type",
        '{"type": "join_session"}': "bad_message",
        '{"type": "join_session", "session": "review:octo-org/hello#7", "extra": 1}': "bad_message",
        '{"type": "join_session", "session": "review:../../etc#1"}': "bad_session",
        '{"type": "join_session", "session": "review:octo-org/hello#7", "last_event_id": "x"}': (
            "bad_last_event_id"
        ),
        '{"type": "start_analysis", "request": {"repository": ""}}': "bad_message",
        '{"type": "auth", "token": "again"}': "bad_message",
    }
    for text, code in bad.items():
        await ws.send_str(text)
        reply = await receive_json(ws)
        assert (reply["type"], reply["code"]) == ("error", code), (text, reply)
    assert live_of(bot).hub.member_count(SESSION) == 0
    await ws.send_json({"type": "ping"})
    assert (await receive_json(ws))["type"] == "pong"
    await ws.close()


async def test_too_many_bad_messages_close_the_connection(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    for _ in range(live_ws.MAX_ERRORS):
        await ws.send_str("nope")
    assert await close_code(ws) == live_ws.CLOSE_TOO_MANY_ERRORS


async def test_an_oversized_message_is_closed_with_1009(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_str(json.dumps({"type": "ping", "pad": "x" * (live_ws.MAX_MESSAGE_BYTES + 1)}))
    assert await close_code(ws) == 1009
    await until(lambda: not live_of(bot).connections)


async def test_a_binary_message_is_closed_with_1003(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_bytes(b"\x00\x01")
    assert await close_code(ws) == 1003


async def test_members_watch_only_their_organisation(bot: TestClient) -> None:
    token, _ = await credentials(bot, org="octo-org", role="admin")
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_json({"type": "join_session", "session": "review:other-org/hello#7"})
    assert (await receive_json(ws))["code"] == "forbidden"
    await ws.send_json({"type": "join_session", "session": "analysis:0123456789abcdef01234567"})
    assert (await receive_json(ws))["code"] == "not_found"
    await ws.send_json({"type": "join_session", "session": "Review:Octo-Org/Hello#7"})  # case-insensitive
    joined = await receive_json(ws)
    assert (joined["type"], joined["session"]) == ("joined", SESSION)
    await ws.close()


async def test_an_analysis_of_another_organisation_cannot_be_joined(bot: TestClient, tmp_path: Path) -> None:
    repo = make_git_repo(tmp_path / "repos" / "demo")
    token, _ = await credentials(bot, org="octo-org")
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_json(
        {"type": "start_analysis", "request": {"repository": str(repo), "base": "main", "head": "feature"}}
    )
    started = await receive_json(ws)
    assert started["type"] == "analysis", started
    other, _ = await credentials(bot, user="eve", org="evil-org", role="admin")
    spy = await connect(bot, other)
    await welcome(spy)
    await spy.send_json({"type": "join_session", "session": started["session"]})
    assert (await receive_json(spy))["code"] == "not_found"
    await ws.close()
    await spy.close()


async def test_starting_an_analysis_needs_the_analyze_role(bot: TestClient) -> None:
    token, _ = await credentials(bot, role="read")
    ws = await connect(bot, token)
    await welcome(ws)
    request = {"repository": "/nowhere", "base": "main", "head": "HEAD"}
    await ws.send_json({"type": "start_analysis", "request": request})
    assert (await receive_json(ws))["code"] == "forbidden"
    await ws.close()


async def test_a_started_analysis_streams_to_the_member(bot: TestClient, tmp_path: Path) -> None:
    repo = make_git_repo(tmp_path / "repos" / "demo")
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    request = {"repository": str(repo), "base": "main", "head": "feature"}
    await ws.send_json({"type": "start_analysis", "request": request})
    started = await receive_json(ws)
    assert started["type"] == "analysis"
    events: list[dict[str, object]] = []
    while not any(e.get("type") in ("result", "error") for e in events):
        message = await receive_json(ws)
        if message["type"] == "event":
            assert message["session"] == started["session"]
            events.append(message["event"])
    kinds = [e["type"] for e in events]
    assert "analyzer_finished" in kinds and "finding" in kinds, kinds
    await ws.close()


async def test_resume_after_a_reconnect_gets_exactly_the_missed_events(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_json({"type": "join_session", "session": SESSION})
    await receive_until(ws, "joined")
    for i in range(3):
        publish(bot, TOPIC, {"type": "agent_message", "source": "coder", "content": f"seen {i}"})
    seen = [await receive_json(ws) for _ in range(3)]
    assert [m["event"]["content"] for m in seen] == ["seen 0", "seen 1", "seen 2"]
    assert seen[0]["event"]["head_sha"] == SHA
    await ws.close()
    await until(lambda: live_of(bot).hub.member_count(SESSION) == 0)

    for i in range(4):
        publish(bot, TOPIC, {"type": "agent_message", "source": "reviewer", "content": f"missed {i}"})
    await until(live_of(bot).bridge.idle)
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_json({"type": "join_session", "session": SESSION, "last_event_id": seen[-1]["id"]})
    joined, replayed = await receive_until(ws, "joined")
    assert [m["event"]["content"] for m in replayed] == [f"missed {i}" for i in range(4)]
    assert (joined["replayed"], joined["truncated"]) == (4, False)
    ids = [int(m["id"]) for m in seen + replayed]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    publish(bot, TOPIC, {"type": "result", "findings_total": 0})
    assert (await receive_json(ws))["event"]["type"] == "result"
    await ws.close()


async def test_a_resume_older_than_the_replay_buffer_says_truncated(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    for i in range(100):  # more than the 64 kept
        publish(bot, TOPIC, {"type": "agent_message", "source": "coder", "content": str(i)})
    await until(live_of(bot).bridge.idle)
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_json({"type": "join_session", "session": SESSION, "last_event_id": "1"})
    joined, replayed = await receive_until(ws, "joined")
    assert joined["truncated"] is True and len(replayed) == 64
    assert replayed[-1]["event"]["content"] == "99"
    await ws.close()


async def test_leaving_a_session_stops_its_events(bot: TestClient) -> None:
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    await ws.send_json({"type": "join_session", "session": SESSION})
    await receive_until(ws, "joined")
    await ws.send_json({"type": "leave_session", "session": SESSION})
    assert (await receive_json(ws))["type"] == "left"
    publish(bot, TOPIC, {"type": "agent_message", "source": "coder", "content": "unseen"})
    await until(live_of(bot).bridge.idle)
    await ws.send_json({"type": "ping"})
    assert (await receive_json(ws))["type"] == "pong"  # nothing in between
    await ws.close()


async def test_a_slow_consumer_is_closed_with_4008_and_its_memory_stays_bounded(tmp_path: Path) -> None:
    options = LiveOptions(max_frames=50, max_chars=256 * 1024)
    bot = await serve(live_app(live_settings(tmp_path), tmp_path, options=options))
    try:
        token, _ = await credentials(bot)
        # aiohttp's client stops reading the socket once 64 KiB wait unread: a member that never
        # calls receive() is a slow consumer, the kernel's buffers fill, then the server's.
        slow = await connect(bot, token)
        await welcome(slow)
        await slow.send_json({"type": "join_session", "session": SESSION})
        await receive_until(slow, "joined")
        live = live_of(bot)
        (conn,) = live.connections
        # The member reads nothing more while a review publishes 20 MB of agent messages.
        for i in range(5000):
            publish(bot, TOPIC, {"type": "agent_message", "source": "coder", "content": f"{i} " + "x" * 4000})
            if i % 50 == 0:
                await asyncio.sleep(0)  # let the bridge and the writer run, as a real review does
        await until(lambda: conn.closing)
        assert conn.close_code == CLOSE_SLOW
        assert conn.peak_chars <= options.max_chars
        assert conn.outbox_chars() == 0
        await until(lambda: not live.connections and live.hub.member_count(SESSION) == 0)
        assert await close_code(slow) == CLOSE_SLOW
    finally:
        await bot.close()


async def test_a_thousand_members_of_one_session_receive_a_broadcast(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    bot = await serve(live_app(live_settings(tmp_path), tmp_path))
    members: list[aiohttp.ClientWebSocketResponse] = []
    connector = aiohttp.TCPConnector(limit=0)
    session = aiohttp.ClientSession(connector=connector)
    try:
        token, _ = await credentials(bot, role="read")
        url = bot.make_url("/api/v1/ws")
        headers = {"Authorization": f"Bearer {token}"}

        async def member() -> aiohttp.ClientWebSocketResponse:
            ws = await session.ws_connect(url, headers=headers)
            await welcome(ws)
            await ws.send_json({"type": "join_session", "session": SESSION})
            await receive_until(ws, "joined")
            return ws

        for _wave in range(10):  # in waves of 100: the listen backlog is finite
            members += await asyncio.gather(*(member() for _ in range(100)))
        assert live_of(bot).hub.member_count(SESSION) == 1000
        publish(bot, TOPIC, {"type": "agent_message", "source": "reviewer", "content": "to everyone"})
        got = await asyncio.wait_for(asyncio.gather(*(receive_json(ws) for ws in members)), timeout=120)
        assert {m["event"]["content"] for m in got} == {"to everyone"}
        assert len({m["id"] for m in got}) == 1
    finally:
        await asyncio.gather(*(ws.close() for ws in members), return_exceptions=True)
        await session.close()
        await bot.close()


async def test_the_page_is_served_with_a_strict_csp(bot: TestClient) -> None:
    for path, kind in (
        ("/ui/", "text/html"),
        ("/ui/app.js", "text/javascript"),
        ("/ui/style.css", "text/css"),
    ):
        response = await bot.get(path)
        assert response.status == 200 and response.content_type == kind
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    script = await (await bot.get("/ui/app.js")).text()
    assert "innerHTML" not in script.replace("never innerHTML", "")
    assert (await bot.get("/ui/../bot/web.py")).status == 404
    assert (await bot.get("/ui/nothing.js")).status == 404
    redirect = await bot.get("/ui", allow_redirects=False)
    assert redirect.status == 308 and redirect.headers["Location"] == "/ui/"


def make_git_repo(path: Path) -> Path:
    """A local repository whose last commit adds a file with a finding (a path under the roots)."""
    import subprocess

    path.mkdir(parents=True)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=path,
            check=True,
            capture_output=True,
            timeout=30,
        )

    git("init", "-q", "-b", "main")
    (path / "README.md").write_text("demo\n")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "feature")
    (path / "app.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    )
    git("add", ".")
    git("commit", "-q", "-m", "head")
    return path


async def test_shutting_down_closes_members_with_1001(tmp_path: Path) -> None:
    bot = await serve(live_app(live_settings(tmp_path), tmp_path))
    token, _ = await credentials(bot)
    ws = await connect(bot, token)
    await welcome(ws)
    closing = asyncio.ensure_future(bot.server.close())  # the server only: the client stays open
    try:
        assert await close_code(ws) == 1001
        await asyncio.wait_for(closing, timeout=60)
    finally:
        await bot.close()
