"""What ``python -m core themes`` reads: the tagged verbatims of the window (:func:`load`) and the
impact table, survey scores, churn signals (with today's health) and backlog computed from them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.cli.format import with_ci
from core.errors import DataValidationError, WorkbenchError
from core.export import units
from core.feedback import followup
from core.feedback import store as ts
from core.feedback.codebook import Codebook
from core.feedback.impact import theme_impact
from core.feedback.inputs import FeedbackInputs, in_window
from core.feedback.inputs import load_inputs as load_feedback
from core.feedback.loop_times import loop_times
from core.feedback.prepared import prepare, require_verbatims
from core.feedback.surveys import survey_scores
from core.feedback.tagging import tag
from core.feedback.warehouse_inputs import warehouse_feedback_inputs
from core.health import monitor as hm
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from core.history.warehouse_inputs import warehouse_inputs
from core.query.sources import Source
from core.query.warehouse import answered
from core.store.dates import datetimes

#: columns of the printed impact table, in order
IMPACT_HEADERS = ("id", "theme", "team", "mentions", "sentiment", "NPS impact", "churn raised vs others",
                  "churn diff [95% CI]", "MRR at risk")


def parse_date(value: str | None, flag: str) -> pd.Timestamp | None:
    """``--start`` / ``--end`` as a day (None when not given); raises on anything but YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return pd.Timestamp(datetimes(value, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise DataValidationError(f"{flag} {value!r} is not a date: use YYYY-MM-DD, e.g. 2026-01-31.") from None


@dataclass
class Loaded:
    """The store's verbatims, prepared and tagged with the stored codebook."""

    inputs: FeedbackInputs
    prepared: pd.DataFrame
    book: Codebook
    tags: pd.DataFrame
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    #: the company's warehouse the verbatims come from (None: the store's)
    company: Source | None = None


def load(engine, start=None, end=None, company: Source | None = None) -> Loaded:
    """Read, prepare and tag the store's verbatims, or the warehouse's (``company``) under the store's codebook.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store.
    start, end : pandas.Timestamp, optional
        The window (kept with the result for the functions that take it).
    company : core.query.sources.Source, optional
        The warehouse set by ``RETENTION_WAREHOUSE_URL`` (:func:`core.query.warehouse.configured`).

    Returns
    -------
    Loaded

    Raises
    ------
    core.errors.InsufficientDataError
        The store has no feedback, or no verbatim (text) at all.
    """
    inputs = load_feedback(engine) if company is None else warehouse_feedback_inputs(company)
    require_verbatims(inputs.verbatims)
    prepared = prepare(inputs)
    book = ts.load_codebook(engine)
    return Loaded(inputs, prepared, book, tag(prepared["text"], book), start, end, company)


def window_text(d: Loaded) -> str:
    """``"12,393 verbatims from 2023-11-08 to 2026-10-31"``: the verbatims in the window and its days."""
    v = d.prepared[in_window(d.prepared, d.start, d.end)]
    first = d.start if d.start is not None else v["date"].min()
    last = d.end if d.end is not None else v["date"].max()
    days = "no days" if pd.isna(first) or pd.isna(last) else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    return f"{units.count(len(v))} verbatims from {days}"


def impact(d: Loaded, horizon: int) -> pd.DataFrame:
    """:func:`core.feedback.impact.theme_impact` over the window of ``d``."""
    return theme_impact(d.prepared, d.tags, d.book, d.inputs, start=d.start, end=d.end, horizon=horizon)


def impact_rows(imp: pd.DataFrame) -> list[list[str]]:
    """The printed cells of each :func:`core.feedback.impact.theme_impact` row (see :data:`IMPACT_HEADERS`).

    Parameters
    ----------
    imp : pandas.DataFrame
        :func:`core.feedback.impact.theme_impact` output.

    Returns
    -------
    list of list of str
        Each figure in the unit the Feedback themes page and the quarterly review write it in
        (:mod:`core.export.units`): mentions as a count, sentiment as a signed score to 2 decimals, NPS
        impact in NPS points (``-1.0``), churn rates as shares, the difference and its interval in points
        (``+11.0 pts [+6.2 pts, +16.2 pts]``), MRR at risk as money; :data:`core.export.units.MISSING`
        where undefined.
    """
    return [[str(r.theme_id), str(r.theme), str(r.team), units.format_value(r.mentions, "verbatims"),
             units.score(r.sentiment, digits=2, signed=True), units.format_value(r.nps_impact, "nps"),
             f"{units.percent(r.churn_raised)} vs {units.percent(r.churn_others)}",
             with_ci(r.churn_diff, r.churn_low, r.churn_high, units.points),
             units.format_value(r.mrr_at_risk, "currency")]
            for r in imp.itertuples(index=False)]


def scores(d: Loaded, freq: str = "Q", by: str | None = "segment") -> pd.DataFrame:
    """:func:`core.feedback.surveys.survey_scores` of the window."""
    return survey_scores(d.inputs, freq=freq, by=by, start=d.start, end=d.end)


def today_health(engine, company: Source | None = None) -> tuple[pd.DataFrame | None, str]:
    """Today's health score and band per customer, and a note saying where they come from.

    Uses the latest saved health configuration (else the default), as ``python -m core health`` does.

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
        The store (its customers' health, and the configuration).
    company : core.query.sources.Source, optional
        The warehouse whose customers' health is measured instead.

    Returns
    -------
    (frame, note)
        ``customer_id, score, band``, or None (with the reason in ``note``) when health cannot be computed.
    """
    try:
        inputs = load_inputs(engine) if company is None else warehouse_inputs(company)
        day, frame = (hm.snapshots if company is None else answered(hm.snapshots))(inputs, months=1)[-1]
        cfg, version = hs.current_config(engine, frame)
        scored = h.score(cfg, frame)
    except WorkbenchError as exc:
        return None, "health scores left out: " + " ".join(str(exc).split())
    label = f"v{version}" if version is not None else "default"
    return scored[["customer_id", "score", "band"]], f"health on {day:%Y-%m-%d}, configuration {label}"


def signals(engine, d: Loaded) -> tuple[pd.DataFrame, str]:
    """:func:`core.feedback.followup.signals` of the window with today's health (columns left out
    when it cannot be computed)."""
    health, note = today_health(engine, d.company)
    out = followup.signals(d.prepared, d.inputs, start=d.start, end=d.end, health=health)
    if health is None:
        out = out.drop(columns=["health", "band"])
    return out, note


def backlog(d: Loaded, engine=None) -> pd.DataFrame:
    """:func:`core.feedback.followup.backlog` of the window's follow-up items, with the days to close and the reopen
    rate when ``engine`` is given and the verbatims are the store's (:func:`core.feedback.loop_times.loop_times`)."""
    loop = loop_times(engine) if engine is not None and d.company is None else None
    return followup.backlog(followup.items(d.prepared, d.tags, d.book), d.book, start=d.start, end=d.end, loop=loop)
