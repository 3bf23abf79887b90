"""run_analyzers: concurrent, per-analyzer file selection, one failure never sinks the rest."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import analyzers
from analyzers.bandit import BanditAnalyzer
from analyzers.base import AnalyzerResult, Finding, checkable_files, run_analyzers, tool_versions
from analyzers.registry import default_analyzers
from analyzers.ruff import RuffAnalyzer
from analyzers.tool import ToolAnalyzer


class Exploding:
    name = "exploding"

    def handles(self, path: str) -> bool:
        return True

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        raise RuntimeError("secret-token-should-not-leak")


class Recording:
    name = "recording"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def handles(self, path: str) -> bool:
        return path.endswith(".txt")

    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        self.seen = list(paths)
        return AnalyzerResult(
            tool=self.name, findings=[Finding(self.name, "R1", "note", paths[0], 1, 1, "seen")]
        )


async def test_a_raising_analyzer_degrades_and_the_others_still_return(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("import os\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    recording = Recording()
    results = await run_analyzers(
        tmp_path, ["mod.py", "notes.txt"], [Exploding(), RuffAnalyzer(), recording], timeout=60
    )
    by_tool = {r.tool: r for r in results}
    assert [r.tool for r in results] == ["exploding", "ruff", "recording"]
    assert by_tool["exploding"].error == "exploding failed: RuntimeError"
    assert "secret" not in by_tool["exploding"].error
    assert [f.rule_id for f in by_tool["ruff"].findings] == ["F401"]
    assert by_tool["ruff"].files == 1  # only the .py file went to ruff
    assert recording.seen == ["notes.txt"]
    assert by_tool["recording"].findings[0].path == "notes.txt"


async def test_analyzer_with_nothing_to_do_is_not_run(tmp_path: Path) -> None:
    recording = Recording()
    [result] = await run_analyzers(tmp_path, ["mod.py"], [recording])
    assert result == AnalyzerResult(tool="recording")
    assert recording.seen == []


async def test_default_analyzers_run_together(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(
        "import subprocess\nsubprocess.call('ls', shell=True)\n", encoding="utf-8"
    )
    defaults = [a for a in default_analyzers() if a.name in ("ruff", "bandit")]
    assert [a.name for a in defaults] == ["ruff", "bandit"]
    results = await run_analyzers(tmp_path, ["mod.py", "README.md"], defaults, timeout=120)
    assert all(r.error is None for r in results)
    assert {f.tool for r in results for f in r.findings} == {"bandit"}  # no ruff rule fires on this file
    assert all(r.files == 1 for r in results)


async def test_tool_versions() -> None:
    versions = await tool_versions([RuffAnalyzer(), BanditAnalyzer(), Recording()])
    assert versions["ruff"] and versions["bandit"]
    assert versions["recording"] is None


def test_checkable_files_keeps_only_regular_files_inside_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("", encoding="utf-8")
    (tmp_path / "secret.py").write_text("", encoding="utf-8")
    (root / "escape.py").symlink_to(tmp_path / "secret.py")
    (root / "inner.py").symlink_to(root / "pkg" / "a.py")
    paths = ["pkg/a.py", "escape.py", "inner.py", "../secret.py", "/etc/passwd", "pkg", "gone.py", ""]
    assert checkable_files(root, paths) == ["pkg/a.py", "inner.py"]


def test_the_library_imports_nothing_from_the_bot() -> None:
    package = Path(analyzers.__file__).parent
    for module in package.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        for banned in ("import bot", "from bot", "import handlers", "from handlers"):
            assert banned not in text, f"{module.name} imports {banned.split()[-1]}"


# The shared run template (analyzers/tool.py) --------------------------------------------------

# A tool that reports one finding per file and dies on any batch holding a file named bad*.
_FLAKY_TOOL = """
import json, sys
files = [name[2:] for name in sys.argv[2:]]
if any(name.startswith("bad") for name in files):
    sys.exit(70)
print(json.dumps(files))
"""


class Flaky(ToolAnalyzer):
    name = "flaky"

    def handles(self, path: str) -> bool:
        return path.endswith(".txt")

    def program(self) -> str | None:
        return sys.executable

    def targets(self, root: Path, paths: Sequence[str]) -> tuple[list[str], list[str]]:
        files, _ = super().targets(root, paths)
        return [p for p in files if p != "skip.txt"], [
            "flaky skipped skip.txt"
        ] if "skip.txt" in files else []

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        return [exe, "-I", "-c", _FLAKY_TOOL, "--", *(f"./{p}" for p in files)]

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> list[Finding]:
        return [Finding(self.name, "F1", "note", p, 1, 1, "seen") for p in json.loads(report)]


async def test_the_template_confines_a_failing_file_and_keeps_the_rest(tmp_path: Path) -> None:
    names = ["a.txt", "bad.txt", "c.txt", "d.txt", "skip.txt"]
    for name in names:
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    [result] = await run_analyzers(tmp_path, names, [Flaky()], timeout=60)
    assert result.error is None
    assert sorted(f.path for f in result.findings) == ["a.txt", "c.txt", "d.txt"]
    assert list(result.not_analyzed) == ["bad.txt"] and "exit 70" in result.not_analyzed["bad.txt"]
    assert result.notices == ["flaky skipped skip.txt"]  # what targets() left out, said first


async def test_the_template_says_a_missing_tool_and_runs_nothing(tmp_path: Path) -> None:
    class Missing(Flaky):
        name = "missing"
        module = "no_such_module_for_review_bot"

        def program(self) -> str | None:
            return ToolAnalyzer.program(self)

    (tmp_path / "a.txt").write_text("x\n", encoding="utf-8")
    [result] = await run_analyzers(tmp_path, ["a.txt"], [Missing()], timeout=60)
    assert result.error == "missing is not installed in the bot's environment"
    assert result.findings == [] and result.version is None
