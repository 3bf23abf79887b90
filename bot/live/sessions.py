"""Session names: what a member may ask to join, and which pipeline topic feeds which session.

- ``review:<owner>/<repo>#<number>``: every review of that PR (each head), fed by the topics
  ``review:<owner>/<repo>#<number>@<sha>`` (bot/events.py review_topic). Lower-cased: GitHub
  logins and repository names are case-insensitive, and one PR must be one session.
- ``analysis:<id>``: one analysis of the REST API, fed by the topic of the same name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

MAX_SESSION_CHARS = 200
_REVIEW = re.compile(r"^review:([a-z0-9](?:[a-z0-9-]{0,38}))/([a-z0-9._-]{1,100})#([1-9][0-9]{0,9})$")
_ANALYSIS = re.compile(r"^analysis:([A-Za-z0-9_-]{1,64})$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")


@dataclass(frozen=True)
class SessionName:
    kind: Literal["review", "analysis"]
    name: str  # the canonical form, as the hub knows it
    owner: str = ""  # review: the organisation (or user) that owns the repository
    analysis_id: str = ""


def parse_session(text: str) -> SessionName | None:
    """The session ``text`` names, canonical; None when it is not one (never raises)."""
    if not isinstance(text, str) or len(text) > MAX_SESSION_CHARS:
        return None
    if text[:7].lower() == "review:":
        name = text.lower()
        match = _REVIEW.match(name)
        return SessionName("review", name, owner=match.group(1)) if match else None
    match = _ANALYSIS.match(text)
    if match:
        return SessionName("analysis", text, analysis_id=match.group(1))
    return None


def session_of_topic(topic: str) -> tuple[str | None, dict[str, Any]]:
    """The session a pipeline topic feeds, and fields to add to its events (a review's head)."""
    if topic.startswith("analysis:"):
        parsed = parse_session(topic)
        return (parsed.name, {}) if parsed else (None, {})
    if topic.startswith("review:"):
        base, _, sha = topic.rpartition("@")
        parsed = parse_session(base)
        if parsed is None:
            return None, {}
        return parsed.name, ({"head_sha": sha} if _SHA.match(sha) else {})
    return None, {}
