"""Who is calling the REST API: the identity a verified token carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["read", "analyze", "admin"]
# read < analyze < admin: a route names the least role it needs.
ROLE_RANK: dict[str, int] = {"read": 0, "analyze": 1, "admin": 2}
ROLES: tuple[Role, ...] = ("read", "analyze", "admin")


@dataclass(frozen=True)
class Principal:
    user: str
    org: str
    role: Role
    key_id: str

    def has_role(self, needed: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[needed]
