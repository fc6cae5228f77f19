"""Which URLs may become links: absolute http(s) ones only.

A source's metadata can carry any string as its URL (`javascript:alert(1)`, `data:…`,
`file:///etc/passwd`); shown as a link it would run or open whatever it names. Every output
format (the pages, Markdown, the terminal) links only what `http_url` accepts and shows
anything else as plain text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def http_url(value: str | None) -> str | None:
    """`value` when it is an absolute http or https URL with a host, else None."""
    if not value or _UNSAFE.search(value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value
