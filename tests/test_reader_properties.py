"""Property-based tests of every reader: whatever bytes it is given (its seed mutated by
hypothesis-drawn mutations, or arbitrary bytes), it returns documents and skipped-record
errors, or raises a SourceError naming the file, within its time budget. Never another
exception, never a hang, never text that could not be stored or printed.

Every registered reader needs a seed in `medcite.eval.mutate.SEEDS` (one small valid file):
a new reader without one fails `test_every_reader_has_a_seed`.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcite.eval.mutate import SEEDS, mutate, read_hostile
from medcite.index import Library
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings
from medcite.sources.registry import READERS

BOUNDED = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BUDGET_S = 5.0
NAMES = [reader.name for reader in READERS]
OTHERS = [data for _, data in SEEDS.values()]
ACCEPTABLE = {"read", "clean error", "over budget"}


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs a warning for every broken object it meets; they are not failures here."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def test_every_reader_has_a_seed_that_it_reads() -> None:
    assert set(NAMES) <= set(SEEDS), f"add a seed for {set(NAMES) - set(SEEDS)} to SEEDS"
    for reader in READERS:
        name, data = SEEDS[reader.name]
        tried = read_hostile(reader, Path(name), data)
        assert tried.outcome == "read", (reader.name, tried.detail)


@pytest.mark.parametrize("reader_name", NAMES)
@BOUNDED
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_mutated_seed_is_read_or_refused_by_name(reader_name: str, seed: int) -> None:
    reader = next(r for r in READERS if r.name == reader_name)
    name, data = SEEDS[reader_name]
    hostile = mutate(data, random.Random(seed), OTHERS)
    tried = read_hostile(reader, Path(name), hostile, BUDGET_S)
    assert tried.outcome in ACCEPTABLE, (tried.outcome, tried.detail)


@pytest.mark.parametrize("reader_name", NAMES)
@BOUNDED
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_are_read_or_refused_by_name(reader_name: str, data: bytes) -> None:
    reader = next(r for r in READERS if r.name == reader_name)
    name, _ = SEEDS[reader_name]
    tried = read_hostile(reader, Path(name), data, BUDGET_S)
    assert tried.outcome in ACCEPTABLE, (tried.outcome, tried.detail)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_a_batch_of_mutated_files_never_stops_ingest(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    folder = tmp_path_factory.mktemp("hostile")
    rng = random.Random(seed)
    for reader_name, (name, data) in SEEDS.items():
        (folder / f"{reader_name}-{name}").write_bytes(mutate(data, rng, OTHERS))
    good = folder / "zz-good.md"
    good.write_text("# Gout\n\nGout is a form of arthritis caused by urate crystals.\n")
    library = Library(settings)
    try:
        report = ingest([folder], library)
        assert len(report.outcomes) == len(SEEDS) + 1
        assert report.outcomes[-1].status in ("added", "updated", "unchanged")
        assert all(o.path.name in o.detail for o in report.outcomes if o.status == "failed")
        assert library.store.passage_count() == library.lexical.size()
    finally:
        library.close()
