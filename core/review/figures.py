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

from core.buyers import overview as overview_of
from core.buyers import overview_views
from core.buyers.lapse import store_days
from core.buyers.purchases import load_purchase_log
from core.churn.pipeline import TIERS
from core.churn.store import latest_scores
from core.errors import InsufficientDataError, WorkbenchError
from core.export import units
from core.feedback import store as ts
from core.feedback.impact import theme_impact
from core.feedback.inputs import latest_mrr, undated
from core.feedback.inputs import load_inputs as load_feedback
from core.feedback.prepared import prepare
from core.feedback.surveys import headline_scores
from core.feedback.tagging import tag
from core.health import backtest as hb
from core.health import score as h
from core.health import store as hs
from core.health.coverage import coverage
from core.health.monitor import has_recurring_revenue
from core.history.engine_movements import configured_movements
from core.history.feature_labels import feature_label
from core.history.features import asked_ahead
from core.history.inputs import load_inputs
from core.history.movements import GAINS, LOSSES, mrr_movements
from core.roi import setup
from core.roi.inputs import load_inputs as load_roi_inputs
from core.roi.money import money
from core.roi.outcomes import arms as treatment_arms
from core.roi.outcomes import outcomes, store_outcomes_apply
from core.roi.plays import plays_table
from core.store.profile import StoreProfile, profile
from core.store.read import load_columns
from core.store.tables import ChurnRun

#: each movement's figure in a review, named as the glossary defines it (core.metrics.GLOSSARY)
MOVEMENT_FIGURES = {"new": "New MRR", "expansion": "Expansion MRR", "reactivation": "Reactivation MRR",
                    "contraction": "Contraction MRR", "churned": "Churned MRR"}


def row(page, metric, value=np.nan, low=np.nan, high=np.nan, unit="", group="", text_="") -> dict:
    """One figure as a row of a snapshot's long table."""
    return {"page": page, "metric": metric, "group": group, "value": float(value), "low": float(low),
            "high": float(high), "unit": unit, "text": text_}


def overview(engine: Engine, as_of: dt.date, found: StoreProfile | None = None) -> list[dict]:
    """The Overview page's figures on ``as_of``, as :func:`core.buyers.overview.build` gives them to the page and to
    ``python -m core overview``: the recurring-revenue headline, a snapshot's customer counts, a purchase log's buyer
    figures (a mix: each). On a purchase log, what the store cannot show (MRR, NRR, GRR) and why is the first
    figure's note, never a $0 or a "–" figure (a snapshot's figures carry :func:`snapshot_notes`' label).
    ``found``: the store's profile when the caller has it (read here otherwise)."""
    found = found or profile(engine)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    log = load_purchase_log(engine) if overview_of.needs_purchases(found) else None
    ov = overview_views.overview(engine, found, customers, revenue, log, end=as_of, lapse_days=store_days(engine))
    return overview_rows(ov) + quarter_movements(revenue, as_of, engine, customers)


def overview_rows(ov) -> list[dict]:
    """The figures of an Overview (:class:`core.buyers.overview.Overview`, a store's or a warehouse's) as review rows;
    on a purchase log its notes (what it cannot show and why) are the first figure's note."""
    rows = [row("Overview", f.label, f.value, unit=f.unit) for s in ov.sections for f in s.figures]
    if rows and ov.notes and any(s.key == "buyers" for s in ov.sections):
        rows[0]["text"] = " ".join(ov.notes)
    return rows


def quarter_movements(revenue: pd.DataFrame, as_of: dt.date, engine: Engine | None = None,
                      customers: pd.DataFrame | None = None) -> list[dict]:
    """The MRR movements of the three months ending with the as-of month (the quarter of a review), each summed
    over its months: the Overview's movements table and ``python -m core overview --movements`` month by month
    (:func:`core.history.engine_movements.configured_movements` with the store ``engine`` and its ``customers``,
    else :func:`core.history.movements.mrr_movements` of ``revenue``), so MRR at the start + gains - losses = MRR
    at the end exactly. None on a store without recurring revenue."""
    end = pd.Timestamp(as_of)
    start = (end.to_period("M") - 2).to_timestamp()
    table = (mrr_movements(revenue, start=start, end=end) if engine is None
             else configured_movements(engine, customers, revenue, start=start, end=end))
    return movement_rows(table)


def movement_rows(table: pd.DataFrame) -> list[dict]:
    """The rows of a review's MRR movements: each movement of ``table`` (its months, oldest first: ``month,
    mrr_start, mrr_end`` and each movement) summed over them, with the months and the MRR at either end as a note;
    none for an empty table."""
    if table.empty:
        return []
    first, last = table.iloc[0], table.iloc[-1]
    note = (f"{first['month']:%b} to {last['month']:%b %Y}, the months summed: MRR "
            f"{units.money(first['mrr_start'])} at the start, {units.money(last['mrr_end'])} at the end")
    return [row("Overview", MOVEMENT_FIGURES[c], table[c].sum(), unit="currency", text_=note)
            for c in (*GAINS, *LOSSES)]


def churn(engine: Engine) -> tuple[list[dict], int | None]:
    """The newest saved churn model's figures (:func:`card_rows`) and its version; none without a saved model."""
    with engine.connect() as conn:
        run = conn.execute(select(ChurnRun.version, ChurnRun.card).order_by(ChurnRun.version.desc()).limit(1)).first()
    if run is None:
        return [], None
    version, card = run
    tiers = latest_scores(engine, version)["tier"].value_counts()  # the model's customers per risk tier
    return card_rows(card, tiers), int(version)


def card_rows(card: dict, tiers: pd.Series) -> list[dict]:
    """A churn model's figures from its card (:func:`core.churn.store.model_card`): ROC-AUC and PR-AUC with their
    intervals, the Brier score, the top drivers, and ``tiers`` (customers per risk tier)."""
    m = card["metrics"][card["model"]]
    rows = [row("Churn drivers", "ROC-AUC", m["roc_auc"], *m["roc_auc_ci"], unit="score"),
            row("Churn drivers", "PR-AUC", m["pr_auc"], *m["pr_auc_ci"], unit="score"),
            row("Churn drivers", "Brier score", m["brier"], unit="score")]
    rows += [row("Churn drivers", "Top driver", i + 1, unit="rank", group=f"#{i + 1}", text_=feature_label(name))
             for i, name in enumerate(card.get("top_drivers", []))]
    day = card.get("data_window", {}).get("scored_at", "")
    return rows + [row("Churn drivers", "Risk tier", tiers.get(t, 0), unit="customers", group=t,
                       text_=f"customers scored on {day}" if day else "") for t in TIERS]


def snapshot_notes(engine: Engine, as_of: dt.date, rows: list[dict], pages=("Overview", "Health scores"),
                   found: StoreProfile | None = None) -> list[dict]:
    """``rows`` with each figure of ``pages`` labelled "from the snapshot of DAY" when the store's customers come
    from a snapshot (tenure and a churn flag as of a day, :func:`core.store.profile.profile`): its signups are
    counted back from that day and all its churn is dated on it, so a figure before that day shows no churn.
    ``found``: the store's profile when the caller has it (read here otherwise)."""
    first, last = (found or profile(engine)).span("snapshot")
    if first is None:
        return rows
    note = f"from the snapshot of {first.isoformat()}" + ("" if first == last else f" to {last.isoformat()}")
    if as_of < first:
        note += ", a later day: all its churn is dated on that day, so none shows before it"
    for r in rows:
        if r["page"] in pages:
            r["text"] = f"{r['text']}; {note}" if r["text"] else note
    return rows


#: the money figures of each play's arm kept in a snapshot (core.roi.money.money's measures, the Money tab's defaults)
ROI_MONEY = ("Contacts treated", "Customers saved", "Revenue saved (window)", "Cost", "Value of customers saved",
             "Net value (projected)",
             "ROI (projected)")


def roi_plays(engine: Engine, params, as_of: dt.date, inputs=None) -> list[dict]:
    """Each play's contacts and effect (the All plays table) and, per treatment arm, the Money tab's figures
    at its defaults (:func:`core.roi.setup.money_setup`, CUPED on), over the contacts made by ``as_of`` as the
    data stood that day; of the store's plays, or of ``inputs`` (a warehouse's, :mod:`core.roi.warehouse_inputs`)."""
    try:
        inputs = load_roi_inputs(engine) if inputs is None else inputs
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


def health(engine: Engine, as_of: dt.date, months: int, horizon: int | None,
           inputs=None) -> tuple[list[dict], dict]:
    """The Health scores page's portfolio on ``as_of`` (under the newest saved configuration, else the default
    the page would save) and its back-test over the ``months`` month ends whose ``horizon`` ended by then (None: the
    page's, :func:`core.health.backtest.default_horizon`).

    Returns the rows and ``{"version": int or None, "config": HealthConfig.to_dict(), "horizon": days}``.
    """
    inputs = load_inputs(engine) if inputs is None else inputs  # the caller's, when it has them
    horizon = hb.default_horizon(inputs) if horizon is None else horizon
    day = pd.Timestamp(as_of)
    with asked_ahead(inputs, [day, inputs.end()]):
        try:
            frame, _ = h.measure_frame(inputs, day)
        except InsufficientDataError:
            return [], {"version": None, "config": None, "horizon": horizon}
        today = frame if day == inputs.end() else h.measure_frame(inputs, inputs.end())[0]  # a review as of the end
    cfg, version = hs.current_config(engine, today)
    s = h.score(cfg, frame)
    below = coverage(cfg.min_measures, s).message  # customers with too few measures: no band, and why
    s = s[s["score"].notna()]
    page = "Health scores"
    rows = [row(page, "Customers scored", len(s), unit="customers", text_=below)]
    for band in h.BANDS:
        inside = s["band"] == band
        rows.append(row(page, "Health band", inside.mean() if len(s) else np.nan, unit="share", group=band,
                         text_=f"{units.count(inside.sum())} customers"))
    if has_recurring_revenue(s):  # as the page: customers without recurring revenue have no MRR at risk (no "$0")
        rows.append(row(page, "MRR in red", s.loc[s["band"] == "red", "mrr"].sum(), unit="currency"))
    try:
        data = hb.backtest_data(inputs, months, horizon, end=day)
        bt = hb.evaluate(cfg, data)
    except WorkbenchError:
        return rows, {"version": version, "config": cfg.to_dict(), "horizon": horizon}
    span = f"{len(data.frames)} month ends from {data.cutoffs[0]:%Y-%m-%d} to {data.cutoffs[-1]:%Y-%m-%d}"
    rows.append(row(page, "Health back-test AUC", bt.auc, unit="score", text_=f"churn within {horizon} days; {span}"))
    for b in bt.bands.itertuples(index=False):
        rows.append(row(page, "Band churn rate", b.churn_rate, unit="share", group=b.band,
                         text_=f"{units.count(b.churners)} of {units.count(b.customers)} scored rows churned within "
                               f"{horizon} days"))
    rows.append(row(page, "Red/green churn ratio", bt.red_green_ratio, unit="ratio",  # words where there is no ratio
                     text_="" if np.isfinite(bt.red_green_ratio) else bt.red_green_text))
    return rows, {"version": version, "config": cfg.to_dict(), "horizon": horizon}


def themes(engine: Engine, as_of: dt.date, start: dt.date, top: int, inputs=None,
           revenue: pd.DataFrame | None = None) -> tuple[list[dict], int]:
    """The quarter's NPS, CSAT and CES, and the Feedback themes page's ``top`` themes by churn impact over
    the 12 months ending ``as_of``, with the data as it stood that day. Returns the rows and the codebook's
    version (the number of changes in its log). Of the store's verbatims, or of ``inputs`` and ``revenue`` (a
    warehouse's, :mod:`core.feedback.warehouse_inputs`), under the store's codebook."""
    try:
        inputs = load_feedback(engine) if inputs is None else inputs
    except InsufficientDataError:
        return [], 0
    day = pd.Timestamp(as_of)
    no_date = undated(inputs.verbatims)
    inputs.verbatims = inputs.verbatims[inputs.verbatims["date"] <= day].reset_index(drop=True)
    inputs.surveys = inputs.surveys[inputs.surveys["date"] <= day].reset_index(drop=True)
    inputs.end = min(inputs.end, day)
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"]) if revenue is None else revenue
    inputs.mrr = latest_mrr(revenue, day)
    page = "Feedback themes"
    rows = [row(page, "Undated verbatims", no_date, unit="verbatims",
                text_=f"{units.count(no_date)} verbatims have no date, so no quarter holds them: they count only in "
                "the all-dates view of the Feedback themes page. Import them with a date to see them here.")] \
        if no_date else []
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
