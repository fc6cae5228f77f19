"""DailyMed distribution zips: zips of per-label zips, newest version of a set id wins."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from medcite.index import Library
from medcite.ingest.identity import document_id
from medcite.ingest.pipeline import ingest
from medcite.settings import Settings

from .test_source_spl import PRODUCTS

X, Y = "11111111-2222-3333-4444-555555555555", "99999999-8888-7777-6666-555555555555"


def label(set_id: str, version: int, dose: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<document xmlns="urn:hl7-org:v3">
  <id root="{set_id[:8]}-0000-0000-0000-{version:012d}"/>
  <code code="34391-3" displayName="HUMAN PRESCRIPTION DRUG LABEL"/>
  <title>ZEPHYRA tablets</title>
  <effectiveTime value="2020010{version}"/>
  <setId root="{set_id}"/>
  <versionNumber value="{version}"/>
  <component><structuredBody>{PRODUCTS}
    <component><section><code code="34068-7"/><title>2 DOSAGE AND ADMINISTRATION</title>
      <text><paragraph>{dose}</paragraph></text></section></component>
  </structuredBody></component>
</document>""".encode()


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bulk(tmp_path: Path) -> Path:
    path = tmp_path / "dm_spl_release_human_rx_part1.zip"
    path.write_bytes(
        zipped(
            {
                "20200102_x.zip": zipped(
                    {"x.xml": label(X, 2, "Take 20 mg once daily."), "x.jpg": b"\xff\xd8"}
                ),
                "20200101_x.zip": zipped({"x.xml": label(X, 1, "Take 10 mg once daily.")}),
                "20200103_y.zip": zipped({"y.xml": label(Y, 1, "Take 5 mg at night.")}),
                "broken.zip": b"PK\x03\x04 not really a zip",
                "other.xml": b"<notes>not a label</notes>",
            }
        )
    )
    return path


def text_of(lib: Library, set_id: str) -> str:
    return lib.store.document_text(document_id(f"spl:{set_id}", ""))


def test_a_bulk_zip_holds_one_document_per_set_id_newest_first(
    settings: Settings, tmp_path: Path
) -> None:
    lib = Library(settings)
    (outcome,) = ingest([bulk(tmp_path)], lib).outcomes
    assert (outcome.status, outcome.documents) == ("added", 2), outcome
    assert "20 mg" in text_of(lib, X) and "10 mg" not in text_of(lib, X)
    assert "5 mg at night" in text_of(lib, Y)
    document = lib.store.document(document_id(f"spl:{X}", ""))
    assert document.extra["set_id"] == X and document.extra["version"] == "2"
    # an older loose copy of the label does not replace it
    loose = tmp_path / "x-v1.xml"
    loose.write_bytes(label(X, 1, "Take 10 mg once daily."))
    (older,) = ingest([loose], lib).outcomes
    assert older.documents == 0 and "1 held" in older.detail
    assert "20 mg" in text_of(lib, X)


def test_bad_zips_fail_with_their_name(settings: Settings, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(bulk(tmp_path).read_bytes()[:200])
    empty = tmp_path / "empty.zip"
    empty.write_bytes(zipped({"readme.txt": b"nothing here"}))
    report = ingest([truncated, empty], Library(settings))
    for outcome in report.outcomes:
        assert outcome.status == "failed" and outcome.path.name in outcome.detail, outcome
