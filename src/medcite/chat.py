"""Conversations from the command line: `medcite chat` and `medcite ask --conversation ID`.

A `ChatSession` asks each question in the context of the conversation's earlier questions
and saves every answer in the store's conversations (the same ones the web app keeps), so a
conversation started in one place can be continued in another. `run_chat` is the
interactive loop, reading lines through a function so that tests can script it.
"""

from __future__ import annotations

from collections.abc import Callable

from medcite.engine import Engine
from medcite.errors import MedciteError, NotFound
from medcite.index.conversations import Conversations
from medcite.render import markdown
from medcite.schema import to_public
from medcite.types import Answer, Audience

NEW = "new"
HELP = (
    "Ask a question, then follow-ups in its context. Commands: /new (a new conversation), "
    "/sources (what is indexed), /show N (reference N of the last answer), /help, /quit."
)


class ChatSession:
    """One conversation: asked in context, saved turn by turn."""

    def __init__(
        self, engine: Engine, audience: Audience, conversation_id: str | None = None
    ) -> None:
        self.engine = engine
        self.audience = audience
        self.conversations = Conversations(engine.library.store)
        self.conversation_id = None if conversation_id in (None, NEW) else conversation_id
        if self.conversation_id is not None:
            self.conversations.conversation(self.conversation_id)  # NotFound for a bad id
        self.last: Answer | None = None

    def history(self) -> list[str]:
        if self.conversation_id is None:
            return []
        found = self.conversations.conversation(self.conversation_id)
        return [t.question for t in self.conversations.answers(found.answer_ids)]

    def ask(self, question: str) -> Answer:
        """Answer in the conversation's context and save the answer as its next turn."""
        answer = self.engine.ask(question, audience=self.audience, history=self.history())
        if self.conversation_id is None:
            self.conversation_id = self.conversations.create(self.audience).id
        body = to_public(answer).model_dump_json()
        self.conversations.append(self.conversation_id, answer.question, self.audience, body)
        self.last = answer
        return answer

    def new(self) -> None:
        self.conversation_id, self.last = None, None


def run_chat(
    session: ChatSession,
    read: Callable[[str], str],
    write: Callable[[str], None],
    show_sources: Callable[[], None],
) -> None:
    """Read questions and commands until /quit or end of input."""
    write(HELP)
    while True:
        try:
            line = read("› ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not line:
            continue
        if line in ("/quit", "/exit", "/q"):
            break
        try:
            _handle(session, line, write, show_sources)
        except MedciteError as exc:
            write(f"error: {exc}")
    if session.conversation_id:
        write(
            f"conversation {session.conversation_id} (continue it with `medcite ask "
            f"--conversation {session.conversation_id} QUESTION`)"
        )


def _handle(
    session: ChatSession,
    line: str,
    write: Callable[[str], None],
    show_sources: Callable[[], None],
) -> None:
    command, _, argument = line.partition(" ")
    if command == "/new":
        session.new()
        write("New conversation: earlier questions no longer shape the answers.")
    elif command == "/sources":
        show_sources()
    elif command == "/show":
        write(show_reference(session.last, argument.strip()))
    elif command == "/help" or line.startswith("/"):
        write(HELP)
    else:
        write(markdown(session.ask(line)))


def show_reference(answer: Answer | None, number: str) -> str:
    """Reference N of the answer: its source and the passages it was cited for, in full."""
    if answer is None:
        return "Ask a question first: /show N shows reference N of the last answer."
    found = next((r for r in answer.references if str(r.number) == number), None)
    if found is None:
        raise NotFound(
            f"no reference {number!r} in the last answer (it has {len(answer.references)})"
        )
    d = found.document
    lines = [
        f"[{found.number}] {d.title} — {d.source} ({d.kind.label})" + (f" {d.url}" if d.url else "")
    ]
    for p in found.passages:
        lines += ["", f"Passage {p.id} · section {p.section or '-'}", "", p.text]
    return "\n".join(lines)
