"""The live page in a real headless Chromium (Debian's, driven by Playwright; no browser is ever
downloaded): sign in with an API key, start an analysis of a local repository and see its
findings arrive, open a PR's session and see an agent message arrive (as text: PR-controlled
markup never becomes DOM), with screenshots saved along the way.

Skips without /usr/bin/chromium or the playwright package, unless UI_BROWSER_REQUIRED=1 (CI).
Screenshots go to UI_ARTIFACTS_DIR when set, else to the test's temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.events import review_topic
from tests.live_world import (
    api_env,  # noqa: F401 - a fixture
    credentials,
    live_app,
    live_settings,
    publish,
    serve,
)
from tests.test_live_ws import make_git_repo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]
WAIT_MS = 60_000  # a deadline, never reached when the page works
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">**bold** & <script>alert(1)</script>"

pytestmark = pytest.mark.usefixtures("api_env")


def need_browser() -> Any:
    """The playwright module, or a skip (a failure under UI_BROWSER_REQUIRED=1) saying what is missing."""
    required = os.environ.get("UI_BROWSER_REQUIRED") == "1"
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    try:
        from playwright import async_api
    except ImportError:
        missing = missing or "the playwright package is missing (pip install -e '.[test]')"
    if missing:
        if required:
            pytest.fail(f"UI_BROWSER_REQUIRED=1 but {missing}")
        pytest.skip(missing)
    return async_api


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("UI_ARTIFACTS_DIR") or tmp_path / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[TestClient]:
    client = await serve(live_app(live_settings(tmp_path), tmp_path))
    yield client
    await client.close()


async def test_sign_in_start_an_analysis_and_watch_a_pr_session(
    bot: TestClient, tmp_path: Path, artifacts: Path
) -> None:
    async_api = need_browser()
    repo = make_git_repo(tmp_path / "repos" / "demo")
    _, api_key = await credentials(bot, user="ana", org="octo-org", role="analyze")
    base_url = str(bot.make_url("/ui/"))
    problems: list[str] = []

    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(WAIT_MS)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            await page.goto(base_url)
            await page.screenshot(path=str(artifacts / "01-sign-in.png"))

            await page.fill("#api-key", api_key)
            await page.click("#signin-form button")
            await page.wait_for_selector("#controls:not([hidden])")
            assert "ana (octo-org, analyze)" in (await page.text_content("#status") or "")

            await page.fill("#repository", str(repo))
            await page.fill("#base", "main")
            await page.fill("#head", "feature")
            await page.click("#analysis-form button")
            finding = page.locator("article.session .finding").first
            await finding.wait_for()
            await page.locator("article.session .result").first.filter(has_text="finding").wait_for()
            assert "app.py" in (await finding.text_content() or "")
            await page.screenshot(path=str(artifacts / "02-analysis-findings.png"), full_page=True)

            await page.fill("#pr", "Octo-Org/hello#7")
            await page.click("#session-form button")
            pr_view = page.locator('article.session[data-session="review:octo-org/hello#7"]')
            await pr_view.locator(".state", has_text="live").wait_for()
            topic = review_topic("octo-org", "hello", 7, "0123456789abcdef0123456789abcdef01234567")
            publish(bot, topic, {"type": "review_started", "repo": "octo-org/hello", "number": 7})
            finding_event = {
                "tool": "bandit",
                "rule_id": "B602",
                "severity": "error",
                "path": "app.py",
                "line": 5,
                "message": "subprocess call with shell=True",
            }
            publish(bot, topic, {"type": "finding", "finding": finding_event})
            publish(bot, topic, {"type": "agent_message", "source": "reviewer", "content": HOSTILE})
            message = pr_view.locator(".agent-message .content")
            await message.wait_for()
            assert await message.text_content() == HOSTILE  # shown as text, never parsed as HTML
            assert await pr_view.locator(".agent-message img, .agent-message script").count() == 0
            assert await pr_view.locator(".finding").count() == 1
            assert await page.title() != "pwned"
            await page.screenshot(path=str(artifacts / "03-pr-session.png"), full_page=True)
        finally:
            await browser.close()

    assert not problems, problems  # no script error and no CSP violation on the page
    assert {p.name for p in artifacts.iterdir()} >= {
        "01-sign-in.png",
        "02-analysis-findings.png",
        "03-pr-session.png",
    }
