"""The README's copy-paste blocks work as written.

Two kinds of fenced block are checked:

- a ```yaml block whose first line is a comment naming its file (``# agent_config.yaml``,
  ``# .github/review-bot.yml``, ``# config/enterprise.yaml``, ...) is loaded by the bot's own
  loader for that kind of file (or, for files of other tools, by that tool's) and must be valid.
  A block without such a line is a fragment and is not checked. All named blocks are written
  into one scratch repository first, so a `.github/review-bot.yml` that names a semgrep rule
  file finds it there only if the README shows that file too.
- a ```sh block right after the line ``<!-- test: run -->`` is run with bash (``-euo
  pipefail``) in an empty temporary directory, with the venv's `review-bot` first on PATH, and
  must exit 0 within its timeout. Only cheap, offline blocks are marked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pre_commit.clientlib import InvalidConfigError, load_config

from analyzers.actions_rules import check_document
from analyzers.safe_yaml import load_bounded
from analyzers.semgrep import find_semgrep, rule_file_problem
from bot.agents.config import load_agent_config
from bot.config import ReviewSettings, Settings
from bot.pipeline.repo_config import load_policy_file

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RUN_MARKER = "<!-- test: run -->"
RUN_TIMEOUT = 300  # seconds a marked block may take (the demo review runs every analyzer)
HEADER = re.compile(r"#\s+(?P<path>[\w./-]+\.ya?ml)(?:\s|$)")
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>[\w-]*)\s*$")
# The placeholder the README's workflow uses for "pin to a commit of your copy of this repo".
PLACEHOLDER_SHA = "FULL_40_CHARACTER_COMMIT_SHA"


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marker: str | None  # the nearest non-blank line before the fence, when it is an HTML comment

    @property
    def file(self) -> str | None:
        first = self.text.split("\n", 1)[0]
        match = HEADER.fullmatch(first) or HEADER.match(first)
        return match["path"] if match else None

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.file or self.lang})"


def blocks(text: str) -> list[Block]:
    """The fenced code blocks, indented ones (inside list items) dedented."""
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening or not opening["info"]:
            i += 1
            continue
        indent = len(opening["indent"])
        body = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            line = lines[j]
            body.append(line[indent:] if line[:indent] == " " * indent else line.lstrip())
            j += 1
        before = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        marker = before if before.startswith("<!--") else None
        found.append(Block(i + 1, opening["info"], "\n".join(body) + "\n", marker))
        i = j + 1
    return found


README_BLOCKS = blocks(README.read_text(encoding="utf-8"))
NAMED = [b for b in README_BLOCKS if b.lang == "yaml" and b.file]
RUNNABLE = [b for b in README_BLOCKS if b.marker == RUN_MARKER]


# --- the loaders, by kind of file ---------------------------------------------------------------
def check_repo_config(path: Path, repo: Path) -> None:
    """As `review-bot review --config FILE` loads it: rule files it names read from the repo."""
    policy = load_policy_file(path, repo, ReviewSettings())
    for rule_file in policy.settings.semgrep_rules:
        assert (repo / rule_file).is_file(), f"names {rule_file}, which the README does not show"


def check_agent_config(path: Path, repo: Path) -> None:
    load_agent_config(path)


def check_service_config(path: Path, repo: Path) -> None:
    """`REVIEW_BOT_CONFIG`; the README says its block shows the defaults, so it must change nothing."""
    assert Settings().with_yaml(path) == Settings(), "the documented defaults are not the defaults"


def check_pre_commit(path: Path, repo: Path) -> None:
    try:
        load_config(str(path))
    except InvalidConfigError as exc:
        raise AssertionError(str(exc)) from None


def check_workflow(path: Path, repo: Path) -> None:
    """Parses within bounds, has triggers and jobs, and passes the bot's own Actions rules
    (but for the placeholder where the reader puts a commit sha)."""
    text = path.read_text()
    data = load_bounded(text)
    assert isinstance(data, dict) and "jobs" in data and ("on" in data or True in data), data
    for job in data["jobs"].values():
        assert "runs-on" in job and job["steps"], job
    lines = text.splitlines()
    findings = [
        f
        for f in check_document(str(path.relative_to(repo)), text)
        if PLACEHOLDER_SHA not in lines[f.line - 1]
    ]
    assert findings == [], [f"{f.line}: {f.rule_id} {f.message}" for f in findings]


def check_semgrep_rules(path: Path, repo: Path) -> None:
    """Loaded by semgrep itself, offline (a rule semgrep refuses drops every rule of the run)."""
    assert rule_file_problem(path) is None, rule_file_problem(path)
    semgrep = find_semgrep()
    if semgrep is None:
        pytest.skip("semgrep is not installed")
    target = repo / "empty.py"
    target.write_text("")
    offline = ["--metrics=off", "--disable-version-check"]
    done = subprocess.run(
        [semgrep, "scan", "--config", str(path), *offline, "--json", "--quiet", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=repo,
    )
    errors = json.loads(done.stdout or "{}").get("errors", [{"message": done.stderr[-500:]}])
    assert done.returncode == 0 and errors == [], errors


def loader_for(file: str) -> Callable[[Path, Path], None]:
    if file == ".github/review-bot.yml":
        return check_repo_config
    if file.rsplit("/", 1)[-1] == "agent_config.yaml":
        return check_agent_config
    if file.startswith("config/"):
        return check_service_config
    if file == ".pre-commit-config.yaml":
        return check_pre_commit
    if file.startswith(".github/workflows/"):
        return check_workflow
    if file.startswith(".github/semgrep/"):
        return check_semgrep_rules
    raise AssertionError(f"no loader for {file}: add one to tests/test_readme_blocks.py")


# --- tests --------------------------------------------------------------------------------------
def test_the_readme_names_the_files_of_its_examples() -> None:
    """The examples a user copies are checked: each door's file is a named block."""
    named = {b.file for b in NAMED}
    assert named >= {
        "agent_config.yaml",
        ".github/review-bot.yml",
        ".github/semgrep/our-rules.yml",
        ".github/workflows/review-bot.yml",
        ".pre-commit-config.yaml",
        "config/enterprise.yaml",
    }, named
    assert RUNNABLE, f"no block marked {RUN_MARKER}"


@pytest.mark.parametrize("block", NAMED, ids=str)
def test_named_yaml_block_is_valid(block: Block, tmp_path: Path) -> None:
    assert block.file is not None
    repo = tmp_path / "repo"
    for other in NAMED:  # the files a block may refer to (a repo config's rule files)
        assert other.file is not None
        target = repo / other.file
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(other.text)
    own = repo / block.file
    own.write_text(block.text)  # this block, also when another block shows the same file
    loader_for(block.file)(own, repo)


def test_the_two_examples_that_once_failed_stay_fixed(tmp_path: Path) -> None:
    """agent_config.yaml: "llm.azure: only for provider azure"; review-bot.yml: a rule file that
    the README did not show."""
    (agent,) = [b for b in NAMED if b.file == "agent_config.yaml"]
    config = load_agent_config(_write(tmp_path / "agent_config.yaml", agent.text))
    assert config.llm.provider == "openai"
    repo_configs = [b for b in NAMED if b.file == ".github/review-bot.yml"]
    assert any("semgrep_rules" in b.text for b in repo_configs)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("block", RUNNABLE, ids=str)
def test_runnable_shell_block_runs(block: Block, tmp_path: Path) -> None:
    assert block.lang == "sh", f"{block}: only sh blocks are run"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "NO_COLOR": "1",
        "HOME": str(tmp_path),  # nothing of the developer's git or tool configuration
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.text],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"{block} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    )
