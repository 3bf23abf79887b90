"""A real HTTP server speaking just enough of OpenAI's ``/v1/chat/completions`` to break the bot.

Each request takes the next step of ``script`` (then ``default``): a reply text, or one of
``RATE_LIMITED`` (429 with ``retry-after-ms``), ``SERVER_ERROR`` (500), ``HANG`` (no answer until
the test ends), ``GARBAGE`` (200 with a body that is not a chat completion).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

RATE_LIMITED = "<429>"
SERVER_ERROR = "<500>"
HANG = "<hang>"
GARBAGE = "<garbage>"


@dataclass
class OpenAIStub:
    script: list[str] = field(default_factory=list)
    default: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.chat_completions)
        return app

    async def chat_completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"body": body, "authorization": request.headers.get("Authorization")})
        step = self.script.pop(0) if self.script else self.default
        if step == RATE_LIMITED:
            error = {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit"}}
            return web.json_response(error, status=429, headers={"retry-after-ms": "10"})
        if step == SERVER_ERROR:
            return web.json_response({"error": {"message": "boom", "type": "server_error"}}, status=500)
        if step == HANG:
            await self.release.wait()
            return web.json_response({"error": {"message": "late"}}, status=503)
        if step == GARBAGE:
            return web.Response(text='{"surprise": [1, 2', content_type="application/json")
        return web.json_response(completion(step, body.get("model", "stub")))


def completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }


def answer_json(**overrides: Any) -> str:
    """A valid final answer with no findings judged, as a reviewer would end."""
    answer: dict[str, Any] = {"verdict": "Looks fine.", "findings": [], "added": []}
    answer.update(overrides)
    return "AGREED\n```json\n" + json.dumps(answer) + "\n```"
