"""The one sanitiser for untrusted text in everything the bot posts as Markdown.

Untrusted is whatever a PR author, a commenter or a model controls: paths, analyzer messages
quoting the PR's code, rule ids from reports, ``/ignore`` reasons, agent text, config errors.
Each shape has one function here, and every body the bot posts uses them:

- :func:`escape_markdown`: literal text on one line (reasons, logins, problems, config errors);
- :func:`code_span`: a name (path, rule id) shown as code, safe for any input;
- :func:`message_markdown`: an analyzer message on one line, literal except its code spans;
- :func:`sanitize_agent_text` / :func:`agent_line`: model-written Markdown, re-rendered from
  markdown-it-py's parse tree, so that only constructs rendered here reach the output.

What they guarantee (tests/adversarial/test_fuzz_markdown.py checks it by parsing the output):
no live ``@mention`` (a zero-width space follows every ``@``), no raw HTML, no image, no link or
autolink leaving the repository, judged on the resolved, normalised URL (``/../`` and
``%2e%2e`` cannot climb out), no control character, and the raw text never holds ``<!--``,
so PR text cannot fake one of the bot's hidden markers.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

ZWSP = "\u200b"
MAX_AGENT_TEXT = 4000
MAX_MESSAGE = 4000  # an analyzer message longer than this is cut (parsing costs ~10 µs a character)
LINK_REMOVED = "(link removed)"

_BLOCKS = MarkdownIt("commonmark", {"maxNesting": 20}).enable(["table", "strikethrough"])
_CODE_ONLY = MarkdownIt("zero").enable(["backticks", "escape", "entity"])  # analyzer messages

_C0 = re.compile(r"[\x00-\x1f\x7f]")
_INVISIBLE = re.compile("[\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")
_SPECIAL = re.compile(r"[\\`*_\[\]|~$<>&]")
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)]))")
_WWW = re.compile(r"(?i)\b(www)\.")
_BARE_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>]*[^\s<>.,;:!?\"')\]]")
_TAG = re.compile(r"<!--.*?(?:-->|$)|<[!?/]?[A-Za-z][^<>]*>?", re.S)
_BAD_URL_CHAR = re.compile(r"[\x00-\x20\x7f-\x9f]")
_URL_SAFE = "/-._~!$&+,=:@"  # no ( ) < > ` ' " * ; \ : a destination cannot end or leave its link


def visible_controls(text: str) -> str:
    """Control characters as their Unicode pictures (a newline shows as ␊), invisible format
    characters (bidi overrides, line separators) as U+FFFD: a name cannot break a line or hide."""
    text = _C0.sub(lambda m: "\u2421" if m.group() == "\x7f" else chr(0x2400 + ord(m.group())), text)
    return _INVISIBLE.sub("\ufffd", text)


def _escape(text: str) -> str:
    """Literal inline text: nothing in it can open HTML, a link, an autolink or a mention."""
    text = _SPECIAL.sub(lambda m: _ESCAPES.get(m.group(), "\\" + m.group()), visible_controls(text))
    text = re.sub(f"@(?!{ZWSP})", "@" + ZWSP, text)  # mentions, team mentions, e-mail autolinks
    text = text.replace("://", ":" + ZWSP + "//")  # GitHub's extended autolinks
    text = _WWW.sub(r"\1" + ZWSP + ".", text)
    return re.sub(r"(?<=\S)#(?=\d)", "#" + ZWSP, text)  # other/repo#12 would ping that repository


def guard_line_start(text: str) -> str:
    """Escape what would make a line a heading, list item or setext underline (cosmetic only)."""
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text, count=1)


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def escape_markdown(text: str, *, limit: int | None = None) -> str:
    """Untrusted text as literal Markdown on one line (whitespace, newlines included, collapses)."""
    return guard_line_start(_escape(_cut(" ".join(str(text).split()), limit)))


def code_span(text: str, *, table: bool = False, inert: bool = True) -> str:
    """A name as a code span whatever it holds: backtick runs are outlasted, control characters
    shown as pictures, ``<!`` and ``@`` broken; in a table cell ``|`` is escaped as GFM requires there.

    GitHub does not notify a mention inside a code span, but a file named ``@team.py`` listed in a
    summary must stay inert when its text is copied or quoted out of the span too. ``inert=False``
    keeps ``@`` as written: for code the agents quote, which must read as the code it is."""
    text = visible_controls(str(text)).replace("<!", "<" + ZWSP + "!")
    if inert:
        text = re.sub(f"@(?!{ZWSP})", "@" + ZWSP, text)
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return "` `"
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""  # Markdown strips one space each side
    return f"{ticks}{pad}{text}{pad}{ticks}"


def message_markdown(text: str, *, limit: int = MAX_MESSAGE, table: bool = False) -> str:
    """An analyzer's message on one line: its code spans kept (ruff writes `name`), the rest literal,
    so PR code it quotes (``![x](http://evil)``, ``<img>``, ``@team``) shows as text."""
    root = SyntaxTreeNode(_CODE_ONLY.parse(_cut(" ".join(str(text).split()), limit)))
    parts = [
        code_span(node.content, table=table) if node.type == "code_inline" else _escape(node.content)
        for node in root.walk()
        if node.type in ("text", "code_inline")
    ]
    return guard_line_start(_join(parts))


def message_source(markdown: str) -> str:
    """The text a line of ours was rendered from (code spans as `code`), for /explain's read-back."""
    root = SyntaxTreeNode(_BLOCKS.parse(markdown))
    parts: list[str] = []
    for node in root.walk():
        if node.type == "text":
            parts.append(node.content.replace(ZWSP, ""))
        elif node.type == "code_inline":
            ticks = "`" * (max((len(m) for m in re.findall(r"`+", node.content)), default=0) + 1)
            parts.append(f"{ticks}{node.content.replace(ZWSP, '')}{ticks}")
        elif node.type == "softbreak":
            parts.append(" ")
    return " ".join("".join(parts).split())


def _join(parts: list[str]) -> str:
    """Concatenate rendered pieces; two code spans never touch (their backtick runs would merge
    and let the second one's content out of code)."""
    out = ""
    for part in parts:
        if out.endswith("`") and part.startswith("`"):
            out += ZWSP
        out += part
    return out


# --- links --------------------------------------------------------------------------------------


def _encode(url_part: str, extra_safe: str = "") -> str:
    return quote(unquote(url_part), safe=_URL_SAFE + extra_safe)


def _fully_decoded(path: str) -> str | None:
    for _ in range(4):
        decoded = unquote(path)
        if decoded == path:
            return path
        path = decoded
    return None  # still encoded after four rounds: refuse rather than guess what a server makes of it


def repo_link(url: str, repo_url: str | None) -> str | None:
    """``url`` as an absolute link when it stays inside ``repo_url`` (an anchor on the page also
    does), else None. Checked on the resolved URL with the path percent-decoded and normalised,
    and the checked form is what is returned, so what is linked is what was checked."""
    url = url.strip()
    if not url or _BAD_URL_CHAR.search(url):
        return None
    if url.startswith("#"):
        return "#" + _encode(url[1:], "?") if len(url) > 1 else None
    if not repo_url:
        return None
    base = urlsplit(repo_url.rstrip("/") + "/")
    try:
        target = urlsplit(urljoin(base.geturl(), url.replace("\\", "/")))
    except ValueError:  # e.g. a bad IPv6 host
        return None
    if target.scheme not in ("http", "https") or target.scheme != base.scheme:
        return None
    if target.netloc.lower() != base.netloc.lower():
        return None
    path = _fully_decoded(target.path)
    if path is None:
        return None
    normal = posixpath.normpath(path.replace("\\", "/") or "/")
    root = posixpath.normpath(unquote(base.path)).lower()
    if normal.lower() != root and not normal.lower().startswith(root + "/"):
        return None
    return urlunsplit(
        (
            target.scheme,
            base.netloc,
            quote(normal, safe=_URL_SAFE),
            _encode(target.query, "?"),
            _encode(target.fragment, "?"),
        )
    )


def link_destination(url: str | None) -> str | None:
    """A tool's documentation URL made safe as a link destination (http(s) only), or None."""
    if not url or _BAD_URL_CHAR.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    path, query, fragment = (_encode(p, "?") for p in (parts.path, parts.query, parts.fragment))
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, query, fragment))


# --- agent text ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Render:
    repo_url: str | None
    one_line: bool = False
    table: bool = False

    def text(self, text: str) -> str:
        """Literal text; a bare URL stays a link only inside the repository."""
        out, last = [], 0
        for match in _BARE_URL.finditer(text):
            out.append(_escape(text[last : match.start()]))
            url = match.group()
            if "@" in url:  # a URL run into a mention ("a.py)@octocat"): kept as inert text
                out.append(_escape(url))
            else:
                web = url.lower().startswith(("http://", "https://"))
                link = repo_link(url, self.repo_url) if web else None
                out.append(f"<{link}>" if link else LINK_REMOVED)
            last = match.end()
        out.append(_escape(text[last:]))
        return "".join(out)

    def inline(self, node: SyntaxTreeNode) -> str:
        parts: list[str] = []
        for child in node.children:
            kind = child.type
            if kind == "text":
                parts.append(self.text(child.content))
            elif kind == "code_inline":
                parts.append(code_span(child.content, table=self.table, inert=False))
            elif kind in ("softbreak", "hardbreak"):
                parts.append(" " if self.one_line else "\n")
            elif kind in ("em", "strong", "s"):
                mark = {"em": "*", "strong": "**", "s": "~~"}[kind]
                parts.append(f"{mark}{self.inline(child)}{mark}")
            elif kind == "link":
                parts.append(self.link(child))
            elif kind in ("image", "html_inline"):
                continue  # a tracking pixel, hidden text: dropped
            else:
                parts.append(self.inline(child) if child.children else self.text(child.content))
        return _join(parts)

    def link(self, node: SyntaxTreeNode) -> str:
        target = repo_link(str(node.attrs.get("href") or ""), self.repo_url)
        if node.markup == "autolink":
            return f"<{target}>" if target and not target.startswith("#") else LINK_REMOVED
        label = self.inline(node)
        return f"[{label}]({target})" if target else label

    def blocks(self, nodes: list[SyntaxTreeNode], tight: bool = False) -> list[str]:
        lines: list[str] = []
        for node in nodes:
            rendered = self.block(node)
            if not rendered:
                continue
            if lines and not tight:
                lines.append("")
            lines += rendered
        return lines

    def block(self, node: SyntaxTreeNode) -> list[str]:
        kind = node.type
        if kind == "inline":
            return [guard_line_start(line.strip()) for line in self.inline(node).split("\n")]
        if kind == "paragraph":
            return self.blocks(node.children)
        if kind == "heading":
            text = _Render(self.repo_url, one_line=True).inline(node.children[0])
            return [text] if self.one_line else [f"{'#' * int(node.tag[1:] or 1)} {text}"]
        if kind in ("fence", "code_block"):
            if self.one_line:
                return [code_span(" ".join(node.content.split()), inert=False)]
            return code_block(node.content, node.info if kind == "fence" else "")
        if kind == "hr":
            return [] if self.one_line else ["---"]
        if kind == "html_block":
            text = " ".join(_TAG.sub(" ", node.content).split())
            return [self.text(text)] if text else []
        if kind == "blockquote":
            quoted = self.blocks(node.children)
            return quoted if self.one_line else [f"> {line}" if line else ">" for line in quoted]
        if kind in ("bullet_list", "ordered_list"):
            return self.blocks(node.children) if self.one_line else self.list_block(node)
        if kind == "table" and not self.one_line:
            return self.table_block(node)
        return self.blocks(node.children)

    def list_block(self, node: SyntaxTreeNode) -> list[str]:
        start = node.attrs.get("start", 1) if node.type == "ordered_list" else 1
        number = int(start) if isinstance(start, int | str) and str(start).isdigit() else 1
        out: list[str] = []
        for i, item in enumerate(node.children):
            marker = f"{number + i}. " if node.type == "ordered_list" else "- "
            tight = all(child.hidden for child in item.children if child.type == "paragraph")
            body = self.blocks(item.children, tight=tight) or [""]
            out.append(marker + body[0])
            out += [" " * len(marker) + line if line else "" for line in body[1:]]
        return out

    def table_block(self, node: SyntaxTreeNode) -> list[str]:
        cell = _Render(self.repo_url, one_line=True, table=True)
        rows = [row for section in node.children for row in section.children]
        if not rows:
            return []
        width = len(rows[0].children)
        lines = []
        for i, row in enumerate(rows):
            cells = [cell.inline(c.children[0]) if c.children else "" for c in row.children][:width]
            lines.append("| " + " | ".join(cells + [""] * (width - len(cells))) + " |")
            if i == 0:
                lines.append("|" + "---|" * width)
        return lines


def code_block(content: str, info: str = "") -> list[str]:
    """A fenced block longer than any backtick run inside; its language a plain word."""
    content = content.replace("<!", "<" + ZWSP + "!").rstrip("\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", content)), default=0) + 1)
    language = re.match(r"[\w+#.-]{0,30}", info.strip())
    return [fence + (language.group() if language else ""), *content.split("\n"), fence]


def _agent_input(text: str, max_chars: int) -> str:
    text = _C0.sub(lambda m: m.group() if m.group() in "\n\t" else "", text.replace("\r\n", "\n"))
    text = _INVISIBLE.sub("", text)
    return text if len(text) <= max_chars else text[:max_chars].rstrip() + " … (cut)"


def sanitize_agent_text(text: str, *, repo_url: str | None = None, max_chars: int = MAX_AGENT_TEXT) -> str:
    """Model-written Markdown made safe to post: parsed, then rendered back from the parse tree
    with text escaped, HTML and images dropped, links kept only inside ``repo_url``."""
    root = SyntaxTreeNode(_BLOCKS.parse(_agent_input(text, max_chars)))
    return "\n".join(_Render(repo_url).blocks(root.children)).strip("\n")


def agent_line(text: str, *, repo_url: str | None = None, limit: int = MAX_AGENT_TEXT) -> str:
    """Model-written text for one line (a verdict, a reason): as sanitize_agent_text, one line."""
    root = SyntaxTreeNode(_BLOCKS.parse(" ".join(_agent_input(text, limit).split())))
    return " ".join(line for line in _Render(repo_url, one_line=True).blocks(root.children) if line)
