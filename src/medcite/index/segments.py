"""The vector index on disk: immutable segments named by a small manifest.

    manifest.json      format, meta (embedder, model, variant, dimensions), generation,
                       next key, compactions, the segments' names, the tombstones' file
    seg-<generation>/  vectors.npy (float16 rows), keys.npy (uint64, ascending),
                       passages.npy and documents.npy (the rows' ids, fixed-width bytes),
                       lookup.npy (the passage ids sorted) and lookup-rows.npy (their rows)
    deleted-<generation>.npy   keys of the rows dropped since the last compaction (sorted)
    graph-<compactions>-<next key>.usearch   the HNSW graph of keys below that (vectors.py)

Every row has a key, given once and kept when segments are merged or compacted, so a graph
built on keys stays valid while segments change under it. A write adds files, then replaces
the manifest (temp file, fsync, rename), then removes what the manifest no longer names: a
kill -9 at any moment leaves the old manifest or the new one, each naming complete files.
Readers map the files (`np.load(mmap_mode="r")`): opening an index reads only its manifest.

float16 rather than float32 halves the files at no measured cost: over 20,000 MiniLM vectors
of BioASQ texts, the exact top 100 of 200 BioASQ questions overlaps the float32 one 0.9994
(int8 with a per-row scale: 0.9947, for half the bytes again), `bench/bench_vectors.py`.
A library written before segments (one `vectors.npz`) is read as one segment and moved into
this layout by its next write.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from medcite.datadir import private_dir

MANIFEST = "manifest.json"
LEGACY = "vectors.npz"
FORMAT = 2
STORED = np.float16
Keys = npt.NDArray[np.uint64]
Ids = npt.NDArray[np.bytes_]
_FILES = ("vectors", "keys", "passages", "documents", "lookup", "lookup-rows")


@dataclass(frozen=True, slots=True)
class Segment:
    """Rows with their keys (ascending), ids and vectors; `lookup` finds a passage's row."""

    name: str  # "" for a legacy file read whole, not written in this layout yet
    vectors: npt.NDArray[np.floating[Any]]
    keys: Keys
    passages: Ids
    documents: Ids
    lookup: Ids
    lookup_rows: npt.NDArray[np.uint32]

    def __len__(self) -> int:
        return len(self.keys)

    def rows_of(self, wanted: Ids) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """(positions in `wanted`, rows here) of the passage ids found in this segment."""
        if not len(self):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        pos = np.minimum(np.searchsorted(self.lookup, wanted), len(self) - 1)
        found = np.flatnonzero(self.lookup[pos] == wanted)
        return found, self.lookup_rows[pos[found]].astype(np.intp)

    def rows_from(self, key: int) -> int:
        """The first row whose key is `key` or more."""
        return int(np.searchsorted(self.keys, np.uint64(key)))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The index as one manifest describes it."""

    meta: dict[str, object]
    generation: int
    next_key: int
    compactions: int
    segments: tuple[Segment, ...]
    deleted: Keys  # sorted

    def rows(self) -> int:
        return sum(len(s) for s in self.segments)

    def size(self) -> int:
        return self.rows() - len(self.deleted)

    def dead_rows(self, segment: Segment) -> npt.NDArray[np.intp]:
        """The rows of `segment` whose keys are tombstoned."""
        if not len(self.deleted) or not len(segment):
            return np.zeros(0, dtype=np.intp)
        pos = np.minimum(np.searchsorted(segment.keys, self.deleted), len(segment) - 1)
        return np.unique(pos[segment.keys[pos] == self.deleted])

    def live(self, segment: Segment) -> npt.NDArray[np.bool_]:
        alive = np.ones(len(segment), dtype=bool)
        alive[self.dead_rows(segment)] = False
        return alive

    def emptied(self, meta: dict[str, object]) -> Snapshot:
        """No rows, for vectors of `meta` (a new compaction: no old graph applies)."""
        return Snapshot(meta, self.generation, self.next_key, self.compactions + 1, (), _no_keys())


def empty_snapshot(meta: dict[str, object]) -> Snapshot:
    return Snapshot(meta, 0, 0, 0, (), _no_keys())


def read_snapshot(path: Path) -> Snapshot | None:
    """The index at `path` (None: there is none). Raises OSError, ValueError or KeyError on
    a damaged one."""
    for _ in range(3):
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            legacy = path / LEGACY
            return _legacy_snapshot(legacy) if legacy.exists() else None
        try:
            return _snapshot(path, manifest)
        except FileNotFoundError:
            continue  # a writer replaced the manifest and removed its files meanwhile
    raise OSError(f"the vector index at {path} kept changing while it was read")


def _snapshot(path: Path, manifest: dict[str, Any]) -> Snapshot:
    if manifest["format"] != FORMAT:
        raise ValueError(f"vector index format {manifest['format']}, expected {FORMAT}")
    deleted = manifest["deleted"]
    return Snapshot(
        meta=dict(manifest["meta"]),
        generation=int(manifest["generation"]),
        next_key=int(manifest["next_key"]),
        compactions=int(manifest["compactions"]),
        segments=tuple(_open_segment(path / name) for name in manifest["segments"]),
        deleted=np.load(path / deleted) if deleted else _no_keys(),
    )


def _open_segment(folder: Path) -> Segment:
    arrays = [np.load(folder / f"{name}.npy", mmap_mode="r") for name in _FILES]
    return Segment(folder.name, *arrays)


def _legacy_snapshot(file: Path) -> Snapshot:
    """A `vectors.npz` of the layout before segments, read whole as one segment."""
    with np.load(file) as data:
        meta = json.loads(str(data["meta"]))
        vectors = data["matrix"].astype(STORED)
        passages, documents = ids_of(data["passage_ids"]), ids_of(data["doc_ids"])
    keys = np.arange(len(vectors), dtype=np.uint64)
    segment = _segment("", vectors, keys, passages, documents)
    return Snapshot(meta, 0, len(keys), 0, (segment,), _no_keys())


def _segment(name: str, vectors: Any, keys: Keys, passages: Ids, documents: Ids) -> Segment:
    order = np.argsort(passages, kind="stable")
    lookup_rows = order.astype(np.uint32)
    return Segment(name, vectors, keys, passages, documents, passages[order], lookup_rows)


def ids_of(values: Sequence[str] | npt.NDArray[Any]) -> Ids:
    ids: Ids = np.array([str(v).encode() for v in values], dtype=np.bytes_)
    return ids if len(ids) else np.zeros(0, dtype="S1")


def _no_keys() -> Keys:
    return np.zeros(0, dtype=np.uint64)


# -- writing -----------------------------------------------------------------------------


def append(
    path: Path,
    snap: Snapshot,
    drop_docs: Sequence[str],
    rows: Sequence[tuple[str, str]],
    vectors: npt.NDArray[np.float32],
) -> Snapshot:
    """Tombstone the rows of `drop_docs`, add `rows` as a new segment, merge the small
    segments at the end (log-many remain), and commit."""
    generation = snap.generation + 1
    segments = [_written(path, s, generation) for s in snap.segments]
    dead = _rows_of_documents(snap, ids_of(drop_docs)) if drop_docs else _no_keys()
    next_key = snap.next_key
    if rows:
        keys = np.arange(next_key, next_key + len(rows), dtype=np.uint64)
        passages, documents = ids_of([p for p, _ in rows]), ids_of([d for _, d in rows])
        new = _segment("", vectors.astype(STORED), keys, passages, documents)
        segments.append(_write_segment(path, f"seg-{generation:08d}", new))
        next_key += len(rows)
    while len(segments) > 1 and len(segments[-2]) < 2 * len(segments[-1]):
        merged = _merge(path, f"seg-{generation:08d}-{len(segments)}", segments[-2:])
        segments[-2:] = [merged]
    deleted = np.union1d(snap.deleted, dead).astype(np.uint64)
    return commit(
        path,
        replace(
            snap,
            generation=generation,
            next_key=next_key,
            segments=tuple(segments),
            deleted=deleted,
        ),
    )


def compact(path: Path, snap: Snapshot) -> Snapshot:
    """One segment of the live rows (keys kept), no tombstones; a graph is built again."""
    generation = snap.generation + 1
    merged = _merge(path, f"seg-{generation:08d}", list(snap.segments), snap)
    return commit(
        path,
        replace(
            snap,
            generation=generation,
            compactions=snap.compactions + 1,
            segments=(merged,) if len(merged) else (),
            deleted=_no_keys(),
        ),
    )


def _rows_of_documents(snap: Snapshot, documents: Ids) -> Keys:
    """The keys of the live rows of these documents."""
    found = [
        s.keys[np.isin(s.documents, documents) & snap.live(s)] for s in snap.segments if len(s)
    ]
    return np.concatenate(found).astype(np.uint64) if found else _no_keys()


def _written(path: Path, segment: Segment, generation: int) -> Segment:
    """The segment, written first if it was read from a legacy file."""
    if segment.name:
        return segment
    return _write_segment(path, f"seg-{generation:08d}-legacy", segment)


def _write_segment(path: Path, name: str, segment: Segment) -> Segment:
    staged = _staging(path, name)
    for file, array in zip(_FILES, _arrays(segment), strict=True):
        _save(staged / f"{file}.npy", np.asarray(array))
    return _publish(path, staged, name)


def _merge(
    path: Path, name: str, segments: Sequence[Segment], snap: Snapshot | None = None
) -> Segment:
    """The rows of `segments` in one (with `snap`, only its live rows)."""
    alive = [snap.live(s) if snap else np.ones(len(s), dtype=bool) for s in segments]
    staged = _staging(path, name)
    _stream_vectors(staged / "vectors.npy", segments, alive)
    pairs = list(zip(segments, alive, strict=True))
    keys = np.concatenate([s.keys[k] for s, k in pairs]).astype(np.uint64)
    passages = _joined([s.passages[k] for s, k in pairs])
    merged = _segment(name, None, keys, passages, _joined([s.documents[k] for s, k in pairs]))
    for file, array in zip(_FILES[1:], _arrays(merged)[1:], strict=True):
        _save(staged / f"{file}.npy", np.asarray(array))
    return _publish(path, staged, name)


def _stream_vectors(
    file: Path, segments: Sequence[Segment], alive: Sequence[npt.NDArray[np.bool_]]
) -> None:
    """The kept rows' vectors copied into a mapped file a piece at a time, so a writer
    merging large segments never holds them all."""
    total = int(sum(a.sum() for a in alive))
    out = np.lib.format.open_memmap(file, "w+", STORED, (total, segments[0].vectors.shape[1]))
    at = 0
    for segment, keep in zip(segments, alive, strict=True):
        for start in range(0, len(segment), 65_536):
            piece = segment.vectors[start : start + 65_536][keep[start : start + 65_536]]
            out[at : at + len(piece)] = piece
            at += len(piece)
    out.flush()
    del out
    _fsync(file)


def _joined(arrays: list[Ids]) -> Ids:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype="S1")


def _arrays(segment: Segment) -> tuple[Any, ...]:
    return (
        segment.vectors,
        segment.keys,
        segment.passages,
        segment.documents,
        segment.lookup,
        segment.lookup_rows,
    )


def _staging(path: Path, name: str) -> Path:
    private_dir(path)
    staged = path / f"{name}.tmp"
    shutil.rmtree(staged, ignore_errors=True)  # left by a killed writer
    return private_dir(staged)


def _publish(path: Path, staged: Path, name: str) -> Segment:
    final = path / name
    shutil.rmtree(final, ignore_errors=True)  # unnamed by the manifest: a killed writer's
    _fsync(staged)
    staged.rename(final)
    _fsync(path)
    return _open_segment(final)


def commit(path: Path, snap: Snapshot) -> Snapshot:
    """Write the manifest of `snap` (its files are written), then drop what it does not name."""
    private_dir(path)
    deleted = ""
    if len(snap.deleted):
        deleted = f"deleted-{snap.generation:08d}.npy"
        _save(path / deleted, snap.deleted)
    names = [s.name for s in snap.segments]
    manifest = {
        "format": FORMAT,
        "meta": snap.meta,
        "generation": snap.generation,
        "next_key": snap.next_key,
        "compactions": snap.compactions,
        "segments": names,
        "deleted": deleted,
    }
    tmp = path / f"{MANIFEST}.tmp"
    with tmp.open("w", encoding="utf-8") as out:
        json.dump(manifest, out)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path / MANIFEST)
    _fsync(path)
    _remove_unnamed(path, {MANIFEST, deleted, *names}, snap.compactions)
    return snap


def _remove_unnamed(path: Path, named: set[str], compactions: int) -> None:
    """Files of older manifests, a killed writer's leftovers, a migrated legacy file and the
    graphs of earlier compactions (a reader that mapped one keeps it until it closes)."""
    current_graph = f"graph-{compactions}-"
    for entry in path.iterdir():
        if entry.name in named or entry.name.startswith(current_graph):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _save(file: Path, array: npt.NDArray[Any]) -> None:
    with file.open("wb") as out:
        np.save(out, array)
        out.flush()
        os.fsync(out.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def live_chunks(snap: Snapshot, from_key: int, size: int = 65_536) -> Iterator[tuple[Keys, Any]]:
    """(keys, float32 vectors) of the live rows whose keys are `from_key` or more."""
    for segment in snap.segments:
        alive = snap.live(segment)
        for start in range(segment.rows_from(from_key), len(segment), size):
            keep = alive[start : start + size]
            keys = segment.keys[start : start + size][keep]
            if len(keys):
                yield keys, segment.vectors[start : start + size][keep].astype(np.float32)
