"""Prometheus metrics of one running App (served at GET /metrics).

The registry belongs to the app's context, not to the module, so tests and several apps in one
process never share counters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, generate_latest

if TYPE_CHECKING:
    from bot.agents.team import AgentReview


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.llm_tokens = Counter(
            "review_bot_llm_tokens", "Tokens the agent dialogue used", ["kind"], registry=self.registry
        )
        self.dialogues = Counter(
            "review_bot_agent_dialogues",
            "Agent dialogues, by whether they ran",
            ["result"],
            registry=self.registry,
        )
        self.reviews = Counter(
            "review_bot_reviews", "Reviews finished, by how they ended", ["result"], registry=self.registry
        )

    def count_dialogue(self, review: AgentReview) -> None:
        self.count_tokens(review.prompt_tokens, review.completion_tokens)
        self.dialogues.labels(result="skipped" if review.skipped else "ran").inc()

    def count_tokens(self, prompt: int, completion: int) -> None:
        """Tokens of one model call outside a dialogue (e.g. a question answered with /ask)."""
        self.llm_tokens.labels(kind="prompt").inc(prompt)
        self.llm_tokens.labels(kind="completion").inc(completion)

    def render(self) -> bytes:
        return generate_latest(self.registry)
