"""bot/webhook_intake.py load_payload: orjson's fast path gives what the exact parser gives.

The refusals and their messages are tested with the attacks (tests/adversarial/
test_malformed_payloads.py); here, that the fast path changes no accepted value: every real
payload, integers past 64 bits kept exact up to the interpreter's digit limit, and any JSON
document hypothesis draws.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.webhook_intake import IntakeError, load_payload

FIXTURES = Path(__file__).parent / "fixtures" / "github-webhooks"


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.json")), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_real_payload_parses_as_the_standard_parser_reads_it(path: Path):
    body = path.read_bytes()
    expected = json.loads(body)
    if isinstance(expected, dict):
        assert load_payload(bytearray(body)) == expected


@pytest.mark.parametrize("digits", [18, 19, 20, 21, 25, 30, 31, 100, 4299, 4300])
def test_long_integers_stay_exact_integers(digits: int):
    number = int("9" * digits)
    for value in (number, -number):
        parsed = load_payload(
            json.dumps({"id": value, "text": "a 20-digit run: 12345678901234567890"}).encode()
        )
        assert parsed["id"] == value and type(parsed["id"]) is int


@pytest.mark.parametrize("sign", ["", "-"])
def test_an_integer_past_the_interpreters_digit_limit_is_refused(sign: str):
    with pytest.raises(IntakeError, match="integer longer than 4300 digits"):
        load_payload(f'{{"id": {sign}{"9" * 4301}}}'.encode())


def test_a_lone_surrogate_escape_is_read_as_before():
    # msgspec refuses it; the exact parser reads it (the sanitisers deal with such text later).
    assert load_payload(b'{"title": "\\ud800x"}') == {"title": "\ud800x"}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30) + 1, max_value=10**30 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6), st.booleans())
def test_any_json_object_is_read_exactly_as_the_standard_parser_does(document, ascii_only):
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:  # a lone surrogate written raw is not UTF-8: refused by both
        with pytest.raises(IntakeError, match="UTF-8"):
            load_payload(body)
        return
    assert load_payload(body) == expected
