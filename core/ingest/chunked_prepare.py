"""Validate a file a chunk at a time: what the first chunk decides, what each chunk adds, what the end reports.

:func:`core.ingest.importer.prepare_import` reads every file as chunks (:mod:`core.ingest.chunks`): one for a file
read whole, :data:`core.ingest.chunks.CHUNK_ROWS` rows each for a long CSV on disk. The steps per chunk are the
same either way (type, mark returns, rules, plausibility, extras, rows to load), so a long file imports as it
would read whole, in memory that does not grow with the file:

* **The first chunk decides** for the file: the mapping, a derived amount column, each date column's format (as
  the detector samples the first 2,000 distinct dates, read whole or not; a column blank in the first chunk takes
  the format of the first chunk that has dates), the type of each extra column (from its first 5,000 filled
  cells). Whether the file's source was kept in its own id space before is asked of the store, not of the
  chunk's ids (:func:`core.ingest.id_spaces.kept_separate`).
* **Each chunk carries on** from the ones before (:class:`FileState`): repeated customer ids, ticket ids and
  (customer, month) MRR keys are found across chunks (:mod:`core.ingest.repeats`), the day/month evidence and the
  returns add up, and its rows to load go to disk (:class:`~core.ingest.spilled_rows.SpilledRows`) when there
  is more than one chunk.
* **The end** reports what is about the whole file (:mod:`core.ingest.file_findings`), matches the file's
  distinct customer ids against the store's sources once, and joins the customers to create (a customer named in
  several chunks signs up on its first purchase over all of them).

What a chunk holds is bounded by the chunk; what the file state holds grows with the file's distinct keys (16
bytes a key), its distinct customer ids, and its problems (the report and the rejected rows), not with its rows.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from core.ingest import fields as F
from core.ingest import file_findings, id_spaces, line_items, plausibility
from core.ingest.field_types import type_fields
from core.ingest.issues import REPORT_COLUMNS, Issues
from core.ingest.mapping import extra_columns
from core.ingest.reader import RawTable
from core.ingest.repeats import KeyMemory
from core.ingest.spilled_rows import SpilledRows
from core.ingest.store_rows import StoreRows, build_tables, typed_extras
from core.ingest.validation import check_rows
from core.store.dates import datetimes

#: rows of the first chunk a plan keeps for its preview once the file has more than one chunk
PREVIEW_ROWS = 1000


@dataclass
class Settings:
    """What the import's options and the first chunk decide for every chunk."""

    kind: str
    used: dict  # field -> column, before a derived amount (each chunk adds its own: :func:`derived_map`)
    constants: dict
    ignore: tuple
    as_of: pd.Timestamp | None
    date_format: str | None
    create: bool
    mode: str
    known: pd.Index
    source: str
    creates: bool
    choice: str | None
    formats: dict | None = None  # date field -> the first chunk's format
    decided: dict = field(default_factory=dict)  # extra column -> number or text
    prefix: bool = False  # the file's customers go into its own id space


@dataclass
class FileState:
    """What the chunks so far have given: problems, rows to load, customers to create, keys and evidence."""

    memories: dict = field(default_factory=lambda: {"customer_id": KeyMemory(), "ticket_id": KeyMemory(),
                                                    "mrr": KeyMemory()})
    evidence: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    new: list = field(default_factory=list)
    ids: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    returns: tuple = (0, 0.0)
    n_read: int = 0
    spilled: SpilledRows | None = None


@dataclass
class Chunked:
    """The end of :func:`validate_chunks`: what the plan needs."""

    report: pd.DataFrame
    rejected: pd.DataFrame
    rows: StoreRows | SpilledRows
    new_customers: pd.DataFrame
    distinct_ids: pd.Series | None
    date_formats: dict
    returns: tuple
    n_read: int
    head: RawTable


def validate_chunk(engine, raw: RawTable, s: Settings, state: FileState, used: dict | None = None) -> dict:
    """Type and check one chunk into ``state`` (``used``: its mapping when already derived, as the first chunk's
    is); returns the chunk's date formats (the first chunk's are the file's)."""
    used = used if used is not None else derived_map(raw, s)
    issues = Issues(raw)
    typed, formats = type_fields(s.kind, used, s.constants, issues, s.date_format, s.formats)
    line_items.mark_returns(s.kind, typed)
    if typed.get("customer_id") is not None:
        state.ids.append(_distinct(typed["customer_id"]))
    if s.prefix:  # the file's customers in its own id space, before any rule
        typed["customer_id"] = id_spaces.prefixed(typed["customer_id"], s.source)
    check_rows(s.kind, typed, used, issues, s.known, s.create, s.mode, s.as_of, state.memories)
    ctx = plausibility.Context(s.kind, raw, typed, used, s.constants, s.mode, formats, s.date_format, s.ignore,
                               mrr_memory=state.memories["mrr"])
    plausibility.check(engine, issues, ctx)
    state.evidence = file_findings.merge(state.evidence, file_findings.day_month_evidence(ctx))
    extras = typed_extras(raw.frame, extra_columns(raw, s.kind, used, s.ignore), issues, s.decided)
    valid = ~issues.error_rows
    rows, new = build_tables(s.kind, typed, extras, valid, s.known, s.create)
    n, total = line_items.returns_of(s.kind, typed, valid)
    state.returns = (state.returns[0] + n, state.returns[1] + total)
    state.reports.append(issues.frame())
    rejected = issues.rejected()
    if len(rejected) or not state.rejected:  # an empty slice would keep the chunk's whole Arrow buffers alive
        state.rejected.append(rejected if len(rejected) else rejected.astype(object))
    state.new.append(new)
    state.n_read += len(raw.frame)
    _keep_rows(state, rows)
    if s.formats is not None:  # a date column blank so far takes the format of the first chunk that has dates
        s.formats.update({f: fmt for f, fmt in formats.items() if s.formats.get(f) is None and fmt})
    return formats


def _distinct(ids: pd.Series) -> np.ndarray:
    """The distinct ids present, as Python text (in pyarrow for Arrow-backed text)."""
    if getattr(ids.dtype, "storage", None) == "pyarrow":
        return pc.unique(ids.array.__arrow_array__().drop_null()).to_numpy(zero_copy_only=False).astype(object)
    return pd.unique(ids.dropna().to_numpy(dtype=object))


def typed_head_ids(raw: RawTable, used: dict, kind: str) -> pd.Series | None:
    """The first chunk's customer ids as typed (trimmed), to decide its id space before any chunk is checked."""
    col = used.get("customer_id")
    if col is None:
        return None
    typed, _ = type_fields(kind, {"customer_id": col}, {}, Issues(raw), None)
    return typed["customer_id"]


def derived_map(raw: RawTable, s: Settings) -> dict:
    """The mapping with this chunk's own derived amount column added to it (a line-item log with no line total:
    :func:`core.ingest.line_items.derive_amount`); the mapping as it is otherwise."""
    used = copy.copy(s.used)
    line_items.derive_amount(raw, s.kind, used)
    return used


def _keep_rows(state: FileState, rows: StoreRows) -> None:
    """The first chunk's rows stay in memory; from the second on, every chunk's rows go to disk."""
    if state.spilled is None and not state.rows:
        state.rows.append(rows)
        return
    if state.spilled is None:
        state.spilled = SpilledRows(rows.kind)
        state.spilled.add(state.rows.pop())
    state.spilled.add(rows)


def finish(state: FileState, s: Settings, head: RawTable, formats: dict) -> Chunked:
    """The file's report, rejected rows, rows to load and customers to create, once every chunk is checked."""
    ends = [file_findings.ambiguity_rows(state.evidence),
            file_findings.no_date_column_row(s.kind, _typed_fields(s), state.n_read,
                                             file_findings.first_row_number(head.rows))]
    parts = [r for r in state.reports + ends if len(r)]
    report = (pd.concat(parts, ignore_index=True).sort_values(["row", "severity"], kind="stable")
              .reset_index(drop=True)[REPORT_COLUMNS] if parts else pd.DataFrame(columns=REPORT_COLUMNS))
    rejected = [r for r in state.rejected if len(r)] or state.rejected[:1]
    rejected = rejected[0] if len(rejected) == 1 else pd.concat(rejected, ignore_index=True)
    rows = state.spilled if state.spilled is not None else state.rows[0]
    ids = None if not state.ids else pd.Series(pd.unique(np.concatenate(state.ids)), dtype=object)
    return Chunked(report=report, rejected=rejected, rows=rows, new_customers=_new_customers(state.new, s.kind),
                   distinct_ids=ids, date_formats=formats, returns=state.returns, n_read=state.n_read, head=head)


def preview_only(raw: RawTable) -> RawTable:
    """The first chunk cut to the preview's rows, copied as Python text (an Arrow slice would keep the whole
    chunk's buffers alive): what a plan keeps of a file read in several chunks."""
    if len(raw.frame) <= PREVIEW_ROWS:
        return raw
    return dataclasses.replace(raw, frame=raw.frame.head(PREVIEW_ROWS).astype(object),
                               rows=np.array(raw.rows[:PREVIEW_ROWS]))


def _typed_fields(s: Settings) -> set:
    """The fields the file gives (mapped or constant): what :func:`file_findings.no_date_column_row` asks."""
    return set(s.used) | set(s.constants)


def _new_customers(parts: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    """The customers to create over every chunk: a dated kind's signup is the earliest over the chunks."""
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    if frame.empty:
        return parts[0]
    if kind in ("transactions", "activity", "revenue"):
        days = datetimes(frame["signup_date"])  # None (a customer with returns only) -> NaT
        first = days.groupby(frame["customer_id"].to_numpy(dtype=object), sort=True).min()
        return pd.DataFrame({"customer_id": first.index.astype(object), "signup_date": F.iso_dates(first)})
    return frame.drop_duplicates("customer_id", keep="first").reset_index(drop=True)
