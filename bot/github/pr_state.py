"""What the bot remembers about one pull request, kept on the PR itself.

The state rides in a hidden marker of the bot's own summary comment, so any replica (and any
restart) reads the same thing, and a person can read it too (it is JSON, base64 only so that
Markdown cannot mangle it). Nothing else holds it: losing a process loses nothing.

The summary also shows PR-controlled text (file names, messages), so the marker is
authenticated: an HMAC-SHA256 over the PR it belongs to and the payload, keyed by a server
secret all replicas share (``STATE_SECRET``, else derived from the webhook secret). Only the
last marker of a body counts (the bot writes it last), and one without a valid MAC is no state
at all: a forged or damaged marker can at worst make the bot forget, never pause or ignore.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

STATE_RE = re.compile(r"(?m)^<!-- review-bot:state:v1:([A-Za-z0-9+/=]*):([0-9a-f]{64}) -->\r?$")
ANY_STATE_RE = re.compile(r"<!-- review-bot:state:[A-Za-z0-9+/=:v]* -->")  # ours, older or damaged
KEY_LABEL = b"review-bot pr-state v1"
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

    def ignores(self, names: Iterable[tuple[str, str]]) -> bool:
        """Whether a finding is ignored: by its own (tool, rule) or by one of the tools it was
        merged from ("also reported by"), so ``/ignore B602`` covers a merged shell finding too."""
        return any(self.is_ignored(tool, rule) for tool, rule in names)

    def remember(self, fingerprints: list[str]) -> None:
        self.said = list(dict.fromkeys([*self.said, *fingerprints]))[-FINGERPRINTS_KEPT:]

    def to_marker(self, key: bytes, scope: str) -> str:
        """The signed marker of this state for the PR ``scope`` (see :func:`pr_scope`)."""
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
        return f"<!-- review-bot:state:v1:{raw}:{state_mac(key, scope, raw)} -->"

    @classmethod
    def from_body(cls, body: str | None, key: bytes, scope: str) -> PRState:
        """The state in a summary comment: its last marker, only with a valid MAC for this PR;
        anything missing, forged, damaged or odd is dropped, never trusted."""
        body = body or ""
        markers = list(STATE_RE.finditer(body))
        match = markers[-1] if markers else None  # the bot writes its marker after everything else
        if match is None:
            if "review-bot:state:" in body:
                log.warning("%s: the PR state marker is not in the signed form; starting afresh", scope)
            return cls()
        if not hmac.compare_digest(match.group(2), state_mac(key, scope, match.group(1))):
            log.warning("%s: the PR state marker has no valid signature; ignoring it", scope)
            return cls()
        try:
            data = json.loads(base64.b64decode(match.group(1), validate=True))
        except (ValueError, binascii.Error, RecursionError):
            return cls()
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: object) -> PRState:
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


@dataclass(frozen=True)
class StateSeal:
    """Signs and checks the state markers of one PR."""

    key: bytes = field(repr=False)
    scope: str  # pr_scope(...)

    def marker(self, state: PRState) -> str:
        if not self.key:  # a seal nobody gave a key: refuse to sign with a key anyone knows
            raise ValueError("no PR state key")
        return state.to_marker(self.key, self.scope)

    def read(self, body: str | None) -> PRState:
        return PRState.from_body(body, self.key, self.scope) if self.key else PRState()


@dataclass
class PriorState:
    """What the bot said and keeps on one PR, as read back from its own comments there."""

    said: set[str] = field(default_factory=set)  # from our inline comments and the summary's state
    state: PRState = field(default_factory=PRState)
    summary_comment_id: int | None = None
    summary_body: str = ""  # the summary comment's text as read, state marker included
    config_comment_id: int | None = None
    seal: StateSeal = field(default_factory=lambda: StateSeal(b"", ""))  # signs this PR's state


def pr_scope(owner: str, repo: str, number: int) -> str:
    """What a state marker is bound to: a marker copied to another PR does not verify there."""
    return f"{owner}/{repo}#{number}".lower()


def state_mac(key: bytes, scope: str, payload: str) -> str:
    message = b"\n".join([KEY_LABEL, scope.encode(), payload.encode()])
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def derive_state_key(state_secret: str | None, webhook_secret: str | None) -> bytes:
    """The key of the state MACs: STATE_SECRET when set, else derived from the webhook secret
    (both are shared by every replica). Without either there is no shared secret, so a random
    key for this process: state then lasts as long as the process, never forgeable."""
    if state_secret:
        return hmac.new(state_secret.encode(), KEY_LABEL, hashlib.sha256).digest()
    if webhook_secret:
        return hmac.new(webhook_secret.encode(), KEY_LABEL, hashlib.sha256).digest()
    log.warning("no STATE_SECRET or GITHUB_WEBHOOK_SECRET: PR state is kept for this process only")
    return secrets.token_bytes(32)
