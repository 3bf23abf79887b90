"""The answer the agents must give: its contract (shown to the reviewer) and its strict parsing.

Whatever the model writes, only what :func:`parse_answer` validates reaches the review: a verdict,
confirmed or dismissed findings by the ids the prompt listed, and problems on a file and line; the
rest is an :class:`AnswerError` that says why (the reviewer is asked once more). The model's answer
is untrusted text like the pull request it read: every string is cut to one bounded line here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from analyzers.base import Finding

MAX_FINDING_MESSAGE = 300  # one finding's message: an analyzer's in the prompt, the model's in its answer
MAX_REASON_CHARS = 300
MAX_ADDED = 20

ANSWER_CONTRACT = """\
The final answer is ONE JSON object in a ```json fenced block, with exactly these keys:
{"verdict": "<two sentences at most, for the human reviewer>",
 "findings": [{"id": "F1", "status": "confirmed" or "dismissed", "reason": "<one line>"}],
 "added": [{"path": "<a file from the diff>", "line": <a new-side line number shown in the diff>,
            "severity": "error" or "warning" or "note", "message": "<one line>"}]}
Use only the finding ids listed, each at most once. A dismissal counts only when its reason quotes,
in backticks, the code on the finding's line that makes it harmless; findings the check fails on
stay whatever you say. "added" is for real problems the analyzers could not see (at most 10), each
on a line the diff adds (marked +). The bot never approves or blocks a pull request because of this
answer; a human reads it."""


@dataclass(frozen=True)
class FindingVerdict:
    id: str
    fingerprint: str
    status: Literal["confirmed", "dismissed"]
    reason: str


@dataclass(frozen=True)
class AddedProblem:
    path: str
    line: int
    severity: Literal["error", "warning", "note"]
    message: str


class AnswerError(ValueError):
    """The model's final answer is not the JSON the contract asks for; the message says why."""


class _Verdict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    id: str
    status: Literal["confirmed", "dismissed"]
    reason: str = ""


class _Added(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    path: str
    line: int
    severity: Literal["error", "warning", "note"] = "warning"
    message: str


class _Answer(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    verdict: str
    findings: list[_Verdict] = []
    added: list[_Added] = []


def parse_answer(
    text: str, ids: Mapping[str, Finding]
) -> tuple[str, list[FindingVerdict], list[AddedProblem]]:
    """The verdict, per-finding verdicts and added problems from the last JSON object in ``text``."""
    candidates = _json_objects(text)
    if not candidates:
        raise AnswerError("no JSON object found")
    try:
        answer = _Answer.model_validate(candidates[-1])
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise AnswerError(f"{where}: {first['msg']}") from None
    verdicts: list[FindingVerdict] = []
    for item in answer.findings:
        if item.id not in ids:
            known = ", ".join(ids) or "none"
            raise AnswerError(f"unknown finding id {one_line(item.id, 40)!r}; known: {known}")
        if any(v.id == item.id for v in verdicts):
            raise AnswerError(f"finding id {one_line(item.id, 40)!r} given twice")
        reason = one_line(item.reason, MAX_REASON_CHARS)
        verdicts.append(FindingVerdict(item.id, ids[item.id].fingerprint, item.status, reason))
    added = []
    for problem in answer.added[:MAX_ADDED]:
        if problem.line < 1 or not problem.path.strip():
            where = f"{one_line(problem.path, 80)!r}:{str(problem.line)[:20]}"
            raise AnswerError(f"added problem at {where} is not a file and line")
        message = one_line(problem.message, MAX_FINDING_MESSAGE)
        added.append(AddedProblem(problem.path.strip(), problem.line, problem.severity, message))
    return one_line(answer.verdict, 600), verdicts, added


def _json_objects(text: str) -> list[dict[str, object]]:
    """JSON objects in fenced ```json blocks if any, else every top-level object found in the text."""
    fenced = re.findall(r"```(?:json)?\s*\n(.*?)```", text, re.DOTALL)
    found = [obj for block in fenced for obj in _objects_in(block)]
    return found or _objects_in(text)


def _objects_in(text: str) -> list[dict[str, object]]:
    decoder = json.JSONDecoder()
    found: list[dict[str, object]] = []
    index = text.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except (ValueError, RecursionError):  # also a 5,000-digit number or nesting past the stack
            index = text.find("{", index + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        index = text.find("{", end)
    return found


def one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters (an ellipsis says it was cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
