"""The few exceptions medcite raises. Messages say what to do next."""

from __future__ import annotations

from pathlib import Path


class MedciteError(Exception):
    """Base class: anything medcite raises on purpose."""


class ConfigError(MedciteError):
    """Settings are invalid or contradictory."""


class MissingExtra(MedciteError):
    """An optional dependency is needed; the message names the extra to install."""

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(f"{feature} needs the optional extra: pip install 'medcite[{extra}]'")
        self.extra = extra


class SourceError(MedciteError):
    """A source file could not be read; always names the file."""

    reason = "could not be read"

    def __init__(self, path: Path | str, detail: str = "") -> None:
        self.path = Path(path)
        self.detail = detail
        message = f"{self.path}: {self.reason}"
        super().__init__(f"{message} ({detail})" if detail else message)


class UnsupportedFormat(SourceError):
    reason = (
        "unsupported format (use .jsonl, .txt, .md, .html, .pdf, PubMed, PMC or FDA SPL .xml, "
        ".xml.gz or a DailyMed .zip)"
    )


class EmptySource(SourceError):
    reason = "empty file, or no text could be extracted"


class FileTooLarge(SourceError):
    reason = "file is larger than ingest.max_file_mb; raise the limit or split the file"


class BadEncoding(SourceError):
    reason = "text could not be decoded"


class BinaryContent(SourceError):
    reason = "looks like a binary file, not text"


class MalformedSource(SourceError):
    reason = "malformed content"


class EncryptedSource(SourceError):
    reason = "encrypted PDF; decrypt it first (for example with qpdf --decrypt)"


class NotRegularFile(SourceError):
    reason = "not a regular file (a named pipe, device or socket is never read)"


class SourceTooSlow(SourceError):
    reason = "reading took longer than ingest.max_file_seconds; raise the limit or split the file"


class RecordError(SourceError):
    """One record of a multi-record file is unusable; the file's other records still go in."""

    reason = "record skipped"

    def __init__(self, path: Path | str, record: str, detail: str) -> None:
        self.record = record
        super().__init__(path, f"{record}: {detail}")


class StoreError(MedciteError):
    """The store or an index is unusable."""


class EmptyIndex(StoreError):
    """Nothing has been ingested yet."""

    def __init__(self) -> None:
        super().__init__(
            "nothing is indexed yet: run `medcite ingest PATH` or `medcite demo` first"
        )


class NotFound(MedciteError):
    """An id that names nothing stored."""


class FetchError(MedciteError):
    """A fetcher could not get a record from its service (the message names the service
    and the request, never an API key)."""


class LLMError(MedciteError):
    """The LLM backend failed: timeout, connection, HTTP status, or unusable output.

    The message never contains the request or the model's text (they may hold patient data).
    """


class ReviewError(MedciteError):
    """Editorial review refused a request (the message says why and what to do)."""


class AuthenticationRequired(ReviewError):
    """No valid credentials: a missing or wrong token, password or session."""


class SignInThrottled(AuthenticationRequired):
    """Too many failed sign-ins for this account or from this address: wait, then retry."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = max(1, round(retry_after_s))
        super().__init__(
            f"too many failed sign-ins: try again in {self.retry_after_s} s "
            "(each further failure doubles the wait)"
        )


class ServerBusy(ReviewError):
    """Every password check slot is taken (they are bounded to cap memory); retry shortly."""


class PermissionDenied(ReviewError):
    """The signed-in user's role, or their part in the article, does not allow the action."""


class ReviewConflict(ReviewError):
    """The article is not in a state that allows the action."""


class IllegalTransition(ReviewConflict):
    """The workflow has no such step from the article's status."""


class ConcurrentUpdate(ReviewConflict):
    """Someone changed the article after it was read; reload it and try again."""
