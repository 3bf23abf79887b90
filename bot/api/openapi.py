"""The OpenAPI 3.1 document, written from the registry's operations and their pydantic models.

OpenAPI 3.1's schemas are JSON Schema 2020-12, which is what pydantic v2 writes, so models go
in as pydantic emits them; only the ``$defs`` move to ``components/schemas``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from bot.api.models import Problem
from bot.api.problems import PROBLEM_CONTENT_TYPE
from bot.api.registry import PREFIX, Operation, Reply

REF = "#/components/schemas/{model}"
Refs = dict[tuple[Any, JsonSchemaMode], dict[str, Any]]  # (model, mode) -> its {"$ref": ...}
RATE_HEADERS = {
    "X-RateLimit-Limit": "the size of the limit nearest to refusing (per minute or per day)",
    "X-RateLimit-Remaining": "requests left in that limit's window",
    "X-RateLimit-Reset": "when that window resets, in seconds since the epoch",
}


def standard_replies(op: Operation) -> dict[int, Reply]:
    """The errors every operation of its kind can answer, documented once here."""
    replies: dict[int, Reply] = {}
    if op.role is not None:
        replies[401] = Reply("missing, invalid, expired or revoked token", Problem)
        replies[403] = Reply(f"the token's role is below {op.role}", Problem)
    if op.limited:
        replies[429] = Reply(
            "the per-minute limit or the daily quota is used up",
            Problem,
            headers={"Retry-After": "seconds to wait", **RATE_HEADERS},
        )
    if op.path_params:
        replies[404] = Reply("no such resource (or not yours)", Problem)
    if op.query is not None or op.body is not None:
        replies[422] = Reply("the request failed validation; errors[] says where", Problem)
    if op.body is not None:
        replies[400] = Reply("the body is not JSON", Problem)
        replies[413] = Reply("the body is too large", Problem)
        replies[415] = Reply("the body is not application/json", Problem)
    if op.needs is not None or op.limited:
        replies[503] = Reply(
            f"{op.needs or 'a shared service'} is not available", Problem, headers={"Retry-After": "seconds"}
        )
    replies[500] = Reply("an unexpected error (details are logged, never sent)", Problem)
    return replies


def build_document(operations: Iterable[Operation], *, title: str, version: str) -> dict[str, Any]:
    ops = list(operations)
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Problem, "serialization")]
    for op in ops:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        for reply in op.responses.values():
            if reply.model is not None:
                wanted.append((reply.model, "serialization"))
    found, top = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    refs: Refs = dict(found)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = operation_object(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def operation_object(op: Operation, refs: Refs) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": list(op.tags)}
    out["security"] = [{"bearerAuth": []}] if op.role is not None else []
    if op.role is not None:
        out["description"] = f"Needs the `{op.role}` role (read < analyze < admin)."
    params: list[dict[str, Any]] = []
    for name, param in op.path_params.items():
        schema = {"type": "string", "pattern": f"^{param.pattern}$", "maxLength": param.max_length}
        params.append(
            {"name": name, "in": "path", "required": True, "description": param.description, "schema": schema}
        )
    if op.query is not None:
        query_schema = op.query.model_json_schema(ref_template=REF)
        required = set(query_schema.get("required", []))
        for name, schema in query_schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": schema})
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    replies = {**standard_replies(op), **op.responses}
    out["responses"] = {
        str(status): response_object(reply, refs, op.limited and status < 400)
        for status, reply in sorted(replies.items())
    }
    return out


def response_object(reply: Reply, refs: Refs, rate_headers: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"description": reply.description}
    if reply.model is not None or reply.schema is not None:
        schema = refs[(reply.model, "serialization")] if reply.model is not None else reply.schema
        media = PROBLEM_CONTENT_TYPE if reply.model is Problem else reply.media_type
        out["content"] = {media: {"schema": schema}}
    headers = {**(RATE_HEADERS if rate_headers else {}), **reply.headers}
    if headers:
        out["headers"] = {
            name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()
        }
    return out
