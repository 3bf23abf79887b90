"""GitHub's GraphQL API, the little of it the bot uses: a PR's review threads and their resolution.

Strict the way GitHub is: every query is parsed and validated by graphql-core against the schema
subset below (an unknown field is GitHub's ``undefinedField`` error, with status 200), every
connection must say how many it wants (``first``, at most 100), node ids must be ones the double
gave out, and the installation token must cover the repository. Threads are the double's real
review comments, grouped by ``in_reply_to_id`` under their first comment; resolutions are kept in
``GitHubDouble.resolved_threads`` (the first comments' ids) and ``thread_changes`` (the history),
so a test can assert them. ``GitHubDouble.graphql_refused`` names the mutations GitHub refuses
(``FORBIDDEN``, "Resource not accessible by integration"), as an Enterprise Server may.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from graphql import GraphQLError, build_schema, graphql_sync

from .auth import parse_authorization
from .responses import error, json_response
from .state import Pull

if TYPE_CHECKING:
    from .server import GitHubDouble

DOCS = "https://docs.github.com/graphql"
AUTH_DOCS = "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"
MAX_PAGE = 100

SCHEMA = build_schema(
    """
    type Query {
      repository(owner: String!, name: String!, followRenames: Boolean = true): Repository
    }
    type Mutation {
      resolveReviewThread(input: ResolveReviewThreadInput!): ResolveReviewThreadPayload
      unresolveReviewThread(input: UnresolveReviewThreadInput!): UnresolveReviewThreadPayload
    }
    input ResolveReviewThreadInput { clientMutationId: String, threadId: ID! }
    input UnresolveReviewThreadInput { clientMutationId: String, threadId: ID! }
    type ResolveReviewThreadPayload { clientMutationId: String, thread: PullRequestReviewThread }
    type UnresolveReviewThreadPayload { clientMutationId: String, thread: PullRequestReviewThread }
    type Repository { pullRequest(number: Int!): PullRequest }
    type PullRequest {
      reviewThreads(after: String, before: String, first: Int, last: Int): PullRequestReviewThreadConnection!
    }
    type PageInfo { endCursor: String, hasNextPage: Boolean! }
    type PullRequestReviewThreadConnection { nodes: [PullRequestReviewThread], pageInfo: PageInfo! }
    type PullRequestReviewThread {
      id: ID!
      isResolved: Boolean!
      comments(after: String, before: String, first: Int, last: Int): PullRequestReviewCommentConnection!
    }
    type PullRequestReviewCommentConnection { nodes: [PullRequestReviewComment], pageInfo: PageInfo! }
    type PullRequestReviewComment { databaseId: Int, body: String!, author: Actor }
    interface Actor { login: String! }
    type Bot implements Actor { login: String! }
    type User implements Actor { login: String! }
    """
)
UNDEFINED_FIELD = re.compile(r"Cannot query field '(\w+)' on type '(\w+)'\.")


class Refused(GraphQLError):
    """An error GitHub reports inside a 200 answer, with its ``type`` (NOT_FOUND, FORBIDDEN, ...)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, extensions={"type": kind})


# --- HTTP ---------------------------------------------------------------------------------------


async def serve(double: GitHubDouble, request: web.Request) -> web.Response:
    """POST /graphql (or /api/graphql on an Enterprise Server): GitHub's answers and status codes."""
    if not request.headers.get("User-Agent"):
        return error(
            403,
            "Request forbidden by administrative rules. "
            "Please make sure your request has a User-Agent header.",
        )
    auth = parse_authorization(request.headers.get("Authorization"))
    if auth is None:
        return error(401, "This endpoint requires you to be authenticated.", AUTH_DOCS)
    token = double.tokens.get(auth[1])
    if token is None or token.expires_at <= time.time():
        return error(401, "Bad credentials", DOCS)
    try:
        payload = json.loads(await request.read())
    except ValueError:
        return error(400, "Problems parsing JSON", DOCS)
    if not isinstance(payload, dict):
        return error(400, "Problems parsing JSON", DOCS)
    query, variables = payload.get("query"), payload.get("variables")
    if not isinstance(query, str):
        return answer({"errors": [{"message": "A query attribute must be specified and must be a string."}]})
    if variables is not None and not isinstance(variables, dict):
        return answer({"errors": [{"message": "Variables are invalid JSON."}]})
    double.rate_used[token.installation_id] = double.rate_used.get(token.installation_id, 0) + 1
    result = graphql_sync(
        SCHEMA,
        query,
        root_value=Root(double, auth[1]).fields(),
        variable_values=variables,
        operation_name=payload.get("operationName"),
    )
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [github_error(e) for e in result.errors]
    if result.data is not None or not result.errors:
        body["data"] = result.data
    return answer(body)


def answer(body: dict[str, Any]) -> web.Response:
    response = json_response(body)
    response.headers["X-RateLimit-Resource"] = "graphql"
    return response


def github_error(exc: GraphQLError) -> dict[str, Any]:
    """graphql-core's error in GitHub's words and shape: ``type`` at the top, ``undefinedField``."""
    formatted: dict[str, Any] = dict(exc.formatted)
    extensions = dict(formatted.pop("extensions", None) or {})
    if "type" in extensions:
        formatted["type"] = extensions.pop("type")
    if match := UNDEFINED_FIELD.match(exc.message):
        field, type_name = match.groups()
        formatted["message"] = f"Field '{field}' doesn't exist on type '{type_name}'"
        extensions = {"code": "undefinedField", "typeName": type_name, "fieldName": field}
    if extensions:
        formatted["extensions"] = extensions
    return formatted


# --- the data -----------------------------------------------------------------------------------


def thread_id(owner: str, repo: str, number: int, root_id: int) -> str:
    raw = f"{owner}/{repo}/{number}/{root_id}".encode()
    return "PRRT_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_thread_id(value: str) -> tuple[str, str, int, int] | None:
    if not value.startswith("PRRT_"):
        return None
    text = value[5:]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        owner, repo, number, root = raw.split("/")
        return owner, repo, int(number), int(root)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def page(
    items: list[Any], first: int | None, after: str | None, last: int | None, before: str | None, what: str
) -> dict[str, Any]:
    """A connection's page as GitHub cuts it, with its rules on ``first`` and cursors."""
    if last is not None or before is not None:
        raise Refused("UNSUPPORTED", f"the GitHub double pages `{what}` with `first` and `after` only")
    if first is None:
        raise Refused(
            "MISSING_PAGINATION_BOUNDARIES",
            f"You must provide a `first` or `last` value to properly paginate the `{what}` connection.",
        )
    if first < 0:
        raise Refused("INVALID_ARGUMENT", f"`first` on the `{what}` connection cannot be less than zero.")
    if first > MAX_PAGE:
        raise Refused(
            "EXCESSIVE_PAGINATION",
            f"Requesting {first} records on the `{what}` connection exceeds "
            f"the `first` limit of {MAX_PAGE} records.",
        )
    start = 0
    if after is not None:
        try:
            start = int(base64.b64decode(after, validate=True).decode().removeprefix("cursor:v2:")) + 1
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise Refused(
                "INVALID_CURSOR_ARGUMENTS", f"`{after}` does not appear to be a valid cursor."
            ) from None
    chunk = items[start : start + first]
    end = start + len(chunk) - 1
    cursor = base64.b64encode(f"cursor:v2:{end}".encode()).decode() if chunk else None
    return {"nodes": chunk, "pageInfo": {"endCursor": cursor, "hasNextPage": start + first < len(items)}}


class Root:
    """The query and mutation roots for one request, as the token it came with may see them."""

    def __init__(self, double: GitHubDouble, token: str) -> None:
        self.double, self.token = double, token

    def fields(self) -> dict[str, Callable[..., Any]]:
        return {
            "repository": self.repository,
            "resolveReviewThread": lambda info, input: self.set_resolved(info, input, True),
            "unresolveReviewThread": lambda info, input: self.set_resolved(info, input, False),
        }

    def covers(self, owner: str, repo: str) -> bool:
        return (
            self.double.find_repo(owner, repo) is not None
            and self.double.token_verdict(owner, repo, self.token) == "ok"
        )

    def repository(self, info: Any, owner: str, name: str, followRenames: bool = True) -> dict[str, Any]:
        if not self.covers(owner, name):
            raise Refused("NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'.")

        def pull_request(info: Any, number: int) -> dict[str, Any]:
            pull = self.double.find_pull(owner, name, number)
            if pull is None:
                raise Refused("NOT_FOUND", f"Could not resolve to a PullRequest with the number of {number}.")
            return self.pull_node(pull)

        return {"pullRequest": pull_request}

    def pull_node(self, pull: Pull) -> dict[str, Any]:
        key = (pull.repo.owner, pull.repo.name, pull.number)
        comments = self.double.review_comments.get(key, [])
        roots = [c for c in comments if c.get("in_reply_to_id") is None]

        def review_threads(
            info: Any,
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> dict[str, Any]:
            threads = [self.thread_node(pull, root) for root in roots]
            return page(threads, first, after, last, before, "reviewThreads")

        return {"reviewThreads": review_threads}

    def thread_node(self, pull: Pull, root: dict[str, Any]) -> dict[str, Any]:
        key = (pull.repo.owner, pull.repo.name, pull.number)
        comments = [
            c
            for c in self.double.review_comments.get(key, [])
            if c is root or c.get("in_reply_to_id") == root["id"]
        ]

        def thread_comments(
            info: Any,
            first: int | None = None,
            after: str | None = None,
            last: int | None = None,
            before: str | None = None,
        ) -> dict[str, Any]:
            return page([comment_node(c) for c in comments], first, after, last, before, "comments")

        return {
            "id": thread_id(*key, root["id"]),
            "isResolved": root["id"] in self.double.resolved_threads,
            "comments": thread_comments,
        }

    def set_resolved(self, info: Any, input: dict[str, Any], resolved: bool) -> dict[str, Any]:
        name = info.field_name
        if name in self.double.graphql_refused:
            raise Refused("FORBIDDEN", "Resource not accessible by integration")
        value = str(input["threadId"])
        parsed = parse_thread_id(value)
        pull = self.double.find_pull(*parsed[:3]) if parsed is not None else None
        if parsed is None or pull is None or not self.covers(parsed[0], parsed[1]):
            raise Refused("NOT_FOUND", f"Could not resolve to a node with the global id of '{value}'")
        key = (pull.repo.owner, pull.repo.name, pull.number)
        root = next(
            (
                c
                for c in self.double.review_comments.get(key, [])
                if c["id"] == parsed[3] and c.get("in_reply_to_id") is None
            ),
            None,
        )
        if root is None:
            raise Refused("NOT_FOUND", f"Could not resolve to a node with the global id of '{value}'")
        if resolved:
            self.double.resolved_threads.add(root["id"])
        else:
            self.double.resolved_threads.discard(root["id"])
        self.double.thread_changes.append(("resolve" if resolved else "unresolve", root["id"]))
        return {"clientMutationId": input.get("clientMutationId"), "thread": self.thread_node(pull, root)}


def comment_node(comment: dict[str, Any]) -> dict[str, Any]:
    user = comment.get("user") or {}
    is_bot = user.get("type") == "Bot"
    login = str(user.get("login") or "ghost")
    # GraphQL names an App's bot by its slug: "review-bot", where REST says "review-bot[bot]".
    author = {
        "__typename": "Bot" if is_bot else "User",
        "login": login.removesuffix("[bot]") if is_bot else login,
    }
    return {"databaseId": comment["id"], "body": comment.get("body") or "", "author": author}
