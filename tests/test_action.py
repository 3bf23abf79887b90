"""The GitHub Action end to end: action.yml's own `run:` step, started the way the runner starts it,
against the strict GitHub double with a real pull_request event file and a shallow checkout."""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from analyzers.actions import check_files
from bot.demo import BASE_FILES, EXPECTED_FINDINGS, HEAD_FILES
from tests.ghdouble import GitHubDouble, commit, make_repo
from tests.ghdouble.keys import app_key_pair
from tests.test_sarif import VALIDATOR
from tests.webhooks import load_payload

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
OWNER, REPO, NUMBER = "Codertocat", "Hello-World", 2
ACTIONS_BOT = "github-actions[bot]"
RUN_TIMEOUT = 300  # one review with every analyzer, on this shared 2-core machine
EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


@pytest.fixture
async def github() -> AsyncIterator[GitHubDouble]:
    """The double, posting as the job's token does: as github-actions[bot]."""
    double = GitHubDouble(app_id=12345, public_key_pem=app_key_pair().public_pem, bot_login=ACTIONS_BOT)
    await double.start()
    yield double
    await double.stop()


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    path = make_repo(tmp_path / "origin", BASE_FILES)
    commit(path, HEAD_FILES, branch="feature", message="introduce problems")
    return path


@dataclass
class Job:
    """One Actions job of the pull request: its event file, token, workspace and runner files."""

    github: GitHubDouble
    root: Path
    token: str
    event_name: str = "pull_request"
    event: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    workspace_ref: str = "feature"

    @property
    def workspace(self) -> Path:
        return self.root / "workspace"

    @property
    def runner_temp(self) -> Path:
        return self.root / "runner-temp"

    @property
    def output_file(self) -> Path:
        return self.root / "github_output"

    @property
    def summary_file(self) -> Path:
        return self.root / "step_summary.md"

    def outputs(self) -> dict[str, str]:
        lines = self.output_file.read_text(encoding="utf-8").splitlines() if self.output_file.exists() else []
        return dict(line.split("=", 1) for line in lines)

    def posted(self, kind: str) -> list[dict[str, Any]]:
        store = {"reviews": self.github.reviews, "comments": self.github.review_comments}[kind]
        return [item for key, items in store.items() if key[2] == NUMBER for item in items]

    def summaries(self) -> list[dict[str, Any]]:
        return [
            c
            for key, items in self.github.issue_comments.items()
            if key[2] == NUMBER
            for c in items
            if "review-bot:summary" in c["body"]
        ]

    def check_runs(self) -> list[dict[str, Any]]:
        return [run for runs in self.github.check_runs.values() for run in runs]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def pull_request_event(github: GitHubDouble, action: str = "opened") -> dict[str, Any]:
    """A real pull_request payload (GitHub's own example), pointed at the double's pull request,
    as Actions writes it to GITHUB_EVENT_PATH: no installation in it."""
    data = load_payload("pull_request", action)
    pull = github.pulls[OWNER.lower(), REPO.lower(), NUMBER].data
    data["number"] = NUMBER
    data["pull_request"]["number"] = NUMBER
    data["pull_request"]["head"]["sha"] = pull["head"]["sha"]
    data["pull_request"]["base"]["sha"] = pull["base"]["sha"]
    data["pull_request"]["base"]["ref"] = "main"
    data["pull_request"]["draft"] = False
    data["repository"]["clone_url"] = github.git_url(OWNER, REPO)
    data["pull_request"]["head"]["repo"]["clone_url"] = github.git_url(OWNER, REPO)
    data.pop("installation", None)
    return data


async def make_job(github: GitHubDouble, repo: Path, root: Path, **changes: Any) -> Job:
    github.add_repo(OWNER, REPO, repo)
    github.add_pull(OWNER, REPO, NUMBER, base="main", head="feature")
    job = Job(github, root, github.add_actions_token(OWNER, REPO), **changes)
    job.event = job.event or pull_request_event(github)
    return job


def expand(value: str, context: dict[str, str]) -> str:
    """The runner's expansion of ``${{ name }}`` in an env value (only names, as action.yml uses)."""
    return EXPRESSION.sub(lambda m: context[m.group(1)], value)


def review_step() -> dict[str, Any]:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "review"]
    return step


def install_stand_in(job: Job) -> None:
    """What the install step leaves behind, for this test: the venv's ``review-bot``, here a
    script starting ``python -I -m bot`` from the test's own environment (-I: as the console
    script, without the working directory, which is the PR's checkout, on sys.path)."""
    bin_dir = job.runner_temp / "review-bot-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "review-bot"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -m bot "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def clone_workspace(job: Job, origin: Path) -> None:
    """actions/checkout's default: a shallow clone (fetch-depth 1)."""
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            job.workspace_ref,
            origin.as_uri(),
            str(job.workspace),
        ],
        check=True,
        timeout=60,
    )


async def run_step(job: Job, *, token: str | None = None) -> Run:
    """action.yml's review step: its script, with its ``env:`` expanded as the runner does, run by
    ``bash --noprofile --norc -eo pipefail`` in the workspace, beside the variables Actions sets."""
    step = review_step()
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs |= job.inputs
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context["runner.temp"] = str(job.runner_temp)
    context["github.token"] = job.token if token is None else token
    context["inputs.github-token"] = expand(inputs["github-token"], context)
    event_path = job.root / "event.json"
    event_path.write_text(json.dumps(job.event), encoding="utf-8")
    service = job.root / "service.yml"  # GitHub asks for 1 s between mutations; the double does not
    service.write_text("rate_limiting:\n  mutation_interval_seconds: 0.02\n", encoding="utf-8")
    home = job.root / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(job.runner_temp),
        "GITHUB_EVENT_NAME": job.event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_API_URL": job.github.base_url,
        "GITHUB_SERVER_URL": job.github.web_origin,
        "GITHUB_REPOSITORY": f"{OWNER}/{REPO}",
        "GITHUB_WORKSPACE": str(job.workspace),
        "GITHUB_OUTPUT": str(job.output_file),
        "GITHUB_STEP_SUMMARY": str(job.summary_file),
        "GITHUB_ACTION_PATH": str(ROOT),
        "REVIEW_BOT_CONFIG": str(service),
        **{name: expand(str(value), context) for name, value in step["env"].items()},
    }
    script = job.root / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        "bash",
        "--noprofile",
        "--norc",
        "-eo",
        "pipefail",
        str(script),
        cwd=job.workspace,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:  # the double answers from this event loop: wait without blocking it
        stdout, stderr = await asyncio.wait_for(proc.communicate(), RUN_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return Run(proc.returncode or 0, stdout.decode(), stderr.decode())


async def ready_job(github: GitHubDouble, repo: Path, tmp_path: Path, **changes: Any) -> Job:
    job = await make_job(github, repo, tmp_path / "job", **changes)
    job.root.mkdir(parents=True, exist_ok=True)
    clone_workspace(job, repo)
    install_stand_in(job)
    return job


def placed(review: dict[str, Any]) -> set[tuple[str, int, str]]:
    """(path, line, rule) of each inline comment, the rule read from the comment text."""
    return {(c["path"], c["line"], re.search(r"`([^`]+)`", c["body"]).group(1)) for c in review["comments"]}


def tools_of(check_run: dict[str, Any]) -> set[str]:
    """The tools of a check run's annotations (their title is "tool rule")."""
    return {a["title"].split(" ")[0] for a in check_run["annotations"]}


def assert_no_token(job: Job, *texts: str) -> None:
    bodies = [c["body"] for c in job.posted("comments")] + [c["body"] for c in job.summaries()]
    bodies += [r.get("body") or "" for r in job.posted("reviews")]
    bodies += [json.dumps(run) for run in job.check_runs()]
    for path in (job.output_file, job.summary_file, *job.workspace.glob("*.sarif")):
        if path.exists():
            bodies.append(path.read_text(encoding="utf-8"))
    assert all(job.token not in text for text in (*texts, *bodies))


# --- the review, as the App gives it ---------------------------------------------------------


async def test_the_action_posts_the_apps_review_check_run_and_summary_once(github, demo_repo, tmp_path):
    job = await ready_job(github, demo_repo, tmp_path, inputs={"sarif-file": "review-bot.sarif"})
    first = await run_step(job)

    assert first.code == 1, first.stdout + first.stderr  # errors reach the default fail-on, `error`
    [review] = job.posted("reviews")
    assert placed(review) == EXPECTED_FINDINGS
    assert review["user"]["login"] == ACTIONS_BOT
    assert all(c["side"] == "RIGHT" for c in review["comments"])
    [run] = job.check_runs()
    assert (run["name"], run["status"], run["conclusion"]) == ("review-bot", "completed", "failure")
    assert len(run["annotations"]) == len(EXPECTED_FINDINGS)
    [summary] = job.summaries()
    assert f"{len(EXPECTED_FINDINGS)} findings" in summary["body"]
    assert summary["user"]["login"] == ACTIONS_BOT

    sarif = json.loads((job.workspace / "review-bot.sarif").read_text(encoding="utf-8"))
    assert [f"{e.message}" for e in VALIDATOR.iter_errors(sarif)] == []
    located = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for run_ in sarif["runs"]
        for r in run_["results"]
    }
    assert {(path, rule) for path, _, rule in EXPECTED_FINDINGS} <= located
    outputs = job.outputs()
    assert outputs["findings"] == str(len(EXPECTED_FINDINGS))
    assert outputs["conclusion"] == "failure"
    assert outputs["sarif-file"] == str(job.workspace / "review-bot.sarif")
    assert "app/files.py" in job.summary_file.read_text(encoding="utf-8")
    assert "reviewing Codertocat/Hello-World#2" in first.stdout
    assert re.search(
        r"^::error::review-bot: \d+ finding\(s\) at or above fail-on `error`$", first.stdout, re.M
    )
    [pause] = re.findall(r"^::stop-commands::([0-9a-f]{32})$", first.stdout, re.M)
    assert f"\n::{pause}::\n" in first.stdout  # the PR's text was printed with commands off

    # A re-run of the job (same head): nothing said twice, the summary edited in place.
    comments_before = len(job.posted("comments"))
    second = await run_step(job)
    assert second.code == 1, second.stdout + second.stderr
    assert len(job.posted("reviews")) == 1
    assert len(job.posted("comments")) == comments_before
    assert len(job.summaries()) == 1
    assert [r["conclusion"] for r in job.check_runs()] == ["failure", "failure"]
    assert_no_token(job, first.stdout, first.stderr, second.stdout, second.stderr)


async def test_inputs_choose_fail_on_filter_mode_and_a_config_file(github, demo_repo, tmp_path):
    job = await ready_job(
        github,
        demo_repo,
        tmp_path,
        inputs={"fail-on": "never", "filter-mode": "file", "config": "ci/review-bot.yml"},
    )
    (job.workspace / "ci").mkdir()
    (job.workspace / "ci" / "review-bot.yml").write_text(
        "fail_on: note\nanalyzers:\n  semgrep: false\n  detect-secrets: false\n", encoding="utf-8"
    )
    result = await run_step(job)

    assert result.code == 0, result.stdout + result.stderr  # the input's `never` over the file's `note`
    [run] = job.check_runs()
    assert run["conclusion"] == "success"
    assert run["annotations"] and "semgrep" not in tools_of(run)  # the file switched it off
    assert job.outputs()["conclusion"] == "success"
    assert job.outputs()["sarif-file"] == ""


async def test_policy_comes_from_the_base_branch_not_the_pull_request(github, tmp_path):
    """The base says fail on warnings; the PR's own copy of the file says never fail and turns
    every analyzer off. Under pull_request_target, with the base checked out (the safe way)."""
    base_config = "fail_on: warning\nanalyzers:\n  semgrep: false\n"
    repo = make_repo(tmp_path / "origin", {**BASE_FILES, ".github/review-bot.yml": base_config})
    off = "\n".join(f"  {name}: false" for name in ("ruff", "bandit", "semgrep", "shellcheck", "hadolint"))
    commit(repo, {**HEAD_FILES, ".github/review-bot.yml": f"fail_on: never\nanalyzers:\n{off}\n"})
    job = await ready_job(github, repo, tmp_path, event_name="pull_request_target", workspace_ref="main")
    result = await run_step(job)

    assert result.code == 1, result.stdout + result.stderr
    assert "::notice::review-bot: on pull_request_target" in result.stdout
    [run] = job.check_runs()
    assert run["conclusion"] == "failure"
    assert {"ruff", "bandit"} <= tools_of(run) and "semgrep" not in tools_of(run)  # the base's choice


async def test_a_fork_pull_request_with_a_read_only_token_is_reviewed_without_posting(
    github, demo_repo, tmp_path
):
    job = await ready_job(github, demo_repo, tmp_path, inputs={"sarif-file": "out/review.sarif"})
    job.event["pull_request"]["head"]["repo"]["clone_url"] = "https://github.invalid/fork/Hello-World.git"
    message = {"message": "Resource not accessible by integration"}
    github.fail_next("POST", r"/repos/.*/check-runs$", 403, body=message)
    result = await run_step(job)

    assert result.code == 1, result.stdout + result.stderr
    assert "::warning::review-bot: not posting the review (GitHub answered 403" in result.stdout
    assert job.posted("reviews") == [] and job.summaries() == [] and job.check_runs() == []
    sarif = json.loads((job.workspace / "out" / "review.sarif").read_text(encoding="utf-8"))
    assert sum(len(r["results"]) for r in sarif["runs"]) >= len(EXPECTED_FINDINGS)
    assert job.outputs()["conclusion"] == "failure"


async def test_a_token_without_checks_write_is_an_error_naming_the_permissions(github, demo_repo, tmp_path):
    """Not a fork: the token should write, so a 403 means the workflow's permissions lack it."""
    job = await ready_job(github, demo_repo, tmp_path)
    message = {"message": "Resource not accessible by integration"}
    github.fail_next("POST", r"/repos/.*/check-runs$", 403, body=message)
    result = await run_step(job)

    assert result.code == 2, result.stdout + result.stderr
    assert re.search(r"^::error::review-bot: GitHub refused a request: .*403", result.stdout, re.M)
    assert "permissions: {contents: read, pull-requests: write, checks: write}" in result.stdout
    assert job.posted("reviews") == [] and job.summaries() == []


async def test_a_head_that_cannot_be_fetched_closes_the_check_run_as_failed(github, demo_repo, tmp_path):
    job = await ready_job(github, demo_repo, tmp_path)
    job.event["pull_request"]["head"]["sha"] = "0123456789abcdef0123456789abcdef01234567"  # not in the repo
    result = await run_step(job)

    assert result.code == 2, result.stdout + result.stderr
    assert re.search(r"^::error::review-bot: .*fetch", result.stdout, re.M)
    assert "fetch-depth does not matter" in result.stdout
    [run] = job.check_runs()
    assert (run["status"], run["conclusion"]) == ("completed", "failure")
    assert job.posted("reviews") == []
    assert_no_token(job, result.stdout, result.stderr)


async def test_the_pull_requests_text_in_the_log_cannot_issue_workflow_commands(github, tmp_path):
    """A file named like a workflow command: its findings are printed only while commands are off."""
    repo = make_repo(tmp_path / "origin", {"README.md": "hello\n"})
    commit(repo, {"::error::forged.py": "import os\n", "%0A::warning::x.py": "import sys\n"})
    job = await ready_job(github, repo, tmp_path, inputs={"fail-on": "never"})
    result = await run_step(job)

    assert result.code == 0, result.stdout + result.stderr
    [token] = re.findall(r"^::stop-commands::([0-9a-f]{32})$", result.stdout, re.M)
    before, paused, after = re.split(rf"^::stop-commands::{token}$|^::{token}::$", result.stdout, flags=re.M)
    assert "forged.py:1:8: warning F401" in paused and "x.py:1:8: warning F401" in paused
    assert not re.search(r"^::", before + after, re.M)  # no command outside the pause, none forged


# --- what the Action refuses or skips --------------------------------------------------------


@pytest.mark.parametrize("event_name", ["push", "workflow_dispatch"])
async def test_an_event_that_is_not_a_pull_request_is_skipped_with_a_message(
    github, demo_repo, tmp_path, event_name
):
    job = await ready_job(
        github, demo_repo, tmp_path, event_name=event_name, event={"ref": "refs/heads/main"}
    )
    result = await run_step(job)
    assert result.code == 0
    assert f"::warning::review-bot: nothing to review: this job runs on `{event_name}`" in result.stdout
    assert job.check_runs() == [] and job.posted("reviews") == []


async def test_a_closed_pull_request_is_not_reviewed(github, demo_repo, tmp_path):
    job = await ready_job(github, demo_repo, tmp_path)
    job.event["action"] = "closed"
    result = await run_step(job)
    assert result.code == 0
    assert "::notice::review-bot: pull request #2 is closed: not reviewed" in result.stdout
    assert job.check_runs() == []


async def test_a_missing_token_is_a_clear_error(github, demo_repo, tmp_path):
    job = await ready_job(github, demo_repo, tmp_path, inputs={"github-token": ""})
    result = await run_step(job)
    assert result.code == 2
    assert "::error::review-bot: no GitHub token" in result.stdout
    assert job.check_runs() == []


async def test_a_malformed_event_names_the_field(github, demo_repo, tmp_path):
    job = await ready_job(github, demo_repo, tmp_path)
    job.event["pull_request"]["head"]["sha"] = "not-a-sha"
    result = await run_step(job)
    assert result.code == 2
    assert "::error::review-bot: the pull_request event file: payload field pull_request.head.sha" in (
        result.stdout
    )
    assert job.check_runs() == []


async def test_pull_request_target_refuses_a_checkout_of_the_pull_requests_code(github, demo_repo, tmp_path):
    job = await ready_job(
        github, demo_repo, tmp_path, event_name="pull_request_target", workspace_ref="feature"
    )
    result = await run_step(job)
    assert result.code == 2
    assert "has checked out the pull request's own code" in result.stdout
    assert job.check_runs() == [] and job.posted("reviews") == []


async def test_a_bad_input_value_is_refused_before_any_call(github, demo_repo, tmp_path):
    job = await ready_job(github, demo_repo, tmp_path, inputs={"fail-on": "critical"})
    result = await run_step(job)
    assert result.code == 2
    assert "'critical' is not one of error, warning, note, never" in result.stderr
    assert github.requests == []


# --- action.yml itself --------------------------------------------------------------------


def test_action_yml_is_a_composite_action_with_documented_inputs():
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] and ACTION["description"]
    assert set(ACTION["inputs"]) == {"github-token", "fail-on", "filter-mode", "config", "sarif-file"}
    for name, spec in ACTION["inputs"].items():
        assert len(spec["description"]) > 40, name
        assert spec.get("required") is False, name
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    for name, spec in ACTION["outputs"].items():
        assert spec["description"] and "steps.review.outputs." + name in spec["value"]


def test_run_steps_use_bash_and_take_inputs_only_through_env():
    steps = ACTION["runs"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert len(runs) == 2
    for step in runs:
        assert step["shell"] == "bash", step["name"]
        assert "${{" not in step["run"], f"an expression pasted into the script of {step['name']!r}"
        # Python never imports from the working directory, which holds the pull request's code.
        assert "python -m" not in step["run"] and "python3 -m" not in step["run"]
    used = {m for s in runs for v in s.get("env", {}).values() for m in EXPRESSION.findall(str(v))}
    inputs = {m.removeprefix("inputs.") for m in used if m.startswith("inputs.")}
    assert inputs == set(ACTION["inputs"])  # every input reaches the bot, through env
    for step in steps:
        if "uses" in step:
            assert step["uses"].split("@")[0] == "actions/setup-python"


def test_install_step_installs_exactly_the_lock_as_the_image_does():
    [install] = [s for s in ACTION["runs"]["steps"] if s.get("name") == "Install review-bot"]
    script = " ".join(install["run"].replace("\\\n", " ").split())
    assert '--require-hashes --no-deps -r "${GITHUB_ACTION_PATH}/requirements.lock"' in script
    assert '--no-deps --no-build-isolation --no-index "${GITHUB_ACTION_PATH}"' in script
    header = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()[1]
    assert "--require-hashes -r requirements.lock" in header and "--no-build-isolation" in header


def test_the_bots_own_actions_rules_find_nothing_in_action_yml():
    report = check_files(ROOT, ["action.yml"], pin_first_party=False)
    assert report.findings == [] and report.not_analyzed == {} and report.notices == []


# --- the README's workflow ------------------------------------------------------------------

PLACEHOLDER = "FULL_40_CHARACTER_COMMIT_SHA"


def readme_blocks() -> list[str]:
    """The YAML blocks of the README's "GitHub Action" section, dedented, the commit placeholder
    filled in as the reader is told to."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## GitHub Action\n", 1)[1].split("\n## ", 1)[0]
    blocks = [textwrap.dedent(b) for b in re.findall(r"```yaml\n(.*?)\n *```", section, re.S)]
    assert len(blocks) == 2 and all(PLACEHOLDER in b for b in blocks)
    return [b.replace(PLACEHOLDER, "0123456789abcdef0123456789abcdef01234567") for b in blocks]


def check_workflow(root: Path, text: str) -> list[Any]:
    path = root / ".github" / "workflows" / "review-bot.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    report = check_files(root, [".github/workflows/review-bot.yml"], pin_first_party=False)
    assert report.not_analyzed == {} and report.notices == []
    return report.findings


def review_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if "/autogen-review-bot@" in s.get("uses", "")]


def test_the_readme_workflow_is_a_safe_workflow_using_this_action(tmp_path):
    text, _ = readme_blocks()
    workflow = yaml.safe_load(text)
    assert set(workflow[True]) == {"pull_request"}  # YAML 1.1 reads the key `on` as True
    [job] = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "pull-requests": "write", "checks": "write"}
    assert review_steps(job["steps"])
    assert check_workflow(tmp_path, text) == []
    # The optional inputs it shows, commented out: each one an input, and the workflow as safe with them.
    uncommented = re.sub(r"^( *)# (?!\.github/workflows/)", r"\1", text, flags=re.M)  # not the file's name
    [review] = review_steps(yaml.safe_load(uncommented)["jobs"]["review"]["steps"])
    assert review["with"] and set(review["with"]) <= set(ACTION["inputs"])
    assert check_workflow(tmp_path, uncommented) == []


def test_the_readmes_sarif_steps_upload_what_the_action_writes(tmp_path):
    _, fragment = readme_blocks()
    steps = yaml.safe_load(fragment)
    [review] = review_steps(steps)
    assert set(review["with"]) <= set(ACTION["inputs"])
    [upload] = [s for s in steps if s["uses"].startswith("github/codeql-action/upload-sarif@")]
    assert upload["with"]["sarif_file"] == review["with"]["sarif-file"]
    assert "steps.review.outputs.sarif-file" in upload["if"]  # it runs after a failing review too
    workflow = {
        "on": {"pull_request": None},
        "jobs": {"review": {"runs-on": "ubuntu-latest", "permissions": {"contents": "read"}, "steps": steps}},
    }
    assert check_workflow(tmp_path, yaml.safe_dump(workflow, sort_keys=False)) == []
