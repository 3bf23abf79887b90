"""Issue 8, class 8: a signed but malformed payload is a 400 with a clear message, never a 500.

Each handler path is fed its real fixture (tests/fixtures/github-webhooks) with one field it
reads replaced by a value of the wrong type, removed, or given a malformed value; and the body
parser is fed what Python's json module refuses or accepts too readily (deep nesting, huge
integers, NaN, non-UTF-8). Every answer is 2xx or 400, and a 400 queues nothing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bot.config import Settings
from bot.web import QUEUE, create_app
from tests.webhooks import FIXTURES, delivery_headers

SECRET = "webhook-secret-for-malformed-tests"

# (event header, fixture, the fields its handler reads; a comment's body holds no command, so a
# payload that passes starts no background work)
HANDLER_PATHS: list[tuple[str, str, list[tuple[str | int, ...]]]] = [
    (
        "pull_request",
        "pull_request/opened.json",
        [
            ("action",),
            ("pull_request",),
            ("pull_request", "number"),
            ("pull_request", "state"),
            ("pull_request", "draft"),
            ("pull_request", "user"),
            ("pull_request", "user", "login"),
            ("pull_request", "user", "type"),
            ("pull_request", "head"),
            ("pull_request", "head", "sha"),
            ("pull_request", "head", "repo"),
            ("pull_request", "head", "repo", "clone_url"),
            ("pull_request", "base"),
            ("pull_request", "base", "sha"),
            ("pull_request", "base", "ref"),
            ("repository",),
            ("repository", "name"),
            ("repository", "owner"),
            ("repository", "owner", "login"),
            ("repository", "clone_url"),
            ("installation",),
            ("installation", "id"),
            ("sender",),
            ("sender", "login"),
        ],
    ),
    (
        "issue_comment",
        "issue_comment/created.with-installation.json",
        [
            ("issue",),
            ("issue", "number"),
            ("issue", "pull_request"),
            ("comment",),
            ("comment", "id"),
            ("comment", "body"),
            ("comment", "user"),
            ("comment", "user", "login"),
            ("repository", "owner", "login"),
            ("repository", "name"),
            ("installation", "id"),
            ("sender", "type"),
        ],
    ),
    (
        "pull_request_review_comment",
        "pull_request_review_comment/created.json",
        [
            ("pull_request", "number"),
            ("comment", "id"),
            ("comment", "body"),
            ("comment", "in_reply_to_id"),
            ("comment", "user", "login"),
            ("repository",),
            ("installation",),
        ],
    ),
    (
        "installation",
        "installation/created.json",
        [("installation",), ("installation", "id"), ("installation", "account"), ("action",)],
    ),
    (
        "installation_repositories",
        "installation_repositories/added.json",
        [("repositories_added",), ("repositories_added", 0), ("repositories_added", 0, "full_name")],
    ),
    ("ping", "ping/payload.json", [("hook",), ("hook", "id"), ("zen",)]),
]

WRONG_VALUES: list[Any] = [
    "7",
    ["a"],
    {"a": 1},
    True,
    1.5,
    -3,
    0,
    10**25,
    "",
    "line\nbreak",
    "\ud800",
    None,
]
REMOVED = object()


@pytest.fixture
async def client(aiohttp_client):
    settings = Settings(
        app_id="1",
        private_key="unused",
        webhook_secret=SECRET,
        workers=0,
        api_url="http://127.0.0.1:9",  # nothing of GitHub is ever reached from here
    )
    return await aiohttp_client(create_app(settings))


async def post(client, event: str, body: bytes):
    return await client.post("/webhook", data=body, headers=delivery_headers(event, body, SECRET))


def mutated(payload: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any] | None:
    """A copy with ``path`` set to ``value`` (or removed), or None when the fixture lacks the path."""
    copy_ = copy.deepcopy(payload)
    target: Any = copy_
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(target, dict | list):
        return None
    if value is REMOVED:
        if isinstance(target, dict):
            target.pop(path[-1], None)
        elif len(target) > path[-1]:  # type: ignore[operator]
            del target[path[-1]]  # type: ignore[arg-type]
    elif isinstance(target, dict) or len(target) > path[-1]:  # type: ignore[operator]
        target[path[-1]] = value  # type: ignore[index]
    else:
        return None
    return copy_


def cases() -> list[tuple[str, str, tuple[str | int, ...], Any]]:
    return [
        (event, fixture, path, value)
        for event, fixture, paths in HANDLER_PATHS
        for path in paths
        for value in [*WRONG_VALUES, REMOVED]
    ]


@pytest.mark.parametrize("event,fixture", [(e, f) for e, f, _ in HANDLER_PATHS])
async def test_every_fixture_is_accepted_as_it_is(client, event, fixture):
    response = await post(client, event, (FIXTURES / fixture).read_bytes())
    assert response.status in (200, 202), await response.text()


@pytest.mark.parametrize("event,fixture", [(e, f) for e, f, _ in HANDLER_PATHS])
async def test_type_confused_fields_are_400_or_accepted_never_500(client, event, fixture):
    """One request per (field the handler reads) x (wrong value); ~600 in all, in-process."""
    payload = json.loads((FIXTURES / fixture).read_bytes())
    paths = next(p for e, f, p in HANDLER_PATHS if (e, f) == (event, fixture))
    refused = 0
    for path in paths:
        for value in [*WRONG_VALUES, REMOVED]:
            body = mutated(payload, path, value)
            if body is None:
                continue
            queued = client.app[QUEUE].pending_count()
            response = await post(client, event, json.dumps(body).encode())
            answer = await response.json()
            where = f"{event} {'.'.join(map(str, path))} = {value!r}"
            assert response.status in (200, 202, 400), where
            if response.status == 400:
                refused += 1
                assert answer["error"].startswith("payload"), where
                assert "Traceback" not in answer["error"]
                assert client.app[QUEUE].pending_count() == queued, where
    assert refused > 0


@pytest.mark.parametrize(
    "path,name",
    [
        (("pull_request", "number"), "pull_request.number"),
        (("repository",), "repository"),
        (("pull_request", "head", "sha"), "pull_request.head.sha"),
        (("installation", "id"), "installation.id"),
    ],
)
async def test_the_400_names_the_field(client, path, name):
    payload = json.loads((FIXTURES / "pull_request/opened.json").read_bytes())
    payload.setdefault("installation", {"id": 5})
    bad = mutated(payload, path, ["not", "this"] if path == ("repository",) else "12")
    response = await post(client, "pull_request", json.dumps(bad).encode())
    assert response.status == 400
    assert name in (await response.json())["error"]
    assert client.app[QUEUE].pending_count() == 0


async def test_a_head_sha_that_is_not_a_commit_id_is_refused(client):
    payload = json.loads((FIXTURES / "pull_request/opened.json").read_bytes())
    payload["installation"] = {"id": 5}
    for sha in ("--upload-pack=touch /tmp/x", "HEAD", "a" * 39, "A" * 40, "g" * 40):
        payload["pull_request"]["head"]["sha"] = sha
        response = await post(client, "pull_request", json.dumps(payload).encode())
        assert response.status == 400
        assert "pull_request.head.sha" in (await response.json())["error"]
    assert client.app[QUEUE].pending_count() == 0


@pytest.mark.parametrize(
    "body,message",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b'{"number": ' + b"9" * 5000 + b"}", "integer longer than"),
        (b'{"number": -' + b"9" * 5000 + b"}", "integer longer than"),
        (b'{"number": NaN}', "NaN"),
        (b'{"number": Infinity}', "Infinity"),
        (b'{"number": -Infinity}', "Infinity"),
        (b'{"number": 1e999}', "out of range"),
        (b'{"login": "caf\xe9"}', "UTF-8"),
        ('{"a": 1}'.encode("utf-16"), "UTF-8"),
        (b'\xef\xbb\xbf{"a": 1}', "not JSON"),
        (b'{"a": 1} {"b": 2}', "not JSON"),
        (b'"just a string"', "not a JSON object"),
        (b"null", "not a JSON object"),
    ],
)
async def test_body_the_parser_refuses_is_400_with_a_reason(client, body, message):
    for event in ("pull_request", "issue_comment", "installation", "ping", "star"):
        response = await post(client, event, body)
        assert response.status == 400
        assert message in (await response.json())["error"]
    assert client.app[QUEUE].pending_count() == 0


@pytest.mark.parametrize("action", [[], {}, 5, None, True])
async def test_an_action_that_is_not_a_string_is_400(client, action):
    payload = json.loads((FIXTURES / "pull_request/opened.json").read_bytes())
    payload["action"] = action
    response = await post(client, "pull_request", json.dumps(payload).encode())
    assert response.status == 400
    assert "action" in (await response.json())["error"]


async def test_deep_nesting_where_no_handler_looks_is_accepted(client):
    """Nesting the decoder can take (well under the recursion limit) is no reason to refuse."""
    payload = json.loads((FIXTURES / "ping/payload.json").read_bytes())
    payload["extra"] = json.loads("[" * 200 + "]" * 200)
    response = await post(client, "ping", json.dumps(payload).encode())
    assert response.status == 200
