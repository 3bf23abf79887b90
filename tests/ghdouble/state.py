"""What the double remembers: installations, tokens, repositories, pull requests, faults."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Past GitHub's real ids, so a test cannot confuse a double id with an example id.
_ids = itertools.count(1_000_001)


def next_id() -> int:
    return next(_ids)


@dataclass
class Token:
    value: str
    installation_id: int
    expires_at: float


@dataclass
class Repo:
    owner: str
    name: str
    path: Path
    id: int = field(default_factory=next_id)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class Pull:
    repo: Repo
    number: int
    base: str
    head: str
    user_login: str
    base_sha: str
    head_sha: str
    data: dict[str, Any]
    draft: bool = False
    title: str = ""
    id: int = field(default_factory=next_id)


@dataclass
class FailRule:
    method: str
    path_regex: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    count: int


@dataclass
class Faults:
    error_rate: float = 0.0
    error_status: int = 502
    error_methods: set[str] | None = None
    rng: random.Random = field(default_factory=random.Random)
    secondary_limit_count: int = 0
    secondary_retry_after: int = 1
    latency: float = 0.0
    rules: list[FailRule] = field(default_factory=list)
    holds: list[Any] = field(default_factory=list)  # faults.Hold: requests kept waiting until released
