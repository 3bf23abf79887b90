"""The model behind the agents: client construction, retries within a deadline, a circuit breaker.

autogen's group chat turns a model client's exception into a bare ``RuntimeError`` holding
only text, so the classification happens one level down: :class:`GuardedClient` wraps the
real client, retries transient failures (connection refused, timeouts, 429, 5xx, a garbled
response) with jittered backoff that honours ``Retry-After`` but never runs past the review's
deadline, and remembers the last error so the caller can say in one line why the dialogue was
skipped. The OpenAI client is built with ``max_retries=0``: the retries are ours.

It also answers ``count_tokens``/``remaining_tokens`` with our own estimate, so nothing in the
bot ever reaches tiktoken (autogen's OpenAI client would, and tiktoken downloads its tables
from the internet on first use).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from typing import Any, Literal

import openai
from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelCapabilities,
    ModelFamily,
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    wait_random_exponential,
)

from bot.agents.config import AgentConfig, AgentSpec
from bot.agents.prompt import estimate_tokens
from bot.github.errors import CircuitOpenError
from bot.github.resilience import CircuitBreakers, Clock

MAX_REPLY_TOKENS = 800  # one agent message; keeps each turn, and the history, bounded
# What we keep of one reply whatever the server sends (one that ignores max_tokens, or a hostile
# one): the rest is cut before it reaches the history, the next prompt, the parser or the summary.
MAX_REPLY_CHARS = 40 * MAX_REPLY_TOKENS
ATTEMPTS = 4  # per model call, all within the review's deadline
UNKNOWN_MODEL_INFO = ModelInfo(
    vision=False,
    function_calling=False,
    json_output=False,
    family=ModelFamily.UNKNOWN,
    structured_output=False,
)

ClientFactory = Callable[[AgentSpec], ChatCompletionClient]


class ModelFailure(Exception):
    """The model could not be used for this review; ``reason`` is the one line for the summary."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def model_key(config: AgentConfig) -> str:
    """What one breaker guards: the endpoint (two configs on one server share its fate)."""
    llm = config.llm
    if llm.azure is not None:
        return f"azure:{llm.azure.endpoint}"
    return f"{llm.provider}:{llm.base_url or 'https://api.openai.com/v1'}"


class ModelBreaker:
    """CircuitBreakers (bot.github.resilience) keyed by model endpoint, phrasing an open circuit."""

    def __init__(
        self,
        *,
        failure_threshold: int = 3,
        reset_timeout: float = 300.0,
        clock: Clock = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.breakers = CircuitBreakers(
            failure_threshold=failure_threshold, reset_timeout=reset_timeout, clock=clock
        )
        self._wall_clock = wall_clock

    def refusal(self, key: str) -> str | None:
        """None to go ahead (maybe as the half-open trial), else why the model is skipped."""
        try:
            self.breakers.before_call(key)
        except CircuitOpenError as exc:
            until = dt.datetime.fromtimestamp(self._wall_clock() + exc.retry_after, dt.UTC)
            return f"the model's circuit is open until {until:%H:%M:%S} UTC after repeated failures"
        return None

    def state(self, key: str) -> str:
        return self.breakers.state(key)

    def record_success(self, key: str) -> None:
        self.breakers.record_success(key)

    def record_failure(self, key: str) -> None:
        self.breakers.record_failure(key)

    def release(self, key: str) -> None:
        self.breakers.release(key)


def is_transient(exc: BaseException) -> bool:
    """Worth another try: the network, the server's load, or a garbled answer; not auth or a bad request."""
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | openai.APIResponseValidationError | MalformedResponse)


class MalformedResponse(Exception):
    """The server answered 200 but not with a chat completion we can use."""


def describe_failure(exc: BaseException | None, timeout: float) -> str:
    """One line for the summary; built from types and status codes only, never from response text."""
    if isinstance(exc, openai.RateLimitError):
        return "the model was rate-limited (HTTP 429) through every retry"
    if isinstance(exc, openai.APITimeoutError):
        return f"the model did not answer within {timeout:g} s"
    if isinstance(exc, openai.APIConnectionError):
        return "the model was unreachable: connection failed"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"the model refused the credentials (HTTP {exc.status_code}); check the API key"
    if isinstance(exc, openai.APIStatusError):
        return f"the model answered with an error (HTTP {exc.status_code})"
    if isinstance(exc, openai.APIResponseValidationError | MalformedResponse):
        return "the model returned a malformed response"
    if isinstance(exc, TimeoutError):
        return f"the model did not answer within {timeout:g} s"
    if exc is None:
        return "the dialogue failed"
    return f"the model call failed ({type(exc).__name__})"


def _hinted_wait(exc: BaseException | None) -> float | None:
    """The wait the server asked for in ``retry-after-ms`` or ``retry-after`` (seconds), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        try:
            return max(0.0, float(raw) * scale) if raw is not None else None
        except ValueError:
            continue
    return None


class GuardedClient(ChatCompletionClient):
    """Delegates to ``inner`` with retries bounded by ``deadline`` (the event loop's clock)."""

    def __init__(self, inner: ChatCompletionClient, *, deadline: float, attempts: int = ATTEMPTS) -> None:
        self.inner = inner
        self.deadline = deadline
        self.attempts = attempts
        self.last_error: BaseException | None = None
        self._backoff = wait_random_exponential(multiplier=0.5, max=8.0)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hinted = _hinted_wait(exc)
        wait = self._backoff(state) if hinted is None else hinted
        return min(wait, max(0.0, self.deadline - asyncio.get_running_loop().time()))

    def _stop(self, state: RetryCallState) -> bool:
        """After ``attempts`` tries, or once the deadline has passed."""
        return state.attempt_number >= self.attempts or asyncio.get_running_loop().time() >= self.deadline

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        retrying = AsyncRetrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            reraise=True,
        )
        try:
            async with asyncio.timeout_at(self.deadline):
                async for attempt in retrying:
                    with attempt:
                        result = await self._once(
                            messages,
                            tools=tools,
                            tool_choice=tool_choice,
                            json_output=json_output,
                            extra_create_args=extra_create_args,
                            cancellation_token=cancellation_token,
                        )
                        self.last_error = None
                        return result
        except TimeoutError:
            if not is_transient(self.last_error or TimeoutError()):
                self.last_error = TimeoutError()
            raise
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

    async def _once(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
        """One call; its error is remembered, and anything but OpenAI's own errors counts as malformed."""
        try:
            return _checked(await self.inner.create(messages, **kwargs))
        except Exception as exc:
            self.last_error = _as_model_error(exc)
            raise self.last_error from None

    def create_stream(self, *args: Any, **kwargs: Any) -> AsyncGenerator[str | CreateResult, None]:
        return self.inner.create_stream(*args, **kwargs)

    async def close(self) -> None:
        await self.inner.close()

    def actual_usage(self) -> RequestUsage:
        return self.inner.actual_usage()

    def total_usage(self) -> RequestUsage:
        return self.inner.total_usage()

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        return sum(estimate_tokens(str(getattr(m, "content", ""))) + 4 for m in messages)

    def remaining_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return max(0, 8192 - self.count_tokens(messages))

    @property
    def capabilities(self) -> ModelCapabilities:
        return self.inner.capabilities

    @property
    def model_info(self) -> ModelInfo:
        return self.inner.model_info


def _checked(result: Any) -> CreateResult:
    if (
        not isinstance(result, CreateResult)
        or not isinstance(result.content, str)
        or not result.content.strip()
    ):
        raise MalformedResponse("not a text chat completion")
    if len(result.content) > MAX_REPLY_CHARS:
        return result.model_copy(update={"content": result.content[:MAX_REPLY_CHARS]})
    return result


def _as_model_error(exc: Exception) -> BaseException:
    """OpenAI's own errors as they are; anything else from parsing a reply counts as malformed."""
    if isinstance(exc, openai.OpenAIError | MalformedResponse):
        return exc
    return MalformedResponse(type(exc).__name__)


def default_client_factory(config: AgentConfig, key: str) -> ClientFactory:
    """Build the real OpenAI / Azure / OpenAI-compatible client for an agent."""

    def make(spec: AgentSpec) -> ChatCompletionClient:
        from autogen_ext.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient

        llm = config.llm
        common: dict[str, Any] = {
            "model": spec.model,
            "api_key": key,
            "timeout": llm.timeout_seconds,
            "max_retries": 0,
            "temperature": spec.temperature,
            "max_tokens": MAX_REPLY_TOKENS,
        }
        if llm.azure is not None:
            extra: dict[str, Any] = {
                "azure_endpoint": llm.azure.endpoint,
                "api_version": llm.azure.api_version,
                "azure_deployment": llm.azure.deployment or spec.model,
            }
            return _with_model_info(AzureOpenAIChatCompletionClient, {**common, **extra})
        extra = {"base_url": llm.base_url} if llm.base_url else {}
        if llm.provider == "openai-compatible":
            extra["include_name_in_message"] = False  # many local servers reject the "name" field
        return _with_model_info(OpenAIChatCompletionClient, {**common, **extra})

    return make


def _with_model_info(cls: Callable[..., ChatCompletionClient], args: dict[str, Any]) -> ChatCompletionClient:
    """autogen knows OpenAI's model names; anything else (llama3, qwen, ...) needs its info given."""
    try:
        return cls(**args)
    except ValueError as exc:
        if "model_info" not in str(exc):
            raise
        return cls(**args, model_info=UNKNOWN_MODEL_INFO)
