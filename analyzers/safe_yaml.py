"""YAML from a pull request (or a base branch a PR author once touched), loaded within bounds.

PyYAML's safe loader runs no code, but it still lets a small file cost a lot: aliases make a
9 KB file stand for a million nodes (anything that walks the result, or prints it, pays for
every one), deep nesting makes the recursive composer raise RecursionError, a 5,000-digit
integer raises ValueError (Python's int-from-string limit), and a bad timestamp raises
ValueError from the constructor. None of PyYAML's options bounds these, so this module checks
them itself: nesting depth from the token stream (the scanner is not recursive), the size of
the node graph *with aliases expanded* (counted once per distinct node, so the check is
linear), and every failure of construction becomes one ``YamlLimitError`` with a short reason.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64
MAX_EXPANDED_NODES = 100_000
MAX_BYTES = 1024 * 1024

_OPENERS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


class YamlLimitError(ValueError):
    """The text is not YAML we will load: a syntax error or a bound exceeded (message is short)."""


class YamlSyntaxError(YamlLimitError):
    """The text is not valid YAML (as opposed to valid YAML beyond a bound)."""


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, _OPENERS):
                depth += 1
                if depth > max_depth:
                    line = token.start_mark.line + 1
                    raise YamlLimitError(f"nested more than {max_depth} levels deep (line {line})")
            elif isinstance(token, _CLOSERS):
                depth -= 1
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(short_yaml_error(exc)) from None


def expanded_size(node: yaml.Node, limit: int = MAX_EXPANDED_NODES) -> int:
    """How many nodes ``node`` stands for once every alias is expanded (stops past ``limit``)."""
    sizes: dict[int, int] = {}
    entered: set[int] = set()  # nodes whose children are being sized: meeting one again is a cycle
    # Iterative post-order walk: the graph may be deep enough to exhaust Python's stack.
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        children = _children(current)
        if not children_done and children:
            if key in entered:  # "&a [*a]": the composer links an alias to its own ancestor
                raise YamlLimitError("an alias refers to a value that contains it (recursive alias)")
            entered.add(key)
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(child), 0) for child in children)
        if total > limit:
            raise YamlLimitError(f"expands to more than {limit:,} values (aliases)")
        sizes[key] = total
    return sizes[id(node)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def compose_bounded(
    text: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_EXPANDED_NODES
) -> yaml.Node | None:
    """The node tree of a single-document YAML text, within the bounds (None for an empty text)."""
    if len(text.encode("utf-8", "surrogateescape")) > max_bytes:
        raise YamlLimitError(f"larger than {max_bytes:,} bytes")
    check_depth(text, max_depth)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(short_yaml_error(exc)) from None
    except RecursionError:  # depth is checked above; this is a last line of defence
        raise YamlLimitError("nested too deeply") from None
    if node is not None:
        expanded_size(node, max_nodes)
    return node


def load_bounded(
    text: str, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_EXPANDED_NODES
) -> Any:
    """``yaml.safe_load`` with the bounds above; YamlLimitError says what is wrong, briefly."""
    node = compose_bounded(text, max_bytes=max_bytes, max_depth=max_depth, max_nodes=max_nodes)
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(short_yaml_error(exc)) from None
    except (ValueError, OverflowError, TypeError) as exc:
        # Bad dates (ValueError from datetime), huge integers (int max str digits), odd keys.
        raise YamlLimitError(f"a value cannot be read: {str(exc)[:120]}") from None
    except RecursionError:
        raise YamlLimitError("nested too deeply") from None
    finally:
        loader.dispose()


def short_yaml_error(exc: yaml.YAMLError) -> str:
    """PyYAML's message without the quoted source snippet (which is PR text), one line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        where = exc.problem_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if where is not None:
            return f"invalid YAML at line {where.line + 1}, column {where.column + 1}: {problem}"[:200]
        return f"invalid YAML: {problem}"[:200]
    return "invalid YAML"
