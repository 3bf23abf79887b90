"""Known false positives by tool and rule: text that is, by its form, not what the rule is about.

A secret scanner's keyword plugin and bandit's hard-coded password tests guess: a word like
"password", "secret" or "token" next to a string. The string is sometimes plainly something else:
a link to documentation, a sentence, a parser comparing its token with a keyword. Each check
here is for one rule and decides on the finding's line alone; anything it cannot read as one of
those forms stays reported. Never by file: a real credential in the same file is still found.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A string literal (Python, JS, YAML, JSON, shell quoting); "key": ... is a key, not a value.
_STRING = re.compile(r"""(?P<q>["'`])(?P<v>(?:\\.|(?!(?P=q)).)*)(?P=q)(?P<key>\s*:(?!:))?""")
# The unquoted value of a "key: value" / "key=value" line (YAML, .env, ini).
_BARE_VALUE = re.compile(r"""^[^:=]*[:=]\s*(?P<v>\S.*?)\s*$""")
# A URL without credentials: no user:password@ in it, no key/token/secret/signature in its query.
_URL = re.compile(r"^[a-z][a-z0-9+.-]{1,15}://[^\s@]+$", re.IGNORECASE)
_CREDENTIAL_PARAM = re.compile(r"[?&;#][^=&]*(?:key|token|secret|pass|pwd|sig|auth)[^=&]*=", re.IGNORECASE)
# A word of a sentence: letters, maybe with punctuation around it ("page;", "(see").
_WORD = re.compile(r"^\W*[^\W\d_]{2,}\W*$")
# What a parser compares its token with: a short lowercase keyword, an operator, or nothing.
_KEYWORD = re.compile(r"^(?:[a-z][a-z_-]{0,11}|[^\w\s]{1,3}|)$")
_COMPARED = re.compile(
    r"""(?P<name>[\w.]+)\s*(?:==|!=)\s*[rbuf]?(?P<q>["'])(?P<v>[^"'\\]*)(?P=q)"""
    r"""|(?P<q2>["'])(?P<v2>[^"'\\]*)(?P=q2)\s*(?:==|!=)\s*(?P<name2>[\w.]+)"""
)
_PASSWORD_NAME = re.compile(r"pas+wo?r?d|pass(?:phrase)?|pwd|secret", re.IGNORECASE)


def string_values(line: str) -> list[str]:
    """The values a line assigns or lists: its string literals that are not mapping keys, or
    else the bare value after the first ':' or '='."""
    literals = [m.group("v") for m in _STRING.finditer(line) if not m.group("key")]
    if literals or _STRING.search(line):
        return literals
    bare = _BARE_VALUE.match(line)
    return [bare.group("v")] if bare else []


def is_url(value: str) -> bool:
    return bool(_URL.match(value)) and not _CREDENTIAL_PARAM.search(value)


def is_prose(value: str) -> bool:
    """A sentence or phrase: three words or more, nearly all of them plain words."""
    words = value.split()
    return len(words) >= 3 and sum(bool(_WORD.match(w)) for w in words) >= max(3, len(words) - 1)


def documentation_value(line: str) -> bool:
    """Every value on the line is a link or a sentence: documentation, not a credential."""
    values = string_values(line)
    return bool(values) and all(is_url(v) or is_prose(v) for v in values)


def keyword_comparison(line: str) -> bool:
    """``token == "with"``: a comparison of a (not password-named) variable with a short
    lowercase keyword, an operator or the empty string: a parser, not a password check."""
    found = False
    for m in _COMPARED.finditer(line):
        name = m.group("name") or m.group("name2") or ""
        value = m.group("v") if m.group("q") else m.group("v2")
        if _PASSWORD_NAME.search(name) or not _KEYWORD.match(value or ""):
            return False
        found = True
    return found


def password_guess_allowed(line: str) -> bool:
    return documentation_value(line) or keyword_comparison(line)


# "tool:rule" -> the check that recognises a false positive on the finding's (first) line.
ALLOWED: dict[str, Callable[[str], bool]] = {
    "detect-secrets:secret-keyword": documentation_value,
    "bandit:B105": password_guess_allowed,  # hardcoded_password_string (assignment, comparison)
    "bandit:B106": documentation_value,  # hardcoded_password_funcarg
    "bandit:B107": documentation_value,  # hardcoded_password_default
}
