"""Hostile files: each fails on its own with a typed error naming it, fast, and the batch goes on.

Named pipes, devices and sockets are never read; the size limit holds whatever size a file
reports; folders and markup nest as deep as they like without recursion; a bad record is
skipped by line; a reader's own bug fails one file only.
"""

from __future__ import annotations

import inspect
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.errors import BadEncoding, FileTooLarge, MalformedSource, NotRegularFile, SourceTooSlow
from medcite.index import Library
from medcite.ingest.files import read_source_bytes, walk_files
from medcite.ingest.layout import blocks_from_text
from medcite.ingest.passages import layout_document
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings, load_settings
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile
from medcite.sources.html import HtmlReader
from medcite.sources.registry import READERS
from medcite.sources.spl import parse_spl
from medcite.types import PassageKind

from .conftest import MEDQUAD_RECORDS, write_medquad

GOOD = "# Gout\n\nGout is a form of arthritis caused by urate crystals.\n"


def _outcomes(settings: Settings, *paths: Path) -> dict[str, tuple[str, str]]:
    lib = Library(settings)
    try:
        report = ingest(list(paths), lib)
        assert lib.store.passage_count() == lib.lexical.size()
        return {o.path.name: (o.status, o.detail) for o in report.outcomes}
    finally:
        lib.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_blocking(settings: Settings, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "good.md").write_text(GOOD)
    started = time.monotonic()
    status = _outcomes(settings, fifo, tmp_path / "good.md")
    assert time.monotonic() - started < 30
    assert status["pipe.txt"][0] == "failed"
    assert "pipe.txt" in status["pipe.txt"][1] and "named pipe" in status["pipe.txt"][1]
    assert status["good.md"][0] == "added"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_link_to_a_device_is_refused(settings: Settings, tmp_path: Path) -> None:
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(NotRegularFile, match=r"zero\.txt.*character device"):
        read_source_bytes(link, 1024)
    assert _outcomes(settings, link)["zero.txt"][0] == "failed"


def test_a_socket_in_a_folder_is_skipped_by_name(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD)
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "s.sock"))
        status = _outcomes(settings, folder)
    finally:
        sock.close()
    assert status["s.sock"][0] == "skipped" and "socket" in status["s.sock"][1]
    assert status["good.md"][0] == "added"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux procfs")
def test_the_size_limit_holds_when_the_reported_size_lies() -> None:
    proc = Path("/proc/self/status")  # a regular file that reports 0 bytes
    assert proc.stat().st_size == 0
    with pytest.raises(FileTooLarge):
        read_source_bytes(proc, 16)
    assert read_source_bytes(proc, 1 << 20)  # under the limit it is read


def test_a_folder_nested_1100_levels_is_walked_without_recursion(
    settings: Settings, tmp_path: Path
) -> None:
    root = tmp_path / "deep"
    folders = [root]
    for _ in range(1100):  # Path.mkdir(parents=True) and shutil.rmtree would recurse
        folders.append(folders[-1] / "d")
    for folder in folders:
        folder.mkdir()
    (folders[-1] / "bottom.md").write_text(GOOD)
    (root / "top.md").write_text(GOOD.replace("Gout", "Bursitis"))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)  # the walk must not recurse
    try:
        found = [p.name for p in walk_files(root)]
    finally:
        sys.setrecursionlimit(limit)
    assert found == ["bottom.md", "top.md"]
    assert {s for s, _ in _outcomes(settings, root).values()} == {"added"}
    (folders[-1] / "bottom.md").unlink()
    (root / "top.md").unlink()
    for folder in reversed(folders):
        folder.rmdir()


def test_walk_skips_hidden_entries_and_never_follows_folder_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text(GOOD)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "y.md").write_text(GOOD)
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = [p.relative_to(tmp_path).as_posix() for p in walk_files(tmp_path)]
    assert found == ["a/loop", "a/x.md"]  # the link is listed as itself, never entered


@pytest.mark.parametrize("depth", [20_000, 60_000])
def test_deeply_nested_html_is_read_in_linear_time(depth: int) -> None:
    page = ("<div><span>" * depth + "Deep text." + "</span></div>" * depth).encode()
    started = time.monotonic()
    (doc,) = HtmlReader().read(SourceFile(Path("deep.html"), page))
    elapsed = time.monotonic() - started
    assert isinstance(doc, ParsedDocument) and doc.blocks[0].text == "Deep text."
    # about 20 µs an element here; the quadratic parser took 3.9 s for 4,400 elements
    assert elapsed < depth / 5_000


def test_a_large_html_table_is_read_in_seconds() -> None:
    row = "<tr>" + "<td>cell text 1</td>" * 10 + "</tr>"
    page = ("<table>" + row * (1_600_000 // len(row)) + "</table>").encode()
    started = time.monotonic()
    (doc,) = HtmlReader().read(SourceFile(Path("table.html"), page))
    assert time.monotonic() - started < 30
    assert isinstance(doc, ParsedDocument) and doc.blocks[0].text.count("\n") > 7000


def test_a_file_over_its_time_budget_fails_by_name(settings: Settings, tmp_path: Path) -> None:
    page = "<div>" * 50_000 + "text"
    with pytest.raises(SourceTooSlow, match=r"slow\.html"):
        list(HtmlReader().read(SourceFile(Path("slow.html"), page.encode(), deadline=0.0)))
    (tmp_path / "slow.html").write_text(page)
    fast = load_settings(home=settings.home, ingest={"max_file_seconds": 1e-6})
    status, detail = _outcomes(fast, tmp_path / "slow.html")["slow.html"]
    assert status == "failed" and "max_file_seconds" in detail


def test_deeply_nested_spl_is_refused_before_any_recursion() -> None:
    body = "<content>" * 5000 + "x" + "</content>" * 5000
    xml = f'<document xmlns="urn:hl7-org:v3"><title>{body}</title></document>'.encode()
    with pytest.raises(MalformedSource, match="deeper than"):
        parse_spl(Path("label.xml"), xml)


def test_bad_jsonl_records_are_skipped_and_counted(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    rows = [json.dumps(r) for r in MEDQUAD_RECORDS]
    rows[1] = json.dumps({**MEDQUAD_RECORDS[1], "answer": None})
    rows[3] = "{not json"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lib = Library(settings)
    report = ingest([path], lib)
    (outcome,) = report.outcomes
    assert outcome.status == "added" and outcome.documents == len(MEDQUAD_RECORDS) - 2
    assert [e.record for e in outcome.skipped_records] == ["line 2", "line 4"]
    assert report.skipped_records == 2
    lib.close()


class _BuggyReader(Reader):
    """A reader with a bug on hostile input (a KeyError of its own)."""

    name = "buggy"
    extensions = (".buggy",)

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        raise KeyError("text")


def test_a_readers_own_bug_fails_one_file_and_the_batch_goes_on(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("medcite.sources.registry.READERS", [_BuggyReader(), *READERS])
    (tmp_path / "a.buggy").write_text("anything")
    write_medquad(tmp_path / "m.jsonl")
    status = _outcomes(settings, tmp_path / "a.buggy", tmp_path / "m.jsonl")
    assert status["a.buggy"][0] == "failed" and "KeyError" in status["a.buggy"][1]
    assert status["m.jsonl"][0] == "added"


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ('<meta charset="windows-1252"><p>10 µg/kg</p>'.encode("cp1252"), "10 µg/kg"),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            "<p>10 µg</p>".encode("latin-1"),
            "10 µg",
        ),
        (
            '<?xml version="1.0" encoding="iso-8859-15"?><html><p>10 µg €</p></html>'.encode(
                "iso-8859-15"
            ),
            "10 µg €",
        ),
        ('<meta charset="utf-8"><p>10 µg/kg</p>'.encode(), "10 µg/kg"),
    ],
)
def test_html_honours_its_declared_encoding(page: bytes, expected: str) -> None:
    (doc,) = HtmlReader().read(SourceFile(Path("p.html"), page))
    assert isinstance(doc, ParsedDocument) and doc.blocks[-1].text == expected


def test_html_declared_utf8_with_a_stray_byte_is_an_error_naming_the_offset() -> None:
    page = '<meta charset="utf-8"><p>10 µg/kg</p>'.encode() + b"<p>\xe9</p>"
    with pytest.raises(BadEncoding, match=r"p\.html.*utf-8.*byte offset 41"):
        list(HtmlReader().read(SourceFile(Path("p.html"), page)))


def test_spl_with_a_stray_byte_is_an_error_naming_the_offset() -> None:
    xml = b'<document xmlns="urn:hl7-org:v3"><title>10 \xb5g</title></document>'
    with pytest.raises(BadEncoding, match=r"label\.xml.*byte offset 43"):
        parse_spl(Path("label.xml"), xml)


@pytest.mark.parametrize("lines", [20_000, 80_000])
def test_a_long_text_file_lays_out_in_linear_time(lines: int) -> None:
    text = "".join(f"A wrapped line {i} of text without its full stop\n" for i in range(lines))
    started = time.monotonic()
    blocks = blocks_from_text(text)
    assert time.monotonic() - started < lines / 10_000  # 4 µs a line; quadratic: minutes
    assert len(blocks) == 1 and blocks[0].text.endswith(
        f"line {lines - 1} of text without its full stop"
    )


def test_a_sentence_without_punctuation_is_cut_into_passages_of_the_target_size() -> None:
    text, spans = layout_document((Block("word " * 5000),), 900)
    assert len(spans) > 20
    assert all(0 < s.end - s.start <= 900 for s in spans)
    assert all(not text[s.start].isspace() and not text[s.end - 1].isspace() for s in spans)


def test_a_huge_table_is_cut_between_rows() -> None:
    rows = "\n".join(f"drug {i} | {i} mg" for i in range(5000))
    text, spans = layout_document((Block(rows, "Doses", PassageKind.TABLE, True),), 900)
    assert len(spans) > 10 and {s.kind for s in spans} == {PassageKind.TABLE}
    pieces = [text[s.start : s.end] for s in spans]
    assert all(len(p) <= 900 * 8 for p in pieces)
    assert all(p.startswith("drug ") and p.split("\n")[-1].endswith(" mg") for p in pieces)
    assert "\n".join(pieces) == text[text.index("drug 0") :]


def test_an_ordinary_table_stays_whole() -> None:
    rows = "\n".join(f"drug {i} | {i} mg" for i in range(100))
    _, spans = layout_document((Block(rows, "Doses", PassageKind.TABLE, True),), 900)
    assert len(spans) == 1
