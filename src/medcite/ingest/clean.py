"""Character-level cleaning: Unicode forms, invisible characters, lost superscripts.

NFKC is deliberately not used: it turns "10⁹" into "109", which changes a number.
"""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
# Character classes, not str.translate tables: a regex is many times faster on long non-ASCII
# text in which these characters are rare.
_SPACES = re.compile(
    "[\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u202f\u205f\u3000\t\f\v]"
)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_ASCII_SPACES = re.compile("[\t\f\v]")
# "×10 9" and "×105 copies" are exponents whose superscript was lost in PDF extraction.
_LOST_EXPONENT_SPACED = re.compile(r"×\s?10 (\d{1,2})\b")
_LOST_EXPONENT_GLUED = re.compile(r"×\s?10(\d{1,2})(?=\s*(?:L\b|/L\b|copies|cells|IU|/mm|/µL|/μL))")
_PER_LITRE = re.compile(r"(×10\^\d{1,2})\s?L\s?[–\-−]\s?1\b")


def normalize_chars(text: str) -> str:
    """Normalise Unicode and spacing without changing any number or word."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # of what follows, only spacing and control characters can apply
        return _CONTROL.sub("", _ASCII_SPACES.sub(" ", text))
    text = unicodedata.normalize("NFC", text)
    for lig, plain in _LIGATURES.items():
        text = text.replace(lig, plain)
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    text = _CONTROL.sub("", text)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), text)
    return restore_exponents(text)


def restore_exponents(text: str) -> str:
    """Rewrite exponents flattened by PDF extraction: "71×10 9 L–1" -> "71×10^9/L"."""
    text = _LOST_EXPONENT_SPACED.sub(r"×10^\1", text)
    text = _LOST_EXPONENT_GLUED.sub(r"×10^\1", text)
    return _PER_LITRE.sub(r"\1/L", text)
