"""ShellcheckAnalyzer with the real shellcheck, on small scripts written to tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analyzers.process import find_tool
from analyzers.shellcheck import ShellcheckAnalyzer, apply_replacements
from tests.files import write_file

pytestmark = pytest.mark.skipif(find_tool("shellcheck") is None, reason="shellcheck is not installed")

SCRIPT = (
    '#!/bin/bash\ntarget=$1\nrm -rf $target/cache\nfor f in $(find . -name "*.log"); do gzip "$f"; done\n'
)


def _fake_tool(tmp_path: Path, body: str) -> str:
    script = tmp_path / "bin" / "fake-shellcheck"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


async def _run(root: Path, paths: list[str], analyzer: ShellcheckAnalyzer | None = None, seconds: float = 60):
    return await (analyzer or ShellcheckAnalyzer()).run(root, paths, timeout=seconds)


async def test_real_bugs_are_found_with_a_quoting_suggestion(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "scripts/clean.sh", SCRIPT)
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert result.version and result.version[0].isdigit()
    by_rule = {f.rule_id: f for f in result.findings}
    unquoted = by_rule["SC2086"]
    assert (unquoted.path, unquoted.line, unquoted.severity, unquoted.cwe) == (
        "scripts/clean.sh",
        3,
        "note",
        "CWE-88",
    )
    assert unquoted.help_url == "https://www.shellcheck.net/wiki/SC2086"
    assert unquoted.suggestion == 'rm -rf "$target"/cache'
    assert by_rule["SC2044"].line == 4 and by_rule["SC2044"].severity == "warning"  # for over find output


async def test_shebang_scripts_without_suffix_are_checked(tmp_path: Path) -> None:
    script = write_file(tmp_path, "bin/deploy", "#!/usr/bin/env bash\ncd /srv\n")
    other = write_file(tmp_path, "bin/tool", "#!/usr/bin/env python3\nimport os\n")
    make = write_file(tmp_path, "Makefile", "all:\n\techo $(x)\n")
    analyzer = ShellcheckAnalyzer()
    assert analyzer.handles(script) and analyzer.handles("a/run.bats") and not analyzer.handles("a.py")
    result = await _run(tmp_path, [script, other, make])
    assert result.error is None
    assert [(f.path, f.rule_id) for f in result.findings] == [(script, "SC2164")]


async def test_sourced_files_are_not_followed_and_rc_files_ignored(tmp_path: Path) -> None:
    write_file(tmp_path, ".shellcheckrc", "disable=SC2086\nexternal-sources=true\n")
    write_file(tmp_path, "lib.sh", "echo $UNQUOTED_IN_LIB\n")
    rel = write_file(tmp_path, "main.sh", "#!/bin/sh\n. ./lib.sh\necho $1\n")
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert {(f.path, f.rule_id, f.line) for f in result.findings} == {("main.sh", "SC2086", 3)}


async def test_file_name_starting_with_a_dash(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "-rf.sh", "#!/bin/sh\necho $1\n")
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert [(f.path, f.rule_id) for f in result.findings] == [(rel, "SC2086")]


async def test_missing_executable_names_the_tool(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "a.sh", "echo $1\n")
    result = await _run(tmp_path, [rel], ShellcheckAnalyzer(executable=str(tmp_path / "nope" / "shellcheck")))
    assert result.findings == []
    assert result.error and result.error.startswith("shellcheck could not start")


async def test_timeout_degrades_with_a_readable_message(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "a.sh", "echo $1\n")
    fake = _fake_tool(
        tmp_path,
        "import sys, time\nif '--version' in sys.argv: print('version: 9.9.9')\nelse: time.sleep(60)",
    )
    result = await _run(tmp_path, [rel], ShellcheckAnalyzer(executable=fake), seconds=0.5)
    assert result.error == "shellcheck timed out after 0.5 s"
    assert result.version == "9.9.9"


def test_replacements_outside_the_lines_or_overlapping_give_no_suggestion() -> None:
    lines = ["a=$1", "echo $a"]

    def fix(*spans: tuple[int, int, int, int, str]) -> dict[str, object]:
        keys = ("line", "column", "endLine", "endColumn", "replacement")
        return {"replacements": [dict(zip(keys, span, strict=True)) for span in spans]}

    quote = fix((2, 6, 2, 6, '"'), (2, 8, 2, 8, '"'))
    assert apply_replacements(lines, 2, 2, quote) == 'echo "$a"'
    assert apply_replacements(lines, 1, 1, quote) is None
    assert apply_replacements(lines, 2, 2, fix((2, 6, 2, 8, "x"), (2, 7, 2, 8, "y"))) is None
    assert apply_replacements(lines, 2, 2, None) is None
