"""The data directory is private: questions, answers and password hashes live in it.

Folders are 0700 and files 0600. The entry points (the CLI, the web app) set the process's
umask to 077, so whatever they create (the lexical index's segments, vectors, caches) is
private from the start; the stores also create their database files 0600 themselves and
tighten what an older version left readable. `medcite check` lists anything still readable
by others, and `--repair` tightens it.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_umask() -> None:
    """New files and folders of this process: owner only."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """Create the folder (0700), or tighten it when it is ours and others may read it."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create an empty file (0600) if absent, else tighten it; its folder must exist."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        _tighten(path, PRIVATE_FILE)
    return path


def tighten_files(*paths: Path) -> None:
    """Tighten the files that exist among `paths` (a database's -wal and -shm files)."""
    for path in paths:
        if path.exists():
            _tighten(path, PRIVATE_FILE)


def readable_by_others(root: Path) -> list[Path]:
    """Everything under `root` (itself included) that group or others may use."""
    return [p for p, mode in _walk(root) if mode & _OTHERS]


def tighten_tree(root: Path) -> int:
    """Make every folder under `root` 0700 and every file 0600; returns how many changed."""
    changed = 0
    for path, mode in _walk(root):
        wanted = PRIVATE_DIR if stat.S_ISDIR(mode) else PRIVATE_FILE
        if mode & _OTHERS:
            path.chmod(stat.S_IMODE(mode) & wanted)
            changed += 1
    return changed


def _walk(root: Path) -> Iterator[tuple[Path, int]]:
    """(path, mode) of `root` and everything under it, links not followed, no recursion."""
    stack = [root]
    while stack:
        path = stack.pop()
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            continue
        yield path, mode
        if stat.S_ISDIR(mode):
            try:
                stack.extend(Path(e.path) for e in os.scandir(path))
            except OSError as exc:
                log.warning("%s: not listed (%s)", path, exc.strerror or exc)


def _tighten(path: Path, wanted: int) -> None:
    try:
        found = path.stat()
        if found.st_uid == os.getuid() and found.st_mode & _OTHERS:
            path.chmod(stat.S_IMODE(found.st_mode) & wanted)
    except OSError as exc:  # a read-only or foreign file system: say so, carry on
        log.warning("cannot make %s private: %s", path, exc.strerror or exc)
