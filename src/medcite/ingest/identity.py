"""Document identity: which records are the same document, and which version of it wins.

- A record whose key is in a **global scheme** — `pubmed:PMID`, `pmc:PMCID`, `spl:SETID`
  (a DailyMed set id), `doi:DOI` — is the same document in whatever file it is found. Its
  document id is a hash of the key alone; the store keeps the version with the highest
  revision active and holds the others (see `medcite.index.writes`).
- Any other record (a MedQuAD answer, a guideline summary, a loose PDF) is keyed by its file
  and its key: two files never take each other's documents, even when their records carry
  the same key.
"""

from __future__ import annotations

import hashlib

GLOBAL_SCHEMES = frozenset({"pubmed", "pmc", "spl", "doi"})


def global_key(key: str) -> str | None:
    """The key in its canonical form when it is in a global scheme, else None."""
    scheme, sep, value = key.partition(":")
    value = value.strip()
    if not sep or scheme not in GLOBAL_SCHEMES or not value:
        return None
    if scheme == "doi":
        value = value.casefold()
    elif scheme == "pmc":
        value = value.upper() if value.upper().startswith("PMC") else f"PMC{value}"
    return f"{scheme}:{value}"


def document_id(key: str, source_id: str) -> str:
    """The stored id of a record: from its global key, or from its file and its key."""
    canonical = global_key(key)
    return short_hash(canonical if canonical else f"{source_id}|{key}")


def short_hash(value: str) -> str:
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:16]
