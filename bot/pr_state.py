"""What the bot remembers about one pull request, kept on the PR itself.

The state rides in a hidden marker of the bot's own summary comment, so any replica (and any
restart) reads the same thing, and a person can read it too (it is JSON, base64 only so that
Markdown cannot mangle it). Nothing else holds it: losing a process loses nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

STATE_RE = re.compile(r"<!-- review-bot:state:([A-Za-z0-9+/=]*) -->")
FINGERPRINT = re.compile(r"[0-9a-f]{8,64}")
RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}")
FINGERPRINTS_KEPT = 2_000
IGNORED_KEPT = 200


@dataclass(frozen=True)
class IgnoredRule:
    by: str  # login of who asked
    reason: str = ""


@dataclass
class PRState:
    said: list[str] = field(default_factory=list)  # fingerprints already posted, oldest first
    paused: bool = False  # automatic reviews on push stopped by /pause
    paused_by: str = ""
    ignored: dict[str, IgnoredRule] = field(default_factory=dict)  # rule id -> who and why
    last_reviewed_head: str = ""  # for /review --incremental

    def is_ignored(self, tool: str, rule_id: str) -> bool:
        return rule_id in self.ignored or f"{tool}:{rule_id}" in self.ignored

    def remember(self, fingerprints: list[str]) -> None:
        self.said = list(dict.fromkeys([*self.said, *fingerprints]))[-FINGERPRINTS_KEPT:]

    def to_marker(self) -> str:
        data: dict[str, Any] = {"said": self.said[-FINGERPRINTS_KEPT:]}
        if self.paused:
            data["paused"] = {"by": self.paused_by}
        if self.ignored:
            data["ignored"] = {
                rule: {"by": item.by, "reason": item.reason}
                for rule, item in list(self.ignored.items())[-IGNORED_KEPT:]
            }
        if self.last_reviewed_head:
            data["head"] = self.last_reviewed_head
        raw = base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
        return f"<!-- review-bot:state:{raw} -->"

    @classmethod
    def from_body(cls, body: str | None) -> PRState:
        """The state in a summary comment; anything damaged or odd is dropped, never trusted."""
        match = STATE_RE.search(body or "")
        if not match:
            return cls()
        try:
            data = json.loads(base64.b64decode(match.group(1), validate=True))
        except (ValueError, binascii.Error):
            return cls()
        if not isinstance(data, dict):
            return cls()
        state = cls()
        said = data.get("said")
        if isinstance(said, list):
            state.said = [s for s in said if isinstance(s, str) and FINGERPRINT.fullmatch(s)]
        paused = data.get("paused")
        if isinstance(paused, dict):
            state.paused = True
            state.paused_by = str(paused.get("by") or "")[:100]
        ignored = data.get("ignored")
        if isinstance(ignored, dict):
            for rule, item in ignored.items():
                if isinstance(rule, str) and RULE_ID.fullmatch(rule) and isinstance(item, dict):
                    by, reason = str(item.get("by") or "")[:100], str(item.get("reason") or "")[:300]
                    state.ignored[rule] = IgnoredRule(by, reason)
        head = data.get("head")
        if isinstance(head, str) and re.fullmatch(r"[0-9a-f]{40}", head):
            state.last_reviewed_head = head
        return state
