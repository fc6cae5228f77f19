"""Benchmark the freshness check: many approved articles, each citing passages of MedQuAD.

Ingests MedQuAD into a temporary data directory, saves N articles (default 1,000) of 10
cited passages each straight into the review database (approved, as one transaction each),
then times `check_freshness` with nothing changed, and again after one cited document's
passages were removed. Prints one Markdown table.

    .venv/bin/python bench/bench_freshness.py [--articles 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import update

from medcite.articles.accounts import Accounts
from medcite.articles.db import Database
from medcite.articles.freshness import check_freshness, text_hash
from medcite.articles.models import ArticleRow
from medcite.articles.records import CitedSource
from medcite.articles.service import Review
from medcite.articles.store import ArticleStore
from medcite.articles.workflow import Role
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import load_settings

MEDQUAD = Path(__file__).resolve().parents[2] / "shared/data/corpus/medquad/medquad.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(home=Path(home))
        library = Library(settings)
        ingest([MEDQUAD], library)
        url = args.database_url or f"sqlite+pysqlite:///{home}/articles.sqlite3"
        db = Database(url)
        review = Review(db, Accounts(db), ArticleStore(db))
        rows = _cite_everything(review, library, args.articles)
        figures = [("articles / cited passages", f"{args.articles:,} / {rows:,}")]
        figures.append(
            ("check, nothing changed", _timed(lambda: check_freshness(review.articles, library)))
        )
        victim = random.Random(1).choice(library.store.document_ids())
        _remove_document(library, victim)
        figures.append(
            (
                "check, one document removed",
                _timed(lambda: check_freshness(review.articles, library)),
            )
        )
        print("| measure | value |\n|---|---|")
        for name, value in figures:
            print(f"| {name} | {value} |")


def _cite_everything(review: Review, library: Library, n: int) -> int:
    author = review.accounts.add_user("bench", Role.ADMIN)
    ids = library.store.document_ids()
    rng = random.Random(7)
    cited = 0
    for i in range(n):
        passages = list(library.store.passages_of([rng.choice(ids) for _ in range(5)]))[:10]
        sources = [
            CitedSource(p.id, p.document.id, p.document.version, text_hash(p.text))
            for p in passages
        ]
        a = review.articles.create(
            by=author, question=f"q{i}", audience="clinician", answer_json="{}",
            settings_hash="bench", sources=sources,
        )  # fmt: skip
        with review.db.write() as s:
            s.execute(update(ArticleRow).where(ArticleRow.id == a.id).values(status="approved"))
        cited += len(sources)
        if i % 200 == 0:
            print(f"{i} articles", file=sys.stderr)
    return cited


def _remove_document(library: Library, doc_id: str) -> None:
    """As if re-ingesting its file found the document gone."""
    store = library.store
    source = next(s for s in store.sources() if doc_id in store.document_versions(s.id))
    keep = [d for d in store.document_versions(source.id) if d != doc_id]
    store.write_source(source, [], keep)


def _timed(run: Callable[[], list[str]]) -> str:
    start = time.perf_counter()
    flagged = run()
    return f"{(time.perf_counter() - start) * 1000:.0f} ms, {len(flagged)} flagged"


if __name__ == "__main__":
    main()
