"""The renal dose table (open-medicine's `renal_dose_adjustments.json`): one document per
drug, its dose tiers by kidney function as one table passage, citing the guideline or label
the drug's entry names (its source DOI).

Structured data, not prose: each drug maps to its name, class, route, usual dose, the measure
its tiers use (CrCl or eGFR), tiers (`min`/`max` of that measure, dose, kind of adjustment,
dialysis note, warnings), monitoring, its source and DOI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from medcite.errors import EmptySource, MalformedSource
from medcite.ingest.clean import normalize_chars
from medcite.sources.base import Block, ParsedDocument, Reader, SourceFile, decode_text
from medcite.sources.guidelines import COLLECTION
from medcite.types import DocKind, PassageKind

_MEASURES = {
    "crcl": ("CrCl", "mL/min"),
    "egfr": ("eGFR", "mL/min/1.73 m²"),
}
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


class RenalDoseReader(Reader):
    name = "renal-doses"
    extensions = (".json",)

    def accepts(self, path: Path, head: bytes) -> bool:
        return super().accepts(path, head) and b'"tiers"' in head and b'"drug_name"' in head

    def read(self, source: SourceFile) -> Iterator[ParsedDocument]:
        try:
            table = json.loads(decode_text(source.path, source.data))
        except json.JSONDecodeError as exc:
            raise MalformedSource(source.path, f"JSON: {exc.msg} at line {exc.lineno}") from exc
        if not isinstance(table, dict):
            raise MalformedSource(source.path, "expected an object of drugs")
        count = 0
        for key, entry in table.items():
            if isinstance(entry, dict) and isinstance(entry.get("tiers"), list):
                count += 1
                yield _drug_document(str(key), entry)
        if count == 0:
            raise EmptySource(source.path, "no drug with dose tiers")


def _drug_document(key: str, entry: Mapping[str, Any]) -> ParsedDocument:
    name = _text(entry.get("drug_name")) or key.replace("_", " ")
    brands = [_text(b) for b in entry.get("brand_names") or [] if _text(b)]
    shown = f"{name} ({', '.join(brands)})" if brands else name
    measure, unit = _MEASURES.get(_text(entry.get("label_renal_metric")).casefold(), ("CrCl", ""))
    described = _text(entry.get("source_description"))
    year = _YEAR.findall(described)
    blocks = [
        Block(_summary(name, entry), "Usual dose"),
        Block(
            _tier_table(name, measure, unit, entry["tiers"]),
            "Dose by kidney function",
            PassageKind.TABLE,
            standalone=True,
        ),
    ]
    monitoring = [_text(m) for m in entry.get("monitoring_parameters") or [] if _text(m)]
    if monitoring:
        blocks.append(Block(f"Monitoring of {name}: " + "; ".join(monitoring) + ".", "Monitoring"))
    extra = {
        "doi": _text(entry.get("source_doi")),
        "year": max(year) if year else "",
        "drug_class": _text(entry.get("drug_class")),
        "brand_names": "; ".join(brands),
        "evidence_level": _text(entry.get("evidence_level")),
        "sources": described,
        "collection": COLLECTION,
    }
    return ParsedDocument(
        key=f"renal-dose:{key}",
        title=f"Renal dose adjustment of {shown}",
        source=f"Renal dose table by open-medicine, from {described or 'its cited sources'}",
        blocks=tuple(blocks),
        kind=DocKind.GUIDELINE_SUMMARY,
        extra={k: v for k, v in extra.items() if v},
    )


def _summary(name: str, entry: Mapping[str, Any]) -> str:
    facts = [f"{name.capitalize()}"]
    kind = ", ".join(_text(entry.get(k)) for k in ("drug_class", "route") if _text(entry.get(k)))
    if kind:
        facts[0] += f" ({kind})"
    dose = _text(entry.get("normal_dose"))
    text = facts[0] + (f": usual dose with normal kidney function {dose}." if dose else ".")
    if entry.get("requires_tdm"):
        text += " Therapeutic drug monitoring is required."
    return text


def _tier_table(name: str, measure: str, unit: str, tiers: list[Any]) -> str:
    """A caption line, a header and a row per tier: "30–44 | Maximum 1000 mg … | …"."""
    label = f"{measure} ({unit})" if unit else measure
    lines = [
        f"{name.capitalize()} dose by {measure}",
        f"{label} | Dose | Adjustment | Dialysis | Warnings",
    ]
    for tier in tiers:
        if not isinstance(tier, dict):
            continue
        warnings = "; ".join(_text(w) for w in tier.get("warnings") or [] if _text(w))
        cells = [
            _band(tier.get("min"), tier.get("max")),
            _text(tier.get("dose")),
            _text(tier.get("adjustment_type")).replace("_", " "),
            _text(tier.get("dialysis_note")) or "–",
            warnings or "–",
        ]
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def _band(low: Any, high: Any) -> str:
    """ "≥ 45", "30–44", "≤ 29" from a tier's bounds."""
    if high is None:
        return f"≥ {low}" if low is not None else "any"
    if not low:
        return f"≤ {high}"
    return f"{low}–{high}"


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(normalize_chars(str(value)).split())
