"""The REST paths (and GraphQL documents) about one pull request: the only place besides the gateway
that spells ``/repos/``.

Only bot/github/pull_request.py uses these (tests/test_pull_request_gateway.py keeps it so).
Owner and repository come from GitHub's own payloads; head shas and comment ids are checked
(a sha is 40 hex digits before it reaches any URL, an id is an int), so nothing here is PR text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

# uritemplate expands these (gidgethub's url_vars): the login and the file path are escaped there.
PERMISSION_TEMPLATE = "/repos/{owner}/{repo}/collaborators/{username}/permission"
CONTENTS_TEMPLATE = "/repos/{owner}/{repo}/contents/{+path}{?ref}"


@dataclass(frozen=True)
class PRPaths:
    owner: str
    repo: str
    number: int

    @property
    def root(self) -> str:
        return f"/repos/{self.owner}/{self.repo}"

    def pull(self, tail: str = "") -> str:
        """The PR (``tail``: "/files", "/reviews", "/comments": its review comments)."""
        return f"{self.root}/pulls/{self.number}{tail}"

    def issue(self, tail: str = "") -> str:
        """The PR as an issue (``tail`` "/comments": its conversation)."""
        return f"{self.root}/issues/{self.number}{tail}"

    def issue_comment(self, comment_id: int) -> str:
        return f"{self.root}/issues/comments/{int(comment_id)}"

    def review_comment(self, comment_id: int) -> str:
        return f"{self.root}/pulls/comments/{int(comment_id)}"

    def replies(self, root_id: int) -> str:
        """A reply in the review thread that ``root_id`` (its first comment) started."""
        return self.pull(f"/comments/{int(root_id)}/replies")

    def reactions(self, kind: Literal["issue", "pull"], comment_id: int) -> str:
        where = "issues" if kind == "issue" else "pulls"
        return f"{self.root}/{where}/comments/{int(comment_id)}/reactions"

    def compare(self, base: str, head: str) -> str:
        return f"{self.root}/compare/{base}...{head}"

    def check_runs(self) -> str:
        return f"{self.root}/check-runs"

    def check_run(self, run_id: int) -> str:
        return f"{self.root}/check-runs/{int(run_id)}"

    def check_runs_on(self, head_sha: str, query: dict[str, str]) -> str:
        return f"{self.root}/commits/{head_sha}/check-runs?{urlencode(query)}"

    def url_vars(self, **more: str) -> dict[str, str]:
        """The variables of the templates above."""
        return {"owner": self.owner, "repo": self.repo, **more}


# --- the App's open pull requests, for the reconcile pass (bot/reconcile.py) ---------------------

INSTALLATIONS_PATH = "/app/installations"  # with the App's JWT
INSTALLATION_REPOSITORIES_PATH = "/installation/repositories"  # with an installation token


@dataclass(frozen=True)
class RepoPaths:
    """A repository's listings; owner and name come from GitHub's own repository listing."""

    owner: str
    repo: str

    @property
    def root(self) -> str:
        return f"/repos/{self.owner}/{self.repo}"

    def open_pulls(self) -> str:
        # Most recently updated first: when the pass is capped, those are the likeliest to have
        # had a webhook lost during an outage.
        return f"{self.root}/pulls?{urlencode({'state': 'open', 'sort': 'updated', 'direction': 'desc'})}"

    def check_runs_on(self, head_sha: str, query: dict[str, str]) -> str:
        return f"{self.root}/commits/{head_sha}/check-runs?{urlencode(query)}"


# --- GraphQL: the review threads of a PR (REST has no threads, and cannot resolve one) ------------

# Each thread's first comment is its root; its databaseId is the REST id of that comment, which
# tells whether the thread is ours (and about what, from our comment's marker).
REVIEW_THREADS_QUERY = """
query ReviewThreads($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          comments(first: 1) { nodes { databaseId } }
        }
      }
    }
  }
}
"""
RESOLVE_THREAD_MUTATION = """
mutation ResolveThread($threadId: ID!) {
  resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}
"""
UNRESOLVE_THREAD_MUTATION = """
mutation UnresolveThread($threadId: ID!) {
  unresolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}
"""
