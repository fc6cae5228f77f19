"""The dose a source gives for this patient's kidney function: its tier, quoted and cited.

A drug's renal dosing statements are the sentences (and table rows) about kidney function
in its sources' dosing sections: a label's Dosage and Administration and Use in Specific
Populations, a renal dose table's tiers. Each states a band ("CrCl 30–49 mL/min", "severe
renal impairment (CLcr < 30 mL/min)") or none ("dosage adjustment in patients with renal
dysfunction is not necessary": any kidney function). The bands of one source are matched
with the patient's value in the metric that source uses (CrCl or eGFR; clinical/bands.py
handles limits), and the statements of the bands that apply are quoted. Nothing is computed:
when the metric is not known, or no source covers the drug, the section says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medcite.clinical.bands import CRCL, Band, find_bands, fmt, place
from medcite.clinical.renal import OrganFunction
from medcite.text import sentences
from medcite.types import Claim, Computed, DrugUse, Passage, PassageKind

RENAL_SECTION = "renal_dose"
RENAL_TITLE = "Dose for this patient's renal function"
MAX_PER_SOURCE = 3
_DOSING_SECTIONS = re.compile(r"dosage|\bdose\b|specific populations|renal|kidney", re.I)
_RENAL = re.compile(
    r"renal|kidney|creatinine clearance|\bcl\s?cr\b|\bcr\s?cl\b|\begfr\b|dialysis", re.I
)
_SEVERITY = re.compile(r"\b(mild|moderate|severe)\b[^.;()]{0,40}?\(([^)]*)\)", re.I)
_SEVERITY_WORD = re.compile(r"\b(mild|moderate|severe)\b", re.I)
# A statement without a band must say something about dosing to count ("dosage adjustment
# … is not necessary"), not only about the drug's kinetics.
_DOSING = re.compile(r"\bdos(?:e|es|age|ing)\b|adjust|contraindicat|\bavoid|not recommended", re.I)


@dataclass(frozen=True, slots=True)
class DoseStatement:
    """A sentence or table row on dosing by kidney function, with the bands it applies to
    (none: it applies to any kidney function)."""

    passage: Passage
    text: str
    bands: tuple[Band, ...]


def dose_statements(passages: Iterable[Passage]) -> list[DoseStatement]:
    """The renal dosing statements among a drug's passages (dosing sections only)."""
    out = []
    for passage in passages:
        if not (passage.section and _DOSING_SECTIONS.search(passage.section)):
            continue
        named = _severity_bands(passage.text)
        parts = [passage.text] if passage.kind == PassageKind.TABLE else sentences(passage.text)
        for text in parts:
            if _RENAL.search(text) or find_bands(text):
                out.append(DoseStatement(passage, text, _bands(text, named)))
    return out


def _severity_bands(text: str) -> dict[str, tuple[Band, ...]]:
    """ "severe (CLcr < 30 mL/min)": the band a passage gives each severity word."""
    found: dict[str, tuple[Band, ...]] = {}
    for m in _SEVERITY.finditer(text):
        bands = find_bands(m.group(2))
        if bands:
            found.setdefault(m.group(1).lower(), tuple(bands))
    return found


def _bands(text: str, named: dict[str, tuple[Band, ...]]) -> tuple[Band, ...]:
    own = find_bands(text)
    if own:
        return tuple(own)
    return tuple(b for w in _SEVERITY_WORD.findall(text) for b in named.get(w.lower(), ()))


def renal_claims(
    drug: DrugUse, statements: Sequence[DoseStatement], organ: OrganFunction
) -> tuple[list[Claim], list[str]]:
    """The claims quoting the tiers that apply to the patient, and notes for the reader."""
    if not statements:
        return [], [f"{drug.generic}: no indexed source gives a dose by kidney function."]
    claims: list[Claim] = []
    notes: list[str] = []
    by_doc: dict[str, list[DoseStatement]] = {}
    for s in statements:
        by_doc.setdefault(s.passage.document.id, []).append(s)
    for group in by_doc.values():
        found, note = _for_source(drug, group, organ)
        claims += [c for c in found if c.text not in {k.text for k in claims}]
        notes += [note] if note else []
    if not claims and not notes:
        notes.append(f"{drug.generic}: no indexed source gives a dose for this kidney function.")
    return claims, notes


def _for_source(
    drug: DrugUse, group: list[DoseStatement], organ: OrganFunction
) -> tuple[list[Claim], str | None]:
    bands = [b for s in group for b in s.bands]
    anywhere = [s for s in group if not s.bands and _DOSING.search(s.text)]
    title = group[0].passage.document.title
    if not bands:
        return _claims(drug, anywhere, f"{drug.generic}, any kidney function"), None
    metric = max({b.metric for b in bands}, key=[b.metric for b in bands].count)
    known = organ.crcl if metric == CRCL else organ.egfr
    if known is None or known.value is None:
        why = f" ({known.statement})" if known is not None else ""
        note = f"{title} gives doses by {metric}, which is not known for this patient{why}."
        return _claims(drug, anywhere, f"{drug.generic}, any kidney function"), note
    placement = place(known.value, [b for b in bands if b.metric == metric])
    chosen = [s for s in group if set(s.bands) & set(placement.bands)]
    return _claims(drug, chosen, _frame(drug, known, placement.bands, placement.edge)), None


def _frame(drug: DrugUse, known: Computed, bands: Sequence[Band], edge: bool) -> str:
    value = f"{known.name} {fmt(known.value or 0.0)} {known.unit} ({known.method})"
    limits = " and ".join(dict.fromkeys(b.text for b in bands)) or "no band of this source"
    frame = f"{drug.generic}, {value}: band {limits}"
    if edge:
        frame += " — on or between two bands' limits, so shown against both"
    return frame


def _claims(drug: DrugUse, statements: Sequence[DoseStatement], frame: str) -> list[Claim]:
    unique = list({s.text: s for s in statements}.values())[:MAX_PER_SOURCE]
    return [Claim(s.text, (s.passage.id,), RENAL_SECTION, frame=frame) for s in unique]
