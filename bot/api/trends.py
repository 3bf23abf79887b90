"""GET /api/v1/repos/{owner}/{repo}/trends: findings and time-to-review over time (bot/history)."""

from __future__ import annotations

from aiohttp import web

from bot.api.models import TrendsQuery
from bot.api.problems import not_enabled, problem
from bot.api.registry import Call, Operation, PathParam, Reply, json_reply
from bot.history.models import TrendsResult
from bot.history.store import HISTORY, TrendsRangeError

NAME = r"[A-Za-z0-9_.-]+"  # GitHub's owner and repository names
REPO_PARAMS = {
    "owner": PathParam(NAME, 100, "the repository's owner: the caller's organisation"),
    "repo": PathParam(NAME, 100, "the repository's name"),
}


async def repo_trends(call: Call) -> web.StreamResponse:
    history = call.request.app.get(HISTORY)
    if history is None:
        return not_enabled("review history is not enabled on this server")
    owner, repo = call.path["owner"], call.path["repo"]
    # An organisation's keys see its own repositories only; another's answer 404, not 403, so
    # that which repositories exist is not confirmed.
    if owner.lower() != call.who.org.lower():
        return problem(404, "Not Found", "no such repository")
    query: TrendsQuery = call.query
    try:
        result = await history.trends(
            f"{owner}/{repo}", since=query.since, until=query.until, bucket=query.bucket
        )
    except TrendsRangeError as exc:
        return problem(422, "Unprocessable Content", str(exc))
    return json_reply(result)


TRENDS_OPERATION = Operation(
    "GET", "/repos/{owner}/{repo}/trends", "getRepoTrends", "Findings and time-to-review over time",
    repo_trends, {200: Reply("one point per day or week, empty ones included", TrendsResult)},
    role="read", query=TrendsQuery, path_params=REPO_PARAMS, tags=("history",), needs="review history",
)  # fmt: skip
