"""A purchase log in a company's warehouse (issue 23): the CDNOW sample and the mix (a recurring book beside a purchase
log), each laid out in a DuckDB file the way a company keeps them (its own names, orders at odd hours, returns
flagged) and mapped with ``[purchases]`` and ``[revenue]`` amount and is_return, give the Overview the store's
pandas path builds of the same rows: every section's figures and sparklines, the mix's lapse rule for its buyers
without recurring revenue, and revenue retention by cohort; ``python -m core overview --cohorts`` prints it. A
mapping's refusals name the key and the fix."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import core
from core.buyers import engine_lapse, lapse, overview_views
from core.buyers import warehouse_overview as wo
from core.buyers.purchases import load_purchase_log, purchase_log
from core.errors import DataValidationError
from core.history import asof
from core.history.features import temporal_features
from core.history.inputs import load_inputs
from core.history.warehouse_inputs import warehouse_inputs
from core.query import choice, warehouse
from core.store.profile import profile
from core.store.read import load_columns
from tests.company_warehouse import run_cli, write_tables
from tests.core.buyers.test_engine_headline import _same_overview
from tests.core.buyers.test_engine_purchases import _by_hand, _hand_source
from tests.pages import store_kinds

MAP = """
[customers]
table = "crm.accounts"
customer_id = "account_id"
signup_date = "created_at"
churn_date = "cancelled_at"

[revenue]
table = "billing.lines"
customer_id = "account_id"
period = "booked_on"
mrr = "mrr"
amount = "total"
is_return = "returned"

[purchases]
table = "shop.orders"
customer_id = "buyer"
date = "ordered_at"
"""


#: the orders mapped as [activity] too (a store's purchases are activity rows, which the models' usage reads)
ACTIVITY = '\n[activity]\ntable = "analytics.events"\ncustomer_id = "user_id"\ndate = "day"\nvalue = "amount"\n'


def _warehouse(engine, path) -> str:
    """The store's customers, revenue and purchases as a company's DuckDB file at ``path``; its URL."""
    people = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr", "amount", "is_return"])
    activity = load_columns(engine, "activity", ["customer_id", "date", "metric", "value"])
    orders = activity[activity["metric"] == "purchase"]
    tables = {
        "crm.accounts": pd.DataFrame({"account_id": people["customer_id"], "created_at": people["signup_date"],
                                      "cancelled_at": people["churn_date"]}),
        "billing.lines": pd.DataFrame({"account_id": revenue["customer_id"], "booked_on": revenue["period"],
                                       "mrr": revenue["mrr"], "total": revenue["amount"],
                                       "returned": revenue["is_return"].astype("boolean")}),
        "shop.orders": pd.DataFrame({"buyer": orders["customer_id"],
                                     "ordered_at": pd.to_datetime(orders["date"]) + pd.Timedelta(hours=21),
                                     "cds": orders["value"]}),
        "analytics.events": pd.DataFrame({"user_id": activity["customer_id"], "day": activity["date"],
                                          "amount": activity["value"]})}
    return write_tables(path, tables)


@pytest.fixture(scope="module", params=["cdnow_sample", "mix"])
def both(request, tmp_path_factory):
    """(the store's engine, the warehouse's URL, the mapping file) of one kind of store."""
    folder = tmp_path_factory.mktemp(f"wh_{request.param}")
    engine = core.make_engine(store_kinds.build(request.param, folder))
    (folder / "map.toml").write_text(MAP, encoding="utf-8")
    yield engine, _warehouse(engine, folder / "company.duckdb"), folder / "map.toml"
    engine.dispose()


def _store_overview(engine, monkeypatch, end=None):
    monkeypatch.setenv(choice.ENGINE_ENV, "pandas")
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    return overview_views.overview(engine, profile(engine), customers, revenue, load_purchase_log(engine), end=end)


@pytest.mark.parametrize("end", [None, "1998-03-31"])
def test_the_overview_is_the_stores(both, monkeypatch, end):
    engine, url, mapping = both
    want = _store_overview(engine, monkeypatch, end)
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        got = wo.overview(wh, end=end)
    assert "buyers" in [s.key for s in got.sections]
    if profile(engine).has("recurring_revenue"):  # the mix: its buyers-only customers churn by the lapse rule
        assert [s.key for s in got.sections] == ["recurring", "buyers"]
        assert "(the lapse rule)" in got.sections[0].caption
        _same_overview(got, want)
    else:  # the notes speak of the mapping, not of an import
        assert got.notes[0].startswith("The warehouse's revenue holds no MRR, so it is a purchase log")
        _same_overview(got, type(want)(want.sections, got.notes, want.cohorts, want.cohort_note))
    assert got.cohort_note == want.cohort_note
    for a, b in ((got.cohorts.revenue, want.cohorts.revenue), (got.cohorts.retention, want.cohorts.retention)):
        pd.testing.assert_frame_equal(a, b, rtol=1e-9, atol=1e-9)
    pd.testing.assert_series_equal(got.cohorts.buyers, want.cohorts.buyers)
    assert got.cohorts.as_of == want.cohorts.as_of


def test_the_cli_prints_the_cohorts_from_the_warehouse(both, tmp_path, capsys, monkeypatch):
    engine, url, mapping = both
    store = str(engine.url)
    code, want, _ = run_cli(capsys, store, "overview", "--cohorts")
    assert code == 0
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    code, got, err = run_cli(capsys, empty, "overview", "--cohorts")
    assert code == 0 and err.startswith("Figures from the warehouse (duckdb), through map.toml.")
    cohorts = lambda text: text.split("\nRevenue retention by cohort")[1]  # noqa: E731
    assert cohorts(got) == cohorts(want) and "1997-01" in cohorts(got)
    buyers = lambda text: text.split("Buyers")[1].split("\nRevenue retention")[0]  # noqa: E731
    assert buyers(got) == buyers(want)


def test_the_cli_fits_on_the_warehouse_with_the_lapse_period_given_as_on_the_store(tmp_path, capsys, monkeypatch):
    """``python -m core churn --lapse-days 120`` on the CDNOW sample's warehouse (its orders mapped as [activity]
    too) prints what it prints on the store: the rule, its proposal, every figure and driver."""
    folder = tmp_path / "store"
    folder.mkdir()
    engine = core.make_engine(store_kinds.build("cdnow_sample", folder))
    url = _warehouse(engine, tmp_path / "company.duckdb")
    (tmp_path / "map.toml").write_text(MAP + ACTIVITY, encoding="utf-8")
    args = ("churn", "--cutoffs", "3", "--drivers", "10", "--lapse-days", "120")
    code, want, _ = run_cli(capsys, str(engine.url), *args, "--engine", "pandas")
    engine.dispose()
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "map.toml"))
    code2, got, err = run_cli(capsys, f"sqlite:///{tmp_path / 'empty.db'}", *args)
    assert code == code2 == 0 and err.startswith("Figures from the warehouse (duckdb)")
    created = re.compile(r", created \S+ \S+ UTC")
    assert created.sub("", got) == created.sub("", want)
    assert "purchase log: churn = no purchase within 120 days of the last one (--lapse-days; proposed 210)" in got
    assert "ROC-AUC" in got


@pytest.mark.parametrize(("change", "words"), [
    (("mrr = \"mrr\"\namount = \"total\"\n", ""), "[revenue] needs mrr (the column of monthly recurring revenue)"),
    (("date = \"ordered_at\"", "when = \"ordered_at\""), "[purchases] has no date"),
    (("is_return = \"returned\"", "is_return = \"total\""), "[revenue] is_return must be true or false"),
])
def test_a_mapping_that_cannot_hold_a_purchase_log_is_refused_naming_the_key(both, tmp_path, change, words):
    _, url, _ = both
    path = tmp_path / "map.toml"
    path.write_text(MAP.replace(*change), encoding="utf-8")
    with pytest.raises(DataValidationError) as refused:
        warehouse.connect(url, warehouse.read_mapping(path))
    assert words in str(refused.value)


def test_the_mixs_lapse_rule_is_the_stores(both):
    """The buyers it speaks for (no MRR, no churn date of their own), N, the as-of day and their churn dates: those
    of the rule the pandas path applies to the store's rows (:func:`core.buyers.lapse.rule_for`)."""
    engine, url, mapping = both
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr", "amount"])
    days = load_purchase_log(engine).days
    want = lapse.rule_for(customers, days, revenue, asof.data_end(customers, days, revenue))
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        got = engine_lapse.rule_for(wh, customers)
    assert (got.days, got.proposal, got.as_of) == (want.days, want.proposal, want.as_of)
    pd.testing.assert_series_equal(got.churn_dates, want.churn_dates, check_index_type=False)
    assert got.churn_dates.notna().sum() > 0 and got.purchases is None


def test_a_lapse_rule_known_by_hand():
    """b bought and pays MRR, e never bought: the rule speaks for a, c and d, as of 31 May 2024 (d's return's
    month), with N proposed from their gaps; c's last purchase (15 Jan 2023) plus N is reached, a's and d's not."""
    customers, activity, revenue = _by_hand()
    got = engine_lapse.rule_for(_hand_source(activity, revenue), customers, lapse_days=90)
    days = purchase_log(activity, revenue).days  # d's sale on 20 Apr is a purchase day too
    want = lapse.rule_for(customers, days, revenue, asof.data_end(customers, days, revenue), 90)
    pd.testing.assert_series_equal(got.churn_dates, want.churn_dates, check_index_type=False)
    assert (got.days, got.proposal, got.as_of) == (want.days, want.proposal, want.as_of)
    assert got.as_of == pd.Timestamp("2024-05-31")
    assert got.churn_dates.index.tolist() == ["a", "c", "d"]
    assert got.churn_dates["c"] == pd.Timestamp("2023-04-15") and got.churn_dates[["a", "d"]].isna().all()


def test_purchases_without_amounts_show_the_buyers_and_say_what_to_map_for_the_cohorts(both, tmp_path):
    """A mapping with [purchases] and no [revenue]: buyers, purchase days and frequency from the orders; no revenue
    (a dash, not $0) and no cohort table, with what to map."""
    engine, url, _ = both
    path = tmp_path / "map.toml"
    path.write_text(MAP.split("[revenue]")[0] + "[purchases]" + MAP.split("[purchases]")[1], encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(path)) as wh:
        got = wo.overview(wh)
    figures = {f.label: f.text for s in got.sections for f in s.figures}
    assert figures["Revenue"] == figures["Revenue per buyer"] == "–" and figures["Active buyers"] != "0"
    assert got.cohorts is None and got.cohort_note == wo.NO_AMOUNTS and "[revenue]" in got.cohort_note


def test_the_churn_models_inputs_are_the_stores(both):
    """warehouse_inputs of a purchase log (its orders mapped as [activity] too, as a store's purchases are activity
    rows): the lapse rule (N, the as-of day, each buyer's churn date, a buyer's value) is the store's pandas rule, and
    the features and labels at two cutoffs are the same, to 1e-9 and row for row (the mix's customers beside the book
    need its tickets and answers too, which this mapping leaves out: its rule is compared)."""
    engine, url, mapping = both
    path = mapping.parent / "with_activity.toml"
    path.write_text(MAP + ACTIVITY, encoding="utf-8")
    want = load_inputs(engine, source=None)
    with warehouse.connect(url, warehouse.read_mapping(path)) as wh:
        got = warehouse_inputs(wh)
        assert got.lapse.purchases is None
        assert (got.lapse.days, got.lapse.proposal, got.lapse.as_of) == (want.lapse.days, want.lapse.proposal,
                                                                          want.lapse.as_of)
        pd.testing.assert_series_equal(got.lapse.churn_dates, want.lapse.churn_dates, check_index_type=False)
        assert got.lapse.value_per_buyer == pytest.approx(want.lapse.value_per_buyer, rel=1e-9)
        with warehouse.connect(url, warehouse.read_mapping(mapping)) as bare:  # no [activity]: the same rule
            rule = warehouse_inputs(bare).lapse
        assert (rule.days, rule.as_of) == (want.lapse.days, want.lapse.as_of)
        pd.testing.assert_series_equal(rule.churn_dates, want.lapse.churn_dates, check_index_type=False)
        orders_only = mapping.parent / "orders_only.toml"  # no revenue, no activity: the data end at the last order
        orders_only.write_text(MAP.split("[revenue]")[0] + "[purchases]" + MAP.split("[purchases]")[1],
                               encoding="utf-8")
        with warehouse.connect(url, warehouse.read_mapping(orders_only)) as bare:
            assert warehouse_inputs(bare).lapse.as_of == want.lapse.purchases["date"].max()
        if profile(engine).has("recurring_revenue"):
            return
        for cutoff in ("1997-06-30", "1997-11-30"):
            a, b = (temporal_features(x, cutoff, 180) for x in (got, want))
            assert a.customer_id.tolist() == b.customer_id.tolist() and 0 < a.y.sum() < len(a.y)
            np.testing.assert_array_equal(a.y, b.y)
            pd.testing.assert_frame_equal(a.X, b.X, rtol=1e-9, check_dtype=False)
