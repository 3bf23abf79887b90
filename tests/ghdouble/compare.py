"""Comparing two commits (``GET /repos/{o}/{r}/compare/{base}...{head}``), from the real git repository,
and reading one review comment (``GET /repos/{o}/{r}/pulls/comments/{id}``)."""

from __future__ import annotations

import asyncio
import base64
import copy
from typing import Any

from aiohttp import web

from .context import Ctx, Handler
from .gitdiff import GitError, git, pull_files, rev_parse
from .responses import error, json_response, not_found
from .state import Repo

MAX_COMPARE_FILES = 300  # GitHub lists at most 300 files of a comparison
MAX_COMPARE_COMMITS = 250  # ... and, without pagination, 250 commits


def _commit_json(ctx: Ctx, repo: Repo, sha: str, template: dict[str, Any]) -> dict[str, Any]:
    """One commit in the shape of the spec's example, with the real sha, message and parents."""
    raw = git(repo.path, "show", "-s", "--format=%P%x00%an%x00%ae%x00%aI%x00%B", sha).decode()
    parents, name, email, date, message = raw.split("\0", 4)
    api = f"{ctx.double.base_url}/repos/{repo.full_name}"
    html = f"{ctx.double.web_origin}/{repo.full_name}"
    data = copy.deepcopy(template)
    person = {"name": name, "email": email, "date": date}
    data.update(
        sha=sha,
        node_id=base64.b64encode(f"06:Commit{repo.id}:{sha}".encode()).decode(),
        url=f"{api}/commits/{sha}",
        html_url=f"{html}/commit/{sha}",
        comments_url=f"{api}/commits/{sha}/comments",
        parents=[
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html}/commit/{p}"} for p in parents.split()
        ],
    )
    data["commit"].update(
        url=f"{api}/git/commits/{sha}", author=person, committer=person, message=message.strip()
    )
    return data


def _count(repo: Repo, spec: str) -> int:
    return int(git(repo.path, "rev-list", "--count", spec).decode().strip() or 0)


def _comparison(ctx: Ctx, repo: Repo, basehead: str, base: str, head: str) -> dict[str, Any] | None:
    """The comparison as GitHub computes it: three dots, i.e. from the merge base to ``head``."""
    try:
        merge_base = git(repo.path, "merge-base", base, head).decode().strip()
    except GitError:
        return None  # no common ancestor
    template = ctx.double.spec.example("commit-comparison")
    commit_template = template["base_commit"]
    ahead, behind = _count(repo, f"{merge_base}..{head}"), _count(repo, f"{merge_base}..{base}")
    statuses = {(0, 0): "identical", (1, 0): "ahead", (0, 1): "behind"}
    status = statuses.get((min(ahead, 1), min(behind, 1)), "diverged")
    shas = git(repo.path, "rev-list", "--reverse", f"{merge_base}..{head}").decode().split()
    per_page = ctx.params.get("per_page")
    if per_page:
        page = max(int(ctx.params.get("page") or 1), 1)
        shas = shas[(page - 1) * per_page : page * per_page]
    else:
        shas = shas[:MAX_COMPARE_COMMITS]
    files = []
    web_base = f"{ctx.double.web_origin}/{repo.full_name}"
    for diff in pull_files(repo.path, base, head)[:MAX_COMPARE_FILES]:
        path = diff.entry["filename"]
        files.append(
            {
                **diff.entry,
                "blob_url": f"{web_base}/blob/{head}/{path}",
                "raw_url": f"{web_base}/raw/{head}/{path}",
                "contents_url": f"{ctx.double.base_url}/repos/{repo.full_name}/contents/{path}?ref={head}",
            }
        )
    return {
        **template,
        "url": f"{ctx.double.base_url}/repos/{repo.full_name}/compare/{basehead}",
        "html_url": f"{web_base}/compare/{basehead}",
        "permalink_url": f"{web_base}/compare/{repo.owner}:{base}...{repo.owner}:{head}",
        "diff_url": f"{web_base}/compare/{basehead}.diff",
        "patch_url": f"{web_base}/compare/{basehead}.patch",
        "base_commit": _commit_json(ctx, repo, base, commit_template),
        "merge_base_commit": _commit_json(ctx, repo, merge_base, commit_template),
        "status": status,
        "ahead_by": ahead,
        "behind_by": behind,
        "total_commits": ahead,
        "commits": [_commit_json(ctx, repo, sha, commit_template) for sha in shas],
        "files": files,
    }


async def compare(ctx: Ctx) -> web.Response:
    assert ctx.repo is not None
    repo = ctx.repo
    basehead = ctx.params["basehead"]
    base_ref, dots, head_ref = basehead.partition("...")
    if not dots or not base_ref or not head_ref:
        return not_found(ctx.op.doc_url)
    base = await asyncio.to_thread(rev_parse, repo.path, base_ref)
    head = await asyncio.to_thread(rev_parse, repo.path, head_ref)
    if base is None or head is None:
        missing = base_ref if base is None else head_ref
        return error(404, f"No commit found for SHA: {missing}", ctx.op.doc_url)
    data = await asyncio.to_thread(_comparison, ctx, repo, basehead, base, head)
    if data is None:
        return error(404, f"No common ancestor between {base_ref} and {head_ref}.", ctx.op.doc_url)
    return json_response(data)


async def get_review_comment(ctx: Ctx) -> web.Response:
    """A review comment by id, in any pull request of the repository."""
    assert ctx.repo is not None
    for (owner, name, _), comments in ctx.double.review_comments.items():
        if (owner, name) != ctx.repo_key:
            continue
        for comment in comments:
            if comment["id"] == ctx.params["comment_id"]:
                return json_response(comment)
    return not_found(ctx.op.doc_url)


HANDLERS: dict[str, Handler] = {
    "repos/compare-commits-with-basehead": compare,
    "pulls/get-review-comment": get_review_comment,
}
