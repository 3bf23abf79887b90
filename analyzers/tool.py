"""The run template every analyzer shares, written once: installed? -> version -> files -> bounded
run (batches bisected when one fails) -> parsed report.

A tool module subclasses ToolAnalyzer, says how to start its tool (``binary`` or ``module``) and
fills in two hooks: ``tool_argv(exe, files)`` (the command for one batch) and ``parse(report,
root, files)`` (its findings). What else it knows about itself (its config names, its rules'
documentation, SARIF and dedupe facts) are class attributes here, with defaults, so that
``analyzers/registry.py`` can answer for every analyzer without a per-tool branch anywhere.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from analyzers.base import AnalyzerResult, ParsedReport, RuleDoc, checkable_files, result_from_report
from analyzers.batch import run_isolating
from analyzers.limits import ResourceLimits
from analyzers.process import ProcResult, find_tool, minimal_env, package_version, run_bounded, tool_version

# importlib.metadata parses a package's METADATA on every call (~4 ms of CPU; three Python tools
# in every review, each analyzer built anew per review): asked once per process, as tool_version.
_installed_version = functools.cache(package_version)


class ToolAnalyzer:
    """One external tool run over the changed files it handles, within limits."""

    # -- who it is (the per-repository config, SARIF's tool.driver, dedupe) -------------------
    name: str  # set by each tool's class
    aliases: ClassVar[tuple[str, ...]] = ()  # other names a repository's config may use for it
    information_uri: ClassVar[str | None] = None  # the tool's home page (SARIF driver)
    docs_url: ClassVar[str | None] = None  # the tool's rule documentation, when a rule has no page
    # Rules the tool files under a broader CWE than the problem they find: rule id -> CWE that
    # decides which other tools' findings on the same line are the same problem (analyzers/dedupe.py).
    rule_topics: ClassVar[Mapping[str, str]] = {}
    # When several tools report one problem, the finding of the lowest value is kept: tools
    # whose messages say why and how to fix come first.
    merge_preference: ClassVar[int] = 3
    scans_skipped_files: ClassVar[bool] = False  # reads generated, vendored and lock files too

    # -- how it is started ---------------------------------------------------------------------
    binary: ClassVar[str | None] = None  # a program: beside python (the venv) or on PATH
    module: ClassVar[str | None] = None  # or a Python module run as ``python -I -m``
    distribution: ClassVar[str | None] = None  # the module's package, for its version
    stdin: ClassVar[bytes | None] = None  # fed to every run
    # How a run is judged (process.describe_failure): exit statuses that mean "it ran", whether
    # an empty report is a crash, whether stderr may be quoted in an error (not for a scanner
    # whose traceback could quote a secret).
    ok_codes: ClassVar[tuple[int, ...] | None] = (0,)
    needs_report: ClassVar[bool] = True
    quote_stderr: ClassVar[bool] = True

    def __init__(self, *, limits: ResourceLimits | None = None, executable: str | None = None) -> None:
        self.limits = limits or ResourceLimits()
        self.executable = executable  # a program to run instead of the installed one (tests)

    # -- the analyzer protocol -----------------------------------------------------------------
    def handles(self, path: str) -> bool:
        raise NotImplementedError

    def config_key(self) -> str:
        return ""

    async def version(self) -> str | None:
        """The tool's version (asked once per process); part of every cache key."""
        if self.module is not None:
            return _installed_version(self.distribution or self.module)
        exe = self.program() if self.binary is not None else None
        return await tool_version([exe, "--version"]) if exe else None

    @classmethod
    def rule_doc(cls, rule_id: str) -> RuleDoc | None:
        """What the rule is about, for /explain and SARIF; None when this analyzer cannot say."""
        return RuleDoc(title=f"{cls.name} {rule_id}", help_url=cls.docs_url) if cls.docs_url else None

    # -- the hooks -----------------------------------------------------------------------------
    def program(self) -> str | None:
        """What to start (the interpreter for a module), or None when the tool is not installed."""
        if self.module is not None:
            return sys.executable if importlib.util.find_spec(self.module) is not None else None
        if self.binary is not None:
            return self.executable or find_tool(self.binary)
        return self.executable

    def not_installed(self) -> str:
        if self.module is not None:
            return f"{self.name} is not installed in the bot's environment"
        return f"{self.name} is not installed (not beside python, not on PATH)"

    def targets(self, root: Path, paths: Sequence[str]) -> tuple[list[str], list[str]]:
        """The files to run the tool on, and notices about those it leaves out."""
        return checkable_files(root, paths), []

    def tool_argv(self, exe: str, files: Sequence[str]) -> list[str]:
        """The command line for one batch of files (relative to the checkout, the working directory)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def environment(self) -> Iterator[dict[str, str]]:
        """The environment of one run (a context: a tool may need a throwaway HOME for it)."""
        yield minimal_env()

    def parse(self, report: bytes, root: Path, files: Sequence[str]) -> ParsedReport:
        """The tool's report (its stdout) as findings, with paths relative to ``root``."""
        raise NotImplementedError

    def run_notices(self, run: ProcResult) -> list[str]:
        """Notices a run's exit status implies (e.g. "could not check every file")."""
        return []

    def codes_for(self, run: ProcResult) -> tuple[int, ...] | None:
        """The exit statuses that mean "it ran" for this run (default: ``ok_codes``)."""
        return self.ok_codes

    def report(
        self, run: ProcResult, root: Path, files: Sequence[str], version: str | None, timeout: float
    ) -> AnalyzerResult:
        """One run's result: a crash, timeout or limit becomes its error, else its parsed report."""
        return result_from_report(
            self.name,
            version,
            run,
            timeout,
            lambda out: self.parse(out, root, files),
            notices=self.run_notices(run),
            ok_codes=self.codes_for(run),
            needs_report=self.needs_report,
            quote_stderr=self.quote_stderr,
        )

    async def run_batch(self, exe: str, root: Path, files: Sequence[str], budget: float) -> ProcResult:
        """One bounded run of the tool on ``files``: a child process under the limits (the Python
        tools override this to run in the warm pool of analyzers/pool.py)."""
        with self.environment() as env:
            return await run_bounded(
                self.tool_argv(exe, files),
                cwd=root,
                timeout=budget,
                env=env,
                stdin=self.stdin,
                limits=self.limits.with_cpu_at_most(budget),
            )

    # -- the template --------------------------------------------------------------------------
    async def run(self, root: Path, paths: Sequence[str], *, timeout: float) -> AnalyzerResult:
        exe = self.program()
        if exe is None:
            return AnalyzerResult(tool=self.name, error=self.not_installed())
        version = await self.version()
        files, notices = self.targets(root, paths)
        if not files:
            return AnalyzerResult(tool=self.name, version=version, notices=notices)

        async def once(batch: list[str], budget: float) -> AnalyzerResult:
            run = await self.run_batch(exe, root, batch, budget)
            return self.report(run, root, batch, version, budget)

        # A file the tool cannot handle (a crash, a limit hit) costs that file only: the batch
        # is bisected until the failure is confined to it (analyzers/batch.py).
        result = await run_isolating(self.name, files, once, timeout=timeout)
        result.notices[:0] = notices
        return result
