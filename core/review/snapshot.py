"""Quarterly review packs: frozen, versioned snapshots of every page's headline figures.

A snapshot (:func:`build`) holds, for one quarter, the figures a review board looks at, one row each in a
long table (:data:`FIGURE_COLUMNS`: ``page, metric, group, value, low, high, unit, text``), with what makes
them reproducible: the data's fingerprint (:func:`data_fingerprint`), the parameters (:class:`ReviewParams`),
the churn model and health configuration versions used, and the library versions. Saved snapshots
(:func:`save`) are never changed: the store refuses an update or a delete of the ``reviewsnapshot`` table.
Rebuilding a snapshot from the same data, parameters and versions gives identical figures.

:func:`compare` lines two snapshots up, figure by figure, with the known cause of each move (new data, a
changed parameter, a new model or configuration version).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from core.buyers.lapse import store_assumption
from core.errors import DataValidationError, InsufficientDataError
from core.export.units import format_value
from core.history import asof
from core.history.feature_labels import feature_label
from core.history.inputs import load_inputs
from core.metrics import definition
from core.review import figures as page_figures
from core.review.at_risk import CUSTOMER_COLUMNS, review_figures
from core.roi import defaults as roi_defaults
from core.store.dates import datetimes
from core.store.profile import profile
from core.store.read import load_columns
from core.store.tables import TABLES, ImportLog

FIGURE_COLUMNS = ["page", "metric", "group", "value", "low", "high", "unit", "text"]
#: the pages of a snapshot, in the order the review, the workbook and the report show them
PAGES = ("Overview", "Churn drivers", "Health scores", "Feedback themes", "Intervention ROI")
#: the libraries whose versions a snapshot records (the figures depend on them)
LIBRARIES = ("pandas", "numpy", "scipy", "scikit-learn", "lifelines", "shap", "statsmodels", "vaderSentiment",
             "SQLAlchemy", "sqlmodel")
_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True)
class ReviewParams:
    """The settings behind a snapshot's figures (the pages' defaults).

    Attributes
    ----------
    roi_window : int
        Days after a contact over which each play's retention is measured.
    margin : float
        Gross margin used in money figures.
    value_months : int
        Months of MRR a saved customer is assumed to bring.
    health_backtest_months : int
        Month ends the health back-test scores.
    health_horizon : int, optional
        Days after a back-test month end within which a churn counts; None (the default): the Health scores page's,
        90 days or a purchase log's lapse period (:func:`core.health.backtest.default_horizon`). The snapshot records
        the days used.
    top_themes : int
        Themes kept, ranked by churn impact.
    """
    roi_window: int = roi_defaults.WINDOW_DAYS
    margin: float = roi_defaults.MARGIN
    value_months: int = roi_defaults.VALUE_MONTHS
    health_backtest_months: int = 12
    health_horizon: int | None = None
    top_themes: int = 5

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class Snapshot:
    """One quarter's review pack.

    Attributes
    ----------
    quarter : str
        ``YYYY-Qn``.
    as_of : datetime.date
        The day the figures describe: the quarter's last day, or the data's last day when earlier.
    data_hash : str
        :func:`data_fingerprint` of the store when it was built.
    params : dict
        :meth:`ReviewParams.to_dict`.
    versions : dict
        ``churn_model`` and ``health_config`` versions used (None when none is saved), ``libraries``.
    figures : pandas.DataFrame
        :data:`FIGURE_COLUMNS`.
    id : int or None
        Set once saved.
    created_at : datetime.datetime or None
        UTC, set once saved.
    at_risk : pandas.DataFrame
        The customers behind the Overview's MRR-at-risk figures
        (:data:`core.review.at_risk.CUSTOMER_COLUMNS`), largest MRR first within each figure.
    """
    quarter: str
    as_of: dt.date
    data_hash: str
    params: dict
    versions: dict
    figures: pd.DataFrame
    id: int | None = None
    created_at: dt.datetime | None = None
    at_risk: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CUSTOMER_COLUMNS))


def page_table(snap: Snapshot | pd.DataFrame, page: str) -> pd.DataFrame:
    """One page's figures as the review page and the workbook show them: ``metric, group, value, low, high,
    unit, shown, note, definition`` (``shown``: :func:`format_value` with the interval; a top driver's name)."""
    figures = snap.figures if isinstance(snap, Snapshot) else snap
    f = figures[figures["page"] == page].reset_index(drop=True)
    shown = []
    for r in f.itertuples(index=False):
        if r.metric == "Top driver":
            shown.append(feature_label(r.text))  # by its label, whatever the snapshot holds
            continue
        v = format_value(r.value, r.unit)
        if pd.notna(r.low) and pd.notna(r.high) and r.low != r.high:  # a known figure (a cost) has no interval
            v += f" [{format_value(r.low, r.unit)}, {format_value(r.high, r.unit)}]"
        shown.append(v)

    return pd.DataFrame({"metric": f["metric"], "group": f["group"], "value": f["value"], "low": f["low"],
                         "high": f["high"], "unit": f["unit"], "shown": shown,
                         "note": np.where(f["metric"] == "Top driver", "", f["text"]),
                         "definition": [definition(m) or "" for m in f["metric"]]})


def quarter_bounds(label: str) -> tuple[dt.date, dt.date, str]:
    """``'2026Q3'`` or ``'2026-Q3'`` -> (first day, last day, ``'2026-Q3'``).

    Raises
    ------
    DataValidationError
        The label is not a year and a quarter.

    Examples
    --------
    >>> quarter_bounds("2026q3")
    (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30), '2026-Q3')
    """
    m = _QUARTER.match(str(label))
    if not m:
        raise DataValidationError(f"'{label}' is not a quarter: write it as 2026-Q3 (year, Q and 1 to 4).")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
    return start, end, f"{year}-Q{q}"


def available_quarters(engine: Engine) -> tuple[list[str], str | None]:
    """The quarters the data covers, newest first, and the default: the newest quarter that ended by the data's
    last day (else the newest); on a store holding a snapshot, the quarter holding the snapshot's (last) as-of day,
    since every churn it knows is dated on that day. ``([], None)`` for a store without customers."""
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    if customers["signup_date"].isna().all():
        return [], None
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    day = profile(engine).span("snapshot")[1]
    return quarters_of(customers, revenue, day)


def quarters_of(customers: pd.DataFrame, revenue: pd.DataFrame,
                held: dt.date | None = None) -> tuple[list[str], str | None]:
    """:func:`available_quarters` of ``customers`` and ``revenue`` (any source's), ``held`` the last as-of day of a
    snapshot of customers (None: none)."""
    first = datetimes(customers["signup_date"]).min() if len(customers) else pd.NaT
    if pd.isna(first):
        return [], None
    last = asof.as_of_month(customers, revenue)
    periods = pd.period_range(first.to_period("Q"), last.to_period("Q"), freq="Q")[::-1]
    labels = [f"{p.year}-Q{p.quarter}" for p in periods]
    done = [q for q, p in zip(labels, periods, strict=True) if p.end_time.normalize() <= last]
    held = f"{held.year}-Q{(held.month - 1) // 3 + 1}" if held is not None else None
    return labels, (held if held in labels else done[0] if done else labels[0])


def data_fingerprint(engine: Engine) -> str:
    """SHA-256 of what built the store's data: every import (the file's own SHA-256, kind, mode, rows loaded
    and the rows it added per table, in import order) and each data table's row count.

    The store changes only through imports (an undone import takes its rows away and stays in the log marked
    undone, so it is left out here), so equal fingerprints mean the same data; any import, undo or replacement
    changes it.
    """
    t = ImportLog.__table__
    with engine.connect() as conn:
        imports = conn.execute(select(t.c.id, t.c.sha256, t.c.kind, t.c.mode, t.c.rows_loaded, t.c.tables)
                               .where(t.c.undone_at.is_(None)).order_by(t.c.id)).all()
        counts = {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
                  for name in TABLES if name != "importlog"}
    payload = {"imports": [[i, sha, kind, mode, int(n), tables] for i, sha, kind, mode, n, tables in imports],
               "rows": counts}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def churn_model_text(versions: dict, none: str = "none") -> str:
    """The churn model behind a snapshot's figures, as every surface names it: ``v3`` (a saved model), the warehouse
    review's fit (:data:`core.review.warehouse_snapshot.FITTED`, recorded as ``churn_fit``), else ``none``."""
    v = versions.get("churn_model")
    if v is not None and not (isinstance(v, float) and np.isnan(v)):
        return f"v{v}"
    return versions.get("churn_fit") or none


def fingerprint_note(versions: dict) -> str:
    """What a snapshot's data fingerprint is the SHA-256 of: the store's imports, or a warehouse's tables."""
    return ("SHA-256 of the warehouse's tables (rows, first and last values, sums)" if versions.get("source")
            else "SHA-256 of the store's imports and row counts")


def library_versions() -> dict[str, str]:
    """Installed versions of :data:`LIBRARIES` (``'missing'`` for one not installed)."""
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "missing"
    return out


def build(engine: Engine, quarter: str, params: ReviewParams | None = None, progress=None) -> Snapshot:
    """The review pack of ``quarter`` from the store as it is now (not saved: see :func:`save`).

    Parameters
    ----------
    engine : sqlalchemy.engine.Engine
    quarter : str
        ``2026-Q3`` (or ``2026Q3``).
    params : ReviewParams, optional
    progress : callable, optional
        ``progress(fraction, text)`` between the pages' figures.

    Returns
    -------
    Snapshot

    Raises
    ------
    DataValidationError
        A bad quarter label.
    InsufficientDataError
        The store has no customers, or the quarter ends before the data starts.
    """
    params = params or ReviewParams()
    start, end, label = quarter_bounds(quarter)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    if customers.empty:
        raise InsufficientDataError("There is nothing to review: import customers or load the demo first.")
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    first = datetimes(customers["signup_date"]).min()
    if pd.notna(first) and pd.Timestamp(end) < first:
        raise InsufficientDataError(f"{label} ends before the data starts ({first:%Y-%m-%d}): choose a later quarter.")
    as_of = asof.clamp(end, asof.as_of_month(customers, revenue)).date()
    step = progress or (lambda f, t: None)
    step(0.0, "Overview ...")
    found = profile(engine)  # the store's profile, read once for the Overview's figures and the snapshot's notes
    figures = page_figures.overview(engine, as_of, found)
    at_risk, inputs = pd.DataFrame(columns=CUSTOMER_COLUMNS), load_inputs(engine)  # read once: health, MRR in red
    if any(r["metric"] == "MRR" for r in figures):  # as the Overview page: MRR at risk beside the recurring revenue
        risk_rows, at_risk = review_figures(engine, as_of, inputs)
        figures += risk_rows
    step(0.1, "Churn model ...")
    churn_rows, churn_version = page_figures.churn(engine)
    figures += churn_rows
    step(0.15, "Health scores and their back-test ...")
    health_rows, health = page_figures.health(engine, as_of, params.health_backtest_months, params.health_horizon,
                                              inputs)
    figures += health_rows
    params = dataclasses.replace(params, health_horizon=health["horizon"])  # the days used, whatever the default
    step(0.5, "Feedback themes ...")
    theme_rows, codebook = page_figures.themes(engine, as_of, start, params.top_themes)
    figures += theme_rows
    step(0.75, "Intervention ROI ...")
    figures += page_figures.roi_plays(engine, params, as_of)
    step(1.0, "Done")
    frame = pd.DataFrame(page_figures.snapshot_notes(engine, as_of, figures, found=found), columns=FIGURE_COLUMNS)
    versions = {"churn_model": churn_version, "health_config": health["version"], "health_settings": health["config"],
                "codebook": codebook, "lapse": store_assumption(engine), "libraries": library_versions()}
    return Snapshot(label, as_of, data_fingerprint(engine), params.to_dict(), versions, frame, at_risk=at_risk)


# storage: core.review.saved; comparison: core.review.compare
__all__ = ["FIGURE_COLUMNS", "PAGES", "ReviewParams", "Snapshot", "available_quarters", "build", "churn_model_text",
           "data_fingerprint", "fingerprint_note", "library_versions", "page_table", "quarter_bounds"]
