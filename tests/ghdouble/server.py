"""The GitHub API double: an aiohttp application strict the way GitHub is."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from . import checks, compare, githttp, graphql, issues, listings, pulls, repos, social
from .auth import JWTRejected, new_installation_token, parse_authorization, verify_app_jwt
from .context import Ctx, Handler
from .faults import FaultInjector
from .gitdiff import FileDiff, pull_files, rev_parse
from .openapi import RequestInvalid, load_spec
from .responses import DOCS, bad_credentials, error, invalid_request, json_response, not_found
from .shapes import pull_request, repository, user
from .state import Pull, Repo, Token, next_id

RATE_LIMIT = 5000
HANDLERS: dict[str, Handler] = {
    **pulls.HANDLERS,
    **issues.HANDLERS,
    **checks.HANDLERS,
    **repos.HANDLERS,
    **social.HANDLERS,
    **compare.HANDLERS,
    **listings.HANDLERS,
}
# Operations authenticated as the App itself (JWT), not as an installation.
APP_OPERATIONS = {
    "apps/create-installation-access-token",
    "apps/get-authenticated",
    "apps/list-installations",
    "apps/get-repo-installation",
}


class GitHubDouble(FaultInjector):
    def __init__(
        self,
        app_id: int,
        public_key_pem: str | bytes,
        bot_login: str = "review-bot[bot]",
        api_prefix: str = "/api/v3",
        token_ttl: float = 3600,
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.public_key_pem = public_key_pem.decode() if isinstance(public_key_pem, bytes) else public_key_pem
        self.bot_login = bot_login
        self.api_prefix = "/" + api_prefix.strip("/") if api_prefix.strip("/") else ""
        self.token_ttl = token_ttl
        self.spec = load_spec()
        self.origin = ""  # "http://127.0.0.1:PORT", known once started
        self.require_accept = True

        self.installations: dict[int, set[str]] = {}
        self.repos: dict[tuple[str, str], Repo] = {}
        self.pulls: dict[tuple[str, str, int], Pull] = {}
        self.tokens: dict[str, Token] = {}
        self.tokens_issued = 0
        self.rate_used: dict[int, int] = {}

        self.reviews: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        self.review_comments: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        self.issue_comments: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
        self.check_runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # ("issue" | "pull", comment id) -> the reactions the bot left on that comment
        self.reactions: dict[tuple[str, int], list[dict[str, Any]]] = {}
        # (owner, repo, login) -> role: admin, maintain, write, triage or read; None: no such user
        self.permissions: dict[tuple[str, str, str], str | None] = {}
        self.default_permission: str | None = "read"
        self.requests: list[tuple[str, str, int]] = []
        # GraphQL (tests/ghdouble/graphql.py): the first comments of the resolved review threads,
        # every (un)resolution in order, and the mutations answered FORBIDDEN.
        self.resolved_threads: set[int] = set()
        self.thread_changes: list[tuple[str, int]] = []
        self.graphql_refused: set[str] = set()

        self._files_cache: dict[tuple[Path, str, str], list[FileDiff]] = {}
        self._runner: web.AppRunner | None = None
        self.app = web.Application(middlewares=[self._record])
        self.app.router.add_route("*", "/git/{owner}/{repo}.git/{tail:.*}", self._git)
        # Before the REST catch-all, which on github.com's layout (no prefix) would take /graphql too.
        self.app.router.add_route("POST", self.graphql_path, self._graphql)
        self.app.router.add_route("*", self.api_prefix + "/{tail:.*}", self._api)

    # --- running -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.origin + self.api_prefix

    @property
    def graphql_path(self) -> str:
        """Where GitHub serves GraphQL: /graphql, or /api/graphql beside an Enterprise Server's /api/v3."""
        if self.api_prefix.endswith("/v3"):
            return self.api_prefix.removesuffix("/v3") + "/graphql"
        return self.api_prefix + "/graphql"

    @property
    def web_origin(self) -> str:
        return self.origin

    def set_origin(self, origin: str) -> None:
        """Tell the double where it listens (for aiohttp's TestServer: ``str(server.make_url(""))``)."""
        self.origin = origin.rstrip("/")
        for pull in self.pulls.values():
            self._render_pull(pull)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.set_origin(f"http://{bound[0]}:{bound[1]}")
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> GitHubDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- test setup ----------------------------------------------------------------------------

    def git_url(self, owner: str, repo: str) -> str:
        return f"{self.origin}/git/{owner}/{repo}.git"

    def add_installation(self, installation_id: int, repos: list[str]) -> None:
        self.installations[installation_id] = {r.lower() for r in repos}

    def add_actions_token(self, owner: str, repo: str) -> str:
        """A ``GITHUB_TOKEN`` as Actions gives a job: an installation token (``ghs_``) of the GitHub
        Actions App, good for this one repository only, for the API and for git over HTTPS."""
        installation_id = next_id()
        self.add_installation(installation_id, repos=[f"{owner}/{repo}"])
        value = new_installation_token()
        self.tokens[value] = Token(value, installation_id, time.time() + self.token_ttl)
        return value

    def add_repo(self, owner: str, repo: str, path: Path) -> Repo:
        entry = Repo(owner, repo, Path(path).resolve())
        self.repos[owner.lower(), repo.lower()] = entry
        return entry

    def add_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        base: str = "main",
        head: str = "feature",
        user_login: str = "octocat",
        draft: bool = False,
        title: str = "",
    ) -> dict[str, Any]:
        entry = self.find_repo(owner, repo)
        if entry is None:
            raise KeyError(f"add_repo({owner!r}, {repo!r}, path) first")
        base_sha, head_sha = rev_parse(entry.path, base), rev_parse(entry.path, head)
        if base_sha is None or head_sha is None:
            raise KeyError(f"branch {base!r} or {head!r} not found in {entry.path}")
        pull = Pull(entry, number, base, head, user_login, base_sha, head_sha, {}, draft, title)
        self.pulls[owner.lower(), repo.lower(), number] = pull
        self._render_pull(pull)
        return pull.data

    def update_pull(self, owner: str, repo: str, number: int, draft: bool | None = None) -> dict[str, Any]:
        """Re-read both branches, as GitHub does after a push (``synchronize``)."""
        pull = self.pulls[owner.lower(), repo.lower(), number]
        if draft is not None:
            pull.draft = draft
        pull.head_sha = rev_parse(pull.repo.path, pull.head) or pull.head_sha
        pull.base_sha = rev_parse(pull.repo.path, pull.base) or pull.base_sha
        self._render_pull(pull)
        return pull.data

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def reset_faults(self) -> None:
        self.reset()

    # --- lookups used by handlers --------------------------------------------------------------

    def find_repo(self, owner: str, repo: str) -> Repo | None:
        return self.repos.get((owner.lower(), repo.lower()))

    def find_pull(self, owner: str, repo: str, number: int) -> Pull | None:
        return self.pulls.get((owner.lower(), repo.lower(), number))

    def bot_user(self) -> dict[str, Any]:
        return user(self.spec, self.bot_login, self.base_url, self.web_origin)

    def user_json(self, login: str) -> dict[str, Any]:
        return user(self.spec, login, self.base_url, self.web_origin)

    def add_issue_comment(self, owner: str, repo: str, number: int, login: str, body: str) -> dict[str, Any]:
        """A person's comment on the PR's conversation, as GitHub would store it."""
        return social.add_issue_comment(self, owner, repo, number, login, body)

    def thread_reply(self, parent: dict[str, Any], body: str, author: dict[str, Any]) -> dict[str, Any]:
        """A reply in the review thread of ``parent`` (a top-level review comment)."""
        return social.thread_reply(self, parent, body, author)

    async def files_for(self, pull: Pull, commit: str) -> list[FileDiff]:
        key = (pull.repo.path, pull.base_sha, commit)
        if key not in self._files_cache:
            self._files_cache[key] = await asyncio.to_thread(
                pull_files, pull.repo.path, pull.base_sha, commit
            )
        return self._files_cache[key]

    def diff_entry(self, pull: Pull, entry: dict[str, Any]) -> dict[str, Any]:
        full = pull.repo.full_name
        path = entry["filename"]
        return {
            **entry,
            "blob_url": f"{self.web_origin}/{full}/blob/{pull.head_sha}/{path}",
            "raw_url": f"{self.web_origin}/{full}/raw/{pull.head_sha}/{path}",
            "contents_url": f"{self.base_url}/repos/{full}/contents/{path}?ref={pull.head_sha}",
        }

    def repo_json(self, repo: Repo) -> dict[str, Any]:
        return repository(
            self.spec, repo, self.base_url, self.web_origin, self.git_url(repo.owner, repo.name)
        )

    def _render_pull(self, pull: Pull) -> None:
        files = pull_files(pull.repo.path, pull.base_sha, pull.head_sha)
        self._files_cache[pull.repo.path, pull.base_sha, pull.head_sha] = files
        stats = {
            "additions": sum(f.entry["additions"] for f in files),
            "deletions": sum(f.entry["deletions"] for f in files),
            "changed_files": len(files),
            "commits": 1,
        }
        clone = self.git_url(pull.repo.owner, pull.repo.name)
        pull.data = pull_request(self.spec, pull, self.base_url, self.web_origin, clone, stats)

    def token_verdict(self, owner: str, repo: str, value: str) -> str:
        token = self.tokens.get(value)
        if token is None or token.expires_at <= time.time():
            return "bad"
        covered = self.installations.get(token.installation_id, set())
        return "ok" if f"{owner}/{repo}".lower() in covered else "denied"

    # --- HTTP ------------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self.origin:
            self.set_origin(f"{request.scheme}://{request.host}")
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            self.requests.append((request.method, request.path, exc.status))
            raise
        self.requests.append((request.method, request.path, response.status))
        return response

    async def _git(self, request: web.Request) -> web.Response:
        return await githttp.serve(request, self.find_repo, self.token_verdict)

    async def _graphql(self, request: web.Request) -> web.Response:
        request_id = uuid.uuid4().hex[:8].upper() + ":" + uuid.uuid4().hex[:8].upper()
        failure = await self.apply(request.method, "/graphql", request_id)
        response = failure if failure is not None else await graphql.serve(self, request)
        response.headers["X-GitHub-Request-Id"] = request_id
        return response

    async def _api(self, request: web.Request) -> web.Response:
        request_id = uuid.uuid4().hex[:8].upper() + ":" + uuid.uuid4().hex[:8].upper()
        response, installation = await self._serve_api(request, request_id)
        used = self.rate_used.get(installation, 0) if installation is not None else 0
        response.headers.update(
            {
                "X-GitHub-Request-Id": request_id,
                "X-GitHub-Media-Type": "github.v3; format=json",
                "X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": str(RATE_LIMIT - used),
                "X-RateLimit-Used": str(used),
                "X-RateLimit-Reset": str(int(time.time()) + 3600),
                "X-RateLimit-Resource": "core",
            }
        )
        return response

    async def _serve_api(self, request: web.Request, request_id: str) -> tuple[web.Response, int | None]:
        path = "/" + request.match_info["tail"]
        if (failure := await self.apply(request.method, path, request_id)) is not None:
            return failure, None
        if not request.headers.get("User-Agent"):
            return error(
                403,
                "Request forbidden by administrative rules. "
                "Please make sure your request has a User-Agent header (https://docs.github.com/en/rest).",
            ), None
        accept = request.headers.get("Accept", "")
        if self.require_accept and not any(t in accept for t in ("json", "vnd.github", "*/*")):
            return error(415, "Unsupported 'Accept' header: send Accept: application/vnd.github+json"), None
        matched = self.spec.match(request.method, path)
        if matched is None:
            return not_found(DOCS), None
        op, raw_params = matched
        try:
            params = self.spec.validate_parameters(op, raw_params, dict(request.query))
        except LookupError:
            return not_found(op.doc_url), None
        except RequestInvalid as exc:
            return invalid_request(exc.messages, op.doc_url), None

        auth = parse_authorization(request.headers.get("Authorization"))
        installation: int | None = None
        repo: Repo | None = None
        if op.operation_id in APP_OPERATIONS:
            if auth is None or auth[0] != "bearer":
                return error(401, "A JSON web token could not be decoded", op.doc_url), None
            try:
                verify_app_jwt(auth[1], self.public_key_pem, self.app_id)
            except JWTRejected as exc:
                return error(401, str(exc), op.doc_url), None
        else:
            token = self.tokens.get(auth[1]) if auth else None
            if token is None or token.expires_at <= time.time():
                return bad_credentials(), None
            installation = token.installation_id
            self.rate_used[installation] = self.rate_used.get(installation, 0) + 1
            if "owner" in params and "repo" in params:
                repo = self.find_repo(params["owner"], params["repo"])
                if repo is None or self.token_verdict(params["owner"], params["repo"], auth[1]) != "ok":
                    return not_found(op.doc_url), installation

        body: Any = None
        if op.body_pointer is not None:
            raw = await request.read()
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError:
                return error(400, "Problems parsing JSON", op.doc_url), installation
            if not isinstance(body, dict):
                return error(400, "Body should be a JSON object", op.doc_url), installation
            try:
                self.spec.validate_body(op, body)
            except RequestInvalid as exc:
                return invalid_request(exc.messages, op.doc_url), installation

        ctx = Ctx(self, request, op, params, body, repo)
        if op.operation_id == "apps/create-installation-access-token":
            return self._issue_token(ctx), installation
        handler = HANDLERS.get(op.operation_id)
        if handler is None:
            return repos.canned(ctx), installation
        return await handler(ctx), installation

    def _issue_token(self, ctx: Ctx) -> web.Response:
        installation_id = ctx.params["installation_id"]
        covered = self.installations.get(installation_id)
        if covered is None:
            return not_found(ctx.op.doc_url)
        wanted = ctx.body.get("repositories")
        if wanted and not {f"{r}".lower() for r in wanted} <= {c.split("/", 1)[1] for c in covered}:
            return error(
                422,
                "There is at least one repository that does not exist or is not accessible "
                "to the parent installation.",
                ctx.op.doc_url,
            )
        value = new_installation_token()
        expires = time.time() + self.token_ttl
        self.tokens[value] = Token(value, installation_id, expires)
        self.tokens_issued += 1
        data = {
            "token": value,
            "expires_at": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "permissions": ctx.body.get("permissions")
            or {"contents": "read", "pull_requests": "write", "issues": "write", "checks": "write"},
            "repository_selection": "selected",
        }
        return json_response(data, status=201)
