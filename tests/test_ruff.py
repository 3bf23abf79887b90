"""RuffAnalyzer with the real ruff, on small files written to tmp_path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from analyzers.process import find_tool
from analyzers.ruff import RuffAnalyzer, severity_for, split_lines, suggestion_for
from tests.files import write_file

pytestmark = pytest.mark.skipif(find_tool("ruff") is None, reason="ruff is not installed")


def _fake_tool(tmp_path: Path, body: str) -> str:
    """A stand-in executable (a Python script) for the failure cases ruff itself never shows."""
    script = tmp_path / "bin" / "fake-ruff"
    script.parent.mkdir(exist_ok=True)
    script.write_text(f"#!{sys.executable}\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


async def _run(root: Path, paths: list[str], analyzer: RuffAnalyzer | None = None, seconds: float = 60):
    return await (analyzer or RuffAnalyzer()).run(root, paths, timeout=seconds)


async def test_findings_are_mapped(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "pkg/mod.py", "def f():\n    return undefined_name\n")
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert result.version and result.version[0].isdigit()
    [finding] = result.findings
    assert (finding.tool, finding.rule_id, finding.severity) == ("ruff", "F821", "error")
    assert (finding.path, finding.line, finding.end_line, finding.column) == ("pkg/mod.py", 2, 2, 12)
    assert finding.help_url == "https://docs.astral.sh/ruff/rules/undefined-name"
    assert finding.suggestion is None


async def test_syntax_error_is_an_error_finding(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "bad.py", "x = 1\ndef f(:\n    pass\n")
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert result.findings
    assert all(f.severity == "error" and f.line == 2 for f in result.findings)
    assert {f.rule_id for f in result.findings} == {"invalid-syntax"}


async def test_empty_file_has_no_findings(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "empty.py", "")
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert result.findings == []


async def test_style_codes_of_e7_are_not_reported_and_its_bug_codes_are(tmp_path: Path) -> None:
    # Layout and naming (E701-E703, E731, E741) are style; `== None` (E711) and a bare except
    # (E722) point at bugs. One line each, so that a code switched back on shows up by name.
    source = (
        "import os\n"
        "if os.sep: print(1)\n"  # E701
        "a = 1; b = 2\n"  # E702
        "print(a, b);\n"  # E703
        "square = lambda x: x * x\n"  # E731
        "l = square(3)\n"  # E741
        "print(l == None)\n"  # E711
        "try:\n    print(l)\nexcept:\n    pass\n"  # E722
    )
    rel = write_file(tmp_path, "style.py", source)
    result = await _run(tmp_path, [rel])
    assert result.error is None
    assert sorted((f.rule_id, f.line) for f in result.findings) == [("E711", 7), ("E722", 10)]


async def test_non_utf8_file_is_reported_not_crashed(tmp_path: Path) -> None:
    latin = write_file(tmp_path, "latin.py", b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    clean = write_file(tmp_path, "clean.py", "import os\n")
    result = await _run(tmp_path, [latin, clean])
    assert result.error is None
    by_path = {f.path: f for f in result.findings}
    assert by_path["latin.py"].rule_id == "E902"
    assert by_path["latin.py"].severity == "warning"
    assert by_path["clean.py"].rule_id == "F401"


async def test_filename_with_spaces_and_unicode(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "dir with space/ünïcödé file.py", "import os\n")
    dash = write_file(tmp_path, "-looks-like-an-option.py", "import sys\n")
    result = await _run(tmp_path, [rel, dash])
    assert result.error is None
    assert sorted(f.path for f in result.findings) == sorted([rel, dash])


async def test_fix_within_the_lines_becomes_a_suggestion(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "cmp.py", "def f(x):\n    if x == None:\n        return 1\n    return 2\n")
    [finding] = (await _run(tmp_path, [rel])).findings
    assert finding.rule_id == "E711"
    assert (finding.line, finding.end_line) == (2, 2)
    assert finding.suggestion == "    if x is None:"


async def test_fix_deleting_the_line_is_an_empty_suggestion(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "imp.py", "import os\nimport sys\n\nprint(sys.argv)\n")
    [finding] = (await _run(tmp_path, [rel])).findings
    assert (finding.rule_id, finding.line) == ("F401", 1)
    assert finding.suggestion == ""  # replace line 1 with nothing


async def test_fix_reaching_outside_the_lines_is_not_a_suggestion(tmp_path: Path) -> None:
    # F841 is reported on line 2 only, but its fix deletes the whole statement (lines 2-3).
    rel = write_file(tmp_path, "unused.py", "def f():\n    values = [1,\n              2]\n    return 0\n")
    findings = (await _run(tmp_path, [rel])).findings
    [unused] = [f for f in findings if f.rule_id == "F841"]
    assert (unused.line, unused.end_line) == (2, 2)
    assert unused.suggestion is None


async def test_repository_config_cannot_switch_rules_off(tmp_path: Path) -> None:
    write_file(
        tmp_path, "pyproject.toml", '[tool.ruff]\nexclude = ["*.py"]\n[tool.ruff.lint]\nignore = ["F"]\n'
    )
    write_file(tmp_path, "ruff.toml", '[lint]\nselect = ["E501"]\n')
    rel = write_file(tmp_path, "mod.py", "import os\n")
    result = await _run(tmp_path, [rel])
    assert [f.rule_id for f in result.findings] == ["F401"]


async def test_missing_deleted_and_escaping_files_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("import os\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "link.py")
    result = await _run(root, ["link.py", "deleted.py", "../outside.py"])
    assert result.error is None
    assert result.findings == []


async def test_missing_executable_degrades(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "a.py", "import os\n")
    result = await _run(tmp_path, [rel], RuffAnalyzer(executable=str(tmp_path / "nope" / "ruff")))
    assert result.findings == []
    assert result.error and "could not start" in result.error


async def test_timeout_degrades_with_a_readable_message(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "a.py", "import os\n")
    fake = _fake_tool(
        tmp_path, "import sys, time\nif '--version' in sys.argv: print('ruff 9.9.9')\nelse: time.sleep(60)"
    )
    result = await _run(tmp_path, [rel], RuffAnalyzer(executable=fake), seconds=0.5)
    assert result.error == "ruff timed out after 0.5 s"
    assert result.version == "9.9.9"


async def test_crash_and_garbage_output_degrade(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "a.py", "import os\n")
    crash = _fake_tool(tmp_path, "import sys\nsys.stderr.write('panic: boom')\nsys.exit(2)")
    result = await _run(tmp_path, [rel], RuffAnalyzer(executable=crash))
    assert result.error and "exit 2" in result.error and "panic: boom" in result.error
    garbage = _fake_tool(tmp_path, "print('not json')")
    result = await _run(tmp_path, [rel], RuffAnalyzer(executable=garbage))
    assert result.error and result.error.startswith("ruff's report was unreadable")


async def test_command_isolates_and_guards_file_names() -> None:
    argv = RuffAnalyzer().command("ruff", ["-x.py", "a b.py"])
    assert "--isolated" in argv and "--no-cache" in argv
    assert argv[-3:] == ["--", "./-x.py", "./a b.py"]


def test_handles_python_files_only() -> None:
    analyzer = RuffAnalyzer()
    assert analyzer.handles("a/b.py") and analyzer.handles("stub.pyi")
    assert not analyzer.handles("README.md")


def test_severity() -> None:
    assert severity_for(None) == "error"
    assert severity_for("E999") == "error"
    assert severity_for("PLE1142") == "error"
    assert severity_for("F401") == "warning"
    assert severity_for("B006") == "warning"


def test_suggestion_keeps_crlf_inside_and_drops_the_final_ending() -> None:
    lines = split_lines("a = 1\r\nif x == None:\r\n    pass\r\n")
    fix = {
        "applicability": "unsafe",
        "edits": [
            {
                "content": "x is None",
                "location": {"row": 2, "column": 4},
                "end_location": {"row": 2, "column": 13},
            }
        ],
    }
    assert suggestion_for(fix, lines, 2, 2) == "if x is None:"
    assert suggestion_for(fix, lines, 1, 1) is None  # the edit is on another line
    assert suggestion_for({**fix, "applicability": "display-only"}, lines, 2, 2) is None
