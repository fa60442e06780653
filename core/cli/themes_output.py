"""How ``python -m core themes`` prints and writes: text tables, CSV on stdout, .csv / .xlsx files,
the backlog per team, the discovered candidates and the export workbook's sheets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.cli.format import text_table
from core.cli.themes_read import Loaded, backlog, impact, scores, signals, window_text
from core.export import units
from core.export.csv import to_csv_bytes, write_csv
from core.export.xlsx import to_xlsx
from core.feedback import store as ts
from core.feedback.discovery import discover
from core.feedback.tagging import untagged


def frame_text(df: pd.DataFrame, right=()) -> str:
    """A frame as a :func:`text_table`: text left-aligned, ``right`` columns right-aligned, missing values blank."""
    rows = [["" if pd.isna(v) else str(v) for v in r] for r in df.itertuples(index=False)]
    return text_table([str(c) for c in df.columns], rows, left={i for i, c in enumerate(df.columns) if c not in right})


def naive(df: pd.DataFrame) -> pd.DataFrame:
    """Time-zone-aware columns as naive UTC (Excel has no time zones)."""
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def write(df: pd.DataFrame, path: Path, sheet: str) -> None:
    """Write ``df`` to ``path``: an .xlsx workbook with one ``sheet``, else CSV."""
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(to_xlsx({sheet: naive(df)}))
    else:
        write_csv(df, path, float_format="%.4f")


def emit(df: pd.DataFrame, out: Path | None, sheet: str, what: str) -> None:
    """``df`` as CSV on stdout, or written to ``out`` (:func:`write`) and said so."""
    if out is None:
        print(to_csv_bytes(df, float_format="%.4f").decode(), end="")
    else:
        write(df, out, sheet)
        print(f"wrote {units.count(len(df))} {what} to {out}")


def _days(x) -> str:
    """A median number of days (``2``, ``2.5``), or the missing mark."""
    return units.MISSING if units.is_missing(x) else f"{x:g}"


def print_backlog(b: pd.DataFrame) -> None:
    """The backlog per owner team (most open items first), each with its themes."""
    if b.empty:
        print("no follow-up items in the window")
        return
    teams = b.groupby("team", sort=False)[["items", "open", "in_progress", "closed"]].sum()
    teams = teams.sort_values(["open", "items"], ascending=False, kind="stable")
    for team, t in teams.iterrows():
        print(f"{team}: {units.count(t['items'])} items, {units.count(t['open'])} open, "
              f"{units.count(t['in_progress'])} in progress, {units.count(t['closed'])} closed "
              f"({units.percent(t['closed'] / t['items'])} closed)")
        loop = "reopen_rate" in b
        rows = [[str(r.theme_id), str(r.theme), units.count(r.items), units.count(r.open), units.count(r.in_progress),
                 units.count(r.closed), units.percent(r.closure_rate)]
                + ([_days(r.median_days_to_close), units.percent(r.reopen_rate)] if loop else [])
                for r in b[b["team"] == team].itertuples(index=False)]
        table = text_table(["id", "theme", "items", "open", "in progress", "closed", "closure"]
                           + (["days to close", "reopened"] if loop else []), rows, left=(1,))
        print("\n".join("    " + ln for ln in table.splitlines()))


def show_candidates(d: Loaded, k: int) -> None:
    """``--discover K``: up to ``k`` candidate themes among the untagged verbatims of the window."""
    un = untagged(d.prepared, d.tags, start=d.start, end=d.end)
    cands = discover(un["text"], k=k)
    print(f"{units.count(len(un))} untagged verbatims of {window_text(d)}; {units.count(len(cands))} candidates")
    for c in cands:
        example = " ".join(c.examples[0].split()) if c.examples else ""
        print(f"\ncandidate {c.number}: {units.count(c.size)} verbatims ({units.percent(c.share)})")
        print(f"  top terms: {', '.join(c.terms)}")
        print(f"  suggested keywords: {', '.join(c.keywords)}")
        print(f"  example: {example}")


def export_sheets(engine, d: Loaded, a) -> dict[str, pd.DataFrame]:
    """The sheets of ``--export``: Themes (impact), Scores, Signals, Backlog, Codebook, Change log."""
    sig, _ = signals(engine, d)
    return {"Themes": impact(d, a.horizon), "Scores": scores(d, a.freq, a.by), "Signals": sig,
            "Backlog": backlog(d, engine), "Codebook": ts.codebook_table(d.book), "Change log": ts.change_log(engine)}
