"""The bundled semgrep rules (each tested by semgrep's own --test) and the semgrep analyzer."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from analyzers.process import minimal_env
from analyzers.registry import default_analyzers
from analyzers.semgrep import RULES_DIR, SemgrepAnalyzer, bundled_rules, find_semgrep, suggestion_for
from tests.files import write_file

TESTS_DIR = RULES_DIR / "tests"
SEMGREP = find_semgrep()
pytestmark = pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed")
NO_NETWORK_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
ANNOTATION = re.compile(r"\b(ruleid|ok):\s*([\w-]+)")
LANGUAGES = {
    "javascript",
    "typescript",
    "go",
    "java",
    "ruby",
    "php",
    "csharp",
    "kotlin",
    "c",
    "cpp",
    "python",
    "rust",
    "terraform",
}


def all_rules() -> list[dict[str, Any]]:
    rules = []
    for path in bundled_rules():
        rules += yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    return rules


def annotations() -> dict[str, set[str]]:
    """rule id -> the kinds of annotation ("ruleid", "ok") the test targets carry for it."""
    found: dict[str, set[str]] = {}
    for target in TESTS_DIR.iterdir():
        if ".fixed." in target.name:
            continue
        for kind, rule_id in ANNOTATION.findall(target.read_text(encoding="utf-8")):
            found.setdefault(rule_id, set()).add(kind)
    return found


@pytest.fixture(scope="module")
def semgrep_test_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("semgrep-home")
    argv = [SEMGREP, "--test", "--metrics=off", "--disable-version-check", "--json"]
    argv += ["--config", str(RULES_DIR), str(TESTS_DIR)]
    env = minimal_env({**NO_NETWORK_ENV, "HOME": str(home)})
    done = subprocess.run(argv, capture_output=True, env=env, timeout=300, check=False)
    assert done.stdout.strip(), done.stderr.decode(errors="replace")[-2000:]
    return json.loads(done.stdout)


def test_every_rule_passes_its_positive_and_negative_cases(semgrep_test_report: dict[str, Any]) -> None:
    report = semgrep_test_report
    assert report["config_with_errors"] == []
    assert report["config_missing_tests"] == []
    checks = {rule_id: check for r in report["results"].values() for rule_id, check in r["checks"].items()}
    failing = {rule_id: check["matches"] for rule_id, check in checks.items() if not check["passed"]}
    assert failing == {}
    assert set(checks) == {rule["id"] for rule in all_rules()}  # every rule was tested


def test_every_fix_passes_its_fixtest(semgrep_test_report: dict[str, Any]) -> None:
    report = semgrep_test_report
    assert report["config_missing_fixtests"] == []
    assert {name: r["passed"] for name, r in report["fixtest_results"].items() if not r["passed"]} == {}
    fixed = {Path(name).name.split(".")[0] for name in report["fixtest_results"]}
    with_fix = {
        path.stem
        for path in bundled_rules()
        if any("fix" in rule for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"])
    }
    assert with_fix <= fixed


def expected_lines(target: Path) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(rule id, line) pairs a target says must match (ruleid:) and must not (ok:).

    As in semgrep --test, an annotation labels the next line that is not itself an annotation.
    """
    lines = target.read_text(encoding="utf-8").splitlines()
    must, must_not = set(), set()
    for number, line in enumerate(lines):
        found = ANNOTATION.findall(line)
        if not found:
            continue
        labelled = number + 1
        while labelled < len(lines) and ANNOTATION.search(lines[labelled]):
            labelled += 1
        for kind, rule_id in found:
            (must if kind == "ruleid" else must_not).add((rule_id, labelled + 1))
    return must, must_not


def test_the_native_engine_the_bot_runs_agrees_with_every_annotation(tmp_path: Path) -> None:
    # semgrep --test runs the Python wrapper's engine; the bot runs `scan --experimental`, which
    # differs (it refuses YAML aliases, for one). One scan of every target with every rule.
    targets = sorted(p for p in TESTS_DIR.iterdir() if ".fixed." not in p.name)
    argv = SemgrepAnalyzer().command(SEMGREP, bundled_rules(), [p.name for p in targets])
    env = minimal_env({**NO_NETWORK_ENV, "HOME": str(tmp_path)})
    done = subprocess.run(argv, cwd=TESTS_DIR, capture_output=True, env=env, timeout=300, check=False)
    report = json.loads(done.stdout)
    assert report["errors"] == []
    got = {(Path(r["path"]).name, r["check_id"], r["start"]["line"]) for r in report["results"]}
    missed, wrong = [], []
    for target in targets:
        must, must_not = expected_lines(target)
        missed += [(target.name, *item) for item in sorted(must) if (target.name, *item) not in got]
        wrong += [(target.name, *item) for item in sorted(must_not) if (target.name, *item) in got]
    assert (missed, wrong) == ([], [])


def test_rule_files_use_no_yaml_aliases() -> None:
    # The native engine rejects a rule file with an alias as a whole ("Expected a list").
    for path in bundled_rules():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*[\w-]+: [&*][\w-]+\s*$", text, re.M), path.name


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    found = annotations()
    missing = {rule["id"]: found.get(rule["id"], set()) for rule in all_rules()}
    assert {rule_id: kinds for rule_id, kinds in missing.items() if kinds != {"ruleid", "ok"}} == {}


def test_every_rule_says_why_and_how_and_names_its_weakness() -> None:
    rules = all_rules()
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    languages = {language for rule in rules for language in rule["languages"]}
    assert languages >= LANGUAGES
    for rule in rules:
        rid = rule["id"]
        assert re.fullmatch(r"(js|ts|go|java|rb|php|cs|kt|c|cpp|py|rs|tf)(-[a-z0-9]+)+", rid), rid
        assert rule["severity"] in ("ERROR", "WARNING", "INFO"), rid
        assert len(rule["message"]) > 120 and ". " in rule["message"], rid  # why, then how
        meta = rule["metadata"]
        assert meta["category"] in ("security", "correctness"), rid
        assert meta["confidence"] in ("LOW", "MEDIUM", "HIGH"), rid
        assert meta["references"] and all(ref.startswith("https://") for ref in meta["references"]), rid
        if meta["category"] == "security":
            assert re.match(r"CWE-\d+: \S", meta["cwe"]), rid
    for language in LANGUAGES:
        assert sum(language in rule["languages"] for rule in rules) >= 2, language


def test_rule_tests_are_not_package_data() -> None:
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    data = re.search(r"\[tool\.setuptools\.package-data\]\n(.*?)\n\n", pyproject, re.S)
    assert data is not None
    assert "rules/semgrep/*.yml" in data.group(1)
    assert "tests" not in data.group(1)


# --- the analyzer --------------------------------------------------------------------------

PY_CODE = """import subprocess
import yaml


def load(stream, branch):
    subprocess.run("git checkout " + branch, shell=True)
    first = yaml.load(stream)
    second = yaml.load(
        stream,
        Loader=yaml.Loader,
    )
    return first, second
"""


async def test_findings_map_to_repo_paths_lines_and_fixes(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "src/app/load.py", PY_CODE)
    result = await SemgrepAnalyzer().run(tmp_path, [rel], timeout=60)
    assert result.error is None, result.error
    by_line = {f.line: f for f in result.findings}
    assert sorted(by_line) == [6, 7, 8]
    shell = by_line[6]
    assert (shell.rule_id, shell.path, shell.severity, shell.cwe) == (
        "py-subprocess-shell-true",
        "src/app/load.py",
        "error",
        "CWE-78",
    )
    assert shell.column == 5 and shell.suggestion is None
    assert shell.help_url == "https://cwe.mitre.org/data/definitions/78.html"
    assert "argument list" in shell.message
    assert by_line[7].suggestion == "    first = yaml.safe_load(stream)"
    multi = by_line[8]
    assert (multi.end_line, multi.suggestion) == (11, "    second = yaml.safe_load(stream)")


def test_suggestion_keeps_line_endings_and_the_rest_of_the_lines() -> None:
    data = b"a = 1\r\nx = f(1,\r\n  2) + g\r\nz\r\n"
    start = data.index(b"f(")
    end = data.index(b") + g") + 1
    assert suggestion_for(data, start, end, "h(\n 3)", 2, 3) == "x = h(\r\n 3) + g"
    assert suggestion_for(data, start, end, "f(1,\r\n  2)", 2, 3) is None  # no change
    assert suggestion_for(data, start, end, "h()", 1, 1) is None  # fix outside the lines
    text = "s = 'é'; t = md5(x)\n".encode()
    start = text.index(b"md5")
    assert suggestion_for(text, start, start + 6, "sha256(x)", 1, 1) == "s = 'é'; t = sha256(x)"


async def test_one_process_for_many_files_in_many_languages(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "bin" / "semgrep"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {SEMGREP} "$@"\n')
    wrapper.chmod(0o755)
    repo = tmp_path / "repo"
    files = [
        write_file(repo, "web/-dash.js", "eval(location.hash);\n"),
        write_file(repo, "svc/main.go", 'package main\n\nimport "crypto/md5"\n\nvar s = md5.Sum(nil)\n'),
        write_file(repo, "native/io.c", "void f(char *b) {\n    gets(b);\n}\n"),
        write_file(repo, "web/.semgrepignore", "*.js\n"),
        write_file(repo, "tests/vendor/page.php", "<?php\neval($_GET['x']);\n"),
        write_file(repo, "README.md", "eval(x)\n"),
    ]
    result = await SemgrepAnalyzer(executable=str(wrapper)).run(repo, files, timeout=60)
    assert result.error is None, result.error
    found = {(f.path, f.rule_id, f.line) for f in result.findings}
    assert found == {
        ("web/-dash.js", "js-eval-injection", 1),
        ("svc/main.go", "go-weak-crypto", 5),
        ("native/io.c", "c-gets", 2),
        ("tests/vendor/page.php", "php-eval-injection", 2),
        # The taint rules see the same lines: request data (location.hash, $_GET) into eval.
        ("web/-dash.js", "js-taint-code-injection", 1),
        ("tests/vendor/page.php", "php-taint-code-injection", 2),
    }
    scans = [line for line in log.read_text().splitlines() if line.startswith("scan ")]
    assert len(scans) == 1
    assert "--metrics=off" in scans[0] and " -- ./" in scans[0]
    assert "README.md" not in scans[0]


async def test_a_rails_view_in_a_pull_request_is_analysed(tmp_path: Path) -> None:
    # Rails XSS sits in the views: a .html.erb file is sent to semgrep with the ERB rules, and
    # the escaped output beside the unescaped one stays quiet.
    view = "<p><%= @post.title %></p>\n<div><%= raw(@post.body) %></div>\n<p><%== params[:q] %></p>\n"
    path = write_file(tmp_path, "app/views/posts/show.html.erb", view)
    result = await SemgrepAnalyzer().run(tmp_path, [path], timeout=60)
    assert result.error is None, result.error
    found = {(f.path, f.rule_id, f.line) for f in result.findings}
    assert found == {
        ("app/views/posts/show.html.erb", "rb-erb-raw-html", 2),
        ("app/views/posts/show.html.erb", "rb-erb-unescaped-output", 3),
    }


async def test_extra_rule_files_are_used_and_broken_ones_named(tmp_path: Path) -> None:
    extra = tmp_path / "rules" / "team.yml"
    write_file(tmp_path, "rules/team.yml", EXTRA_RULE)
    broken = tmp_path / "rules" / "broken.yml"
    write_file(tmp_path, "rules/broken.yml", "rules:\n- id: x\n  pattern: [\n")
    rel = write_file(tmp_path / "repo", "a.js", "legacyCall(1);\neval(x);\n")
    analyzer = SemgrepAnalyzer(extra_rule_paths=[extra, broken])
    result = await analyzer.run(tmp_path / "repo", [rel], timeout=60)
    assert result.error is None, result.error
    assert {(f.rule_id, f.line) for f in result.findings} == {("team-no-legacy", 1), ("js-eval-injection", 2)}
    assert any("broken.yml" in notice for notice in result.notices)
    assert analyzer.config_key() != SemgrepAnalyzer().config_key()


EXTRA_RULE = """rules:
  - id: team-no-legacy
    languages: [javascript]
    severity: INFO
    message: legacyCall is deprecated; use modernCall instead.
    pattern: legacyCall(...)
"""


async def test_a_rule_semgrep_cannot_parse_becomes_a_notice(tmp_path: Path) -> None:
    bad = write_file(tmp_path, "bad.yml", EXTRA_RULE.replace("legacyCall(...)", '"legacyCall(("'))
    rel = write_file(tmp_path / "repo", "a.js", "eval(x);\n")
    result = await SemgrepAnalyzer(extra_rule_paths=[tmp_path / bad]).run(
        tmp_path / "repo", [rel], timeout=60
    )
    assert result.error is None
    assert [f.rule_id for f in result.findings] == ["js-eval-injection"]
    assert any("team-no-legacy" in notice for notice in result.notices)


async def test_a_file_semgrep_skips_is_named(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "big.js", "eval(x);\n" + "// padding\n" * 200)
    result = await SemgrepAnalyzer(max_target_bytes=100).run(tmp_path, [rel], timeout=60)
    assert result.error is None
    assert result.findings == []
    assert result.notices == ["semgrep skipped big.js: larger than 100 bytes"]


async def test_timeout_is_reported(tmp_path: Path) -> None:
    slow = tmp_path / "semgrep"
    slow.write_text('#!/bin/sh\ncase "$*" in *--version*) echo 9.9.9; exit 0;; esac\nsleep 30\n')
    slow.chmod(0o755)
    rel = write_file(tmp_path, "a.js", "eval(x);\n")
    result = await SemgrepAnalyzer(executable=str(slow)).run(tmp_path, [rel], timeout=0.5)
    assert result.error == "semgrep timed out after 0.5 s"
    assert result.version == "9.9.9"


async def test_missing_executable_is_reported(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "a.js", "eval(x);\n")
    result = await SemgrepAnalyzer(executable=str(tmp_path / "no-semgrep")).run(tmp_path, [rel], timeout=10)
    assert result.error is not None and "semgrep" in result.error
    assert result.findings == []


async def test_version_and_registration() -> None:
    analyzer = SemgrepAnalyzer()
    version = await analyzer.version()
    assert version is not None and re.fullmatch(r"\d+\.\d+\.\d+\S*", version)
    assert any(a.name == "semgrep" for a in default_analyzers())
    assert analyzer.handles("src/Main.java") and analyzer.handles("lib/x.HPP")
    assert analyzer.handles("web/src/main.rs") and analyzer.handles("infra/main.tf")
    assert analyzer.handles("app/views/posts/show.html.erb")
    assert not analyzer.handles("README.md") and not analyzer.handles("Dockerfile")
