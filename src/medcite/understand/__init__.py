"""Question understanding: type, concepts, abbreviations and synonyms."""

from __future__ import annotations


def prepare_vocabularies() -> None:
    """Open the vocabularies every question reads, writing their compact files into the
    library's data directory when they are missing (`medcite.vocabularies`): called after an
    ingest, so that the library's first question does not wait for them."""
    from medcite.understand.drugs import lookup_drug
    from medcite.understand.subject import is_everyday

    lookup_drug("aspirin")
    is_everyday("aspirin")
