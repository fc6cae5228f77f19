"""Question understanding: type, concepts, abbreviations and synonyms."""
