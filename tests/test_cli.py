"""The review-bot command on a real demo repository: formats, exit codes, bad usage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from bot.demo import EXPECTED_FINDINGS, DemoError, create_demo

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
EXPECTED = EXPECTED_FINDINGS


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return create_demo(tmp_path_factory.mktemp("demo") / "repo")


def review(capsys, *args: str) -> tuple[int, str]:
    code = main(["review", *args])
    return code, capsys.readouterr().out


def test_json_lists_the_findings_on_changed_lines_only(demo, capsys):
    code, out = review(capsys, str(demo), "--base", "main", "--format", "json")
    data = json.loads(out)
    found = {(f["path"], f["line"], f["rule_id"]) for f in data["findings"]}
    assert found == EXPECTED
    # line 3 of files.py ("import os") and list_files() were in the base: never flagged
    assert all(f["line"] not in (1, 3, 8, 9) or f["path"] != "app/files.py" for f in data["findings"])
    assert all(f["fingerprint"] for f in data["findings"])
    assert code == 1


def test_sarif_validates_against_the_oasis_schema(demo, capsys):
    code, out = review(capsys, str(demo), "--base", "main", "--format", "sarif", "--fail-on", "never")
    sarif = json.loads(out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    rules = {r["ruleId"] for run in sarif["runs"] for r in run["results"]}
    assert {"F401", "py-subprocess-shell-true"} <= rules
    assert code == 0


def test_text_groups_by_file_and_shows_the_source_line(demo, capsys):
    code, out = review(capsys, str(demo), "--base", "main", "--fail-on", "warning")
    assert code == 1
    assert "app/auth.py\n" in out and "app/files.py\n" in out
    assert 'subprocess.call("tar czf " + name + " " + folder, shell=True)' in out
    assert "\033[" not in out  # not a terminal: no colour


def test_markdown(demo, capsys):
    _, out = review(capsys, str(demo), "--base", "main", "--format", "markdown")
    assert out.startswith("## Review bot:")
    assert "`app/files.py`" in out


def test_nothing_to_review_exits_zero(demo, capsys):
    code, out = review(capsys, str(demo), "--base", "feature", "--format", "json")
    assert code == 0
    assert json.loads(out)["findings"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["--base", "no-such-branch"],
        ["--base=--upload-pack=evil"],
        ["--head=-x", "--base", "main"],
    ],
)
def test_bad_revisions_exit_2(demo, capsys, args):
    code = main(["review", str(demo), *args])
    assert code == 2
    assert "review-bot:" in capsys.readouterr().err


def test_not_a_repository_exits_2(tmp_path, capsys):
    assert main(["review", str(tmp_path), "--base", "main"]) == 2
    assert "not a git repository" in capsys.readouterr().err


def test_bad_usage_exits_2():
    with pytest.raises(SystemExit) as exc:
        main(["review", "--format", "xml"])
    assert exc.value.code == 2


def test_python_dash_m_bot_works(demo):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "review",
            str(demo),
            "--base",
            "main",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["findings"]


def test_demo_refuses_a_foreign_directory_and_remakes_its_own(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    with pytest.raises(DemoError):
        create_demo(foreign)
    assert (foreign / "keep.txt").read_text() == "mine"
    again = create_demo(create_demo(tmp_path / "demo"))
    assert (again / "app" / "auth.py").exists()


def test_serve_without_configuration_exits_2(monkeypatch, capsys):
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve"]) == 2
    assert "GITHUB_APP_ID" in capsys.readouterr().err


def test_serve_with_a_bad_key_exits_2_without_quoting_it(monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "s")
    monkeypatch.setenv(
        "GITHUB_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----\nsecretgarbage\n-----END RSA PRIVATE KEY-----"
    )
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "private key" in err and "secretgarbage" not in err


def test_config_file_turns_an_analyzer_off(demo, tmp_path, capsys):
    config = tmp_path / "review-bot.yml"
    config.write_text("analyzers: {bandit: false}\n")
    _, out = review(capsys, str(demo), "--base", "main", "--format", "json", "--config", str(config))
    tools = {f["tool"] for f in json.loads(out)["findings"]}
    assert "ruff" in tools and "bandit" not in tools


def test_invalid_config_file_exits_2_naming_file_and_key(demo, tmp_path, capsys):
    config = tmp_path / "review-bot.yml"
    config.write_text("analyzers: {pylint: true}\n")
    assert main(["review", str(demo), "--base", "main", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "analyzers.pylint" in err


def test_repository_config_is_read_from_the_base_revision(tmp_path, capsys):
    repo = create_demo(tmp_path / "demo")
    run = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    (repo / ".github").mkdir()
    (repo / ".github" / "review-bot.yml").write_text("ignore_rules: [F821, E722]\n")
    subprocess.run([*run, "add", "-A"], check=True, timeout=30)
    subprocess.run([*run, "commit", "-qm", "config on the feature branch only"], check=True, timeout=30)
    _, out = review(capsys, str(repo), "--base", "main", "--format", "json")
    assert {"F821", "E722"} <= {f["rule_id"] for f in json.loads(out)["findings"]}  # not on main: not used

    subprocess.run([*run, "checkout", "-q", "main"], check=True, timeout=30)
    subprocess.run(
        [*run, "checkout", "-q", "feature", "--", ".github/review-bot.yml"], check=True, timeout=30
    )
    subprocess.run([*run, "commit", "-qm", "config on main"], check=True, timeout=30)
    _, out = review(capsys, str(repo), "--base", "main", "--head", "feature", "--format", "json")
    assert not {"F821", "E722"} & {f["rule_id"] for f in json.loads(out)["findings"]}
