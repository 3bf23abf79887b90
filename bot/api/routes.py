"""The operations of /api/v1: tokens, the caller's profile, analyses and trends."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from bot.analysis.models import Analysis, AnalysisRequest
from bot.analysis.service import ANALYSES, AnalysisBusy, AnalysisService, TargetRejected
from bot.api.auth import API_AUTH
from bot.api.keys import authenticate
from bot.api.models import AnalysisPage, PageQuery, Problem, Profile, TokenRequest, TokenResponse
from bot.api.principal import Principal
from bot.api.problems import not_enabled, problem
from bot.api.registry import KEYS, LIMITER, OPENAPI, PREFIX, Call, Operation, PathParam, Reply, json_reply
from bot.api.trends import TRENDS_OPERATION

ANALYSIS_ID = {"analysis_id": PathParam(r"[A-Za-z0-9_-]+", 64, "the id POST /analyze/repository gave")}
SARIF_SCHEMA = {"type": "object", "description": "SARIF 2.1.0 log", "additionalProperties": True}


async def create_token(call: Call) -> web.StreamResponse:
    body: TokenRequest = call.body
    record = await authenticate(call.request.app[KEYS], body.api_key)
    if record is None:  # one answer for unknown, revoked and wrong: nothing to probe
        return problem(401, "Unauthorized", "the API key is not valid")
    token, expires = call.request.app[API_AUTH].issue(record)
    reply = TokenResponse(
        access_token=token,
        expires_in=expires - int(datetime.now(UTC).timestamp()),
        expires_at=datetime.fromtimestamp(expires, UTC),
    )
    return json_reply(reply, headers={"Cache-Control": "no-store"})


async def profile(call: Call) -> web.StreamResponse:
    who = call.who
    usage = await call.request.app[LIMITER].usage(who)
    tier = call.request.app[LIMITER].settings.tiers[who.role]
    reply = Profile(
        user=who.user,
        org=who.org,
        role=who.role,
        key_id=who.key_id,
        usage_today=usage.used,
        daily_quota=usage.quota,
        remaining=usage.remaining,
        quota_resets_at=datetime.fromtimestamp(usage.resets_at, UTC),
        per_minute=tier.per_minute,
    )
    return json_reply(reply)


def service(call: Call) -> AnalysisService | web.Response:
    found = call.request.app.get(ANALYSES)
    if found is None:
        return not_enabled("analyses are not enabled on this server")
    return found


def visible(analysis: Analysis, who: Principal) -> bool:
    """The owner sees an analysis, and so does an admin of its organisation; nobody else."""
    if analysis.org != who.org:
        return False
    return analysis.user == who.user or who.role == "admin"


async def submit_analysis(call: Call) -> web.StreamResponse:
    found = service(call)
    if isinstance(found, web.Response):
        return found
    try:
        analysis = await found.submit(call.body, call.who)
    except TargetRejected as exc:  # its message says why the URL or path is refused, safely
        return problem(422, "Unprocessable Content", str(exc))
    except AnalysisBusy as exc:
        return problem(503, "Service Unavailable", str(exc), headers={"Retry-After": "5"})
    return json_reply(analysis, 202, headers={"Location": f"{PREFIX}/analyses/{analysis.id}"})


async def list_analyses(call: Call) -> web.StreamResponse:
    found = service(call)
    if isinstance(found, web.Response):
        return found
    query: PageQuery = call.query
    items, total = await found.list(call.who, page=query.page, per_page=query.per_page)
    mine = [a for a in items if visible(a, call.who)]  # the service pages the org; a non-admin sees own
    if len(mine) != len(items):
        total = max(len(mine), total - (len(items) - len(mine)))
    return json_reply(AnalysisPage(items=mine, page=query.page, per_page=query.per_page, total=total))


async def visible_analysis(call: Call) -> Analysis | web.Response:
    found = service(call)
    if isinstance(found, web.Response):
        return found
    analysis = await found.get(call.path["analysis_id"])
    if analysis is None or not visible(analysis, call.who):  # 404, not 403: ids are not confirmed
        return problem(404, "Not Found", "no such analysis")
    return analysis


async def get_analysis(call: Call) -> web.StreamResponse:
    analysis = await visible_analysis(call)
    return analysis if isinstance(analysis, web.Response) else json_reply(analysis)


async def get_sarif(call: Call) -> web.StreamResponse:
    analysis = await visible_analysis(call)
    if isinstance(analysis, web.Response):
        return analysis
    found = call.request.app[ANALYSES]
    sarif = await found.sarif(analysis.id)
    if sarif is None:
        return problem(404, "Not Found", f"no SARIF: the analysis is {analysis.status}")
    return web.json_response(sarif, content_type="application/sarif+json")


async def openapi_document(call: Call) -> web.StreamResponse:
    return web.Response(body=call.request.app[OPENAPI], content_type="application/json")


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "POST", "/auth/token", "createToken", "Exchange an API key for a JWT", create_token,
        {200: Reply("a token for the key", TokenResponse), 401: Reply("unknown, wrong or revoked", Problem)},
        body=TokenRequest, tags=("auth",),
    ),
    Operation(
        "GET", "/user/profile", "getProfile", "Who the token is for, and its quota today", profile,
        {200: Reply("the caller", Profile)}, role="read", tags=("user",),
    ),
    Operation(
        "POST", "/analyze/repository", "analyzeRepository", "Start an analysis of a repository",
        submit_analysis,
        {202: Reply("accepted; poll Location", Analysis, headers={"Location": "the analysis's URL"})},
        role="analyze", body=AnalysisRequest, tags=("analyses",), needs="the analysis service",
    ),
    Operation(
        "GET", "/analyses", "listAnalyses", "The caller's analyses (an admin's: the organisation's)",
        list_analyses, {200: Reply("one page, newest first", AnalysisPage)}, role="read", query=PageQuery,
        tags=("analyses",), needs="the analysis service",
    ),
    Operation(
        "GET", "/analyses/{analysis_id}", "getAnalysis", "An analysis: status and result", get_analysis,
        {200: Reply("the analysis", Analysis)}, role="read", path_params=ANALYSIS_ID, tags=("analyses",),
        needs="the analysis service",
    ),
    Operation(
        "GET", "/analyses/{analysis_id}/sarif", "getAnalysisSarif", "An analysis's findings as SARIF",
        get_sarif, {200: Reply("SARIF 2.1.0", media_type="application/sarif+json", schema=SARIF_SCHEMA)},
        role="read", path_params=ANALYSIS_ID, tags=("analyses",), needs="the analysis service",
    ),
    TRENDS_OPERATION,
    Operation(
        "GET", "/openapi.json", "getOpenApi", "This document", openapi_document,
        {200: Reply("OpenAPI 3.1", schema={"type": "object"})}, limited=False, tags=("meta",),
    ),
)  # fmt: skip
