"""GitHub-shaped JSON responses and error bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

DOCS = "https://docs.github.com/rest"
JSON_TYPE = "application/json; charset=utf-8"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": JSON_TYPE, **(headers or {})}
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def error(status: int, message: str, doc_url: str = DOCS, **extra: Any) -> web.Response:
    return json_response(
        {"message": message, **extra, "documentation_url": doc_url, "status": str(status)}, status
    )


def not_found(doc_url: str = DOCS) -> web.Response:
    return error(404, "Not Found", doc_url)


def bad_credentials() -> web.Response:
    return error(401, "Bad credentials", DOCS)


def invalid_request(lines: list[str], doc_url: str = DOCS) -> web.Response:
    """GitHub's answer when a body breaks the operation's schema."""
    return error(422, "Invalid request.\n\n" + "\n".join(lines), doc_url)


def validation_failed(resource: str, field: str, message: str, doc_url: str = DOCS) -> web.Response:
    return error(
        422,
        "Validation Failed",
        doc_url,
        errors=[{"resource": resource, "code": "custom", "field": field, "message": message}],
    )


def unprocessable(errors: list[str], doc_url: str = DOCS) -> web.Response:
    """The review endpoints' shape: plain strings joined the way GitHub (Rails to_sentence) joins them."""
    return error(422, "Unprocessable Entity", doc_url, errors=[to_sentence(errors)])


def to_sentence(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} and {parts[1]}"
    return ", ".join(parts[:-1]) + f", and {parts[-1]}"
