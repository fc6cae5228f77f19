"""References: one per document, label versions merged, rendered with what sources state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from medcite.answer.citations import number_citations, same_label_key
from medcite.render import markdown
from medcite.schema import AnswerPublic, to_public
from medcite.sources.base import SourceFile
from medcite.sources.spl import SplReader
from medcite.types import (
    Answer,
    Audience,
    Claim,
    DocKind,
    Document,
    Passage,
    Reference,
    Support,
)

LABELS = Path(__file__).resolve().parents[2] / "shared" / "data" / "corpus" / "fda-labels"


def document(doc_id: str, kind: DocKind = DocKind.CASE_REPORT, **fields: object) -> Document:
    base = Document(doc_id, f"Title {doc_id}", kind, "src", "origin", "v1")
    return replace(base, **fields)  # type: ignore[arg-type]


def label(doc_id: str, set_id: str, updated: date, **extra: str) -> Document:
    facts = {
        "set_id": set_id,
        "document_type": "HUMAN PRESCRIPTION DRUG LABEL",
        "brand_names": "lipitor",
        "active_moieties": "atorvastatin",
        "version": "1",
    }
    return document(
        doc_id,
        DocKind.DRUG_LABEL,
        title=f"Lipitor ({doc_id})",
        source=f"FDA SPL — {doc_id} labeler",
        updated=updated,
        extra=facts | extra,
    )


def passage(pid: str, doc: Document, text: str | None = None) -> Passage:
    body = text or f"Passage {pid} of {doc.id}."
    return Passage(pid, doc, 0, body, 0, len(body), section=f"Section of {pid}")


def claim(text: str, *ids: str, section: str = "bottom_line") -> Claim:
    support = tuple(Support(pid, text, 0, len(text)) for pid in ids)
    return Claim(text, ids, section, support=support)


CASE = document("case")
PAGE = document("page", DocKind.PATIENT_EDUCATION)
PASSAGES = {
    p.id: p
    for p in (passage("c1", CASE), passage("c2", CASE), passage("c3", CASE), passage("e1", PAGE))
}


def test_one_reference_per_document_with_its_cited_passages() -> None:
    claims = [
        claim("a", "c2", "c1"),  # two passages of one document: one number
        claim("b", "e1", "c3"),
        claim("c", "c1"),
    ]
    numbered, refs = number_citations(claims, PASSAGES)
    assert [c.citations for c in numbered] == [(1,), (2, 1), (1,)]
    assert [(r.number, r.document.id) for r in refs] == [(1, "case"), (2, "page")]
    assert [p.id for p in refs[0].passages] == ["c2", "c1", "c3"]  # in order of first citation
    assert [p.id for p in refs[1].passages] == ["e1"] and refs[0].also == ()
    # Verification stays per passage: each claim keeps its passages and their support.
    assert numbered[0].passage_ids == ("c2", "c1")
    assert [s.passage_id for s in numbered[0].support] == ["c2", "c1"]


def test_unknown_passages_are_dropped_and_so_is_a_claim_left_without_any() -> None:
    numbered, refs = number_citations([claim("a", "zz", "e1"), claim("b", "zz")], PASSAGES)
    assert [(c.text, c.passage_ids, c.citations) for c in numbered] == [("a", ("e1",), (1,))]
    assert [p.id for r in refs for p in r.passages] == ["e1"]


def test_versions_of_one_label_are_one_reference_shown_as_the_newest() -> None:
    repack = label("repack", "set-b", date(2012, 2, 29))
    original = label("orig", "set-a", date(2014, 1, 13))
    found = {p.id: p for p in (passage("r1", repack), passage("o1", original))}
    claims = [claim("dose", "r1", "o1"), claim("warning", "r1"), claim("use", "o1")]
    numbered, refs = number_citations(claims, found)
    assert [c.citations for c in numbered] == [(1,), (1,), (1,)]
    (ref,) = refs
    assert ref.document.id == "orig" and [d.id for d in ref.also] == ["repack"]
    assert [p.id for p in ref.passages] == ["r1", "o1"]
    assert [p.document.id for p in ref.passages] == ["repack", "orig"]  # each keeps its version


def test_labels_that_are_not_versions_of_one_text_stay_apart() -> None:
    rx = label("rx", "set-a", date(2014, 1, 13))
    others = [
        label("otc", "set-b", date(2015, 1, 1), document_type="HUMAN OTC DRUG LABEL"),
        label("combo", "set-c", date(2015, 1, 1), active_moieties="amlodipine; atorvastatin"),
        label("generic", "set-d", date(2015, 1, 1), brand_names=""),
        label("brand", "set-e", date(2015, 1, 1), brand_names="caduet"),
    ]
    keys = {same_label_key(d) for d in others}
    assert same_label_key(rx) not in keys and len(keys) == len(others)
    # Same title is not enough outside drug labels, and a label without its facts stands alone.
    assert same_label_key(document("x", title="Gout")) != same_label_key(
        document("y", title="Gout")
    )
    bare = replace(rx, id="bare", extra={"set_id": "set-f"})
    assert same_label_key(bare) == "document:bare"


@pytest.mark.skipif(not (LABELS / "lipitor-orig.xml").exists(), reason="shared labels absent")
def test_the_two_shared_lipitor_labels_are_versions_of_one_label() -> None:
    reader = SplReader()
    docs = {}
    for name in ("lipitor-orig.xml", "lipitor-repack.xml", "viagra-64f8040f.xml", "no-title.xml"):
        path = LABELS / name
        (parsed,) = reader.read(SourceFile(path, path.read_bytes()))
        docs[name] = document(name, DocKind.DRUG_LABEL, extra=dict(parsed.extra))
    keys = {name: same_label_key(d) for name, d in docs.items()}
    assert keys["lipitor-orig.xml"] == keys["lipitor-repack.xml"]
    assert keys["viagra-64f8040f.xml"] != keys["lipitor-orig.xml"]
    assert keys["no-title.xml"] == "document:no-title.xml"  # a generic (haloperidol) label


def answer_with(refs: list[Reference], claims: list[Claim]) -> Answer:
    return Answer(
        question="Q?", question_type="treatment", audience=Audience.CLINICIAN,
        bottom_line=tuple(claims), sections=(), references=tuple(refs), abstained=False,
        abstention=None, disclaimer="Not advice.", generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        settings_hash="h",
    )  # fmt: skip


ARTICLE = document(
    "article",
    title="Ruxolitinib for HLH",
    source="J Zhejiang Univ-Sci B",
    journal="J Zhejiang Univ-Sci B",
    authors=("Xiaoling Wang", "Yan Zhang", "Jian Li", "Mei Chen"),
    extra={"doi": "10.1631/jzus.B2200539", "year": "2023"},
)
DESCRIBED = document("seed", title="Case of HLH-CMV", extra={"title_from": "case sentence"})


def test_markdown_lists_each_document_once_with_what_it_states() -> None:
    repack = label("repack", "set-b", date(2012, 2, 29))
    original = label("orig", "set-a", date(2014, 1, 13))
    found = {
        p.id: p
        for p in (
            passage("a1", ARTICLE),
            passage("a2", ARTICLE),
            passage("s1", DESCRIBED),
            passage("r1", repack),
            passage("o1", original),
        )
    }
    claims, refs = number_citations(
        [claim("x", "a1", "a2"), claim("y", "s1"), claim("z", "r1", "o1")], found
    )
    text = markdown(answer_with(refs, claims))
    assert "x [1]" in text and "y [2]" in text and "z [3]" in text and "[1][1]" not in text
    assert (
        "1. **Ruxolitinib for HLH** — J Zhejiang Univ-Sci B. *Case report*, 2023. "
        "Xiaoling Wang, Yan Zhang, Jian Li, et al. doi:10.1631/jzus.B2200539" in text
    )
    assert "   - Passage `a1` (§ Section of a1)." in text
    assert "   - Passage `a2` (§ Section of a2)." in text
    assert (
        "2. **Case of HLH-CMV** (described from its text, which states no title) — src. "
        "*Case report*, date unknown." in text
    )
    assert "3. **Lipitor (orig)** — FDA SPL — orig labeler. *Drug label*, 2014-01-13." in text
    assert "   - Also: Lipitor (repack) — FDA SPL — repack labeler, 2012-02-29." in text
    assert "   - Passage `r1` (§ Section of r1), 2012-02-29 version." in text
    assert text.count("\n1. ") + text.count("\n2. ") + text.count("\n3. ") == 3


def test_public_references_carry_documents_and_passages() -> None:
    claims, refs = number_citations([claim("x", "a1", "a2")], {
        p.id: p for p in (passage("a1", ARTICLE), passage("a2", ARTICLE))
    })  # fmt: skip
    public = to_public(answer_with(refs, claims))
    (ref,) = public.references
    assert (ref.number, ref.document_id, ref.kind, ref.date, ref.year) == (
        1, "article", "case_report", None, 2023,
    )  # fmt: skip
    assert ref.authors[:2] == ["Xiaoling Wang", "Yan Zhang"] and ref.doi == "10.1631/jzus.B2200539"
    assert [p.passage_id for p in ref.passages] == ["a1", "a2"] and ref.title_note is None
    assert public.bottom_line[0].citations == [1]
    assert public.bottom_line[0].passage_ids == ["a1", "a2"]


def test_answers_saved_with_per_passage_references_still_load() -> None:
    saved = to_public(answer_with([], [])).model_dump(mode="json")
    claim_json = {"text": "x", "citations": [1, 2], "status": "verified", "quotes": []}
    saved["bottom_line"] = [claim_json]
    saved["references"] = [
        {"number": n, "passage_id": pid, "document_id": "d", "title": "T", "source": "S",
         "kind": "other", "kind_label": "Other", "date": None, "url": None, "section": None,
         "start": 0, "end": 4, "passage": "text"}
        for n, pid in ((1, "p1"), (2, "p2"))
    ]  # fmt: skip
    loaded = AnswerPublic.model_validate(saved)
    assert loaded.bottom_line[0].passage_ids == ["p1", "p2"]
    assert [[p.passage_id for p in r.passages] for r in loaded.references] == [["p1"], ["p2"]]
    assert saved["bottom_line"][0].get("passage_ids") is None  # the input is not modified
