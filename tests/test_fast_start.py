"""A new process answers its first question quickly (issue 17): the large vocabularies come
from compact files in the data directory, rebuilt when missing, stale or unreadable, with the
same answers; the command line does not import what `ask` does not use."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import medcite
from medcite import vocabularies
from medcite.clinical import labs
from medcite.index import VOCABULARIES, Library
from medcite.settings import Settings
from medcite.understand import drugs, prepare_vocabularies, subject
from medcite.vocabularies import FileTable, Lookup, MemoryTable, Tables, open_vocabulary

TEXTS = (
    "a patient on ruxolitinib (Jakafi), Humira; and Lipitor.",
    "statins, monoclonal antibodies, Bactrim, insulin glargine and vitamin E",
    "Can I give Triaminic Night Time Cold & Cough with an MAOI antidepressant?",
)
WORDS = ("the", "whitish", "hemophilia", "colchicine", "really", "scooping", "zorblaxin")


def _child(code: str, home: Path) -> dict[str, object]:
    """Run `code` in a new interpreter (which prints one JSON object) and return what it said;
    the child imports medcite from where this process does."""
    env = {**os.environ, "PYTHONPATH": str(Path(medcite.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), str(home)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_command_line_imports_no_extra_and_no_reader() -> None:
    loaded = _child(
        """
        import json, sys
        import medcite.cli
        heavy = ("numpy", "sklearn", "scipy", "onnxruntime", "fastapi", "pypdf", "spellchecker",
                 "rich.markdown", "medcite.ingest.pipeline", "medcite.sources.registry")
        print(json.dumps({"loaded": [m for m in heavy if m in sys.modules]}))
        """,
        Path(),
    )
    assert loaded == {"loaded": []}


def test_opening_an_engine_loads_no_vocabulary_until_a_question_needs_it(
    library_home: Path,
) -> None:
    seen = _child(
        """
        import json, sys
        from medcite.engine import Engine
        from medcite.settings import load_settings
        from medcite.understand import drugs, subject

        engine = Engine(load_settings(home=sys.argv[1], retrieval={"embedder": "none"}))
        vocabularies = (drugs._dictionary, subject._general_counts)
        loaded = lambda: sum(f.cache_info().currsize for f in vocabularies)
        opened = loaded()
        engine.ask("What are the treatments for Brindle syndrome in a patient on Lipitor?")
        print(json.dumps({"opened": opened, "asked": loaded()}))
        """,
        library_home,
    )
    assert seen == {"opened": 0, "asked": 2}


def test_a_new_process_reads_the_compact_files_and_never_the_sources(
    library_home: Path,
) -> None:
    """After an ingest, asking must not decompress the drug pickle or parse the word list."""
    seen = _child(
        """
        import json, sys
        from medcite.engine import Engine
        from medcite.settings import load_settings
        from medcite.understand import drugs, subject

        def refuse():
            raise AssertionError("the vocabulary was rebuilt from its source")

        drugs._tables = subject._counts = refuse
        engine = Engine(load_settings(home=sys.argv[1], retrieval={"embedder": "none"}))
        answer = engine.ask("What are the treatments for Brindle syndrome in a patient on Lipitor?")
        print(json.dumps({"drugs": [d.generic for d in answer.context.drugs]}))
        """,
        library_home,
    )
    assert seen == {"drugs": ["atorvastatin"]}


def test_drug_mentions_and_everyday_words_are_the_same_from_file_and_memory(
    fresh_vocabularies: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vocabularies, "_folder", None)
    in_memory = _readings()
    assert isinstance(drugs._dictionary().variants, MemoryTable)
    monkeypatch.setattr(vocabularies, "_folder", tmp_path)
    _clear_caches()
    _clear_caches()
    built = _readings()  # builds the files, answers from memory
    _clear_caches()
    from_file = _readings()
    assert isinstance(drugs._dictionary().variants, FileTable)
    assert isinstance(subject._general_counts(), FileTable)
    assert in_memory == built == from_file
    assert {p.name.split("-")[0] for p in tmp_path.glob("*.sqlite3")} == {"drugs", "everyday"}


def test_a_missing_file_is_built_and_then_read(folder: Path, source: Path) -> None:
    builds: list[int] = []
    first = _open(source, builds)
    assert builds == [1] and isinstance(first["names"], MemoryTable)
    again = _open(source, builds)
    assert builds == [1] and isinstance(again["names"], FileTable)
    assert first["names"].get_many(["a", "b", "z"]) == again["names"].get_many(["a", "b", "z"])
    assert again["names"].get("b") == {"drug": ["x", 2]} and again["names"].get("z") is None
    (written,) = folder.iterdir()  # owner only, like the rest of the data directory
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_stale_file_is_replaced_when_the_source_changes(folder: Path, source: Path) -> None:
    builds: list[int] = []
    _open(source, builds)
    old = set(folder.glob("words-*.sqlite3"))
    source.write_text("another release", encoding="utf-8")
    rebuilt = _open(source, builds)
    assert builds == [1, 1] and isinstance(rebuilt["names"], MemoryTable)
    new = set(folder.glob("words-*.sqlite3"))
    assert len(new) == 1 and not new & old  # the stale file is gone


def test_an_unreadable_file_is_rebuilt(folder: Path, source: Path) -> None:
    builds: list[int] = []
    _open(source, builds)
    (written,) = folder.glob("words-*.sqlite3")
    written.write_bytes(b"not a database" * 100)
    assert _open(source, builds)["names"].get("a") == [1, 2]
    assert builds == [1, 1]
    assert isinstance(_open(source, builds)["names"], FileTable)


def test_a_folder_that_cannot_be_written_answers_from_memory(
    tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(vocabularies, "_folder", blocked / "vocabularies")
    builds: list[int] = []
    assert _open(source, builds)["names"].get("a") == [1, 2]
    assert _open(source, builds)["names"].get("b") == {"drug": ["x", 2]}
    assert builds == [1, 1]


def test_many_keys_are_read_in_batches(folder: Path, source: Path) -> None:
    table = {f"k{i}": i for i in range(1234)}
    open_vocabulary("many", source, lambda: {"t": table}, version=1)
    opened = open_vocabulary("many", source, lambda: {"t": {}}, version=1)["t"]
    assert isinstance(opened, FileTable)
    assert opened.get_many([*table, "absent"]) == table


def test_lab_values_compile_only_the_tests_a_text_names() -> None:
    labs._pattern.cache_clear()
    assert labs.find_labs("How is heart failure treated?") == []
    assert labs._pattern.cache_info().currsize == 0
    (found,) = labs.find_labs("creatinine 2.1 mg/dL")
    assert found.value.test == "creatinine" and labs._pattern.cache_info().currsize == 1


def _open(source: Path, builds: list[int]) -> dict[str, Lookup]:
    def build() -> Tables:
        builds.append(1)
        return {"names": {"a": [1, 2], "b": {"drug": ["x", 2]}}}

    return open_vocabulary("words", source, build, version=1)


def _readings() -> tuple[object, ...]:
    mentions = [
        [(m.text, m.start, m.end, m.drug) for m in drugs.find_drug_mentions(t)] for t in TEXTS
    ]
    return (mentions, [subject.is_everyday(w) for w in WORDS], drugs.lookup_drug("Valcyte"))


def _clear_caches() -> None:
    for cached in (drugs._dictionary, drugs._drug, subject._general_counts, subject._count):
        cached.cache_clear()


@pytest.fixture
def fresh_vocabularies() -> Iterator[None]:
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Compact vocabulary files go here for the test."""
    monkeypatch.setattr(vocabularies, "_folder", tmp_path / "vocabularies")
    return tmp_path / "vocabularies"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A vocabulary's source file: its bytes decide whether a compact file is current."""
    path = tmp_path / "source.txt"
    path.write_text("release 1", encoding="utf-8")
    return path


@pytest.fixture
def library_home(
    settings: Settings, library: Library, monkeypatch: pytest.MonkeyPatch, fresh_vocabularies: None
) -> Path:
    """The test library's data directory, its vocabulary files written as an ingest does."""
    monkeypatch.setattr(vocabularies, "_folder", settings.data_dir / VOCABULARIES)
    prepare_vocabularies()
    return settings.data_dir
