"""The rows a long import will load, kept on disk a chunk at a time until the load reads them back.

A file validated in chunks (:mod:`core.ingest.chunked_prepare`) would otherwise hold every chunk's typed columns
until the load: memory would grow with the file. Each chunk's :class:`~core.ingest.store_rows.StoreRows` is
written to a private temporary folder instead (pickle protocol 5: Arrow-backed text, float64 and datetime64
columns as their buffers, read back exactly), and :class:`SpilledRows` offers what the load asks of
:class:`StoreRows` (``counts``, ``batches``, ``tables``) by reading one chunk back at a time. The folder goes when
the plan is dropped (or the process ends). The files are our own, written and read by this process only.
"""

from __future__ import annotations

import os
import pickle
import tempfile

import pandas as pd

from core.ingest.store_rows import StoreRows


class SpilledRows:
    """The chunks' rows to load, each in its own file, in source-row order."""

    def __init__(self, kind: str):
        self.kind = kind
        self._folder = tempfile.TemporaryDirectory(prefix="retention-import-")
        self._paths: list[str] = []
        self._counts: dict[str, int] = {}

    def add(self, rows: StoreRows) -> None:
        """Write one chunk's rows to disk and count them."""
        path = os.path.join(self._folder.name, f"chunk-{len(self._paths):06d}.pickle")
        with open(path, "wb") as f:
            pickle.dump(rows, f, protocol=5)
        self._paths.append(path)
        for name, n in rows.counts().items():
            self._counts[name] = self._counts.get(name, 0) + n

    def _chunks(self):
        for path in self._paths:
            with open(path, "rb") as f:
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
