"""The route registry: each operation declares its models, responses, role and limits once; the
same declaration checks requests (here) and writes the OpenAPI document (openapi.py).

Why not a library: aiohttp-pydantic, the maintained aiohttp + pydantic v2 option, injects
parameters into class-based views by annotation, writes its document for OpenAPI 3.0 and
answers validation errors in its own shape; the API needs OpenAPI 3.1 (JSON Schema as pydantic
writes it), RFC 9457 problems for every error, and a role and limits per route, so a small
registry over pydantic's own schema generation is less code than adapting it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.api.auth import API_AUTH, AuthError
from bot.api.keys import KeyStore
from bot.api.principal import Principal, Role
from bot.api.problems import problem
from bot.api.quotas import Limiter, Verdict
from bot.api.settings import ApiSettings

PREFIX = "/api/v1"
JSON = "application/json"

KEYS = web.AppKey("api_keys", KeyStore)
LIMITER = web.AppKey("api_limiter", Limiter)
API_SETTINGS = web.AppKey("api_settings", ApiSettings)
OPENAPI = web.AppKey("api_openapi", bytes)  # the document, serialised once at setup


@dataclass(frozen=True)
class Reply:
    """One documented response: its model (None: no body), media type and headers."""

    description: str
    model: type[BaseModel] | None = None
    media_type: str = JSON
    headers: Mapping[str, str] = field(default_factory=dict)  # name -> description
    schema: dict[str, Any] | None = None  # a plain JSON Schema where no model fits (SARIF)


@dataclass(frozen=True)
class PathParam:
    pattern: str
    max_length: int
    description: str


@dataclass
class Call:
    """What a handler gets: the request, who calls (None on public routes), the parsed inputs."""

    request: web.Request
    principal: Principal | None
    body: Any = None
    query: Any = None
    path: dict[str, str] = field(default_factory=dict)

    @property
    def who(self) -> Principal:
        if self.principal is None:  # only public routes have none, and they do not ask
            raise RuntimeError("no principal on a public route")
        return self.principal


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # under PREFIX, aiohttp style: "/analyses/{analysis_id}"
    operation_id: str
    summary: str
    handler: Handler
    responses: Mapping[int, Reply]
    role: Role | None = None  # None: no token needed
    limited: bool = True
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_params: Mapping[str, PathParam] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    needs: str | None = None  # a feature whose absence answers 503 (documented)


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def unauthorized(detail: str) -> web.Response:
    return problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="review-bot"'})


async def authenticate(request: web.Request) -> Principal | web.Response:
    token = bearer_token(request)
    if token is None:
        return unauthorized("send Authorization: Bearer <token> (POST /api/v1/auth/token gives one)")
    verifier = request.app[API_AUTH]
    try:
        claimed = verifier.decode(token)
        # The store itself, not this process's last view of it: a key made or revoked on another
        # replica counts at once.
        return verifier.check_key(claimed, await request.app[KEYS].get(claimed.key_id))
    except AuthError as exc:
        return unauthorized(str(exc))


def validation_problem(exc: ValidationError, where: str) -> web.Response:
    # Only loc, msg and type: pydantic's "input" would echo the value (an API key, say) back.
    issues = [
        {
            "loc": [where, *[p if isinstance(p, int) else str(p) for p in e["loc"]]],
            "msg": e["msg"],
            "type": e["type"],
        }
        for e in exc.errors(include_url=False, include_context=False, include_input=False)[:20]
    ]
    return problem(422, "Unprocessable Content", f"the request's {where} is not valid", errors=issues)


async def read_body(request: web.Request, limit: int) -> bytes | web.Response:
    if request.content_length is not None and request.content_length > limit:
        return problem(413, "Content Too Large", f"the body may hold at most {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:  # chunked bodies have no length up front: count while reading, stop past the limit
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return problem(413, "Content Too Large", f"the body may hold at most {limit} bytes")
        chunks.append(chunk)


async def parse_inputs(op: Operation, call: Call, settings: ApiSettings) -> web.Response | None:
    request = call.request
    for name, param in op.path_params.items():
        value = request.match_info.get(name, "")
        if len(value) > param.max_length or not re.fullmatch(param.pattern, value):
            return problem(404, "Not Found", f"no such {name.replace('_', ' ')}")
        call.path[name] = value
    if op.query is not None:
        try:
            call.query = op.query.model_validate(dict(request.query))
        except ValidationError as exc:
            return validation_problem(exc, "query")
    if op.body is not None:
        if request.content_type != JSON:
            return problem(415, "Unsupported Media Type", "send the body as application/json")
        raw = await read_body(request, settings.max_body_bytes)
        if isinstance(raw, web.Response):
            return raw
        try:
            call.body = op.body.model_validate_json(raw)
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                return problem(400, "Bad Request", "the body is not valid JSON")
            return validation_problem(exc, "body")
    return None


def bind(op: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of ``op``: token, role, limits, inputs, then the operation's handler."""

    async def handle(request: web.Request) -> web.StreamResponse:
        app = request.app
        principal: Principal | None = None
        verdict: Verdict | None = None
        if op.role is not None:
            found = await authenticate(request)
            if isinstance(found, web.Response):
                return found
            principal = found
            if not principal.has_role(op.role):
                return problem(403, "Forbidden", f"this route needs the {op.role} role")
            if op.limited:
                verdict = await app[LIMITER].hit(principal)
        elif op.limited:
            verdict = await app[LIMITER].hit_anonymous(request.remote or "unknown")
        if verdict is not None and not verdict.allowed:
            what = "per-minute limit" if verdict.which == "rate" else "daily quota"
            return problem(429, "Too Many Requests", f"the {what} is used up", headers=verdict.headers())
        call: Call = Call(request, principal)
        refused = await parse_inputs(op, call, app[API_SETTINGS])
        response = refused if refused is not None else await op.handler(call)
        if verdict is not None and not response.prepared:
            response.headers.update(verdict.headers())
        return response

    handle.__name__ = op.operation_id
    return handle


def json_reply(model: BaseModel, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    response = web.Response(status=status, body=model.model_dump_json().encode(), content_type=JSON)
    if headers:
        response.headers.update(headers)
    return response
