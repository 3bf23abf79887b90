"""The coder/reviewer dialogue: replayed models for its logic, a real HTTP stub for its failures."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from typing import Any

import pytest
from autogen_core.models import CreateResult, RequestUsage
from autogen_ext.models.replay import ReplayChatCompletionClient

from analyzers.base import Finding
from bot.agents.config import AgentConfig, AgentSpec, ConversationConfig, LLMConfig
from bot.agents.team import AgentReview, ModelBreaker, run_agent_review
from bot.events import EventChannel
from tests.openai_stub import GARBAGE, HANG, RATE_LIMITED, SERVER_ERROR, OpenAIStub

PATCHES = {"app.py": "@@ -1,2 +1,4 @@\n import os\n+cmd = input()\n+os.system(cmd)\n print('done')\n"}
FINDINGS = [
    Finding("bandit", "B605", "error", "app.py", 3, 3, "shell injection", fingerprint="fp-shell"),
    Finding("ruff", "S604", "warning", "app.py", 3, 3, "shell call", fingerprint="fp-ruff"),
]


def answer(**overrides: Any) -> str:
    body: dict[str, Any] = {
        "verdict": "Command injection through os.system; fix before merging.",
        "findings": [
            {"id": "F1", "status": "confirmed", "reason": "input() reaches os.system"},
            {"id": "F2", "status": "dismissed", "reason": "duplicate of F1"},
        ],
        "added": [
            {"path": "app.py", "line": 2, "severity": "warning", "message": "no validation of cmd"},
            {"path": "other.py", "line": 40, "severity": "note", "message": "not in this diff"},
        ],
    }
    body.update(overrides)
    return "Agreed.\n```json\n" + json.dumps(body) + "\n```"


def config(max_turns: int = 6, **llm: Any) -> AgentConfig:
    return AgentConfig(llm=LLMConfig(**llm), conversation=ConversationConfig(max_turns=max_turns))


async def run(
    replies: list[str | CreateResult], cfg: AgentConfig | None = None, **kwargs: Any
) -> AgentReview:
    client = ReplayChatCompletionClient(replies)
    kwargs.setdefault("breaker", ModelBreaker())
    review = await run_agent_review(
        cfg or config(),
        title="Run a command",
        body=kwargs.pop("body", "Adds a command runner."),
        patches=PATCHES,
        findings=FINDINGS,
        model_client_factory=lambda spec: client,
        **kwargs,
    )
    review.client = client  # type: ignore[attr-defined]
    return review


async def test_findings_are_confirmed_or_dismissed_and_problems_added() -> None:
    review = await run(["F1 is real: input() goes to os.system.", answer()])
    assert review.skipped is None
    assert review.verdict.startswith("Command injection")
    assert [(v.id, v.fingerprint, v.status) for v in review.verdicts] == [
        ("F1", "fp-shell", "confirmed"),
        ("F2", "fp-ruff", "dismissed"),
    ]
    assert [(a.path, a.line) for a in review.added] == [("app.py", 2), ("other.py", 40)]
    assert [m.source for m in review.transcript] == ["coder", "reviewer"]


async def test_an_invalid_answer_gets_one_retry() -> None:
    bad_line = answer(added=[{"path": "app.py", "line": "two", "severity": "note", "message": "m"}])
    review = await run(["coder", bad_line, answer()])
    assert review.skipped is None and len(review.verdicts) == 2
    retry = review.client.create_calls[-1]["messages"][-1].content
    assert "could not be used" in retry and "line" in retry


async def test_an_unknown_finding_id_is_rejected_then_retried() -> None:
    unknown = answer(findings=[{"id": "F7", "status": "confirmed", "reason": "made up"}])
    review = await run(["coder", unknown, answer()])
    assert review.skipped is None and {v.id for v in review.verdicts} == {"F1", "F2"}
    assert "F7" in review.client.create_calls[-1]["messages"][-1].content


async def test_invalid_json_twice_skips_with_nothing_invented() -> None:
    review = await run(["coder", "Agreed. {not json", "still {not json"])
    assert review.skipped and "invalid JSON" in review.skipped
    assert review.verdict == "" and review.verdicts == [] and review.added == []


async def test_the_reviewer_saying_agreed_ends_the_dialogue() -> None:
    review = await run(["Looks risky.", answer(), "never asked"])
    assert [m.source for m in review.transcript] == ["coder", "reviewer"]
    assert len(review.client.create_calls) == 2


@pytest.mark.parametrize(
    "words",
    [
        ("Agreed, I concede.", "Let us look again."),  # the coder agreeing does not end it
        ("Hmm.", "This is still unresolved."),  # part of a word
        ("Hmm.", "Not agreed yet."),  # negated
    ],
)
async def test_only_a_resolution_by_the_reviewer_ends_the_dialogue(words: tuple[str, str]) -> None:
    coder, reviewer = words
    review = await run([coder, reviewer, coder, answer()], config(max_turns=4))
    assert [m.source for m in review.transcript] == ["coder", "reviewer", "coder", "reviewer"]


async def test_the_task_text_mentioning_resolved_does_not_end_the_dialogue() -> None:
    body = "This resolved the bug. Agreed and confirmed by the team."
    review = await run(["coder", answer()], body=body)
    assert [m.source for m in review.transcript] == ["coder", "reviewer"]


async def test_the_turn_limit_is_exactly_max_turns_agent_messages() -> None:
    review = await run(["c1", "r1", "c2", answer(verdict="late")], config(max_turns=3))
    assert [m.content for m in review.transcript][:3] == ["c1", "r1", "c2"]
    assert len(review.client.create_calls) == 4  # three turns, then one request for the answer
    assert review.verdict == "late"  # asked once for the answer, as the reviewer had not given it


async def test_each_message_is_published_as_it_arrives_and_usage_is_summed() -> None:
    channel = EventChannel()
    subscription = channel.subscribe("review:o/r#1@abc")
    replies = [
        CreateResult(finish_reason="stop", content="first", usage=RequestUsage(5, 7), cached=False),
        CreateResult(finish_reason="stop", content=answer(), usage=RequestUsage(13, 11), cached=False),
    ]
    review = await run(replies, events=channel, topic="review:o/r#1@abc")
    channel.close()
    events = [event async for event in subscription]
    assert [(e["type"], e.get("source")) for e in events] == [
        ("agent_message", "coder"),
        ("agent_message", "reviewer"),
        ("agent_dialogue_done", None),
    ]
    assert events[0]["content"] == "first"
    assert review.completion_tokens == 18
    assert review.prompt_tokens == 18  # what the model client reported, message by message


async def test_no_model_configured_skips_in_one_line() -> None:
    review = await run_agent_review(None, title="t", body=None, patches=PATCHES, findings=FINDINGS)
    assert review == AgentReview(skipped="no model configured")


async def test_a_missing_api_key_names_the_variable() -> None:
    review = await run_agent_review(
        config(), title="t", body=None, patches=PATCHES, findings=FINDINGS, env={}, breaker=ModelBreaker()
    )
    assert review.skipped.startswith("no model configured: set OPENAI_API_KEY")


async def test_a_context_too_small_for_the_instructions_is_over_budget() -> None:
    review = await run(["never"], config(context_window=3000))
    assert review.skipped.startswith("over budget")
    assert len(review.client.create_calls) == 0


# Failure modes against a real HTTP server -----------------------------------------------------


@pytest.fixture
async def stub(aiohttp_server):
    server_stub = OpenAIStub()
    server = await aiohttp_server(server_stub.app())
    server_stub.base_url = str(server.make_url("/v1"))  # type: ignore[attr-defined]
    yield server_stub
    server_stub.release.set()


def local(base_url: str, timeout: float = 2.0) -> AgentConfig:
    return AgentConfig(
        llm=LLMConfig(provider="openai-compatible", base_url=base_url, timeout_seconds=timeout),
        coder=AgentSpec("coder", "llama3.1:8b", 0.3, ("bugs",)),
        reviewer=AgentSpec("reviewer", "llama3.1:8b", 0.1, ("security",)),
    )


async def review_with(
    cfg: AgentConfig, breaker: ModelBreaker, env: dict[str, str] | None = None
) -> AgentReview:
    return await run_agent_review(
        cfg, title="t", body="b", patches=PATCHES, findings=FINDINGS, breaker=breaker, env=env or {}
    )


async def test_a_local_model_with_an_unknown_name_works_without_a_key(stub: OpenAIStub) -> None:
    stub.script = ["Coder view.", answer()]
    review = await review_with(local(stub.base_url), ModelBreaker())
    assert review.skipped is None and review.prompt_tokens == 200 and review.completion_tokens == 20
    assert stub.requests[0]["authorization"] == "Bearer not-needed"
    assert stub.requests[0]["body"]["model"] == "llama3.1:8b"


async def test_the_key_is_sent_but_never_put_in_the_prompt(stub: OpenAIStub) -> None:
    stub.script = ["Coder view.", answer()]
    env = {"OPENAI_API_KEY": "sk-local-0123456789abcdefghij"}
    cfg = local(stub.base_url)
    await run_agent_review(
        cfg,
        title="t",
        body=env["OPENAI_API_KEY"],
        patches=PATCHES,
        findings=[],
        breaker=ModelBreaker(),
        env=env,
    )
    assert stub.requests[0]["authorization"] == f"Bearer {env['OPENAI_API_KEY']}"
    assert all(env["OPENAI_API_KEY"] not in json.dumps(r["body"]) for r in stub.requests)


async def test_a_429_is_retried_and_the_review_succeeds(stub: OpenAIStub) -> None:
    stub.script = [RATE_LIMITED, "Coder view.", answer()]
    review = await review_with(local(stub.base_url), ModelBreaker())
    assert review.skipped is None and len(review.verdicts) == 2
    assert len(stub.requests) == 3


async def test_rate_limited_throughout_is_skipped(stub: OpenAIStub) -> None:
    stub.default = RATE_LIMITED
    review = await review_with(local(stub.base_url), ModelBreaker())
    assert review.skipped == "the model was rate-limited (HTTP 429) through every retry"


async def test_a_model_slower_than_the_timeout_is_skipped(stub: OpenAIStub) -> None:
    stub.default = HANG
    review = await review_with(local(stub.base_url, timeout=0.3), ModelBreaker())
    assert review.skipped == "the model did not answer within 0.3 s"


@pytest.mark.parametrize(("step", "reason"), [(GARBAGE, "malformed response"), (SERVER_ERROR, "HTTP 500")])
async def test_garbage_and_server_errors_are_skipped(stub: OpenAIStub, step: str, reason: str) -> None:
    stub.default = step
    review = await review_with(local(stub.base_url, timeout=1.0), ModelBreaker())
    assert reason in review.skipped
    assert len(stub.requests) >= 2  # retried (the first backoff is at most 0.5 s) before giving up


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_an_unreachable_model_is_skipped_and_the_breaker_opens() -> None:
    breaker = ModelBreaker(failure_threshold=2, reset_timeout=600)
    cfg = local(f"http://127.0.0.1:{closed_port()}/v1", timeout=0.2)
    first = await review_with(cfg, breaker)
    assert first.skipped == "the model was unreachable: connection failed"
    await review_with(cfg, breaker)
    third = await review_with(cfg, breaker)
    assert third.skipped.startswith("the model's circuit is open until ")
    assert breaker.state("openai-compatible:" + cfg.llm.base_url) == "open"


async def test_the_breaker_is_per_endpoint_and_closes_after_a_success(stub: OpenAIStub) -> None:
    clock = [0.0]
    breaker = ModelBreaker(failure_threshold=1, reset_timeout=60, clock=lambda: clock[0])
    stub.script = [SERVER_ERROR] * 8
    cfg = local(stub.base_url, timeout=0.2)
    assert "HTTP 500" in (await review_with(cfg, breaker)).skipped
    assert "circuit is open" in (await review_with(cfg, breaker)).skipped
    other = replace(cfg, llm=replace(cfg.llm, base_url=f"http://127.0.0.1:{closed_port()}/v1"))
    assert "circuit" not in (await review_with(other, breaker)).skipped
    clock[0] = 61.0
    stub.script = ["Coder view.", answer()]
    assert (await review_with(cfg, breaker)).skipped is None
    assert breaker.state("openai-compatible:" + stub.base_url) == "closed"


async def test_no_code_path_reaches_tiktoken(stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken downloads its tables from the internet on first use; the bot must never call it."""
    import tiktoken

    def offline(*args: object, **kwargs: object) -> None:
        raise AssertionError("tiktoken was called")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    monkeypatch.setattr(tiktoken, "encoding_for_model", offline)
    stub.script = ["Coder view.", answer()]
    review = await review_with(local(stub.base_url), ModelBreaker())
    assert review.skipped is None
