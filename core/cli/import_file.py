"""``python -m core import``: validate a CSV/XLSX file and load it into the store."""

from __future__ import annotations

from pathlib import Path

from core.cli.defaults import KINDS
from core.cli.who import acting_user, require
from core.errors import WorkbenchError
from core.export import units  # plain Python: --help stays fast
from core.ingest.date_formats import check_date_format  # plain Python too

NAME = "import"


def add_parser(sub) -> None:
    """Register the ``import`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    imp = sub.add_parser(NAME, help="validate and load a CSV/XLSX file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--kind", choices=list(KINDS),
                     help="what the file holds (default: detected from its columns; asked for when unclear)")
    imp.add_argument("--sheet", help="workbook sheet name or 0-based number (default: first)")
    imp.add_argument("--map", action="append", metavar="COLUMN=FIELD", default=[],
                     help="map a column to a field (repeatable); COLUMN=- leaves the column out")
    imp.add_argument("--set", action="append", metavar="FIELD=VALUE", default=[],
                     help="one value for a field for the whole file, e.g. channel=review")
    imp.add_argument("--as-of", help="snapshot date for tenure / churn-flag files (YYYY-MM-DD)")
    imp.add_argument("--date-format", help="strftime format for every date column, e.g. %%d/%%m/%%Y")
    imp.add_argument("--create-customers", action="store_true", default=None,
                     help="create customers the file names but the store lacks")
    imp.add_argument("--mode", choices=["append", "replace"], default="append")
    imp.add_argument("--no-header", action="store_true", help="the text file has no header line")
    g = imp.add_mutually_exclusive_group()
    g.add_argument("--strict", dest="strict", action="store_true", default=True,
                   help="reject the whole file on any error (default)")
    g.add_argument("--lenient", dest="strict", action="store_false",
                   help="load the valid rows, write the rejected ones to --rejects")
    ids = imp.add_mutually_exclusive_group()
    ids.add_argument("--attach", dest="id_space", action="store_const", const="attach", default=None,
                     help="the file's customer ids are the customers another source created: join them")
    ids.add_argument("--separate", dest="id_space", action="store_const", const="separate",
                     help="the file's customers are its own: prefix its ids with the source (SOURCE:ID)")
    imp.add_argument("--source", help="the file's source, naming the id prefix (default: the file name's stem)")
    imp.add_argument("--dry-run", action="store_true", help="validate and report only; write nothing")
    imp.add_argument("--report", type=Path, help="write the full validation report to this CSV")
    imp.add_argument("--rejects", type=Path, help="where lenient mode writes rejected rows "
                     "(default: FILE.rejected.csv in the current folder)")


def pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    """``LEFT=RIGHT`` options as pairs (``--map`` splits at the last ``=``, ``--set`` at the first).

    Raises
    ------
    core.errors.WorkbenchError
        An item without ``=``.
    """
    out = []
    for item in items or []:
        if "=" not in item:
            raise WorkbenchError(f"{what} '{item}' needs the form LEFT=RIGHT.")
        left, right = item.rsplit("=", 1) if what == "--map" else item.split("=", 1)
        out.append((left.strip(), right.strip()))
    return out


def _mapping(a) -> tuple[dict[str, str], list[str]]:
    """``--map`` as the importer's mapping (field -> column) and the columns left out."""
    mapping, ignore = {}, []
    for col, fld in pairs(a.map, "--map"):
        if fld in ("-", ""):
            ignore.append(col)
        else:
            mapping[fld] = col
    return mapping, ignore


def _detected_kind(a) -> str:
    """The kind detected from the file's columns (and the fields ``--map`` and ``--set`` give), printed as
    ``kind: NAME (detected: reason)``.

    Raises
    ------
    core.errors.WorkbenchError
        When two kinds fit about as well (or none clearly, or the file has no header line): one line saying what
        to give (:func:`core.ingest.kind_detection.refusal`).
    """
    from core.ingest.kind_detection import detect_file, refusal  # pandas loads here, not for --help

    mapping, ignore = _mapping(a)
    found = detect_file(a.file.read_bytes(), a.file.name, sheet=a.sheet, header=False if a.no_header else None,
                        mapping=mapping, constants=dict(pairs(a.set, "--set")), ignore=tuple(ignore))
    if found.ambiguous:
        raise WorkbenchError(refusal(found, a.file.name))
    print(f"kind: {found.kind} (detected: {found.reason})")
    return found.kind


def run(engine, a) -> int:
    """Run ``python -m core import``; returns the exit code (bad input raises a WorkbenchError)."""
    from core.export.csv import write_csv  # pandas loads here, not for --help
    from core.ingest.importer import commit_import, prepare_import  # pandas loads here, not for --help

    if not a.dry_run:  # before the file is read: a user who may not import waits for nothing
        require(engine, a, "import")
    check_date_format(a.date_format, "--date-format")  # before the file is read
    if not a.file.is_file():
        raise WorkbenchError(f"No file at {a.file}.")
    mapping, ignore = _mapping(a)
    if a.kind is None:
        a.kind = _detected_kind(a)
    plan = prepare_import(
        engine, a.file, a.file.name, a.kind, sheet=a.sheet, mapping=mapping,
        constants=dict(pairs(a.set, "--set")), ignore=tuple(ignore), as_of=a.as_of,
        date_format=a.date_format, create_customers=a.create_customers, mode=a.mode,
        header=False if a.no_header else None, id_space=a.id_space, source=a.source)
    print("mapping: " + ", ".join(f"{c} -> {f}" for f, c in plan.mapping.items())
          + "".join(f", {f} = {v!r}" for f, v in plan.constants.items()))
    print(plan.summary())
    if plan.id_spaces is not None and plan.id_spaces.applies:
        print(plan.id_spaces.summary())
    if a.report is not None:
        write_csv(plan.report, a.report)
        print(f"report: {units.count(len(plan.report))} problems written to {a.report}")
    if a.dry_run:
        return 0
    result = commit_import(engine, plan, strict=a.strict, user=acting_user(a))
    loaded = ", ".join(f"{units.count(n)} {t}" for t, n in result.tables.items())
    made = f", {units.count(result.customers_created)} customers created" if result.customers_created else ""
    print(f"import #{result.import_id}: loaded {loaded}{made}; {units.count(result.rows_rejected)} rows rejected")
    if result.rows_rejected:
        path = a.rejects or Path(f"{a.file.stem}.rejected.csv")
        path.write_bytes(plan.rejected_csv())
        print(f"rejected rows with reasons: {path}")
    return 0
