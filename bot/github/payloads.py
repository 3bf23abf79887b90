"""The parts of each webhook payload the handlers read, validated at the edge.

A payload is signed, but a signature proves only who sent it, not that it has the shape the
handlers expect. Each handler validates its event with one of these models first; a field of
the wrong type, a missing one or a malformed commit id becomes one PayloadError naming the field
(the server answers 400), never an exception deeper in the handler (a 500). Types are strict:
``"5"`` is not a PR number, ``1`` is not a login. Fields a handler does not read are not
modelled, so GitHub adding or changing them never breaks a delivery.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError


class PayloadError(ValueError):
    """A webhook (or Actions event) payload lacks a field the bot needs; the receiver answers 400."""


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]  # GitHub ids and numbers: positive 64-bit
Sha = Annotated[str, Field(pattern=r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")]  # SHA-1 or SHA-256 commit id


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")  # one C scan, not a Python loop per name


def _printable(text: str) -> str:
    # Names end up in URLs, git arguments and logs: no control characters, no lone surrogates
    # (a JSON "\ud800" escape decodes to one, and it cannot be encoded back to UTF-8).
    if _UNPRINTABLE.search(text):
        raise ValueError("holds a control character or an unpaired surrogate")
    return text


Name = Annotated[str, Field(min_length=1, max_length=1024), AfterValidator(_printable)]


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    # With REDIS_URL a receiver sends the workers only the fields these models read
    # (bot/webhook_intake.py): a model whose object a handler also reads beyond them says so.
    read_whole: ClassVar[bool] = False


class Account(Model):
    login: Name
    type: str | None = None


class Installation(Model):
    id: Id


class Repository(Model):
    name: Name
    owner: Account
    clone_url: Name


class HeadRepository(Model):
    clone_url: str | None = None


class Head(Model):
    sha: Sha
    repo: HeadRepository | None = None  # None when the fork was deleted


class Base(Model):
    sha: Sha
    ref: Name


class PullRequest(Model):
    number: Id
    state: str | None = None
    draft: bool | None = None
    user: Account | None = None
    head: Head
    base: Base


class RepositoryEvent(Model):
    """What every repository-level event the bot handles carries besides its own object."""

    repository: Repository
    installation: Installation | None = None
    sender: Account | None = None


class PullRequestEvent(RepositoryEvent):
    action: str
    pull_request: PullRequest


class Comment(Model):
    read_whole = True  # commands get the comment as GitHub sent it (handlers/comments.py, /explain)

    id: Id
    body: str | None = None
    user: Account
    in_reply_to_id: Id | None = None


class Issue(Model):
    number: Id
    pull_request: dict[str, Any] | None = None  # present (an object) only on a pull request's issue


class PullRequestNumber(Model):
    number: Id


class IssueCommentEvent(RepositoryEvent):
    issue: Issue
    comment: Comment


class ReviewCommentEvent(RepositoryEvent):
    pull_request: PullRequestNumber
    comment: Comment


class RepositoryName(Model):
    full_name: Name


class AppInstallation(Model):
    id: Id
    account: Account | None = None


class InstallationEvent(Model):
    action: str | None = None
    installation: AppInstallation
    repositories_added: list[RepositoryName] | None = None
    repositories_removed: list[RepositoryName] | None = None


class Hook(Model):
    id: Id | None = None


class PingEvent(Model):
    zen: str = ""
    hook: Hook | None = None


class RefRepo(Model):
    id: Id | None = None
    name: str | None = None


class PullRef(Model):
    ref: Name
    sha: Sha
    repo: RefRepo | None = None


class CheckPull(Model):
    """A pull request as check_run / check_suite payloads list it (no clone URLs, no draft flag)."""

    number: Id
    head: PullRef
    base: PullRef


class CheckApp(Model):
    id: Id | None = None


class CheckTarget(Model):
    """The check run or check suite a person asked to run again."""

    head_sha: Sha
    app: CheckApp | None = None
    pull_requests: list[CheckPull] = []


class CheckRunEvent(RepositoryEvent):
    action: str
    check_run: CheckTarget


class CheckSuiteEvent(RepositoryEvent):
    action: str
    check_suite: CheckTarget


# The model each event's handler validates first (handlers/); the events no handler reads are not here.
EVENT_MODELS: dict[str, type[Model]] = {
    "pull_request": PullRequestEvent,
    "issue_comment": IssueCommentEvent,
    "pull_request_review_comment": ReviewCommentEvent,
    "check_run": CheckRunEvent,
    "check_suite": CheckSuiteEvent,
    "installation": InstallationEvent,
    "installation_repositories": InstallationEvent,
    "ping": PingEvent,
}

M = TypeVar("M", bound=Model)


def parse(model: type[M], data: Any) -> M:
    """``data`` as ``model``, or PayloadError naming the first field that does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        first = errors[0]
        where = ".".join(str(part) for part in first["loc"]) or "(the payload)"
        problem = "is missing" if first["type"] == "missing" else f"is invalid: {first['msg']}"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PayloadError(f"payload field {where} {problem}{more}") from None


def is_bot(user: Account | None) -> bool:
    """A bot account (GitHub's user type, or the ``[bot]`` login suffix of Apps)."""
    return user is not None and (user.type == "Bot" or user.login.endswith("[bot]"))
