"""What the CLI and the web app do with articles, beyond the store: save an answer as an
article, make a new version from the current sources, show a version as the answer it is."""

from __future__ import annotations

from dataclasses import dataclass

from medcite.articles.accounts import Accounts
from medcite.articles.auth import limit_hashing
from medcite.articles.db import Database, database_url
from medcite.articles.freshness import check_freshness, cited_sources
from medcite.articles.records import Article, User, Version
from medcite.articles.store import ArticleStore
from medcite.engine import Engine
from medcite.index import Library
from medcite.schema import AnswerPublic, CitedPassagePublic, to_public
from medcite.settings import Settings
from medcite.types import Audience


@dataclass(frozen=True, slots=True)
class Review:
    """The review database and its two repositories: accounts and articles."""

    db: Database
    accounts: Accounts
    articles: ArticleStore

    @classmethod
    def open(cls, settings: Settings) -> Review:
        db = Database(database_url(settings))
        limit_hashing(settings.review.max_concurrent_hashes)
        accounts = Accounts(db, token_days=settings.review.token_days)
        return cls(db, accounts, ArticleStore(db))

    def close(self) -> None:
        self.db.close()

    def save_answer(
        self, answer: AnswerPublic, library: Library, *, by: User, answer_id: str | None = None
    ) -> Article:
        """A draft article whose first version is `answer` (its sources must be unchanged)."""
        return self.articles.create(
            by=by,
            question=answer.question,
            audience=answer.audience,
            answer_json=answer.model_dump_json(),
            settings_hash=answer.settings_hash,
            sources=cited_sources(_cited_passages(answer), library.store),
            source_answer_id=answer_id,
        )

    def revise(
        self, article: Article, engine: Engine, *, by: User, expected_revision: int | None = None
    ) -> Article:
        """A new version: the article's question answered again from the current sources."""
        answer = to_public(engine.ask(article.question, audience=Audience(article.audience)))
        return self.articles.revise(
            article.id,
            by=by,
            answer_json=answer.model_dump_json(),
            settings_hash=answer.settings_hash,
            sources=cited_sources(_cited_passages(answer), engine.library.store),
            expected_revision=article.revision if expected_revision is None else expected_revision,
        )

    def check_freshness(self, library: Library) -> list[str]:
        return check_freshness(self.articles, library)


def _cited_passages(answer: AnswerPublic) -> list[CitedPassagePublic]:
    return [p for r in answer.references for p in r.passages]


def shown_answer(article: Article, version: Version) -> AnswerPublic:
    """A version's answer as readers see it: `review_status` is the article's status now
    (`needs_re_review` when a cited source changed), never the stored snapshot's."""
    answer = AnswerPublic.model_validate_json(version.answer_json)
    status = article.public_status if version.number == article.current_version else "superseded"
    return answer.model_copy(update={"review_status": status})
