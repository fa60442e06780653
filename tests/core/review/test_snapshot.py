"""Quarterly review snapshots (core.review.snapshot): a rebuild from the same data, parameters and versions gives
identical figures; saved snapshots load back unchanged and the store refuses to change them; the figures are
the pages' own (core.metrics headline, the saved churn model's card, core.roi.plays's plays table); the data
fingerprint follows imports and undos; a comparison names the cause of each move; clear errors."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import core
from core import metrics
from core.errors import DataValidationError, InsufficientDataError
from core.history.feature_labels import feature_label
from core.review import compare as review_compare
from core.review import saved as review_saved
from core.review import snapshot as review
from core.roi.inputs import load_inputs as load_roi_inputs
from core.roi.plays import plays_table
from core.store.read import load_columns


@pytest.fixture(scope="module")
def engine(engine_on_small_demo):
    return engine_on_small_demo


@pytest.fixture(scope="module")
def q3(engine):
    return review.build(engine, "2026-Q3")


def test_quarter_labels():
    assert review.quarter_bounds("2026-Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026-Q1")
    assert review.quarter_bounds(" 2025q4 ") == (dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025-Q4")
    for bad in ("2026-Q5", "Q3 2026", "2026", ""):
        with pytest.raises(DataValidationError, match="is not a quarter"):
            review.quarter_bounds(bad)


def test_a_rebuild_gives_identical_figures_and_a_saved_snapshot_loads_back_unchanged(engine, q3):
    again = review.build(engine, "2026Q3")
    pd.testing.assert_frame_equal(q3.figures, again.figures, check_exact=True)
    assert (q3.quarter, q3.as_of, q3.data_hash, q3.params, q3.versions) == (
        again.quarter, again.as_of, again.data_hash, again.params, again.versions)
    sid = review_saved.save(engine, again)
    back = review_saved.load(engine, sid)
    pd.testing.assert_frame_equal(back.figures, q3.figures, check_exact=True)
    assert (back.quarter, back.as_of, back.data_hash, back.params, back.versions) == (
        q3.quarter, q3.as_of, q3.data_hash, q3.params, q3.versions)
    listed = review_saved.snapshots(engine)
    assert sid in listed["id"].tolist()
    assert listed.set_index("id").loc[sid, "figures"] == len(q3.figures)


def test_saved_snapshots_are_never_changed(engine, q3):
    sid = review_saved.save(engine, dataclasses.replace(q3))  # a copy of the module's build: the save sets its id
    for sql in (f"UPDATE reviewsnapshot SET quarter = '1999-Q1' WHERE id = {sid}",
                f"DELETE FROM reviewsnapshot WHERE id = {sid}"):
        with pytest.raises(IntegrityError, match="never changed"), engine.begin() as conn:
            conn.execute(text(sql))
    assert review_saved.load(engine, sid).quarter == "2026-Q3"
    with pytest.raises(DataValidationError, match="There is no snapshot 999"):
        review_saved.load(engine, 999)


def test_the_figures_are_the_pages_own(engine, q3):
    assert q3.as_of == dt.date(2026, 9, 30) and q3.params == review.ReviewParams(health_horizon=90).to_dict()
    f = q3.figures.set_index(["page", "metric", "group"])
    cust = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    rev = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    h = metrics.headline(cust, rev, as_of="2026-09-30")
    for name, want in (("Customers", h.customers), ("Active customers", h.active_customers),
                       ("Logo churn rate", h.logo_churn_rate), ("Revenue churn rate", h.revenue_churn_rate),
                       ("MRR", h.mrr), ("NRR", h.nrr), ("GRR", h.grr)):
        assert f.loc[("Overview", name, ""), "value"] == want, name
    # Customers counts those signed up by the quarter's last day (issue 20), not the whole store
    signed_up = (pd.to_datetime(cust["signup_date"]) <= "2026-09-30").sum()
    assert f.loc[("Overview", "Customers", ""), "value"] == signed_up < len(cust)
    # every metric a snapshot names has one glossary definition
    assert all(metrics.definition(m) for m in q3.figures["metric"])
    # plays: contacts up to the quarter's end, retention over 90 days inside the data up to then
    inputs = load_roi_inputs(engine)
    inputs.interventions = inputs.interventions[inputs.interventions["date"] <= pd.Timestamp("2026-09-30")]
    inputs.end = pd.Timestamp("2026-09-30")
    for r in plays_table(inputs, window=90).itertuples(index=False):
        assert f.loc[("Intervention ROI", "Contacts", r.play), "value"] == r.contacts
        row = f.loc[("Intervention ROI", "Play effect", r.play)]
        assert (row["value"], row["low"], row["high"]) == (r.difference, r.low, r.high)
    # a direct check of one play's effect: retained share over 90 days, treated minus held out
    iv = inputs.interventions[inputs.interventions["play"] == "Renewal save offer"]
    c = cust.assign(customer_id=cust["customer_id"].astype(str)).set_index("customer_id")
    churn = pd.to_datetime(c["churn_date"]).reindex(iv["customer_id"]).to_numpy()
    date = iv["date"].to_numpy()
    eligible = (date + np.timedelta64(90, "D") <= np.datetime64("2026-10-01")) & ~(churn <= date)
    kept = pd.isna(churn) | (churn >= date + np.timedelta64(90, "D"))
    arm = iv["arm"].to_numpy()
    d = kept[eligible & (arm == "treatment")].mean() - kept[eligible & (arm == "holdout")].mean()
    assert f.loc[("Intervention ROI", "Play effect", "Renewal save offer"), "value"] == pytest.approx(d, abs=1e-12)
    assert q3.versions["churn_model"] is None and "Churn drivers" not in set(q3.figures["page"])
    assert q3.versions["libraries"]["pandas"] == pd.__version__


def test_the_fingerprint_follows_imports_and_undos(engine):
    before = review.data_fingerprint(engine)
    assert before == review.data_fingerprint(engine) and len(before) == 64
    csv = (b"customer_id,play,date,group\nC00001,Spring call,2026-05-01,treatment\n"
           b"C00002,Spring call,2026-05-01,holdout\n")
    plan = core.prepare_import(engine, csv, "spring.csv", "interventions")
    res = core.commit_import(engine, plan)
    after = review.data_fingerprint(engine)
    assert after != before
    from core.ingest.manage import undo_import

    undo_import(engine, res.import_id)
    assert review.data_fingerprint(engine) == before


def test_compare_names_the_cause_of_each_move(engine, q3):
    same = review_compare.compare(q3, review.build(engine, "2026-Q3"))
    assert (same["change"] == 0).all() and (same["cause"] == "").all()
    assert same[["page", "metric", "group"]].values.tolist() == q3.figures[["page", "metric", "group"]].values.tolist()
    wider = review_compare.compare(q3, review.build(engine, "2026-Q3", review.ReviewParams(roi_window=60)))
    plays = wider["page"] == "Intervention ROI"
    assert (wider.loc[plays, "cause"] == "play measurement window 90 -> 60 days").all()
    assert (wider.loc[~plays, "cause"] == "").all() and (wider.loc[~plays, "change"] == 0).all()
    effect = wider[plays & (wider["metric"] == "Play effect")]
    assert (effect["change"].abs() > 0).any()
    q2 = review.build(engine, "2026-Q2")
    moved = review_compare.compare(q2, q3)
    assert moved["cause"].str.startswith("another quarter (2026-Q2 as of 2026-06-30 -> 2026-Q3 as of 2026-09-30)").all()
    # new data, a new churn model version
    other = review.Snapshot(q3.quarter, q3.as_of, "0" * 64, q3.params, {**q3.versions, "churn_model": 2},
                            q3.figures.assign(value=q3.figures["value"] + 1))
    c = review_compare.compare(q3, other)
    assert (c["cause"] == "new data").all() and c["change"].to_numpy() == pytest.approx(1.0)
    churny = review.Snapshot(q3.quarter, q3.as_of, q3.data_hash, q3.params, {**q3.versions, "churn_model": 2},
                             pd.concat([q3.figures, pd.DataFrame([{"page": "Churn drivers", "metric": "ROC-AUC",
                                                                   "group": "", "value": 0.8, "low": 0.7, "high": 0.9,
                                                                   "unit": "score", "text": ""}])], ignore_index=True))
    c = review_compare.compare(q3, churny)
    row = c[(c["page"] == "Churn drivers") & (c["metric"] == "ROC-AUC")].iloc[0]
    assert row["cause"] == "churn model none -> v2" and np.isnan(row["before"]) and row["after"] == 0.8
    assert (c.loc[c["page"] != "Churn drivers", "cause"] == "").all()


def test_a_saved_churn_model_brings_its_card(engine):
    from core.churn import pipeline as churn_report
    from core.churn import store as churn_store
    from core.history.inputs import load_inputs

    inputs = load_inputs(engine)
    result = churn_report.fit_churn(inputs, horizon_days=90, n_boot=20)
    version = churn_store.save_run(engine, result, churn_report.default_economics(inputs), core.store_version(engine))
    snap = review.build(engine, "2026-Q3")
    assert snap.versions["churn_model"] == version
    card = churn_store.model_card(result, churn_report.default_economics(inputs), 0.5)
    m = card["metrics"][card["model"]]
    f = snap.figures[snap.figures["page"] == "Churn drivers"].set_index(["metric", "group"])
    assert f.loc[("ROC-AUC", ""), "value"] == pytest.approx(m["roc_auc"])
    assert (f.loc[("ROC-AUC", ""), "low"], f.loc[("ROC-AUC", ""), "high"]) == pytest.approx(tuple(m["roc_auc_ci"]))
    assert f.loc[("Brier score", ""), "value"] == pytest.approx(m["brier"])
    drivers = f.xs("Top driver", level="metric")["text"].tolist()
    assert drivers == [feature_label(n) for n in card["top_drivers"]] and len(drivers) == 5  # by label


def test_bad_input_is_a_clear_error(engine, db_url):
    with pytest.raises(DataValidationError, match="is not a quarter"):
        review.build(engine, "Q3")
    with pytest.raises(InsufficientDataError, match="ends before the data starts"):
        review.build(engine, "2001-Q1")
    with pytest.raises(InsufficientDataError, match="nothing to review"):
        review.build(core.make_engine(db_url), "2026-Q3")


def test_a_snapshot_store_defaults_to_the_quarter_holding_its_day():
    """Every churn a snapshot knows is dated on its as-of day: the default quarter is the one holding that day
    (2024-Q1 for 2024-01-31), not the last quarter ended before it, whose logo churn would read 0 %."""
    from core.review import figures as review_figures

    rng = np.random.default_rng(0)
    snap = pd.DataFrame({"customerID": [f"S{i:03d}" for i in range(80)], "tenure": rng.integers(1, 40, 80),
                         "Churn": rng.choice(["Yes", "No"], 80)})
    engine = core.make_engine("sqlite://")  # a store of its own: the module's is the demo's
    core.commit_import(engine, core.prepare_import(engine, snap.to_csv(index=False).encode(), "snap.csv", "customers",
                                                   as_of="2024-01-31"))
    labels, default = review.available_quarters(engine)
    assert default == "2024-Q1" and labels[:2] == ["2024-Q1", "2023-Q4"]
    rows = {r["metric"]: r["value"] for r in review_figures.overview(engine, dt.date(2024, 1, 31))}
    engine.dispose()
    starters = snap[snap["tenure"] >= 12]  # signed up by 2023-01-31, the day before the 12-month window
    assert rows["Logo churn rate"] == pytest.approx((starters["Churn"] == "Yes").mean())
    assert rows["Logo churn rate"] > 0
