"""The rows a long import will load, held in memory up to a bound, then kept on disk a chunk at a time until the
load reads them back.

A file validated in chunks (:mod:`core.ingest.chunked_prepare`) would otherwise hold every chunk's typed columns
until the load: memory would grow with the file. Up to :data:`IN_MEMORY_ROWS` source rows stay in memory (a file
of a million rows is not written out and read back); past that, each chunk's
:class:`~core.ingest.store_rows.StoreRows` is written to a private temporary folder (pickle protocol 5:
Arrow-backed text, float64 and datetime64 columns as their buffers, read back exactly), and :class:`SpilledRows`
offers what the load asks of :class:`StoreRows` (``counts``, ``batches``, ``tables``) by reading one chunk back
at a time. The folder goes when the plan is dropped (or the process ends). The files are our own, written and
read by this process only.
"""

from __future__ import annotations

import os
import pickle
import tempfile

import pandas as pd

from core.ingest.store_rows import StoreRows

#: source rows of a file's chunks kept in memory; past them every chunk goes to disk (a file of up to a million
#: rows is never written out and read back; a longer one holds one chunk at a time)
IN_MEMORY_ROWS = 1_000_000


class SpilledRows:
    """The chunks' rows to load, in source-row order: held in memory up to :data:`IN_MEMORY_ROWS` source rows,
    then every chunk in its own file."""

    def __init__(self, kind: str):
        self.kind = kind
        self._folder: tempfile.TemporaryDirectory | None = None
        self._parts: list[StoreRows | str] = []  # a chunk's rows in memory, or the path of its file
        self._held = 0
        self._counts: dict[str, int] = {}

    def add(self, rows: StoreRows) -> None:
        """Keep one chunk's rows (in memory, or on disk once the held rows pass :data:`IN_MEMORY_ROWS`) and count
        them."""
        for name, n in rows.counts().items():
            self._counts[name] = self._counts.get(name, 0) + n
        self._held += len(rows.valid)
        if self._folder is not None:  # past the bound: every chunk to disk
            self._parts.append(self._write(rows))
            return
        self._parts.append(rows)
        if self._held > IN_MEMORY_ROWS:
            self._parts = [self._write(p) for p in self._parts]

    def _write(self, rows: StoreRows) -> str:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="retention-import-")
        path = os.path.join(self._folder.name, f"chunk-{len(os.listdir(self._folder.name)):06d}.pickle")
        with open(path, "wb") as f:
            pickle.dump(rows, f, protocol=5)
        return path

    @property
    def on_disk(self) -> int:
        """How many chunks are in files."""
        return sum(isinstance(p, str) for p in self._parts)

    def _chunks(self):
        for part in self._parts:
            if isinstance(part, StoreRows):
                yield part
                continue
            with open(part, "rb") as f:
                yield pickle.load(f)  # noqa: S301 (our own file, written above by this process)

    def counts(self) -> dict[str, int]:
        """Store table -> rows it will receive (summed over the chunks)."""
        return dict(self._counts)

    def batches(self, size: int):
        """``(table, frame)`` pairs ``size`` source rows at a time, chunk after chunk."""
        for rows in self._chunks():
            yield from rows.batches(size)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Store table -> every valid row (all chunks at once: for tests and small files)."""
        parts: dict[str, list[pd.DataFrame]] = {}
        for rows in self._chunks():
            for name, frame in rows.tables().items():
                parts.setdefault(name, []).append(frame)
        return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
