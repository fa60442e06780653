"""The Cohort curves page's rule on a company's warehouse (core.cohorts.warehouse_views): a DuckDB file laid out the
way a company's would be (tests/company_warehouse.py) gives the store's own figures: its segments, the cohort table
of the picked segments and survival by segment, equal to the pandas computation on the store's customers; a mapping
without churn dates says survival cannot be drawn."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from core.cohorts import survival, warehouse_views
from core.cohorts.settings import CohortSettings
from core.cohorts.table import cohort_table
from core.errors import DataValidationError, EngineError, InsufficientDataError
from core.query import warehouse
from tests.company_warehouse import MAPPING, demo_business


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    """(the store's activity pairs, its customers, the warehouse URL holding the same business)."""
    b = demo_business(tmp_path_factory.mktemp("wh_views"), 200, 5)
    return b.pairs, b.customers, b.url


def _open(url: str, tmp_path, text: str = MAPPING):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return warehouse.connect(url, warehouse.read_mapping(path))


def _same_table(a, b) -> None:
    for name in ("values", "counts", "complete"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=False, rtol=1e-12, atol=1e-12)
    pd.testing.assert_series_equal(a.sizes, b.sizes)
    assert a.settings == b.settings


def test_segments_groups_and_defaults_come_from_the_mapping(business, tmp_path):
    _, customers, url = business
    with _open(url, tmp_path) as wh:
        assert warehouse_views.segments(wh) == sorted(customers["segment"].dropna().unique())
        assert warehouse_views.groups(wh) == ["segment"]
        s = warehouse_views.defaults(wh)
        assert (s.cohort_by, s.retained_by) == ("first_activity", "activity")
    without = MAPPING.split("[activity]")[0].replace('segment = "tier"\n', "")
    with _open(url, tmp_path, without) as wh:
        assert warehouse_views.segments(wh) == [] and warehouse_views.groups(wh) == []
        s = warehouse_views.defaults(wh)
        assert (s.cohort_by, s.retained_by) == ("signup", "subscription")


@pytest.mark.parametrize("picked", [(), ("SMB",), ("Mid-Market", "Enterprise")])
def test_the_table_of_the_picked_segments_equals_the_stores(business, tmp_path, picked):
    pairs, customers, url = business
    kept = customers[customers["segment"].isin(picked)] if picked else customers
    s = CohortSettings(cohort_by="first_activity", retained_by="activity")
    with _open(url, tmp_path) as wh:
        got = warehouse_views.table(wh, s, picked)
    _same_table(got, cohort_table(kept, pairs, settings=s))
    assert got.sizes.sum() == len(kept)


@pytest.mark.parametrize(("group", "picked"), [(None, ()), ("segment", ()), (None, ("SMB",))])
def test_survival_equals_kaplan_meier_on_the_stores_customers(business, tmp_path, group, picked):
    _, customers, url = business
    kept = customers[customers["segment"].isin(picked)] if picked else customers
    with _open(url, tmp_path) as wh:
        got = warehouse_views.survival_curves(wh, group, 24.0, picked)
    want = survival.kaplan_meier(survival.durations(kept), group=group, horizon=24.0)
    pd.testing.assert_frame_equal(got.curves, want.curves, check_exact=False, rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(got.summary, want.summary, check_exact=False, rtol=1e-9, atol=1e-12)
    assert got.skipped == want.skipped and got.logrank.keys() == want.logrank.keys()
    for k, v in want.logrank.items():
        assert got.logrank[k] == (pytest.approx(v, rel=1e-9, nan_ok=True) if isinstance(v, float) else v), k
    if group is None:
        assert got.summary["customers"].sum() == len(kept)


def test_without_churn_dates_survival_says_what_to_map(business, tmp_path):
    url = business[2]
    with _open(url, tmp_path, MAPPING.replace('churn_date = "cancelled_at"\n', "")) as wh:
        with pytest.raises(InsufficientDataError) as e:
            warehouse_views.survival_curves(wh, None, 24.0)
    assert str(e.value) == warehouse_views.NO_CHURN_DATES


def test_activity_choices_on_a_warehouse_without_activity_are_refused(business, tmp_path):
    with _open(business[2], tmp_path, MAPPING.split("[activity]")[0]) as wh:
        with pytest.raises(DataValidationError, match="These cohorts need activity"):
            warehouse_views.table(wh, CohortSettings(cohort_by="first_activity", retained_by="activity"))


def test_a_mapped_column_the_warehouse_cannot_read_as_its_field_is_one_plain_line(tmp_path):
    """A company keeping signup dates as text, one of them not a date: the warehouse's own error, in one line."""
    path = tmp_path / "company.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE TABLE crm.accounts (account_id VARCHAR, tier VARCHAR, "
                    "created_at VARCHAR, cancelled_at TIMESTAMP)")
        con.execute("INSERT INTO crm.accounts VALUES ('A1', 'SMB', '2024-01-05', '2024-06-01'), "
                    "('A2', 'SMB', 'soon', NULL)")
    with _open(f"duckdb://{path}", tmp_path, MAPPING.split("[activity]")[0]) as wh:
        assert warehouse_views.segments(wh) == ["SMB"]
        for ask in (lambda: warehouse_views.table(wh, warehouse_views.defaults(wh)),
                    lambda: warehouse_views.survival_curves(wh, None, 24.0)):
            with pytest.raises(EngineError) as e:
                ask()
            assert str(e.value).startswith("The warehouse could not answer (") and "\n" not in str(e.value)
            assert '"soon"' in str(e.value) and "dates as dates" in str(e.value)
