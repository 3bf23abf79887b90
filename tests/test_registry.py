"""analyzers/registry.py: the one list of analyzers, and everything that needs "all analyzers" asks it.

The claim of the architecture (docs/architecture.md): adding an analyzer is its own module, its
tests and one line in the registry. The throwaway analyzer below is written to a temporary
directory and added to the registry only; the per-repository config, the policy, the run
template, /explain, SARIF and dedupe then all know it.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from jsonschema import Draft4Validator

import analyzers
from analyzers import registry
from analyzers.base import Finding, run_analyzers
from analyzers.dedupe import merge_findings
from analyzers.process import run_small
from analyzers.sarif import to_sarif
from bot.commands.answers import PostedFinding, explanation
from bot.config import ConfigError, ReviewSettings
from bot.pipeline.policy import build_analyzers
from bot.pipeline.repo_config import parse_repo_config

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(analyzers.__file__).parent
SARIF_SCHEMA = Draft4Validator(
    json.loads((ROOT / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text())
)

# A whole analyzer, as a contributor would write it: one module, nothing else edited. Its "tool"
# is a tiny Python program (run like every tool: bounded, in the checkout, files as arguments)
# that reports each line holding TODO-KEY.
THROWAWAY = '''
import json, sys
from analyzers.base import Finding, RuleDoc
from analyzers.tool import ToolAnalyzer

SCRIPT = """
import json, sys
out = []
for name in sys.argv[2:]:
    for n, line in enumerate(open(name, encoding="utf-8"), 1):
        if "TODO-KEY" in line:
            out.append({"file": name[2:], "line": n})
print(json.dumps(out))
"""


class ThrowawayAnalyzer(ToolAnalyzer):
    name = "throwaway"
    aliases = ("tw",)
    information_uri = "https://example.org/throwaway"
    rule_topics = {"TW001": "CWE-798"}
    merge_preference = 5

    def handles(self, path):
        return path.endswith(".txt")

    def program(self):
        return sys.executable

    def tool_argv(self, exe, files):
        return [exe, "-I", "-c", SCRIPT, "--", *(f"./{p}" for p in files)]

    def parse(self, report, root, files):
        return [
            Finding(self.name, "TW001", "error", item["file"], item["line"], item["line"], "a key marker")
            for item in json.loads(report)
        ]

    @classmethod
    def rule_doc(cls, rule_id):
        if rule_id != "TW001":
            return None
        return RuleDoc(
            title="Key marker left in a text file",
            why="Because a marker says a key was pasted here; move it to the secret store.",
            cwe="CWE-798",
            help_url="https://example.org/throwaway/TW001",
            security=True,
        )
'''


@pytest.fixture
def throwaway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> type:
    """The throwaway analyzer's module, imported from a temporary directory, added to the registry."""
    source = tmp_path / "throwaway_tool.py"
    source.write_text(THROWAWAY, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("throwaway_tool", source)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cls = module.ThrowawayAnalyzer
    monkeypatch.setattr(registry, "ANALYZERS", (*registry.ANALYZERS, cls))  # "the registry line"
    return cls


def test_the_registry_lists_every_analyzer_once() -> None:
    names = registry.analyzer_names()
    assert names == (
        "ruff", "bandit", "semgrep", "shellcheck", "hadolint", "actions", "yamllint", "detect-secrets"
    )  # fmt: skip
    assert [a.name for a in registry.default_analyzers()] == list(names)
    assert registry.analyzer_aliases() == {"secrets": "detect-secrets"}
    assert registry.analyzer_class("secrets") is registry.analyzer_class("detect-secrets")
    assert registry.analyzer_class("agents") is None and registry.rule_doc("agents", "x") is None


def _imports(path: Path) -> set[str]:
    """The analyzers modules ``path`` imports anywhere in it (a lazy import in a function too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analyzers."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("analyzers.")}
    return found


def test_no_import_cycle_in_the_library() -> None:
    # base.py imported the eight tool modules (lazily) and they imported it: a cycle. Now the
    # graph of analyzers' modules has none, lazy imports included.
    graph = {p.stem: _imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    tools = {cls.__module__.split(".")[1] for cls in registry.ANALYZERS}
    assert not graph["base"] & (tools | {"registry"})

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' -> '.join((*path, node))}"
        for nxt in graph.get(node, ()):
            visit(nxt, (*path, node))

    for module in graph:
        visit(module, ())


@pytest.mark.parametrize(
    "module",
    ["analyzers/sarif.py", "analyzers/dedupe.py", "bot/pipeline/repo_config.py", "bot/commands/answers.py"],
)
def test_no_per_tool_branches_outside_the_analyzers(module: str) -> None:
    # SARIF metadata, dedupe topics, config names and rule docs come from the analyzers: the
    # modules using them name no tool.
    text = (ROOT / module).read_text(encoding="utf-8")
    named = [name for name in registry.analyzer_names() if f'"{name}"' in text or f"'{name}'" in text]
    assert named == []


def test_the_repository_config_knows_the_analyzers_by_their_own_names(throwaway: type) -> None:
    settings = parse_repo_config("analyzers:\n  tw: false\n  secrets: false\n", ReviewSettings())
    assert settings.disabled_analyzers == ("throwaway", "detect-secrets")
    with pytest.raises(ConfigError, match=r"known: ruff, .*detect-secrets, throwaway"):
        parse_repo_config("analyzers:\n  nope: false\n", ReviewSettings())


def test_the_policy_builds_it_and_leaves_it_out_when_disabled(throwaway: type) -> None:
    assert "throwaway" in [a.name for a in build_analyzers(ReviewSettings())]
    off = ReviewSettings(disabled_analyzers=("throwaway",))
    assert "throwaway" not in [a.name for a in build_analyzers(off)]


async def test_it_runs_through_the_shared_template(throwaway: type, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\nTODO-KEY sk_live_x\n", encoding="utf-8")
    (tmp_path / "code.py").write_text("x = 1\n", encoding="utf-8")
    [result] = await run_analyzers(tmp_path, ["notes.txt", "code.py", "gone.txt"], [throwaway()], timeout=60)
    assert result.error is None and result.files == 2  # it handles .txt only; gone.txt is dropped
    assert [(f.path, f.line, f.rule_id) for f in result.findings] == [("notes.txt", 2, "TW001")]
    assert result.version is None  # neither a binary nor a module named: no version to ask


def _finding(tool: str, rule_id: str, severity: str = "error", cwe: str | None = None) -> Finding:
    return Finding(
        tool, rule_id, severity, "notes.txt", 2, 2, f"{tool} says so", cwe=cwe, fingerprint="f" * 16
    )  # type: ignore[arg-type]


def test_sarif_and_dedupe_and_explain_ask_it(throwaway: type) -> None:
    log = to_sarif([_finding("throwaway", "TW001")])
    assert list(SARIF_SCHEMA.iter_errors(log)) == []
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/throwaway"
    [rule] = driver["rules"]
    assert rule["shortDescription"]["text"] == "Key marker left in a text file"
    assert rule["helpUri"] == "https://example.org/throwaway/TW001"
    assert rule["help"]["text"].startswith("Because a marker says")
    assert "external/cwe/cwe-798" in rule["properties"]["tags"]
    assert rule["properties"]["security-severity"] == "9.0"

    # Its rule topic (CWE-798) makes it the same problem as a secret scanner's hit on that line;
    # the scanner's finding is kept (a lower merge preference), naming both.
    merged = merge_findings(
        [_finding("throwaway", "TW001"), _finding("detect-secrets", "aws-key", cwe="CWE-798")]
    )
    assert [(f.tool, f.sources) for f in merged] == [
        ("detect-secrets", ("detect-secrets aws-key", "throwaway TW001"))
    ]

    posted = PostedFinding(
        tool="throwaway",
        rule_id="TW001",
        severity="error",
        message="x",
        help_url=None,
        path="notes.txt",
        line=2,
    )
    text = explanation(posted)
    assert "Because a marker says a key was pasted here" in text
    assert "CWE-798" in text and "https://example.org/throwaway/TW001" in text


def test_the_analyzers_own_docs_answer_for_each_tool() -> None:
    # One rule of each analyzer, documented by the analyzer itself (no per-tool branch elsewhere).
    cases = {
        ("semgrep", "py-subprocess-shell-true"): "CWE-78",
        ("actions", "actions-unpinned-action"): "CWE-829",
        ("shellcheck", "SC2086"): "CWE-88",
        ("hadolint", "DL3002"): "CWE-250",
        ("detect-secrets", "aws-access-key"): "CWE-798",
        ("yamllint", "truthy"): None,
        ("ruff", "F401"): None,
        ("bandit", "B602"): None,  # bandit gives the CWE with each finding, not per test
    }
    for (tool, rule_id), cwe in cases.items():
        doc = registry.rule_doc(tool, rule_id)
        assert doc is not None and doc.title and doc.help_url, (tool, rule_id)
        assert doc.cwe == cwe, (tool, rule_id)
    assert registry.rule_doc("semgrep", "a-rule-of-the-repository") is None
    assert registry.rule_doc("ruff", "--help").title == "ruff rule --help"  # never an argument


def test_bandits_docs_come_from_a_child_process() -> None:
    # bandit's plugin loader costs the process ~17 MB: the bot asks a short child instead.
    probe = (
        "import sys; from analyzers.registry import rule_doc; doc = rule_doc('bandit', 'B602'); "
        "print(doc.title, 'bandit' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "Use of popen with shell equals true False"


def test_a_doc_lookup_run_is_bounded_in_time_and_output() -> None:
    # Rule docs come from short runs of the bot's own tools: a hang is killed, a flood dropped.
    hang = [sys.executable, "-c", "import time; time.sleep(60)"]
    assert run_small(hang, timeout=0.5) is None
    flood = [sys.executable, "-c", "import sys\nwhile True: sys.stdout.write('x' * 65536)"]
    assert run_small(flood, timeout=30, max_output=100_000) is None
    assert run_small([sys.executable, "-c", "print('ok')"], timeout=30) == b"ok\n"
    assert run_small(["/nonexistent/tool"], timeout=30) is None
