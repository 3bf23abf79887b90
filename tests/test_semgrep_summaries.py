"""Cross-function taint by function summaries (analyzers/semgrep_summaries.py), with real semgrep."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.semgrep import RULES_DIR, SemgrepAnalyzer, find_semgrep
from analyzers.semgrep_rules import bundled_rules
from analyzers.semgrep_summaries import PREFIX, parse_message, plan, worth_a_summary
from tests.files import write_file

SEMGREP = find_semgrep()
pytestmark = pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed")

# Each case: files of one pull request, and the finding the helper's flow must give: (path, line
# of the sink, rule id). Written from the shape of the flow, one per language.
CASES: dict[str, tuple[dict[str, str], tuple[str, int, str]]] = {
    "kotlin: an intent extra handed to a helper object in another file": (
        {
            "app/ViewActivity.kt": (
                "package app\n\nimport android.app.Activity\nimport android.os.Bundle\n\n"
                "class ViewActivity : Activity() {\n"
                "    override fun onCreate(savedInstanceState: Bundle?) {\n"
                "        super.onCreate(savedInstanceState)\n"
                '        val name = intent.getStringExtra("path")\n'
                "        FileStore.open(this, name!!)\n"
                "    }\n}\n"
            ),
            "app/FileStore.kt": (
                "package app\n\nimport android.content.Context\nimport java.io.File\n\n"
                "object FileStore {\n"
                "    fun open(context: Context, name: String): String {\n"
                "        return File(context.filesDir, name).readText()\n"
                "    }\n}\n"
            ),
        },
        ("app/FileStore.kt", 8, "kt-taint-path-traversal"),
    ),
    "python: a helper in another file returns request data": (
        {
            "web/helpers.py": (
                'from flask import request\n\n\ndef wanted_name():\n    name = request.args.get("name")\n'
                "    return name\n"
            ),
            "web/views.py": (
                "from flask import Flask\n\nfrom helpers import wanted_name\n\napp = Flask(__name__)\n\n\n"
                '@app.route("/read")\ndef read():\n    with open("/srv/files/" + wanted_name()) as handle:\n'
                "        return handle.read()\n"
            ),
        },
        ("web/views.py", 10, "py-taint-path-traversal"),
    ),
    "javascript: an arrow helper in another file returns request data": (
        {
            "src/input.js": "const wantedDir = (req) => req.query.dir;\nmodule.exports = { wantedDir };\n",
            "src/app.js": (
                "const cp = require('child_process');\nconst { wantedDir } = require('./input');\n\n"
                "app.get('/ls', (req, res) => {\n  const dir = wantedDir(req);\n"
                "  cp.exec('ls ' + dir, (err, out) => res.send('done'));\n});\n"
            ),
        },
        ("src/app.js", 6, "js-taint-command-injection"),
    ),
    "go: a same-file function called with a query value": (
        {
            "cmd/main.go": (
                'package main\n\nimport (\n\t"net/http"\n\t"os/exec"\n)\n\n'
                "func run(name string) []byte {\n"
                '\tout, _ := exec.Command("sh", "-c", "ls "+name).Output()\n\treturn out\n}\n\n'
                "func handler(w http.ResponseWriter, r *http.Request) {\n"
                '\trun(r.URL.Query().Get("dir"))\n}\n'
            ),
        },
        ("cmd/main.go", 9, "go-taint-command-injection"),
    ),
    "rust: a same-file function called with a query value": (
        {
            "src/lib.rs": (
                "use std::process::Command;\nuse axum::extract::Query;\nuse std::collections::HashMap;\n\n"
                "fn list(dir: &str) -> String {\n"
                '    let out = Command::new("sh").arg("-c").arg(format!("ls {}", dir)).output().unwrap();\n'
                "    String::from_utf8_lossy(&out.stdout).into_owned()\n}\n\n"
                "async fn handler(Query(params): Query<HashMap<String, String>>) -> String {\n"
                '    let dir = params.get("dir").cloned().unwrap_or_default();\n    list(&dir)\n}\n'
            ),
        },
        ("src/lib.rs", 6, "rs-taint-command-injection"),
    ),
    "csharp: an action parameter handed to a static helper in another file (inside another call)": (
        {
            "Web/FilesController.cs": (
                "using Microsoft.AspNetCore.Mvc;\n\npublic class FilesController : Controller\n{\n"
                "    [HttpGet]\n    public IActionResult Get(string name)\n    {\n"
                "        return Content(Storage.Load(name));\n    }\n}\n"
            ),
            "Web/Storage.cs": (
                "using System.IO;\n\npublic static class Storage\n{\n"
                "    public static string Load(string file)\n    {\n"
                '        return File.ReadAllText(Path.Combine("/srv", file));\n    }\n}\n'
            ),
        },
        ("Web/Storage.cs", 7, "cs-taint-path-traversal"),
    ),
    "typescript: a nested function called with a destructured route parameter": (
        {
            "routes/serve.ts": (
                "import path = require('path')\n\nmodule.exports = function serve () {\n"
                "  return ({ params }, res, next) => {\n    const file = params.file\n"
                "    send(file, res)\n  }\n\n"
                "  function send (name: string, res) {\n"
                "    res.sendFile(path.resolve('public/', name))\n  }\n}\n"
            ),
        },
        ("routes/serve.ts", 10, "js-taint-path-traversal"),
    ),
    "java: a private method called with a servlet parameter": (
        {
            "src/Files.java": (
                "import java.io.FileInputStream;\nimport javax.servlet.http.HttpServletRequest;\n\n"
                "public class Files {\n"
                "    public void handle(HttpServletRequest request) throws Exception {\n"
                '        String name = request.getParameter("file");\n        read(name);\n    }\n\n'
                "    private void read(String path) throws Exception {\n"
                '        new FileInputStream("/srv/" + path).close();\n    }\n}\n'
            ),
        },
        ("src/Files.java", 11, "java-taint-path-traversal"),
    ),
}


async def findings(root: Path, files: list[str], *, summaries: bool = True) -> set[tuple[str, int, str]]:
    result = await SemgrepAnalyzer(summaries=summaries).run(root, files, timeout=120)
    assert result.error is None, result.error
    assert not any(f.rule_id.startswith(PREFIX) for f in result.findings)  # never shown
    return {(f.path, f.line, f.rule_id) for f in result.findings}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_a_helper_makes_a_finding_at_the_sink_line(tmp_path: Path, name: str) -> None:
    sources, expected = CASES[name]
    files = [write_file(tmp_path, rel, text) for rel, text in sources.items()]
    assert expected in await findings(tmp_path, files)
    # Only the summaries find it: semgrep alone follows a value within one function.
    assert expected not in await findings(tmp_path, files, summaries=False)


SANITISED = {
    "src/name.js": "const path = require('path');\nfunction fileName(req) {\n"
    "  return path.basename(req.query.file);\n}\nmodule.exports = { fileName };\n",
    "src/app.js": "const fs = require('fs');\nconst { fileName } = require('./name');\n\n"
    "app.get('/f', (req, res) => {\n  res.send(fs.readFileSync('/srv/' + fileName(req)));\n});\n",
}


async def test_a_helper_that_sanitises_gives_no_finding(tmp_path: Path) -> None:
    files = [write_file(tmp_path, rel, text) for rel, text in SANITISED.items()]
    assert not {f for f in await findings(tmp_path, files) if f[2] == "js-taint-path-traversal"}
    # The same helper without path.basename() is followed to the sink.
    write_file(
        tmp_path,
        "src/name.js",
        SANITISED["src/name.js"].replace("path.basename(req.query.file)", "req.query.file"),
    )
    assert ("src/app.js", 5, "js-taint-path-traversal") in await findings(tmp_path, files)


async def test_files_a_cross_file_flow_joins_are_never_cached_alone(tmp_path: Path) -> None:
    """The caller's finding hangs on the helper's file: a push that fixes only the helper must
    not meet the caller's old answer in the cache (keyed by the caller's content alone)."""
    from analyzers.cache import MemoryCache, run_cached

    cache = MemoryCache()
    unsafe = SANITISED["src/name.js"].replace("path.basename(req.query.file)", "req.query.file")
    files = [write_file(tmp_path, rel, text) for rel, text in {**SANITISED, "src/name.js": unsafe}.items()]
    paths = files

    async def review() -> set[tuple[str, int, str]]:
        [result] = await run_cached(tmp_path, paths, [SemgrepAnalyzer()], cache=cache, timeout=120)
        assert result.error is None, result.error
        rule = "js-taint-path-traversal"
        return {(f.path, f.line, f.rule_id) for f in result.findings if f.rule_id == rule}

    assert await review() == {("src/app.js", 5, "js-taint-path-traversal")}
    assert len(cache) == 0  # the files the run with summaries covered are not cached
    write_file(tmp_path, "src/name.js", SANITISED["src/name.js"])  # the next push fixes the helper
    assert await review() == set()


async def test_rule_ids_lines_and_messages_are_the_normal_ones(tmp_path: Path) -> None:
    helper = "function userDir(req) {\n  return req.query.dir;\n}\n\napp.get('/a', (req, res) => {\n"
    helper += "  require('child_process').exec('ls ' + userDir(req));\n});\n"
    inline = "function unused() {\n  return 1;\n}\n\napp.get('/a', (req, res) => {\n"
    inline += "  require('child_process').exec('ls ' + req.query.dir);\n});\n"
    write_file(tmp_path, "a/helper.js", helper)
    write_file(tmp_path, "b/inline.js", inline)
    by_file = {}
    for rel in ("a/helper.js", "b/inline.js"):
        result = await SemgrepAnalyzer().run(tmp_path, [rel], timeout=120)
        by_file[rel] = {f.rule_id: (f.line, f.message, f.severity, f.cwe) for f in result.findings}
    assert (
        by_file["a/helper.js"]["js-taint-command-injection"]
        == by_file["b/inline.js"]["js-taint-command-injection"]
    )
    assert by_file["a/helper.js"]["js-taint-command-injection"][0] == 6


def wrapper_for(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "bin" / "semgrep"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {SEMGREP} "$@"\n')
    wrapper.chmod(0o755)
    return wrapper, log


def scans(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.startswith("scan ")]


async def test_a_batch_without_helpers_runs_semgrep_once_without_summary_rules(tmp_path: Path) -> None:
    wrapper, log = wrapper_for(tmp_path)
    repo = tmp_path / "repo"
    files = [
        write_file(repo, "web/app.js", "app.get('/a', (req, res) => {\n  eval(req.query.code);\n});\n"),
        write_file(
            repo,
            "svc/tool.py",
            "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n",
        ),
    ]
    result = await SemgrepAnalyzer(executable=str(wrapper)).run(repo, files, timeout=120)
    assert result.error is None, result.error
    assert ("web/app.js", 2, "js-taint-code-injection") in {
        (f.path, f.line, f.rule_id) for f in result.findings
    }
    assert len(scans(log)) == 1
    assert "review-bot-summaries.yml" not in scans(log)[0]  # no function both defined and called


async def test_a_second_run_only_for_the_language_with_summaries(tmp_path: Path) -> None:
    wrapper, log = wrapper_for(tmp_path)
    repo = tmp_path / "repo"
    files = [
        write_file(repo, rel, text)
        for rel, text in CASES["java: a private method called with a servlet parameter"][0].items()
    ]
    files.append(write_file(repo, "svc/tool.py", "def double(x):\n    return 2 * x\n\n\nprint(double(2))\n"))
    result = await SemgrepAnalyzer(executable=str(wrapper)).run(repo, files, timeout=120)
    assert result.error is None, result.error
    assert ("src/Files.java", 11, "java-taint-path-traversal") in {
        (f.path, f.line, f.rule_id) for f in result.findings
    }
    first, second = scans(log)
    assert "review-bot-summaries.yml" in first and "./svc/tool.py" in first
    assert second.endswith("-- ./src/Files.java") and "review-bot-rewritten.yml" in second


def test_summary_messages_name_the_function_and_the_argument() -> None:
    blank = "|c0=$SUMC0|c1=$SUMC1|c2=$SUMC2|c3=$SUMC3|end"
    assert parse_message(f"ret=userDir{blank}") == ("userDir", None)
    assert parse_message("ret=$SUMRETFN|c0=$SUMC0|c1=FileStore.open|c2=$SUMC2|c3=$SUMC3|end") == (
        None,
        ("open", 1, True),
    )
    assert parse_message("ret=$SUMRETFN|c0=run|c1=$SUMC1|c2=$SUMC2|c3=$SUMC3|end") == (
        None,
        ("run", 0, False),
    )
    assert parse_message("something else") == (None, None)


PROVIDER = """class NotesProvider : ContentProvider() {
    override fun query(uri: Uri, selectionArgs: Array<String>?): Cursor? {
        return db.query("notes", arrayOf("id"), "owner = ?", selectionArgs, null, null, null)
    }

    fun recent(args: Array<String>): Cursor = db.query("notes", null, "owner = ?", args, null, null, null)

    fun all() = recent(arrayOf("x"))
}
"""


def test_an_override_is_no_summary_name() -> None:
    # ContentProvider.query is a framework callback; db.query(...) is SQLiteDatabase's own method,
    # which a summary of "query" would take for it (the rule tests below caught that once).
    groups = tuple(group for group in plan(bundled_rules()) if group.syntax == "kotlin")
    chosen, names = worth_a_summary(groups, {"kotlin": [PROVIDER]})
    assert chosen and names == {"kotlin": {"recent"}}


TAINT_RULE_TESTS = ("kotlin-web.kt", "java-web.java", "csharp-web.cs", "javascript-web.js", "python-web.py")


@pytest.mark.parametrize("name", TAINT_RULE_TESTS)
async def test_no_new_finding_on_a_line_the_rule_tests_mark_ok(tmp_path: Path, name: str) -> None:
    source = RULES_DIR / "tests" / name
    if not source.exists():
        pytest.skip(f"{name} is not among the rule tests")
    text = source.read_text(encoding="utf-8")
    files = [write_file(tmp_path, name, text)]
    lines = text.splitlines()
    new = await findings(tmp_path, files) - await findings(tmp_path, files, summaries=False)
    for _, line, rule_id in new:
        around = " ".join(lines[max(0, line - 2) : line])
        assert f"ok: {rule_id}" not in around, (name, line, rule_id)
