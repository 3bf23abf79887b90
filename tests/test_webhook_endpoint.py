"""POST /webhook: signatures, bad input, routing — without any review work (no workers)."""

from __future__ import annotations

import io
import json

import pytest

from bot.config import Settings
from bot.web import CONTEXT, QUEUE, create_app, signature_matches
from tests.webhooks import FIXTURES, delivery_headers, load_payload, sign

SECRET = "webhook-secret-for-tests"


@pytest.fixture
async def client(aiohttp_client):
    settings = Settings(app_id="1", private_key="unused", webhook_secret=SECRET, workers=0)
    return await aiohttp_client(create_app(settings))


async def post(client, event: str, body: bytes, **headers):
    all_headers = delivery_headers(event, body, SECRET)
    all_headers.update(headers)
    return await client.post("/webhook", data=body, headers=all_headers)


def test_githubs_published_test_vector():
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature_matches(b"Hello, World!", expected, "It's a Secret to Everybody")
    assert sign(b"Hello, World!", "It's a Secret to Everybody") == expected
    assert not signature_matches(b"Hello, World?", expected, "It's a Secret to Everybody")
    assert not signature_matches(b"Hello, World!", expected, "")


def test_sha1_and_garbage_signatures_are_refused():
    assert not signature_matches(b"x", "sha1=0123", "s")
    assert not signature_matches(b"x", "sha256=é", "s")
    assert not signature_matches(b"x", "", "s")


async def test_health(client):
    response = await client.get("/health")
    assert response.status == 200


async def test_opened_is_accepted_and_queued(client):
    body = (FIXTURES / "pull_request" / "opened.json").read_bytes()
    response = await post(client, "pull_request", body)
    assert response.status == 202
    assert client.app[QUEUE].pending_count() == 1


async def test_redelivery_and_same_head_queue_once(client):
    body = (FIXTURES / "pull_request" / "opened.json").read_bytes()
    for _ in range(5):
        response = await post(client, "pull_request", body, **{"X-GitHub-Delivery": "same-delivery"})
        assert response.status == 202
    other_delivery_same_head = await post(client, "pull_request", body)
    assert other_delivery_same_head.status == 202
    assert client.app[QUEUE].pending_count() == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Hub-Signature-256": ""}, 401),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, 401),
        ({"X-Hub-Signature-256": sign(b"other body", SECRET)}, 401),
        ({"X-Hub-Signature-256": sign(b"x", "wrong secret")}, 401),
        ({"X-GitHub-Event": ""}, 400),
        ({"X-GitHub-Delivery": ""}, 400),
    ],
)
async def test_bad_headers_are_refused_and_nothing_is_queued(client, headers, status):
    body = (FIXTURES / "pull_request" / "opened.json").read_bytes()
    all_headers = delivery_headers("pull_request", body, SECRET)
    for key, value in headers.items():
        if value:
            all_headers[key] = value
        else:
            del all_headers[key]
    response = await client.post("/webhook", data=body, headers=all_headers)
    assert response.status == status
    assert client.app[QUEUE].pending_count() == 0


async def test_body_changed_by_one_byte_is_refused(client):
    body = (FIXTURES / "pull_request" / "opened.json").read_bytes()
    headers = delivery_headers("pull_request", body, SECRET)
    tampered = body.replace(b'"opened"', b'"opene\\u0064"', 1)
    response = await client.post("/webhook", data=tampered, headers=headers)
    assert response.status == 401


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
async def test_malformed_json_is_400(client, body):
    response = await post(client, "pull_request", body)
    assert response.status == 400


async def test_oversized_body_is_413(client):
    body = b'{"a": "' + b"x" * (25 * 1024 * 1024) + b'"}'
    headers = delivery_headers("pull_request", body, SECRET)
    response = await client.post("/webhook", data=io.BytesIO(body), headers=headers)
    assert response.status == 413
    assert client.app[QUEUE].pending_count() == 0


async def test_oversized_chunked_body_without_length_is_413(client):
    async def chunks():
        yield b'{"a": "'
        for _ in range(26):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    headers = delivery_headers("pull_request", b"unknown", SECRET)
    response = await client.post("/webhook", data=chunks(), headers=headers)
    assert response.status == 413
    assert client.app[QUEUE].pending_count() == 0


async def test_unknown_event_is_accepted_and_ignored(client):
    body = json.dumps({"action": "created", "sender": {"type": "User"}}).encode()
    response = await post(client, "star", body)
    assert response.status == 202
    assert client.app[QUEUE].pending_count() == 0


@pytest.mark.parametrize("name", ["payload.json", "with-app_id.json"])
async def test_ping_is_answered(client, name):
    response = await post(client, "ping", (FIXTURES / "ping" / name).read_bytes())
    assert response.status == 200
    assert (await response.json()) == {"msg": "pong"}


@pytest.mark.parametrize("action", ["closed", "labeled", "converted_to_draft"])
async def test_other_pull_request_actions_queue_nothing(client, action):
    response = await post(client, "pull_request", (FIXTURES / "pull_request" / f"{action}.json").read_bytes())
    assert response.status == 202
    assert client.app[QUEUE].pending_count() == 0


async def test_drafts_and_bots_are_skipped(client):
    draft = load_payload("pull_request", "opened")
    draft["pull_request"]["draft"] = True
    from_bot = load_payload("pull_request", "opened")
    from_bot["pull_request"]["head"]["sha"] = "1" * 40
    from_bot["sender"]["type"] = "Bot"
    from_bot["sender"]["login"] = "review-bot[bot]"
    for payload in (draft, from_bot):
        response = await post(client, "pull_request", json.dumps(payload).encode())
        assert response.status == 202
    assert client.app[QUEUE].pending_count() == 0


async def test_ready_for_review_with_installation_is_queued(client):
    body = (FIXTURES / "pull_request" / "ready_for_review.with-installation.json").read_bytes()
    response = await post(client, "pull_request", body)
    assert response.status == 202
    assert client.app[QUEUE].pending_count() == 1


async def test_pull_request_without_installation_is_400(client):
    body = (FIXTURES / "pull_request" / "ready_for_review.json").read_bytes()
    response = await post(client, "pull_request", body)
    assert response.status == 400
    assert "installation" in (await response.json())["error"]


@pytest.mark.parametrize(
    "drop",
    [("pull_request",), ("pull_request", "head"), ("pull_request", "head", "sha"), ("repository",)],
)
async def test_payload_missing_fields_is_400_naming_the_field(client, drop):
    payload = load_payload("pull_request", "opened")
    target = payload
    for key in drop[:-1]:
        target = target[key]
    del target[drop[-1]]
    response = await post(client, "pull_request", json.dumps(payload).encode())
    assert response.status == 400
    assert ".".join(drop) in (await response.json())["error"]
    assert client.app[QUEUE].pending_count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "installation/created.json",
        "installation/deleted.json",
        "installation_repositories/added.json",
        "installation_repositories/removed.json",
    ],
)
async def test_installation_events_drop_cached_tokens(client, path):
    tokens = client.app[CONTEXT].tokens
    dropped: list[object] = []
    original = tokens.invalidate
    tokens.invalidate = lambda installation_id=None: (
        dropped.append(installation_id) or original(installation_id)
    )
    event = path.split("/")[0]
    response = await post(client, event, (FIXTURES / path).read_bytes())
    assert response.status == 202
    payload = json.loads((FIXTURES / path).read_bytes())
    assert dropped == [payload["installation"]["id"]]
