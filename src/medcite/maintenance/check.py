"""`medcite check`: the store, the lexical index and the vectors agree, the databases are
sound, the files are private. `--repair` rebuilds what is derived from the store.

The store is the source of truth. The lexical index and the vectors are derived from it, so
they can always be rebuilt: the lexical index at once, the vectors by `medcite embed` (which
reuses cached vectors). A damaged store cannot be rebuilt; restore it from a backup.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from medcite.datadir import readable_by_others, tighten_tree
from medcite.errors import MedciteError, StoreError
from medcite.index import Library
from medcite.index.lexical import open_lexical
from medcite.index.locking import OnWait, WriterLock
from medcite.index.store import Store
from medcite.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Finding:
    """One part checked: whether it is sound, what was found, and whether it was repaired."""

    part: str
    ok: bool
    detail: str
    repaired: bool = False


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Nothing is wrong any more (everything sound, or repaired)."""
        return all(f.ok or f.repaired for f in self.findings)


def check(
    settings: Settings, *, repair: bool = False, on_wait: OnWait | None = None
) -> CheckReport:
    """Check the data directory; with `repair`, rebuild what is derived and tighten files."""
    home = settings.data_dir
    if not (home / "medcite.sqlite3").exists():
        raise MedciteError(f"no library at {home}: nothing to check (`medcite ingest PATH`)")
    lock = WriterLock(home)
    if repair:
        lock.acquire(settings.ingest.lock_wait_s, on_wait)
    try:
        return CheckReport(tuple(_findings(settings, repair, lock.held)))
    finally:
        lock.release()


def _findings(settings: Settings, repair: bool, locked: bool) -> list[Finding]:
    home = settings.data_dir
    try:
        store = Store(home / "medcite.sqlite3")
    except StoreError as exc:
        return [Finding("store", False, f"{exc}; restore a backup: `medcite restore DIR`")]
    try:
        found = [_store_finding(store)]
        if not found[0].ok:
            return found
        steps: list[Callable[[Settings, Store, bool], Finding]] = [
            _stats_finding,
            _lexical_finding,
            _vectors_finding,
        ]
        found += [step(settings, store, repair) for step in steps]
    finally:
        store.close()
    found.append(_review_finding(home / "articles.sqlite3"))
    found.append(_permissions_finding(home, repair))
    if not locked:
        found = [_unlocked_note(f) for f in found]
    return found


def _unlocked_note(finding: Finding) -> Finding:
    if finding.ok or finding.part not in ("corpus statistics", "lexical index", "vectors"):
        return finding
    note = " (if another process is writing the library, check again when it has finished)"
    return replace(finding, detail=finding.detail + note)


def _store_finding(store: Store) -> Finding:
    db = store.connection
    problems = [str(r[0]) for r in db.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        detail = "; ".join(problems[:5])
        return Finding(
            "store", False, f"damaged: {detail}; restore a backup: `medcite restore DIR`"
        )
    documents = len(store.document_ids())
    passages = store.count_passages()
    return Finding("store", True, f"sound: {documents} documents, {passages} passages")


def _stats_finding(settings: Settings, store: Store, repair: bool) -> Finding:
    problem = store.stats_problem()
    if problem is None:
        return Finding("corpus statistics", True, "match the passages")
    if not repair:
        return Finding(
            "corpus statistics", False, f"{problem}; `medcite check --repair` recounts them"
        )
    store.rebuild_stats()
    again = store.stats_problem()
    detail = f"{problem}; recounted" + (f", but {again}" if again else "")
    return Finding("corpus statistics", False, detail, repaired=again is None)


def _lexical_finding(settings: Settings, store: Store, repair: bool) -> Finding:
    problem = _lexical_problem(settings, store)
    if problem is None:
        return Finding(
            "lexical index", True, f"matches the store ({store.passage_count()} passages)"
        )
    if not repair:
        return Finding("lexical index", False, f"{problem}; `medcite check --repair` rebuilds it")
    shutil.rmtree(_lexical_path(settings), ignore_errors=True)
    library = Library(settings)  # an empty index: rebuilt from the store as it opens
    library.close()
    again = _lexical_problem(settings, store)
    detail = f"{problem}; rebuilt from the store" + (f", but {again}" if again else "")
    return Finding("lexical index", False, detail, repaired=again is None)


def _lexical_problem(settings: Settings, store: Store) -> str | None:
    try:
        lexical = open_lexical(
            settings.retrieval.lexical_backend,
            _lexical_path(settings),
            settings.retrieval.title_boost,
            may_write=False,
        )
        indexed = lexical.passage_ids()
    except (StoreError, NotImplementedError) as exc:
        return str(exc)
    pending = store.pending_lexical()
    if pending:  # an ingest was interrupted, or one is running
        return f"{len(pending)} documents wait to be indexed"
    stored = _passage_ids(store)
    missing, extra = stored - indexed, indexed - stored
    if not missing and not extra:
        return None
    return f"{len(missing)} stored passages are not indexed, {len(extra)} indexed are not stored"


def _vectors_finding(settings: Settings, store: Store, repair: bool) -> Finding:
    if settings.retrieval.embedder == "none":
        return Finding("vectors", True, "dense retrieval is off (retrieval.embedder = none)")
    if importlib.util.find_spec("numpy") is None:
        return Finding("vectors", True, "not checked: dense retrieval needs medcite[dense]")
    from medcite.index.dense import open_dense, other_space_notice

    dense = open_dense(settings)
    if dense is None:
        return Finding("vectors", True, "not checked: dense retrieval is not available")
    kept = store.vector_space()
    if kept is not None and kept != dense.space:
        dense.close()
        return Finding("vectors", False, other_space_notice(kept, dense.space))
    try:
        held = set(dense.vectors.passage_ids())
    finally:
        dense.close()
    missing = _passage_ids(store, excluding="vector_pending") - held
    extra = held - _passage_ids(store)
    waiting = store.pending_vector_count()
    if not missing and not extra:
        queued = f"; {waiting} documents wait for `medcite embed`" if waiting else ""
        return Finding("vectors", True, f"match the store ({len(held)} passages){queued}")
    problem = (
        f"{len(missing)} embedded passages have no vector, {len(extra)} vectors name no passage"
    )
    if not repair:
        return Finding("vectors", False, f"{problem}; `medcite check --repair` requeues them")
    store.queue_all_for_vectors()
    shutil.rmtree(settings.data_dir / "vectors", ignore_errors=True)
    detail = f"{problem}; every document requeued: run `medcite embed` (cached vectors are reused)"
    return Finding("vectors", False, detail, repaired=True)


def _review_finding(path: Path) -> Finding:
    if not path.exists():
        return Finding("review database", True, "none (no articles yet)")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            problems = [str(r[0]) for r in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems == ["ok"]:
        return Finding("review database", True, "sound")
    return Finding(
        "review database", False, f"damaged: {'; '.join(problems[:3])}; restore a backup"
    )


def _permissions_finding(home: Path, repair: bool) -> Finding:
    loose = readable_by_others(home)
    if not loose:
        return Finding("permissions", True, "private: folders 0700, files 0600")
    shown = ", ".join(str(p.relative_to(home)) or "." for p in loose[:3])
    problem = f"{len(loose)} files or folders others may read ({shown}…)"
    if not repair:
        return Finding("permissions", False, f"{problem}; `medcite check --repair` tightens them")
    tighten_tree(home)
    return Finding("permissions", False, f"{problem}; tightened", repaired=True)


def _passage_ids(store: Store, excluding: str | None = None) -> set[str]:
    sql = "SELECT id FROM passages"
    if excluding is not None:  # documents queued for this index are not expected in it yet
        sql += f" WHERE doc_id NOT IN (SELECT doc_id FROM {excluding})"
    return {str(r[0]) for r in store.connection.execute(sql)}


def _lexical_path(settings: Settings) -> Path:
    return settings.data_dir / "lexical" / settings.retrieval.lexical_backend
