"""The one guarded use of the model, shared by the review dialogue and ``/ask``.

:func:`guarded_clients` does, once, what every use of the model needs around it: build the
clients (from the configured endpoint and API key unless a factory is given), ask the
process's circuit breaker (:data:`DEFAULT_BREAKER`) first, give every call one deadline of
``llm.timeout_seconds`` with a backstop a second later, turn whatever the model did wrong into
one :class:`ModelFailure` whose ``reason`` is the line to show, record the outcome on the
breaker, and close the clients it built. A failure that is not the model's (a bug, a
cancellation) releases the breaker's trial without counting against the model and propagates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import openai
from autogen_core.models import ChatCompletionClient

from bot.agents.config import AgentConfig, AgentSpec, api_key
from bot.agents.model import (
    ClientFactory,
    GuardedClient,
    MalformedResponse,
    ModelBreaker,
    ModelFailure,
    default_client_factory,
    describe_failure,
    model_key,
)
from bot.config import ConfigError

__all__ = ["DEFAULT_BREAKER", "ModelFailure", "guarded_clients"]

log = logging.getLogger(__name__)

DEFAULT_BREAKER = ModelBreaker()  # shared by every use of the model in one process
BACKSTOP_SECONDS = 1.0  # the clients stop at the deadline themselves; this catches what does not


@asynccontextmanager
async def guarded_clients(
    config: AgentConfig,
    roles: Sequence[AgentSpec],
    *,
    env: Mapping[str, str],
    breaker: ModelBreaker | None = None,
    factory: ClientFactory | None = None,
) -> AsyncIterator[tuple[GuardedClient, ...]]:
    """One :class:`GuardedClient` per role, sharing one deadline; raises :class:`ModelFailure`.

    Without a model to ask (no API key, circuit open) ModelFailure is raised before anything is
    built and the breaker is not charged. A ModelFailure raised by the body (an unusable answer)
    counts as the model's failure like any error of the model itself. Clients are closed only
    when this built them (``factory`` is None): a caller's factory keeps its clients.
    """
    owned = factory is None
    if factory is None:
        try:
            factory = default_client_factory(config, api_key(config, env))
        except ConfigError as exc:  # names the variable to set, never a value
            raise ModelFailure(f"no model configured: {exc}") from None
    breaker = DEFAULT_BREAKER if breaker is None else breaker
    key = model_key(config)
    if refusal := breaker.refusal(key):
        raise ModelFailure(refusal)
    timeout = config.llm.timeout_seconds
    built: list[ChatCompletionClient] = []
    clients: list[GuardedClient] = []
    try:
        for role in roles:
            built.append(factory(role))  # the first build imports the client library
        deadline = asyncio.get_running_loop().time() + timeout  # a deadline for the model, not imports
        clients = [GuardedClient(client, deadline=deadline) for client in built]
        try:
            async with asyncio.timeout_at(deadline + BACKSTOP_SECONDS):
                yield tuple(clients)
        except RuntimeError as exc:  # autogen's wrapping of a model client's exception
            raise ModelFailure(describe_failure(_last_error(clients), timeout)) from exc
        except TimeoutError as exc:
            raise ModelFailure(describe_failure(_last_error(clients) or exc, timeout)) from exc
        except (openai.OpenAIError, MalformedResponse) as exc:  # from a direct call of a client
            raise ModelFailure(describe_failure(exc, timeout)) from exc
    except ModelFailure:
        breaker.record_failure(key)
        raise
    except BaseException:  # not the model's fault: free the half-open trial, count nothing
        breaker.release(key)
        raise
    finally:
        if owned:
            await _close(built)
    breaker.record_success(key)


def _last_error(clients: Sequence[GuardedClient]) -> BaseException | None:
    """The most telling error: the later role's (the reviewer speaks last), else an earlier one's."""
    return next((c.last_error for c in reversed(clients) if c.last_error is not None), None)


async def _close(clients: Sequence[ChatCompletionClient]) -> None:
    for client in clients:
        try:
            await client.close()
        except Exception:  # closing is best effort; the outcome is already decided
            log.debug("closing a model client failed", exc_info=True)
