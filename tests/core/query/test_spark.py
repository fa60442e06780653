"""Spark in local mode runs the same expressions (core.query.spark): one session for the module (two local
workers, bound to 127.0.0.1, its scratch and warehouse folders temporary, its Java process stopped at the end)
over the column files of a 300-customer demo; the cohort tables and the Cohort curves page's views, the survival
rows, every behavioural feature of the churn and health models, the plays' outcomes, the ROI sums, the MRR
movements, the Overview's headline revenue sums and the theme counts equal the pandas path's; with
RETENTION_ENGINE=spark the Cohort curves page shows what it shows on pandas (every engine-summed page and the
review with RETENTION_SUITE_SPARK_PAGES=all), the app's source leaving the session running and its
views dropped. Marked slow (Spark takes about 10 s to start); ``python3 dev.py test`` and CI still
run it, and with ``CI=true`` a missing PySpark or Java fails instead of skipping."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import shutil

import ibis
import numpy as np
import pandas as pd
import pytest

import core
from core import metrics
from core.buyers import engine_lapse, engine_purchases, lapse
from core.buyers import metrics as buyer_metrics
from core.buyers.engine_headline import revenue_sums
from core.buyers.purchases import load_purchase_log
from core.cohorts import engine_views, survival
from core.cohorts.engine_survival import lifetime_rows
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.settings import CohortSettings
from core.cohorts.table import cell_customers, cohort_table, compare_groups
from core.demo.load import load_demo
from core.errors import DataValidationError
from core.feedback.engine_mentions import by_group_on, over_time_on
from core.feedback.inputs import load_inputs as feedback_inputs
from core.feedback.mentions import by_group, over_time
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag
from core.history import asof
from core.history.engine_behaviour import behaviour
from core.history.engine_movements import engine_movements
from core.history.features import temporal_features
from core.history.inputs import load_inputs
from core.history.movements import mrr_movements
from core.query import choice
from core.roi.estimates import compare
from core.roi.inputs import load_inputs as roi_inputs
from core.roi.outcomes import outcomes
from core.roi.sums import compare_on
from core.store import columnar
from core.store.read import load_columns
from tests.core.review.test_engines import assert_same_review, built
from tests.pages import store_kinds
from tests.pages.test_engine_choice import PAGES, _same_on_both

pytestmark = pytest.mark.slow


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}: CI must run the Spark tests (.ci/run installs Java; PySpark is pinned)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    if shutil.which("java") is None:
        _missing("no Java runtime")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _missing("PySpark is not installed")
    scratch = tmp_path_factory.mktemp("spark")
    session = (SparkSession.builder.master("local[2]").appName("retention-tests")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1").config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false")
               .config("spark.local.dir", str(scratch / "local"))
               # the JVM compiles with its quick compiler only and collects garbage on one thread: a test's queries
               # are many and short, and the optimising compiler's work never paid back on two CPUs
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .config("spark.sql.warehouse.dir", str(scratch / "warehouse")).getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    _stop(session)


def _stop(session) -> None:
    """Stop the session and the Java process behind it (PySpark keeps the JVM until Python exits otherwise)."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    session.stop()
    if gateway is not None:
        gateway.shutdown()
        proc = getattr(gateway, "proc", None)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
        SparkContext._gateway = SparkContext._jvm = None


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('spark_store') / 'store.db'}")
    load_demo(engine, n_customers=300, seed=5)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def source(spark, store):
    from core.query.spark import spark_source

    return spark_source(spark, store)


def _customers(engine) -> pd.DataFrame:
    return load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date", "plan"])


def test_cohort_tables_on_spark_equal_the_rows_path(source, store):
    customers, pairs = _customers(store), columnar.activity_pairs(store)
    assert source.name == "Spark (local[2])"
    for opts in (dict(cohort_by="first_activity", retained_by="activity", definition="on"),
                 dict(cohort_by="signup", retained_by="activity", definition="on_or_after", period="week"),
                 dict(cohort_by="signup", retained_by="subscription", period="quarter")):
        got, want = engine_cohort_table(source, customers, **opts), cohort_table(customers, pairs, **opts)
        pd.testing.assert_frame_equal(got.values, want.values, check_exact=False, rtol=1e-12, atol=1e-12)
        pd.testing.assert_series_equal(got.sizes, want.sizes)
        assert got.settings == want.settings


def test_survival_rows_on_spark_give_the_same_curves(source, store):
    customers = _customers(store)
    got = survival.kaplan_meier(lifetime_rows(source, customers, group="plan"), group="plan", weights="customers")
    want = survival.kaplan_meier(survival.durations(customers), group="plan")
    pd.testing.assert_frame_equal(got.curves, want.curves, check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_frame_equal(got.summary, want.summary, check_exact=False, rtol=1e-12, atol=1e-12)


def test_behaviour_features_on_spark_equal_the_models(source, store):
    """Usage, tickets, NPS and CSAT, MRR and failed payments, customer for customer (the demo has every kind)."""
    inputs = load_inputs(store)
    data = temporal_features(inputs, "2025-09-30", label=False)
    signup = inputs.customers.set_index(inputs.customers["customer_id"].astype(str))["signup_date"]
    customers = pd.DataFrame({"customer_id": data.customer_id.to_numpy(),
                              "signup_date": signup.loc[data.customer_id].to_numpy()})
    got = {k: v for columns, _ in behaviour(source, customers, "2025-09-30") for k, v in columns.items()}
    assert len(got) == 14 and not data.missing
    for col, values in got.items():
        np.testing.assert_allclose(values, data.X[col].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True,
                                   err_msg=col)


def test_roi_sums_on_spark_give_the_same_effects(source):
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"arm": rng.choice(["treatment", "holdout"], 400), "revenue": rng.gamma(2.0, 50.0, 400),
                          "pre_revenue": rng.gamma(2.0, 40.0, 400)})
    frame["revenue"] += 0.5 * frame["pre_revenue"]
    want = compare(frame, "revenue", control="holdout", covariate="pre_revenue")
    got = compare_on(source.con, ibis.memtable(frame), "revenue", control="holdout", covariate="pre_revenue")
    cols = ["difference", "low", "high", "p_value", "cuped_difference", "cuped_low", "cuped_high"]
    np.testing.assert_allclose(got[cols].to_numpy(float), want[cols].to_numpy(float), rtol=1e-9)


def test_play_outcomes_on_spark_equal_pandas(source, store):
    """Each contact's revenue kept, pre-period revenue and usage and latest revenue before it (core.roi
    .engine_outcomes), on every play of the demo: see tests/core/roi/test_engine_outcomes.py for the tolerance."""
    inputs = roi_inputs(store)
    on_spark = dataclasses.replace(inputs, source=source)
    for play in inputs.plays():
        pd.testing.assert_frame_equal(outcomes(on_spark, play), outcomes(inputs, play), rtol=1e-9, atol=1e-8)


def test_the_cohort_pages_views_on_spark_equal_the_rows_path(source, store):
    """The Cohort curves page's table as of an end date, its breakdown and a cell (core.cohorts.engine_views)."""
    customers = core.load_table(store, "customer")
    pairs = columnar.activity_pairs(store)
    s = CohortSettings(cohort_by="first_activity", retained_by="activity", definition="on")
    kept = customers[customers["plan"] == customers["plan"].dropna().iloc[0]]
    as_of = asof.clamp("2025-10-15", asof.data_end(kept, pairs.subset(kept["customer_id"])))
    got = engine_views.table_until(source, kept, s, "2025-10-15")
    want = cohort_table(kept, pairs.subset(kept["customer_id"]), settings=dataclasses.replace(s, as_of=as_of))
    pd.testing.assert_frame_equal(got.values, want.values, check_exact=False, rtol=1e-12, atol=1e-12)
    groups = engine_views.compare_groups_on(source, customers, s, "segment")
    whole = dataclasses.replace(s, as_of=asof.data_end(customers, pairs))
    pd.testing.assert_frame_equal(groups, compare_groups(customers, pairs, group="segment", settings=whole),
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    cohort = got.values.index[2]
    cell = engine_views.cell_on(source, kept, s, cohort, 1)
    want_cell = cell_customers(kept, pairs.subset(kept["customer_id"]), cohort=cohort, k=1, settings=s)
    assert cell["customer_id"].tolist() == want_cell["customer_id"].tolist()
    assert cell["retained"].tolist() == want_cell["retained"].tolist()


def test_mrr_movements_on_spark_equal_pandas(source, store):
    customers, revenue = core.load_table(store, "customer"), core.load_table(store, "revenue")
    got = engine_movements(source, customers, start="2024-06-01")
    pd.testing.assert_frame_equal(got, mrr_movements(revenue, start="2024-06-01"), check_exact=False, rtol=1e-9,
                                  atol=1e-6)
    assert len(got) >= 12


def test_theme_counts_on_spark_equal_the_pages(source, store):
    """The Feedback themes page's counts per segment and per month (core.feedback.engine_mentions)."""
    prepared = prepare(feedback_inputs(store))
    book = starter_codebook()
    tags = tag(prepared["text"], book)
    pd.testing.assert_frame_equal(by_group_on(source.con, prepared, tags, book), by_group(prepared, tags, book),
                                  check_exact=False, rtol=1e-9, atol=1e-12, check_dtype=False)
    pd.testing.assert_frame_equal(over_time_on(source.con, prepared, tags, book), over_time(prepared, tags, book),
                                  check_exact=False, rtol=1e-9, atol=1e-12, check_dtype=False)


def test_the_overviews_headline_sums_on_spark_equal_pandas(source, store):
    """The Overview's revenue sums per as-of month (core.buyers.engine_headline): NRR's and GRR's, MRR and ARPA's."""
    customers, revenue = core.load_table(store, "customer"), core.load_table(store, "revenue")
    for c in ("signup_date", "churn_date"):
        customers[c] = pd.to_datetime(customers[c])
    months = list(pd.date_range("2024-01-01", "2025-12-01", freq="MS"))
    want = metrics.frame_sums(customers, revenue)(months)
    pd.testing.assert_frame_equal(revenue_sums(source, customers, months), want, check_exact=False, rtol=1e-9,
                                  atol=1e-6)
    assert (want["base"] > 0).sum() >= 12


def test_a_purchase_logs_buyer_figures_and_lapse_gaps_on_spark_equal_pandas(spark, tmp_path):
    """The CDNOW log's 1/10 sample: the buyer figures of 24 months (core.buyers.engine_purchases) and the lapse
    rule's proposal from the counted gaps (core.buyers.engine_lapse), for every buyer."""
    from core.query.spark import spark_source

    engine = core.make_engine(store_kinds.build("cdnow_sample", tmp_path))
    src = spark_source(spark, engine, keep_session=True)
    try:
        customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
        log = load_purchase_log(engine)
        last = buyer_metrics.default_as_of(log)
        want = buyer_metrics.buyer_trend(log, last, 24)
        pd.testing.assert_frame_equal(engine_purchases.buyer_trend(src, customers, last, 24), want,
                                      check_exact=False, rtol=1e-9)
        assert want["active_buyers"].max() > 500
        ids = log.days["customer_id"].unique()
        assert engine_lapse.proposal(src, ids) == lapse.propose_lapse_days(log.days)
    finally:
        src.close()
        engine.dispose()


#: ``RETENTION_SUITE_SPARK_PAGES=all``: every engine-summed page and the review on Spark (about 4 minutes more;
#: all passed on 2026-12-05). By default the Cohort curves page (its table, cells and lifetimes are Spark's sums
#: alone): the other pages' sums (the Overview's headline, behaviour, play windows, theme counts) are checked on
#: Spark above, expression by expression, within CI's 20 minutes (the Overview's page run cost 20 s more)
ALL_PAGES = os.environ.get("RETENTION_SUITE_SPARK_PAGES", "").strip().lower() == "all"
ON_SPARK = [*PAGES, "quarterly_review"] if ALL_PAGES else ["cohort_curves"]


@pytest.mark.parametrize("name", ON_SPARK)
def test_the_page_shows_the_same_figures_on_spark(spark, store, monkeypatch, name):
    """RETENTION_ENGINE=spark: the page sums on this process's Spark session (the one started above, which the
    app's source finds and leaves running) and shows what it shows on pandas; the quarterly review (its page,
    python -m core report) figure for figure."""
    if name == "quarterly_review":
        want, got = built(monkeypatch, store, "spark")
        assert_same_review(got, want)
    else:
        _same_on_both(monkeypatch, str(store.url), name, engine="spark")


def test_the_app_s_source_leaves_the_session_running_and_drops_its_views(spark, store, monkeypatch):
    monkeypatch.setenv(choice.ENGINE_ENV, "spark")
    before = {t.name for t in spark.catalog.listTables() if t.isTemporary}  # the module's own source's
    with choice.opened(store) as source:
        views = [t.name for t in spark.catalog.listTables() if t.isTemporary and t.name not in before]
        assert source.name == "Spark (local[2])" and source.con.execute(source.activity.count()) > 1000
    assert len(views) == 4 and all(re.fullmatch(r"retention_\w+_files_[0-9a-f]{8}", n) for n in views), views
    assert not [t for t in spark.catalog.listTables() if t.name in views]  # dropped on close
    assert spark.range(3).count() == 3  # the session still runs


def test_spark_missing_or_without_files_is_one_plain_line(spark, store, monkeypatch):
    monkeypatch.setenv(choice.ENGINE_ENV, "spark")
    with pytest.raises(DataValidationError) as e:
        choice.check(core.make_engine("sqlite://"))  # PySpark is here: the check passes, the source refuses
        choice.configured(core.make_engine("sqlite://"))
    assert str(e.value) == ("RETENTION_ENGINE=spark: This store keeps no column files for Spark to read. Use duckdb "
                            "(or pandas) here.")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    with pytest.raises(DataValidationError) as e:
        choice.check(store)
    assert str(e.value) == f"RETENTION_ENGINE=spark: {choice.NO_PYSPARK}."
