"""Review jobs and the queue they wait in: in-process by default, saq on Redis with REDIS_URL.

The Redis queue lives in ``bot.queue.redis`` and is imported only where it is used, so the CLI
and the in-process App never load saq or the Redis client.
"""

from bot.queue.base import (
    LANES,
    MAX_PENDING,
    REMEMBER_ITEMS,
    REMEMBER_SECONDS,
    Priority,
    QueueFull,
    QueueUnavailable,
    ReviewJob,
    ReviewQueue,
    lane_of,
)
from bot.queue.memory import InProcessQueue

__all__ = [
    "LANES",
    "MAX_PENDING",
    "REMEMBER_ITEMS",
    "REMEMBER_SECONDS",
    "InProcessQueue",
    "Priority",
    "QueueFull",
    "QueueUnavailable",
    "ReviewJob",
    "ReviewQueue",
    "lane_of",
]
