"""A structured renal dose table (JSON): one document per drug, one table passage per tier.

The shape read is that of `corpus/guidelines/renal_dose_adjustments.json`: an object keyed
by drug, each entry with `drug_name`, `brand_names`, `drug_class`, `route`,
`label_renal_metric` ("crcl" or "egfr": what the bands are measured in), `normal_dose`,
`source_doi`, `source_description`, `evidence_level` and `tiers` (`min`, `max`, `dose`,
`adjustment_type`, `dialysis_note`, `warnings`). Each tier becomes one standalone passage
that starts with the drug and its band written out ("Vancomycin, CrCl 30–49 mL/min: …"),
so that a row quoted alone still names its drug and band; the source's DOI and year are kept
on the document, whose kind is *guideline summary*: the table is open-medicine's compilation
from guidelines and labels, not those sources themselves (its evidence level is kept). The
text states only what the table states; nothing is computed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from medcite.errors import EmptySource, MalformedSource
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
from medcite.sources.guidelines import COLLECTION
from medcite.types import DocKind, PassageKind

METRICS = {"crcl": ("CrCl", "mL/min"), "egfr": ("eGFR", "mL/min/1.73 m²")}
DOSE_SECTION = "Dose by renal function"
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
ABOUT_SECTION = "Renal dose adjustment"


class RenalTableReader(Reader):
    name = "renal_table"
    extensions = (".json",)

    def accepts(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".json" and b'"label_renal_metric"' in head

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        text = decode_text(source.path, source.data)
        try:
            table = json.loads(text)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            raise MalformedSource(source.path, f"not JSON: {exc}") from exc
        if not isinstance(table, dict) or not table:
            raise EmptySource(source.path, "no drugs in the renal dose table")
        for key, entry in table.items():
            if not isinstance(entry, dict) or not entry.get("tiers"):
                raise MalformedSource(source.path, f"drug {key!r} has no tiers")
            yield _document(source.path, str(key), entry)


def _document(path: Path, key: str, entry: Mapping[str, Any]) -> ParsedDocument:
    drug = str(entry.get("drug_name") or key).replace("_", " ")
    brands = [str(b) for b in entry.get("brand_names") or ()]
    metric = str(entry.get("label_renal_metric") or "").lower()
    if metric not in METRICS:
        raise MalformedSource(path, f"drug {key!r}: label_renal_metric must be crcl or egfr")
    title = f"Renal dose adjustment: {drug}" + (f" ({', '.join(brands)})" if brands else "")
    blocks = [Block(_about(drug, brands, metric, entry), ABOUT_SECTION)]
    blocks += [
        Block(_tier(drug, metric, tier), DOSE_SECTION, PassageKind.TABLE, standalone=True)
        for tier in entry["tiers"]
    ]
    described = str(entry.get("source_description") or "")
    years = _YEAR.findall(described)
    extra = {
        "renal_metric": metric,
        "drug": drug,
        "doi": str(entry.get("source_doi") or ""),
        "year": max(years) if years else "",
        "evidence_level": str(entry.get("evidence_level") or ""),
        "collection": COLLECTION,
    }
    return ParsedDocument(
        key=f"renal-table:{key}",
        title=title,
        # a table compiled from guidelines and labels: a summary, never the sources themselves
        source=f"Renal dose table by open-medicine, from {described or 'its cited sources'}",
        blocks=tuple(blocks),
        kind=DocKind.GUIDELINE_SUMMARY,
        url=f"https://doi.org/{entry['source_doi']}" if entry.get("source_doi") else None,
        extra={k: v for k, v in extra.items() if v},
    )


def _about(drug: str, brands: list[str], metric: str, entry: Mapping[str, Any]) -> str:
    name, unit = METRICS[metric]
    named = drug + (f" ({', '.join(brands)})" if brands else "")
    parts = [f"Renal dose adjustment of {named}"]
    if entry.get("drug_class"):
        parts[0] += f", {entry['drug_class']}"
    if entry.get("route"):
        parts[0] += f", {entry['route']}"
    parts.append(f"Dose bands for {drug} by {name} ({unit})")
    if entry.get("normal_dose"):
        parts.append(f"Usual dose of {drug}: {entry['normal_dose']}")
    if entry.get("monitoring_parameters"):
        monitoring = "; ".join(str(m) for m in entry["monitoring_parameters"])
        parts.append(f"Monitoring of {drug}: {monitoring}")
    if entry.get("evidence_level"):
        parts.append(f"Evidence: {entry['evidence_level']}")
    return ". ".join(parts) + "."


def band_text(metric: str, low: object, high: object) -> str:
    """ "CrCl 30–49 mL/min", "CrCl ≥ 50 mL/min", "eGFR < 15 …" (a band as the table gives it)."""
    name, unit = METRICS[metric]
    if high is None:
        return f"{name} ≥ {low} {unit}"
    if low in (None, 0):
        return f"{name} 0–{high} {unit}"
    return f"{name} {low}–{high} {unit}"


def _tier(drug: str, metric: str, tier: Mapping[str, Any]) -> str:
    band = band_text(metric, tier.get("min"), tier.get("max"))
    text = f"{drug.capitalize()}, {band}: {tier.get('dose', '')}"
    if tier.get("adjustment_type"):
        text += f" ({str(tier['adjustment_type']).replace('_', ' ')})"
    text += "."
    if tier.get("dialysis_note"):
        text += f" Dialysis: {tier['dialysis_note']}."
    warnings = [str(w) for w in tier.get("warnings") or ()]
    if warnings:
        text += " Warnings: " + "; ".join(warnings) + "."
    return text
