"""The actions of ``python -m core themes`` (:mod:`core.cli.themes`): codebook changes and reads, and the tables
of the window's verbatims (impact, scores, signals, backlog, discovery, the export workbook)."""

from __future__ import annotations

import json
import sys

from core.cli.format import text_table
from core.cli.themes_change import change
from core.cli.themes_options import CHANGES
from core.cli.themes_output import emit, export_sheets, frame_text, naive, print_backlog, show_candidates, write
from core.cli.themes_read import (
    IMPACT_HEADERS,
    Loaded,
    backlog,
    impact,
    impact_rows,
    load,
    parse_date,
    scores,
    signals,
    window_text,
)
from core.errors import DataValidationError
from core.export import units
from core.export.xlsx import to_xlsx
from core.feedback import store as ts
from core.query import warehouse
from core.store.dates import datetimes


def run(engine, a, action: str | None) -> None:
    """Run the ``action`` :func:`core.cli.themes_options.check` found (None: the theme impact table)."""
    start, end = parse_date(a.start, "--start"), parse_date(a.end, "--end")
    if start is not None and end is not None and start > end:
        raise DataValidationError(f"--start {a.start} is after --end {a.end}.")
    if action in CHANGES:
        change(engine, a, action)
    elif action in ("codebook", "export_codebook", "log"):
        _codebook(engine, a, action)
    else:
        company = warehouse.configured()
        if company is None:
            _window(engine, load(engine, start, end), a, action)
            return
        with company:
            print(f"Figures from {company.name}.", file=sys.stderr)
            _window(engine, load(engine, start, end, company), a, action)


def _codebook(engine, a, action: str) -> None:
    """``--codebook``, ``--export-codebook`` and ``--log``: the stored codebook and its change log."""
    if action == "codebook":
        print(frame_text(ts.codebook_table(ts.load_codebook(engine)), right=("id", "parent", "merged_into")))
    elif action == "export_codebook":
        book = ts.load_codebook(engine)
        a.export_codebook.write_text(json.dumps(book.to_dict(), indent=2))
        print(f"wrote {units.count(len(book.themes))} themes ({units.count(len(book.active()))} active) to "
              f"{a.export_codebook}")
    else:
        ts.load_codebook(engine)  # a first read saves the starter codebook and its log row
        log = ts.change_log(engine)
        log["at"] = datetimes(log["at"], utc=True).dt.strftime("%Y-%m-%d %H:%M UTC")
        print(frame_text(log))


def _window(engine, d: Loaded, a, action: str | None) -> None:
    """The tables of the window's verbatims: impact (the default), ``--scores``, ``--signals``, ``--backlog``,
    ``--discover`` and ``--export``."""
    if action is None:
        imp = impact(d, a.horizon)
        print(f"{window_text(d)}; churn within {a.horizon} days; {units.count(len(imp))} active themes, ranked by "
              "churn impact")
        print(text_table(IMPACT_HEADERS, impact_rows(imp), left=(1, 2)))
    elif action == "scores":
        emit(scores(d, a.freq, a.by), a.out, "Scores", "score rows")
    elif action == "signals":
        sig, note = signals(engine, d)
        emit(sig, a.out, "Signals", f"churn-signal verbatims ({note})")
        if a.out is None:
            print(f"note: {note}", file=sys.stderr)
    elif action == "backlog":
        b = backlog(d, engine)
        if a.out is not None:
            write(b, a.out, "Backlog")
            print(f"wrote {units.count(len(b))} team and theme rows to {a.out}")
        else:
            print(f"follow-up items of {window_text(d)} (negative or churn-signal verbatims), per owner team")
            print_backlog(b)
    elif action == "discover":
        show_candidates(d, a.discover)
    else:
        sheets = export_sheets(engine, d, a)
        a.export.write_bytes(to_xlsx({k: naive(v) for k, v in sheets.items()}))
        print(f"wrote {', '.join(f'{k} ({units.count(len(v))} rows)' for k, v in sheets.items())} to {a.export}")
