"""app.yml is a manifest GitHub accepts: every event backed by its permission, valid permission names.

GitHub's "register a GitHub App from a manifest" flow refuses a manifest whose
``default_events`` include an event that none of its ``default_permissions`` grants ("Default
events are not supported by permissions: issue_comment"). GitHub cannot be reached from the
tests, so the rule is encoded here as data from GitHub's docs, and the permission names and
levels are checked against the ``app-permissions`` schema of GitHub's own OpenAPI description
(tests/fixtures/github-openapi).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from analyzers import default_analyzers

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "app.yml"
OPENAPI = ROOT / "tests" / "fixtures" / "github-openapi" / "api.github.com.subset.json"

# Which permission lets a GitHub App subscribe to each webhook event: the line "To subscribe to
# this event, a GitHub App must have at least read-level access for the "X" ... permission" of
# each event in GitHub's "Webhook events and payloads":
#   https://docs.github.com/en/webhooks/webhook-events-and-payloads
# Values: the manifest keys (the names of the REST API's `app-permissions` object) of which any
# one, at read or write, suffices. Only events available to GitHub Apps ("Availability: app")
# and whose permission maps to one manifest key without doubt are listed; an event missing here
# fails the test below until it is added from that page.
EVENT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "branch_protection_configuration": ("administration",),
    "branch_protection_rule": ("administration",),
    "check_run": ("checks",),
    "check_suite": ("checks",),
    "code_scanning_alert": ("security_events",),  # "Code scanning alerts"
    "commit_comment": ("contents",),
    "create": ("contents",),
    "delete": ("contents",),
    "dependabot_alert": ("vulnerability_alerts",),  # "Dependabot alerts"
    "deployment": ("deployments",),
    "deployment_protection_rule": ("deployments",),
    "deployment_review": ("deployments",),
    "deployment_status": ("deployments",),
    "discussion": ("discussions",),
    "discussion_comment": ("discussions",),
    "fork": ("contents",),
    "gollum": ("contents",),
    "issue_comment": ("issues",),  # also for comments on pull requests
    "issue_dependencies": ("issues",),
    "issues": ("issues",),
    "label": ("metadata",),
    "member": ("members",),
    "membership": ("members",),
    "merge_group": ("merge_queues",),
    "milestone": ("issues", "pull_requests"),
    "organization": ("members",),
    "page_build": ("pages",),
    "projects_v2": ("organization_projects",),
    "projects_v2_item": ("organization_projects",),
    "public": ("metadata",),
    "pull_request": ("pull_requests",),
    "pull_request_review": ("pull_requests",),
    "pull_request_review_comment": ("pull_requests",),
    "pull_request_review_thread": ("pull_requests",),
    "push": ("contents",),
    "registry_package": ("packages",),
    "release": ("contents",),
    "repository": ("metadata",),
    "repository_dispatch": ("contents",),
    "secret_scanning_alert": ("secret_scanning_alerts",),
    "secret_scanning_alert_location": ("secret_scanning_alerts",),
    "security_and_analysis": ("administration",),
    "star": ("metadata",),
    "status": ("statuses",),
    "sub_issues": ("issues",),
    "team": ("members",),
    "team_add": ("members",),
    "watch": ("metadata",),
    "workflow_dispatch": ("contents",),
    "workflow_job": ("actions",),
    "workflow_run": ("actions",),
}

# Actions delivered only with write access, from the same page: check_run "To receive the
# rerequested and requested_action event types, the app must have at least write-level access
# for the "Checks" permission"; check_suite likewise for requested and rerequested. The bot
# subscribes to these for the Re-run buttons, so write is required.
WRITE_FOR_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "check_run": ("checks", ("rerequested", "requested_action")),
    "check_suite": ("checks", ("requested", "rerequested")),
}

# Events a manifest must not list, from the same page: "All GitHub Apps receive this event by
# default. You cannot manually subscribe to this event" (installation, installation_repositories);
# "A GitHub App receives this webhook by default and cannot unsubscribe" (github_app_
# authorization); ping answers the creation of a webhook; the rest are not available to Apps'
# webhooks at all (Availability without `app`: marketplace, sponsors listing, repository or
# organization webhooks only), or need a permission no App can request (meta: "Meta" app
# permission, absent from `app-permissions`).
NOT_SUBSCRIBABLE = frozenset(
    {
        "installation",
        "installation_repositories",
        "installation_target",
        "github_app_authorization",
        "ping",
        "meta",
        "marketplace_purchase",
        "sponsorship",
        "package",
        "repository_import",
        "repository_vulnerability_alert",
    }
)

# How the description names each default analyzer (analyzers.default_analyzers()).
ANALYZER_WORDS = {"actions": "GitHub Actions"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def app_permissions_schema() -> dict:
    spec = json.loads(OPENAPI.read_text(encoding="utf-8"))
    schema = dict(spec["components"]["schemas"]["app-permissions"])
    # The manifest may ask only for what GitHub knows: no other key, each at read or write.
    schema["additionalProperties"] = False
    return schema


def test_manifest_is_json_as_the_registration_flow_posts_it(manifest: dict) -> None:
    # The README's registration step posts json.dumps(yaml.safe_load(app.yml)): no YAML-only
    # types (dates, sets) may survive into it.
    assert json.loads(json.dumps(manifest)) == manifest
    assert manifest["url"].startswith("https://")
    assert manifest["hook_attributes"]["url"].startswith("https://")
    assert manifest["hook_attributes"]["url"].endswith("/webhook")  # what `serve` answers
    assert manifest["hook_attributes"].get("active", True) is True


def test_every_default_event_is_granted_by_a_requested_permission(manifest: dict) -> None:
    permissions = manifest["default_permissions"]
    refused = []
    for event in manifest["default_events"]:
        assert event in EVENT_PERMISSIONS, (
            f"{event}: add its permission to EVENT_PERMISSIONS from GitHub's webhook events page"
        )
        if not any(permissions.get(name) in ("read", "write") for name in EVENT_PERMISSIONS[event]):
            refused.append(event)
    # GitHub's own wording, so a failure reads like the refusal it predicts.
    assert not refused, f"Default events are not supported by permissions: {', '.join(refused)}"


def test_rerun_events_come_with_write_access(manifest: dict) -> None:
    for event, (permission, actions) in WRITE_FOR_ACTIONS.items():
        if event in manifest["default_events"]:
            assert manifest["default_permissions"].get(permission) == "write", (
                f"{event} {'/'.join(actions)} are delivered only with {permission}: write"
            )


def test_rerun_buttons_are_subscribed(manifest: dict) -> None:
    assert {"check_run", "check_suite"} <= set(manifest["default_events"])


def test_no_unsubscribable_event_is_listed(manifest: dict) -> None:
    events = manifest["default_events"]
    assert len(events) == len(set(events)), "an event is listed twice"
    assert not NOT_SUBSCRIBABLE & set(events)


def test_permissions_are_names_and_levels_github_knows(manifest: dict, app_permissions_schema: dict) -> None:
    jsonschema.validate(manifest["default_permissions"], app_permissions_schema)


def test_least_privilege(manifest: dict) -> None:
    # Everything the bot writes goes through pull requests and checks; Issues only at read,
    # for issue_comment deliveries (slash-commands in a PR's conversation).
    assert manifest["default_permissions"] == {
        "pull_requests": "write",
        "issues": "read",
        "checks": "write",
        "contents": "read",
        "metadata": "read",
    }


def test_description_names_every_default_analyzer(manifest: dict) -> None:
    description = manifest["description"]
    assert "ruff and bandit" not in description
    missing = [
        a.name
        for a in default_analyzers()
        if ANALYZER_WORDS.get(a.name, a.name).lower() not in description.lower()
    ]
    assert not missing, f"app.yml's description does not name: {missing}"


def test_the_table_matches_the_docs_for_the_bots_events() -> None:
    # A guard on the data itself for the events this App lists: GitHub's page names
    # "Pull requests" for these three and "Issues" for issue_comment (the cause of the refusal
    # this test exists for).
    assert EVENT_PERMISSIONS["issue_comment"] == ("issues",)
    for event in ("pull_request", "pull_request_review", "pull_request_review_comment"):
        assert EVENT_PERMISSIONS[event] == ("pull_requests",)
    assert not NOT_SUBSCRIBABLE & set(EVENT_PERMISSIONS)
