"""The FDA SPL reader, on small hand-written labels and (when present) the shared Humira label."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from medcite.errors import EmptySource, MalformedSource
from medcite.sources.base import Block, ParsedDocument, SourceFile
from medcite.sources.spl import SplReader
from medcite.types import DocKind, PassageKind

HUMIRA = Path("/work/shared/data/corpus/fda-labels/humira.xml")
SET_ID = "0b0be196-0c62-461c-94f4-9a35339b4501"
DOSAGE = "34068-7"

PRODUCTS = """
<component><section>
  <code code="48780-1" displayName="SPL PRODUCT DATA ELEMENTS SECTION"/>
  <subject><manufacturedProduct><manufacturedProduct>
    <name>VIAGRA</name>
    <asEntityWithGeneric><genericMedicine><name>sildenafil citrate</name></genericMedicine>
    </asEntityWithGeneric>
  </manufacturedProduct></manufacturedProduct></subject>
  <subject><manufacturedProduct><manufacturedProduct>
    <name>Viagra</name>
    <asEntityWithGeneric><genericMedicine><name>Sildenafil Citrate</name></genericMedicine>
    </asEntityWithGeneric>
  </manufacturedProduct></manufacturedProduct></subject>
  <text><paragraph>PRODUCT DATA ONLY</paragraph></text>
</section></component>
"""

DOSAGE_SECTION = """
<component><section>
  <code code="34068-7" displayName="DOSAGE &amp; ADMINISTRATION SECTION"/>
  <title>2 DOSAGE AND ADMINISTRATION</title>
  <text><paragraph>Take   50 mg
     as needed.</paragraph></text>
  <component><section>
    <code code="42229-5" displayName="SPL UNCLASSIFIED SECTION"/>
    <title>2.1 Rheumatoid Arthritis</title>
    <text><paragraph>The dose is 40 mg every other week.</paragraph></text>
  </section></component>
</section></component>
"""

PACKAGE_LABEL = """
<component><section>
  <code code="51945-4" displayName="PACKAGE LABEL.PRINCIPAL DISPLAY PANEL"/>
  <title>PRINCIPAL DISPLAY PANEL</title>
  <text><paragraph>NDC 0069-4200-30 CARTON TEXT</paragraph></text>
</section></component>
"""


def spl(
    sections: str,
    *,
    title: str = "<title>VIAGRA tablets</title>",
    set_id: str = f'<setId root="{SET_ID}"/>',
) -> bytes:
    """A minimal SPL document around the given structured-body components."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<document xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <id root="64f8040f-938d-4236-8e22-c838c9b5f8da"/>
  <code code="34391-3" displayName="HUMAN PRESCRIPTION DRUG LABEL"/>
  {title}
  <effectiveTime value="20171107"/>
  {set_id}
  <versionNumber value="20"/>
  <author><assignedEntity><representedOrganization>
    <name>Pfizer Laboratories Div Pfizer Inc</name>
  </representedOrganization></assignedEntity></author>
  <component><structuredBody>{sections}</structuredBody></component>
</document>""".encode()


def read(data: bytes, sections: dict[str, str] | None = None) -> ParsedDocument:
    source = SourceFile(Path("labels/viagra.xml"), data, sections or {})
    docs = list(SplReader().read(source))
    assert len(docs) == 1
    return docs[0]


def section_text(text: str, code: str = "34089-3", title: str = "DESCRIPTION") -> str:
    """One top-level section whose <text> holds the given markup."""
    return f"""<component><section><code code="{code}" displayName="{title} SECTION"/>
      <title>{title}</title><text>{text}</text></section></component>"""


def texts(doc: ParsedDocument) -> list[str]:
    return [block.text for block in doc.blocks]


def blocks_in(doc: ParsedDocument, section: str) -> list[Block]:
    return [block for block in doc.blocks if block.section == section]


# --- metadata ---------------------------------------------------------------------------


def test_metadata_from_the_document_header() -> None:
    doc = read(spl(PRODUCTS + DOSAGE_SECTION))

    assert doc.key == f"spl:{SET_ID}"
    assert doc.kind is DocKind.DRUG_LABEL
    assert doc.source == "FDA SPL — Pfizer Laboratories Div Pfizer Inc"
    assert doc.updated == date(2017, 11, 7)
    assert doc.url == f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={SET_ID}"
    assert dict(doc.extra) == {
        "set_id": SET_ID,
        "version": "20",
        "document_type": "HUMAN PRESCRIPTION DRUG LABEL",
        "brand_names": "viagra",
    }


def test_title_is_product_and_generic_name_deduplicated() -> None:
    assert read(spl(PRODUCTS + DOSAGE_SECTION)).title == "VIAGRA (sildenafil citrate)"


def test_product_name_suffix_is_kept_as_separate_words() -> None:
    products = PRODUCTS.replace(
        "<name>VIAGRA</name>", "<name>TRIAMINIC<suffix>Night Time</suffix>\n</name>"
    )
    assert read(spl(products + DOSAGE_SECTION)).title.startswith(
        "TRIAMINIC Night Time (sildenafil citrate); "
    )


def test_title_falls_back_to_document_title_without_highlights_boilerplate() -> None:
    title = (
        "<title>These highlights do not include all the information needed to use VIAGRA."
        "<br/>\n   <br/>VIAGRA<sup>®</sup> (sildenafil   citrate) tablets<br/>"
        "Initial U.S. Approval: 1998</title>"
    )
    assert read(spl(DOSAGE_SECTION, title=title)).title == "VIAGRA® (sildenafil citrate) tablets"


def test_title_falls_back_to_set_id_when_there_is_no_title() -> None:
    assert read(spl(DOSAGE_SECTION, title="<title/>")).title == f"FDA drug label {SET_ID}"


def test_key_falls_back_to_document_id_without_set_id() -> None:
    doc = read(spl(DOSAGE_SECTION, set_id=""))
    assert doc.key == "spl:64f8040f-938d-4236-8e22-c838c9b5f8da"


# --- sections ---------------------------------------------------------------------------


def test_loinc_mapping_names_sections_and_subsections_append_their_title() -> None:
    doc = read(spl(DOSAGE_SECTION), {DOSAGE: "Dosage & Administration"})

    assert [block.section for block in doc.blocks] == [
        "Dosage & Administration",
        "Dosage & Administration — 2.1 Rheumatoid Arthritis",
    ]


DESCRIPTION_SECTION = DOSAGE_SECTION.replace(DOSAGE, "34089-3").replace(
    'displayName="DOSAGE &amp; ADMINISTRATION SECTION"', 'displayName="DESCRIPTION SECTION"'
)


def test_section_title_is_used_without_a_mapping() -> None:
    doc = read(spl(DESCRIPTION_SECTION))
    assert doc.blocks[0].section == "2 DOSAGE AND ADMINISTRATION"
    assert doc.blocks[1].section == "2 DOSAGE AND ADMINISTRATION — 2.1 Rheumatoid Arthritis"


def test_code_display_name_is_used_without_mapping_or_title() -> None:
    untitled = DESCRIPTION_SECTION.replace("<title>2 DOSAGE AND ADMINISTRATION</title>", "")
    assert read(spl(untitled)).blocks[0].section == "Description"


def test_clinical_sections_always_carry_their_own_names() -> None:
    doc = read(spl(DOSAGE_SECTION), {DOSAGE: "Dosing (from a csv)"})
    assert doc.blocks[0].section == "Dosage & Administration"
    assert doc.blocks[1].section == "Dosage & Administration — 2.1 Rheumatoid Arthritis"
    warnings = section_text("<paragraph>Serious infections.</paragraph>", "43685-7", "5 WARN")
    named = read(spl(warnings), {"43685-7": "Warnings and cautions"})
    assert named.blocks[0].section == "Warnings and Precautions"


def test_unclassified_top_level_section_prefers_its_own_title() -> None:
    body = section_text("<paragraph>Store at 25°C.</paragraph>", "42229-5", "Other information")
    doc = read(spl(body), {"42229-5": "SPL Unclassified"})
    assert doc.blocks[0].section == "Other information"


def test_product_data_and_package_label_sections_are_skipped() -> None:
    doc = read(spl(PRODUCTS + DOSAGE_SECTION + PACKAGE_LABEL))
    joined = " ".join(texts(doc))
    assert "PRODUCT DATA ONLY" not in joined
    assert "CARTON TEXT" not in joined
    assert "The dose is 40 mg every other week." in joined


def test_highlights_excerpt_is_not_read() -> None:
    body = DOSAGE_SECTION.replace(
        "<title>2 DOSAGE AND ADMINISTRATION</title>",
        "<title>2 DOSAGE AND ADMINISTRATION</title>"
        "<excerpt><highlight><text><paragraph>HIGHLIGHT SUMMARY</paragraph></text>"
        "</highlight></excerpt>",
    )
    assert not any("HIGHLIGHT" in text for text in texts(read(spl(body))))


# --- text -------------------------------------------------------------------------------


def test_inline_markup_is_flattened() -> None:
    paragraph = (
        "<paragraph>Platelets below 50 × 10<sup>9</sup>/L; see <linkHtml href='#s5'>"
        "<content styleCode='bold'>Warnings</content></linkHtml> (5.1).<br/>AUC<sub>0-24</sub>"
        " rose; VIAGRA<sup>®</sup> tablets.</paragraph>"
    )
    doc = read(spl(section_text(paragraph)))
    assert texts(doc) == [
        "Platelets below 50 × 10^9/L; see Warnings (5.1). AUC0-24 rose; VIAGRA® tablets."
    ]
    assert doc.blocks[0].kind is PassageKind.TEXT
    assert not doc.blocks[0].standalone


def test_each_paragraph_and_list_item_is_a_block() -> None:
    markup = (
        "<paragraph>Use with caution in patients:</paragraph>"
        "<list listType='unordered'><item>with renal impairment;</item>"
        "<item>with hepatic impairment<list><item>Child-Pugh B</item></list></item></list>"
    )
    assert texts(read(spl(section_text(markup)))) == [
        "Use with caution in patients:",
        "with renal impairment;",
        "with hepatic impairment",
        "Child-Pugh B",
    ]


def test_table_is_one_standalone_block_with_rows_of_cells() -> None:
    table = """<paragraph>Table 1 shows the doses.</paragraph>
      <table><caption>Table 1. Dose by weight</caption>
        <col/><col/>
        <thead><tr><th>Weight</th><th>Dose</th></tr></thead>
        <tbody>
          <tr><td>15 kg to &lt;30 kg</td>
              <td colspan="2">20 mg<footnote>every other week</footnote></td></tr>
          <tr><td><paragraph>≥30 kg</paragraph></td><td>40 mg</td></tr>
        </tbody>
      </table>"""
    doc = read(spl(section_text(table)))

    tables = [block for block in doc.blocks if block.kind is PassageKind.TABLE]
    assert len(tables) == 1
    assert tables[0].standalone
    assert tables[0].text == (
        "Table 1. Dose by weight\n"
        "Weight | Dose\n"
        "15 kg to <30 kg | 20 mg*\n"
        "≥30 kg | 40 mg\n"
        "* every other week"
    )
    assert texts(doc)[0] == "Table 1 shows the doses."


def test_footnote_reference_reuses_the_mark() -> None:
    table = """<table><tbody>
        <tr><td>A<footnote ID="fn1">dose-adjusted</footnote></td>
            <td>B<footnoteRef IDREF="fn1"/></td></tr>
      </tbody></table>"""
    text = read(spl(section_text(table))).blocks[0].text
    assert text == "A* | B*\n* dose-adjusted"


# --- errors and safety ------------------------------------------------------------------


def test_malformed_xml_names_the_file_and_line() -> None:
    broken = spl(DOSAGE_SECTION).replace(b"</paragraph>", b"</para>", 1)
    with pytest.raises(MalformedSource) as caught:
        read(broken)
    assert caught.value.path == Path("labels/viagra.xml")
    assert "labels/viagra.xml" in str(caught.value)
    assert "line" in caught.value.detail


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE document [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
        '<!ENTITY lol "lol">',
        "<!doctype document>",
    ],
)
def test_dtd_and_entity_declarations_are_rejected(prolog: str) -> None:
    data = spl(DOSAGE_SECTION).replace(b"\n<document", f"\n{prolog}\n<document".encode(), 1)
    with pytest.raises(MalformedSource, match="DOCTYPE or ENTITY"):
        read(data)


def test_non_ascii_compatible_encodings_are_rejected() -> None:
    data = spl(DOSAGE_SECTION).decode().encode("utf-16")
    with pytest.raises(MalformedSource, match="UTF-8"):
        read(data)


def test_xml_that_is_not_spl_is_malformed() -> None:
    with pytest.raises(MalformedSource, match="not an SPL document"):
        read(b'<?xml version="1.0"?><rss><channel/></rss>')


def test_label_without_clinical_text_is_empty() -> None:
    with pytest.raises(EmptySource):
        read(spl(PRODUCTS + PACKAGE_LABEL))


def test_accepts_only_spl_xml() -> None:
    reader = SplReader()
    head = spl(DOSAGE_SECTION)[:400]

    assert reader.accepts(Path("label.XML"), head)
    assert not reader.accepts(Path("feed.xml"), b'<?xml version="1.0"?><rss version="2.0">')
    assert not reader.accepts(Path("label.txt"), head)


# --- the real Humira label --------------------------------------------------------------


def test_humira_label_if_available() -> None:
    if not HUMIRA.exists():
        pytest.skip("shared FDA label corpus not available")
    data = HUMIRA.read_bytes()
    start = time.perf_counter()
    doc = read(data, {DOSAGE: "Dosage & Administration"})
    elapsed = time.perf_counter() - start

    assert SplReader().accepts(HUMIRA, data[:4096])
    dosing = [b for b in doc.blocks if (b.section or "").startswith("Dosage & Administration")]
    assert any("40 mg" in block.text for block in dosing)
    assert any(block.kind is PassageKind.TABLE and block.standalone for block in doc.blocks)
    assert doc.title == "Humira (Adalimumab)"
    assert elapsed < 1.0
