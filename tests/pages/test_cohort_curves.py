"""AppTest of the Cohort curves page (pages/cohort_curves.py) on a copy of the session's small demo store (1,000
customers): every expectation is recomputed from the store the page reads, and every chart carries its text
alternative (an accessible name equal to its caption, its data one click away)."""

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import core
from core.cohorts.table import cohort_table
from tests.conftest import SMALL_DEMO_CUSTOMERS, copy_store
from tests.pages.conftest import open_page

ROOT = Path(__file__).resolve().parents[2]


def _frame(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.fixture(scope="module")
def demo_store(small_demo_store, tmp_path_factory):
    """(url, customers, revenue) of a private copy of the session's small demo store, the tables as the store
    gives them back."""
    path = copy_store(small_demo_store, tmp_path_factory.mktemp("cohort_curves_small"))
    eng = core.make_engine(f"sqlite:///{path}")
    cust, rev = core.load_table(eng, "customer"), core.load_table(eng, "revenue")
    eng.dispose()
    return f"sqlite:///{path}", cust, rev


@pytest.fixture
def page(demo_store, monkeypatch):
    return open_page(monkeypatch, demo_store[0], "cohort_curves", timeout=120)


def _charts(at) -> list:
    return at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")


def _months(cust: pd.DataFrame) -> pd.Series:
    """Customers by signup month (pandas only)."""
    return pd.to_datetime(cust["signup_date"]).dt.strftime("%Y-%m").value_counts().sort_index()


def test_default_table_matches_core_and_charts_are_drawn(page, demo_store):
    _, cust, _ = demo_store
    at = page
    assert at.title[0].value == "Cohort curves"
    assert len(_charts(at)) >= 4  # heat map, curves, tracked period, survival
    expected = cohort_table(cust)
    assert len(cust) == SMALL_DEMO_CUSTOMERS and len(expected.sizes) == len(_months(cust))
    assert f"{len(cust):,} customers in {len(_months(cust))} cohorts" in at.caption[0].value
    summary = _frame(at, "median_text")
    assert summary["customers"].sum() == len(cust)


def test_changing_the_period_and_measure_changes_the_table(page, demo_store):
    _, cust, _ = demo_store
    at = page
    at.selectbox(key="cohorts_period").set_value("quarter").run()
    assert not at.exception, at.exception
    quarters = pd.to_datetime(cust["signup_date"]).dt.to_period("Q").nunique()
    assert len(cohort_table(cust, period="quarter").sizes) == quarters
    assert f"in {quarters} cohorts" in at.caption[0].value
    at.selectbox(key="cohorts_measure").set_value("net_revenue").run()
    assert not at.exception, at.exception
    at.selectbox(key="cohorts_km_group").set_value("segment").run()
    assert not at.exception, at.exception
    assert at.info[0].value.startswith("Customers of different segments stay")
    assert set(_frame(at, "median_text")["group"]) == set(cust["segment"].dropna()) == {"SMB", "Mid-Market",
                                                                                         "Enterprise"}


def test_activity_retention_needs_activity_and_works(page):
    at = page
    at.selectbox(key="cohorts_retained_by").set_value("activity").run()
    assert not at.exception, at.exception
    assert len(at.error) == 0
    at.radio(key="cohorts_definition").set_value("on_or_after").run()
    assert not at.exception, at.exception


def test_empty_store_explains(store_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/cohort_curves.py").run()
    assert not at.exception, at.exception
    assert "cohort" in at.error[0].value.lower() or "customer" in at.error[0].value.lower()


def test_drill_breakdown_signups_and_value_metrics(page, demo_store):
    from core import metrics
    from core.cohorts.table import cell_customers

    _, cust, rev = demo_store
    at = page
    # the drill-down defaults to the latest cohort's last complete period; its count matches the table
    cohort = at.selectbox(key="cohorts_cell_cohort").value
    k = at.selectbox(key="cohorts_cell_period").value
    people = _frame(at, "retained")
    expected = cell_customers(cust, cohort=cohort, k=k)
    assert len(people) == len(expected) and people["retained"].sum() == expected["retained"].sum()
    first = _months(cust).index[2]  # a cohort that has lived 12 months
    at.selectbox(key="cohorts_cell_cohort").set_value(first).run()
    at.selectbox(key="cohorts_cell_period").set_value(12).run()
    mine = cust[pd.to_datetime(cust["signup_date"]).dt.strftime("%Y-%m") == first]
    month_12 = pd.Period(first, "M") + 12
    kept = mine["churn_date"].isna() | (pd.to_datetime(mine["churn_date"]).dt.to_period("M") >= month_12)
    assert _frame(at, "retained")["retained"].sum() == kept.sum() == cohort_table(cust).counts.loc[first, 12]

    charts_before = len(_charts(at))
    at.selectbox(key="cohorts_group").set_value("segment").run()
    assert not at.exception, at.exception
    assert len(_charts(at)) == charts_before + 1

    lt = metrics.lifetime_value(cust, rev)
    shown = {m.label: m.value for m in at.metric}
    assert shown["LTV"] == f"${lt.ltv:,.0f}"
    assert any("LTV = ARPA / mean monthly churn" in c.value for c in at.caption)

    at.select_slider(key="cohorts_signups").set_value(("2025-01", "2025-12")).run()
    assert not at.exception, at.exception
    in_2025 = pd.to_datetime(cust["signup_date"]).dt.year.eq(2025)
    months = pd.to_datetime(cust.loc[in_2025, "signup_date"]).dt.month.nunique()
    assert months == 12 and f"{in_2025.sum():,} customers in {months} cohorts" in at.caption[0].value


def test_the_xlsx_download_holds_the_table_its_settings_and_the_definitions():
    import io

    from openpyxl import load_workbook

    from core.cohorts import table as core_cohorts
    from core.metrics import GLOSSARY
    from ui.cohorts import cached as ui_cohorts

    customers = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": pd.to_datetime(
        ["2024-01-05", "2024-01-20", "2024-02-03"]), "churn_date": pd.to_datetime([None, "2024-03-10", None])})
    t = core_cohorts.cohort_table(customers, as_of="2024-06-30")
    wb = load_workbook(io.BytesIO(ui_cohorts.xlsx(t)))
    assert wb.sheetnames == ["cohorts", "settings", "Definitions"]
    rows = list(wb["Definitions"].iter_rows(values_only=True))
    assert rows[0] == ("metric", "definition") and rows[1:] == list(GLOSSARY.items())
    sizes = [r[1] for r in wb["cohorts"].iter_rows(min_row=2, values_only=True)][:-1]
    assert sizes == t.sizes.tolist()


def test_the_split_options_read_as_words_and_keep_their_codes(page):
    at = page
    for key, none in (("cohorts_group", "No breakdown"), ("cohorts_km_group", "All customers")):
        box = at.selectbox(key=key)
        assert box.options == [none, "Segment", "Plan", "Region", "Acquisition channel"]
    at.selectbox(key="cohorts_group").set_value("channel").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cohorts_group").value == "channel"
    assert any(c.value.startswith("Largest average retention in month ") and "acquisition channels" in c.value
               for c in at.caption), [c.value for c in at.caption]


def test_every_chart_has_its_text_alternative(page, demo_store):
    """Each chart's accessible name is a sentence with its key figure, shown as a caption too; the heat map's and
    the curves' figures equal a pandas computation on the store's customers."""
    _, cust, _ = demo_store
    at = page
    at.selectbox(key="cohorts_group").set_value("segment").run()
    charts = _charts(at)
    assert len(charts) == 6  # heat map, curves, tracked period, groups, survival, churn by cause
    captions = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]  # as read: Markdown escapes removed
    for chart in charts:
        assert chart.proto.alt.strip(), chart.proto.spec[:200]
        assert chart.proto.alt in captions
    alts = [c.proto.alt for c in charts]
    assert len(set(alts)) == 6
    sizes = _months(cust)
    assert alts[0].startswith(f"{len(sizes)} cohorts of {sizes.min():,} to {sizes.max():,} customers.")
    # the curves: the share of the customers of the cohorts that completed month 6 still there when it starts
    as_of = pd.Timestamp(re.search(r"as of (\d{4}-\d{2}-\d{2})", at.caption[0].value).group(1))
    last = as_of.to_period("M") - (0 if as_of.is_month_end else 1)
    cohort = pd.to_datetime(cust["signup_date"]).dt.to_period("M")
    churn = pd.to_datetime(cust["churn_date"]).dt.to_period("M")
    lived = cohort + 6 <= last
    kept = (cust["churn_date"].isna() | (churn >= cohort + 6)) & lived
    n = cohort[lived].nunique()
    assert alts[1] == (f"On average {100 * kept.sum() / lived.sum():.0f}% of a cohort is retained in month 6, "
                       f"weighted by cohort size ({n} cohorts reached it).")
    assert alts[3].startswith("Largest average retention in month 6: ") and alts[3].count("(of 3 segments)") == 1
    downloads = [b.proto.label for b in at.get("download_button")]
    assert downloads.count("Get the chart's data (CSV)") == 6
