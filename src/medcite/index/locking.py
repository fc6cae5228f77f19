"""One writer at a time per data directory; readers never wait for it.

Everything that writes the derived indexes (ingest, embed, `check --repair`, restore) holds
the writer lock: an advisory `flock` on `<home>/writer.lock`, released by the kernel when the
process ends, however it ends (kill -9 included). A second writer waits for it, saying who
holds it, and gives up cleanly after `ingest.lock_wait_s`, before writing anything. A reader
(asking, the web app) never waits: it brings the lexical index up to date only when the lock
is free, and otherwise searches the index as it is while the writer finishes.
"""

from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from medcite.errors import StoreError

OnWait = Callable[[str], None]
_POLL_S = 0.2


class _Held:
    """The lock as this process holds it: the locked file and how many times it was taken."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.depth = 1


# A flock belongs to an open file, so two opens in one process would exclude each other:
# every WriterLock of one data directory in this process shares one open file.
_HELD: dict[Path, _Held] = {}
_GUARD = threading.Lock()


class WriterLock:
    """The data directory's writer lock, re-entrant within this process."""

    def __init__(self, home: Path) -> None:
        self.path = home / "writer.lock"
        self._key = home.resolve() / "writer.lock"
        self._depth = 0  # times this object took it

    @property
    def held(self) -> bool:
        return self._depth > 0

    def try_acquire(self) -> bool:
        """Take the lock if it is free (or already this process's); never waits."""
        with _GUARD:
            held = _HELD.get(self._key)
            if held is not None:
                held.depth += 1
            else:
                fd = _locked_file(self.path)
                if fd is None:
                    return False
                _HELD[self._key] = _Held(fd)
            self._depth += 1
            return True

    def acquire(self, wait_s: float, on_wait: OnWait | None = None) -> None:
        """Take the lock, waiting up to `wait_s` seconds (saying so once) for another writer."""
        deadline = time.monotonic() + wait_s
        told = False
        while not self.try_acquire():
            if not told and on_wait is not None:
                on_wait(f"{self.holder()} is writing to {self.path.parent}; waiting for it")
                told = True
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"{self.holder()} is still writing to {self.path.parent} after "
                    f"{wait_s:g} s; nothing was written: try again when it has finished "
                    "(or raise ingest.lock_wait_s)"
                )
            time.sleep(_POLL_S)

    def release(self) -> None:
        with _GUARD:
            held = _HELD.get(self._key)
            if not self._depth or held is None:
                return
            self._depth -= 1
            held.depth -= 1
            if held.depth == 0:
                del _HELD[self._key]
                fcntl.flock(held.fd, fcntl.LOCK_UN)
                os.close(held.fd)

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it ("process 123 (medcite ingest)")."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            text = ""
        return text[:200] or "another medcite process"


def _locked_file(path: Path) -> int | None:
    """The lock file, open and locked by this process, or None when another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    _write_holder(fd)
    return fd


def _write_holder(fd: int) -> None:
    """Who holds the lock: the process id and its command words (never other arguments,
    which may be a question)."""
    words = [Path(sys.argv[0]).name if sys.argv else "python"]
    words += [a for a in sys.argv[1:4] if a.isidentifier()]
    command = " ".join(words)
    os.ftruncate(fd, 0)
    os.write(fd, f"process {os.getpid()} ({command or 'python'})".encode())
