"""Answer writing: evidence sentences, sections, citations, abstention."""
