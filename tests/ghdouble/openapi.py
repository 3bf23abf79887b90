"""Operation lookup and request validation against GitHub's OpenAPI 3.0 subset.

The schemas are checked with openapi-schema-validator's OAS30Validator (the
validator openapi-core itself uses), so ``nullable``, ``oneOf`` and ``anyOf``
behave as OpenAPI 3.0 says. ``$ref``s resolve inside the same file through a
``referencing`` registry holding the whole document.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = (
    Path(__file__).resolve().parent.parent / "fixtures" / "github-openapi" / "api.github.com.subset.json"
)
_SPEC_URI = "urn:github-openapi-subset"
_HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    operation_id: str
    regex: re.Pattern[str]
    parameters: tuple[dict[str, Any], ...]
    body_pointer: str | None
    body_required: bool
    doc_url: str = field(default="")


class RequestInvalid(Exception):
    """The request does not satisfy the operation's description; ``messages`` are GitHub-style lines."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _strip_discriminators(node: Any) -> None:
    """Drop ``discriminator`` keys: GitHub's inline ``oneOf`` branches have no mapping to
    resolve, and the ``oneOf`` itself already enforces what the discriminator documents."""
    if isinstance(node, dict):
        node.pop("discriminator", None)
        for value in node.values():
            _strip_discriminators(value)
    elif isinstance(node, list):
        for value in node:
            _strip_discriminators(value)


class Spec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = copy.deepcopy(document)
        _strip_discriminators(self.document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT4)
        self._registry: Registry = Registry().with_resource(_SPEC_URI, resource)
        self.operations: list[Operation] = []
        for template, item in self.document["paths"].items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method not in _HTTP_METHODS:
                    continue
                params = tuple(self.resolve(p) for p in [*shared, *op.get("parameters", [])])
                body = op.get("requestBody")
                pointer = None
                if body is not None and "application/json" in self.resolve(body).get("content", {}):
                    pointer = "/".join(
                        [
                            "#/paths",
                            _escape_pointer(template),
                            method,
                            "requestBody/content/application~1json/schema",
                        ]
                    )
                self.operations.append(
                    Operation(
                        method=method.upper(),
                        template=template,
                        operation_id=op["operationId"],
                        regex=_template_regex(
                            template, {p["name"] for p in params if p.get("x-multi-segment")}
                        ),
                        parameters=params,
                        body_pointer=pointer,
                        body_required=bool(body and self.resolve(body).get("required")),
                        doc_url=op.get("externalDocs", {}).get("url", ""),
                    )
                )
        # Prefer the most literal template when two could match the same path.
        self.operations.sort(key=lambda o: (o.template.count("{"), -len(o.template)))

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.pointer(node["$ref"])
        return node

    def pointer(self, ref: str) -> Any:
        node: Any = self.document
        for token in ref.removeprefix("#/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        for op in self.operations:
            if op.method == method.upper() and (m := op.regex.fullmatch(path)):
                return op, m.groupdict()
        return None

    def path_exists(self, path: str) -> bool:
        return any(op.regex.fullmatch(path) for op in self.operations)

    def validator(self, pointer: str) -> OAS30Validator:
        return OAS30Validator({"$ref": _SPEC_URI + pointer}, registry=self._registry)

    def example(self, name: str) -> Any:
        return copy.deepcopy(self.document["components"]["examples"][name]["value"])

    def schema_errors(self, pointer: str, instance: Any) -> list[str]:
        """Messages for ``instance`` against the schema at ``pointer`` (for response checks in tests)."""
        return [_describe(e) for e in _real_errors(self.validator(pointer).iter_errors(instance))]

    def validate_parameters(
        self, op: Operation, path_params: dict[str, str], query: dict[str, str]
    ) -> dict[str, Any]:
        """Coerce and check path and query parameters; returns the typed values.

        A path parameter of the wrong type means no such resource (GitHub answers 404,
        signalled here by ``LookupError``); a bad query parameter is a 422."""
        values: dict[str, Any] = {}
        problems: list[str] = []
        for param in op.parameters:
            name, where = param["name"], param["in"]
            schema = param.get("schema", {})
            raw = path_params.get(name) if where == "path" else query.get(name) if where == "query" else None
            if raw is None:
                if param.get("required") and where == "query":
                    problems.append(f'"{name}" wasn\'t supplied.')
                continue
            value = _coerce(raw, schema)
            errors = list(OAS30Validator(schema).iter_errors(value))
            if errors:
                if where == "path":
                    raise LookupError(name)
                problems.extend(f"For '{name}', {_ruby(value)} is not valid: {e.message}." for e in errors)
                continue
            values[name] = value
        if problems:
            raise RequestInvalid(problems)
        return values

    def validate_body(self, op: Operation, body: Any) -> None:
        if op.body_pointer is None:
            return
        errors = sorted(
            _real_errors(self.validator(op.body_pointer).iter_errors(body)), key=lambda e: list(e.path)
        )
        if errors:
            raise RequestInvalid(_unique(_describe(e) for e in errors))


def _real_errors(errors: Iterable[ValidationError]) -> list[ValidationError]:
    """Drop ``null`` failing the ``enum`` of a ``nullable`` property: GitHub's description lists
    no ``null`` in such enums (OpenAPI 3.0.3 would want it), yet GitHub sends and accepts null."""
    return [
        e
        for e in errors
        if not (
            e.validator == "enum"
            and e.instance is None
            and isinstance(e.schema, dict)
            and e.schema.get("nullable")
        )
    ]


def _template_regex(template: str, multi_segment: set[str]) -> re.Pattern[str]:
    def group(m: re.Match[str]) -> str:
        name = m.group(1)
        return f"(?P<{name}>.+)" if name in multi_segment else f"(?P<{name}>[^/]+)"

    return re.compile(
        re.sub(r"\{([^}]+)\}", group, re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
    )


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _ruby(value: Any) -> str:
    """Render a value the way GitHub's (Ruby) validator messages do."""
    return "nil" if value is None else json.dumps(value)


def _field(error: ValidationError) -> str:
    return "/".join(["properties", *(str(p) for p in error.absolute_path)]) if error.absolute_path else "body"


def _describe(error: ValidationError) -> str:
    """One line in the style of GitHub's "Invalid request." messages."""
    kind = error.validator
    if kind == "required":
        missing = re.match(r"'([^']+)'", error.message)
        return f'"{missing.group(1) if missing else error.message}" wasn\'t supplied.'
    if kind == "maxItems":
        return f"No more than {error.validator_value} items are allowed; {len(error.instance)} were supplied."
    if kind == "maxLength":
        return (
            f"For '{_field(error)}', only {error.validator_value} characters are allowed; "
            f"{len(error.instance)} were supplied."
        )
    if kind == "type":
        return (
            f"For '{_field(error)}', {_ruby(error.instance)} is not {_article(str(error.validator_value))}."
        )
    if kind == "enum":
        members = _ruby(error.validator_value)
        return f"For '{_field(error)}', {_ruby(error.instance)} is not a member of {members}."
    if kind in ("oneOf", "anyOf") and error.context:
        # The branch that selects on ``status`` tells what is missing (e.g. conclusion).
        required = [_describe(e) for e in error.context if e.validator == "required"]
        if required:
            return " ".join(_unique(required))
    return f"For '{_field(error)}', {error.message}."


def _article(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _unique(lines: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(lines))


# Operations of GitHub's REST description that the fixture subset lacks, transcribed from it
# (same parameters, schema and example as GitHub's own entry), added to the loaded document.
SUPPLEMENT: dict[str, dict[str, Any]] = {
    "/repos/{owner}/{repo}/pulls/comments/{comment_id}": {
        "get": {
            "summary": "Get a review comment for a pull request",
            "tags": ["pulls"],
            "operationId": "pulls/get-review-comment",
            "externalDocs": {
                "description": "API method documentation",
                "url": "https://docs.github.com/rest/pulls/comments#get-a-review-comment-for-a-pull-request",
            },
            "parameters": [
                {"$ref": "#/components/parameters/owner"},
                {"$ref": "#/components/parameters/repo"},
                {"$ref": "#/components/parameters/comment-id"},
            ],
            "responses": {
                "200": {
                    "description": "Response",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/pull-request-review-comment"},
                            "examples": {
                                "default": {"$ref": "#/components/examples/pull-request-review-comment-2"}
                            },
                        }
                    },
                },
                "404": {"$ref": "#/components/responses/not_found"},
            },
        }
    }
}


@cache
def load_spec(path: Path = SPEC_PATH) -> Spec:
    document = json.loads(path.read_text(encoding="utf-8"))
    for template, operations in SUPPLEMENT.items():
        for method, operation in operations.items():
            document["paths"].setdefault(template, {}).setdefault(method, operation)
    return Spec(document)
