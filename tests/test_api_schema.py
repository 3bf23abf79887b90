"""The served OpenAPI document, checked by schemathesis against the running API: no 5xx, and
every response (status, media type, body, headers) as the document says, with and without a token."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bot.api.app import openapi_document
from bot.api.auth import API_AUTH
from tests.api_support import add_key, api_settings, build_app

# A schema-valid request may still be refused on purpose: a repository outside the allow-list or
# the roots, a window of trends too long. Those are 422s by design, so "valid data is accepted"
# is the one check left out; no 5xx and conformance of every response are what this test holds.
MAX_EXAMPLES = 20  # per operation and test (valid and invalid cases): well under a minute in all


class Served:
    """The API app on a free port, in a thread with its own event loop (schemathesis is sync)."""

    def __init__(self, tmp_path: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.tmp_path = tmp_path
        self.url = ""
        self.token = ""
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._start())
        except BaseException as exc:  # said by __enter__, not lost in the thread
            self.failed = exc
            self.ready.set()
            return
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    async def _start(self) -> None:
        api = replace(api_settings(), token_requests_per_minute=10_000)
        app, store = await build_app(self.tmp_path, api, max_pending=100_000)
        _, key = await add_key(store, "root", "acme", "admin")
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        record = (await store.all())[0]
        self.token, _ = app[API_AUTH].issue(record)
        self.key = key

    def __enter__(self) -> Served:
        self.thread.start()
        assert self.ready.wait(60), "the API did not start"
        assert self.failed is None, f"the API did not start: {self.failed!r}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with Served(tmp_path_factory.mktemp("api")) as server:
        yield server


bounded = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def check_every_operation(served: Served, headers: dict[str, str]) -> list[str]:
    """Each operation of the served document, fed schemathesis's cases (valid and not)."""
    # Driven here rather than by schemathesis's pytest plugin, which does not run on pytest 9.
    schema = schemathesis.openapi.from_url(f"{served.url}/api/v1/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        strategy = operation.as_strategy() | operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)

        @given(case=strategy)
        @bounded
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
        checked.append(operation.label)
    return checked


def test_without_a_token(served: Served) -> None:
    # Eight operations; schemathesis leaves out the one that serves the document it loaded.
    assert len(check_every_operation(served, {})) == 7


def test_with_an_admin_token(served: Served) -> None:
    assert len(check_every_operation(served, {"Authorization": f"Bearer {served.token}"})) == 7


def test_the_served_document_is_the_code_s(served: Served) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{served.url}/api/v1/openapi.json", timeout=10) as response:  # noqa: S310
        served_doc = json.loads(response.read())
    assert served_doc == json.loads(json.dumps(openapi_document()))
    assert served_doc["openapi"] == "3.1.0"
    assert "$defs" not in json.dumps(served_doc)  # every model under components/schemas
    profile = served_doc["paths"]["/api/v1/user/profile"]["get"]
    assert profile["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "429"} <= set(profile["responses"])
