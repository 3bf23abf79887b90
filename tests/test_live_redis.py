"""Live sessions across replicas on a real redis-server: members of one session on two receivers
get the same events with the same ids, a review's events published on a worker reach them, a
member resumes on the other replica, and Redis going away is an error message, not a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.api.keys import RedisKeyStore
from bot.api.registry import KEYS
from bot.events import review_topic
from bot.web import Role
from tests.live_world import (
    api_env,  # noqa: F401 - a fixture
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
from tests.redis_server import RedisServer, redis_server  # noqa: F401 - a fixture

SHA = "89abcdef0123456789abcdef0123456789abcdef"
TOPIC = review_topic("octo-org", "hello", 9, SHA)
SESSION = "review:octo-org/hello#9"

pytestmark = pytest.mark.usefixtures("api_env")


@pytest.fixture
async def replicas(tmp_path: Path, redis_server: RedisServer) -> AsyncIterator[list[TestClient]]:  # noqa: F811
    clients: list[TestClient] = []
    roles: list[Role] = ["receiver", "receiver", "worker"]
    for i, role in enumerate(roles):
        workdir = tmp_path / f"replica-{i}"
        workdir.mkdir()
        app = live_app(live_settings(workdir, redis_url=redis_server.url), workdir, role=role)
        clients.append(await serve(app))
    yield clients
    for client in clients:
        await client.close()


async def connect_fresh(client: TestClient, token: str) -> aiohttp.ClientWebSocketResponse:
    store = client.app[KEYS]
    if isinstance(store, RedisKeyStore):
        await store.refresh()  # a key just made (the app itself refreshes every second)
    return await connect(client, token)


async def member(
    client: TestClient, token: str, last_event_id: str | None = None
) -> tuple[aiohttp.ClientWebSocketResponse, list[dict[str, object]]]:
    """A member of SESSION on ``client``, and the events replayed to it."""
    ws = await connect_fresh(client, token)
    assert (await receive_json(ws))["type"] == "welcome"
    join: dict[str, object] = {"type": "join_session", "session": SESSION}
    if last_event_id is not None:
        join["last_event_id"] = last_event_id
    await ws.send_json(join)
    _, replayed = await receive_until(ws, "joined")
    return ws, replayed


async def test_two_replicas_share_a_session(replicas: list[TestClient]) -> None:
    a, b, _worker = replicas
    token, _ = await credentials(a)
    on_a, _ = await member(a, token)
    on_b, _ = await member(b, token)
    publish(a, TOPIC, {"type": "agent_message", "source": "coder", "content": "from a"})
    publish(b, TOPIC, {"type": "agent_message", "source": "reviewer", "content": "from b"})
    got_a = [await receive_json(on_a) for _ in range(2)]
    got_b = [await receive_json(on_b) for _ in range(2)]
    assert [m["id"] for m in got_a] == [m["id"] for m in got_b]
    assert {m["event"]["content"] for m in got_a} == {"from a", "from b"}
    await on_a.close()
    await on_b.close()


async def test_a_review_on_a_worker_reaches_members_on_the_receivers(replicas: list[TestClient]) -> None:
    a, b, worker = replicas
    token, _ = await credentials(a)
    on_a, _ = await member(a, token)
    on_b, _ = await member(b, token)
    assert (await worker.get("/api/v1/ws")).status == 404  # a worker serves no sockets
    for kind in ("review_started", "analyzer_started", "finding", "agent_message", "result"):
        publish(worker, TOPIC, {"type": kind})
    for ws in (on_a, on_b):
        kinds = [(await receive_json(ws))["event"]["type"] for _ in range(5)]
        assert kinds == ["review_started", "analyzer_started", "finding", "agent_message", "result"]
    await on_a.close()
    await on_b.close()


async def test_a_member_resumes_on_the_other_replica(replicas: list[TestClient]) -> None:
    a, b, worker = replicas
    token, _ = await credentials(a)
    ws, _ = await member(a, token)
    for i in range(2):
        publish(worker, TOPIC, {"type": "agent_message", "source": "coder", "content": f"seen {i}"})
    seen = [await receive_json(ws) for _ in range(2)]
    await ws.close()
    for i in range(3):
        publish(worker, TOPIC, {"type": "agent_message", "source": "coder", "content": f"missed {i}"})
    await until(live_of(worker).bridge.idle)
    ws, replayed = await member(b, token, last_event_id=str(seen[-1]["id"]))
    assert [m["event"]["content"] for m in replayed] == ["missed 0", "missed 1", "missed 2"]
    publish(worker, TOPIC, {"type": "agent_message", "source": "coder", "content": "live"})
    live = await receive_json(ws)
    assert live["event"]["content"] == "live"
    await ws.close()


async def test_redis_down_is_an_error_message_and_sessions_recover(
    replicas: list[TestClient],
    redis_server: RedisServer,  # noqa: F811
) -> None:
    a, _b, worker = replicas
    token, _ = await credentials(a)
    ws = await connect_fresh(a, token)
    assert (await receive_json(ws))["type"] == "welcome"
    redis_server.stop()
    await ws.send_json({"type": "join_session", "session": SESSION})
    reply = await receive_json(ws)
    assert (reply["type"], reply["code"]) == ("error", "unavailable")
    publish(worker, TOPIC, {"type": "agent_message", "content": "lost while Redis is down"})  # never raises
    redis_server.start()
    await ws.send_json({"type": "join_session", "session": SESSION})
    await receive_until(ws, "joined")
    publish(worker, TOPIC, {"type": "agent_message", "content": "after"})
    event = await receive_json(ws)
    assert event["event"]["content"] == "after"
    await ws.close()
