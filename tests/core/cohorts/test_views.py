"""One rule for the Cohort curves page and ``python -m core cohorts`` (core.cohorts.views): the configured engine
counts when one is set, the rows otherwise, with the same figures; the rows' path reads only what the settings need,
and the engine path reads no rows at all."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core.cohorts import views
from core.cohorts.settings import CohortSettings
from core.demo.load import load_demo
from core.query.choice import ENGINE_ENV

SETTINGS = {"first activity, active": CohortSettings(cohort_by="first_activity", retained_by="activity"),
            "signup, subscription": CohortSettings(cohort_by="signup", retained_by="subscription"),
            "net revenue": CohortSettings(measure="net_revenue", cohort_by="signup", retained_by="subscription")}
END = "2025-06-14"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('views') / 'store.db'}")
    load_demo(engine, n_customers=200, seed=0)
    yield engine, core.load_table(engine, "customer")
    engine.dispose()


def _counting(engine) -> tuple[views.Rows, list]:
    """The store's rows, each read noted."""
    asked, rows = [], views.store_rows(engine)
    return views.Rows(lambda: asked.append("activity") or rows.activity(),
                      lambda: asked.append("revenue") or rows.revenue()), asked


def _refusing() -> views.Rows:
    def refuse():
        raise AssertionError("the engine path read rows")

    return views.Rows(refuse, refuse)


def _on(monkeypatch, engine_name: str) -> None:
    monkeypatch.setenv(ENGINE_ENV, engine_name)


@pytest.mark.parametrize("end", [END, "2031-01-01"], ids=["inside", "after the data"])
@pytest.mark.parametrize("name", SETTINGS)
def test_the_table_and_breakdown_are_the_same_on_both_paths(store, monkeypatch, name, end):
    engine, customers = store
    customers = customers[customers["segment"] != customers["segment"].iloc[0]]  # a reader's filter
    s = SETTINGS[name]
    _on(monkeypatch, "pandas")
    rows, asked = _counting(engine)
    want = views.table(engine, customers, s, end, rows)
    want_by = views.breakdown(engine, customers, s, "plan", end, rows)
    assert sorted(set(asked)) == sorted({"activity"} if s.needs_activity else set()
                                        | ({"revenue"} if s.needs_revenue else set()))
    assert want.values.notna().any().any()
    assert want.settings["as_of"] == END if end == END else want.settings["as_of"] < "2027-01-01"  # the data's end
    _on(monkeypatch, "duckdb")
    got = views.table(engine, customers, s, end, _refusing())
    pd.testing.assert_frame_equal(got.values, want.values, rtol=1e-12)
    pd.testing.assert_series_equal(got.sizes, want.sizes)
    assert got.settings == want.settings
    pd.testing.assert_frame_equal(views.breakdown(engine, customers, s, "plan", end, _refusing()), want_by,
                                  rtol=1e-12, check_dtype=False)


def test_a_cell_is_the_same_on_both_paths(store, monkeypatch):
    engine, customers = store
    s = SETTINGS["first activity, active"]
    _on(monkeypatch, "pandas")
    table = views.table(engine, customers, s, END, views.store_rows(engine))
    cohort = str(table.values.index[2])
    want = views.cell(engine, customers, s, cohort, 1, views.store_rows(engine))
    assert {"first_activity", "last_activity"} <= set(want.columns) and want["retained"].any()
    _on(monkeypatch, "duckdb")
    got = views.cell(engine, customers, s, cohort, 1, _refusing())
    key = ["customer_id"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True)[want.columns],
                                  want.sort_values(key).reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("group", [None, "plan"])
def test_survival_curves_are_the_same_on_both_paths(store, monkeypatch, group):
    engine, customers = store
    as_of = pd.Timestamp(END)
    _on(monkeypatch, "pandas")
    want = views.survival_curves(engine, customers, as_of, group, 365.0)
    _on(monkeypatch, "duckdb")
    got = views.survival_curves(engine, customers, as_of, group, 365.0)
    if group is None:  # everyone who had signed up by then
        assert want.summary["customers"].sum() == (customers["signup_date"] <= as_of).sum() > 50
    pd.testing.assert_frame_equal(got.summary, want.summary, rtol=1e-12, check_dtype=False)
    pd.testing.assert_frame_equal(got.curves, want.curves, rtol=1e-12, check_dtype=False)
