"""Parsing XML sources safely: no DTDs or entity declarations (no entity bombs, no external
entities), the encoding checked strictly (a stray byte is an error naming its offset), and
the element depth bounded, so readers may walk the tree recursively."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from medcite.errors import MalformedSource
from medcite.sources.encoding import decode_bytes, xml_declared

MAX_DEPTH = 256  # real FDA labels nest 18 elements deep at most
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_INTERNAL = re.compile(rb"<!\s*ENTITY|<!\s*DOCTYPE[^>\[]*\[", re.IGNORECASE)
_UTF8 = frozenset({"utf-8", "utf8"})


def parse_xml(
    path: Path, data: bytes, *, named: str | None = None, doctype: bool = False
) -> ET.Element:
    """The root element. `named` is the encoding the user gave, used when the file declares
    none (XML without a declaration is otherwise UTF-8). `doctype`: a DOCTYPE naming an
    external DTD is allowed (JATS articles carry one; it is never fetched), an internal
    subset or ENTITY declaration never."""
    declared = xml_declared(data)
    if declared is None and named and named.lower() not in _UTF8:
        data = decode_bytes(path, data, named=named).encode("utf-8")
    elif declared is None or declared.lower() in _UTF8:
        decode_bytes(path, data)  # a stray byte: BadEncoding naming its offset
    if doctype and _INTERNAL.search(data):
        raise MalformedSource(path, "ENTITY declarations and internal DTD subsets are not allowed")
    if not doctype and _DTD.search(data):
        raise MalformedSource(path, "DOCTYPE or ENTITY declarations are not allowed")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise MalformedSource(path, f"XML parse error: {exc}") from exc
    except LookupError as exc:  # the declaration names an encoding Python does not know
        raise MalformedSource(path, f"unknown encoding: {exc}") from exc
    check_depth(path, root)
    return root


def check_depth(path: Path, root: ET.Element, limit: int = MAX_DEPTH) -> None:
    """MalformedSource when elements nest deeper than `limit` (checked without recursion)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            raise MalformedSource(path, f"elements nest deeper than {limit} levels")
        stack.extend((child, depth + 1) for child in element)
