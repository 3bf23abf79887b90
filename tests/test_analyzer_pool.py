"""The warm analyzer pool (analyzers/pool.py) with the real tools and real children: the same
findings as the CLIs, a hung or over-limit child killed and replaced, children recycled, and a pool
only where reviews run."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from analyzers.bandit import BanditAnalyzer
from analyzers.base import AnalyzerResult
from analyzers.limits import MIB, ResourceLimits
from analyzers.pool import AnalyzerPool, active_pools, shared_pool, shutdown_pools
from analyzers.secrets import SecretsAnalyzer
from analyzers.tool import ToolAnalyzer
from analyzers.yamllint import YamllintAnalyzer
from bot.web import create_app
from tests.adversarial.test_analyzer_limits import DEEP_YAML
from tests.e2e import (
    INSTALLATION,
    NUMBER,
    OWNER,
    REPO,
    SECRET,
    bot_settings,
    make_world,
    pull_request_payload,
    until,
)
from tests.files import write_file
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.test_bandit import RISKY
from tests.test_secrets import AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN, PEM
from tests.webhooks import delivery_headers

LIMITS = ResourceLimits(memory_bytes=512 * MIB, cpu_seconds=60)
DUP = "name: web\nreplicas: 2\nname: api\n"

# The files of tests/test_bandit.py, test_secrets.py and test_yamllint.py (and a few more cases),
# each with the analyzer options that matter for it.
FILES: dict[str, str | bytes] = {
    "app/run.py": RISKY,
    "multi.py": "import subprocess\nsubprocess.call(\n    'ls',\n    shell=True,\n)\n",
    "bad.py": "def f(:\n",
    "latin.py": b"x = '\xe9\xff'\n",
    "empty.py": "",
    "sp ace/ünï cødé.py": "import pickle\npickle.loads(b'')\n",
    "nosec.py": "import subprocess  # nosec\nsubprocess.call('ls', shell=True)  # nosec B602\n",
    "pw.py": 'password = "' + "hunter2" + '-x"\n',
    ".github/scripts/a.tox.py": "import pickle\n",
    ".bandit": "[bandit]\nskips = B602,B404,B307\n",
    "pyproject.toml": '[tool.bandit]\nskips = ["B602"]\n',
    "deploy/id_rsa": PEM,
    "settings.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"\naws_secret_access_key = "{AWS_SECRET}"\n'
    f'TOKEN = "{GITHUB_TOKEN}"\n',
    "-docs.md": 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"\n',
    "conf/app.ini": 'db_password = "' + "s3cr" + 'et-Pa55w0rd!"\n',
    "allow.py": f'KEY = "{AWS_KEY_ID}"  # pragma: allowlist secret\n',
    "poetry.lock": f'token = "{GITHUB_TOKEN}"\n',
    "deploy/app.yaml": DUP,
    "broken.yml": "items: [1, 2\nother: 3\n",
    "ci.yml": "on:\n  push: {}\nenabled: yes\ncountry: NO\nflag: true\nmode: 0755\na: *nope\n",
    ".yamllint": "rules:\n  key-duplicates: disable\n",
    "-style.yml": "key:   'a very long value that is far too long for eighty columns of text'\nkey: 2\n",
}
# Deep enough for detect-secrets' YAML transformer to die of RecursionError, small enough to cost little.
DEEP = "a: " + "".join("[\n " if i % 100 == 99 else "[" for i in range(3000)) + "]" * 3000 + "\n"
ANALYZERS: list[ToolAnalyzer] = [
    BanditAnalyzer(limits=LIMITS),
    BanditAnalyzer(limits=LIMITS, honor_nosec=False, skips=("B404", "B602")),
    SecretsAnalyzer(limits=LIMITS),
    SecretsAnalyzer(limits=LIMITS, honor_allowlist=False, exclude_secrets=None),
    YamllintAnalyzer(limits=LIMITS),
    YamllintAnalyzer(limits=LIMITS, config="extends: default"),
]


def repository(root: Path) -> list[str]:
    return [write_file(root, path, text) for path, text in FILES.items()]


def comparable(result: AnalyzerResult) -> tuple[object, ...]:
    findings = sorted((f.to_dict() for f in result.findings), key=lambda f: json.dumps(f, sort_keys=True))
    return (findings, sorted(result.notices), result.not_analyzed, result.error, result.version)


@pytest.mark.parametrize("analyzer", ANALYZERS, ids=lambda a: f"{a.name}:{a.config_key()[:40]}")
async def test_findings_equal_the_cli_path(tmp_path: Path, monkeypatch, analyzer: ToolAnalyzer) -> None:
    paths = [p for p in repository(tmp_path) if analyzer.handles(p)]
    monkeypatch.setenv("ANALYZER_POOL", "0")
    cli = await analyzer.run(tmp_path, paths, timeout=120)
    monkeypatch.setenv("ANALYZER_POOL", "1")
    pooled = await analyzer.run(tmp_path, paths, timeout=120)
    again = await analyzer.run(tmp_path, paths, timeout=120)  # a child that has run it before
    assert cli.findings, cli  # each case finds something: equality of nothing proves nothing
    assert comparable(pooled) == comparable(cli)
    assert comparable(again) == comparable(cli)


async def test_a_crash_on_one_file_is_that_files_error_as_with_the_cli(tmp_path: Path, monkeypatch) -> None:
    paths = [
        write_file(tmp_path, "deep.yml", DEEP),
        write_file(tmp_path, "settings.py", FILES["settings.py"]),
    ]
    monkeypatch.setenv("ANALYZER_POOL", "0")
    cli = await SecretsAnalyzer().run(tmp_path, paths, timeout=120)
    monkeypatch.setenv("ANALYZER_POOL", "1")
    pooled = await SecretsAnalyzer().run(tmp_path, paths, timeout=120)
    assert cli.not_analyzed == {"deep.yml": "detect-secrets failed (exit 1): RecursionError"}
    assert comparable(pooled) == comparable(cli) and cli.findings


async def test_reviewed_code_is_never_imported_by_a_child(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    payload = f"open({str(marker)!r}, 'w').write('yes')\n"
    for shadow in ("bandit.py", "json.py", "yaml.py", "detect_secrets.py", "yamllint.py", "site.py", "re.py"):
        write_file(tmp_path, shadow, payload)
    write_file(tmp_path, "conf.yml", DUP)
    rel = write_file(tmp_path, "run.py", RISKY)
    for analyzer in (BanditAnalyzer(), SecretsAnalyzer(), YamllintAnalyzer()):
        result = await analyzer.run(tmp_path, [rel, "conf.yml", "bandit.py"], timeout=60)
        assert result.error is None, result
    assert not marker.exists()


async def test_a_hung_child_is_killed_and_replaced_and_the_batch_says_so(tmp_path: Path) -> None:
    write_file(tmp_path, "deep.yml", DEEP_YAML)  # seconds of CPU for yamllint
    write_file(tmp_path, "dup.yml", DUP)
    pool = AnalyzerPool(limits=LIMITS, size=1)
    try:
        args = {"config": "{rules: {key-duplicates: enable}}"}
        first = await pool.run(
            "yamllint", {**args, "files": ["./dup.yml"]}, tmp_path, timeout=60, limits=LIMITS
        )
        [before] = pool.pids()
        hung = await pool.run(
            "yamllint", {**args, "files": ["./deep.yml"]}, tmp_path, timeout=0.5, limits=LIMITS
        )
        assert hung.timed_out and hung.stdout == b""
        assert not alive(before)
        after = await pool.run(
            "yamllint", {**args, "files": ["./dup.yml"]}, tmp_path, timeout=60, limits=LIMITS
        )
        assert after.stdout == first.stdout and b"key-duplicates" in after.stdout
        assert pool.pids() and before not in pool.pids()
    finally:
        pool.close()
    result = await YamllintAnalyzer(limits=LIMITS).run(tmp_path, ["deep.yml"], timeout=1)
    assert result.error == "yamllint timed out after 1 s"  # the review says so: incomplete, not passed
    assert result.not_analyzed == {"deep.yml": result.error}


async def test_a_child_over_its_cpu_cap_is_killed_by_the_kernel_and_replaced(tmp_path: Path) -> None:
    write_file(tmp_path, "deep.yml", DEEP_YAML)
    write_file(tmp_path, "dup.yml", DUP)
    analyzer = YamllintAnalyzer(limits=ResourceLimits(memory_bytes=LIMITS.memory_bytes, cpu_seconds=1))
    result = await analyzer.run(tmp_path, ["deep.yml", "dup.yml"], timeout=60)
    assert result.not_analyzed == {"deep.yml": "yamllint was stopped by its CPU-time limit of 1 s"}
    assert [f.rule_id for f in result.findings] == ["key-duplicates"]


async def test_a_child_over_its_memory_cap_is_stopped_and_replaced(tmp_path: Path, monkeypatch) -> None:
    # 64 MB of data: a child holds ~31 MB once the tools are imported; yamllint reads the whole
    # file, then decodes it, which the cap refuses (MemoryError).
    (tmp_path / "big.yml").write_bytes(b"a: 1\n" * (10 * 1024 * 1024))
    write_file(tmp_path, "dup.yml", DUP)
    capped = ResourceLimits(memory_bytes=64 * MIB, cpu_seconds=60)
    shutdown_pools()
    monkeypatch.setenv("ANALYZER_POOL_SIZE", "1")
    pool = shared_pool(capped)
    assert pool is not None
    analyzer = YamllintAnalyzer(limits=capped)
    assert (await analyzer.run(tmp_path, ["dup.yml"], timeout=60)).findings
    [before] = pool.pids()
    result = await analyzer.run(tmp_path, ["big.yml", "dup.yml"], timeout=60)
    assert result.not_analyzed == {"big.yml": "yamllint was stopped by its memory limit of 64 MB"}
    assert [f.rule_id for f in result.findings] == ["key-duplicates"]
    assert not alive(before) and before not in pool.pids()  # retired, and replaced:
    assert pool.started >= 2
    shutdown_pools()


async def test_children_are_recycled_after_max_tasks(tmp_path: Path) -> None:
    rel = write_file(tmp_path, "run.py", RISKY)
    pool = AnalyzerPool(limits=LIMITS, size=1, max_tasks=2)
    pool.warm()
    args = {"skips": [], "honor_nosec": True, "files": [f"./{rel}"]}
    try:
        served: list[set[int]] = []
        for _ in range(6):
            await until(lambda: len(pool.pids()) == 1)  # the replacement is started in the background
            served.append(pool.pids())
            result = await pool.run("bandit", args, tmp_path, timeout=60, limits=LIMITS)
            assert result.returncode == 1 and b"B602" in result.stdout
        assert served[0] == served[1] != served[2] == served[3] != served[4] == served[5]
        assert pool.started == 3
        assert not any(alive(pid) for pids in served[:4] for pid in pids)
    finally:
        pool.close()
    assert not any(alive(pid) for pid in served[-1])


async def test_a_child_runs_below_the_receiver_also_between_sessions() -> None:
    """A child leads its own session; where Linux shares the CPU by session first (autogroup),
    that session's weight is lowered too, else its nice value would not count against the
    receiver's."""
    from analyzers.limits import NICENESS

    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if not autogroup.exists() or autogroup.read_text().strip() != "1":
        pytest.skip("this kernel groups no processes by session")
    pool = AnalyzerPool(limits=LIMITS, size=1, max_tasks=2)
    pool.warm()
    try:
        await until(lambda: len(pool.pids()) == 1)
        [pid] = pool.pids()
        assert os.getsid(pid) == pid
        assert Path(f"/proc/{pid}/autogroup").read_text().split()[-1] == str(NICENESS)
    finally:
        pool.close()


async def test_a_caller_cancelled_mid_run_leaves_no_child_running(tmp_path: Path) -> None:
    write_file(tmp_path, "deep.yml", DEEP_YAML)
    write_file(tmp_path, "dup.yml", DUP)
    pool = AnalyzerPool(limits=LIMITS, size=1)
    config = "{rules: {key-duplicates: enable}}"
    try:
        await pool.run(
            "yamllint", {"config": config, "files": ["./dup.yml"]}, tmp_path, timeout=60, limits=LIMITS
        )
        [pid] = pool.pids()  # warm and idle: the next task is its
        args = {"config": config, "files": ["./deep.yml"]}
        task = asyncio.create_task(pool.run("yamllint", args, tmp_path, timeout=60, limits=LIMITS))
        await asyncio.sleep(0.3)  # well into the file (seconds of CPU): cancelling must not wait for it
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await until(lambda: not alive(pid), timeout=10)
    finally:
        pool.close()


async def test_a_missing_interpreter_is_a_could_not_start(tmp_path: Path) -> None:
    pool = AnalyzerPool(limits=LIMITS, executable=str(tmp_path / "nope" / "python"))
    try:
        result = await pool.run(
            "yamllint", {"config": "{}", "files": []}, tmp_path, timeout=10, limits=LIMITS
        )
        assert result.returncode is None and b"cannot run" in result.stderr
    finally:
        pool.close()


async def test_pool_off_runs_the_cli(tmp_path: Path, monkeypatch) -> None:
    shutdown_pools()
    monkeypatch.setenv("ANALYZER_POOL", "0")
    rel = write_file(tmp_path, "run.py", RISKY)
    result = await BanditAnalyzer().run(tmp_path, [rel], timeout=60)
    assert "B602" in {f.rule_id for f in result.findings}
    assert active_pools() == []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- where pools live ------------------------------------------------------------------------------


async def test_the_receiver_only_app_creates_no_pool(
    aiohttp_client, github_double: GitHubDouble, tmp_path: Path, redis_server
) -> None:
    shutdown_pools()
    repo = make_repo(tmp_path / "hello", {"README.md": "x\n"})
    commit(repo, {"app.py": RISKY}, branch="feature", message="risky")
    settings = replace(bot_settings(github_double.base_url), redis_url=redis_server.url)
    receiver = await aiohttp_client(create_app(settings, role="receiver"))
    github_double.add_repo(OWNER, REPO, repo)
    github_double.add_installation(INSTALLATION, repos=[f"{OWNER}/{REPO}"])
    github_double.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    body = json.dumps(pull_request_payload(github_double, "opened")).encode()
    headers = delivery_headers("pull_request", body, SECRET, str(uuid.uuid4()))
    assert (await receiver.post("/webhook", data=body, headers=headers)).status == 202
    # Anything the receiver analyzes itself (a REST API request) runs the command lines instead.
    assert shared_pool(LIMITS) is None and active_pools() == []
    await receiver.close()
    assert active_pools() == []
    assert shared_pool(LIMITS) is not None  # the receiver gone, a review here may have one again
    shutdown_pools()


async def test_the_single_process_app_reviews_in_the_pool_and_stops_it(
    aiohttp_client, github_double: GitHubDouble, tmp_path: Path
) -> None:
    shutdown_pools()
    repo = make_repo(tmp_path / "hello", {"README.md": "x\n"})
    commit(repo, {"app.py": RISKY, "conf.yml": DUP}, branch="feature", message="risky")
    world = await make_world(aiohttp_client, github_double, repo)
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()
    [review] = world.reviews()
    assert "B602" in json.dumps(review) and "key-duplicates" in json.dumps(review)
    [pool] = active_pools()
    children = pool.pids()
    assert children and pool.started >= 1
    await world.bot.close()
    assert active_pools() == [] and pool.closed
    # A child busy at close is killed at once and reaped by the thread that ran its task: poll.
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in children):
        assert time.monotonic() < deadline, [pid for pid in children if alive(pid)]
        await asyncio.sleep(0.05)
