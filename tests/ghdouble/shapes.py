"""Response objects built from the spec's own examples, with the double's values put in."""

from __future__ import annotations

import base64
import zlib
from typing import Any

from .openapi import Spec
from .state import Pull, Repo


def user(spec: Spec, login: str, api: str, web_origin: str) -> dict[str, Any]:
    data = spec.example("pull-request")["user"]
    is_bot = login.endswith("[bot]")
    uid = zlib.crc32(login.encode()) or 1
    data.update(
        login=login,
        id=uid,
        node_id=base64.b64encode(f"04:User{uid}".encode()).decode(),
        url=f"{api}/users/{login}",
        html_url=f"{web_origin}/{login}",
        type="Bot" if is_bot else "User",
        site_admin=False,
    )
    for key in list(data):
        if key.endswith("_url") and key not in ("url", "html_url", "avatar_url"):
            data[key] = f"{api}/users/{login}/{key.removesuffix('_url')}"
    return data


def repository(spec: Spec, repo: Repo, api: str, web_origin: str, clone_url: str) -> dict[str, Any]:
    data = spec.example("pull-request")["head"]["repo"]
    old_api = data["url"]
    for key, value in list(data.items()):
        if isinstance(value, str) and value.startswith(old_api):
            data[key] = api + f"/repos/{repo.full_name}" + value[len(old_api) :]
    data.update(
        id=repo.id,
        node_id=base64.b64encode(f"010:Repository{repo.id}".encode()).decode(),
        name=repo.name,
        full_name=repo.full_name,
        owner=user(spec, repo.owner, api, web_origin),
        html_url=f"{web_origin}/{repo.full_name}",
        clone_url=clone_url,
        git_url=clone_url,
        ssh_url=clone_url,
        svn_url=f"{web_origin}/{repo.full_name}",
        default_branch="main",
        private=True,
        fork=False,
    )
    return data


def pull_request(
    spec: Spec,
    pull: Pull,
    api: str,
    web_origin: str,
    clone_url: str,
    stats: dict[str, int],
) -> dict[str, Any]:
    repo = pull.repo
    data = spec.example("pull-request")
    repo_json = repository(spec, repo, api, web_origin, clone_url)
    owner_json = repo_json["owner"]
    pr_api = f"{api}/repos/{repo.full_name}/pulls/{pull.number}"
    issue_api = f"{api}/repos/{repo.full_name}/issues/{pull.number}"
    html = f"{web_origin}/{repo.full_name}/pull/{pull.number}"
    data.update(
        url=pr_api,
        id=pull.id,
        node_id=base64.b64encode(f"011:PullRequest{pull.id}".encode()).decode(),
        html_url=html,
        diff_url=html + ".diff",
        patch_url=html + ".patch",
        issue_url=issue_api,
        commits_url=pr_api + "/commits",
        review_comments_url=pr_api + "/comments",
        review_comment_url=f"{api}/repos/{repo.full_name}/pulls/comments{{/number}}",
        comments_url=issue_api + "/comments",
        statuses_url=f"{api}/repos/{repo.full_name}/statuses/{pull.head_sha}",
        number=pull.number,
        state="open",
        locked=False,
        title=pull.title or f"Pull request {pull.number}",
        user=user(spec, pull.user_login, api, web_origin),
        body=None,
        labels=[],
        milestone=None,
        active_lock_reason=None,
        closed_at=None,
        merged_at=None,
        merge_commit_sha=None,
        assignee=None,
        assignees=[],
        requested_reviewers=[],
        requested_teams=[],
        author_association="CONTRIBUTOR",
        auto_merge=None,
        draft=pull.draft,
        merged=False,
        mergeable=None,
        rebaseable=None,
        mergeable_state="unknown",
        merged_by=None,
        comments=0,
        review_comments=0,
        **stats,
    )
    data["head"] = {
        "label": f"{repo.owner}:{pull.head}",
        "ref": pull.head,
        "sha": pull.head_sha,
        "user": owner_json,
        "repo": repo_json,
    }
    data["base"] = {
        "label": f"{repo.owner}:{pull.base}",
        "ref": pull.base,
        "sha": pull.base_sha,
        "user": owner_json,
        "repo": repo_json,
    }
    data["_links"] = {
        "self": {"href": pr_api},
        "html": {"href": html},
        "issue": {"href": issue_api},
        "comments": {"href": issue_api + "/comments"},
        "review_comments": {"href": pr_api + "/comments"},
        "review_comment": {"href": f"{api}/repos/{repo.full_name}/pulls/comments{{/number}}"},
        "commits": {"href": pr_api + "/commits"},
        "statuses": {"href": data["statuses_url"]},
    }
    return data
