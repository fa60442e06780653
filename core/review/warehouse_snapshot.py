"""A quarterly review pack of a company's warehouse (:mod:`core.query.warehouse`): the figures of
:func:`core.review.snapshot.build`, page by page, of the warehouse's customers, by the same builders
(:mod:`core.review.figures`) fed the warehouse's inputs, with the store's configurations (health, codebook).

- **Overview**: the warehouse's Overview (:func:`core.buyers.warehouse_overview.overview`) as of the review's day,
  the quarter's MRR movements summed there, and MRR at risk (:mod:`core.review.warehouse_at_risk`).
- **Churn drivers**: a warehouse's churn model is never saved (the store's pages score the store's customers), so
  the review reports the model the Churn drivers page fitted on the warehouse that day (the page passes it), else
  fits one as that page does (default horizon and economics); the snapshot records no model version.
- **Health scores**, **Feedback themes**, **Intervention ROI**: the store's builders on the warehouse's customers,
  texts and contacts.

The data's fingerprint is the warehouse's (:func:`fingerprint`): what each mapped table holds, in counts, first and
last days and sums, so a review built again on the same tables carries the same one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pandas as pd
from sqlalchemy.engine import Engine

from core.buyers import warehouse_overview
from core.buyers.lapse import proposed_assumption
from core.churn import pipeline as cr
from core.churn.horizon import default_horizon
from core.churn.store import current_tiers, model_card
from core.errors import InsufficientDataError, NoDataYetError
from core.feedback.warehouse_inputs import warehouse_feedback_inputs
from core.history import asof
from core.history.warehouse_inputs import warehouse_customers, warehouse_inputs
from core.query.sources import Source
from core.query.warehouse import answered
from core.review import figures as page_figures
from core.review.at_risk import CUSTOMER_COLUMNS, behind
from core.review.snapshot import (
    FIGURE_COLUMNS,
    ReviewParams,
    Snapshot,
    library_versions,
    quarter_bounds,
    quarters_of,
)
from core.review.warehouse_at_risk import at_risk
from core.roi.warehouse_inputs import warehouse_roi_inputs

#: what a snapshot's versions say of the churn model of a warehouse's review (the Churn drivers page's fit of the day,
#: or one made for the review)
FITTED = "fitted on the warehouse that day (not saved)"


@answered
def build_on_warehouse(engine: Engine, source: Source, quarter: str, params: ReviewParams | None = None,
                       progress=None, fitted: tuple[cr.ChurnResult, cr.Economics] | None = None) -> Snapshot:
    """The review pack of ``quarter`` from the warehouse ``source`` as it is now (``engine``: the store, which keeps
    the health configurations and the codebook). ``fitted``: the churn model the Churn drivers page fitted on the
    warehouse and its economics, which the review reports as a store's review reports the saved model (and the
    Overview's MRR at high churn risk reads); None: fitted here at that page's defaults.

    Raises
    ------
    DataValidationError
        A bad quarter label.
    InsufficientDataError
        The warehouse has no customers, or the quarter ends before its data starts.
    EngineError
        The warehouse failed to answer (:func:`core.query.warehouse.answered`).
    """
    params = params or ReviewParams()
    start, end, label = quarter_bounds(quarter)
    inputs = warehouse_inputs(source)  # its customers, tickets, answers and revenue read once, activity left there
    customers, revenue = inputs.customers, inputs.revenue
    first = customers["signup_date"].min()
    if pd.notna(first) and pd.Timestamp(end) < first:
        raise InsufficientDataError(f"{label} ends before the data starts ({first:%Y-%m-%d}): choose a later quarter.")
    as_of = asof.clamp(end, asof.as_of_month(customers, revenue)).date()
    step = progress or (lambda f, t: None)
    step(0.0, "Overview ...")
    figures = _overview(source, as_of)
    step(0.1, "Churn model ...")
    fitted = _fit(inputs) if fitted is None else fitted
    churn_rows = []
    if fitted is not None:
        threshold, tiers = current_tiers(*fitted)
        churn_rows = page_figures.card_rows(model_card(*fitted, threshold), pd.Series(tiers).value_counts())
    risk = pd.DataFrame(columns=CUSTOMER_COLUMNS)
    if any(r["metric"] == "MRR" for r in figures):  # as the Overview: MRR at risk beside the recurring revenue
        both = at_risk(engine, inputs, as_of, fitted)
        figures += [page_figures.row("Overview", r.label, r.value, unit="currency", text_=r.note) for r in both
                    if r.value is not None]
        risk = behind(both)
    figures += churn_rows
    step(0.15, "Health scores and their back-test ...")
    health_rows, health = page_figures.health(engine, as_of, params.health_backtest_months, params.health_horizon,
                                              inputs)
    figures += health_rows
    params = dataclasses.replace(params, health_horizon=health["horizon"])
    step(0.5, "Feedback themes ...")
    theme_rows, codebook = _themes(engine, source, as_of, start, params.top_themes, revenue)
    figures += theme_rows
    step(0.75, "Intervention ROI ...")
    figures += _plays(engine, source, params, as_of)
    step(1.0, "Done")
    versions = {"churn_model": None, "churn_fit": FITTED if fitted is not None else None,
                "health_config": health["version"],
                "health_settings": health["config"], "codebook": codebook,
                "lapse": None if inputs.lapse is None else proposed_assumption(inputs.lapse.proposal),
                "source": source.name,
                "libraries": library_versions()}
    frame = pd.DataFrame(figures, columns=FIGURE_COLUMNS)
    return Snapshot(label, as_of, fingerprint(source), params.to_dict(), versions, frame, at_risk=risk)


@answered
def warehouse_quarters(source: Source) -> tuple[list[str], str | None]:
    """The quarters the warehouse's data covers (newest first) and the default one
    (:func:`core.review.snapshot.quarters_of`)."""
    customers = warehouse_customers(source)
    return quarters_of(customers, warehouse_overview.last_month_row(warehouse_overview.last_mrr_month(source)))


def _overview(source: Source, as_of) -> list[dict]:
    """The Overview's figures as of ``as_of`` and the MRR movements of its quarter (the three months ending then)."""
    ov = warehouse_overview.overview(source, end=as_of)
    rows = page_figures.overview_rows(ov)
    table = warehouse_overview.movements(source, end=as_of)
    if len(table):
        first = (pd.Timestamp(as_of).to_period("M") - 2).to_timestamp()
        table = table[pd.to_datetime(table["month"]) >= first].reset_index(drop=True)
    return rows + page_figures.movement_rows(table)


def _fit(inputs) -> tuple[cr.ChurnResult, cr.Economics] | None:
    """The churn model the Churn drivers page fits on the warehouse, at its default horizon (a purchase log's lapse
    period) and economics; None when the data cannot train one (too few customers or churners), as a store's review
    without a saved model has no churn figures."""
    lapse_days = None if inputs.lapse is None else inputs.lapse.days
    horizon = default_horizon(lapse_days, inputs.customers["signup_date"].min(), inputs.end())
    try:
        return cr.fit_churn(inputs, horizon_days=horizon), cr.default_economics(inputs)
    except InsufficientDataError:
        return None


def _themes(engine: Engine, source: Source, as_of, start, top: int, revenue: pd.DataFrame) -> tuple[list[dict], int]:
    """The Feedback themes' figures of the warehouse's texts; none when its mapping names none."""
    try:
        inputs = warehouse_feedback_inputs(source)
    except NoDataYetError:
        return [], 0
    return page_figures.themes(engine, as_of, start, top, inputs, revenue)


def _plays(engine: Engine, source: Source, params: ReviewParams, as_of) -> list[dict]:
    """The Intervention ROI's figures of the warehouse's contacts; none when its mapping names none."""
    try:
        inputs = warehouse_roi_inputs(source)
    except NoDataYetError:
        return []
    return page_figures.roi_plays(engine, params, as_of, inputs)


@answered
def fingerprint(source: Source) -> str:
    """SHA-256 of what each mapped table holds: its rows, and the first and last value and the sum of each of its
    columns that has them (dates, amounts), asked of the warehouse; equal on the same tables. A sum of floats is
    written to 9 significant digits: an engine adding on several threads may move its last bits between two runs
    (:mod:`core.query.exact`), which must not move the fingerprint."""
    held = {}
    for name in ("store_customers", "activity", "revenue", "tickets", "feedback", "contacts"):
        t = getattr(source, name)
        if t is None:
            continue
        sums = {"rows": t.count()}
        for c in t.columns:
            kind = t[c].type()
            if kind.is_temporal() or kind.is_numeric():
                sums |= {f"{c} first": t[c].min(), f"{c} last": t[c].max()}
            if kind.is_numeric():
                sums[f"{c} sum"] = t[c].sum()
        got = source.con.execute(t.aggregate(**sums)).iloc[0]
        held[name] = {k: _written(v, t[k.rsplit(" ", 1)[0]].type().is_floating() if k != "rows" else False)
                      for k, v in got.items()}
    return hashlib.sha256(json.dumps(held, sort_keys=True).encode()).hexdigest()


def _written(value, floating: bool) -> str:
    """A fingerprint's value as text: a float to 9 significant digits, anything else as it is."""
    return f"{float(value):.9g}" if floating and pd.notna(value) else str(value)
