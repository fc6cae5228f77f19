"""Drug names, brand and generic, from the offline `drug-named-entity-recognition` dictionary.

The dictionary (about 20k drugs and 107k names, with MeSH and DrugBank ids) ships inside the
PyPI package as a compressed pickle. We read that file directly and match names exactly
(two-word names first, then single words, case ignored): importing the package would also
build a fuzzy-matching index we do not use, which costs seconds and ~300 MB. Decompressing
the pickle takes about a second, so it is done once per data directory: the names and the
fields we use are kept in a compact file there (`medcite.vocabularies`), and a new process
looks up only the words of the text in hand.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from medcite.errors import MedciteError
from medcite.vocabularies import Lookup, Tables, open_vocabulary

_PACKAGE = "drug_named_entity_recognition"
_DATA_FILE = "drug_ner_dictionary.pkl.bz2"
_VERSION = 2  # of the tables `_tables` builds: bump it when they change
_FIELDS = ("name", "mesh_id", "drugbank_id", "medline_plus_id")  # of a drug's data, the used
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
# Drug classes the dictionary lists as drugs; they are not one drug.
_NOT_DRUGS = frozenset({"antibiotics", "antibiotic"})
_CLASS_SUFFIXES = ("agents", "inhibitors", "antagonists", "agonists", "blockers", "drugs")


@dataclass(frozen=True, slots=True)
class Drug:
    """A drug with its generic name first, then its other names (brands, salts, codes)."""

    generic: str
    names: tuple[str, ...]
    mesh_id: str | None = None
    drugbank_id: str | None = None
    is_class: bool = False


@dataclass(frozen=True, slots=True)
class DrugMention:
    drug: Drug
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Dictionary:
    variants: Lookup  # lower-case name -> canonical keys
    canonical: Lookup  # canonical key -> data (name, ids)
    names: Lookup  # canonical key -> every name that maps to it
    pair_starts: Lookup  # first word of a two-word name -> True


@lru_cache(maxsize=1)
def _dictionary() -> _Dictionary:
    tables = open_vocabulary("drugs", _data_file(), _tables, version=_VERSION)
    return _Dictionary(
        tables["variants"], tables["canonical"], tables["names"], tables["pair_starts"]
    )


def _data_file() -> Path:
    spec = importlib.util.find_spec(_PACKAGE)
    path = Path(spec.origin).parent / _DATA_FILE if spec and spec.origin else None
    if path is None or not path.is_file():
        raise MedciteError(
            f"the drug dictionary ({_PACKAGE}) is missing: reinstall medcite "
            "(pip install -e .) to get it"
        )
    return path


def _tables() -> Tables:
    """The dictionary's names, the drugs' used fields, each drug's names and the words that
    begin a two-word name (only a pair that begins with one is looked up)."""
    with bz2.open(_data_file(), "rb") as f:
        data = pickle.load(f)  # the package's own data file, installed with medcite
    variants: dict[str, list[str]] = data["drug_variant_to_canonical"]
    names: dict[str, list[str]] = {}
    for variant, keys in variants.items():
        for key in keys:
            names.setdefault(key, []).append(variant)
    canonical = {
        key: {f: drug[f] for f in _FIELDS if f in drug}
        for key, drug in data["drug_canonical_to_data"].items()
    }
    starts = {v.split(" ")[0]: True for v in variants if v.count(" ") == 1}
    return {"variants": variants, "canonical": canonical, "names": names, "pair_starts": starts}


def find_drug_mentions(text: str) -> list[DrugMention]:
    """Drugs named in free text, punctuation stripped ("(Jakafi)" finds ruxolitinib)."""
    tokens = list(_TOKEN.finditer(text))
    mentions = []
    for key, first, end in _matches([t.group(0).lower() for t in tokens]):
        start, stop = tokens[first].start(), tokens[end - 1].end()
        surface = text[start:stop]
        if surface.lower() not in _NOT_DRUGS:
            mentions.append(DrugMention(_drug(key), surface, start, stop))
    return sorted(mentions, key=lambda m: m.start)


def _matches(words: Sequence[str]) -> list[tuple[str, int, int]]:
    """(canonical key, first token, end token) for two-word names, then single words."""
    dictionary = _dictionary()
    starts = dictionary.pair_starts.get_many(words)
    pairs = [f"{a} {b}" for a, b in pairwise(words) if a in starts]
    variants = dictionary.variants.get_many([*pairs, *words])
    found: list[tuple[str, int, int]] = []
    used: set[int] = set()
    for i in range(len(words) - 1):
        for key in variants.get(f"{words[i]} {words[i + 1]}", ()):
            found.append((key, i, i + 2))
            used.update((i, i + 1))
    for i, word in enumerate(words):
        if i not in used:
            found.extend((key, i, i + 1) for key in variants.get(word, ()))
    return found


def lookup_drug(name: str) -> Drug | None:
    """The drug a single name (brand or generic) refers to, if the dictionary knows it."""
    mentions = find_drug_mentions(name)
    whole = [m for m in mentions if m.start == 0 and m.end == len(name.strip())]
    return whole[0].drug if whole else None


@lru_cache(maxsize=4096)
def _drug(key: str) -> Drug:
    dictionary = _dictionary()
    data = dictionary.canonical.get(key) or {}
    generic = str(data.get("name") or key).lower()
    synonyms = sorted({s.lower() for s in dictionary.names.get(key) or () if s})
    names = (generic, *(s for s in synonyms if s != generic))
    return Drug(
        generic=generic,
        names=names,
        mesh_id=data.get("mesh_id") or None,
        drugbank_id=data.get("drugbank_id") or None,
        is_class=_is_class(generic, data),
    )


def _is_class(generic: str, data: dict[str, Any]) -> bool:
    """A class of drugs rather than one drug: "ACE inhibitors", "antibodies, monoclonal"
    (a MeSH heading, inverted), "penicillins" (plural, with no drug-level id)."""
    if generic.endswith(_CLASS_SUFFIXES):
        return True
    if ", " in generic and " and " not in generic:
        return True
    has_drug_id = bool(data.get("drugbank_id") or data.get("medline_plus_id"))
    return generic.endswith("s") and not has_drug_id
