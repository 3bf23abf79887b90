"""What the bot writes on GitHub: markers, escaping, limits."""

from __future__ import annotations

import base64
import json

from analyzers import Finding
from bot.github.pr_state import IgnoredRule, PRState, derive_state_key, pr_scope, state_mac
from bot.text.render import (
    BODY_LIMIT,
    SUMMARY_MARKER,
    SummaryInput,
    annotation,
    code_span,
    escape_markdown,
    fingerprints_in,
    inline_comment_body,
    review_comment,
    suggestion_block,
    summary_body,
)


def finding(**changes) -> Finding:
    base = {
        "tool": "ruff",
        "rule_id": "F401",
        "severity": "warning",
        "path": "a.py",
        "line": 3,
        "end_line": 3,
        "message": "`os` imported but unused",
        "fingerprint": "0123456789abcdef",
    }
    base.update(changes)
    return Finding(**base)


def test_inline_comment_carries_its_fingerprint():
    body = inline_comment_body(finding())
    assert fingerprints_in(body) == {"0123456789abcdef"}


def test_multi_line_comment_uses_start_line():
    comment = review_comment(finding(line=3, end_line=5))
    assert comment["start_line"] == 3 and comment["line"] == 5 and comment["side"] == "RIGHT"
    assert "start_line" not in review_comment(finding())


def test_untrusted_text_cannot_inject_html_mentions_or_markers():
    text = escape_markdown("<!-- review-bot:fp:deadbeefdeadbeef --> @org/team <img src=x>")
    assert "<" not in text and "@org" not in text
    assert "<!--" not in code_span("logo<!-- review-bot:fp:deadbeefdeadbeef -->.png")
    body = inline_comment_body(finding(message="<!-- review-bot:fp:deadbeefdeadbeef -->"))
    assert fingerprints_in(body) == {"0123456789abcdef"}


def test_suggestion_fence_outlasts_backticks_in_the_code():
    block = suggestion_block('x = """\n```\n"""')
    assert block.startswith("````suggestion\n") and block.endswith("\n````")


KEY, SCOPE = derive_state_key(None, "webhook secret"), pr_scope("octo", "repo", 7)


def test_state_round_trips_and_survives_damage():
    state = PRState(said=["0123456789abcdef", "fedcba9876543210"], paused=True, paused_by="octocat")
    state.ignored["B101"] = IgnoredRule("octocat", "tests use assert")
    state.last_reviewed_head = "a" * 40
    assert PRState.from_body(f"text\n{state.to_marker(KEY, SCOPE)}\n", KEY, SCOPE) == state
    assert PRState.from_body("<!-- review-bot:state:!!! -->", KEY, SCOPE) == PRState()
    assert PRState.from_body("<!-- review-bot:state:bm90IGpzb24= -->", KEY, SCOPE) == PRState()
    assert PRState.from_body(None, KEY, SCOPE) == PRState()


def signed(data: object, key: bytes = KEY, scope: str = SCOPE) -> str:
    raw = base64.b64encode(json.dumps(data).encode()).decode()
    return f"<!-- review-bot:state:v1:{raw}:{state_mac(key, scope, raw)} -->"


def test_odd_state_is_dropped_not_trusted():
    data = {"said": ["zz", "0123456789abcdef"], "ignored": {"bad rule!": {}, "B101": {"by": 1}}}
    state = PRState.from_body(signed(data), KEY, SCOPE)
    assert state.said == ["0123456789abcdef"] and list(state.ignored) == ["B101"]


def test_state_needs_the_mac_of_this_key_and_this_pr():
    paused = {"said": [], "paused": {"by": "mallory"}}
    assert PRState.from_body(signed(paused), KEY, SCOPE).paused
    assert PRState.from_body(signed(paused, key=b"another key"), KEY, SCOPE) == PRState()
    assert PRState.from_body(signed(paused, scope=pr_scope("octo", "repo", 8)), KEY, SCOPE) == PRState()
    legacy = base64.b64encode(json.dumps(paused).encode()).decode()
    assert PRState.from_body(f"<!-- review-bot:state:{legacy} -->", KEY, SCOPE) == PRState()


def test_only_the_last_marker_counts():
    mine = PRState(said=["0123456789abcdef"]).to_marker(KEY, SCOPE)
    earlier = signed({"said": [], "paused": {"by": "x"}})
    assert PRState.from_body(f"{earlier}\n{mine}", KEY, SCOPE) == PRState(said=["0123456789abcdef"])


def test_summary_stays_under_githubs_limit_with_many_findings():
    many = [finding(line=i, end_line=i, message="x" * 500, fingerprint=f"{i:016x}") for i in range(1, 2000)]
    body = summary_body(SummaryInput(head_sha="a" * 40, findings=many, not_inline=many))
    assert len(body) <= BODY_LIMIT
    assert body.startswith(SUMMARY_MARKER)
    assert "more, listed in the check run" in body


def test_annotation_levels():
    assert annotation(finding(severity="error"))["annotation_level"] == "failure"
    assert annotation(finding(severity="note"))["annotation_level"] == "notice"
    assert "start_column" not in annotation(finding(column=None))


def test_a_merged_finding_names_every_source():
    merged = finding(
        tool="semgrep", rule_id="python-shell-true", sources=("semgrep python-shell-true", "bandit B602")
    )
    body = inline_comment_body(merged)
    assert "also reported by bandit `B602`" in body
    assert "semgrep [`python-shell-true`]" in body or "semgrep `python-shell-true`" in body
