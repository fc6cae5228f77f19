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
import time
from collections.abc import Callable
from pathlib import Path

from medcite.errors import StoreError

OnWait = Callable[[str], None]
_POLL_S = 0.2


class WriterLock:
    """The data directory's writer lock, re-entrant within this process."""

    def __init__(self, home: Path) -> None:
        self.path = home / "writer.lock"
        self._fd: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._depth > 0

    def try_acquire(self) -> bool:
        """Take the lock if it is free (or already ours); never waits."""
        if self._depth:
            self._depth += 1
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd, self._depth = fd, 1
        _write_holder(fd)
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
        if not self._depth:
            return
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it ("process 123 (medcite ingest)")."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            text = ""
        return text[:200] or "another medcite process"


def _write_holder(fd: int) -> None:
    """Who holds the lock: the process id and its command words (never other arguments,
    which may be a question)."""
    words = [Path(sys.argv[0]).name if sys.argv else "python"]
    words += [a for a in sys.argv[1:4] if a.isidentifier()]
    command = " ".join(words)
    os.ftruncate(fd, 0)
    os.write(fd, f"process {os.getpid()} ({command or 'python'})".encode())
