"""Quiet by default, precise by choice: per-path rules, notes off the inline comments, the
allow-list of known false positives, and an inline budget that keeps the most severe."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import pytest

from analyzers import Finding
from bot.config import DEFAULT_PATH_RULES, ConfigError, PathRules, ReviewSettings, Settings
from bot.pipeline.allowlist import documentation_value, password_guess_allowed
from bot.pipeline.local import review_local
from bot.pipeline.policy import is_ignored, kept_by_policy, select_inline
from bot.pipeline.repo_config import parse_repo_config
from tests.e2e import make_world
from tests.ghdouble import commit, make_repo


def finding(
    rule: str,
    path: str = "app/main.py",
    *,
    tool: str = "bandit",
    severity: str = "warning",
    line: int = 1,
    sources: tuple[str, ...] = (),
) -> Finding:
    return Finding(tool=tool, rule_id=rule, severity=severity, path=path, line=line, end_line=line,  # type: ignore[arg-type]
                   message=rule, fingerprint=f"{tool}{rule}{path}{line}", sources=sources)  # fmt: skip


# --- per-path rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["tests/test_api.py", "src/pkg/tests/helpers.py", "test/unit.py", "testing/test_hooks.py",
     "conftest.py", "pkg/test_models.py", "pkg/models_test.py"],
)  # fmt: skip
def test_asserts_and_fixture_passwords_in_tests_are_quiet_by_default(path):
    settings = ReviewSettings()
    for rule in ("B101", "B105", "B106", "B108", "B701"):
        assert is_ignored(finding(rule, path), settings), (rule, path)
    assert is_ignored(finding("secret-keyword", path, tool="detect-secrets"), settings)


def test_the_same_rules_stay_on_outside_tests_and_real_problems_stay_on_in_tests():
    settings = ReviewSettings()
    for path in ("app/main.py", "src/testsuite_runner.py", "latest/x.py"):
        assert not is_ignored(finding("B105", path), settings)
        assert not is_ignored(finding("B701", path), settings)
    for rule in ("B602", "B307", "B608"):  # shell=True, eval, SQL built from strings
        assert not is_ignored(finding(rule, "tests/test_api.py"), settings)
    # A provider's key in a test is still a leaked key: only the scanner's guesses are quiet.
    assert not is_ignored(finding("aws-access-key", "tests/x.py", tool="detect-secrets"), settings)


def test_subprocess_without_a_shell_is_not_in_the_default_set():
    settings = ReviewSettings()
    for rule in ("B404", "B603", "B607"):
        assert is_ignored(finding(rule, "app/run.py"), settings)
    assert not is_ignored(finding("B602", "app/run.py"), settings)
    assert not is_ignored(finding("B605", "app/run.py"), settings)


def test_a_repository_adds_path_rules_and_keeps_the_defaults():
    text = 'paths:\n  "docs/**": {ignore_rules: [E402, "ruff:F401"]}\n'
    settings = parse_repo_config(text, ReviewSettings())
    assert ("docs/**", ("E402", "ruff:F401")) in settings.paths.entries
    assert is_ignored(finding("F401", "docs/conf.py", tool="ruff"), settings)
    assert not is_ignored(finding("F401", "app/conf.py", tool="ruff"), settings)
    assert is_ignored(finding("B101", "tests/test_x.py"), settings)  # the built-in entries remain
    # gitignore-style: a glob with a slash is anchored at the repository's root
    assert not is_ignored(finding("F401", "app/docs/conf.py", tool="ruff"), settings)


def test_a_repository_overrides_a_default_entry_by_naming_its_glob():
    text = 'paths:\n  "tests/": {ignore_rules: []}\n  "*.py": {ignore_rules: [B404]}\n'
    settings = parse_repo_config(text, ReviewSettings())
    assert not is_ignored(finding("B101", "tests/helpers.py"), settings)  # switched back on
    # Each glob is its own entry: a file another default glob matches keeps that entry's rules.
    assert is_ignored(finding("B101", "tests/test_x.py"), settings)
    assert is_ignored(finding("B101", "pkg/test_x.py"), settings)
    assert not is_ignored(finding("B603", "app/run.py"), settings)
    assert is_ignored(finding("B404", "app/run.py"), settings)


def test_the_service_config_adds_path_rules_too(tmp_path: Path):
    config = tmp_path / "service.yaml"
    config.write_text('review:\n  paths:\n    "migrations/": {ignore_rules: [E501]}\n  comment_on: note\n')
    review = Settings().with_yaml(config).review
    assert review.comment_on == "note"
    assert review.paths == DEFAULT_PATH_RULES.merged(PathRules((("migrations/", ("E501",)),)))


def test_path_rules_read_as_one_line_per_rule_list():
    shown = str(ReviewSettings().paths)
    assert "*.py: ignore bandit:B404, bandit:B603, bandit:B607" in shown
    assert "tests/, test/" in shown and shown.count("bandit:B101") == 1
    assert str(PathRules()) == "(none)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("paths: [tests/]", "paths must map globs to settings"),
        ("paths: {tests/: [B101]}", "must be a mapping"),
        ("paths: {tests/: {ignore: [B101]}}", "unknown key 'ignore' (known: ignore_rules)"),
        ("paths: {tests/: {ignore_rules: {B101: true}}}", "ignore_rules must be a list of strings"),
        ("paths: {tests/: {ignore_rules: [1]}}", "ignore_rules must be a list of strings"),
        ("paths: {42: {ignore_rules: [B101]}}", "is not a glob"),
        ("paths: {'': {ignore_rules: [B101]}}", "is not a glob"),
        ("paths: {'" + "a" * 300 + "': {ignore_rules: [B101]}}", "is not a glob"),
        ("paths: {" + ", ".join(f"d{i}/: {{}}" for i in range(101)) + "}", "at most 100 globs"),
    ],
)
def test_an_invalid_paths_setting_names_the_file_and_key(text, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as exc:
        parse_repo_config(text, ReviewSettings())
    assert str(exc.value).startswith(".github/review-bot.yml: paths")


# --- inline selection ---------------------------------------------------------------------------


def test_notes_are_not_inline_by_default_but_listed():
    findings = [finding("B101", severity="note"), finding("B307", severity="warning", line=2)]
    selection = select_inline(findings, ReviewSettings())
    assert [f.rule_id for f in selection.inline] == ["B307"]
    assert [f.rule_id for f in selection.below] == ["B101"]
    assert [f.rule_id for f in select_inline(findings, ReviewSettings(comment_on="note")).inline] == [
        "B307",
        "B101",
    ]


def test_the_inline_budget_keeps_the_most_severe_then_the_surest():
    findings = [
        finding("W1", "a.py", severity="warning", line=1),
        finding("W2", "a.py", severity="warning", line=2, sources=("semgrep x", "bandit W2")),
        finding("E1", "z.py", severity="error", line=9),
        finding("N1", "a.py", severity="note", line=3),
        finding("W3", "b.py", severity="warning", line=1),
    ]
    selection = select_inline(findings, ReviewSettings(max_inline_comments=2, comment_on="note"))
    assert [f.rule_id for f in selection.inline] == ["E1", "W2"]  # error, then two tools agreeing
    assert [f.rule_id for f in selection.overflow] == ["W1", "W3", "N1"]
    assert [f.rule_id for f in selection.new] == ["E1", "W2", "W1", "W3", "N1"]


def test_what_was_said_before_is_not_selected_again():
    first, second = finding("E1", severity="error"), finding("E2", severity="error", line=2)
    selection = select_inline([first, second, second], ReviewSettings(), said={first.fingerprint})
    assert selection.inline == [second] and selection.overflow == [] and selection.below == []


# --- the allow-list ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ('    "secret_scanning_alert": "https://docs.github.com/en/webhooks#secret_scanning_alert",', True),
        ('    "password": "https://docs.example.org/passwords",', True),
        ('password_reset_url = "https://accounts.example.test/reset"', True),
        ("  token: https://docs.example.test/tokens", True),
        ('secret = "Set it in the settings page; see the documentation"', True),
        ('PASSWORD = "Zq8vLx2mTr9wKp4sYh3N"', False),
        ('db = "postgres://admin:Zq8vLx2mTr9wKp4@db.internal:5432/app"', False),
        ('api = "https://api.example.test/v1?api_key=Zq8vLx2mTr9wKp4sYh3N"', False),
        ('{"url": "https://example.test/a", "password": "Zq8vLx2mTr9wKp4"}', False),
        ('"password": secret_from_env,', False),
        ("  api_key: AKfxZq8vLx2mTr9wKp4sYh3N", False),
    ],
)
def test_links_and_sentences_are_not_credentials(line, allowed):
    assert documentation_value(line) is allowed


@pytest.mark.parametrize(
    ("line", "allowed"),
    [
        ('        elif token == "with":', True),
        ('    elif token == "(" and tokens and tokens[-1] not in {"or", "and"}:', True),
        ('    if "bearer" != token_type:', True),
        ('    if password == "letmein":', False),  # a password compared with a literal: a backdoor
        ('    if token == "s3cr3t-admin-token":', False),
        ('PASSWORD = "hunter2"', False),
    ],
)
def test_a_parser_comparing_its_token_is_not_a_password(line, allowed):
    assert password_guess_allowed(line) is allowed


def test_the_allow_list_is_by_rule_not_by_file():
    lines = {
        "app/docs.py": [
            'LINKS = {"password": "https://docs.example.test/passwords"}',
            'PASSWORD = "Zq8vLx2mTr9wKp4sYh3N"',
            'GUIDE = "https://docs.example.test/guide"',
        ]
    }
    findings = [
        finding("secret-keyword", "app/docs.py", tool="detect-secrets", line=1),
        finding("secret-keyword", "app/docs.py", tool="detect-secrets", line=2),
        finding("B105", "app/docs.py", line=2),
        finding("E501", "app/docs.py", tool="ruff", line=3),  # no allow-list: kept, line unread
    ]
    kept = kept_by_policy(findings, ReviewSettings(), lambda path: lines[path])
    assert [(f.tool, f.rule_id, f.line) for f in kept] == [
        ("detect-secrets", "secret-keyword", 2),
        ("bandit", "B105", 2),
        ("ruff", "E501", 3),
    ]


def test_an_unreadable_file_keeps_its_findings():
    def unreadable(path: str) -> list[str]:
        raise OSError("gone")

    found = [finding("B105", "app/x.py")]
    assert kept_by_policy(found, ReviewSettings(), unreadable) == found


# --- the real analyzers, through the bot's own review path ---------------------------------------

BASE = {"app/__init__.py": "", "tests/__init__.py": ""}
HEAD = {
    "app/run.py": '''"""Runs git."""

import subprocess

LINKS = {"password": "https://docs.example.test/passwords"}


def status(path):
    assert path
    return subprocess.run(["git", "status", "--short", "--", path], check=True)


def evaluate(text):
    return eval(text)


def is_keyword(token):
    return token == "with"
''',
    "tests/test_run.py": """import pickle

PASSWORD = "fixture-password-for-tests"


def test_status():
    assert pickle.loads(pickle.dumps(1)) == 1
    assert PASSWORD
""",
}


def git_repo(path: Path) -> Path:
    make_repo(path, BASE)
    commit(path, HEAD, branch="feature")
    return path


def test_a_review_with_the_defaults_keeps_what_matters(tmp_path: Path):
    outcome = asyncio.run(review_local(git_repo(tmp_path / "repo"), base="main", head="feature"))
    rules = sorted((f.path, f.rule_id) for f in outcome.findings)
    assert ("app/run.py", "B307") in rules  # eval stays, and stays inline
    assert ("app/run.py", "B101") in rules  # an assert in the product: a note, in the check run
    assert [r for r in rules if r[0].startswith("tests/")] == []
    assert not {"B404", "B603", "B607", "B105", "secret-keyword"} & {rule for _, rule in rules}
    selection = select_inline(outcome.findings, ReviewSettings())
    assert [f.rule_id for f in selection.inline] == ["B307"]


def test_a_repository_can_turn_the_test_defaults_off(tmp_path: Path):
    repo = git_repo(tmp_path / "repo")
    config = tmp_path / "review-bot.yml"
    # tests/test_run.py: both built-in globs that match it are overridden
    config.write_text('paths:\n  "tests/": {ignore_rules: []}\n  "test_*.py": {ignore_rules: []}\n')
    outcome = asyncio.run(review_local(repo, base="main", head="feature", config=config))
    in_tests = [f for f in outcome.findings if f.path.startswith("tests/")]
    assert {"B101", "B301"} <= {f.rule_id for f in in_tests}
    assert any(f.line == 3 for f in in_tests)  # the fixture password (bandit and the secret scanner)


def test_ignored_findings_do_not_count_against_the_caps(tmp_path: Path):
    # 250 asserts in one test file: bandit's B101s, all ignored there, must neither hit the
    # per-file cap nor make the review incomplete (a failing check for a clean change).
    body = "def test_many():\n" + "".join(f"    assert {i} == {i}\n" for i in range(250))
    repo = make_repo(tmp_path / "repo", BASE)
    commit(repo, {"tests/test_many.py": body, "app/run.py": "def run(text):\n    return eval(text)\n"})
    outcome = asyncio.run(review_local(repo, base="main", head="feature"))
    assert outcome.incomplete == [] and outcome.errors == []
    assert [(f.path, f.rule_id) for f in outcome.findings] == [("app/run.py", "B307")]


async def test_the_app_posts_no_note_inline_and_lists_it_in_the_summary(
    aiohttp_client, github_double, tmp_path
):
    world = await make_world(
        aiohttp_client, github_double, git_repo(tmp_path / "repo"), max_inline_comments=5
    )
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    [review] = world.reviews()
    assert ["B307" in c["body"] for c in review["comments"]] == [True]
    [summary] = world.summaries()
    listed = summary["body"].split("### Findings not posted inline", 1)[1]
    assert "B101" in listed and "tests/" not in listed
    [run] = world.check_runs()
    titles = {a["title"] for a in run["annotations"]}
    assert any("B101" in t for t in titles) and any("B307" in t for t in titles)


def test_replace_keeps_settings_comparable():
    # ReviewSettings stays a frozen, comparable value with the new field (the /config table
    # compares the effective value with the defaults).
    assert replace(ReviewSettings(), comment_on="note") != ReviewSettings()
    assert ReviewSettings() == ReviewSettings()
