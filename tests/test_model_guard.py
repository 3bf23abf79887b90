"""The one guarded model call (bot/agents/guard.py) that the dialogue and /ask share, against a real
HTTP model server (the OpenAI stub) and the real OpenAI client."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from autogen_core.models import UserMessage

from bot.agents.config import AgentConfig, AgentSpec, LLMConfig
from bot.agents.guard import DEFAULT_BREAKER, guarded_clients
from bot.agents.model import ModelBreaker, ModelFailure, model_key
from bot.agents.team import run_agent_review
from bot.commands.answers import _ask_model
from tests.openai_stub import HANG, SERVER_ERROR, OpenAIStub

ASK = [UserMessage(content="Is this diff fine?", source="user")]
PATCHES = {"app.py": "@@ -1 +1,2 @@\n import os\n+os.system(input())\n"}


@pytest.fixture
async def stub(aiohttp_server) -> AsyncIterator[OpenAIStub]:  # type: ignore[no-untyped-def]
    server_stub = OpenAIStub()
    server = await aiohttp_server(server_stub.app())
    server_stub.base_url = str(server.make_url("/v1"))  # type: ignore[attr-defined]
    yield server_stub
    server_stub.release.set()


@pytest.fixture(autouse=True)
def fresh_default_breaker() -> None:
    DEFAULT_BREAKER.__init__()  # type: ignore[misc]  # each test starts with the shared circuit closed


def local(base_url: str, timeout: float = 2.0) -> AgentConfig:
    return AgentConfig(
        llm=LLMConfig(provider="openai-compatible", base_url=base_url, timeout_seconds=timeout),
        coder=AgentSpec("coder", "llama3.1:8b", 0.3, ("bugs",)),
        reviewer=AgentSpec("reviewer", "llama3.1:8b", 0.1, ("security",)),
    )


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def half_open(cfg: AgentConfig) -> tuple[ModelBreaker, list[float]]:
    """A breaker whose circuit for ``cfg`` opened and waited out its reset: the next call is the trial."""
    clock = [0.0]
    breaker = ModelBreaker(failure_threshold=1, reset_timeout=60, clock=lambda: clock[0])
    breaker.record_failure(model_key(cfg))
    clock[0] = 61.0
    assert breaker.state(model_key(cfg)) == "half-open"
    return breaker, clock


async def test_one_client_per_role_answers_records_success_and_is_closed(stub: OpenAIStub) -> None:
    stub.script = ["coder says", "reviewer says"]
    cfg = local(stub.base_url)  # type: ignore[attr-defined]
    breaker, _ = half_open(cfg)
    async with guarded_clients(cfg, (cfg.coder, cfg.reviewer), env={}, breaker=breaker) as clients:
        coder, reviewer = clients
        assert coder.deadline == reviewer.deadline  # one deadline for the whole use of the model
        assert (await coder.create(ASK)).content == "coder says"
        assert (await reviewer.create(ASK)).content == "reviewer says"
    assert breaker.state(model_key(cfg)) == "closed"
    assert all(client.inner._client.is_closed() for client in clients)  # type: ignore[attr-defined]


async def test_a_callers_factory_keeps_its_clients_open(stub: OpenAIStub) -> None:
    from bot.agents.model import default_client_factory

    cfg = local(stub.base_url)  # type: ignore[attr-defined]
    factory = default_client_factory(cfg, "not-needed")
    async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=ModelBreaker(), factory=factory) as (c,):
        await c.create(ASK)
    assert not c.inner._client.is_closed()  # type: ignore[attr-defined]
    await c.close()


async def test_no_key_is_a_failure_that_does_not_charge_the_breaker() -> None:
    cfg = AgentConfig(llm=LLMConfig(provider="openai", timeout_seconds=1.0))
    breaker = ModelBreaker(failure_threshold=1)
    with pytest.raises(ModelFailure) as failure:
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=breaker):
            raise AssertionError("no client without a key")
    assert failure.value.reason.startswith("no model configured: set OPENAI_API_KEY")
    assert breaker.state(model_key(cfg)) == "closed"


async def test_an_open_circuit_refuses_before_any_request(stub: OpenAIStub) -> None:
    cfg = local(stub.base_url)  # type: ignore[attr-defined]
    breaker = ModelBreaker(failure_threshold=1, reset_timeout=600)
    breaker.record_failure(model_key(cfg))
    with pytest.raises(ModelFailure, match=r"^the model's circuit is open until .* UTC"):
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=breaker):
            raise AssertionError("refused before the body")
    assert stub.requests == []


async def test_a_server_error_is_one_line_and_opens_the_circuit(stub: OpenAIStub) -> None:
    stub.default = SERVER_ERROR
    cfg = local(stub.base_url, timeout=0.3)  # type: ignore[attr-defined]
    breaker = ModelBreaker(failure_threshold=1, reset_timeout=600)
    with pytest.raises(ModelFailure) as failure:
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=breaker) as (client,):
            await client.create(ASK)
    assert failure.value.reason == "the model answered with an error (HTTP 500)"
    assert breaker.state(model_key(cfg)) == "open"


async def test_autogens_runtime_error_is_described_by_the_clients_last_error(stub: OpenAIStub) -> None:
    stub.default = SERVER_ERROR
    cfg = local(stub.base_url, timeout=0.3)  # type: ignore[attr-defined]
    with pytest.raises(ModelFailure) as failure:
        async with guarded_clients(cfg, (cfg.coder, cfg.reviewer), env={}, breaker=ModelBreaker()) as clients:
            try:
                await clients[0].create(ASK)
            except Exception as exc:  # what autogen's group chat does with a client's exception
                raise RuntimeError("agent failed") from exc
    assert failure.value.reason == "the model answered with an error (HTTP 500)"


async def test_an_unusable_answer_from_the_body_counts_against_the_model(stub: OpenAIStub) -> None:
    cfg = local(stub.base_url)  # type: ignore[attr-defined]
    breaker, _ = half_open(cfg)
    with pytest.raises(ModelFailure, match="invalid JSON"):
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=breaker) as (client,):
            await client.create(ASK)
            raise ModelFailure("the model kept answering with invalid JSON")
    assert breaker.state(model_key(cfg)) == "open"


async def test_the_backstop_ends_a_body_that_outlives_the_deadline(stub: OpenAIStub) -> None:
    cfg = local(stub.base_url, timeout=0.2)  # type: ignore[attr-defined]
    with pytest.raises(ModelFailure) as failure:
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=ModelBreaker()):
            await asyncio.Event().wait()  # not a model call: only the backstop can end it
    assert failure.value.reason == "the model did not answer within 0.2 s"


async def test_a_hanging_model_stops_at_the_deadline(stub: OpenAIStub) -> None:
    stub.default = HANG
    cfg = local(stub.base_url, timeout=0.2)  # type: ignore[attr-defined]
    with pytest.raises(ModelFailure, match=r"^the model did not answer within 0\.2 s$"):
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=ModelBreaker()) as (client,):
            await client.create(ASK)


@pytest.mark.parametrize("error", [ValueError("a bug"), asyncio.CancelledError()])
async def test_what_is_not_the_models_fault_propagates_and_frees_the_trial(
    stub: OpenAIStub, error: BaseException
) -> None:
    cfg = local(stub.base_url)  # type: ignore[attr-defined]
    breaker, _ = half_open(cfg)
    with pytest.raises(type(error)):
        async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=breaker):
            raise error
    assert breaker.state(model_key(cfg)) == "half-open"  # not counted as the model's failure
    stub.script = ["fine"]
    async with guarded_clients(cfg, [cfg.reviewer], env={}, breaker=breaker) as (client,):
        await client.create(ASK)  # the trial slot was freed, so this is let through
    assert breaker.state(model_key(cfg)) == "closed"


async def test_the_dialogues_failures_open_the_circuit_that_ask_is_refused_by() -> None:
    cfg = local(closed_port_url(), timeout=0.2)
    for _ in range(3):  # DEFAULT_BREAKER's threshold
        review = await run_agent_review(cfg, title="t", body="b", patches=PATCHES, findings=[], env={})
        assert review.skipped == "the model was unreachable: connection failed"
    refusal = await _ask_model(cfg, "a question")
    assert isinstance(refusal, str) and refusal.startswith("the model's circuit is open until ")
    assert DEFAULT_BREAKER.state(model_key(cfg)) == "open"
