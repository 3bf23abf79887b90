"""Noise on real code: the bot's review of consecutive releases of carefully maintained packages.

Run by hand:  .venv/bin/python bench/bench_noise.py [--pairs NAME,NAME] [--json OUT] [--baseline JSON]
              [--top N]

The changes between two releases of a popular, carefully maintained package (an sdist from PyPI,
a tarball from npm) are changes nearly nobody would want a review bot to comment on: nearly every
comment is noise. For each pair the two releases are downloaded once into
~/.cache/review-bot-bench (``pip download --no-deps --no-binary :all:``, ``npm pack
--ignore-scripts``), unpacked without links or special files, committed into a throwaway git
repository (the old release on ``main``, the new one on ``release``) and reviewed by the bot's own
local path (bot.pipeline.local.review_local) with the default settings, as ``review-bot review``
would. The inline comments are those the App would post on a first review of that pull
request: the same selection as publishing (bot.pipeline.policy.select_inline: ``comment_on``,
``max_inline_comments``, the most severe first).

Prints per pair and in all: inline comments, findings, added lines, findings per 1,000 added
lines, the check run's conclusion (and why a review is incomplete), and the rules that fire
most (over all findings and over the inline ones). ``--json OUT`` keeps the figures;
``--baseline FILE`` (an earlier ``--json``) prints them beside this run's.

The pairs below are a sample, not a target: more are measured from the outside, so a default
is never tuned to one of them. Nothing of a package is ever run: PyPI sdists are fetched by the
URL and sha256 that PyPI's JSON API gives (``pip download`` would run the package's build
backend to read its metadata), npm tarballs with ``npm pack --ignore-scripts``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzers import Finding  # noqa: E402
from bot.config import ReviewSettings  # noqa: E402
from bot.pipeline.checkrun import check_conclusion  # noqa: E402
from bot.pipeline.local import review_local  # noqa: E402
from bot.pipeline.policy import select_inline  # noqa: E402

CACHE = Path.home() / ".cache" / "review-bot-bench"
DOWNLOAD_TIMEOUT = 300
GIT_TIMEOUT = 120


@dataclass(frozen=True)
class Pair:
    registry: str  # "pypi" | "npm"
    name: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return f"{self.name} {self.old}->{self.new}"


PAIRS: tuple[Pair, ...] = (
    # named in issue 12
    Pair("pypi", "requests", "2.32.3", "2.32.4"),
    Pair("pypi", "click", "8.1.7", "8.1.8"),
    Pair("pypi", "rich", "13.7.1", "13.8.0"),
    Pair("pypi", "werkzeug", "3.0.3", "3.0.4"),
    Pair("pypi", "packaging", "24.1", "24.2"),
    Pair("pypi", "pluggy", "1.4.0", "1.5.0"),
    Pair("pypi", "attrs", "24.2.0", "24.3.0"),
    Pair("npm", "express", "4.19.2", "4.20.0"),
    Pair("npm", "bats", "1.10.0", "1.11.0"),
    # more of the same kind, chosen before any default was changed
    Pair("pypi", "jinja2", "3.1.4", "3.1.5"),
    Pair("pypi", "flask", "3.0.3", "3.1.0"),
    Pair("pypi", "urllib3", "2.2.2", "2.2.3"),
    Pair("npm", "body-parser", "1.20.2", "1.20.3"),
    Pair("npm", "commander", "12.0.0", "12.1.0"),
)


@dataclass
class PairResult:
    label: str
    inline: int = 0
    findings: int = 0
    added_lines: int = 0
    files: int = 0
    rules: dict[str, int] = field(default_factory=dict)  # "tool:rule" -> findings
    inline_rules: dict[str, int] = field(default_factory=dict)
    conclusion: str = ""  # of the check run
    problems: list[str] = field(default_factory=list)  # why the review is incomplete, if it is
    error: str | None = None

    @property
    def per_kloc(self) -> float:
        return 1000 * self.findings / self.added_lines if self.added_lines else 0.0


def run(argv: list[str], cwd: Path | None = None, timeout: float = GIT_TIMEOUT) -> str:
    done = subprocess.run(argv, cwd=cwd, check=True, capture_output=True, timeout=timeout)
    return done.stdout.decode("utf-8", "replace")


def download(registry: str, name: str, version: str) -> Path:
    """The release's sdist or tarball, from the cache or downloaded once into it."""
    folder = CACHE / registry / f"{name}-{version}"
    found = sorted(folder.glob("*.tar.gz")) + sorted(folder.glob("*.tgz")) + sorted(folder.glob("*.zip"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    if registry == "pypi":
        fetch_sdist(name, version, folder)
    else:
        npm = ["npm", "pack", "--silent", "--ignore-scripts", "--pack-destination", str(folder)]
        run([*npm, f"{name}@{version}"], timeout=DOWNLOAD_TIMEOUT)
    found = sorted(folder.glob("*.tar.gz")) + sorted(folder.glob("*.tgz")) + sorted(folder.glob("*.zip"))
    if not found:
        raise RuntimeError(f"nothing downloaded for {name} {version}")
    return found[0]


def fetch_sdist(name: str, version: str, folder: Path) -> None:
    """The release's sdist from PyPI's simple index (JSON form, PEP 691), checked against its sha256."""
    request = urllib.request.Request(
        f"https://pypi.org/simple/{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as answer:  # noqa: S310 - fixed https
        index = json.load(answer)
    wanted = {f"{name}-{version}.tar.gz", f"{name.replace('-', '_')}-{version}.tar.gz"}
    entry = next(f for f in index["files"] if f["filename"].lower() in {w.lower() for w in wanted})
    if not entry["url"].startswith("https://"):
        raise RuntimeError(f"not an https URL: {entry['url']}")
    with urllib.request.urlopen(entry["url"], timeout=DOWNLOAD_TIMEOUT) as answer:  # noqa: S310
        data = answer.read(200 * 1024 * 1024)
    if hashlib.sha256(data).hexdigest() != entry["hashes"]["sha256"]:
        raise RuntimeError(f"{name} {version}: the sdist does not match PyPI's sha256")
    (folder / Path(entry["filename"]).name).write_bytes(data)


def unpack(archive: Path, dest: Path) -> None:
    """The release's files at ``dest`` (its single top folder stripped): regular files only."""
    staging = dest.with_name(dest.name + ".unpack")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if archive.suffix == ".zip":
        shutil.unpack_archive(archive, staging)
    else:
        with tarfile.open(archive) as tar:
            # "data": no absolute paths, no links leaving the tree, no devices; then regular files only.
            members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
            tar.extractall(staging, members=members, filter="data")
    tops = list(staging.iterdir())
    top = tops[0] if len(tops) == 1 and tops[0].is_dir() else staging
    dest.mkdir(parents=True, exist_ok=True)
    for child in top.iterdir():
        shutil.move(str(child), dest / child.name)
    shutil.rmtree(staging)


def git(repo: Path, *args: str) -> str:
    ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "core.hooksPath=/dev/null"]
    return run(["git", "-C", str(repo), *ident, *args])


def build_repo(pair: Pair, repo: Path) -> None:
    """The old release committed on ``main``, the new one on the branch ``release``."""
    old, new = download(pair.registry, pair.name, pair.old), download(pair.registry, pair.name, pair.new)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    unpack(old, repo)
    git(repo, "add", "-A", "-f")
    git(repo, "commit", "-q", "--allow-empty", "-m", pair.old)
    git(repo, "checkout", "-q", "-b", "release")
    for child in repo.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    unpack(new, repo)
    git(repo, "add", "-A", "-f")
    git(repo, "commit", "-q", "--allow-empty", "-m", pair.new)


def rule_of(finding: Finding) -> str:
    return f"{finding.tool}:{finding.rule_id}"


def review_pair(pair: Pair, tmp: Path, settings: ReviewSettings) -> PairResult:
    result = PairResult(pair.label)
    repo = tmp / f"{pair.name}-{pair.new}"
    try:
        build_repo(pair, repo)
        outcome = asyncio.run(review_local(repo, base="main", head="release", settings=settings))
    except (subprocess.SubprocessError, OSError, RuntimeError) as exc:
        result.error = f"{type(exc).__name__}: {str(exc)[:200]}"
        return result
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    # The repository's own config (read at base) is what the App would use: the same here.
    selection = select_inline(outcome.findings, settings)
    result.inline = len(selection.inline)
    result.findings = len(outcome.findings)
    result.added_lines = sum(len(d.added) for d in outcome.diffs.values())
    result.files = outcome.files_analyzed
    result.rules = dict(Counter(rule_of(f) for f in outcome.findings).most_common())
    result.inline_rules = dict(Counter(rule_of(f) for f in selection.inline).most_common())
    result.problems = outcome.errors + outcome.incomplete
    result.conclusion = check_conclusion(
        outcome.findings, settings.fail_on, bool(result.problems), settings.incomplete_conclusion
    )
    return result


def top_rules(counts: Counter[str], n: int) -> str:
    return ", ".join(f"{rule} {count}" for rule, count in counts.most_common(n)) or "-"


def print_table(results: list[PairResult], baseline: dict[str, dict] | None, top: int) -> None:
    head = f"{'pair':<32} {'inline':>6} {'findings':>8} {'added':>7} {'per 1k':>7} {'check run':>10}"
    if baseline:
        head += f"   {'before: inline':>14} {'findings':>8} {'per 1k':>7}"
    print(head)
    for r in results:
        if r.error:
            print(f"{r.label:<32} error: {r.error}")
            continue
        line = (
            f"{r.label:<32} {r.inline:>6} {r.findings:>8} {r.added_lines:>7} {r.per_kloc:>7.2f} "
            f"{r.conclusion:>10}"
        )
        if baseline and r.label in baseline:
            b = baseline[r.label]
            kloc = 1000 * b["findings"] / b["added_lines"] if b["added_lines"] else 0.0
            line += f"   {b['inline']:>14} {b['findings']:>8} {kloc:>7.2f}"
        print(line)
    ok = [r for r in results if not r.error]
    inline, findings, added = (sum(getattr(r, k) for r in ok) for k in ("inline", "findings", "added_lines"))
    per_kloc = 1000 * findings / added if added else 0.0
    print(
        f"{'all (' + str(len(ok)) + ' releases)':<32} {inline:>6} {findings:>8} {added:>7} {per_kloc:>7.2f}"
    )
    if ok:
        print(f"inline comments per release: {inline / len(ok):.2f}")
    if baseline:
        mine = [baseline[r.label] for r in ok if r.label in baseline]
        b_inline, b_findings = sum(b["inline"] for b in mine), sum(b["findings"] for b in mine)
        b_added = sum(b["added_lines"] for b in mine)
        print(
            f"before, same releases: {b_inline} inline ({b_inline / max(len(mine), 1):.2f} per release), "
            f"{b_findings} findings, {1000 * b_findings / max(b_added, 1):.2f} per 1,000 added lines"
        )
    all_rules: Counter[str] = Counter()
    inline_rules: Counter[str] = Counter()
    for r in ok:
        all_rules.update(r.rules)
        inline_rules.update(r.inline_rules)
    print(f"rules that fire most (findings): {top_rules(all_rules, top)}")
    print(f"rules that fire most (inline):   {top_rules(inline_rules, top)}")
    for r in ok:
        print(f"  {r.label}: {top_rules(Counter(r.rules), 5)}")
    for r in ok:
        for problem in r.problems:
            print(f"  incomplete: {r.label}: {problem}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", help="comma-separated package names (default: all pairs)")
    parser.add_argument("--json", type=Path, help="write the per-pair figures here")
    parser.add_argument("--baseline", type=Path, help="an earlier --json, printed beside this run")
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    wanted = set(args.pairs.split(",")) if args.pairs else None
    pairs = [p for p in PAIRS if wanted is None or p.name in wanted]
    baseline = None
    if args.baseline:
        baseline = {item["label"]: item for item in json.loads(args.baseline.read_text())}
    settings = ReviewSettings()  # the App's defaults
    started = time.monotonic()
    results: list[PairResult] = []
    with tempfile.TemporaryDirectory(prefix="bench-noise-") as tmp:
        for pair in pairs:
            results.append(review_pair(pair, Path(tmp), settings))
    print_table(results, baseline, args.top)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
