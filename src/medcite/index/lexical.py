"""Lexical (BM25) search behind a small interface; tantivy is the built-in backend."""

from __future__ import annotations

import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from medcite.errors import ConfigError, StoreError
from medcite.text import STOPWORDS, analyzer, terms
from medcite.types import Document, Passage

TOKENIZER = "medcite"
MAX_TOPIC_WORDS = 6
_SCHEMA_VERSION = "6"


@dataclass(frozen=True, slots=True)
class TermGroup:
    """Analyzed query terms for one concept; any of them may match."""

    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class LexicalResult:
    passage_id: str
    score: float


class LexicalIndex(ABC):
    """What retrieval needs from a lexical backend."""

    name: ClassVar[str]

    @abstractmethod
    def search(self, groups: Sequence[TermGroup], k: int) -> list[LexicalResult]:
        """The k best passages for the (OR-ed) term groups."""

    @abstractmethod
    def stage(self, doc_ids: Sequence[str], passages: Iterable[Passage]) -> None:
        """Drop every entry of `doc_ids` and add `passages`, unseen until `commit`."""

    @abstractmethod
    def commit(self) -> None:
        """Make what was staged searchable (nothing staged: nothing happens); the writer
        stays open for more until `release`."""

    @abstractmethod
    def release(self) -> None:
        """Let the open writer finish its background work and close it."""

    @abstractmethod
    def discard(self) -> None:
        """Forget what was staged and not committed, and close the writer."""

    def replace(self, doc_ids: Sequence[str], passages: Iterable[Passage]) -> None:
        """Drop every entry of `doc_ids`, add `passages`, commit and close the writer."""
        self.stage(doc_ids, passages)
        self.commit()
        self.release()

    @abstractmethod
    def doc_freq(self, term: str) -> int:
        """How many passages contain an analyzed term."""

    @abstractmethod
    def is_topic(self, words: str) -> bool:
        """True when some document is about these words: its whole topic, or two to four
        words in a row of it (see `topic_keys`)."""

    @abstractmethod
    def size(self) -> int:
        """How many passages are indexed."""

    def passage_ids(self) -> set[str]:
        """Every indexed passage id (`medcite check` compares them with the store)."""
        raise NotImplementedError(f"the {self.name} backend cannot list its passages")


class TantivyIndex(LexicalIndex):
    name = "tantivy"

    def __init__(self, path: Path, title_boost: float = 1.5, *, may_write: bool = True) -> None:
        import tantivy

        self._tantivy = tantivy
        self.path = path
        self.title_boost = title_boost
        self._index = self._open(path, may_write)
        self._index.register_tokenizer(TOKENIZER, analyzer())
        self._staging: Any = None  # the open writer of `stage`, until `commit` or `discard`

    def _open(self, path: Path, may_write: bool) -> Any:
        """Open the index; one of another schema version is derived data, deleted and rebuilt
        from the store, but only by a process that may write it."""
        marker = path / "medcite-schema"
        current = marker.exists() and marker.read_text() == _SCHEMA_VERSION
        if path.exists() and not current:
            if not may_write:
                raise StoreError(
                    f"the lexical index at {path} must be rebuilt, and another medcite "
                    "process is writing the library: try again when it has finished"
                )
            shutil.rmtree(path)  # derived data: rebuilt from the store
        path.mkdir(parents=True, exist_ok=True)
        try:
            index = self._tantivy.Index(self._schema(), path=str(path), reuse=True)
        except (OSError, ValueError) as exc:
            raise corrupted(path, exc) from exc
        if may_write and not current:
            marker.write_text(_SCHEMA_VERSION)
        return index

    def _schema(self) -> Any:
        builder = self._tantivy.SchemaBuilder()
        builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
        builder.add_text_field("doc_id", stored=False, tokenizer_name="raw", index_option="basic")
        builder.add_text_field("text", stored=False, tokenizer_name=TOKENIZER)
        builder.add_text_field("title", stored=False, tokenizer_name=TOKENIZER)
        builder.add_text_field("topic", stored=False, tokenizer_name="raw", index_option="basic")
        builder.add_text_field("section", stored=False, tokenizer_name=TOKENIZER)
        return builder.build()

    def search(self, groups: Sequence[TermGroup], k: int) -> list[LexicalResult]:
        q = self._tantivy.Query
        occur = self._tantivy.Occur.Should
        clauses = []
        schema = self._index.schema
        for group in groups:
            for term in group.terms:
                clauses.append(
                    (occur, _boosted(q, q.term_query(schema, "text", term), group.boost))
                )
                title = q.term_query(schema, "title", term)
                clauses.append((occur, _boosted(q, title, group.boost * self.title_boost)))
                section = q.term_query(schema, "section", term)
                clauses.append((occur, _boosted(q, section, group.boost)))
        if not clauses:
            return []
        with self._reading():
            searcher = self._index.searcher()
            hits = searcher.search(q.boolean_query(clauses), limit=k).hits
            return [
                LexicalResult(searcher.doc(addr)["passage_id"][0], float(score))
                for score, addr in hits
            ]

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A damaged index fails with what to do, not a panic from inside tantivy (pyo3's
        PanicException is a BaseException)."""
        try:
            yield
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:
            raise corrupted(self.path, exc) from None

    def stage(self, doc_ids: Sequence[str], passages: Iterable[Passage]) -> None:
        """Staged in one open writer, whose indexing threads work while the caller reads on."""
        if self._staging is None:
            self._staging = self._writer()
        writer = self._staging
        try:
            for doc_id in doc_ids:
                writer.delete_documents_by_term("doc_id", doc_id)
            topics: dict[str, list[str]] = {}  # a document's passages share its topic keys
            for p in passages:
                doc = p.document
                if doc.id not in topics:
                    topics = {doc.id: topic_keys(document_topic(doc))}
                writer.add_document(
                    self._tantivy.Document(
                        passage_id=p.id,
                        doc_id=doc.id,
                        text=p.text,
                        title=indexed_title(doc),
                        topic=topics[doc.id],
                        section=p.section or "",
                    )
                )
        except BaseException:
            self.discard()
            raise

    def commit(self) -> None:
        """Segments are merged by the writer's own threads meanwhile (using the other core
        while ingest reads on), waited for only at `release`."""
        writer = self._staging
        if writer is None:
            return
        try:
            writer.commit()
        except BaseException:
            self.discard()
            raise
        self._index.reload()

    def release(self) -> None:
        writer, self._staging = self._staging, None
        if writer is not None:
            writer.wait_merging_threads()

    def discard(self) -> None:
        writer, self._staging = self._staging, None
        if writer is not None:
            writer.rollback()

    def _writer(self) -> Any:
        try:
            writer = self._index.writer(heap_size=128_000_000, num_threads=2)
            # Files a killed writer left behind would collide with this writer's new ones.
            writer.garbage_collect_files()
            return writer
        except ValueError as exc:
            raise StoreError(
                f"the lexical index at {self.path} is locked by another medcite process ({exc}); "
                "wait for it to finish"
            ) from exc

    def doc_freq(self, term: str) -> int:
        with self._reading():
            return int(self._index.searcher().doc_freq("text", term))

    def is_topic(self, words: str) -> bool:
        key = topic_key(words)
        if not key:
            return False
        with self._reading():
            return bool(self._index.searcher().doc_freq("topic", key) > 0)

    def size(self) -> int:
        with self._reading():
            return int(self._index.searcher().num_docs)

    def passage_ids(self) -> set[str]:
        with self._reading():
            searcher = self._index.searcher()
            found = searcher.search(self._tantivy.Query.all_query(), limit=max(1, self.size()))
            return {str(searcher.doc(addr)["passage_id"][0]) for _, addr in found.hits}


def indexed_title(document: Document) -> str:
    """What the title field holds: the title, then the subject terms the source indexed it
    under (`extra["index_terms"]`: MeSH headings, keywords), searched at the title's weight."""
    terms_ = document.extra.get("index_terms", "")
    return f"{document.title} {terms_.replace('; ', ' ')}" if terms_ else document.title


def document_topic(document: Document) -> str:
    """What a document is about: its stated focus (MedQuAD), else its title."""
    return document.extra.get("focus") or document.title


def topic_keys(words: str) -> list[str]:
    """The keys a topic is found by: the whole topic and, for a name of at most
    MAX_TOPIC_WORDS words, each run of two or more of its words that neither starts nor ends
    with a stopword ("factor v leiden" in "factor V Leiden thrombophilia"). One word of a
    longer topic is not a key ("pick" alone is not "Pick disease"), nor is a run of a title
    that is a sentence ("role of" in a paper's title)."""
    seq = topic_key(words).split()
    if not seq:
        return []
    whole = " ".join(seq)
    if len(seq) > MAX_TOPIC_WORDS:
        return [whole]
    runs = {
        " ".join(run)
        for n in range(2, len(seq))
        for i in range(len(seq) - n + 1)
        if (run := seq[i : i + n])[0] not in STOPWORDS and run[-1] not in STOPWORDS
    }
    return [whole, *sorted(runs)]


def topic_key(words: str) -> str:
    """Words as one comparable key: analyzed terms joined by spaces, a possessive's "s"
    left out ("Bell's palsy" and "Bell palsy" are the same topic)."""
    return " ".join(t for t in terms(words) if t != "s")


def _boosted(q: Any, query: Any, boost: float) -> Any:
    return query if boost == 1.0 else q.boost_query(query, boost)


def corrupted(path: Path, exc: BaseException) -> StoreError:
    """The error for an index that cannot be read: what failed, and how to rebuild it."""
    return StoreError(
        f"the lexical index at {path} cannot be read ({exc}); it is derived from the store: "
        "run `medcite check --repair` to rebuild it"
    )


LEXICAL_BACKENDS: dict[str, Callable[..., LexicalIndex]] = {
    TantivyIndex.name: TantivyIndex,
}


def open_lexical(
    backend: str, path: Path, title_boost: float, *, may_write: bool = True
) -> LexicalIndex:
    """The lexical index; `may_write` is false while another process holds the writer lock."""
    try:
        factory = LEXICAL_BACKENDS[backend]
    except KeyError:
        known = ", ".join(sorted(LEXICAL_BACKENDS))
        raise ConfigError(f"unknown lexical backend {backend!r}; choose one of: {known}") from None
    return factory(path, title_boost, may_write=may_write)
