"""bot/webhook_intake.py routing_part: what a receiver sends the workers of each delivery.

With REDIS_URL a receiver appends to the intake only the fields the payload models read
(bot/github/payloads.py). Nothing a handler reads may be lost on the way: on every real payload,
and on real payloads with any one value changed or removed, the part validates to the same model
as the whole (or fails with the same message), dispatches on the same action, names the same
repository and PR in the logs and carries a comment as GitHub sent it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.delivery import subject_of
from bot.github.payloads import EVENT_MODELS, PayloadError, parse
from bot.web import ROUTER, create_app
from bot.webhook_intake import ACTION_NOT_A_STRING, IntakeError, load_payload, routing_part
from tests.e2e import bot_settings

FIXTURES = Path(__file__).parent / "fixtures" / "github-webhooks"
PAYLOADS = sorted(FIXTURES.rglob("*.json"))


def outcome(event: str, data: dict[str, Any]) -> object:
    """What the handler of ``event`` gets from ``data``: its model, or the 400 it answers."""
    try:
        return parse(EVENT_MODELS[event], data)
    except PayloadError as exc:
        return str(exc)


def assert_same_for_the_handlers(event: str, whole: dict[str, Any], part: dict[str, Any]) -> None:
    assert part.get("action") == whole.get("action")  # what gidgethub dispatches on
    assert subject_of(part) == subject_of(whole)  # the log lines' repository and PR
    if event in EVENT_MODELS:
        assert outcome(event, part) == outcome(event, whole)
    else:  # an event no handler reads: only what the router and the log lines look at
        assert set(part) <= {"action", "repository", "pull_request", "issue"}
    if isinstance(whole.get("comment"), dict) and event in EVENT_MODELS:
        assert part["comment"] == whole["comment"]  # commands read it whole (/explain: path, lines)


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_real_payload_and_its_part_give_the_handlers_the_same(path: Path) -> None:
    event, body = path.parent.name, path.read_bytes()
    part = routing_part(event, body)
    assert_same_for_the_handlers(event, load_payload(body), load_payload(part))
    assert len(part) < len(body) / 4  # the point: a pull_request's 28 KB become about 0.5 KB


def test_every_event_a_handler_is_registered_for_has_its_model() -> None:
    router = create_app(bot_settings("http://127.0.0.1:9"))[ROUTER]
    registered = set(router._shallow_routes) | set(router._deep_routes)  # gidgethub keeps them there
    assert registered == set(EVENT_MODELS)


def paths(value: object, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in a JSON document where a value can be changed or removed."""
    if isinstance(value, dict):
        items: list[tuple[str | int, object]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    found = []
    for key, child in items:
        found.append((*at, key))
        found.extend(paths(child, (*at, key)))
    return found


REAL = [(path.parent.name, json.loads(path.read_bytes())) for path in PAYLOADS]
EDITS = [(n, where) for n, (_, data) in enumerate(REAL) for where in paths(data)]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.text(max_size=45),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(EDITS), st.none() | json_values)
def test_a_real_payload_with_one_value_changed_gives_the_handlers_the_same(edit, value) -> None:
    n, where = edit
    event, document = REAL[n][0], copy.deepcopy(REAL[n][1])
    parent = document
    for key in where[:-1]:
        parent = parent[key]
    if value is None and isinstance(parent, dict):
        del parent[where[-1]]  # removed
    else:
        parent[where[-1]] = value
    body = json.dumps(document).encode()
    try:
        part = routing_part(event, body)
    except IntakeError as exc:  # only the router's own field is checked by the receiver
        assert where == ("action",) and exc.message == ACTION_NOT_A_STRING
        return
    assert_same_for_the_handlers(event, document, load_payload(part))


def test_a_payload_not_of_its_models_shape_is_sent_whole() -> None:
    # For the worker's model to name the field, as the single process answers it.
    for body in (
        b'{"action": "opened", "pull_request": 5}',
        b'{"action": "opened", "pull_request": {"number": 1, "head": [1]}}',
        b'{"action": "added", "installation": {"id": 1}, "repositories_added": {"full_name": "a/b"}}',
    ):
        event = "installation_repositories" if b"added" in body else "pull_request"
        assert routing_part(event, bytearray(body)) == body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"action": 5}', ACTION_NOT_A_STRING),
        (b"[1]", "body is not a JSON object"),
        (b'"text"', "body is not a JSON object"),
        (b"{", "body is not JSON: Expecting property name enclosed in double quotes at line 1"),
        (b'{"a": NaN}', "body holds NaN, which is not JSON"),
        (b'{"action": "\xff"}', "body is not UTF-8 text"),
        (b'{"a": 1} 2', "body is not JSON: Extra data at line 1"),
    ],
)
def test_what_a_receiver_refuses(body: bytes, message: str) -> None:
    for event in ("pull_request", "push"):  # with a model, and without one
        with pytest.raises(IntakeError) as caught:
            routing_part(event, body)
        assert (caught.value.status, caught.value.message) == (400, message)


def test_flaws_inside_kept_values_are_left_to_the_workers_parser() -> None:
    # The decode keeps a value's bytes as sent; load_payload, in the worker, refuses them.
    for value, refusal in ((b"1e999", "out of range"), (b'"\xff"', "UTF-8"), (b"9" * 5000, "digits")):
        body = b'{"action": "opened", "pull_request": {"number": %s}}' % value
        with pytest.raises(IntakeError, match=refusal):
            load_payload(routing_part("pull_request", body))


def test_flaws_in_what_no_handler_reads_go_with_it() -> None:
    # Values only: a body that is not JSON (NaN, trailing data) is refused whatever it holds.
    body = b'{"action": "opened", "sender": {"login": "a", "bio": "\xff", "n": 1e999}}'
    with pytest.raises(IntakeError):
        load_payload(body)  # the single process refuses the whole body
    assert load_payload(routing_part("pull_request", body)) == {"action": "opened", "sender": {"login": "a"}}


def test_a_repeated_key_counts_as_the_standard_parser_counts_it() -> None:
    first, then = (
        b'"action": "opened", "pull_request": {"number": 1}',
        b'"action": "closed", "pull_request": {"number": 2}',
    )
    body = b"{" + first + b", " + then + b"}"
    assert load_payload(routing_part("pull_request", body)) == load_payload(body)  # the last one
