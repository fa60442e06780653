"""``python -m core themes``: theme impact, survey scores, churn signals, the backlog, discovery and the codebook.

One action per call: with no action option the theme impact table is printed; ``--scores``,
``--signals``, ``--backlog``, ``--discover``, ``--codebook``, ``--export-codebook``, ``--log`` and
``--export`` read; ``--create``, ``--rename``, ``--merge`` and ``--split`` change the codebook (each
with ``--author``) and save the change with its log row.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from core.cli.format import text_table
from core.errors import DataValidationError, WorkbenchError
from core.feedback import store as ts
from core.feedback import themes as th
from core.feedback.codebook import Codebook, tag
from core.health import monitor as hm

#: the reading actions (besides the default impact table) and the codebook changes, by option name
READS = ("scores", "signals", "backlog", "discover", "codebook", "export_codebook", "log", "export")
CHANGES = ("create", "rename", "merge", "split")
#: columns of the printed impact table, in order
IMPACT_HEADERS = ("id", "theme", "team", "mentions", "sentiment", "NPS impact", "churn raised vs others",
                  "churn diff pp [95% CI]", "MRR at risk")


def add_parser(sub) -> None:
    """Register the ``themes`` sub-command.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The sub-parsers of ``python -m core``.
    """
    te = sub.add_parser("themes", help="feedback themes: impact, scores, churn signals, backlog, discovery, codebook",
                        description="With no action option: the theme impact table, ranked by churn impact.")
    te.add_argument("--start", metavar="YYYY-MM-DD", help="first day of the window (default: the first verbatim)")
    te.add_argument("--end", metavar="YYYY-MM-DD", help="last day of the window (default: the last verbatim)")
    te.add_argument("--horizon", type=int, default=th.HORIZON_DAYS, metavar="DAYS",
                    help="churn within this many days of a verbatim (impact table, --export; default %(default)s)")
    te.add_argument("--out", type=Path, metavar="FILE",
                    help="write --scores, --signals or --backlog here (.csv or .xlsx) instead of stdout")
    te.add_argument("--scores", action="store_true", help="NPS, CSAT and CES per period with 95%% intervals (CSV)")
    te.add_argument("--freq", choices=["M", "Q", "Y"], default="Q",
                    help="--scores period: month, quarter, year (default Q)")
    te.add_argument("--by", choices=list(th.GROUPS), default="segment",
                    help="--scores split by this customer column (default segment)")
    te.add_argument("--signals", action="store_true",
                    help="churn-signal verbatims of active customers with MRR and today's health (CSV)")
    te.add_argument("--backlog", action="store_true", help="follow-up items per owner team and theme")
    te.add_argument("--discover", type=int, metavar="K", help="cluster untagged verbatims into up to K candidates")
    te.add_argument("--codebook", action="store_true", help="print every theme with its rules")
    te.add_argument("--export-codebook", type=Path, metavar="FILE.json", help="write the codebook as JSON")
    te.add_argument("--log", action="store_true", help="print the codebook's change log, newest first")
    te.add_argument("--export", type=Path, metavar="FILE.xlsx",
                    help="one workbook: Themes, Scores, Signals, Backlog, Codebook, Change log")
    te.add_argument("--create", metavar="NAME", help="add a theme (with --keywords, optional --parent, --team)")
    te.add_argument("--rename", nargs=2, metavar=("ID", "NAME"), help="give a theme a new name")
    te.add_argument("--merge", metavar="SRC_ID[,SRC_ID...]", help="fold these themes into --into ID")
    te.add_argument("--into", metavar="ID", help="the theme --merge folds into")
    te.add_argument("--split", nargs=2, metavar=("ID", "NAME"),
                    help="move --keywords of theme ID into a new theme NAME")
    te.add_argument("--keywords", metavar='"a, b, c"', help="rule terms for --create or --split, comma-separated")
    te.add_argument("--parent", metavar="ID", help="--create: make the new theme a sub-theme of this one")
    te.add_argument("--team", help="--create / --split: owner team of the new theme")
    te.add_argument("--author", help="who makes the change (required with --create, --rename, --merge, --split)")
    te.add_argument("--reason", default="", help="why (with a change)")


# -- options -------------------------------------------------------------------------------------


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _given(a, name: str) -> bool:
    v = getattr(a, name)
    return v is not None and v is not False


def _date(value: str | None, flag: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(pd.to_datetime(value, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise DataValidationError(f"{flag} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-01-31.") from None


def theme_id(value, flag: str) -> int:
    """A theme id given on the command line.

    Parameters
    ----------
    value : str
        What was typed.
    flag : str
        The option it came with (for the message).

    Returns
    -------
    int

    Raises
    ------
    core.errors.DataValidationError
        If ``value`` is not a whole number.
    """
    try:
        return int(str(value).strip())
    except ValueError:
        raise DataValidationError(f"{flag}: {value!r} is not a theme id; ids are whole numbers (see "
                                  "`python -m core themes --codebook`).") from None


def _check(a) -> str | None:
    """The one action asked for (None: the impact table); raises on options that do not go together."""
    asked = [n for n in READS + CHANGES if _given(a, n)]
    if len(asked) > 1:
        raise DataValidationError(f"Choose one action at a time: {' and '.join(_flag(n) for n in asked)} were "
                                  "given together.")
    action = asked[0] if asked else None
    rules = (("into", ("merge",)), ("keywords", ("create", "split")), ("parent", ("create",)),
             ("team", ("create", "split")), ("out", ("scores", "signals", "backlog")))
    for opt, allowed in rules:
        if _given(a, opt) and action not in allowed:
            raise DataValidationError(f"{_flag(opt)} goes with {' or '.join(_flag(n) for n in allowed)}.")
    if action == "merge" and a.into is None:
        raise DataValidationError("--merge needs --into ID: the theme the others fold into.")
    if action in ("create", "split") and not (a.keywords or "").strip():
        raise DataValidationError(f"{_flag(action)} needs --keywords \"a, b, c\": the rule terms of the new theme.")
    if action in CHANGES and not (a.author or "").strip():
        raise DataValidationError(f"{_flag(action)} changes the codebook: say who makes the change with --author "
                                  "NAME.")
    if a.horizon < 1:
        raise DataValidationError(f"--horizon must be at least 1 day, not {a.horizon}.")
    if a.discover is not None and a.discover < 1:
        raise DataValidationError(f"--discover needs at least 1 candidate, not {a.discover}.")
    if action == "export" and a.export.suffix.lower() != ".xlsx":
        raise DataValidationError(f"--export writes an Excel workbook: give a file name ending in .xlsx, not "
                                  f"{a.export.name}.")
    return action


# -- reading -------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """The store's verbatims, prepared and tagged with the stored codebook."""

    inputs: th.FeedbackInputs
    prepared: pd.DataFrame
    book: Codebook
    tags: pd.DataFrame
    start: pd.Timestamp | None
    end: pd.Timestamp | None


def load(engine, start=None, end=None) -> Loaded:
    """Read, prepare and tag the store's verbatims.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    start, end : pandas.Timestamp, optional
        The window (kept with the result for the functions that take it).

    Returns
    -------
    Loaded

    Raises
    ------
    core.errors.InsufficientDataError
        The store has no feedback, or no verbatim (text) at all.
    """
    inputs = th.load_inputs(engine)
    th.require_verbatims(inputs.verbatims)
    prepared = th.prepare(inputs)
    book = ts.load_codebook(engine)
    return Loaded(inputs, prepared, book, tag(prepared["text"], book), start, end)


def _window_text(d: Loaded) -> str:
    """``"12,393 verbatims from 2023-11-08 to 2026-10-31"``: the verbatims in the window and its days."""
    v = d.prepared[th.in_window(d.prepared, d.start, d.end)]
    first = d.start if d.start is not None else v["date"].min()
    last = d.end if d.end is not None else v["date"].max()
    days = "no days" if pd.isna(first) or pd.isna(last) else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    return f"{len(v):,} verbatims from {days}"


def _impact(d: Loaded, horizon: int) -> pd.DataFrame:
    """:func:`core.feedback.themes.theme_impact` over the window of ``d``."""
    return th.theme_impact(d.prepared, d.tags, d.book, d.inputs, start=d.start, end=d.end, horizon=horizon)


def _pct(x) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:.1f}%"


def _pp(x) -> str:
    return "n/a" if pd.isna(x) else f"{100 * x:+.1f}"


def impact_rows(imp: pd.DataFrame) -> list[list[str]]:
    """The printed cells of each :func:`core.feedback.themes.theme_impact` row (see :data:`IMPACT_HEADERS`).

    Parameters
    ----------
    imp : pandas.DataFrame
        :func:`core.feedback.themes.theme_impact` output.

    Returns
    -------
    list of list of str
        Mentions with thousands separators, sentiment to 2 decimals, NPS impact in points to 1
        decimal, churn rates in % to 1 decimal, the difference and its interval in percentage
        points to 1 decimal, MRR at risk rounded to whole units; ``n/a`` where undefined.
    """
    rows = []
    for r in imp.itertuples(index=False):
        sent = "n/a" if pd.isna(r.sentiment) else f"{r.sentiment:+.2f}"
        nps = "n/a" if pd.isna(r.nps_impact) else f"{r.nps_impact:+.1f}"
        diff = "n/a" if pd.isna(r.churn_diff) else f"{_pp(r.churn_diff)} [{_pp(r.churn_low)}, {_pp(r.churn_high)}]"
        rows.append([str(r.theme_id), str(r.theme), str(r.team), f"{r.mentions:,}", sent, nps,
                     f"{_pct(r.churn_raised)} vs {_pct(r.churn_others)}", diff, f"{r.mrr_at_risk:,.0f}"])
    return rows


def _frame_text(df: pd.DataFrame, right=()) -> str:
    """A frame as a :func:`text_table`: text left-aligned, ``right`` columns right-aligned, missing values blank."""
    rows = [["" if pd.isna(v) else str(v) for v in r] for r in df.itertuples(index=False)]
    return text_table([str(c) for c in df.columns], rows, left={i for i, c in enumerate(df.columns) if c not in right})


def _scores(d: Loaded, freq: str = "Q", by: str | None = "segment") -> pd.DataFrame:
    """:func:`core.feedback.themes.survey_scores` of the window."""
    return th.survey_scores(d.inputs, freq=freq, by=by, start=d.start, end=d.end)


def today_health(engine) -> tuple[pd.DataFrame | None, str]:
    """Today's health score and band per customer, and a note saying where they come from.

    Uses the latest saved health configuration (else the default), as ``python -m core health`` does.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.

    Returns
    -------
    (frame, note)
        ``customer_id, score, band``, or None (with the reason in ``note``) when health cannot be computed.
    """
    from core.health import score as h
    from core.health import store as hs
    from core.history.features import load_inputs

    try:
        day, frame = hm.snapshots(load_inputs(engine), months=1)[-1]
        cfg, version = hs.current_config(engine, frame)
        scored = h.score(cfg, frame)
    except WorkbenchError as exc:
        return None, "health scores left out: " + " ".join(str(exc).split())
    label = f"v{version}" if version is not None else "default"
    return scored[["customer_id", "score", "band"]], f"health on {day:%Y-%m-%d}, configuration {label}"


def _signals(engine, d: Loaded) -> tuple[pd.DataFrame, str]:
    """:func:`core.feedback.themes.signals` of the window with today's health (columns left out
    when it cannot be computed)."""
    health, note = today_health(engine)
    out = th.signals(d.prepared, d.inputs, start=d.start, end=d.end, health=health)
    if health is None:
        out = out.drop(columns=["health", "band"])
    return out, note


def _backlog(d: Loaded) -> pd.DataFrame:
    """:func:`core.feedback.themes.backlog` of the window's follow-up items."""
    return th.backlog(th.items(d.prepared, d.tags, d.book), d.book, start=d.start, end=d.end)


def _naive(df: pd.DataFrame) -> pd.DataFrame:
    """Time-zone-aware columns as naive UTC (Excel has no time zones)."""
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _write(df: pd.DataFrame, path: Path, sheet: str) -> None:
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(hm.to_xlsx({sheet: _naive(df)}))
    else:
        df.to_csv(path, index=False, float_format="%.4f", date_format="%Y-%m-%d")


def _emit(df: pd.DataFrame, out: Path | None, sheet: str, what: str) -> None:
    if out is None:
        print(df.to_csv(index=False, float_format="%.4f", date_format="%Y-%m-%d"), end="")
    else:
        _write(df, out, sheet)
        print(f"wrote {len(df):,} {what} to {out}")


def _print_backlog(b: pd.DataFrame) -> None:
    if b.empty:
        print("no follow-up items in the window")
        return
    teams = b.groupby("team", sort=False)[["items", "open", "in_progress", "closed"]].sum()
    teams = teams.sort_values(["open", "items"], ascending=False, kind="stable")
    for team, t in teams.iterrows():
        print(f"{team}: {t['items']:,} items, {t['open']:,} open, {t['in_progress']:,} in progress, "
              f"{t['closed']:,} closed ({t['closed'] / t['items']:.0%} closed)")
        rows = [[str(r.theme_id), str(r.theme), f"{r.items:,}", f"{r.open:,}", f"{r.in_progress:,}", f"{r.closed:,}",
                 f"{r.closure_rate:.0%}"] for r in b[b["team"] == team].itertuples(index=False)]
        table = text_table(["id", "theme", "items", "open", "in progress", "closed", "closure"], rows, left=(1,))
        print("\n".join("    " + ln for ln in table.splitlines()))


def _discover(d: Loaded, k: int) -> None:
    from core.feedback.discovery import discover

    un = th.untagged(d.prepared, d.tags, start=d.start, end=d.end)
    cands = discover(un["text"], k=k)
    print(f"{len(un):,} untagged verbatims of {_window_text(d)}; {len(cands)} candidates")
    for c in cands:
        example = " ".join(c.examples[0].split()) if c.examples else ""
        print(f"\ncandidate {c.number}: {c.size:,} verbatims ({c.share:.0%})")
        print(f"  top terms: {', '.join(c.terms)}")
        print(f"  suggested keywords: {', '.join(c.keywords)}")
        print(f"  example: {example}")


def _export(engine, d: Loaded, a) -> dict[str, pd.DataFrame]:
    """The sheets of ``--export``: Themes (impact), Scores, Signals, Backlog, Codebook, Change log."""
    sig, _ = _signals(engine, d)
    return {"Themes": _impact(d, a.horizon), "Scores": _scores(d, a.freq, a.by), "Signals": sig,
            "Backlog": _backlog(d), "Codebook": ts.codebook_table(d.book), "Change log": ts.change_log(engine)}


# -- changing the codebook -----------------------------------------------------------------------


def change(engine, a, action: str) -> None:
    """Apply one codebook change from the options, save it with its log row and print it.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    a : argparse.Namespace
        The parsed options (``--author`` already checked).
    action : {"create", "rename", "merge", "split"}
        The change.

    Raises
    ------
    core.errors.DataValidationError
        An unknown or inactive theme id, an invalid rule or name, or the codebook changed meanwhile.
    """
    before = ts.load_codebook(engine)
    who = {"author": a.author.strip(), "reason": (a.reason or "").strip()}
    if action == "create":
        parent = None if a.parent is None else theme_id(a.parent, "--parent")
        team = a.team or (before.get(parent).team if parent is not None else "")  # a sub-theme: its parent's team
        after, ch = before.create(a.create, a.keywords, parent=parent, team=team, **who)
    elif action == "rename":
        after, ch = before.rename(theme_id(a.rename[0], "--rename"), a.rename[1], **who)
    elif action == "merge":
        sources = [theme_id(s, "--merge") for s in a.merge.split(",") if s.strip()]
        after, ch = before.merge(sources, theme_id(a.into, "--into"), **who)
    else:
        if a.team is not None:
            who["team"] = a.team
        after, ch = before.split(theme_id(a.split[0], "--split"), a.split[1], a.keywords, **who)
    ts.save_change(engine, before, after, ch)
    ids = ", ".join(str(i) for i in ch.theme_ids)
    print(f"saved {ch.action} (theme ids {ids}) by {ch.author}: {ch.detail}" + (f"; reason: {ch.reason}"
                                                                                 if ch.reason else ""))
    if action in ("create", "split"):
        new = after.get(ch.theme_ids[-1])
        print(f"new theme {new.id}: {after.label(new.id)}, team {new.team}, keywords {', '.join(new.keywords)}")


# -- the command ---------------------------------------------------------------------------------


def run(engine, a) -> int:
    """Run ``python -m core themes``; returns the exit code.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    a : argparse.Namespace
        The parsed options (see :func:`add_parser`).

    Returns
    -------
    int
        0; bad input raises :class:`core.errors.WorkbenchError` (exit code 2 in :func:`core.cli.main.main`).
    """
    action = _check(a)
    start, end = _date(a.start, "--start"), _date(a.end, "--end")
    if start is not None and end is not None and start > end:
        raise DataValidationError(f"--start {a.start} is after --end {a.end}.")
    if action in CHANGES:
        change(engine, a, action)
        return 0
    if action == "codebook":
        print(_frame_text(ts.codebook_table(ts.load_codebook(engine)), right=("id", "parent", "merged_into")))
        return 0
    if action == "export_codebook":
        book = ts.load_codebook(engine)
        a.export_codebook.write_text(json.dumps(book.to_dict(), indent=2))
        print(f"wrote {len(book.themes)} themes ({len(book.active())} active) to {a.export_codebook}")
        return 0
    if action == "log":
        ts.load_codebook(engine)  # a first read saves the starter codebook and its log row
        log = ts.change_log(engine)
        log["at"] = pd.to_datetime(log["at"], utc=True).dt.strftime("%Y-%m-%d %H:%M UTC")
        print(_frame_text(log))
        return 0
    d = load(engine, start, end)
    if action is None:
        imp = _impact(d, a.horizon)
        print(f"{_window_text(d)}; churn within {a.horizon} days; {len(imp)} active themes, ranked by churn impact")
        print(text_table(IMPACT_HEADERS, impact_rows(imp), left=(1, 2)))
    elif action == "scores":
        _emit(_scores(d, a.freq, a.by), a.out, "Scores", "score rows")
    elif action == "signals":
        sig, note = _signals(engine, d)
        _emit(sig, a.out, "Signals", f"churn-signal verbatims ({note})")
        if a.out is None:
            print(f"note: {note}", file=sys.stderr)
    elif action == "backlog":
        b = _backlog(d)
        if a.out is not None:
            _write(b, a.out, "Backlog")
            print(f"wrote {len(b):,} team and theme rows to {a.out}")
        else:
            print(f"follow-up items of {_window_text(d)} (negative or churn-signal verbatims), per owner team")
            _print_backlog(b)
    elif action == "discover":
        _discover(d, a.discover)
    else:
        sheets = _export(engine, d, a)
        a.export.write_bytes(hm.to_xlsx({k: _naive(v) for k, v in sheets.items()}))
        print(f"wrote {', '.join(f'{k} ({len(v):,} rows)' for k, v in sheets.items())} to {a.export}")
    return 0
