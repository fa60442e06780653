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
from dataclasses import dataclass
from importlib import metadata

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from core.errors import DataValidationError, InsufficientDataError, WorkbenchError
from core.export.units import format_value
from core.history import asof

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
    health_horizon : int
        Days after a back-test month end within which a churn counts.
    top_themes : int
        Themes kept, ranked by churn impact.
    """

    roi_window: int = 90
    margin: float = 0.8
    value_months: int = 12
    health_backtest_months: int = 12
    health_horizon: int = 90
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
    """

    quarter: str
    as_of: dt.date
    data_hash: str
    params: dict
    versions: dict
    figures: pd.DataFrame
    id: int | None = None
    created_at: dt.datetime | None = None


def page_table(snap: Snapshot | pd.DataFrame, page: str) -> pd.DataFrame:
    """One page's figures as the review page and the workbook show them: ``metric, group, value, low, high,
    unit, shown, note, definition`` (``shown``: :func:`format_value` with the interval; a top driver's name)."""
    figures = snap.figures if isinstance(snap, Snapshot) else snap
    f = figures[figures["page"] == page].reset_index(drop=True)
    shown = []
    for r in f.itertuples(index=False):
        if r.metric == "Top driver":
            shown.append(r.text)
            continue
        v = format_value(r.value, r.unit)
        if pd.notna(r.low) and pd.notna(r.high) and r.low != r.high:  # a known figure (a cost) has no interval
            v += f" [{format_value(r.low, r.unit)}, {format_value(r.high, r.unit)}]"
        shown.append(v)
    from core.metrics import definition

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
    last day (else the newest). ``([], None)`` for a store without customers."""
    from core.store.read import load_columns

    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    first = pd.to_datetime(customers["signup_date"]).min() if len(customers) else pd.NaT
    if pd.isna(first):
        return [], None
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    last = asof.as_of_month(customers, revenue)
    periods = pd.period_range(first.to_period("Q"), last.to_period("Q"), freq="Q")[::-1]
    labels = [f"{p.year}-Q{p.quarter}" for p in periods]
    done = [q for q, p in zip(labels, periods, strict=True) if p.end_time.normalize() <= last]
    return labels, (done[0] if done else labels[0])


def data_fingerprint(engine: Engine) -> str:
    """SHA-256 of what built the store's data: every import (the file's own SHA-256, kind, mode, rows loaded
    and the rows it added per table, in import order) and each data table's row count.

    The store changes only through imports (an undone import takes its rows and its log row away), so
    equal fingerprints mean the same data; any import, undo or replacement changes it.
    """
    from core.store.tables import TABLES, ImportLog

    t = ImportLog.__table__
    with engine.connect() as conn:
        imports = conn.execute(select(t.c.id, t.c.sha256, t.c.kind, t.c.mode, t.c.rows_loaded, t.c.tables)
                               .order_by(t.c.id)).all()
        counts = {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
                  for name in TABLES if name != "importlog"}
    payload = {"imports": [[i, sha, kind, mode, int(n), tables] for i, sha, kind, mode, n, tables in imports],
               "rows": counts}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def library_versions() -> dict[str, str]:
    """Installed versions of :data:`LIBRARIES` (``'missing'`` for one not installed)."""
    out = {}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = "missing"
    return out


def _row(page, metric, value=np.nan, low=np.nan, high=np.nan, unit="", group="", text_="") -> dict:
    return {"page": page, "metric": metric, "group": group, "value": float(value), "low": float(low),
            "high": float(high), "unit": unit, "text": text_}


def _overview(engine: Engine, as_of: dt.date) -> list[dict]:
    from core import metrics
    from core.store.read import load_columns

    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    h = metrics.headline(customers, revenue, as_of=as_of)
    return [_row("Overview", "Customers", h.customers, unit="customers"),
            _row("Overview", "Active customers", h.active_customers, unit="customers"),
            _row("Overview", "Logo churn rate", h.logo_churn_rate, unit="share"),
            _row("Overview", "Revenue churn rate", h.revenue_churn_rate, unit="share"),
            _row("Overview", "MRR", h.mrr, unit="currency"),
            _row("Overview", "NRR", h.nrr, unit="share"),
            _row("Overview", "GRR", h.grr, unit="share")]


def _churn(engine: Engine) -> tuple[list[dict], int | None]:
    from core.store.tables import ChurnRun

    with engine.connect() as conn:
        run = conn.execute(select(ChurnRun.version, ChurnRun.card).order_by(ChurnRun.version.desc()).limit(1)).first()
    if run is None:
        return [], None
    version, card = run
    m = card["metrics"][card["model"]]
    rows = [_row("Churn drivers", "ROC-AUC", m["roc_auc"], *m["roc_auc_ci"], unit="score"),
            _row("Churn drivers", "PR-AUC", m["pr_auc"], *m["pr_auc_ci"], unit="score"),
            _row("Churn drivers", "Brier score", m["brier"], unit="score")]
    rows += [_row("Churn drivers", "Top driver", i + 1, unit="rank", group=f"#{i + 1}", text_=name)
             for i, name in enumerate(card.get("top_drivers", []))]
    return rows, int(version)


#: the money figures of each play's arm kept in a snapshot (core.roi.effect.money's measures, the Money tab's defaults)
ROI_MONEY = ("Contacts treated", "Customers saved", "Revenue saved (window)", "Cost", "Value of customers saved",
             "Net value (projected)",
             "ROI (projected)")


def _roi(engine: Engine, params: ReviewParams, as_of: dt.date) -> list[dict]:
    """Each play's contacts and effect (the All plays table) and, per treatment arm, the Money tab's figures
    at its defaults (CUPED on), over the contacts made by ``as_of`` as the data stood that day."""
    from core.roi import effect as roi

    try:
        inputs = roi.load_inputs(engine)
    except InsufficientDataError:
        return []
    inputs.interventions = inputs.interventions[inputs.interventions["date"] <= pd.Timestamp(as_of)]
    if inputs.interventions.empty:
        return []
    inputs.end = min(inputs.end, pd.Timestamp(as_of))
    rows = []
    for r in roi.plays_table(inputs, window=params.roi_window).itertuples(index=False):
        rows.append(_row("Intervention ROI", "Contacts", r.contacts, unit="contacts", group=r.play))
        rows.append(_row("Intervention ROI", "Play effect", r.difference, r.low, r.high, unit="points",
                         group=r.play, text_=f"retention over {params.roi_window} days, treated minus held out"))
        f = roi.outcomes(inputs, r.play, window=params.roi_window)
        if not roi.store_outcomes_apply(f):
            continue
        control = roi.CONTROL if roi.CONTROL in set(f["arm"]) else roi.default_control(f)
        arms = roi.arms(f, control)
        for arm in arms:
            try:
                m = roi.money(f, arm, control=control, margin=params.margin, value_months=params.value_months)
            except WorkbenchError:
                continue  # an arm without measured contacts has no money figures
            group = r.play if len(arms) == 1 else f"{r.play} · {arm}"
            for x in m[m["measure"].isin(ROI_MONEY)].itertuples(index=False):
                rows.append(_row("Intervention ROI", x.measure, x.value, x.low, x.high, unit=x.unit, group=group,
                                 text_=x.definition))
    return rows


def _health(engine: Engine, as_of: dt.date, months: int, horizon: int) -> tuple[list[dict], dict]:
    """The Health scores page's portfolio on ``as_of`` (under the newest saved configuration, else the default
    the page would save) and its back-test over the ``months`` month ends whose ``horizon`` ended by then.

    Returns the rows and ``{"version": int or None, "config": HealthConfig.to_dict()}``.
    """
    from core.health import backtest as hb
    from core.health import score as h
    from core.health import store as hs
    from core.history.inputs import load_inputs

    inputs = load_inputs(engine)
    day = pd.Timestamp(as_of)
    try:
        frame, _ = h.measure_frame(inputs, day)
    except InsufficientDataError:
        return [], {"version": None, "config": None}
    cfg, version = hs.current_config(engine, h.measure_frame(inputs, inputs.end())[0])
    s = h.score(cfg, frame)
    s = s[s["score"].notna()]
    page = "Health scores"
    rows = [_row(page, "Customers scored", len(s), unit="customers")]
    for band in h.BANDS:
        inside = s["band"] == band
        rows.append(_row(page, "Health band", inside.mean() if len(s) else np.nan, unit="share", group=band,
                         text_=f"{int(inside.sum()):,} customers"))
    rows.append(_row(page, "MRR in red", s.loc[s["band"] == "red", "mrr"].sum(), unit="currency"))
    try:
        data = hb.backtest_data(inputs, months, horizon, end=day)
        bt = hb.evaluate(cfg, data)
    except WorkbenchError:
        return rows, {"version": version, "config": cfg.to_dict()}
    span = f"{len(data.frames)} month ends from {data.cutoffs[0]:%Y-%m-%d} to {data.cutoffs[-1]:%Y-%m-%d}"
    rows.append(_row(page, "Health back-test AUC", bt.auc, unit="score", text_=f"churn within {horizon} days; {span}"))
    for b in bt.bands.itertuples(index=False):
        rows.append(_row(page, "Band churn rate", b.churn_rate, unit="share", group=b.band,
                         text_=f"{int(b.churners):,} of {int(b.customers):,} scored rows churned within "
                               f"{horizon} days"))
    rows.append(_row(page, "Red/green churn ratio", bt.red_green_ratio, unit="ratio"))
    return rows, {"version": version, "config": cfg.to_dict()}


def _themes(engine: Engine, as_of: dt.date, start: dt.date, top: int) -> tuple[list[dict], int]:
    """The quarter's NPS, CSAT and CES, and the Feedback themes page's ``top`` themes by churn impact over
    the 12 months ending ``as_of``, with the data as it stood that day. Returns the rows and the codebook's
    version (the number of changes in its log)."""
    from core.feedback import store as ts
    from core.feedback.impact import theme_impact
    from core.feedback.inputs import latest_mrr, load_inputs
    from core.feedback.prepared import prepare
    from core.feedback.surveys import headline_scores
    from core.feedback.tagging import tag
    from core.store.read import load_columns

    try:
        inputs = load_inputs(engine)
    except InsufficientDataError:
        return [], 0
    day = pd.Timestamp(as_of)
    inputs.verbatims = inputs.verbatims[inputs.verbatims["date"] <= day].reset_index(drop=True)
    inputs.surveys = inputs.surveys[inputs.surveys["date"] <= day].reset_index(drop=True)
    inputs.end = min(inputs.end, day)
    inputs.mrr = latest_mrr(load_columns(engine, "revenue", ["customer_id", "period", "mrr"]), day)
    page = "Feedback themes"
    rows = []
    # NPS in its own points; CSAT (a percentage) as a share like every other rate
    units, scale = {"NPS": "nps", "CSAT": "share", "CES": "score"}, {"CSAT": 0.01}
    for metric, (v, lo, hi, n) in headline_scores(inputs, start=pd.Timestamp(start), end=day).items():
        if n:
            k = scale.get(metric, 1.0)
            rows.append(_row(page, metric, k * v, k * lo, k * hi, unit=units[metric],
                             text_=f"{n:,} answers in the quarter"))
    book = ts.load_codebook(engine)
    version = len(ts.change_log(engine))
    if inputs.verbatims.empty or not book.active():
        return rows, version
    prepared = prepare(inputs)
    window = day - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    imp = theme_impact(prepared, tag(prepared["text"], book), book, inputs, start=window, end=day)
    imp = imp[imp["mentions"] > 0].head(top)
    span = f"verbatims from {window:%Y-%m-%d} to {day:%Y-%m-%d}"
    for rank, t in enumerate(imp.itertuples(index=False), start=1):
        g = t.theme  # by name, so a comparison follows a theme that changed rank
        rows += [_row(page, "Mentions", t.mentions, unit="verbatims", group=g,
                      text_=f"#{rank} by churn impact; {t.share:.1%} of the {span}"),
                 _row(page, "Churn impact", t.churn_diff, t.churn_low, t.churn_high, unit="points", group=g,
                      text_=f"{t.churn_raised:.1%} of {t.n_raised:,} who named it vs "
                      f"{t.churn_others:.1%} of {t.n_others:,} others"),
                 _row(page, "NPS impact", t.nps_impact, unit="nps", group=g),
                 _row(page, "MRR at risk", t.mrr_at_risk, unit="currency", group=g,
                      text_=f"{t.customers_at_risk:,} active customers")]
    return rows, version


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
    from core.store.read import load_columns

    params = params or ReviewParams()
    start, end, label = quarter_bounds(quarter)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    if customers.empty:
        raise InsufficientDataError("There is nothing to review: import customers or load the demo first.")
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    first = pd.to_datetime(customers["signup_date"]).min()
    if pd.notna(first) and pd.Timestamp(end) < first:
        raise InsufficientDataError(f"{label} ends before the data starts ({first:%Y-%m-%d}): choose a later quarter.")
    as_of = asof.clamp(end, asof.as_of_month(customers, revenue)).date()
    step = progress or (lambda f, t: None)
    step(0.0, "Overview ...")
    figures = _overview(engine, as_of)
    step(0.1, "Churn model ...")
    churn_rows, churn_version = _churn(engine)
    figures += churn_rows
    step(0.15, "Health scores and their back-test ...")
    health_rows, health = _health(engine, as_of, params.health_backtest_months, params.health_horizon)
    figures += health_rows
    step(0.5, "Feedback themes ...")
    theme_rows, codebook = _themes(engine, as_of, start, params.top_themes)
    figures += theme_rows
    step(0.75, "Intervention ROI ...")
    figures += _roi(engine, params, as_of)
    step(1.0, "Done")
    frame = pd.DataFrame(figures, columns=FIGURE_COLUMNS)
    versions = {"churn_model": churn_version, "health_config": health["version"], "health_settings": health["config"],
                "codebook": codebook, "libraries": library_versions()}
    return Snapshot(label, as_of, data_fingerprint(engine), params.to_dict(), versions, frame)


# --------------------------------------------------------------------------- storage
def _guard(engine: Engine) -> None:
    """Triggers that make saved snapshots read-only (SQLite): an UPDATE or DELETE is aborted."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        for what in ("UPDATE", "DELETE"):
            conn.execute(text(f"CREATE TRIGGER IF NOT EXISTS reviewsnapshot_no_{what.lower()} BEFORE {what} ON "
                              "reviewsnapshot BEGIN SELECT RAISE(ABORT, 'review snapshots are never changed'); END"))


def save(engine: Engine, snap: Snapshot) -> int:
    """Store ``snap`` for good; returns its id (and sets ``snap.id`` and ``snap.created_at``)."""
    from core.store.tables import ReviewSnapshot

    _guard(engine)
    created = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        res = conn.execute(ReviewSnapshot.__table__.insert().values(
            quarter=snap.quarter, as_of=snap.as_of, created_at=created, data_hash=snap.data_hash,
            params=snap.params, versions=snap.versions, figures=_records(snap.figures)))
    snap.id, snap.created_at = int(res.inserted_primary_key[0]), created
    return snap.id


def _records(figures: pd.DataFrame) -> list[dict]:
    """JSON-safe rows (NaN as None)."""
    f = figures[FIGURE_COLUMNS].astype(object).where(figures[FIGURE_COLUMNS].notna(), None)
    return f.to_dict("records")


def snapshots(engine: Engine) -> pd.DataFrame:
    """Saved snapshots, newest first: ``id, quarter, as_of, created_at, data_hash, figures``."""
    from core.store.tables import ReviewSnapshot

    t = ReviewSnapshot.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.id, t.c.quarter, t.c.as_of, t.c.created_at, t.c.data_hash, t.c.figures)
                            .order_by(t.c.id.desc())).all()
    df = pd.DataFrame(rows, columns=["id", "quarter", "as_of", "created_at", "data_hash", "figures"])
    df["figures"] = [len(f or []) for f in df["figures"]]
    return df


def load(engine: Engine, snapshot_id: int) -> Snapshot:
    """A saved snapshot.

    Raises
    ------
    DataValidationError
        No snapshot has that id.
    """
    from core.store.tables import ReviewSnapshot

    with engine.connect() as conn:
        t = ReviewSnapshot.__table__
        s = conn.execute(select(t).where(t.c.id == int(snapshot_id))).mappings().first()
    if s is None:
        have = snapshots(engine)["id"].tolist()
        raise DataValidationError(f"There is no snapshot {snapshot_id}. Saved: {', '.join(map(str, have)) or 'none'}.")
    figures = pd.DataFrame(s["figures"] or [], columns=FIGURE_COLUMNS)
    for c in ("value", "low", "high"):
        figures[c] = pd.to_numeric(figures[c], errors="coerce").astype(float)
    for c in ("page", "metric", "group", "unit", "text"):
        figures[c] = figures[c].fillna("").astype(str)
    return Snapshot(s["quarter"], s["as_of"], s["data_hash"], dict(s["params"]), dict(s["versions"]), figures,
                    s["id"], s["created_at"])


# --------------------------------------------------------------------------- comparison
def _v(version) -> str:
    return "none" if version is None else f"v{version}"


def _model_cause(before: Snapshot, after: Snapshot, key: str, name: str) -> list[str]:
    a, b = before.versions.get(key), after.versions.get(key)
    return [] if a == b else [f"{name} {_v(a)} -> {_v(b)}"]


def _health_cause(before: Snapshot, after: Snapshot) -> list[str]:
    """``health configuration v1 -> v2 (weight: Usage level (adoption) 30 -> 40; ...)`` when the settings differ."""
    from core.health.score import HealthConfig
    from core.health.store import compare as settings_diff

    va, vb = before.versions.get("health_config"), after.versions.get("health_config")
    ca, cb = before.versions.get("health_settings"), after.versions.get("health_settings")
    if va == vb and ca == cb:
        return []
    what = ""
    if ca and cb:
        d = settings_diff(HealthConfig.from_dict(ca), HealthConfig.from_dict(cb))
        what = "; ".join(f"{r.setting} {r.a} -> {r.b}" for r in d.itertuples(index=False))
    head = f"health configuration {_v(va)} -> {_v(vb)}" if va != vb else "health configuration"
    return [f"{head} ({what})" if what else head]


def compare(before: Snapshot, after: Snapshot) -> pd.DataFrame:
    """Each figure of the two snapshots side by side: ``page, metric, group, unit, before, after, change,
    text_before, text_after, cause``.

    ``cause`` names what is known to differ between the two builds and could move the figure: ``another
    quarter``, ``new data`` (different data fingerprints), ``parameter <name>`` (a changed
    :class:`ReviewParams` field the page's figures use), ``churn model v1 -> v2``, ``health configuration v1 ->
    v2 (weight: ... 30 -> 40)``, ``codebook v3 -> v4``, ``library <name>``;
    empty when nothing differs (the figure cannot have moved). A figure in only one snapshot has an empty
    side.
    """
    key = ["page", "metric", "group"]
    a = before.figures[key + ["value", "text"]].rename(columns={"value": "before", "text": "text_before"})
    b = after.figures[key + ["value", "text"]].rename(columns={"value": "after", "text": "text_after"})
    # the later snapshot's order, then the figures only the earlier one has
    ia, ib = pd.MultiIndex.from_frame(a[key]), pd.MultiIndex.from_frame(b[key])
    order = ib.append(ia[~ia.isin(ib)])
    out = (b.set_index(key).reindex(order).join(a.set_index(key), how="left")).reset_index()
    out["change"] = out["after"] - out["before"]
    common = []
    if (before.quarter, before.as_of) != (after.quarter, after.as_of):
        common.append(f"another quarter ({before.quarter} as of {before.as_of:%Y-%m-%d} -> {after.quarter} as of "
                      f"{after.as_of:%Y-%m-%d})")
    if before.data_hash != after.data_hash:
        common.append("new data")
    libs_a, libs_b = before.versions.get("libraries", {}), after.versions.get("libraries", {})
    common += [f"library {k} {libs_a.get(k)} -> {libs_b.get(k)}" for k in sorted(set(libs_a) | set(libs_b))
               if libs_a.get(k) != libs_b.get(k)]
    uses = {"Intervention ROI": ("roi_window", "margin", "value_months"),
            "Health scores": ("health_backtest_months", "health_horizon"), "Feedback themes": ("top_themes",)}
    by_page = {"Churn drivers": _model_cause(before, after, "churn_model", "churn model"),
               "Health scores": _health_cause(before, after),
               "Feedback themes": _model_cause(before, after, "codebook", "codebook")}
    causes = []
    for page in out["page"]:
        c = list(common)
        c += [f"parameter {p} {before.params.get(p)} -> {after.params.get(p)}" for p in uses.get(page, ())
              if before.params.get(p) != after.params.get(p)]
        c += by_page.get(page, [])
        causes.append("; ".join(c))
    out["cause"] = causes
    units = pd.concat([after.figures[key + ["unit"]], before.figures[key + ["unit"]]]).drop_duplicates(key)
    out["unit"] = [units.set_index(key)["unit"].get(k, "") for k in zip(out["page"], out["metric"], out["group"],
                                                                        strict=True)]
    return out[key + ["unit", "before", "after", "change", "text_before", "text_after", "cause"]]


def moved(comparison: pd.DataFrame) -> pd.Series:
    """Which rows of a :func:`compare` output moved: a value that changed, a figure in only one snapshot, or a
    top driver that changed place."""
    c = comparison
    value = c["change"].abs() > 1e-12
    one_side = c["before"].isna() != c["after"].isna()
    text_ = (c["metric"] == "Top driver") & (c["text_before"].fillna("") != c["text_after"].fillna(""))
    return (value | one_side | text_).fillna(False)


def shown_comparison(before: Snapshot, after: Snapshot, comparison: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`compare` as text the way the review shows it: ``page, metric, group, before, after, change, cause``
    (values by :func:`format_value` in each figure's unit; a top driver's name in place of its rank)."""
    c = compare(before, after) if comparison is None else comparison
    key = ["page", "metric", "group"]
    rows = []
    for r in c.itertuples(index=False):
        u = r.unit
        if r.metric == "Top driver":
            b, a, ch = (r.text_before if isinstance(r.text_before, str) else ""), \
                (r.text_after if isinstance(r.text_after, str) else ""), ""
        else:
            b, a, ch = format_value(r.before, u), format_value(r.after, u), format_value(r.change, u, signed=True)
        rows.append([r.page, r.metric, r.group, b, a, ch, r.cause])
    return pd.DataFrame(rows, columns=key + ["before", "after", "change", "cause"])


__all__ = ["FIGURE_COLUMNS", "PAGES", "ReviewParams", "Snapshot", "available_quarters", "build", "compare",
           "data_fingerprint", "library_versions", "load", "moved", "page_table", "quarter_bounds",
           "save", "shown_comparison", "snapshots"]
