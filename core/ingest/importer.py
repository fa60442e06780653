"""Import a spreadsheet into the store: read, map, type, validate, then load in one transaction.

Two steps, so the UI can show a preview and the report before anything is written::

    plan = prepare_import(engine, data, "telco.csv", "customers", as_of="2024-01-31")
    plan.report            # every problem: row, column, value, problem, fix, severity
    result = commit_import(engine, plan, strict=False)

Nothing touches the store until :func:`commit_import`, and that runs as one database
transaction: a failure midway, or a killed process, leaves the store as it was.

The steps live in their own modules: :mod:`~core.ingest.mapping` (columns to fields),
:mod:`~core.ingest.field_types` (typing), :mod:`~core.ingest.validation` (row rules),
:mod:`~core.ingest.issues` (the report), :mod:`~core.ingest.store_rows` (the rows to load),
:mod:`~core.ingest.plan` (:class:`ImportPlan`, :class:`ImportResult`) and :mod:`~core.ingest.bulk` (the load).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from core.access import guard, rights
from core.errors import DataValidationError, DuplicateImportError, FileFormatError
from core.ingest import bulk, chunks, id_spaces, line_items
from core.ingest import fields as F
from core.ingest.bulk import (
    Progress,
    _driver_executemany,  # noqa: F401 (re-exported for an older test)
    big_load,
    bulk_insert,
)
from core.ingest.chunked_prepare import FileState, Settings, finish, preview_only, typed_head_ids, validate_chunk
from core.ingest.date_formats import check_date_format
from core.ingest.mapping import apply_overrides, check_fields, sheet_hint
from core.ingest.plan import ImportPlan, ImportResult
from core.ingest.wording import how
from core.store import columnar, faults, table_files, version
from core.store.engine import begin_write
from core.store.tables import TABLES, Customer, ImportLog

#: kind -> store tables it loads into
KIND_TABLES = {
    "customers": ("customer",),
    "revenue": ("revenue",),
    "activity": ("activity",),
    "transactions": ("activity", "revenue"),
    "tickets": ("ticket",),
    "feedback": ("feedback",),
    "interventions": ("intervention",),
    "incidents": ("incident",),
}
MODES = ("append", "replace")
#: the bulk load as :func:`commit_import` calls it (tests/core/store replace it here to fail midway)
_bulk_insert = bulk_insert


def prepare_import(engine: Engine, data: bytes | os.PathLike, file_name: str, kind: str, *,
                   sheet: str | int | None = None, mapping: dict[str, str | None] | None = None,
                   constants: dict[str, str] | None = None, ignore: tuple[str, ...] = (),
                   as_of: str | dt.date | None = None, date_format: str | None = None,
                   create_customers: bool | None = None, mode: str = "append",
                   header: bool | None = None, id_space: str | None = None,
                   source: str | None = None) -> ImportPlan:
    """Read, map, type and validate a file for ``kind`` without writing anything.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store, read to check customer keys and earlier imports.
    data : bytes or path-like
        The file's content (CSV/TXT in any common delimiter and encoding, or XLSX), or the file on disk (a long
        UTF-8 CSV is then parsed from the disk, never held whole: :mod:`core.ingest.csv_file`).
    file_name : str
        Shown in messages and the import log.
    kind : {'customers', 'revenue', 'activity', 'transactions', 'tickets', 'feedback', 'interventions'}
        What the file holds. ``transactions`` (a purchase log such as CDNOW) fills both
        activity and revenue and creates the customers it names.
    sheet : str or int, optional
        Workbook sheet (name or 0-based number); default the first.
    mapping : dict, optional
        field -> column overrides of the automatic mapping; a ``None`` value un-maps a field.
    constants : dict, optional
        field -> value for the whole file (e.g. ``{"channel": "review"}``).
    ignore : tuple of str
        Columns to leave out entirely (not even kept as attributes), e.g. e-mail addresses.
    as_of : str or date, optional
        Snapshot date for a customer file with a tenure column and/or a churn flag: signup
        date = as-of minus tenure months, churn date = as-of for churned rows.
    date_format : str, optional
        strftime format forced on every date column (default: detected per column).
    create_customers : bool, optional
        Create customers that child rows name but the store lacks (default: only for
        ``transactions``); otherwise such rows are errors.
    mode : {'append', 'replace'}
        ``replace`` empties the tables this kind loads into before loading.
    header : bool, optional
        Whether delimited text has a header line (detected when not given).
    id_space : {'attach', 'separate'}, optional
        When the file creates customers and its ids match customers another source created
        (:mod:`core.ingest.id_spaces`): ``attach`` joins its rows to them, ``separate`` prefixes its ids with
        the source (``retail:12346``). None: no choice; :func:`commit_import` refuses such a file.
    source : str, optional
        The file's source (default: its file name's stem), which names the id prefix.

    Returns
    -------
    ImportPlan

    Raises
    ------
    FileFormatError
        The file is empty, not a spreadsheet, or the sheet does not exist.
    DataValidationError
        A required field has no column, an option is invalid, or a mapping names a missing column.
    """
    _check_options(kind, mode)
    check_date_format(date_format)  # before the file is read: an unusable format is refused in one line
    opts = dict(sheet=sheet, mapping=mapping, constants=dict(constants or {}), ignore=tuple(ignore),
                as_of=_parse_as_of(as_of), date_format=date_format, create_customers=create_customers, mode=mode,
                header=header, id_space=id_space, source=source)
    try:
        return _prepare(engine, data, file_name, kind, **opts)
    except chunks.Ragged:  # rows ragged midway through a long file: the bytes reader names the line
        return _prepare(engine, Path(data).read_bytes(), file_name, kind, **opts)


def _prepare(engine: Engine, data, file_name: str, kind: str, *, sheet, mapping, constants, ignore, as_of,
             date_format, create_customers, mode, header, id_space, source) -> ImportPlan:
    """:func:`prepare_import` once the options are checked: the first chunk decides, every chunk is checked."""
    pieces, sha = chunks.read_chunks(data, file_name, sheet=sheet, header=header)  # a long CSV: never held whole
    raw = next(pieces)
    if raw.frame.empty:
        raise FileFormatError(f"'{file_name}' has a header but no data rows.{sheet_hint(raw)}")
    used = apply_overrides(raw, kind, mapping, constants, ignore)
    base = copy.copy(used)
    derived = line_items.derive_amount(raw, kind, used)  # a line-item log: amount = quantity x unit price
    check_fields(raw, kind, used, constants, as_of)
    create = (kind == "transactions") if create_customers is None else bool(create_customers)
    creates = create if kind != "customers" else mode == "append"
    s = Settings(kind=kind, used=base, constants=constants, ignore=ignore, as_of=as_of, date_format=date_format,
                 create=create, mode=mode, known=pd.Index([], dtype=object),
                 source=id_spaces.source_name(file_name, source), creates=creates, choice=id_space)
    head_ids = typed_head_ids(raw, used, kind) if creates else None
    with faults.translated(faults.store_of(engine)), engine.connect() as conn:
        s.known = pd.Index(conn.execute(select(Customer.customer_id)).scalars().all(), dtype=object)
        dup = _earlier_import(conn, sha, kind)
        ids = id_spaces.check(conn, head_ids, s.source, applies=creates, choice=id_space)
    s.prefix = ids.applies and ids.choice == "separate"
    state = FileState()
    s.formats = dict(validate_chunk(engine, raw, s, state, used))
    for piece in pieces:
        raw = preview_only(raw)  # a file of several chunks: the plan keeps the first rows only
        validate_chunk(engine, piece, s, state)
        del piece  # not held while the reader parses the next chunk
    done = finish(state, s, raw, s.formats)
    if state.spilled is not None and creates:  # the id spaces of every distinct id, the first chunk's choice kept
        with faults.translated(faults.store_of(engine)), engine.connect() as conn:
            every = id_spaces.check(conn, done.distinct_ids, s.source, applies=creates, choice=id_space)
        ids = dataclasses.replace(every, choice=ids.choice, remembered=ids.remembered)
    if not creates:  # the source and its count of distinct ids only
        ids = dataclasses.replace(ids, n_ids=0 if done.distinct_ids is None else len(done.distinct_ids))
    options = {"sheet": raw.details.get("sheet"), "as_of": as_of.date().isoformat() if as_of is not None
               else None, "date_format": date_format, "create_customers": create, "mode": mode,
               "ignore": list(ignore), "detected": {k: v for k, v in raw.details.items() if k != "original_headers"},
               "source": ids.source, "id_space": ids.choice}
    return ImportPlan(kind=kind, file_name=file_name, sha256=sha, raw=done.head, mapping=used, constants=constants,
                      options=options, date_formats=done.date_formats, report=done.report, rejected=done.rejected,
                      rows=done.rows, new_customers=done.new_customers, duplicate_of=dup, id_spaces=ids,
                      notes=line_items.notes(kind, {}, np.array([], dtype=bool), derived, done.returns),
                      n_read=done.n_read)


def _check_options(kind: str, mode: str) -> None:
    if kind not in F.KINDS:
        raise DataValidationError(f"Unknown kind '{kind}'. Choose one of: {', '.join(F.KINDS)}.")
    if mode not in MODES:
        raise DataValidationError(f"Unknown mode '{mode}'. Choose append or replace.")


def _parse_as_of(as_of) -> pd.Timestamp | None:
    if as_of in (None, ""):
        return None
    try:
        return pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError) as exc:
        raise DataValidationError(f"{how('as_of_name')} '{as_of}' is not a date; write it as YYYY-MM-DD.") from exc


def _earlier_import(conn, sha: str, kind: str) -> int | None:
    """The latest import of the same file (sha256) as the same kind that is not undone, if any."""
    return conn.execute(select(ImportLog.id).where(ImportLog.sha256 == sha, ImportLog.kind == kind,
                                                   ImportLog.undone_at.is_(None))
                        .order_by(ImportLog.id.desc())).scalars().first()


def commit_import(engine: Engine, plan: ImportPlan, *, strict: bool = True,
                  progress: Progress | None = None, id_space: str | None = None,
                  user: str | guard.Actor | None = None) -> ImportResult:
    """Load a prepared import in one transaction, as ``user``, who needs the import right; audited.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    plan : ImportPlan
        From :func:`prepare_import`.
    strict : bool
        True: any error rejects the whole file and nothing is written. False (lenient): the
        valid rows are loaded and the rejected ones are returned (``result.rejected``).
    progress : callable, optional
        Called as ``progress(fraction, message)`` after each batch.
    id_space : {'attach', 'separate'}, optional
        The choice for a plan prepared without one whose ids match another source's customers: ``attach``
        loads it as prepared; ``separate`` needs the plan prepared with it (the ids change before validation).
    user : str or core.access.guard.Actor, optional
        Who imports (None: ``RETENTION_USER``; a store without accounts: the local admin).

    Returns
    -------
    ImportResult

    Raises
    ------
    DataValidationError
        Strict mode and the report has errors, or no row is valid; carries ``report``. Or the file's ids
        match another source's customers and no id space was chosen.
    DuplicateImportError
        The same file was already imported as this kind and the mode is append.
    core.errors.StoreError
        The store stayed busy past the busy timeout, its disk is full, it is read-only or damaged; nothing loaded.
    core.access.guard.AccessDenied
        ``user`` may not import; nothing loaded.
    """
    actor = guard.require(engine, user, rights.IMPORT)
    plan = _with_id_space(plan, id_space)
    _check_loadable(plan, strict)
    started = dt.datetime.now(dt.UTC)
    counts = plan.rows.counts()
    total = sum(counts.values()) + len(plan.new_customers)
    # the write lock first (a second import waits its turn); a store fault leaves as a StoreError, store unchanged
    with faults.translated(faults.store_of(engine)), columnar.Staging(engine) as stage, begin_write(engine) as conn:
        if plan.options["mode"] == "append":  # again, inside the transaction: the plan may be stale
            dup = _earlier_import(conn, plan.sha256, plan.kind)
            if dup is not None:
                raise _duplicate_error(plan, dup)
        if plan.options["mode"] == "replace":
            for name in KIND_TABLES[plan.kind]:
                conn.execute(delete(TABLES[name].__table__))
            if "activity" in KIND_TABLES[plan.kind]:
                stage.remove_all()
        import_id = _log_start(conn, plan, strict, counts, started)
        done = 0
        if len(plan.new_customers):
            done = _bulk_insert(conn, "customer", plan.new_customers, import_id, progress, done, total)
        with big_load(conn, counts):  # a load as large as its table builds the table's indexes once, at the end
            for name, frame in plan.rows.batches(bulk.BATCH):
                done = _bulk_insert(conn, name, frame, import_id, progress, done, total)
                if name == "activity":
                    stage.add(import_id, frame)
        conn.execute(ImportLog.__table__.update().where(ImportLog.__table__.c.id == import_id)
                     .values(finished_at=dt.datetime.now(dt.UTC)))
        version.bump(conn)  # with the rows: no page keeps showing the store as it was before
    table_files.write_after_load(engine, counts)
    guard.done(engine, actor, "import", f"import #{import_id}", {"file": plan.file_name, "kind": plan.kind,
                                                                  "mode": plan.options["mode"],
                                                                  "rows": {t: int(n) for t, n in counts.items()}})
    return ImportResult(import_id=import_id, rows_read=plan.rows_read, rows_loaded=plan.rows_valid,
                        rows_rejected=plan.rows_rejected, tables=counts, report=plan.report,
                        rejected=plan.rejected, customers_created=len(plan.new_customers))


def _with_id_space(plan: ImportPlan, id_space: str | None) -> ImportPlan:
    """The plan with the id-space choice made at commit; refused when a needed choice is missing."""
    ids = plan.id_spaces
    if ids is None or id_space is None or id_space == ids.choice:
        if ids is not None and ids.needs_choice:
            raise DataValidationError(ids.refusal())
        return plan
    if id_space == "attach" and ids.choice is None:  # the plan was built with the file's ids as they are
        ids = dataclasses.replace(ids, choice="attach")
        return dataclasses.replace(plan, id_spaces=ids, options={**plan.options, "id_space": "attach"})
    raise DataValidationError(f"The import was prepared with id space '{ids.choice or 'none'}'; prepare it again "
                              f"with '{id_space}' to load it that way. Nothing was loaded.")


def _check_loadable(plan: ImportPlan, strict: bool) -> None:
    """Refuse a plan that would load a file already imported, or that has errors (strict) or no valid row."""
    if plan.duplicate_of is not None and plan.options["mode"] == "append":
        raise _duplicate_error(plan, plan.duplicate_of)
    if strict and plan.n_errors:
        raise DataValidationError(
            f"File rejected (strict mode), nothing was loaded. {plan.summary()}. Fix the file, or import "
            "leniently to load the valid rows and get the rejected ones back as CSV.", report=plan.report)
    if plan.rows_valid == 0:
        raise DataValidationError(f"No valid rows to load, nothing was loaded. {plan.summary()}.",
                                  report=plan.report)


def _duplicate_error(plan: ImportPlan, earlier: int) -> DuplicateImportError:
    return DuplicateImportError(
        f"'{plan.file_name}' was already imported as {plan.kind} (import #{earlier}, same sha256); "
        "nothing was loaded. Use replace mode to load it again in place of the old rows.")


def _log_start(conn, plan: ImportPlan, strict: bool, counts: dict[str, int], started: dt.datetime) -> int:
    """Write the import-log row (``finished_at`` is set again at the end) and return its id."""
    log = conn.execute(ImportLog.__table__.insert().values(
        file_name=plan.file_name, sha256=plan.sha256, kind=plan.kind, mode=plan.options["mode"],
        strict=strict, rows_read=plan.rows_read, rows_loaded=plan.rows_valid,
        rows_rejected=plan.rows_rejected,
        mapping={"columns": plan.mapping, "constants": plan.constants, "date_formats": plan.date_formats,
                 "options": plan.options},
        tables={**counts, "customer_created": len(plan.new_customers)},
        started_at=started, finished_at=started))
    return log.inserted_primary_key[0]
