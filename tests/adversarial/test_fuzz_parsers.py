"""Issue 8: fuzz targets (hypothesis) for the webhook parse path and the diff parser.

Bounded: a fixed number of examples per target and no deadline, so the file runs in seconds.
- The webhook endpoint, signed bodies: garbage bytes, random JSON, and the real fixtures with a
  random field replaced by a random value; the answer is always 2xx or 4xx, never 5xx.
- The diff parser: random text and mutated diffs either parse or raise DiffError (nothing else),
  and diffs written the way git writes them, with any legal file name, round-trip exactly:
  names, statuses, and the added, context and deleted line numbers.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzers.diff import DiffError, FileDiff, parse_patch, parse_unified_diff
from bot.config import Settings
from bot.web import create_app
from tests.webhooks import FIXTURES, delivery_headers

SECRET = "webhook-secret-for-fuzzing"
BOUNDED = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
EVENTS = {
    "pull_request": ["opened", "synchronize", "closed", "ready_for_review.with-installation"],
    "issue_comment": ["created", "created.with-installation"],
    "pull_request_review_comment": ["created"],
    "installation": ["created", "deleted"],
    "installation_repositories": ["added", "removed"],
    "ping": ["payload"],
}
FIXTURE_PAYLOADS = {
    (event, name): json.loads((FIXTURES / event / f"{name}.json").read_bytes())
    for event, names in EVENTS.items()
    for name in names
}

# --- the webhook endpoint -----------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


class Endpoint:
    """The real app behind a real local server, driven from synchronous hypothesis tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        app_settings = Settings(
            app_id="1", private_key="unused", webhook_secret=SECRET, workers=0, api_url="http://127.0.0.1:9"
        )
        self.client = TestClient(TestServer(create_app(app_settings)), loop=self.loop)
        self.loop.run_until_complete(self.client.start_server())

    def post(self, event: str, body: bytes) -> tuple[int, bytes]:
        async def send() -> tuple[int, bytes]:
            response = await self.client.post(
                "/webhook", data=body, headers=delivery_headers(event, body, SECRET)
            )
            return response.status, await response.read()

        return self.loop.run_until_complete(send())

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    started = Endpoint()
    yield started
    started.close()


def check_answer(status: int, answer: bytes) -> None:
    assert status < 500, answer[:500]
    if status >= 400:
        assert "error" in json.loads(answer)


@BOUNDED
@given(event=st.sampled_from([*EVENTS, "star", "check_run"]), body=st.binary(max_size=300))
def test_garbage_bodies_are_never_a_server_error(endpoint, event, body) -> None:
    check_answer(*endpoint.post(event, body))


@BOUNDED
@given(event=st.sampled_from([*EVENTS, "star"]), payload=json_values)
def test_random_json_is_never_a_server_error(endpoint, event, payload) -> None:
    check_answer(*endpoint.post(event, json.dumps(payload).encode()))


def replace_at(payload: Any, data: st.DataObject, value: Any) -> Any:
    """``payload`` with one randomly chosen field (at any depth) replaced by ``value``."""
    if not isinstance(payload, dict | list) or not payload or data.draw(st.integers(0, 3)) == 0:
        return value
    keys = list(payload) if isinstance(payload, dict) else list(range(len(payload)))
    key = data.draw(st.sampled_from(keys))
    copy = dict(payload) if isinstance(payload, dict) else list(payload)
    copy[key] = replace_at(payload[key], data, value)  # type: ignore[index]
    return copy


@BOUNDED
@given(fixture=st.sampled_from(sorted(FIXTURE_PAYLOADS)), value=json_values, data=st.data())
def test_fixtures_with_a_random_field_replaced_are_never_a_server_error(
    endpoint, fixture, value, data
) -> None:
    payload = replace_at(FIXTURE_PAYLOADS[fixture], data, value)
    check_answer(*endpoint.post(fixture[0], json.dumps(payload).encode()))


# --- the diff parser ----------------------------------------------------------------------------

_C_ESCAPES = {
    "\a": "a",
    "\b": "b",
    "\t": "t",
    "\n": "n",
    "\v": "v",
    "\f": "f",
    "\r": "r",
    '"': '"',
    "\\": "\\",
}


def git_quote(name: str) -> str:
    """``name`` as git writes it with core.quotePath=false: C-quoted if it holds a special character."""
    if not any(ch in _C_ESCAPES or ch < " " or ch == "\x7f" for ch in name):
        return name
    out = []
    for ch in name:
        if ch in _C_ESCAPES:
            out.append("\\" + _C_ESCAPES[ch])
        elif ch < " " or ch == "\x7f":
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def file_line(sign: str, prefix: str, name: str | None) -> str:
    if name is None:
        return f"{sign} /dev/null\n"
    return f"{sign} {git_quote(prefix + name)}{chr(9) if ' ' in name else ''}\n"


path_parts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
    min_size=1,
    max_size=12,
).filter(lambda part: part not in (".", "..", ".git"))
# What has broken diff parsers: " b/" inside a name, quotes, tabs, newlines, "/dev/null", unicode.
TRICKY = [" b/", " a/", "a b", " ", '"', "\t", "\n", "\\", "/dev/null", "ü", ' "b/', "diff --git ", "\r"]


def legal_name(name: str) -> bool:
    parts = name.split("/")
    return all(part not in ("", ".", "..", ".git") for part in parts)


file_names = (
    st.lists(st.one_of(path_parts, st.sampled_from(TRICKY), st.just("/")), min_size=1, max_size=5)
    .map("".join)
    .filter(legal_name)
)
line_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=10
)
hunk_ops = st.lists(st.tuples(st.sampled_from(" +-"), line_texts), min_size=1, max_size=12)


def write_hunks(hunks: list[tuple[int, int, list[tuple[str, str]]]], fd: FileDiff) -> str:
    """Hunks as text, and their lines recorded in ``fd`` the way the parser must find them."""
    out = []
    for old_no, new_no, ops in hunks:
        old_len = sum(op != "+" for op, _ in ops)
        new_len = sum(op != "-" for op, _ in ops)
        if new_len:
            fd.hunks.append((new_no, new_no + new_len - 1))
        out.append(f"@@ -{old_no},{old_len} +{new_no},{new_len} @@ def f():\n")
        for op, text in ops:
            out.append(op + text + "\n")
            if op == " ":
                fd.context.add(new_no)
            if op == "+":
                fd.added.add(new_no)
            if op == "-":
                fd.deleted.add(old_no)
            old_no += op != "+"
            new_no += op != "-"
    return "".join(out)


@st.composite
def git_diffs(draw: st.DrawFn) -> tuple[str, dict[str, FileDiff]]:
    names = draw(st.lists(file_names, min_size=1, max_size=4, unique=True))
    text, expected = [], {}
    for name in names:
        kind = draw(st.sampled_from(["modified", "added", "removed", "renamed", "mode"]))
        old = draw(file_names.filter(lambda other, n=name: other != n)) if kind == "renamed" else name
        fd = FileDiff(path=name, status=kind if kind != "mode" else "modified")
        start = draw(st.integers(1, 10_000))
        ops = draw(hunk_ops)
        if kind == "added":
            ops, start = [("+", t) for _, t in ops], 1
        if kind == "removed":
            ops, start = [("-", t) for _, t in ops], 1
        header = f"diff --git {git_quote('a/' + old)} {git_quote('b/' + name)}\n"
        if kind == "mode":
            text.append(header + "old mode 100644\nnew mode 100755\n")
        elif kind == "renamed":
            fd.old_path = old
            moved = f"similarity index 90%\nrename from {git_quote(old)}\nrename to {git_quote(name)}\n"
            body = file_line("---", "a/", old) + file_line("+++", "b/", name)
            text.append(
                header
                + moved
                + "index 1234567..89abcde 100644\n"
                + body
                + write_hunks([(start, start, ops)], fd)
            )
        else:
            mode = {"added": "new file mode 100644\n", "removed": "deleted file mode 100644\n"}.get(kind, "")
            minus = file_line("---", "a/", None if kind == "added" else name)
            plus = file_line("+++", "b/", None if kind == "removed" else name)
            if kind == "removed":
                fd.old_path = name
            new_start = 0 if kind == "removed" else start
            text.append(header + mode + "index 1234567..89abcde\n" + minus + plus)
            text.append(write_hunks([(start if kind != "added" else 0, new_start, ops)], fd))
        expected[name] = fd
    return "".join(text), expected


@BOUNDED
@given(git_diffs())
def test_diffs_as_git_writes_them_round_trip_exactly(case) -> None:
    text, expected = case
    parsed = parse_unified_diff(text)
    assert {p: d.to_dict() for p, d in parsed.items()} == {p: d.to_dict() for p, d in expected.items()}


def assert_consistent(diffs: dict[str, FileDiff]) -> None:
    for fd in diffs.values():
        assert all(n >= 1 for n in fd.added | fd.context | fd.deleted)
        assert fd.added.isdisjoint(fd.context)
        for n in fd.added | fd.context:
            assert any(lo <= n <= hi for lo, hi in fd.hunks), (n, fd.hunks)


@BOUNDED
@given(st.text(max_size=400))
def test_random_text_parses_or_raises_diff_error(text) -> None:
    try:
        assert_consistent(parse_unified_diff(text))
    except DiffError:
        pass
    try:
        assert_consistent({"x": parse_patch("x", text)})
    except DiffError:
        pass


@BOUNDED
@given(git_diffs(), st.data())
def test_mutated_diffs_parse_or_raise_diff_error(case, data) -> None:
    lines = case[0].splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines)))
        action = data.draw(st.sampled_from(["drop", "insert", "swap"]))
        if action == "drop" and at < len(lines):
            del lines[at]
        elif action == "insert":
            lines.insert(
                at,
                data.draw(
                    st.sampled_from(
                        [
                            "@@ -1 +1 @@\n",
                            "--- a/x\n",
                            "+++ b/y\n",
                            "diff --git a\n",
                            "\\\n",
                            "+\n",
                            'rename to "\n',
                        ]
                    )
                ),
            )
        elif action == "swap" and 0 < at < len(lines):
            lines[at - 1], lines[at] = lines[at], lines[at - 1]
    try:
        assert_consistent(parse_unified_diff("".join(lines)))
    except DiffError:
        pass


def test_the_golden_diffs_stay_golden_under_the_fuzzed_parser() -> None:
    """The fixtures the fuzzer's generator imitates parse as their goldens say (a sanity anchor)."""
    for diff_file in sorted(Path(__file__).parents[1].joinpath("fixtures", "diffs").glob("*.diff")):
        golden = json.loads(diff_file.with_suffix(".json").read_text(encoding="utf-8"))
        if golden["input"]["kind"] != "github_patch":
            parsed = parse_unified_diff(diff_file.read_text(encoding="utf-8"))
            assert {p: d.to_dict() for p, d in parsed.items()} == golden["expected"], diff_file.name
