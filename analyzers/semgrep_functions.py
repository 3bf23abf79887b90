"""How functions look in each language the taint rules cover: semgrep patterns of a definition,
its parameters and its returns, and a cheap textual look at which functions a batch defines and
calls (so that a batch none of whose functions is called pays nothing for function summaries).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_STATEMENTS = r"(?:if|for|while|switch|return|catch|else|new|await|throw|yield|using|lock|foreach)\b"
_CALL = re.compile(r"(?<![\w$])(\w+)\s*(?:<[^<>()]*>)?\s*\(")
_ARROW = re.compile(r"\b(\w+)\s*[=:]\s*(?:async\s*)?(?:\([^()]*\)|\w+)\s*=>")
# A method: a name at the start of a line (after modifiers and a type, not after a statement's
# keyword), its parameters, and no ";" to the end of the line.
_METHOD = r"^[ \t]*(?!" + _STATEMENTS + r")(?:[\w<>\[\],.?@]+[ \t]+)*(\w+)\s*\([^;]{0,2000}?\)[^;\n]*$"
_OVERRIDE = re.compile(
    r"(?:\boverride\b[^\n(=]*?\b|@Override\s+(?:[\w<>\[\],.?@]+\s+)*)(\w+)\s*[(<]|\bdef\s+(__\w+__)\s*\("
)


@dataclass(frozen=True)
class Syntax:
    """How functions of one language look in semgrep patterns."""

    param: str  # a parameter before the followed one, {i} its position
    focus: str  # the followed parameter: binds $SUMP
    functions: tuple[str, ...]  # definitions, {params} the parameter list; binds $SUMFN
    bodies: tuple[str, ...]  # definitions enclosing a return; binds $SUMRETFN
    returns: tuple[str, ...]  # return statements; binds $SUMRET
    expressions: tuple[str, ...] = ()  # expression-bodied definitions: $SUMRETFN and $SUMRET
    receivers: tuple[str, ...] = ()  # a method's own first parameter (self), when written out
    keywords: str = ""  # a definition keyword, for the textual pre-check
    methods: bool = False  # methods are declared without a keyword (the pre-check looks for them)


_C_LIKE = dict(
    param="$SUMY{i} $SUMX{i}",
    focus="$SUMT $SUMP",
    functions=("$SUMR $SUMFN({params}) { ... }",),
    bodies=("$SUMR $SUMRETFN(...) { ... }",),
    returns=("return $SUMRET;",),
    methods=True,
)
SYNTAX: dict[str, Syntax] = {
    "kotlin": Syntax(
        param="$SUMX{i}: $SUMY{i}",
        focus="$SUMP: $SUMT",
        functions=("fun $SUMFN({params}) { ... }", "fun $SUMFN({params}) = $SUMBODY"),
        bodies=("fun $SUMRETFN(...) { ... }",),
        returns=("return $SUMRET",),
        expressions=("fun $SUMRETFN(...) = $SUMRET",),
        keywords="fun",
    ),
    "java": Syntax(**_C_LIKE),  # type: ignore[arg-type]
    "csharp": Syntax(**_C_LIKE),  # type: ignore[arg-type]
    "javascript": Syntax(
        param="$SUMX{i}",
        focus="$SUMP",
        functions=(
            "function $SUMFN({params}) { ... }",
            "$SUMFN({params}) { ... }",
            "$SUMFN = ({params}) => $SUMBODY",
        ),
        bodies=("function $SUMRETFN(...) { ... }", "$SUMRETFN(...) { ... }", "$SUMRETFN = (...) => { ... }"),
        returns=("return $SUMRET;",),
        expressions=("$SUMRETFN = (...) => $SUMRET",),
        keywords="function",
        methods=True,
    ),
    "python": Syntax(
        param="$SUMX{i}",
        focus="$SUMP",
        functions=("def $SUMFN({params}): ...",),
        bodies=("def $SUMRETFN(...): ...",),
        returns=("return $SUMRET",),
        receivers=("self", "cls"),
        keywords="def",
    ),
    "go": Syntax(
        param="$SUMX{i} $SUMY{i}",
        focus="$SUMP $SUMT",
        functions=("func $SUMFN({params}) { ... }", "func ($SUMRV $SUMRT) $SUMFN({params}) { ... }"),
        bodies=("func $SUMRETFN(...) { ... }", "func ($SUMRV $SUMRT) $SUMRETFN(...) { ... }"),
        returns=("return $SUMRET", "return $SUMRET, ..."),
        keywords="func",
    ),
    "rust": Syntax(
        param="$SUMX{i}: $SUMY{i}",
        focus="$SUMP: $SUMT",
        functions=("fn $SUMFN({params}) { ... }",),
        bodies=("fn $SUMRETFN(...) { ... }",),
        returns=("return $SUMRET",),  # semgrep reads a block's tail expression as its return
        receivers=("&self", "&mut self", "self"),
        keywords="fn",
    ),
}
_SYNTAX_OF = {"js": "javascript", "ts": "javascript", "typescript": "javascript", "kt": "kotlin"}
_SYNTAX_OF |= {"c#": "csharp", "golang": "go", "py": "python", "python3": "python"}


def syntax_name(languages: object) -> str | None:
    """The function syntax of a rule's ``languages`` (the first one decides), or None."""
    if not isinstance(languages, list) or not languages:
        return None
    name = str(languages[0]).lower()
    name = _SYNTAX_OF.get(name, name)
    return name if name in SYNTAX else None


def call_counts(texts: Sequence[str]) -> Counter[str]:
    """How often each ``name(`` occurs (a definition included, where it reads so), in one pass."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(_CALL.findall(text))
    for name in ("__init__", "constructor", "init", "main"):  # called by the language, not by name
        counts.pop(name, None)
    return counts


def called_functions(syntax: str, texts: Sequence[str]) -> tuple[dict[str, int], set[str]]:
    """The names the texts seem to define (see defined_names), and those of them also called."""
    defined = defined_names(syntax, texts)
    counts = call_counts(texts)
    return defined, {name for name, times in defined.items() if counts[name] >= times}


def defined_names(syntax: str, texts: Sequence[str]) -> dict[str, int]:
    """Names the texts seem to define -> how often ``name(`` then says it is called: twice for a
    definition that itself reads ``name(``, once for an arrow function (``name = (..) =>``)."""
    spec = SYNTAX[syntax]
    patterns = []
    if spec.keywords:  # "fun String.name(", "func (s *S) Name(", "async def name("
        patterns.append(rf"\b{spec.keywords}\s*(?:\([^()]*\)\s*)?(?:<[^<>]*>\s*)?(?:\w+\.)*(\w+)\s*[(<\[]")
    if spec.methods:
        patterns.append(_METHOD)
    found: dict[str, int] = {}
    for pattern in patterns:
        regex = re.compile(pattern, re.MULTILINE)
        for text in texts:
            found.update((name, 2) for name in regex.findall(text))
    if spec.methods:
        for text in texts:
            for name in _ARROW.findall(text):
                found.setdefault(name, 1)
    # An override (a framework's callback: ContentProvider.query, Activity.onCreate) shares its
    # name with the library's own methods, whose calls (db.query(...)) would be taken for it.
    for text in texts:
        for match in _OVERRIDE.finditer(text):
            found.pop(match.group(1) or match.group(2), None)
    return found
