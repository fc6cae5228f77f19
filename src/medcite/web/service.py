"""What the web pages and the JSON API both do: ask within a conversation, and read back.

The engine answers; the answer is saved as its public JSON in the conversation, whose
earlier questions are the context of the next one.

Questions may hold patient identifiers. The engine reads each question with them blanked
out (they are never what the evidence is about), so nothing in an answer can repeat them,
and the question is stored, shown and returned scrubbed (`[NAME_1]`, `[PHONE_1]` …).
Conversations older than `web.retention_days` are deleted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from medcite.engine import Engine
from medcite.errors import MedciteError
from medcite.index.conversations import Conversation, Conversations, Forgotten, SavedAnswer
from medcite.llm.base import LLM
from medcite.privacy import scrub, without_identifiers
from medcite.schema import AnswerPublic, ConversationPublic, SavedAnswerPublic, to_public
from medcite.settings import Settings
from medcite.text import legible
from medcite.types import Answer, Audience

log = logging.getLogger(__name__)

_PURGE_EVERY_S = 3600.0


@dataclass(frozen=True, slots=True)
class Turn:
    """One saved answer with its public form, as the pages show it."""

    saved: SavedAnswer
    answer: AnswerPublic


class AskService:
    """The engine and the conversation store, opened once per app."""

    def __init__(self, settings: Settings, llm: LLM | None = None) -> None:
        """`llm` overrides the writer `settings.llm` would open (a model shared by workers)."""
        self.settings = settings
        self.engine = Engine(settings, llm=llm)
        self.conversations = Conversations(self.engine.library.store)
        self._purged = 0.0
        self.purge_expired()

    def close(self) -> None:
        self.engine.close()

    def warm(self) -> None:
        """Answer the sample question once before serving, so the models and vocabularies an
        answer needs are loaded by one thread, not by every request thread of a first burst
        at once (20 simultaneous first asks took 25-31 s and three times the memory)."""
        try:
            self.engine.ask(self.settings.corpus.sample_question)
        except MedciteError as exc:  # an empty or unreadable library: requests will say so
            log.info("warm-up question not answered: %s", exc)

    def purge_expired(self) -> Forgotten | None:
        """Delete conversations past `web.retention_days` (at most once an hour)."""
        days = self.settings.web.retention_days
        recently = self._purged and time.monotonic() - self._purged < _PURGE_EVERY_S
        if days is None or recently:
            return None
        self._purged = time.monotonic()
        return self.conversations.forget(before=datetime.now(UTC) - timedelta(days=days))

    def _ask(self, question: str, audience: Audience, history: list[str] | None = None) -> Answer:
        """The engine's answer to the question without its identifiers; the answer carries
        the question as stored: scrubbed."""
        self.purge_expired()
        question = legible(question)
        earlier = [without_identifiers(h) for h in history or []]
        answer = self.engine.ask(without_identifiers(question), audience=audience, history=earlier)
        return replace(answer, question=" ".join(scrub(question).text.split()))

    def start(self, question: str, audience: Audience) -> SavedAnswer:
        """A new conversation whose first turn answers `question`."""
        answer = self._ask(question, audience)  # errors before anything is saved
        conversation = self.conversations.create(audience)
        body = to_public(answer).model_dump_json()
        return self.conversations.append(conversation.id, answer.question, audience, body)

    def follow_up(
        self, conversation_id: str, question: str, audience: Audience | None = None
    ) -> SavedAnswer:
        """Answer `question` in the context of the conversation's earlier questions."""
        conversation = self.conversations.conversation(conversation_id)
        history = [t.question for t in self.conversations.answers(conversation.answer_ids)]
        chosen = audience or conversation.audience
        answer = self._ask(question, chosen, history)
        body = to_public(answer).model_dump_json()
        return self.conversations.append(conversation_id, answer.question, chosen, body)

    def switch_audience(self, conversation_id: str, audience: Audience) -> SavedAnswer | None:
        """Answer the latest question again for another audience, as a new turn.

        A conversation with no question yet only records the audience (returns None).
        """
        conversation = self.conversations.conversation(conversation_id)
        turns = self.conversations.answers(conversation.answer_ids)
        if not turns:
            self.conversations.set_audience(conversation_id, audience)
            return None
        latest = turns[-1]
        history = [t.question for t in turns[:-1]]
        answer = self._ask(latest.question, audience, history)
        body = to_public(answer).model_dump_json()
        return self.conversations.append(conversation_id, answer.question, audience, body)

    def recent(self) -> list[SavedAnswer]:
        """The ask page's recent questions (none unless `web.recent_questions` asks for
        some), scrubbed again as they are shown: older stores kept questions verbatim."""
        found = self.conversations.recent(self.settings.web.recent_questions)
        return [replace(s, question=scrub(s.question).text) for s in found]

    def turn(self, answer_id: str) -> Turn:
        """One saved answer (NotFound for an unknown id)."""
        saved = self.conversations.answer(answer_id)
        return Turn(saved, AnswerPublic.model_validate_json(saved.body))

    def turns(self, conversation: Conversation) -> list[Turn]:
        saved = self.conversations.answers(conversation.answer_ids)
        return [Turn(s, AnswerPublic.model_validate_json(s.body)) for s in saved]


def answer_url(saved: SavedAnswer) -> str:
    return f"/c/{saved.conversation_id}#answer-{saved.id}"


def saved_public(saved: SavedAnswer) -> SavedAnswerPublic:
    return SavedAnswerPublic(
        id=saved.id,
        conversation_id=saved.conversation_id,
        created_at=saved.created,
        url=answer_url(saved),
        answer=AnswerPublic.model_validate_json(saved.body),
    )


def conversation_public(conversation: Conversation, turns: list[SavedAnswer]) -> ConversationPublic:
    return ConversationPublic(
        id=conversation.id,
        created_at=conversation.created,
        updated_at=conversation.updated,
        audience=conversation.audience,
        url=f"/c/{conversation.id}",
        messages=[saved_public(t) for t in turns],
        count=len(turns),
    )
