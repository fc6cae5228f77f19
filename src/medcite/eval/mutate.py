"""Hostile inputs for the readers: a small valid seed of every format, and mutations of it.

A reader given any bytes must return documents (and skipped-record errors) or raise a
SourceError naming the file, within its time budget; anything else — another exception, a
hang — is a bug. `tests/test_reader_properties.py` draws mutations with hypothesis and
`bench/bench_reliability.py` counts outcomes over many; both use what is here. A reader
without a seed is fuzzed from every seed (and the test asks for one: register it in SEEDS).
"""

from __future__ import annotations

import io
import random
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from medcite.errors import SourceError, SourceTooSlow
from medcite.sources.base import ParsedDocument, Reader, SourceFile
from medcite.text import legible

Outcome = Literal["read", "clean error", "over budget", "crash", "hang"]
MAX_GROWTH = 256 * 1024  # a mutation never grows a seed beyond this


def _pdf(lines: Sequence[str]) -> bytes:
    """A minimal valid one-page PDF with a text line per entry and a real xref."""
    shown = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        5: b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    }
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 6\n0000000000 65535 f \n")
    out.writelines(b"%010d 00000 n \n" % offsets[n] for n in range(1, 6))
    out.write(b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


_SPL = b"""<?xml version="1.0" encoding="UTF-8"?>
<document xmlns="urn:hl7-org:v3">
  <id root="64f8040f-938d-4236-8e22-c838c9b5f8da"/>
  <code code="34391-3" displayName="HUMAN PRESCRIPTION DRUG LABEL"/>
  <title>EXAMPLEX tablets</title><effectiveTime value="20200101"/>
  <setId root="0b0be196-0c62-461c-94f4-9a35339b4501"/><versionNumber value="3"/>
  <component><structuredBody><component><section>
    <code code="34068-7" displayName="DOSAGE &amp; ADMINISTRATION SECTION"/>
    <title>2 DOSAGE</title>
    <text><paragraph>Take 10 <sup>mg</sup> once daily.</paragraph>
      <list><item>With food.</item><item>Not with grapefruit.</item></list>
      <table><tbody><tr><td>Adults</td><td>10 mg</td></tr></tbody></table></text>
  </section></component></structuredBody></component>
</document>"""


def _zip_of_zips(name: str, data: bytes) -> bytes:
    """A DailyMed distribution zip: a zip holding one label's zip, holding its XML."""
    inner, outer = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("prescription/label.zip", inner.getvalue())
    return outer.getvalue()


_PUBMED = b"""<?xml version="1.0" encoding="utf-8"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">111</PMID>
<DateRevised><Year>2021</Year><Month>06</Month><Day>07</Day></DateRevised>
<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2019</Year>
<Month>Mar</Month></PubDate></JournalIssue><Title>Journal of Invented Medicine</Title></Journal>
<ArticleTitle>Colchicine for gout: a randomised trial.</ArticleTitle>
<Abstract><AbstractText Label="METHODS" NlmCategory="METHODS">We randomised 40 patients.
</AbstractText><AbstractText Label="RESULTS" NlmCategory="RESULTS">Pain fell by 40%.
</AbstractText></Abstract>
<AuthorList><Author><LastName>Doe</LastName><Initials>J</Initials></Author></AuthorList>
<PublicationTypeList><PublicationType>Randomized Controlled Trial</PublicationType>
</PublicationTypeList></Article>
<MeshHeadingList><MeshHeading><DescriptorName>Gout</DescriptorName></MeshHeading>
</MeshHeadingList></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="pubmed">111</ArticleId>
<ArticleId IdType="doi">10.9999/jim.111</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
<DeleteCitation><PMID Version="1">112</PMID></DeleteCitation></PubmedArticleSet>"""

_JATS = b"""<?xml version="1.0" encoding="UTF-8"?>
<article article-type="case-report"><front><journal-meta><journal-title-group>
<journal-title>Case Reports in Invented Medicine</journal-title></journal-title-group>
</journal-meta><article-meta><article-id pub-id-type="pmcid">PMC111</article-id>
<article-id pub-id-type="doi">10.9999/crim.1</article-id><title-group><article-title>Gout in
a young man</article-title></title-group><pub-date><year>2020</year></pub-date></article-meta>
</front><body><sec><title>Case</title><p>A 30-year-old man took colchicine 0.5 mg.</p>
<table-wrap><caption><p>Table 1 Doses</p></caption><table><tr><td>colchicine</td>
<td>0.5 mg</td></tr></table></table-wrap><fig><caption><p>A swollen toe.</p></caption></fig>
</sec></body><back><ref-list><ref><mixed-citation>Ref one.</mixed-citation></ref></ref-list>
</back></article>"""

_RENAL = b"""{"colchicine": {"drug_name": "colchicine", "brand_names": ["Colcrys"],
"label_renal_metric": "crcl", "normal_dose": "0.6 mg daily", "source_doi": "10.9999/r.1",
"source_description": "Label 2020", "evidence_level": "package insert",
"tiers": [{"min": 30, "max": null, "dose": "0.6 mg daily", "adjustment_type": "none"},
{"min": 0, "max": 29, "dose": "0.3 mg daily", "adjustment_type": "dose_reduction",
"warnings": ["Monitor"]}]}}"""


# file name -> bytes: one small valid source of every format the readers accept
SEEDS: dict[str, tuple[str, bytes]] = {
    "medquad": (
        "seed.jsonl",
        b'{"source": "GARD", "qid": "1", "qtype": "symptoms", "question": "What are the '
        b'symptoms of gout?", "answer": "Gout causes a painful, swollen joint.  - Redness"}\n'
        b'{"source": "GARD", "qid": "2", "question": "What is gout?", "answer": "A form of '
        b'arthritis (10 \xc2\xb5g/kg)."}\n',
    ),
    "beir": (
        "seed.jsonl",
        b'{"_id": "S1", "pmid": "111", "section": "title", "text": "A trial of X."}\n'
        b'{"_id": "S2", "pmid": "111", "text": "X helped 40% of patients."}\n',
    ),
    "spl": ("seed.xml", _SPL),
    "pdf": ("seed.pdf", _pdf(["Gout is a form of arthritis.", "Colchicine 0.5 mg eases it."])),
    "html": (
        "seed.html",
        b'<html><head><meta charset="utf-8"><title>Gout</title></head><body><h1>Gout</h1>'
        b"<p>Gout is a form of arthritis.</p><div hidden>secret</div><table><tr><th>Drug"
        b"<th>Dose<tr><td>colchicine<td>0.5 mg</table><ul><li>one<li>two</ul></body></html>",
    ),
    "text": (
        "seed.md",
        "# Gout\n\nGout is a form of infec\u2010\ntion-free arthritis.\n\nTable 1 Doses\n\n"
        "Colchicine\n\n0.5 mg\n\nFig. 1 A joint.\n".encode(),
    ),
    "pubmed": ("seed.xml", _PUBMED),
    "jats": ("seed.nxml", _JATS),
    "guideline-summary": (
        "seed.md",
        b"# Gout: acute flares\n\n## Treatment\n\n- Colchicine 0.5 mg is recommended "
        b"(Strong, High).\n- NSAIDs are an alternative (Weak, Low).\n",
    ),
    "dailymed-zip": ("seed.zip", _zip_of_zips("label.xml", _SPL)),
    "renal_table": ("seed.json", _RENAL),
}

_FRAGMENTS: tuple[bytes, ...] = (
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28\xa0\xa1\xe2\x28\xa1",  # invalid UTF-8
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xef\xbb\xbf",
    b"<div>" * 4000,
    b"<table><tr><td>" * 2000,
    b"<!--",
    b"<![CDATA[",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;</x>',
    b"<" * 3000,
    b"[" * 3000,
    b'{"text": null, "_id": 7}\n',
    b'{"qid": [], "answer": {}, "source": 1, "question": true}\n',
    b"a" * 60000,
    b"\r" * 500,
    b"word-\n" * 2000,
    b"%PDF-1.4\n",
    b"1 0 obj << /Length 99999999 >> stream\n",
    b"trailer << /Root 99 0 R >>",
    b"\n\n\n",
    b"Table 1\n" + b"1\n" * 3000,
)


def mutate(data: bytes, rng: random.Random, others: Sequence[bytes] = ()) -> bytes:
    """`data` changed by one to four random mutations (deterministic for a given `rng`)."""
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(_MUTATIONS)(data, rng, others)
    return data[:MAX_GROWTH]


def _flip(data: bytes, rng: random.Random, _: Sequence[bytes]) -> bytes:
    out = bytearray(data)
    for _n in range(rng.randint(1, 20)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _delete(data: bytes, rng: random.Random, _: Sequence[bytes]) -> bytes:
    start = rng.randrange(len(data) + 1)
    return data[:start] + data[start + rng.randint(1, 200) :]


def _duplicate(data: bytes, rng: random.Random, _: Sequence[bytes]) -> bytes:
    start = rng.randrange(len(data) + 1)
    piece = data[start : start + rng.randint(1, 400)]
    return data[:start] + piece * rng.randint(2, 200) + data[start:]


def _insert(data: bytes, rng: random.Random, _: Sequence[bytes]) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(_FRAGMENTS) + data[at:]


def _truncate(data: bytes, rng: random.Random, _: Sequence[bytes]) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _splice(data: bytes, rng: random.Random, others: Sequence[bytes]) -> bytes:
    if not others:
        return data
    other = rng.choice(others)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


_MUTATIONS: tuple[Callable[[bytes, random.Random, Sequence[bytes]], bytes], ...] = (
    _flip,
    _delete,
    _duplicate,
    _insert,
    _truncate,
    _splice,
)


@dataclass(frozen=True, slots=True)
class Tried:
    """What one reader made of one input."""

    outcome: Outcome
    seconds: float
    detail: str = ""


# Files a reader needs beside its input (paths relative to the input's folder): a guideline
# summary is read only inside a guideline's folder named in the registry above it.
COMPANIONS: dict[str, dict[str, bytes]] = {
    "guideline-summary": {
        "../registry.json": b'[{"id": "seed", "title": "Gout guideline", "organization": '
        b'"ACR", "year": 2020, "doi": "10.9999/acr.2020"}]',
    },
}


def read_hostile(reader: Reader, path: Path, data: bytes, budget_s: float = 10.0) -> Tried:
    """Read `data` as `path`; classify what happened (see the module's contract). A reader
    that needs files beside its input reads it in a temporary folder holding them."""
    companions = COMPANIONS.get(reader.name)
    if not companions:
        return _read_hostile(reader, path, data, budget_s)
    with tempfile.TemporaryDirectory() as folder:
        placed = Path(folder) / "seed" / path.name
        placed.parent.mkdir()
        for relative, content in companions.items():
            (placed.parent / relative).write_bytes(content)
        return _read_hostile(reader, placed, data, budget_s)


def _read_hostile(reader: Reader, path: Path, data: bytes, budget_s: float) -> Tried:
    started = time.monotonic()
    source = SourceFile(path, data, deadline=started + budget_s)
    try:
        items = list(reader.read(source))
        _check_items(items)
        outcome: Outcome = "read"
        detail = ""
    except SourceTooSlow as exc:
        outcome, detail = "over budget", str(exc)
    except SourceError as exc:
        outcome, detail = "clean error", type(exc).__name__
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # any other exception is the bug counted
        outcome, detail = "crash", f"{type(exc).__name__}: {exc}"[:300]
    seconds = time.monotonic() - started
    if seconds > 2 * budget_s + 1:
        outcome = "hang"  # the budget did not stop it
    return Tried(outcome, seconds, detail)


def _check_items(items: Sequence[object]) -> None:
    """Documents are printable text: a lone surrogate or a NUL would fail whatever stores
    or shows them."""
    for item in items:
        if isinstance(item, ParsedDocument):
            texts = [item.title, item.key, *(b.text for b in item.blocks)]
            if any(legible(t) != t or "\x00" in t for t in texts):
                raise ValueError("a document holds a lone surrogate or a NUL")
