"""Which reader handles a file: the first registered reader that accepts it."""

from __future__ import annotations

from pathlib import Path

from medcite.errors import UnsupportedFormat
from medcite.sources.base import Reader
from medcite.sources.beir import BeirReader
from medcite.sources.dailymed import DailyMedZipReader
from medcite.sources.guidelines import GuidelineSummaryReader
from medcite.sources.html import HtmlReader
from medcite.sources.jats import JatsReader
from medcite.sources.medquad import MedquadReader
from medcite.sources.pdf import PdfReader
from medcite.sources.pubmed import PubmedReader
from medcite.sources.renal_table import RenalTableReader
from medcite.sources.spl import SplReader
from medcite.sources.text import TextReader

# Order matters: content-sniffing readers before extension-only ones.
READERS: list[Reader] = [
    MedquadReader(),
    BeirReader(),
    PubmedReader(),
    JatsReader(),
    RenalTableReader(),
    SplReader(),
    DailyMedZipReader(),
    GuidelineSummaryReader(),
    PdfReader(),
    HtmlReader(),
    TextReader(),
]


def register_reader(reader: Reader, *, first: bool = True) -> None:
    """Add a reader (third-party formats register the same way as built-in ones)."""
    READERS.insert(0 if first else len(READERS), reader)


def reader_for(path: Path, head: bytes) -> Reader:
    for reader in READERS:
        if reader.accepts(path, head):
            return reader
    raise UnsupportedFormat(path)
