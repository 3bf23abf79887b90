"""Per-repository configuration: parsed strictly, read from the base branch only, errors reported once."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, ReviewSettings
from bot.demo import BASE_FILES, HEAD_FILES
from bot.pipeline.repo_config import parse_repo_config
from tests.e2e import (
    World,
    make_world,
)
from tests.ghdouble import commit, make_repo


def test_valid_config_overrides_the_defaults():
    settings = parse_repo_config(
        """
analyzers: {bandit: false, ruff: true}
filter_mode: diff_context
fail_on: warning
comment_on: warning
include: ["app/**"]
exclude: "app/legacy/**"
ignore_rules: [E722, "bandit:B101"]
max_inline_comments: 10
semgrep_rules: [.github/semgrep/extra.yml]
skip_generated: false
""",
        ReviewSettings(),
    )
    assert settings.disabled_analyzers == ("bandit",)
    assert settings.filter_mode == "diff_context" and settings.fail_on == "warning"
    assert settings.exclude == ("app/legacy/**",) and settings.ignore_rules == ("E722", "bandit:B101")
    assert settings.max_inline_comments == 10 and not settings.skip_generated


def test_empty_config_is_the_defaults():
    assert parse_repo_config("", ReviewSettings()) == ReviewSettings()
    assert parse_repo_config("# nothing\n", ReviewSettings()) == ReviewSettings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("analyzers: {pylint: false}", "analyzers.pylint: unknown analyzer"),
        ("analyzers: {ruff: maybe}", "analyzers.ruff must be true or false"),
        ("filter_mode: everywhere", "filter_mode must be one of"),
        ("fail_on: [error]", "fail_on must be str"),
        ("max_inline_comments: 0", "max_inline_comments must be at least 1"),
        ("ignore_rules: [1, 2]", "ignore_rules must be a list of strings"),
        ("semgrep_rules: [../../etc/passwd]", "must be a path inside the repository"),
        ("colour: blue", "unknown key 'colour'"),
        ("- just\n- a list", "top level must be a mapping"),
        ("filter_mode: [unclosed", "not valid YAML"),
    ],
)
def test_invalid_config_names_the_file_and_key(text, message):
    with pytest.raises(ConfigError, match=message) as exc:
        parse_repo_config(text, ReviewSettings())
    assert str(exc.value).startswith(".github/review-bot.yml")


def rules_of(world: World) -> set[str]:
    return {c["body"].split("`")[1] for r in world.reviews() for c in r["comments"]}


async def test_config_comes_from_the_base_branch_not_the_pr(aiohttp_client, github_double, tmp_path):
    base_config = "analyzers: {bandit: false, secrets: false, semgrep: false}\nignore_rules: [F821]\n"
    path = make_repo(tmp_path / "hello", {**BASE_FILES, ".github/review-bot.yml": base_config})
    disable_everything = "analyzers: {ruff: false, bandit: false, secrets: false, semgrep: false}\n"
    commit(path, {**HEAD_FILES, ".github/review-bot.yml": disable_everything}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert rules_of(world) == {"F401", "E722"}  # ruff still runs (base config), bandit off, F821 ignored
    contents = [p for m, p, _ in github_double.requests if "/contents/" in p]
    assert contents and all(".github/review-bot.yml" in p for p in contents)


async def test_invalid_config_gives_one_comment_and_a_review_with_defaults(
    aiohttp_client, github_double, tmp_path
):
    path = make_repo(
        tmp_path / "hello", {**BASE_FILES, ".github/review-bot.yml": "analyzers: {pylint: true}\n"}
    )
    commit(path, HEAD_FILES, branch="feature")
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert "py-subprocess-shell-true" in rules_of(world) and "F401" in rules_of(world)
    commit(path, {"app/more.py": "import os\n"}, branch="feature")
    github_double.update_pull("Codertocat", "Hello-World", 2)
    assert await world.deliver("pull_request", world.payload("synchronize")) == 202
    await world.settle()
    config_comments = [
        c for c in github_double.issue_comments[world.key] if "review-bot:config-error" in c["body"]
    ]
    assert len(config_comments) == 1
    assert "analyzers.pylint: unknown analyzer" in config_comments[0]["body"]


async def test_comment_on_threshold_keeps_notes_out_of_inline_comments(
    aiohttp_client, github_double, tmp_path
):
    path = make_repo(tmp_path / "hello", {**BASE_FILES, ".github/review-bot.yml": "comment_on: warning\n"})
    commit(path, {**HEAD_FILES, "app/check.py": "def check(x):\n    assert x\n"}, branch="feature")
    world = await make_world(aiohttp_client, github_double, path)
    await world.deliver("pull_request", world.payload("opened"))
    await world.settle()
    assert "B101" not in rules_of(world)  # a note
    assert {"py-subprocess-shell-true", "F821"} <= rules_of(world)
    [run] = world.check_runs()
    assert "B101" in {a["title"].split()[-1] for a in run["annotations"]}  # the check run lists everything


OWN_RULES = """rules:
  - id: acme-no-print-secrets
    languages: [python]
    severity: WARNING
    message: Do not print the API key; our logs are shipped to a third party. Log a masked value.
    pattern: print(..., api_key, ...)
"""


async def test_extra_semgrep_rules_come_from_the_base_branch(aiohttp_client, github_double, tmp_path):
    config = "semgrep_rules: [.github/semgrep/acme.yml]\n"
    path = make_repo(
        tmp_path / "hello",
        {"app.py": "x = 1\n", ".github/review-bot.yml": config, ".github/semgrep/acme.yml": OWN_RULES},
    )
    commit(
        path,
        {
            "app.py": "x = 1\n\n\ndef show(api_key):\n    print('key', api_key)\n",
            ".github/semgrep/acme.yml": "rules: []\n",
        },
        branch="feature",
    )
    world = await make_world(aiohttp_client, github_double, path)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    assert "acme-no-print-secrets" in rules_of(world)  # the base branch's rule, not the PR's empty file


async def test_suggestions_only_rewrite_lines_the_pr_changed(aiohttp_client, github_double, tmp_path):
    # In diff_context mode a finding on an unchanged context line is kept, but not its fix.
    path = make_repo(
        tmp_path / "hello",
        {
            "app.py": "import yaml\n\n\ndef load(s):\n    return yaml.load(s)\n",
            ".github/review-bot.yml": "filter_mode: diff_context\n",
        },
    )
    commit(
        path,
        {"app.py": "import yaml\n\n\ndef load(s):\n    return yaml.load(s)\n\n\nX = 1\n"},
        branch="feature",
    )
    world = await make_world(aiohttp_client, github_double, path)
    await world.deliver("pull_request", world.payload("opened"))
    await world.settle()
    comments = [c for r in world.reviews() for c in r["comments"] if c["line"] == 5]
    assert comments and all("```suggestion" not in c["body"] for c in comments)
