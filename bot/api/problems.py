"""RFC 9457 problem details: the one error shape of everything under /api/v1."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import web

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_body(
    status: int, title: str, detail: str = "", *, type_: str = "about:blank", **extensions: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    # Extensions never overwrite the standard members (RFC 9457 section 3.2).
    for key, value in extensions.items():
        if key not in body:
            body[key] = value
    return body


def problem(
    status: int,
    title: str,
    detail: str = "",
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> web.Response:
    """An application/problem+json response; `detail` must be safe to show (no secrets)."""
    if not title:
        title = _reason(status)
    body = problem_body(status, title, detail, type_=type_, **extensions)
    response = web.Response(
        status=status,
        text=json.dumps(body, separators=(",", ":")),
        content_type=PROBLEM_CONTENT_TYPE,
    )
    if headers:
        response.headers.update(headers)
    return response


def not_enabled(detail: str) -> web.Response:
    """503 for a feature this server runs without (an operation's ``needs``): ask again later."""
    return problem(503, "Service Unavailable", detail, headers={"Retry-After": "60"})


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
