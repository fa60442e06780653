"""MRR at risk, for the Overview: the MRR of the customers the newest saved churn model puts in its high-risk tier,
and of the customers whose health band is red, each with the list of those customers.

Both are MRR of the Overview's as-of month (:func:`core.metrics.monthly_mrr`), so each is a part of the MRR tile; a
customer outside the filtered customers never counts. It lives with the review, the one package that reads every
page's saved results (the churn model's scores, the health configuration): the Overview and the quarterly review
can show the same figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core import metrics
from core.churn.pipeline import TIERS
from core.churn.store import latest_scores, runs
from core.errors import InsufficientDataError
from core.export import units
from core.health import score as h
from core.health import store as hs
from core.health.coverage import coverage
from core.history.features import asked_ahead
from core.history.inputs import load_inputs
from core.review.figures import row
from core.store.read import load_columns
from core.store.tables import ChurnRun
from core.store.version import data_loading

#: the churn model's tier whose MRR is at risk, and the health band
HIGH, RED = TIERS[0], h.BANDS[0]
#: the customers behind a review snapshot's MRR-at-risk figures (:func:`review_figures`): ``figure`` is the figure's
#: label, ``group`` the customer's risk tier or health band
CUSTOMER_COLUMNS = ["figure", "customer_id", "mrr", "group"]
#: how the review, its workbook and its CSV head those columns
CUSTOMER_HEADERS = {"figure": "Figure", "customer_id": "Customer", "mrr": "MRR ($)",
                    "group": "Risk tier or health band"}


@dataclass(frozen=True)
class AtRisk:
    """One MRR-at-risk figure: ``label`` (its :data:`core.metrics.GLOSSARY` name), ``value`` (None: cannot be
    computed, ``note`` says why and what to do), and ``customers``: ``customer_id, mrr`` and ``tier`` or ``band``,
    largest MRR first."""

    label: str
    value: float | None
    customers: pd.DataFrame
    note: str

    @property
    def text(self) -> str:
        return units.format_value(self.value, "currency")

    @property
    def help(self) -> str:
        return metrics.definition(self.label) or ""


def month_mrr(revenue: pd.DataFrame, as_of) -> pd.Series:
    """Each customer's MRR in ``as_of``'s month, by ``customer_id`` as text (customers without any are absent)."""
    if not len(revenue):
        return pd.Series(dtype=float)
    mrr = metrics.monthly_mrr(revenue)
    mrr = mrr[mrr["month"].dt.to_period("M") == pd.Timestamp(as_of).to_period("M")]
    return mrr.groupby(mrr["customer_id"].astype(str))["mrr"].sum()


def listed(ids: pd.Series, kind: pd.Series, column: str, customers: pd.DataFrame, mrr: pd.Series) -> pd.DataFrame:
    """``customer_id, mrr, <column>`` of the ``ids`` among the filtered ``customers``, largest MRR first."""
    keep = ids.astype(str).isin(set(customers["customer_id"].astype(str)))
    ids = ids.astype(str)[keep].to_numpy()
    out = pd.DataFrame({"customer_id": ids, "mrr": mrr.reindex(ids, fill_value=0.0).to_numpy(float),
                        column: kind[keep].to_numpy()})
    return out.sort_values(["mrr", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def high_tier(scores: pd.DataFrame, customers: pd.DataFrame, revenue: pd.DataFrame, as_of) -> pd.DataFrame:
    """``customer_id, mrr, tier`` of the ``scores``' (``customer_id, tier``) high-risk tier among ``customers``, with
    their MRR in ``as_of``'s month, largest first."""
    high = scores[scores["tier"] == HIGH]
    return listed(high["customer_id"], high["tier"], "tier", customers, month_mrr(revenue, as_of))


def churn_risk(engine: Engine, customers: pd.DataFrame, revenue: pd.DataFrame, as_of: dt.date) -> AtRisk:
    """MRR at high churn risk: the high-risk tier of the newest saved churn model (its saved scores)."""
    label = "MRR at high churn risk"
    try:
        scores = latest_scores(engine)
    except InsufficientDataError:
        return AtRisk(label, None, pd.DataFrame(columns=["customer_id", "mrr", "tier"]),
                      "No churn model is saved yet, so there is no MRR at high churn risk to show: fit and save one "
                      "on the Churn drivers page.")
    table = high_tier(scores, customers, revenue, as_of)
    run = runs(engine).set_index("version").loc[int(scores["version"].iloc[0])]
    note = (f"{units.count(len(table))} customers in the high-risk tier of churn model v{run.name} (scored on "
            f"{pd.Timestamp(run['scored_at']):%d %b %Y}), with their MRR in {pd.Timestamp(as_of):%b %Y}.")
    return AtRisk(label, float(table["mrr"].sum()), table, note)


def health_risk(engine: Engine, customers: pd.DataFrame, revenue: pd.DataFrame, as_of: dt.date,
                inputs=None) -> AtRisk:
    """MRR in red: the customers whose health band is red on the as-of day (the data's last day if earlier), under
    the newest saved health configuration (:func:`core.health.store.current_config`). ``inputs``: the store's
    :func:`core.history.inputs.load_inputs`, when the caller has them already."""
    label = "MRR in red"
    if data_loading(engine):  # the health measures need usage, tickets and feedback: a part of them is no figure
        return AtRisk(label, None, pd.DataFrame(columns=["customer_id", "mrr", "band"]),
                      "The demo's usage data is still loading: the MRR in red shows once it is in.")
    inputs = load_inputs(engine) if inputs is None else inputs
    last = inputs.end()
    day = min(pd.Timestamp(as_of), last)
    try:
        with asked_ahead(inputs, [day, last]):
            frame, _ = h.measure_frame(inputs, day)
            cfg, version = hs.current_config(engine, frame if day == last else h.measure_frame(inputs, last)[0])
    except InsufficientDataError as exc:
        return AtRisk(label, None, pd.DataFrame(columns=["customer_id", "mrr", "band"]),
                      f"No health band to show: {exc}")
    s = h.score(cfg, frame)
    cover = coverage(cfg.min_measures, s)
    if not cover.banded:
        return AtRisk(label, None, pd.DataFrame(columns=["customer_id", "mrr", "band"]),
                      f"No health band to show on {day:%d %b %Y}: {cover.message}")
    red = s[s["band"] == RED]
    table = listed(red["customer_id"], red["band"], "band", customers, month_mrr(revenue, as_of))
    config = f"health configuration v{version}" if version is not None else "the default health configuration"
    note = (f"{units.count(len(table))} customers in the red health band on {day:%d %b %Y} ({config}), with their "
            f"MRR in {pd.Timestamp(as_of):%b %Y}.")
    return AtRisk(label, float(table["mrr"].sum()), table, note)


def saved_versions(engine: Engine) -> tuple[int | None, int | None]:
    """(newest saved churn model, newest saved health configuration): what the figures read besides the data, so a
    cache keyed by the store version is keyed by these too."""
    with engine.connect() as conn:
        churn = conn.execute(select(func.max(ChurnRun.version))).scalar()
    health = hs.versions(engine)
    return churn, None if health.empty else int(health["version"].iloc[0])


def at_risk(engine: Engine, customers: pd.DataFrame, revenue: pd.DataFrame, as_of: dt.date,
            inputs=None) -> tuple[AtRisk, ...]:
    """Both MRR-at-risk figures of the filtered ``customers`` as of ``as_of`` (the Overview's as-of day)."""
    return churn_risk(engine, customers, revenue, as_of), health_risk(engine, customers, revenue, as_of, inputs)


def review_figures(engine: Engine, as_of: dt.date, inputs=None) -> tuple[list[dict], pd.DataFrame]:
    """Both MRR-at-risk figures of the whole business as of ``as_of`` (the review's as-of day, the Overview's
    as-of month), as rows of the review's Overview (:func:`core.review.figures.row`: unit ``currency``, the figure's
    note as its text; a figure that cannot be computed has no row, as the review leaves out the Churn drivers' figures
    when no model is saved) and the customers behind them (:data:`CUSTOMER_COLUMNS`)."""
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    figures = at_risk(engine, customers, revenue, as_of, inputs)
    rows = [row("Overview", r.label, r.value, unit="currency", text_=r.note) for r in figures if r.value is not None]
    return rows, behind(figures)


def behind(figures: tuple[AtRisk, ...]) -> pd.DataFrame:
    """The customers behind ``figures``, one table (:data:`CUSTOMER_COLUMNS`), each figure's largest MRR first."""
    lists = [r.customers.rename(columns={"tier": "group", "band": "group"}).assign(figure=r.label)[CUSTOMER_COLUMNS]
             for r in figures if len(r.customers)]
    listed = pd.concat(lists, ignore_index=True) if lists else pd.DataFrame(columns=CUSTOMER_COLUMNS)
    return listed.astype({"figure": str, "customer_id": str, "mrr": float, "group": str})
