"""What a long-running semgrep would save: its language server against one run per review.

    .venv/bin/python bench/semgrep_server.py [--corpus tests/corpus_outside] [--limit 0]

A review starts semgrep once per batch (analyzers/semgrep.py). Most of what a small review pays
for it is the engine's own start: the native binary initialises ~90 MB of code and static data
each time. semgrep also runs as a language server (``osemgrep lsp``) that loads the rules once
and scans each document it is sent. This measures both on the same files, one case of the
corpus at a time (its ``after/`` tree, as a pull request's head):

- the bot's analyzer, ``SemgrepAnalyzer.run`` as a review runs it (the batch's rule files, the
  function-summary second pass): CPU of its semgrep processes (their rusage);
- one language server for the whole run, started with every bundled rule file; each file sent
  with ``textDocument/didOpen`` (its text in the message) and its ``publishDiagnostics`` awaited:
  the server's CPU (/proc/<pid>/schedstat) per case, and once for its start.

Then it compares what each found, as (path, rule id, line): the same, found only by the
analyzer (among them the flows the summary pass adds, which the server cannot), or only by the
server. Nothing here is used by the bot; it is the figure a design that keeps an engine per
worker would start from. The server's workspace is a folder holding a copy of every case
(``copy_cases``: it scans only documents that were in its workspace when it started).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzers.semgrep import SemgrepAnalyzer  # noqa: E402 - after the path above

REPLY_TIMEOUT = 60.0  # seconds for one file's diagnostics


def server_cpu(pid: int) -> float:
    """CPU seconds the process's threads have used (nanoseconds in schedstat, not clock ticks;
    a thread that ended meanwhile is missed, so the server's own total is checked at the end)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1e9


def process_cpu(pid: int) -> float:
    """CPU seconds of the whole process, ended threads included (clock ticks: coarse)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class LanguageServer:
    """A minimal LSP client over the server's stdin and stdout (JSON-RPC with Content-Length)."""

    def __init__(self, argv: list[str], env: dict[str, str], rules: list[Path], root: Path) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        self._id = 0
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),  # the server scans only documents inside its workspace
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": {},
                "initializationOptions": {
                    "scan": {
                        "configuration": [str(p.resolve()) for p in rules],
                        "onlyGitDirty": False,
                        "jobs": 1,
                        "maxTargetBytes": 5_000_000,
                    },
                    "metrics": {"enabled": False},
                    "doHover": False,
                },
            },
        )
        self.notify("initialized", {})
        self.wait_for(lambda m: m.get("method") == "semgrep/rulesRefreshed")

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._id += 1
        self.send({"id": self._id, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == self._id and "method" not in m).get("result")

    def receive(self) -> dict[str, Any]:
        stdout = self.proc.stdout
        assert stdout is not None
        if not select.select([stdout], [], [], REPLY_TIMEOUT)[0]:
            raise TimeoutError("the language server did not answer")
        length = None
        while (line := stdout.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            raise EOFError("the language server closed its output")
        message: dict[str, Any] = json.loads(stdout.read(length))
        return message

    def wait_for(self, wanted: Any) -> dict[str, Any]:
        while True:
            message = self.receive()
            if "id" in message and "method" in message:  # a request of the server's: say yes
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return message

    def diagnostics(self, path: Path) -> list[dict[str, Any]]:
        """Open ``path`` (its text in the message), return its diagnostics, close it again."""
        uri = path.resolve().as_uri()
        text = path.read_text(encoding="utf-8", errors="replace")
        document = {"uri": uri, "languageId": "", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})

        def for_it(m: dict[str, Any]) -> bool:
            return m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri

        found: list[dict[str, Any]] = self.wait_for(for_it)["params"]["diagnostics"]
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        return found  # (what it may still say about a closed document is skipped by wait_for)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@dataclass
class Tally:
    analyzer_cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    same: int = 0
    analyzer_only: list[str] = field(default_factory=list)
    server_only: list[str] = field(default_factory=list)
    server_total: float = 0.0  # all the cases, from the process's own clock-tick count


def copy_cases(corpus: Path, into: Path, limit: int) -> list[tuple[str, Path, list[str]]]:
    """Each case's name, ``after/`` tree (copied under ``into``) and the files semgrep handles.

    All copied into one folder, the server's workspace, before the server starts: it scans only
    documents that were in its workspace when it started (a file created there later is answered
    with no diagnostics) or in a workspace folder added later (``didChangeWorkspaceFolders``).
    """
    probe = SemgrepAnalyzer()
    found = []
    for case in sorted(p for p in corpus.iterdir() if (p / "after").is_dir()):
        after = into / case.name
        shutil.copytree(case / "after", after)
        files = sorted(str(f.relative_to(after)) for f in after.rglob("*") if f.is_file())
        files = [f for f in files if probe.handles(f)]
        if files:
            found.append((case.name, after, files))
        if limit and len(found) >= limit:
            break
    return found


async def compare(corpus: Path, limit: int) -> Tally:
    analyzer = SemgrepAnalyzer()
    exe = analyzer.program()
    if exe is None:
        raise SystemExit("semgrep_server: semgrep is not installed")
    await analyzer.version()
    tally = Tally()
    with (
        tempfile.TemporaryDirectory(prefix="semgrep-lsp-home-") as home,
        tempfile.TemporaryDirectory(prefix="semgrep-lsp-cases-") as copies,
    ):
        env = analyzer.tool_env({"HOME": home, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home})
        todo = copy_cases(corpus, Path(copies), limit)
        started = time.perf_counter()
        server = LanguageServer([exe, "lsp"], env, list(analyzer.rule_paths), Path(copies))
        start_cpu = server_cpu(server.proc.pid)
        print(
            f"language server: {len(analyzer.rule_paths)} rule files loaded in "
            f"{time.perf_counter() - started:.2f} s, {start_cpu:.2f} CPU-s (once per server)"
        )
        start_total = process_cpu(server.proc.pid)
        try:
            for name, after, files in todo:
                cpu0 = children_cpu()
                result = await analyzer.run(after, files, timeout=120)
                tally.analyzer_cpu.append(children_cpu() - cpu0)
                theirs = {(f.path, f.rule_id, f.line) for f in result.findings}
                cpu0 = server_cpu(server.proc.pid)
                ours = set()
                for rel in files:
                    for d in server.diagnostics(after / rel):
                        rule = str(d.get("code")).rpartition(".")[2]  # it prefixes ids with their file's path
                        ours.add((rel, rule, d["range"]["start"]["line"] + 1))
                tally.server_cpu.append(server_cpu(server.proc.pid) - cpu0)
                tally.same += len(theirs & ours)
                tally.analyzer_only += [f"{name}: {p}:{n} {rule}" for p, rule, n in sorted(theirs - ours)]
                tally.server_only += [f"{name}: {p}:{n} {rule}" for p, rule, n in sorted(ours - theirs)]
            tally.server_total = process_cpu(server.proc.pid) - start_total
        finally:
            server.close()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "corpus_outside")
    parser.add_argument("--limit", type=int, default=0, help="cases at most (0: all)")
    parser.add_argument("--show", type=int, default=10, help="differences listed of each kind")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}    load: {Path('/proc/loadavg').read_text().split()[:3]}")
    tally = asyncio.run(compare(args.corpus, args.limit))
    cases_run = len(tally.analyzer_cpu)
    a, s = statistics.mean(tally.analyzer_cpu), statistics.mean(tally.server_cpu)
    print(f"{cases_run} cases of {args.corpus.name} (each case's after/ tree as one review's files)")
    print(
        f"  CPU-s per case: analyzer (a semgrep run each) {a:.3f} (median "
        f"{statistics.median(tally.analyzer_cpu):.3f}), language server {s:.3f} (median "
        f"{statistics.median(tally.server_cpu):.3f}); server / analyzer {s / a:.2f}\n"
        f"  the server's CPU over all cases from its own total: {tally.server_total:.2f} s "
        f"({tally.server_total / max(1, cases_run):.3f} per case)"
    )
    print(
        f"  findings (path, rule, line): the same {tally.same}, analyzer only "
        f"{len(tally.analyzer_only)}, server only {len(tally.server_only)}"
    )
    for title, rows in (("analyzer only", tally.analyzer_only), ("server only", tally.server_only)):
        for row in rows[: args.show]:
            print(f"    {title}: {row}")


if __name__ == "__main__":
    main()
