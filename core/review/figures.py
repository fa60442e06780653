"""A snapshot's figures, page by page: each builder reads the store as it stood on the review's as-of day and
returns rows of :data:`core.review.snapshot.FIGURE_COLUMNS` (built with :func:`row`).

Each builder gives what its page shows: the Overview's headline, the newest saved churn model's card, the
Health scores portfolio and back-test, the Feedback themes' scores and top themes, each play's effect and money.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core import metrics
from core.errors import InsufficientDataError, WorkbenchError
from core.export import units
from core.feedback import store as ts
from core.feedback.impact import theme_impact
from core.feedback.inputs import latest_mrr
from core.feedback.inputs import load_inputs as load_feedback
from core.feedback.prepared import prepare
from core.feedback.surveys import headline_scores
from core.feedback.tagging import tag
from core.health import backtest as hb
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from core.roi import setup
from core.roi.inputs import load_inputs as load_roi_inputs
from core.roi.money import money
from core.roi.outcomes import arms as treatment_arms
from core.roi.outcomes import outcomes, store_outcomes_apply
from core.roi.plays import plays_table
from core.store.read import load_columns
from core.store.tables import ChurnRun


def row(page, metric, value=np.nan, low=np.nan, high=np.nan, unit="", group="", text_="") -> dict:
    """One figure as a row of a snapshot's long table."""
    return {"page": page, "metric": metric, "group": group, "value": float(value), "low": float(low),
            "high": float(high), "unit": unit, "text": text_}


def overview(engine: Engine, as_of: dt.date) -> list[dict]:
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    h = metrics.headline(customers, revenue, as_of=as_of)
    return [row("Overview", "Customers", h.customers, unit="customers"),
            row("Overview", "Active customers", h.active_customers, unit="customers"),
            row("Overview", "Logo churn rate", h.logo_churn_rate, unit="share"),
            row("Overview", "Revenue churn rate", h.revenue_churn_rate, unit="share"),
            row("Overview", "MRR", h.mrr, unit="currency"),
            row("Overview", "NRR", h.nrr, unit="share"),
            row("Overview", "GRR", h.grr, unit="share")]


def churn(engine: Engine) -> tuple[list[dict], int | None]:
    with engine.connect() as conn:
        run = conn.execute(select(ChurnRun.version, ChurnRun.card).order_by(ChurnRun.version.desc()).limit(1)).first()
    if run is None:
        return [], None
    version, card = run
    m = card["metrics"][card["model"]]
    rows = [row("Churn drivers", "ROC-AUC", m["roc_auc"], *m["roc_auc_ci"], unit="score"),
            row("Churn drivers", "PR-AUC", m["pr_auc"], *m["pr_auc_ci"], unit="score"),
            row("Churn drivers", "Brier score", m["brier"], unit="score")]
    rows += [row("Churn drivers", "Top driver", i + 1, unit="rank", group=f"#{i + 1}", text_=name)
             for i, name in enumerate(card.get("top_drivers", []))]
    return rows, int(version)


#: the money figures of each play's arm kept in a snapshot (core.roi.money.money's measures, the Money tab's defaults)
ROI_MONEY = ("Contacts treated", "Customers saved", "Revenue saved (window)", "Cost", "Value of customers saved",
             "Net value (projected)",
             "ROI (projected)")


def roi_plays(engine: Engine, params, as_of: dt.date) -> list[dict]:
    """Each play's contacts and effect (the All plays table) and, per treatment arm, the Money tab's figures
    at its defaults (:func:`core.roi.setup.money_setup`, CUPED on), over the contacts made by ``as_of`` as the
    data stood that day."""
    try:
        inputs = load_roi_inputs(engine)
    except InsufficientDataError:
        return []
    inputs.interventions = inputs.interventions[inputs.interventions["date"] <= pd.Timestamp(as_of)]
    if inputs.interventions.empty:
        return []
    inputs.end = min(inputs.end, pd.Timestamp(as_of))
    rows = []
    for r in plays_table(inputs, window=params.roi_window).itertuples(index=False):
        rows.append(row("Intervention ROI", "Contacts", r.contacts, unit="contacts", group=r.play))
        rows.append(row("Intervention ROI", "Play effect", r.difference, r.low, r.high, unit="points",
                         group=r.play, text_=f"retention over {params.roi_window} days, treated minus held out"))
        f = outcomes(inputs, r.play, window=params.roi_window)
        if not store_outcomes_apply(f):
            continue
        try:
            control, chosen = setup.control_arm(f, r.play), setup.money_setup(f, r.play)
        except WorkbenchError:
            continue  # a play with a single arm has nothing to compare
        arms = treatment_arms(f, control)
        for arm in arms:
            try:
                m = money(f, arm, control=control, margin=params.margin, value_months=params.value_months,
                          **chosen.kwargs())
            except WorkbenchError:
                continue  # an arm without measured contacts has no money figures
            group = r.play if len(arms) == 1 else f"{r.play} · {arm}"
            for x in m[m["measure"].isin(ROI_MONEY)].itertuples(index=False):
                rows.append(row("Intervention ROI", x.measure, x.value, x.low, x.high, unit=x.unit, group=group,
                                 text_=x.definition))
    return rows


def health(engine: Engine, as_of: dt.date, months: int, horizon: int) -> tuple[list[dict], dict]:
    """The Health scores page's portfolio on ``as_of`` (under the newest saved configuration, else the default
    the page would save) and its back-test over the ``months`` month ends whose ``horizon`` ended by then.

    Returns the rows and ``{"version": int or None, "config": HealthConfig.to_dict()}``.
    """
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
    rows = [row(page, "Customers scored", len(s), unit="customers")]
    for band in h.BANDS:
        inside = s["band"] == band
        rows.append(row(page, "Health band", inside.mean() if len(s) else np.nan, unit="share", group=band,
                         text_=f"{units.count(inside.sum())} customers"))
    rows.append(row(page, "MRR in red", s.loc[s["band"] == "red", "mrr"].sum(), unit="currency"))
    try:
        data = hb.backtest_data(inputs, months, horizon, end=day)
        bt = hb.evaluate(cfg, data)
    except WorkbenchError:
        return rows, {"version": version, "config": cfg.to_dict()}
    span = f"{len(data.frames)} month ends from {data.cutoffs[0]:%Y-%m-%d} to {data.cutoffs[-1]:%Y-%m-%d}"
    rows.append(row(page, "Health back-test AUC", bt.auc, unit="score", text_=f"churn within {horizon} days; {span}"))
    for b in bt.bands.itertuples(index=False):
        rows.append(row(page, "Band churn rate", b.churn_rate, unit="share", group=b.band,
                         text_=f"{units.count(b.churners)} of {units.count(b.customers)} scored rows churned within "
                               f"{horizon} days"))
    rows.append(row(page, "Red/green churn ratio", bt.red_green_ratio, unit="ratio"))
    return rows, {"version": version, "config": cfg.to_dict()}


def themes(engine: Engine, as_of: dt.date, start: dt.date, top: int) -> tuple[list[dict], int]:
    """The quarter's NPS, CSAT and CES, and the Feedback themes page's ``top`` themes by churn impact over
    the 12 months ending ``as_of``, with the data as it stood that day. Returns the rows and the codebook's
    version (the number of changes in its log)."""
    try:
        inputs = load_feedback(engine)
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
    unit_of, scale = {"NPS": "nps", "CSAT": "share", "CES": "score"}, {"CSAT": 0.01}
    for metric, (v, lo, hi, n) in headline_scores(inputs, start=pd.Timestamp(start), end=day).items():
        if n:
            k = scale.get(metric, 1.0)
            rows.append(row(page, metric, k * v, k * lo, k * hi, unit=unit_of[metric],
                             text_=f"{units.count(n)} answers in the quarter"))
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
        rows += [row(page, "Mentions", t.mentions, unit="verbatims", group=g,
                      text_=f"#{rank} by churn impact; {units.percent(t.share)} of the {span}"),
                 row(page, "Churn impact", t.churn_diff, t.churn_low, t.churn_high, unit="points", group=g,
                      text_=f"{units.percent(t.churn_raised)} of {units.count(t.n_raised)} who named it vs "
                      f"{units.percent(t.churn_others)} of {units.count(t.n_others)} others"),
                 row(page, "NPS impact", t.nps_impact, unit="nps", group=g),
                 row(page, "MRR at risk", t.mrr_at_risk, unit="currency", group=g,
                      text_=f"{units.count(t.customers_at_risk)} active customers")]
    return rows, version
