"""Which files an ingest reads, and reading them: folders walked without recursion, only
regular files opened, the size limit enforced on the bytes actually read.

A file's reported size cannot be trusted (a device reports 0, a file may grow while read),
so bytes are read in chunks and reading stops one chunk past the limit. A named pipe, a
device or a socket is refused before anything is read from it: it would block forever or
never end.
"""

from __future__ import annotations

import gzip
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from medcite.errors import (
    FileTooLarge,
    MalformedSource,
    NotRegularFile,
    SourceError,
    UnsupportedFormat,
)
from medcite.text import legible

log = logging.getLogger(__name__)

_NOT_CONTENT = ("license", "copying", "readme", "notice", "changelog")
_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def expand_paths(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """Files to ingest, each with whether it was named explicitly (not found in a folder).

    Folders are walked without recursion (their depth is the user's to choose) and without
    following links to folders (no cycles); hidden files and folders are left out. What is
    neither a file nor a folder (a named pipe, a socket) is listed, to be refused by name.
    """
    for path in paths:
        if path.is_dir():
            yield from ((child, False) for child in walk_files(path))
        else:
            yield path, True


def walk_files(root: Path) -> Iterator[Path]:
    """Everything under `root` but folders, in sorted order, depth first, with an explicit
    stack of folder listings instead of recursion."""
    stack = [_listing(root)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif entry.is_dir(follow_symlinks=False):
            stack.append(_listing(Path(entry.path)))
        else:
            yield Path(entry.path)


def _listing(folder: Path) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError as exc:
        log.warning("%s: folder skipped (%s)", folder, exc.strerror or exc)
        return iter(())
    return iter([e for e in entries if not e.name.startswith(".")])


def check_source(path: Path) -> None:
    """Refuse, by name, what is not a readable regular file of content, before reading it."""
    if path.name.lower().startswith(_NOT_CONTENT):
        raise UnsupportedFormat(path, "licence/readme files are not evidence")
    if legible(str(path)) != str(path):  # bytes that are not UTF-8 in its name
        raise SourceError(legible(str(path)), "its name is not valid UTF-8: rename the file")
    try:
        _check_regular(path, path.stat().st_mode)  # a socket cannot even be opened
    except FileNotFoundError:
        raise SourceError(path, "no such file or folder") from None
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of a checked regular file, decompressed when it is gzip (what picks
    the reader of a `.xml.gz`)."""
    fd, _ = _open_regular(path)
    try:
        head = os.read(fd, size)
    finally:
        os.close(fd)
    if path.suffix.lower() != ".gz" or not head.startswith(b"\x1f\x8b"):
        return head
    try:
        with gzip.open(path, "rb") as unzipped:
            return unzipped.read(size)
    except (OSError, EOFError) as exc:
        raise MalformedSource(path, f"cannot decompress: {exc}") from exc


def read_source_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (SourceError subclasses otherwise)."""
    check_source(path)
    fd, found = _open_regular(path)
    try:
        if found.st_size > max_bytes:  # refused at once; the read below enforces it anyway
            raise FileTooLarge(path, _megabytes(found.st_size, max_bytes))
        return _read_limited(path, fd, max_bytes)
    finally:
        os.close(fd)


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A file descriptor of `path` and what it opened, never blocking (a FIFO swapped in
    after the check is refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SourceError(path, "no such file or folder") from None
    except OSError as exc:
        raise SourceError(path, exc.strerror or str(exc)) from None
    try:
        found = os.fstat(fd)  # what was opened, should the path have changed
        _check_regular(path, found.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, found


def _check_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise NotRegularFile(path, what)


def _read_limited(path: Path, fd: int, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := os.read(fd, _CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise FileTooLarge(path, _megabytes(total, max_bytes, more=True))
        chunks.append(chunk)
    return b"".join(chunks)


def _megabytes(size: int, limit: int, *, more: bool = False) -> str:
    mib = 1024 * 1024
    return f"{'over ' if more else ''}{size / mib:.0f} MB > {limit / mib:g} MB"
