"""Inline text of JATS elements: markup flattened, citation markers out, exponents kept."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from medcite.ingest.clean import normalize_chars

_EMPTY_CITE = re.compile(r"\s*[\[(][\s,;–\-]*[\])]")
_SPACE_PUNCT = re.compile(r"\s+([,.;:)])")


def inline_text(element: ET.Element | None, skip: frozenset[str] = frozenset()) -> str:
    """Flattened text: citation markers out, exponents as "^9", blocks in `skip` left out."""
    if element is None:
        return ""
    parts: list[str] = []
    _flatten(element, parts, skip)
    text = "".join(parts)
    text = " ".join((text if text.isascii() else normalize_chars(text)).split())
    text = _EMPTY_CITE.sub("", text)
    return _SPACE_PUNCT.sub(r"\1", text).strip()


def _flatten(element: ET.Element, parts: list[str], skip: frozenset[str]) -> None:
    parts.append(element.text or "")
    for child in element:
        tag = local_name(child.tag)
        if tag in skip or (tag == "xref" and child.get("ref-type") == "bibr") or tag == "fn":
            pass
        elif tag == "sup":
            inner: list[str] = []
            _flatten(child, inner, skip)
            sup = "".join(inner).strip()
            parts.append("^" + sup if any(ch.isalnum() for ch in sup) else sup)
        elif tag in ("break", "br"):
            parts.append(" ")
        else:
            _flatten(child, parts, skip)
        parts.append(child.tail or "")


def local_name(tag: object) -> str:
    """An element's tag without its namespace ("" for comments and processing instructions)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
