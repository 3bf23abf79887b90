"""The local OpenAI-compatible server (llama.cpp + SmolLM2-135M-Instruct) answers as the
agents need it to: plain and streamed chat completions, usage, max_tokens, client timeouts,
and through autogen's OpenAIChatCompletionClient. Run with ``python -m pytest -m llm``."""

from __future__ import annotations

import json
import time

import openai
import pytest
from autogen_core.models import SystemMessage, UserMessage
from autogen_ext.models.openai import OpenAIChatCompletionClient

from tests.llm_server import LlamaServer

pytestmark = pytest.mark.llm

QUESTION = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "What is the capital of France?"},
]
LONG_ANSWER = [{"role": "user", "content": "Write a long, detailed essay about the history of Paris."}]


def client_for(server: LlamaServer, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="not-needed", **kwargs)


def test_chat_completion(llm_server: LlamaServer) -> None:
    reply = client_for(llm_server).chat.completions.create(
        model=llm_server.model, messages=QUESTION, max_tokens=32, temperature=0, seed=1
    )
    assert reply.object == "chat.completion"
    assert len(reply.choices) == 1
    choice = reply.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content.strip()
    assert "<|im_end|>" not in choice.message.content
    assert "Paris" in choice.message.content
    assert choice.finish_reason in {"stop", "length"}


def test_usage_is_reported(llm_server: LlamaServer) -> None:
    reply = client_for(llm_server).chat.completions.create(
        model=llm_server.model, messages=QUESTION, max_tokens=32, temperature=0, seed=1
    )
    usage = reply.usage
    assert usage.prompt_tokens > 10  # the system and user messages, in the chat template
    assert usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming(llm_server: LlamaServer) -> None:
    stream = client_for(llm_server).chat.completions.create(
        model=llm_server.model, messages=QUESTION, max_tokens=32, temperature=0, seed=1, stream=True
    )
    chunks = list(stream)
    pieces = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices[0].delta.content]
    assert len(pieces) > 1
    assert "Paris" in "".join(pieces)
    assert chunks[-1].choices[0].finish_reason in {"stop", "length"}


def test_max_tokens_is_honoured(llm_server: LlamaServer) -> None:
    reply = client_for(llm_server).chat.completions.create(
        model=llm_server.model, messages=LONG_ANSWER, max_tokens=5, temperature=0, seed=1
    )
    assert reply.usage.completion_tokens == 5
    assert reply.choices[0].finish_reason == "length"


def test_client_timeout_on_a_long_generation(llm_server: LlamaServer) -> None:
    # No retries: each would leave one more generation running on the server.
    client = client_for(llm_server, timeout=0.05, max_retries=0)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(
            model=llm_server.model, messages=LONG_ANSWER, max_tokens=256, temperature=0, seed=1
        )
    assert time.monotonic() - started < 5
    # The server is still usable afterwards (once it has finished the abandoned generation).
    reply = client_for(llm_server, timeout=60).chat.completions.create(
        model=llm_server.model, messages=QUESTION, max_tokens=8, temperature=0
    )
    assert reply.choices[0].message.content.strip()


def autogen_client(server: LlamaServer, *, json_output: bool, max_tokens: int) -> OpenAIChatCompletionClient:
    """autogen's OpenAI client on the local server: deterministic, with the model info autogen needs."""
    return OpenAIChatCompletionClient(
        model=server.model,
        base_url=server.base_url,
        api_key="not-needed",
        model_info={
            "vision": False,
            "function_calling": False,
            "json_output": json_output,
            "family": "unknown",
            "structured_output": False,
        },
        max_tokens=max_tokens,
        temperature=0,
        seed=1,
    )


async def test_autogen_client_create(llm_server: LlamaServer) -> None:
    client = autogen_client(llm_server, json_output=False, max_tokens=32)
    try:
        result = await client.create(
            [
                SystemMessage(content="You are a concise assistant."),
                UserMessage(content="What is the capital of France?", source="user"),
            ]
        )
        assert isinstance(result.content, str)
        assert "Paris" in result.content
        assert result.finish_reason in {"stop", "length"}
        assert result.usage.prompt_tokens > 10
        assert result.usage.completion_tokens > 0
        assert client.total_usage().completion_tokens == result.usage.completion_tokens

        chunks = [
            chunk async for chunk in client.create_stream([UserMessage(content="Say hello.", source="user")])
        ]
        assert all(isinstance(chunk, str) for chunk in chunks[:-1])
        final = chunks[-1]
        assert isinstance(final.content, str) and final.content.strip()
    finally:
        await client.close()


REVIEW_SCHEMA = {
    "type": "object",
    "properties": {
        "verdict": {"enum": ["approve", "request_changes"]},
        "issues": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 3},
    },
    "required": ["verdict", "issues"],
}


async def test_json_schema_constrained_reply_through_autogen(llm_server: LlamaServer) -> None:
    # llama-cpp-python's server rejects response_format type "json_schema" (autogen's
    # structured output); its own form, json_object with a "schema", constrains the sampling
    # with a grammar, so the reply parses whatever the (tiny) model thinks.
    client = autogen_client(llm_server, json_output=True, max_tokens=200)
    try:
        result = await client.create(
            [
                SystemMessage(content="You review code. Reply in JSON with a verdict and a list of issues."),
                UserMessage(content="Review: os.system('ls ' + user_input)", source="user"),
            ],
            extra_create_args={"response_format": {"type": "json_object", "schema": REVIEW_SCHEMA}},
        )
        assert result.finish_reason == "stop"
        reply = json.loads(result.content)
        assert reply["verdict"] in {"approve", "request_changes"}
        assert isinstance(reply["issues"], list) and len(reply["issues"]) <= 3
    finally:
        await client.close()
