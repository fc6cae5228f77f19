"""Invented sources for clinical-understanding tests: a small SPL drug label and a guideline.

The texts are written for these tests (not copied from any label or guideline); the label
uses a real drug's names so that the drug dictionary resolves Jakafi to ruxolitinib.
"""

from __future__ import annotations

from pathlib import Path

SET_ID = "7a1c2b3d-0000-4000-8000-00000000c11a"


def _section(code: str, display: str, title: str, body: str) -> str:
    return f"""<component><section>
      <code code="{code}" codeSystem="2.16.840.1.113883.6.1" displayName="{display}"/>
      <title>{title}</title><text>{body}</text></section></component>"""


LABEL_SECTIONS = "".join(
    [
        _section(
            "34066-1",
            "BOXED WARNING SECTION",
            "WARNING: SERIOUS INFECTIONS",
            "<paragraph>Patients taking ruxolitinib are at risk of serious opportunistic "
            "infections, including cytomegalovirus reactivation.</paragraph>",
        ),
        _section(
            "34068-7",
            "DOSAGE &amp; ADMINISTRATION SECTION",
            "2 DOSAGE AND ADMINISTRATION",
            "<paragraph>The starting dose of ruxolitinib depends on the platelet count and is "
            "taken twice daily by mouth.</paragraph>"
            "<table><caption>Table 1: Starting dose by platelet count</caption>"
            "<thead><tr><th>Platelet count</th><th>Starting dose</th></tr></thead>"
            "<tbody><tr><td>Above 200 ×10<sup>9</sup>/L</td><td>20 mg twice daily</td></tr>"
            "<tr><td>100 to 200 ×10<sup>9</sup>/L</td><td>15 mg twice daily</td></tr>"
            "</tbody></table>",
        ),
        _section(
            "34070-3",
            "CONTRAINDICATIONS SECTION",
            "4 CONTRAINDICATIONS",
            "<paragraph>There are no contraindications listed for ruxolitinib in this example "
            "label.</paragraph>",
        ),
        _section(
            "43685-7",
            "WARNINGS AND PRECAUTIONS SECTION",
            "5 WARNINGS AND PRECAUTIONS",
            "<paragraph>Ruxolitinib suppresses the bone marrow and can cause thrombocytopenia, "
            "anemia and neutropenia; check blood counts before and during treatment."
            "</paragraph><paragraph>Ruxolitinib suppresses the immune system, so check for "
            "active infections, including cytomegalovirus, before and during treatment."
            "</paragraph>",
        ),
        _section(
            "34073-7",
            "DRUG INTERACTIONS SECTION",
            "7 DRUG INTERACTIONS",
            "<paragraph>Strong CYP3A4 inhibitors increase ruxolitinib exposure, so the "
            "ruxolitinib dose is reduced when they are given together.</paragraph>",
        ),
        _section(
            "43684-0",
            "USE IN SPECIFIC POPULATIONS SECTION",
            "8 USE IN SPECIFIC POPULATIONS",
            "<paragraph>Patients with renal impairment need a lower ruxolitinib dose.</paragraph>",
        ),
    ]
)

SPL_LABEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<document xmlns="urn:hl7-org:v3">
  <id root="11111111-2222-4333-8444-555555555555"/>
  <code code="34391-3" codeSystem="2.16.840.1.113883.6.1"
        displayName="HUMAN PRESCRIPTION DRUG LABEL"/>
  <title>EXAMPLE LABEL FOR TESTS</title>
  <effectiveTime value="20230615"/>
  <setId root="{SET_ID}"/>
  <versionNumber value="3"/>
  <author><assignedEntity><representedOrganization><name>Example Labeler</name>
  </representedOrganization></assignedEntity></author>
  <component><structuredBody>
    <component><section>
      <code code="48780-1" displayName="SPL PRODUCT DATA ELEMENTS SECTION"/>
      <subject><manufacturedProduct><manufacturedProduct>
        <name>Jakafi</name>
        <asEntityWithGeneric><genericMedicine><name>ruxolitinib</name></genericMedicine>
        </asEntityWithGeneric>
      </manufacturedProduct></manufacturedProduct></subject>
    </section></component>
    {LABEL_SECTIONS}
  </structuredBody></component>
</document>
"""

GUIDELINE = """# Example Society guideline: cytomegalovirus in immunocompromised adults

## Recommendations

We recommend that a positive CMV PCR in an immunocompromised patient is confirmed and its
unit reported, because thresholds differ between IU/mL and copies/mL.

We recommend weekly CMV PCR monitoring during treatment of CMV viremia in immunocompromised
patients (strong recommendation, moderate quality of evidence).

Patients on ruxolitinib with CMV viremia should have their blood counts checked weekly,
because antivirals and ruxolitinib both suppress the bone marrow.
"""


def write_clinical_sources(folder: Path) -> Path:
    """Write the label and the guideline into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jakafi-example.xml").write_text(SPL_LABEL, encoding="utf-8")
    (folder / "cmv-guideline.md").write_text(GUIDELINE, encoding="utf-8")
    return folder
