"""Fuzz targets (hypothesis, bounded): the sanitiser and the PR state marker parser.

The sanitiser's output is judged by parsing it with markdown-it-py, the way GitHub would read it,
and walking every token: no raw HTML, no image, no link leaving the repository, no live mention
or bare URL GitHub would autolink, no control character, and never ``<!--`` in the raw text.
The state parser never raises, never accepts a marker without this key's MAC for this PR, and
reads back what it wrote.
"""

from __future__ import annotations

import base64
import json
import os
import posixpath
import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.github.pr_state import RULE_ID, IgnoredRule, PRState, derive_state_key, pr_scope, state_mac
from bot.text.sanitize import (
    agent_line,
    code_span,
    escape_markdown,
    message_markdown,
    repo_link,
    sanitize_agent_text,
)

REPO = "https://github.com/octo/repo"
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MENTION = re.compile(r"@(?!\u200b)([A-Za-z0-9][A-Za-z0-9-]*)")
AUTOLINKED = re.compile(r"(?i)(?:\b(?:https?|ftp)://|\bwww\.)[^\s<]*")  # what GitHub links in text
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A few seconds per target by default; FUZZ_EXAMPLES=5000 for a longer hunt.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
BOUNDED = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces a hostile author strings together: Markdown and HTML syntax, marker text, URL tricks.
PIECES = [
    "<!--", "-->", "<!-- review-bot:state:v1:e30=:" + "0" * 64 + " -->", "<img src=x>", "<details>",
    "</b>", "<a href='https://evil'>", "@octocat", "@org/team", "a@b.com", "![x](http://evil/p.png)",
    "[a](https://evil)", "[b](" + REPO + "/../../evil)", "[c](" + REPO + "/%2e%2e/%2e%2e/evil)",
    "[d](" + REPO + "/blob/main/a.py)", "<https://evil>", "https://evil.example/x", "www.evil.com",
    "`", "``", "```", "\\`", "\\", "~~~", "*", "_", "|", "[", "]", "(", ")", "!", "#", "&amp;", "&lt;",
    "\n", "\n\n", "    ", "> ", "- ", "1. ", "other/repo#12", "javascript:alert(1)", "\x1b[2J", "\u202e",
    "\r", "\t", "$x$", "[r]: https://evil", "[r]", "%2e%2e", "/../", "//evil.com", "a", "b c", "é",
]  # fmt: skip
hostile = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=24).map("".join)
anything = hostile | st.text(max_size=200)


def tokens(markdown: str) -> list[Token]:
    out: list[Token] = []
    for token in GFM.parse(markdown):
        out.append(token)
        out += token.children or []
    return out


def inside_repo(href: str) -> bool:
    """Independent of bot.text.sanitize: the href, decoded and normalised, is under REPO (or an anchor)."""
    if href.startswith("#"):
        return True
    parts = urlsplit(href)
    path = unquote(unquote(parts.path))
    return (
        parts.scheme == "https"
        and parts.netloc == "github.com"
        and "\\" not in path
        and (posixpath.normpath(path) + "/").startswith("/octo/repo/")
    )


def problems(
    markdown: str,
    link_ok: Callable[[str], bool] = lambda _: False,
    *,
    html_ok: Callable[[str], bool] = lambda _: False,
    people: tuple[str, ...] = (),
) -> list[str]:
    """What GitHub would make live in ``markdown`` that PR text must never make live (the caller
    names the links, raw HTML and mentioned people it writes itself)."""
    found = []
    if "<!--" in markdown:
        found.append("<!--")
    if CONTROL.search(markdown):
        found.append("control character")
    in_link = 0  # GitHub autolinks no text inside a link (which must be one of the allowed)
    for token in tokens(markdown):
        if token.type in ("html_inline", "html_block") and not html_ok(token.content):
            found.append(f"raw HTML {token.content!r}")
        elif token.type == "image":
            found.append("image")
        elif token.type == "link_open":
            in_link += 1
            if not link_ok(str(token.attrGet("href"))):
                found.append(f"link to {token.attrGet('href')}")
        elif token.type == "link_close":
            in_link -= 1
        elif token.type == "text" and any(m not in people for m in MENTION.findall(token.content)):
            found.append(f"mention in {token.content!r}")
        elif token.type == "text" and not in_link:
            urls = [m.rstrip(".,:;!?*_~'\")") for m in AUTOLINKED.findall(token.content)]
            found += [f"autolinked URL {url!r}" for url in urls if not link_ok(url)]
    return found


@BOUNDED
@given(anything)
def test_escaped_text_is_literal_on_one_line(text: str) -> None:
    out = escape_markdown(text)
    assert "\n" not in out and problems(out) == []
    assert problems(f"- {out}") == [] and problems(f"| a |\n|---|\n| {out} |") == []


@BOUNDED
@given(anything)
def test_a_code_span_holds_any_name(text: str) -> None:
    out = code_span(text)
    assert "\n" not in out and "<!--" not in out
    [paragraph] = [t for t in GFM.parse(f"x {out} y") if t.type == "inline"]
    assert [c.type for c in paragraph.children] == ["text", "code_inline", "text"]
    cell = [t for t in tokens(f"| a |\n|---|\n| {code_span(text, table=True)} |") if t.type == "td_open"]
    assert len(cell) == 1  # one cell: a | in the name does not split it


@BOUNDED
@given(anything)
def test_an_analyzer_message_shows_what_it_quotes_as_text(text: str) -> None:
    out = message_markdown(text)
    assert "\n" not in out and problems(out) == []
    assert problems(f"| a |\n|---|\n| {message_markdown(text, table=True)} |") == []


@BOUNDED
@given(anything)
def test_agent_text_links_only_inside_the_repository(text: str) -> None:
    out = sanitize_agent_text(text, repo_url=REPO)
    assert problems(out, inside_repo) == []
    assert problems("\n".join(f"> {line}" for line in out.splitlines()), inside_repo) == []  # a transcript
    assert problems(sanitize_agent_text(out, repo_url=REPO), inside_repo) == []  # sanitised twice: still
    line = agent_line(text, repo_url=REPO)
    assert "\n" not in line and problems(f"**Verdict:** {line}", inside_repo) == []


@BOUNDED
@given(st.sampled_from(["", "/", "/../", "/%2e%2e/", "/%252e%252e/", "\\..\\", "/./", "//"]), hostile)
def test_a_repository_link_is_checked_on_the_normalised_url(trick: str, rest: str) -> None:
    link = repo_link(REPO + trick + rest, REPO)
    assert link is None or inside_repo(link)


# --- the state marker ---------------------------------------------------------------------------

KEY, SCOPE = derive_state_key(None, "fuzz secret"), pr_scope("octo", "repo", 1)
hex_ids = st.text("0123456789abcdef", min_size=8, max_size=64)
rules = st.from_regex(RULE_ID, fullmatch=True)
states = st.builds(
    PRState,
    said=st.lists(hex_ids, max_size=20, unique=True),
    paused=st.booleans(),
    ignored=st.dictionaries(rules, st.builds(IgnoredRule, st.text(max_size=100), st.text(max_size=300))),
    last_reviewed_head=st.just("") | st.text("0123456789abcdef", min_size=40, max_size=40),
).map(lambda s: PRState(s.said, s.paused, "someone" if s.paused else "", s.ignored, s.last_reviewed_head))


@BOUNDED
@given(anything)
def test_the_parser_never_raises_nor_accepts_an_unsigned_body(body: str) -> None:
    assert PRState.from_body(body, KEY, SCOPE) == PRState()


@BOUNDED
@given(states, anything, anything)
def test_the_state_round_trips_and_only_with_its_key_and_pr(state: PRState, before: str, forged: str) -> None:
    marker = state.to_marker(KEY, SCOPE)
    assert PRState.from_body(f"{before}\n{marker}", KEY, SCOPE) == state
    assert PRState.from_body(f"{before}\n{marker}", derive_state_key("other", None), SCOPE) == PRState()
    assert PRState.from_body(f"{before}\n{marker}", KEY, pr_scope("octo", "repo", 2)) == PRState()
    # A marker anyone could write (any payload, a MAC not from the key) is no state at all.
    payload = base64.b64encode(forged.encode()).decode()
    fake = f"<!-- review-bot:state:v1:{payload}:{state_mac(b'guess', SCOPE, payload)} -->"
    assert PRState.from_body(f"{before}\n{fake}", KEY, SCOPE) == PRState()


@BOUNDED
@given(
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=5), c),
    )
)
def test_whatever_payload_was_signed_decodes_without_raising(data: object) -> None:
    payload = base64.b64encode(json.dumps(data).encode()).decode()
    body = f"<!-- review-bot:state:v1:{payload}:{state_mac(KEY, SCOPE, payload)} -->"
    assert isinstance(PRState.from_body(body, KEY, SCOPE), PRState)
    deep = base64.b64encode(b"[" * 100_000).decode()
    assert (
        PRState.from_body(f"<!-- review-bot:state:v1:{deep}:{state_mac(KEY, SCOPE, deep)} -->", KEY, SCOPE)
        == PRState()
    )
