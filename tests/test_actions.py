"""ActionsAnalyzer: each rule on a workflow that must trigger it and a near miss that must not."""

from __future__ import annotations

from pathlib import Path

from analyzers.actions import ActionsAnalyzer, check_document, is_pinned
from tests.files import write_file

SHA = "0123456789abcdef0123456789abcdef01234567"


def _rules(source: str, **options: bool) -> list[tuple[str, int]]:
    return [(f.rule_id, f.line) for f in check_document(".github/workflows/ci.yml", source, **options)]


INJECTION = """\
on: issues
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - name: echo
        run: |
          echo "checking"
          echo "${{ github.event.issue.title }}"
          echo done
      - run: echo ${{ github.head_ref }}
"""


def test_script_injection_is_reported_on_the_exact_line() -> None:
    findings = check_document(".github/workflows/ci.yml", INJECTION)
    assert [(f.rule_id, f.line, f.severity, f.cwe) for f in findings] == [
        ("actions-script-injection", 9, "error", "CWE-78"),
        ("actions-script-injection", 11, "error", "CWE-78"),
    ]
    first = findings[0]
    assert first.column == 17  # where `${{` starts on line 9
    assert "github.event.issue.title" in first.message and "env:" in first.message
    assert first.suggestion is None  # no safe mechanical fix: it takes an env: block too


def test_script_injection_near_misses() -> None:
    safe = (
        """\
on: pull_request
jobs:
  a:
    if: contains(github.event.pull_request.title, 'wip')
    runs-on: ubuntu-latest
    steps:
      - env:
          TITLE: ${{ github.event.pull_request.title }}
        run: |
          echo "$TITLE" "${{ github.event.pull_request.number }}"
          git checkout ${{ github.event.pull_request.head.sha }}
      - uses: some/action@"""
        + SHA
        + """
        with:
          text: ${{ github.event.pull_request.body }}
"""
    )
    assert _rules(safe) == []


def test_github_script_injection_is_code_injection() -> None:
    source = f"""\
on: issue_comment
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/github-script@{SHA}
        with:
          script: |
            const body = "${{{{ github.event.comment.body }}}}"
"""
    [finding] = check_document("w.yml", source)
    assert (finding.rule_id, finding.line, finding.cwe) == ("actions-script-injection", 9, "CWE-94")


def test_composite_action_is_checked() -> None:
    source = """\
name: x
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "${{ github.event.pull_request.head.ref }}"
"""
    assert _rules(source) == [("actions-script-injection", 6)]


def test_unpinned_third_party_action() -> None:
    source = f"""\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: tj-actions/changed-files@v45
      - uses: some/action@main
      - uses: some/action/sub@{SHA}
      - uses: ./local-action
      - uses: docker://alpine@sha256:{"a" * 64}
      - uses: docker://alpine:3
  b:
    uses: org/workflows/.github/workflows/build.yml@v1
"""
    findings = check_document("ci.yml", source)
    assert [(f.rule_id, f.line) for f in findings] == [
        ("actions-unpinned-action", 7),
        ("actions-unpinned-action", 8),
        ("actions-unpinned-action", 12),
        ("actions-unpinned-action", 14),
    ]
    assert all(f.severity == "warning" and f.cwe == "CWE-829" for f in findings)
    assert "tj-actions/changed-files@<sha> # v45" in findings[0].message


def test_first_party_actions_can_be_required_pinned() -> None:
    assert is_pinned("actions/checkout@v4", pin_first_party=False)
    assert not is_pinned("actions/checkout@v4", pin_first_party=True)
    assert is_pinned(f"actions/checkout@{SHA}", pin_first_party=True)
    assert not is_pinned("actions/checkout", pin_first_party=False)  # no ref at all


PR_TARGET = """\
on:
  pull_request_target:
    types: [opened]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm install && npm test
"""


def test_pull_request_target_checkout_of_the_head() -> None:
    findings = check_document("ci.yml", PR_TARGET)
    [finding] = [f for f in findings if f.rule_id == "actions-pull-request-target-checkout"]
    assert (finding.line, finding.severity, finding.cwe) == (10, "error", "CWE-829")
    assert "pull_request_target" in finding.message


def test_pull_request_target_checkout_near_misses() -> None:
    base_only = PR_TARGET.replace(
        "        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n", ""
    )
    assert _rules(base_only) == []
    plain_pr = PR_TARGET.replace("pull_request_target", "pull_request")
    assert _rules(plain_pr) == []  # no secrets, read-only token: checking out the head is normal
    as_list = "on: [push, pull_request_target]\n" + PR_TARGET.split("\n", 3)[3]
    assert _rules(as_list) == [("actions-pull-request-target-checkout", 8)]


def test_write_all_permissions() -> None:
    source = """\
on: push
permissions: write-all
jobs:
  a:
    permissions: write-all
    runs-on: ubuntu-latest
    steps: []
  b:
    permissions:
      contents: write
    runs-on: ubuntu-latest
    steps: []
"""
    findings = check_document("ci.yml", source)
    assert [(f.rule_id, f.line, f.cwe) for f in findings] == [
        ("actions-write-all-permissions", 2, "CWE-250"),
        ("actions-write-all-permissions", 5, "CWE-250"),
    ]
    assert _rules("on: push\npermissions: read-all\njobs: {}\n") == []


def test_handles_workflows_and_actions_only() -> None:
    analyzer = ActionsAnalyzer()
    assert analyzer.handles(".github/workflows/ci.yml")
    assert analyzer.handles(".github/workflows/release.yaml")
    assert analyzer.handles("actions/setup/action.yml")
    assert not analyzer.handles(".github/dependabot.yml")
    assert not analyzer.handles("config/workflows.yml")


async def test_run_maps_paths_and_reports_unparsable_files(tmp_path: Path) -> None:
    good = write_file(tmp_path, ".github/workflows/-greet.yml", INJECTION)
    bad = write_file(tmp_path, ".github/workflows/bad.yml", "on: [push\njobs:\n")
    result = await ActionsAnalyzer().run(tmp_path, [good, bad, "deleted.yml"], timeout=30)
    assert result.error is None
    assert result.version
    assert {f.path for f in result.findings} == {good}
    assert result.notices == [
        f"actions could not read {bad}: invalid YAML at line 2, column 5: expected ',' or ']', but got ':'"
    ]
