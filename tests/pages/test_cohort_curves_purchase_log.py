"""Cohort curves (pages/cohort_curves.py) on the CDNOW purchase log, imported with the project's importer: the page
starts on cohorts by first purchase with "retained = purchased in the period", and the cells it draws equal an
independent pandas computation on the file; survival dates churn by the lapse rule; share axes read whole
percents, never "100.000000%"."""

import json

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from tests.pages import store_kinds
from tests.pages.conftest import open_page

CDNOW = "cdnow/CDNOW_master.txt"


@pytest.fixture(scope="module")
def url(tmp_path_factory, shared):
    return store_kinds.build("cdnow", tmp_path_factory.mktemp("cdnow_page"))


def independent(shared) -> pd.Series:
    """(cohort, k) -> share of the first-purchase month's customers who purchased in month k, for every month
    complete by the log's last day (1998-06-30); written apart from core."""
    raw = pd.read_csv(shared / CDNOW, sep=r"\s+", dtype={"customer_id": str, "date": str})
    month = pd.to_datetime(raw["date"], format="%Y%m%d").dt.to_period("M")
    first = month.groupby(raw["customer_id"]).transform("min")
    buyers = pd.DataFrame({"cohort": first.astype(str), "k": (month - first).map(lambda off: off.n),
                           "id": raw["customer_id"]}).drop_duplicates()
    counts = buyers.groupby(["cohort", "k"])["id"].nunique()
    share = counts / counts.xs(0, level="k").reindex(counts.index.get_level_values("cohort")).to_numpy()
    reached = [pd.Period(c, "M") + k <= pd.Period("1998-06", "M") for c, k in share.index]
    return share[reached]


def _charts(at) -> list[tuple[dict, pd.DataFrame]]:
    """Each chart's Vega-Lite spec and its data as drawn."""
    out = []
    for c in at.get("vega_lite_chart"):
        data = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in c.proto.datasets]
        out.append((json.loads(c.proto.spec), data[0] if data else pd.DataFrame()))
    return out


def test_the_default_cells_are_first_purchase_cohorts_retained_when_buying(url, shared, monkeypatch):
    at = open_page(monkeypatch, url, "cohort_curves")
    assert (at.selectbox(key="cohorts_by").value, at.selectbox(key="cohorts_retained_by").value) == \
        ("first_activity", "activity")
    assert at.radio(key="cohorts_definition").value == "on"
    assert "purchase log" in at.caption[0].value and "purchased in it" in at.caption[0].value
    assert "23,570 customers in 3 cohorts, as of 1998-06-30." in at.caption[1].value
    heat = next(d for spec, d in _charts(at) if spec["layer"][0]["mark"]["type"] == "rect")
    heat = heat[heat["kind"] == "cell"]  # its cells (beside them: the cohorts' sizes and the average row)
    got = heat.astype({"period": int}).set_index(["cohort", "period"])["value"].sort_index()
    expected = independent(shared).sort_index()
    assert got.index.tolist() == [(c, int(k)) for c, k in expected.index]
    assert got.to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-12)
    assert (got.xs(0, level="period") == 1).all() and got.drop(0, level="period").max() < 0.2
    # no churn dates of its own: survival dates each buyer's churn by the lapse rule (last purchase + N days, once
    # that day has come), and says so
    assert any(s.value == "Survival (Kaplan-Meier)" for s in at.subheader)
    assert any(c.value.startswith("Buyers without a contract have no churn date of their own") and
               c.value.endswith("Lapse period in use: 210 days.") for c in at.caption)
    raw = store_kinds.cdnow_raw()
    lapse = raw.groupby("customer_id")["date"].max() + pd.Timedelta(days=210)
    summary = next(d.value for d in at.dataframe if "median_text" in d.value.columns)
    assert summary["customers"].tolist() == [raw["customer_id"].nunique()] == [23_570]
    assert summary["churned"].tolist() == [int((lapse <= pd.Timestamp("1998-06-30")).sum())]


def test_share_axes_read_whole_percents(url, monkeypatch):
    at = open_page(monkeypatch, url, "cohort_curves")
    formats = [json.dumps(spec) for spec, _ in _charts(at)]
    assert formats and all('"format": "%"' not in f for f in formats)
    assert any('"format": ".0%"' in f for f in formats)


def test_choices_made_on_another_kind_of_store_start_again_at_this_one_s(url, monkeypatch):
    """A session that looked at a subscription book (its defaults) and then opens this purchase log."""
    from core.cohorts.settings import CohortSettings

    at = open_page(monkeypatch, url, "cohort_curves")
    at.session_state["cohorts_defaults_of"] = repr(CohortSettings())  # the book's defaults were the last shown
    at.selectbox(key="cohorts_by").set_value("signup")
    at.selectbox(key="cohorts_retained_by").set_value("subscription").run()
    assert not at.exception, at.exception
    assert (at.selectbox(key="cohorts_by").value, at.selectbox(key="cohorts_retained_by").value) == \
        ("first_activity", "activity")
    # a choice made here stays
    at.selectbox(key="cohorts_retained_by").set_value("subscription").run()
    assert at.selectbox(key="cohorts_retained_by").value == "subscription"


def test_the_choices_read_plain_words_and_the_cell_table_is_readable(url, shared, monkeypatch):
    at = open_page(monkeypatch, url, "cohort_curves")
    codes = {"first_activity", "logo", "on_or_after", "period0", "net_revenue", "subscription", "previous"}
    shown = [o for w in list(at.selectbox) + list(at.radio) if w.key and w.key.startswith("cohorts_")
             for o in w.options]
    assert "First activity or purchase" in shown and "First period" in shown and "In or after the period" in shown
    assert not codes & set(shown), codes & set(shown)
    assert at.selectbox(key="cohorts_by").value == "first_activity"  # the settings keep their codes
    assert at.select_slider(key="cohorts_signups").label == "First-purchase months shown"
    # the tracked period's axis: one decimal, ticks at least 0.1 pt apart (never "11%, 10%, 10%")
    tracked = next(spec for spec, _ in _charts(at) if spec.get("mark", {}).get("type") == "line"
                   and spec["encoding"]["x"]["field"] == "cohort")
    assert tracked["encoding"]["y"]["axis"] == {"format": ".1%", "tickMinStep": 0.001}
    # the customers of a cell: readable columns, days as days, nothing reading None or 00:00:00
    people = next(d.value for d in at.dataframe if "retained" in d.value.columns)
    assert list(people.columns[:3]) == ["customer_id", "first_activity", "last_activity"]
    assert not {"name", "signup_date", "churn_date", "attributes", "import_id"} & set(people.columns)
    text = people.drop(columns="retained").astype(str)
    assert not text.isin(["None", "nan", "NaT"]).any().any()
    assert not text.apply(lambda c: c.str.contains("00:00:00")).any().any()
    raw = pd.read_csv(shared / CDNOW, sep=r"\s+", dtype={"customer_id": str, "date": str})
    days = pd.to_datetime(raw["date"], format="%Y%m%d").groupby(raw["customer_id"]).agg(["min", "max"])
    row = people.iloc[0]
    assert (row["first_activity"], row["last_activity"]) == tuple(days.loc[row["customer_id"]].dt.strftime("%Y-%m-%d"))
