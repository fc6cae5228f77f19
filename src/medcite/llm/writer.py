"""The LLM writer: numbered evidence passages in, claims with citation numbers out.

The contract: the model sees the question (patient identifiers replaced when the request
leaves the machine) and the retrieved passages, numbered and delimited as data. It replies
with JSON: `bottom_line` and `sections` (only the question's template keys), each a list of
`{"text", "citations"}`. The reply is validated strictly; an unusable reply gets one repair
request quoting the error, then the writer gives up with `LLMError` (the engine falls back
to the extractive writer). Citation numbers become passage ids in `passage_ids_for` alone;
then, given the verifier, code re-assigns each claim's citations to the passages that
support it (`llm/citing.py`). Every claim then goes to `verify/` like any extractive one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medcite.answer.extractive import BOTTOM_LINE
from medcite.answer.sections import SPECS, template
from medcite.errors import LLMError
from medcite.llm.base import LLM, Message, OnText
from medcite.llm.citing import assign_citations
from medcite.llm.prompts import REPAIR_PROMPT
from medcite.privacy import Scrubbed, scrub
from medcite.settings import AnswerSettings, LLMSettings
from medcite.types import Claim, Hit, Passage, Query
from medcite.verify import Verifier

log = logging.getLogger(__name__)

_CHARS_PER_TOKEN = 3  # a cautious estimate for English clinical text
_PROMPT_RESERVE_TOKENS = 900  # instructions, question and tags around the passages
_DELIMITER = re.compile(r"<(/?)(passage)", re.I)
_MARKERS = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_FENCE = re.compile(r"^```(?:json)?\s*\n?(.*?)\n?```$", re.S)


class ReplyError(ValueError):
    """The model's reply does not follow the contract; the message says how."""


class DraftClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    citations: list[int]


class DraftAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bottom_line: list[DraftClaim]
    sections: dict[str, list[DraftClaim]] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The passages shown to the model; passage n is `passages[n - 1]`."""

    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class Written:
    claims: list[Claim]
    writer: str
    notes: tuple[str, ...] = ()


def write_with_llm(
    llm: LLM,
    query: Query,
    hits: Sequence[Hit],
    cfg: LLMSettings,
    answer: AnswerSettings,
    on_text: OnText | None = None,
    verifier: Verifier | None = None,
) -> Written:
    """Draft claims with the model; raises `LLMError` when no usable reply could be had.

    With a `verifier`, each claim's citations are assigned by code (`llm/citing.py`)."""
    keys = template(query.question_type, query.aspects)
    evidence = number_evidence(hits, cfg.max_passages, _budget_chars(llm, cfg))
    question = scrub(query.question) if _must_scrub(llm, cfg) else Scrubbed(query.question, {})
    log.info(
        "LLM writer %s:%s: question sha256 %s (%d chars, %d identifiers replaced), %d passages",
        llm.name,
        llm.model,
        hashlib.sha256(query.question.encode()).hexdigest()[:12],
        len(query.question),
        len(question.replacements),
        len(evidence.passages),
    )
    messages = build_messages(query, question.text, evidence, keys, cfg, answer)
    draft = _ask(llm, messages, keys, cfg, on_text)
    claims, dropped = to_claims(draft, evidence, keys, question, answer)
    notes: tuple[str, ...] = (
        (f"{dropped} citation number(s) named no evidence passage and were dropped",)
        if dropped
        else ()
    )
    if verifier is not None:
        assigned = assign_citations(claims, evidence.passages, verifier)
        claims, notes = list(assigned.claims), (*notes, *assigned.notes())
    return Written(claims, f"{llm.name}:{llm.model}", notes)


def _must_scrub(llm: LLM, cfg: LLMSettings) -> bool:
    return cfg.scrub_phi == "always" or not llm.is_local


def _budget_chars(llm: LLM, cfg: LLMSettings) -> int:
    window = min(llm.context_window, cfg.context_window)
    return max(0, window - cfg.max_tokens - _PROMPT_RESERVE_TOKENS) * _CHARS_PER_TOKEN


def _ask(
    llm: LLM,
    messages: list[Message],
    keys: Sequence[str],
    cfg: LLMSettings,
    on_text: OnText | None,
) -> DraftAnswer:
    """The parsed reply, after at most one repair request, all within `llm.budget_s`."""
    schema = answer_schema(keys) if llm.supports_json else None
    budget = _Budget(cfg.budget_s)
    reply = llm.complete(
        messages, json_schema=schema, stream=cfg.stream, on_text=on_text, timeout_s=budget.left()
    )
    try:
        return parse_reply(reply.text, keys, reply.finish_reason)
    except ReplyError as first:
        log.info("LLM reply unusable (%s); asking once for a repair", first)
        repair = [
            *messages,
            Message("assistant", reply.text),
            Message("user", REPAIR_PROMPT.format(error=first)),
        ]
    reply = llm.complete(
        repair, json_schema=schema, stream=cfg.stream, on_text=on_text, timeout_s=budget.left()
    )
    try:
        return parse_reply(reply.text, keys, reply.finish_reason)
    except ReplyError as second:
        raise LLMError(f"the model's reply was unusable after one repair ({second})") from None


class _Budget:
    """The seconds one answer may spend on the model; `left` raises once they are spent."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise LLMError(
                f"the model used up its {self.seconds:g} s budget (llm.budget_s) without a "
                "usable reply"
            )
        return remaining


def number_evidence(hits: Sequence[Hit], max_passages: int, budget_chars: int) -> Evidence:
    """The best-ranked passages that fit the budget (always at least one)."""
    chosen: list[Passage] = []
    used = 0
    for hit in sorted(hits, key=lambda h: h.rank)[:max_passages]:
        size = len(hit.passage.text) + len(hit.passage.document.title) + 120
        if chosen and used + size > budget_chars:
            break
        chosen.append(hit.passage)
        used += size
    return Evidence(tuple(chosen))


def passage_ids_for(numbers: Sequence[int], evidence: Evidence) -> tuple[tuple[str, ...], int]:
    """The passage ids that citation numbers name, and how many numbers named none."""
    ids: list[str] = []
    dropped = 0
    for n in numbers:
        if 1 <= n <= len(evidence.passages):
            ids.append(evidence.passages[n - 1].id)
        else:
            dropped += 1
    return tuple(dict.fromkeys(ids)), dropped


def build_messages(
    query: Query,
    question: str,
    evidence: Evidence,
    keys: Sequence[str],
    cfg: LLMSettings,
    answer: AnswerSettings,
) -> list[Message]:
    """System and user messages from the (settings-checked) templates."""
    passages = "\n".join(_passage_block(n, p) for n, p in enumerate(evidence.passages, 1))
    sections = "\n".join(f"- {k}: {SPECS[k].title}" for k in keys)
    variables = {
        "question": _neutral(question),
        "audience": query.audience.value,
        "passages": passages,
        "sections": sections,
        "bottom_line": str(answer.bottom_line_sentences),
    }
    return [
        Message("system", cfg.system_prompt.format_map(variables)),
        Message("user", cfg.user_prompt.format_map(variables)),
    ]


def _passage_block(number: int, p: Passage) -> str:
    d = p.document
    attrs = {
        "id": str(number),
        "title": d.title,
        "source": d.source,
        "kind": d.kind.label,
        "date": d.date.isoformat() if d.date else "unknown",
        "section": p.section or "",
    }
    head = " ".join(f'{k}="{_neutral(v).replace(chr(34), chr(39))}"' for k, v in attrs.items())
    return f"<passage {head}>\n{_neutral(p.text)}\n</passage>"


def _neutral(text: str) -> str:
    """Text that cannot open or close a passage tag."""
    return _DELIMITER.sub(r"‹\1\2", text)


def answer_schema(keys: Sequence[str]) -> dict[str, Any]:
    """The JSON schema of a reply (strict-mode compatible: every property required)."""
    claim = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "citations": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["text", "citations"],
        "additionalProperties": False,
    }
    claims = {"type": "array", "items": claim}
    return {
        "type": "object",
        "properties": {
            "bottom_line": claims,
            "sections": {
                "type": "object",
                "properties": {k: claims for k in keys},
                "required": list(keys),
                "additionalProperties": False,
            },
        },
        "required": ["bottom_line", "sections"],
        "additionalProperties": False,
    }


def parse_reply(text: str, keys: Sequence[str], finish_reason: str | None = None) -> DraftAnswer:
    """The reply as a DraftAnswer, or ReplyError saying what is wrong (never quoting it)."""
    cut = " (the reply was cut off: raise llm.max_tokens)" if finish_reason == "length" else ""
    body = text.strip()
    if fenced := _FENCE.match(body):
        body = fenced.group(1).strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ReplyError(f"not valid JSON: {exc.msg} at line {exc.lineno}{cut}") from None
    try:
        draft = DraftAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise ReplyError(f"does not match the schema at {where}: {first['msg']}") from None
    if unknown := sorted(set(draft.sections) - set(keys)):
        raise ReplyError(f"unknown section key(s) {unknown}; use only: {', '.join(keys)}")
    return draft


def to_claims(
    draft: DraftAnswer,
    evidence: Evidence,
    keys: Sequence[str],
    question: Scrubbed,
    answer: AnswerSettings,
) -> tuple[list[Claim], int]:
    """Claims in template order, within the answer's limits, and the citations dropped."""
    ordered = [(BOTTOM_LINE, c) for c in draft.bottom_line[: answer.bottom_line_sentences]]
    for key in keys:
        ordered += [(key, c) for c in draft.sections.get(key, [])[: answer.max_per_section]]
    claims: list[Claim] = []
    dropped = 0
    for section, draft_claim in ordered[: answer.max_claims]:
        text, inline = _split_markers(draft_claim.text)
        if not text:
            continue
        ids, lost = passage_ids_for([*draft_claim.citations, *inline], evidence)
        dropped += lost
        claims.append(Claim(question.restore(text), ids, section))
    return claims, dropped


def _split_markers(text: str) -> tuple[str, list[int]]:
    """The text without inline `[n]` markers, and the numbers they held."""
    numbers = [int(n) for m in _MARKERS.finditer(text) for n in m.group(1).split(",")]
    return _MARKERS.sub("", text).strip(), numbers
