"""Which encoding a source's bytes are in, and decoding them without guessing.

Order: a byte-order mark; then the encoding the file declares (an XML prolog, an HTML
`<meta charset>`); then the one the user names for files that declare none (`ingest
--encoding`, `ingest.encoding`); else UTF-8. Whatever is chosen is applied strictly: a byte
that is not valid in it is an error naming the file and the byte offset. There is no silent
fallback, because a fallback changes text without saying so: a UTF-8 file with one stray
byte decoded as Latin-1 turns "10 µg/kg" into "10 Âµg/kg".
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from medcite.errors import BadEncoding, BinaryContent, EmptySource

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_PROLOG = re.compile(rb"""\A\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")
# The first 4 KiB, like a browser's prescan (the spec says 1,024 bytes; pages put it later).
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_PRESCAN = 4096
# Labels that browsers read as windows-1252 (WHATWG Encoding), which Python's latin-1 is not.
_WINDOWS_1252 = frozenset({"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "l1", "cp819"})
_HINT = "name the file's encoding with --encoding (for example cp1252) or re-save it as UTF-8"


def check_encoding_name(name: str) -> str:
    """The name, if Python knows the encoding (else ValueError, for settings validation)."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown text encoding {name!r} (for example utf-8, cp1252)") from None
    return name


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces, and the mark's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def xml_declared(data: bytes) -> str | None:
    """The encoding named by an XML prolog (`<?xml version="1.0" encoding="..."?>`)."""
    found = _XML_PROLOG.match(data.removeprefix(codecs.BOM_UTF8))
    return found.group(1).decode("ascii") if found else None


def html_declared(data: bytes) -> str | None:
    """The encoding an HTML page declares: its XML prolog (XHTML), else a `<meta charset>`."""
    if declared := xml_declared(data):
        return declared
    found = _META_CHARSET.search(data[:_PRESCAN])
    if found is None:
        return None
    label = found.group(1).decode("ascii").lower()
    return "cp1252" if label in _WINDOWS_1252 else label


def decode_bytes(
    path: Path, data: bytes, *, named: str | None = None, declared: str | None = None
) -> str:
    """Decode by BOM, else the file's declared encoding, else the user's named one, else UTF-8.

    Raises EmptySource, BinaryContent or BadEncoding (naming the byte offset).
    """
    if not data.strip():
        raise EmptySource(path)
    bom = bom_encoding(data)
    if bom is not None:
        return _strict(path, data[bom[1] :], bom[0], bom[1], "its byte-order mark")
    if b"\x00" in data[:8192]:
        raise BinaryContent(path, "contains NUL bytes")
    if declared:
        return _strict(path, data, declared, 0, "its own declaration")
    if named:
        return _strict(path, data, named, 0, "--encoding")
    return _strict(path, data, "utf-8", 0, "")


def _strict(path: Path, data: bytes, encoding: str, skipped: int, source: str) -> str:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise BadEncoding(path, f"unknown encoding {encoding!r} named by {source}") from None
    try:
        return codec.decode(data)[0]
    except UnicodeDecodeError as exc:
        offset = skipped + exc.start
        byte = data[exc.start : exc.start + 1].hex()
        named = f" (named by {source})" if source else ""
        hint = _HINT if not source else f"correct the file or {source}"
        raise BadEncoding(
            path, f"not valid {codec.name}{named} at byte offset {offset} (0x{byte}); {hint}"
        ) from None
