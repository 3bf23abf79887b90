"""semgrep's native engine started directly gives what the pip package's script gives, for less."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from analyzers import semgrep_engine
from analyzers.semgrep import SemgrepAnalyzer, find_semgrep
from analyzers.semgrep_engine import (
    PARALLEL_BATCH_BYTES,
    SMALL_BATCH_BYTES,
    gc_env,
    jobs_for,
    native_program,
    packaged_core,
)
from tests.files import write_file

SEMGREP = find_semgrep()
CORE = packaged_core(SEMGREP) if SEMGREP else None
pytestmark = pytest.mark.skipif(CORE is None, reason="semgrep's pip package is not beside this python")

CODE = """import subprocess


def deploy(branch):
    subprocess.run("git checkout " + branch, shell=True)
"""


def test_the_engine_is_started_as_osemgrep_from_a_private_folder() -> None:
    program = SemgrepAnalyzer().program()
    assert program is not None and program != SEMGREP
    assert Path(program).name == "osemgrep"
    assert Path(program).resolve() == Path(CORE or "").resolve()
    assert os.stat(Path(program).parent).st_mode & 0o077 == 0  # nobody else can swap the link


def test_a_removed_link_is_made_again() -> None:
    first = native_program(SEMGREP or "")
    assert first is not None
    os.unlink(first)
    again = native_program(SEMGREP or "")
    assert again is not None and os.path.islink(again)


def test_another_semgrep_is_started_as_it_is(tmp_path: Path) -> None:
    assert native_program(str(tmp_path / "semgrep")) is None
    assert SemgrepAnalyzer(executable=str(SEMGREP)).program() == SEMGREP


async def test_the_engine_and_the_script_agree(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "app/deploy.py", CODE)
    direct, script = SemgrepAnalyzer(), SemgrepAnalyzer(executable=str(SEMGREP))
    assert await direct.version() == await script.version() is not None
    found = [await a.run(tmp_path, [rel], timeout=60) for a in (direct, script)]
    assert [r.error for r in found] == [None, None]
    assert found[0].findings == found[1].findings != []
    assert found[0].notices == found[1].notices


def test_no_more_jobs_than_files() -> None:
    argv = SemgrepAnalyzer().command("semgrep", [], ["a.py"])
    assert "--jobs=1" in argv


def test_a_semgrep_folder_in_the_working_directory_is_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "semgrep" / "bin" / "semgrep-core"
    fake.parent.mkdir(parents=True)
    (tmp_path / "semgrep" / "__init__.py").write_text("")
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert packaged_core(SEMGREP or "") == CORE
    assert CORE is not None and not CORE.is_relative_to(tmp_path)


async def test_an_engine_that_will_not_start_directly_falls_back_to_the_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "osemgrep"
    broken.symlink_to("/bin/false")
    monkeypatch.setattr(semgrep_engine, "_link", str(broken))
    monkeypatch.setattr(semgrep_engine, "_refused", False)
    analyzer = SemgrepAnalyzer()
    assert analyzer.program() == str(broken)
    rel = write_file(tmp_path / "repo", "app/deploy.py", CODE)
    result = await analyzer.run(tmp_path / "repo", [rel], timeout=60)
    assert result.error is None and result.version is not None
    assert [f.rule_id for f in result.findings] == ["py-subprocess-shell-true"]
    assert analyzer.program() == SEMGREP


def test_only_a_small_batch_gets_the_lighter_collector(tmp_path: Path) -> None:
    small = write_file(tmp_path, "a.py", CODE)
    big = write_file(tmp_path, "big.py", "x = 1\n" * (SMALL_BATCH_BYTES // 6 + 1))
    assert gc_env(tmp_path, [small]) == {"OCAMLRUNPARAM": "o=200"}
    assert gc_env(tmp_path, [small, big]) == {}
    assert gc_env(tmp_path, ["gone.py"]) == {"OCAMLRUNPARAM": "o=200"}


def test_the_link_folder_is_removed_by_its_own_process_only(tmp_path: Path) -> None:
    folder = tmp_path / "links"
    folder.mkdir()
    semgrep_engine._remove(str(folder), os.getpid() + 1)  # as a forked child exiting would
    assert folder.is_dir()
    semgrep_engine._remove(str(folder), os.getpid())
    assert not folder.exists()


def test_only_a_batch_worth_it_gets_parallel_jobs(tmp_path: Path) -> None:
    """A small PR's files run on one domain (a second costs CPU and saves no time); a batch big
    enough to pay for it gets one per core, never more than files."""
    small = [write_file(tmp_path, f"s{n}.py", CODE) for n in range(3)]
    big = [write_file(tmp_path, f"b{n}.py", "x = 1\n" * (PARALLEL_BATCH_BYTES // 6)) for n in range(2)]
    assert jobs_for(tmp_path, small) == 1
    assert jobs_for(tmp_path, ["gone.py", *small]) == 1
    many = min(2, os.cpu_count() or 1)
    assert jobs_for(tmp_path, big) == many
    assert jobs_for(tmp_path, big[:1]) == 1  # never more than files


async def test_the_bot_runs_a_small_batch_on_one_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzers import semgrep as semgrep_module

    seen: list[list[str]] = []
    real = semgrep_module.SemgrepAnalyzer._run

    async def spy(self: SemgrepAnalyzer, argv: list[str], *args: Any) -> Any:
        seen.append(argv)
        return await real(self, argv, *args)

    monkeypatch.setattr(semgrep_module.SemgrepAnalyzer, "_run", spy)
    rels = [write_file(tmp_path, name, CODE) for name in ("a.py", "b.py")]
    result = await SemgrepAnalyzer().run(tmp_path, rels, timeout=60)
    assert result.error is None
    assert {f.rule_id for f in result.findings} == {"py-subprocess-shell-true"}
    assert seen and all("--jobs=1" in argv for argv in seen)
