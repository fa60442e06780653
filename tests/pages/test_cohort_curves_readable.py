"""The Cohort curves page (pages/cohort_curves.py) read at a glance, on the small demo store: the curves chart draws
the average as a named line whose values are the cells' weighted mean (computed here with pandas from the heat map's
cells and the store's customers), the cohorts picked beside it are named with their sizes, the heat map shows each
cohort's size and a named average row, and each chart's caption states the figure the chart shows."""

import json

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

import core
from tests.conftest import copy_store
from tests.pages.conftest import open_page

WEIGHTED, SIMPLE = "Average, weighted by cohort size", "Simple mean of cohorts"


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """(url, the store's customers) of a private copy of the small demo store."""
    path = copy_store(small_demo_store, tmp_path_factory.mktemp("readable_cohorts"))
    eng = core.make_engine(f"sqlite:///{path}")
    customers = core.load_table(eng, "customer")
    eng.dispose()
    return f"sqlite:///{path}", customers


@pytest.fixture
def page(store, monkeypatch):
    return open_page(monkeypatch, store[0], "cohort_curves", timeout=120)


def _data(chart) -> pd.DataFrame:
    return convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)


def _chart(at, column: str) -> tuple[dict, pd.DataFrame]:
    """(spec, data) of the first chart whose data has ``column``."""
    for c in at.get("vega_lite_chart"):
        if c.proto.datasets and column in _data(c).columns:
            return json.loads(c.proto.spec), _data(c)
    raise AssertionError(f"no chart with a {column} column")


def heat(at) -> pd.DataFrame:
    return _chart(at, "column")[1]


def curves(at) -> pd.DataFrame:
    return _chart(at, "name")[1]


def cells(at) -> pd.DataFrame:
    """The heat map's cells, cohort x period, with each cohort's size read from its "Customers" column."""
    h = heat(at)
    sizes = h[h["kind"] == "size"].set_index("cohort")["customers"].astype(int)
    c = h[h["kind"] == "cell"].copy()
    c["period"] = c["period"].astype(int)
    c["size"] = c["cohort"].map(sizes)
    return c


def weighted_mean(c: pd.DataFrame) -> pd.Series:
    """Per period, over the cohorts that have a cell in it: the share retained, pooled (each cohort by its size)."""
    pooled = (c["value"] * c["size"]).groupby(c["period"]).sum() / c["size"].groupby(c["period"]).sum()
    return pooled.sort_index()


def average_line(at, name: str) -> pd.Series:
    d = curves(at)
    avg = d[d["kind"] == "average"]
    assert set(avg["name"]) == {name}
    return avg.astype({"period": int}).set_index("period")["value"].sort_index()


def signup_months(customers: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(customers["signup_date"]).dt.strftime("%Y-%m").value_counts().sort_index()


def test_the_average_line_is_the_weighted_mean_of_the_cells_and_is_named(page, store):
    _, customers = store
    c = cells(page)
    # the sizes beside the table are the store's customers by signup month
    sizes = c.drop_duplicates("cohort").set_index("cohort")["size"].sort_index()
    assert sizes.to_dict() == signup_months(customers).to_dict()
    expected = weighted_mean(c)
    got = average_line(page, WEIGHTED)
    assert got.index.tolist() == expected.index.tolist()
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12)
    # the heat map's bottom row is the same average, named
    h = heat(page)
    row = h[h["kind"] == "average"]
    assert set(row["cohort"]) == {WEIGHTED}
    assert row.astype({"period": int}).set_index("period")["value"].sort_index().to_numpy() == \
        pytest.approx(expected.to_numpy(), abs=1e-12)


def test_the_simple_mean_is_named_and_drawn_when_chosen(page):
    page.radio(key="cohorts_weighting").set_value("simple").run()
    assert not page.exception, page.exception
    c = cells(page)
    expected = c.groupby("period")["value"].mean().sort_index()
    got = average_line(page, SIMPLE)
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12)
    assert any(x.value.startswith("On average") and "as the simple mean of the cohorts" in x.value
               for x in page.caption)


def test_the_cohorts_drawn_are_named_with_their_sizes_and_picked_by_the_reader(page, store):
    _, customers = store
    months = signup_months(customers)
    pick = page.multiselect(key="cohorts_curves_shown")
    # default: the four most recent cohorts of at least 20 customers that lived through month 6 (a curve each)
    c = cells(page)
    lived = sorted(set(c.loc[(c["period"] == 6) & (c["size"] >= 20), "cohort"]))[-4:]
    assert len(lived) == 4 and pick.value == lived
    drawn = curves(page).query("kind == 'cohort'")
    assert sorted(set(drawn["name"])) == [f"{m} ({months[m]:,} customers)" for m in lived]
    assert pick.format_func(months.index[0]) == f"{months.index[0]} ({months.iloc[0]:,} customers)"
    # a cohort's line is its row of the table
    last = lived[-1]
    line = drawn[drawn["cohort"] == last].astype({"period": int}).set_index("period")["value"].sort_index()
    assert line.to_numpy() == pytest.approx(c[c["cohort"] == last].set_index("period")["value"].sort_index())
    page.multiselect(key="cohorts_curves_shown").set_value([months.index[0], months.index[5]]).run()
    assert not page.exception, page.exception
    drawn = curves(page).query("kind == 'cohort'")
    assert set(drawn["cohort"]) == {months.index[0], months.index[5]}
    assert len(average_line(page, WEIGHTED)) > 1  # the average stays
    page.multiselect(key="cohorts_curves_shown").set_value([]).run()
    assert curves(page).query("kind == 'cohort'").empty


def test_the_captions_state_the_charts_key_figures(page):
    c = cells(page)
    expected = weighted_mean(c)
    reached = (c["period"] == 6).sum()
    sentence = (f"On average {100 * expected[6]:.0f}% of a cohort is retained in month 6, weighted by cohort size "
                f"({reached} cohorts reached it).")
    assert any(x.value == sentence for x in page.caption), [x.value for x in page.caption]
    six = c[c["period"] == 6].set_index("cohort")["value"]
    sizes = c.drop_duplicates("cohort")["size"]
    table = (f"{c['cohort'].nunique()} cohorts of {sizes.min():,} to {sizes.max():,} customers. In month 6, the "
             f"highest is cohort {six.idxmax()} at {100 * six.max():.0f}% and the lowest cohort {six.idxmin()} at "
             f'{100 * six.min():.0f}%; the bottom row ("{WEIGHTED}") reads {100 * expected[6]:.0f}%.')
    assert any(x.value == table for x in page.caption), [x.value for x in page.caption]
    k = page.slider(key="cohorts_track").value
    track = c[c["period"] == k].set_index("cohort")["value"].sort_index()
    assert any(x.value.startswith(f"Retention in month {k} went from {100 * track.iloc[0]:.0f}% (cohort "
                                  f"{track.index[0]}) to {100 * track.iloc[-1]:.0f}% (cohort {track.index[-1]})")
               for x in page.caption), [x.value for x in page.caption]


def test_the_survival_caption_reads_its_curve_at_twelve_months(page, store):
    _, customers = store
    curve = _chart(page, "at_risk")[1]
    # the step curve's value at 12 months: the last step at or before it
    at_12 = curve.loc[curve["time"] <= 12].sort_values("time")["survival"].iloc[-1]
    assert any(x.value.startswith(f"After 12 months, {100 * at_12:.0f}% of customers are still customers")
               for x in page.caption), [x.value for x in page.caption]
    assert curve["at_risk"].max() == len(customers)
    page.selectbox(key="cohorts_km_group").set_value("segment").run()
    curve = _chart(page, "at_risk")[1]
    parts = [f"{g} {100 * c.loc[c['time'] <= 12].sort_values('time')['survival'].iloc[-1]:.0f}%"
             for g, c in curve.groupby("group", sort=False)]
    assert any(x.value == f"Still a customer 12 months after signup: {', '.join(parts)}." for x in page.caption), \
        [x.value for x in page.caption]
