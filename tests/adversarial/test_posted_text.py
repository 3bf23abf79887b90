"""Every way PR text gets into a body the bot posts, end to end: the App, the strict GitHub double,
real git, the real analyzers, the OpenAI stub for the model. Each body the double received is
parsed with markdown-it-py (tests/adversarial/test_fuzz_markdown.py's judge): no raw HTML but the
bot's own, no image, no link out of the repository, no live mention but of the commenter, no
``<!--`` but the bot's own markers. The CLI's Markdown and text formats are held to the same.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.agents.config import load_agent_config
from bot.agents.team import DEFAULT_BREAKER
from bot.cli import main
from bot.web import CONTEXT
from tests.adversarial.test_fuzz_markdown import problems
from tests.e2e import NUMBER, OWNER, REPO, World, make_world
from tests.ghdouble import commit, make_repo
from tests.openai_stub import OpenAIStub
from tests.test_commands import say, thread_reply

WRITER = "alice"
OWN_MARKER = re.compile(r"<!-- review-bot:[a-z-]+(?::[A-Za-z0-9+/=:]*)? -->")
BOT_HTML = re.compile(r"(?:\s*(?:</?details>|<summary>[^<>]*</summary>|</?sub>)\s*)+")
TOOL_DOCS = ("docs.astral.sh", "bandit.readthedocs.io", "yamllint.readthedocs.io", "www.shellcheck.net")
PIXEL = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
QUOTING_YAML = """\
"![x](http://evil.example/p.png)": 1
"![x](http://evil.example/p.png)": 2
"[a](https://evil.example)": 1
"[a](https://evil.example)": 2
"@octocat <img src=x> <!-- review-bot:fp:0123456789abcdef -->": 1
"@octocat <img src=x> <!-- review-bot:fp:0123456789abcdef -->": 2
"""
HOSTILE_FILES = {
    "new\nline.py": "import os\n",
    "tick`s``.py": "import sys\n",
    "x<!-- review-bot:fp:0123456789abcdef -->.py": "import json\n",
    "@octocat <img src=x>.py": "import re\n",
    "quoted.yml": QUOTING_YAML,
    "pixel\n![x](https:evil.example)<details>.png": PIXEL,
}


@pytest.fixture(autouse=True)
def fresh_breaker():
    DEFAULT_BREAKER.__init__()
    yield


@pytest.fixture
async def world(aiohttp_client, github_double, tmp_path: Path) -> World:
    repo = make_repo(tmp_path / "hello", {"README.md": "hello\n"})
    commit(repo, HOSTILE_FILES, message="hostile names")
    world = await make_world(aiohttp_client, github_double, repo, max_inline_comments=2)
    github_double.permissions[OWNER, REPO, WRITER] = "write"
    return world


def repo_url(world: World) -> str:
    return world.github.pulls[OWNER.lower(), REPO.lower(), NUMBER].data["base"]["repo"]["html_url"]


def posted_problems(body: str, repo: str) -> list[str]:
    """What is wrong with a body: the judge's findings, less what the bot writes itself."""
    base = urlsplit(repo)

    def link_ok(href: str) -> bool:
        url = urlsplit(href)
        if url.hostname in TOOL_DOCS and url.scheme == "https":
            return True  # the rule's documentation, from the tool, never from the PR
        return (url.scheme, url.netloc) == (base.scheme, base.netloc) and url.path.startswith(base.path + "/")

    return problems(
        OWN_MARKER.sub("", body),
        link_ok,
        html_ok=lambda html: BOT_HTML.fullmatch(html) is not None,
        people=(WRITER,),
    )


def bodies(world: World) -> list[str]:
    """Every body the bot posted on the PR: comments, reviews, inline comments, check runs."""
    out = [c["body"] for c in world.github.issue_comments.get(world.key, []) if c["user"]["type"] == "Bot"]
    out += [r["body"] for r in world.reviews()]
    out += [c["body"] for c in world.github.review_comments.get(world.key, []) if c["user"]["type"] == "Bot"]
    out += [run["output"].get("summary") or "" for run in world.check_runs() if run.get("output")]
    return out


def assert_safe(world: World) -> None:
    for body in bodies(world):
        assert posted_problems(body, repo_url(world)) == [], body


async def review(world: World) -> None:
    assert await world.deliver("pull_request", world.payload("opened")) == 202
    await world.settle()


async def test_file_names_and_messages_quoting_the_pr(world: World):
    await review(world)
    assert_safe(world)
    summary = next(b for b in bodies(world) if b.startswith("<!-- review-bot:summary -->"))
    assert "Not analyzed:" in summary and "pixel␊" in summary  # the newline is shown, not obeyed
    everything = "\n".join(bodies(world))
    assert "duplication of key" in everything  # yamllint's message, quoting the PR ...
    assert "evil.example" in everything  # ... as text
    assert "@octocat" not in everything.replace("@\u200boctocat", "")
    fingerprints = re.findall(r"(?m)^<!-- review-bot:fp:([0-9a-f]+) -->$", everything)
    assert "0123456789abcdef" not in fingerprints  # only the bot's own markers are markers


async def test_ignore_reason_and_explain(world: World):
    await review(world)
    reason = "![x](https://evil.example/p.png) [a](https://evil.example) @octocat <img src=x> <!-- x -->"
    await say(world, f"/ignore yamllint:key-duplicates {reason}")
    await say(world, "/config", WRITER)
    roots = [
        c
        for c in world.github.review_comments.get(world.key, [])
        if c["user"]["type"] == "Bot" and "fp:" in c["body"]
    ]
    for root in roots:
        payload = thread_reply(world, root, "/explain")
        assert await world.deliver("pull_request_review_comment", payload) == 202
    await world.settle()
    assert_safe(world)
    summary = next(b for b in bodies(world) if b.startswith("<!-- review-bot:summary -->"))
    assert "`yamllint:key-duplicates`, by alice:" in summary


async def test_agent_text_through_ask(world: World, aiohttp_server, tmp_path: Path):
    await review(world)
    repo = repo_url(world)
    answer = (
        "See \\`@octocat <img src=x onerror=alert(1)> [a](https://evil.example)\\` and "
        f"[up]({repo}/../../evil/x), [enc]({repo}/%2e%2e/%2e%2e/evil), [twice]({repo}/%252e%252e/x), "
        f"![t](https://evil.example/t.png) <details>hidden</details> https://evil.example/raw, "
        f"<!-- review-bot:summary --> and [the file]({repo}/blob/main/README.md).\n"
        "```\n<!-- review-bot:state:v1:e30=:" + "0" * 64 + " -->\n```"
    )
    stub = OpenAIStub(default=answer)
    server = await aiohttp_server(stub.app())
    config = tmp_path / "agent_config.yaml"
    config.write_text(
        f"llm: {{provider: openai-compatible, base_url: '{server.make_url('/v1')}', timeout_seconds: 30}}\n"
        "agents:\n  coder: {model: smollm2}\n  reviewer: {model: smollm2}\n"
    )
    world.bot.server.app[CONTEXT].agent_config = load_agent_config(config)
    await say(world, "/ask is this safe?")
    [reply] = [b for b in bodies(world) if "Answered by the review agents" in b]
    assert posted_problems(reply, repo) == [], reply
    assert f"[the file]({repo}/blob/main/README.md)" in reply  # inside the repository: kept
    assert "evil" not in reply.replace("evil.example", "").replace("/evil", "")  # the rest: text or gone
    assert "up" in reply and "enc" in reply  # the labels of the links that left
    assert_safe(world)


async def test_config_error_text(aiohttp_client, github_double, tmp_path: Path):
    hostile = "![x](https://evil.example/p.png) @octocat <img src=x> <!-- review-bot:summary -->"
    repo = make_repo(
        tmp_path / "cfg", {"README.md": "x\n", ".github/review-bot.yml": f"fail_on: {hostile!r}\n"}
    )
    commit(repo, {"a.py": "import os\n"})
    world = await make_world(aiohttp_client, github_double, repo)
    await review(world)
    [error] = [b for b in bodies(world) if b.startswith("<!-- review-bot:config-error -->")]
    assert "not valid" in error
    assert_safe(world)


def test_cli_markdown_and_text_neutralise_names_and_messages(tmp_path: Path, capsys):
    repo = make_repo(tmp_path / "cli", {"README.md": "x\n"})
    commit(repo, {**HOSTILE_FILES, "\x1b[2J\x1b[31mfake.py": "import os\n"}, branch="feature")
    main(["review", str(repo), "--base", "main", "--head", "feature", "--format", "markdown"])
    markdown = capsys.readouterr().out
    assert "duplication of key" in markdown and problems(OWN_MARKER.sub("", markdown)) == [], markdown
    assert "new␊line.py" in markdown
    main(["review", str(repo), "--base", "main", "--head", "feature", "--format", "text"])
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\\x1b[2J" in text  # escape sequences shown, not run
    assert "new\\nline.py" in text  # a newline in a name cannot start a line of its own


FORGE = "new\nERROR bot.worker: giving up on everything\x1b[2J\u202e"
LOG_AFTER = f"""
import logging, sys
from bot.cli import main
main(sys.argv[1:])
logging.getLogger("bot.pipeline.publish").warning("cannot parse the patch of %s", {FORGE!r})
try:
    raise ValueError({FORGE!r})
except ValueError:
    logging.getLogger("bot.worker").exception("review failed")
"""


@pytest.mark.parametrize("command", [["serve"], ["demo", "{tmp}/demo"]])
def test_a_name_with_a_newline_cannot_forge_a_log_line(tmp_path: Path, command: list[str]):
    """Both entry points log through the one safe formatter: one record, one line (a traceback's
    lines indented), control characters shown as escapes."""
    args = [arg.format(tmp=tmp_path) for arg in command]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "REVIEW_BOT_"))}
    proc = subprocess.run(
        [sys.executable, "-c", LOG_AFTER, *args], capture_output=True, text=True, timeout=120, env=env
    )
    lines = proc.stderr.splitlines()
    warning = [line for line in lines if "cannot parse the patch" in line]
    assert len(warning) == 1 and "new\\nERROR bot.worker" in warning[0] and "\\x1b[2J" in warning[0]
    assert not any(line.startswith("ERROR bot.worker: giving up") for line in lines)
    assert "\x1b" not in proc.stderr and "\u202e" not in proc.stderr
    trace = lines[lines.index(next(line for line in lines if "review failed" in line)) + 1 :]
    assert trace and all(line.startswith("    ") for line in trace)  # no traceback line passes for a record
