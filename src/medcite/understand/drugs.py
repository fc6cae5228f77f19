"""Drug names, brand and generic, from the offline `drug-named-entity-recognition` dictionary.

The dictionary (about 20k drugs and 107k names, with MeSH and DrugBank ids) ships inside the
PyPI package; loading it takes about a second, so it is loaded once, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
# Drug classes the dictionary lists as drugs; they are not one drug.
_NOT_DRUGS = frozenset({"antibiotics", "antibiotic"})


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug with its generic name first, then its other names (brands, salts, codes)."""

    generic: str
    names: tuple[str, ...]
    mesh_id: str | None = None
    drugbank_id: str | None = None


@dataclass(frozen=True, slots=True)
class DrugMention:
    drug: Drug
    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _finder() -> Any:
    from drug_named_entity_recognition import find_drugs

    return find_drugs


def find_drug_mentions(text: str) -> list[DrugMention]:
    """Drugs named in free text, punctuation stripped ("(Jakafi)" finds ruxolitinib)."""
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return []
    found = _finder()([t.group(0) for t in tokens], is_ignore_case=True)
    mentions = []
    for data, first, end in found:  # token range, end exclusive
        start, stop = tokens[first].start(), tokens[end - 1].end()
        surface = text[start:stop]
        if surface.lower() not in _NOT_DRUGS:
            mentions.append(DrugMention(_drug(data), surface, start, stop))
    return mentions


def lookup_drug(name: str) -> Drug | None:
    """The drug a single name (brand or generic) refers to, if the dictionary knows it."""
    mentions = find_drug_mentions(name)
    whole = [m for m in mentions if m.start == 0 and m.end == len(name.strip())]
    return whole[0].drug if whole else None


def _drug(data: dict[str, Any]) -> Drug:
    generic = str(data.get("name", "")).lower()
    synonyms = sorted({str(s).lower() for s in data.get("synonyms", ()) if s})
    names = (generic, *(s for s in synonyms if s != generic))
    return Drug(
        generic=generic,
        names=names,
        mesh_id=data.get("mesh_id") or None,
        drugbank_id=data.get("drugbank_id") or None,
    )
