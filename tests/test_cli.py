"""The review-bot command on a real demo repository: formats, exit codes, bad usage."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main
from bot.demo import EXPECTED_FINDINGS, DemoError, create_demo

SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
EXPECTED = EXPECTED_FINDINGS
LOCATION = re.compile(r"^([^:\s][^:]*):(\d+):(\d+): (error|warning|note) (\S+) ")


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


def test_text_lines_are_path_line_col_severity_rule_message(demo, capsys):
    code, out = review(capsys, str(demo), "--base", "main", "--fail-on", "warning")
    assert code == 1
    lines = out.splitlines()
    shell = next(line for line in lines if "py-subprocess-shell-true" in line)
    assert shell.startswith("app/files.py:14:5: error py-subprocess-shell-true subprocess.call(")
    assert "app/files.py:5:8: warning F401 `sys` imported but unused  [ruff]" in lines
    # Every finding's first line is in the form editors jump to; the source line follows it.
    located = {(m[1], int(m[2]), m[5]) for m in map(LOCATION.match, lines) if m}
    _, report = review(capsys, str(demo), "--base", "main", "--format", "json")
    assert located == {(f["path"], f["line"], f["rule_id"]) for f in json.loads(report)["findings"]}
    assert (
        lines[lines.index(shell) + 1]
        == '    |     subprocess.call("tar czf " + name + " " + folder, shell=True)'
    )
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


def git(repo: Path, *args: str) -> str:
    run = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgSign=false"]
    return subprocess.run(
        [*run, *args], check=True, capture_output=True, text=True, timeout=60
    ).stdout.strip()


@pytest.fixture(scope="module")
def one_note(tmp_path_factory) -> Path:
    """A change whose one finding is a note: bandit's B101 (an assert outside the tests)."""
    repo = tmp_path_factory.mktemp("note") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.py").write_text("X = 1\n")
    git(repo, "add", "a.py")
    git(repo, "commit", "-qm", "start")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "b.py").write_text("def f(x):\n    assert x\n    return x\n")
    git(repo, "add", "b.py")
    git(repo, "commit", "-qm", "an assert")
    return repo


def test_fail_on_note_is_accepted(one_note, capsys):
    code, out = review(capsys, str(one_note), "--base", "main", "--fail-on", "warning")
    assert code == 0 and "b.py:2:5: note B101 Use of assert detected." in out
    assert review(capsys, str(one_note), "--base", "main", "--fail-on", "note")[0] == 1


def test_the_configuration_fail_on_is_the_default_and_the_flag_wins(one_note, demo, tmp_path, capsys):
    config = tmp_path / "review-bot.yml"
    config.write_text("fail_on: note\n")
    assert review(capsys, str(one_note), "--base", "main")[0] == 0  # no configuration: error
    assert review(capsys, str(one_note), "--base", "main", "--config", str(config))[0] == 1
    assert (
        review(capsys, str(one_note), "--base", "main", "--config", str(config), "--fail-on", "error")[0] == 0
    )
    config.write_text("fail_on: never\n")
    assert review(capsys, str(demo), "--base", "main", "--config", str(config))[0] == 0  # errors, yet 0


def test_the_repository_fail_on_from_the_base_is_honoured(tmp_path, capsys):
    repo = create_demo(tmp_path / "demo")
    git(repo, "checkout", "-q", "main")
    (repo / ".github").mkdir()
    (repo / ".github" / "review-bot.yml").write_text("fail_on: never\n")
    git(repo, "add", ".github")
    git(repo, "commit", "-qm", "never fail")
    code, _ = review(capsys, str(repo), "--base", "main", "--head", "feature")
    assert code == 0


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"review-bot {importlib.metadata.version('autogen-review-bot')}"


def test_the_revisions_compared_are_printed_on_stderr(demo, capsys):
    code = main(["review", str(demo), "--base", "main", "--format", "json"])
    out, err = capsys.readouterr()
    base, head = git(demo, "rev-parse", "--short=7", "main"), git(demo, "rev-parse", "--short=7", "HEAD")
    assert f"review-bot: reviewing main ({base})..HEAD ({head})\n" in err
    assert code == 1 and json.loads(out)["findings"]  # stdout holds the report only


def test_uncommitted_changes_are_named_as_not_reviewed(tmp_path, capsys):
    repo = create_demo(tmp_path / "demo")
    (repo / "app" / "auth.py").write_text("import os\n")
    main(["review", str(repo), "--base", "main", "--format", "json"])
    err = capsys.readouterr().err
    assert "warning: 1 file(s) have uncommitted changes" in err and "--staged" in err
    main(["review", str(repo), "--base", "main", "--head", "main", "--format", "json"])
    assert "uncommitted" not in capsys.readouterr().err  # not the checked-out commit: not about it


def diverged(tmp_path: Path) -> Path:
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    for n in range(3):
        (origin / "a.py").write_text(f"A = {n}\n")
        git(origin, "add", "a.py")
        git(origin, "commit", "-qm", f"main {n}")
    git(origin, "checkout", "-q", "-b", "feature", "HEAD~2")
    for n in range(2):
        (origin / "b.py").write_text(f"B = {n}\n")
        git(origin, "add", "b.py")
        git(origin, "commit", "-qm", f"feature {n}")
    return origin


def test_a_shallow_clone_says_to_fetch_more_history(tmp_path, capsys):
    origin = diverged(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth=1", "--no-single-branch", f"file://{origin}", str(clone)],
        check=True,
        timeout=60,
    )
    assert main(["review", str(clone), "--base", "origin/main", "--head", "origin/feature"]) == 2
    err = capsys.readouterr().err
    assert "shallow clone" in err and "git fetch --deepen=N" in err and "fetch-depth: 0" in err
    assert main(["review", str(clone), "--base", "origin/nope", "--head", "origin/feature"]) == 2
    assert "unknown revision: 'origin/nope'" in (err := capsys.readouterr().err) and "shallow" in err

    git(clone, "fetch", "-q", "--unshallow")
    assert main(["review", str(clone), "--base", "origin/main", "--head", "origin/feature"]) == 0


def test_unrelated_histories_are_a_clear_error(tmp_path, capsys):
    origin = diverged(tmp_path)
    git(origin, "checkout", "-q", "--orphan", "other")
    git(origin, "commit", "-qm", "unrelated")
    assert main(["review", str(origin), "--base", "main", "--head", "other"]) == 2
    assert "have no common ancestor" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_incomplete_review_says_so_on_stderr(tmp_path, capsys, fmt):
    repo = create_demo(tmp_path / "demo")
    git(repo, "checkout", "-q", "main")
    (repo / ".github").mkdir()
    (repo / ".github" / "review-bot.yml").write_text("no_such_key: 1\n")
    git(repo, "add", ".github")
    git(repo, "commit", "-qm", "a broken config")
    code = main(["review", str(repo), "--base", "main", "--head", "feature", "--format", fmt])
    out, err = capsys.readouterr()
    [line] = [line for line in err.splitlines() if "incomplete" in line]
    assert line.startswith("review-bot: warning: the review is incomplete: Ignored an invalid configuration")
    assert code == 1  # the findings still count: the defaults were used
    if fmt == "json":
        assert json.loads(out)["incomplete"]
    else:
        assert "warning: Ignored an invalid configuration" in out


def test_a_file_left_out_is_named_in_the_text_report(tmp_path, capsys):
    repo = create_demo(tmp_path / "demo")
    (repo / "app" / "huge.py").write_text("X = 1\n" * 200_000)  # 1.2 MB: over the 1 MB file cap
    git(repo, "add", "app/huge.py")
    git(repo, "commit", "-qm", "huge")
    code = main(["review", str(repo), "--base", "main", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert "app/huge.py: not analyzed: larger than 1 MB" in out.splitlines()
    assert "review-bot: warning: the review is incomplete: 1 changed file could not be analyzed" in err
    assert code == 0
