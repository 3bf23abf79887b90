"""Make agent-written text safe to post on a pull request.

The agents read untrusted text, so what they write is untrusted too: a prompt injection can
make a model write ``@org/everyone``, a tracking image, a phishing link or raw HTML that hides
text. Before anything agent-written is posted: mentions are broken with a zero-width space
(as :func:`bot.render.escape_markdown` does), HTML tags and comments are removed and any
remaining ``<``/``>``/``&`` escaped, images are dropped, links and bare URLs outside the
repository are removed (a link keeps its text), cross-repository references cannot ping other
repositories, and the length is capped. Code blocks and spans are left as written: GitHub
renders nothing inside them, and an unclosed fence is closed so it cannot swallow what follows.

The result is block-level Markdown; a caller putting it into a table cell or one line still
passes it through ``escape_markdown``.
"""

from __future__ import annotations

import re

from bot.render import escape_markdown

MAX_AGENT_TEXT = 4000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_HTML = re.compile(r"<!--.*?(-->|$)|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s.*)?$")
_BARE_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]]+")
_CROSS_REF = re.compile(r"\b([\w.-]+/[\w.-]+)#(\d+)")


def sanitize_agent_text(text: str, *, repo_url: str | None = None, max_chars: int = MAX_AGENT_TEXT) -> str:
    """Agent text made safe to post: no pings, no HTML, no images, no links leaving ``repo_url``."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + " … (cut)"
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is not None:
            out.append(line)
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not line.strip().lstrip(fence[0]):
                    fence = None
            continue
        if match:
            fence = match.group(1)
            out.append(line)
            continue
        out.append(_sanitize_line(line, repo_url))
    if fence is not None:
        out.append(fence)
    return "\n".join(out)


def _inside_repo(url: str, repo_url: str | None) -> bool:
    if url.startswith("#") and len(url) > 1:
        return True  # an anchor on the same page
    if not repo_url:
        return False
    base = repo_url.rstrip("/").lower()
    lowered = url.lower()
    return lowered == base or lowered.startswith(base + "/") or lowered.startswith(base + "#")


def _sanitize_line(line: str, repo_url: str | None) -> str:
    definition = _REF_DEFINITION.match(line)
    if definition and not _inside_repo(definition.group(1), repo_url):
        return ""
    parts: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(line):
        parts.append(_sanitize_prose(line[last : span.start()], repo_url))
        parts.append(span.group(0))
        last = span.end()
    parts.append(_sanitize_prose(line[last:], repo_url))
    return "".join(parts)


def _sanitize_prose(text: str, repo_url: str | None) -> str:
    """Outside code: drop HTML and images, keep repository links, escape the rest."""
    text = _HTML.sub("", text)
    text = _IMAGE.sub("", text)
    kept: list[str] = []

    def link(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2)
        if not _inside_repo(url, repo_url):
            return label
        kept.append(f"[{_escape(label)}]({url})")
        return f"\x00{len(kept) - 1}\x00"

    text = _LINK.sub(link, text)
    text = _BARE_URL.sub(
        lambda m: m.group(0) if _inside_repo(m.group(0), repo_url) else "(link removed)", text
    )
    text = _escape(text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _escape(text: str) -> str:
    """escape_markdown for one line, plus references into other repositories, which would ping them."""
    return _CROSS_REF.sub("\\1#\u200b\\2", escape_markdown(text))
