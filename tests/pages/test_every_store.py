"""Every page on every kind of store (issue 20's acceptance): the demo, CDNOW as a purchase log, telco as a snapshot,
the clothing reviews as feedback only, and a mix (tests/pages/store_kinds.py builds them with the importer, once per
module).

Each page runs without an exception or traceback text; each of its tabs shows its key element (AppTest runs every
tab's code, so a tab is "opened" by finding what it draws); a page that cannot show something on a store says so in
plain words. The figures are checked against pandas computations written here from the source files: the CDNOW
cohort cells and buyer figures (Overview and Quarterly review), "Customers" as of a day on the demo, the telco
snapshot and the mix, the reviews' feedback counts, and every store's row counts on the Data page.

AppTest reruns only the page under st.navigation, so a rerun sets the sidebar's keys (``rerun`` in conftest.py).
Kept quick: each store is built once per module, the components scan of a new AppTest is done once, and a page's first
run that several tests only read is opened once (``first_run``); a test that reruns a page opens its own.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from core.feedback.verbatim_list import SHOWN
from tests.conftest import ROOT
from tests.pages import store_kinds as sk
from tests.pages.conftest import rerun

PAGES = {"overview": "Overview", "data": "Data", "cohort_curves": "Cohort curves", "churn_drivers": "Churn drivers",
         "health_scores": "Health scores", "feedback_themes": "Feedback themes",
         "intervention_roi": "Intervention ROI", "playbooks": "Playbooks", "service_operations": "Service operations",
         "quarterly_review": "Quarterly review"}

#: page -> tab -> its key element: (element types, "|" between alternatives; words in it, or None for any)
TAB_KEYS = {
    "churn_drivers": {
        "Drivers": ("vega_lite_chart", None), "Risk tiers": ("metric", "Flagged (held out)"),
        "Customer": ("selectbox", None), "Validation": ("markdown", "**Validation:**"),
        "Segments": ("dataframe|info", None), "Model card": ("markdown", "**Churn model v"),
        "Lifetime value": ("metric", "Buyers valued")},
    "health_scores": {
        "Portfolio": ("metric", "Customers scored"), "Alerts": ("dataframe", None), "Customer": ("selectbox", None),
        "Back-test": ("metric", "Back-test ROC-AUC"), "Suggested weights": ("markdown", "**Suggested weights**"),
        "Configuration": ("markdown", "**Edit v"), "Compare versions": ("info|vega_lite_chart|dataframe", None)},
    "feedback_themes": {
        "Themes": ("dataframe", None), "Over time & segments": ("markdown", "**Share of verbatims naming each theme"),
        "Scores": ("vega_lite_chart|info", None), "Verbatims": ("caption", "Personal data (e-mail"),
        "Churn signals": ("caption", "A verbatim with a word such as cancel"),
        "Backlog": ("caption", "Each negative or churn-signal verbatim"),
        "Discovery": ("caption", "name no theme of the codebook"), "Codebook": ("markdown", "**Change log**")},
    "intervention_roi": {
        "Effect": ("vega_lite_chart", None), "Money": ("metric", "Net value (window)"),
        "Time to impact": ("vega_lite_chart", None), "Where it works": ("vega_lite_chart", None),
        "Next wave": ("caption", "A customer kept is worth"), "Fatigue": ("vega_lite_chart", None),
        "Planning": ("number_input", None)},  # every play at a glance now opens the page, above the tabs
    "playbooks": {  # the example playbook previewed on the store (none is saved); an error: no customer to act on
        "Rules": ("markdown", "Guards:"), "Run": ("metric|error", None), "Queue": ("info", "No run is recorded yet"),
        "Calendar": ("markdown|info", None)},
    "service_operations": {"Service levels": ("vega_lite_chart", None),  # the first level; the others: its own test
        "Target that pays": ("metric", "Tickets that met it"),
        "Leading indicators": ("caption", "Churners a signal flagged in the 90 days before they left"),
        "Closed loop": ("metric", "Detractors followed up within 2 days"),
        "Incidents": ("info", "No incidents yet: import an incident or outage export")},
    "quarterly_review": {
        "Figures": ("markdown", "#### Overview"), "Compare": ("info|dataframe", None),
        "Decisions": ("info|dataframe", None), "Assumptions": ("dataframe", None), "Export": ("button", None)},
}
TABS = {page: tuple(keys) for page, keys in TAB_KEYS.items()}
NO_PLAYS = ("info", "There are no plays to measure: import interventions")
NO_FEEDBACK = ("info", "There is no feedback yet: import survey answers, reviews or tickets")
NO_CUSTOMERS = ("error", "There are no customers to model: import a customer file")
NO_TICKETS = ("info", "No tickets yet: import a help-desk export")

#: kind -> page -> (its tabs, what it shows: (element types, words) each, its key element or the plain words saying
#: what it cannot show and what to import)
SHOWS = {
    "demo": {
        "overview": ((), [("metric", "MRR"), ("metric", "NRR")]),
        "data": ((), [("metric", "Interventions")]),
        "cohort_curves": ((), [("subheader", "Customers in a cell"), ("subheader", "Survival (Kaplan-Meier)"),
                               ("subheader", "Voluntary and involuntary churn")]),
        "churn_drivers": (TABS["churn_drivers"][:-1], []),
        "health_scores": (TABS["health_scores"], []),
        "feedback_themes": (TABS["feedback_themes"], []),
        "intervention_roi": (TABS["intervention_roi"], []),
        "playbooks": (TABS["playbooks"], [("metric", "Actions queued"), ("markdown", "Outreach calendar as of")]),
        "service_operations": (TABS["service_operations"], [("caption", "tickets judged, data to 2026-10-31")]),
        "quarterly_review": (TABS["quarterly_review"], [("metric", "MRR")])},
    "cdnow": {
        "overview": ((), [("metric", "Active buyers"), ("caption", "There is no recurring revenue in this store")]),
        "data": ((), [("metric", "Revenue rows")]),
        "cohort_curves": ((), [("caption", "This store is a purchase log"),
                               ("subheader", "Survival (Kaplan-Meier)"),  # buyers churn by the lapse rule
                               ("info", "No churned customer has a churn type")]),  # which has no cause
        "churn_drivers": (TABS["churn_drivers"], [("number_input", None)]),  # the lapse days, proposed
        "health_scores": (TABS["health_scores"], []),
        "feedback_themes": ((), [NO_FEEDBACK]),
        "intervention_roi": ((), [NO_PLAYS]),
        "playbooks": (TABS["playbooks"], [("metric", "Actions queued"),
                                          ("caption", "Detractor cannot fire on this store: it has no dated NPS")]),
        "service_operations": ((), [NO_TICKETS]),
        "quarterly_review": (TABS["quarterly_review"], [("metric", "Active buyers")])},
    "telco": {
        "overview": ((), [("metric", "Logo churn rate"), ("caption", "This store is a snapshot")]),
        "data": ((), [("metric", "Customers")]),
        "cohort_curves": ((), [("info", "a snapshot cannot give cohort retention"),
                               ("subheader", "Survival (Kaplan-Meier)"),
                               ("info", "No churned customer has a churn type")]),
        "churn_drivers": (TABS["churn_drivers"][:-1], []),
        "health_scores": (("Configuration", "Compare versions"),
                          [("warning", "No customer has the 3 measures a health band needs")]),
        "feedback_themes": ((), [NO_FEEDBACK]),
        "intervention_roi": ((), [NO_PLAYS]),
        "playbooks": (TABS["playbooks"], [("metric", "Actions queued"),
                                          ("caption", "Health turned red cannot fire on this store: it has no health "
                                                      "band a month earlier")]),
        "service_operations": ((), [NO_TICKETS]),
        "quarterly_review": (TABS["quarterly_review"], [("metric", "Active customers")])},
    "reviews": {
        "overview": ((), [("info", "This store holds feedback only: the Feedback themes page reads it")]),
        "data": ((), [("metric", "Feedback")]),
        "cohort_curves": ((), [("error", "No customer has a signup date or any activity")]),
        "churn_drivers": ((), [NO_CUSTOMERS]),
        "health_scores": ((), [NO_CUSTOMERS]),
        "feedback_themes": (TABS["feedback_themes"], [("caption", "All dates: every verbatim")]),
        "intervention_roi": ((), [NO_PLAYS]),
        "playbooks": (TABS["playbooks"], [NO_CUSTOMERS, ("info", "The calendar needs customers to act on")]),
        "service_operations": ((), [NO_TICKETS]),
        "quarterly_review": ((), [("info", "There is nothing to review yet: import customers")])},
    "mix": {
        "overview": ((), [("subheader", "Recurring revenue"), ("subheader", "Buyers")]),
        "data": ((), [("metric", "Feedback")]),
        "cohort_curves": ((), [("subheader", "Customers in a cell"), ("caption", "This store is a mix")]),
        # the buyers without recurring revenue churn by the lapse rule (the book keeps its own churn dates), so the
        # model fits, and their lifetime value is there too
        "churn_drivers": (TABS["churn_drivers"], [("number_input", None)]),
        "health_scores": (TABS["health_scores"], []),
        "feedback_themes": (TABS["feedback_themes"], []),
        "intervention_roi": ((), [NO_PLAYS]),
        "playbooks": (TABS["playbooks"], [("metric", "Actions queued")]),
        "service_operations": ((), [NO_TICKETS]),
        "quarterly_review": (TABS["quarterly_review"], [("metric", "MRR"), ("metric", "Active buyers")])},
}
#: text of a raw exception on a page (a traceback, a Python error's name, a source line)
RAW_ERROR = re.compile(r"Traceback \(most recent|\b[A-Z]\w*(Error|Exception)\b|File \"[^\"]+\", line \d+")


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_demo_store) -> sk.Stores:
    return sk.Stores(lambda kind: tmp_path_factory.mktemp(f"store_{kind}"), small_demo_store)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return sk.cdnow_raw()


@pytest.fixture(scope="module", autouse=True)
def components_scanned_once():
    """Each new AppTest scans every installed package for Streamlit components (about 0.4 s, some 60 times in this
    module): the packages do not change while it runs, so the first scan serves them all."""
    from streamlit.components.v2 import manifest_scanner

    found = manifest_scanner.scan_component_manifests()
    patch = pytest.MonkeyPatch()
    patch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: list(found))
    yield
    patch.undo()


def open_page(monkeypatch, url: str, page: str) -> AppTest:
    """The app on the store at ``url`` (demo off), run once straight on ``pages/<page>.py`` (not first on the
    Overview, as tests/pages/conftest.py's ``open_page`` does: 40 runs of it add up)."""
    monkeypatch.setenv("RETENTION_DB_URL", url)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


#: the pages whose first run several tests read without changing it (no rerun): opened once, shared
SHARED_RUNS = {("cdnow", "cohort_curves"), ("cdnow", "quarterly_review"), ("demo", "quarterly_review"),
               ("reviews", "feedback_themes"), ("mix", "overview"), ("telco", "quarterly_review"),
               ("mix", "quarterly_review"), *((kind, "data") for kind in sk.KINDS)}


@pytest.fixture(scope="module")
def first_runs() -> dict:
    return {}


def first_run(first_runs: dict, stores: sk.Stores, monkeypatch, kind: str, page: str) -> AppTest:
    """The page's first run on the store ``kind``, as :func:`open_page`; the same AppTest for every test that only
    reads it (:data:`SHARED_RUNS`). A test that reruns the page opens its own."""
    if (kind, page) not in SHARED_RUNS:
        return open_page(monkeypatch, stores.url(kind), page)
    if (kind, page) not in first_runs:
        first_runs[kind, page] = open_page(monkeypatch, stores.url(kind), page)
    return first_runs[kind, page]


def _words(e) -> str:
    if e.type == "metric":
        return f"{e.label} {e.value}"
    value = getattr(e, "value", "")
    return value if isinstance(value, str) else ""


def _shows(node, types: str, words: str | None) -> bool:
    """Whether ``node`` (an AppTest or a tab) holds an element of one of ``types`` with ``words`` in it."""
    return any(words is None or words in _words(e) for t in types.split("|") for e in node.get(t))


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _signed_up(days: pd.Series, day) -> int:
    return int((pd.to_datetime(days) <= pd.Timestamp(day)).sum())


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("kind", sk.KINDS)
def test_the_page_runs_shows_every_tab_and_says_what_it_cannot_show(kind, page, stores, first_runs, monkeypatch):
    at = first_run(first_runs, stores, monkeypatch, kind, page)
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES[page]
    raw = [t for kind_ in ("markdown", "caption", "info", "warning", "error", "success", "text", "code")
           for t in (_words(e) for e in at.get(kind_)) if RAW_ERROR.search(t)]
    assert not raw, raw
    tabs, says = SHOWS[kind][page]
    assert tuple(t.label for t in at.tabs) == tabs
    for tab in at.tabs:
        types, words = TAB_KEYS[page][tab.label]
        assert _shows(tab, types, words), f"the {tab.label} tab shows no {types} {words or ''}"
    for types, words in says:
        assert _shows(at, types, words), f"no {types} {words or ''}"


# --------------------------------------------------------------------------- figures against pandas
def buyer_tiles(raw: pd.DataFrame, first: str, last: str, signed_up: int) -> dict[str, str]:
    """The buyer tiles over [first, last], from the purchases alone, written as the pages write figures."""
    inside = raw[(raw["date"] >= first) & (raw["date"] <= last)]
    days = inside.groupby("customer_id")["date"].nunique()
    revenue = math.fsum(inside["dollar_value"])  # correctly rounded: a sum ending in exactly $0.50 stays there
    per_buyer = revenue / len(days)
    assert revenue >= 100 and days.mean() < 100  # whole dollars; a frequency with one decimal
    cents = ".2f" if per_buyer < 100 else ".0f"  # an amount under $100 keeps its cents
    return {"Customers": f"{signed_up:,}", "Active buyers": f"{len(days):,}",
            "Repeat-purchase rate": f"{(days >= 2).mean() * 100:.1f}%", "Revenue": f"${revenue:,.0f}",
            "Revenue per buyer": f"${per_buyer:,{cents}}", "Purchase frequency": f"{days.mean():.1f}"}


def retained_cells(raw: pd.DataFrame, last_month: str) -> pd.Series:
    """(cohort, k) -> share of a first-purchase month's customers who bought in month k, months up to
    ``last_month``."""
    month = raw["date"].dt.to_period("M")
    first = month.groupby(raw["customer_id"]).transform("min")
    bought = pd.DataFrame({"cohort": first.astype(str), "k": (month - first).map(lambda off: off.n),
                           "id": raw["customer_id"]}).drop_duplicates()
    counts = bought.groupby(["cohort", "k"])["id"].nunique()
    share = counts / counts.xs(0, level="k").reindex(counts.index.get_level_values("cohort")).to_numpy()
    return share[[pd.Period(c, "M") + k <= pd.Period(last_month, "M") for c, k in share.index]]


def test_cdnow_overview_shows_buyer_figures_equal_to_pandas(stores, cdnow, monkeypatch):
    at = open_page(monkeypatch, stores.url("cdnow"), "overview")
    signed_up = cdnow["customer_id"].nunique()
    assert _tiles(at) == buyer_tiles(cdnow, "1997-07-01", "1998-06-30", signed_up)
    rerun(at, dates=(dt.date(1997, 1, 1), dt.date(1997, 9, 30)))  # as of 30 Sep 1997
    assert _tiles(at) == buyer_tiles(cdnow, "1996-10-01", "1997-09-30", signed_up)


def test_cdnow_default_cohort_cells_equal_pandas(stores, first_runs, cdnow, monkeypatch):
    at = first_run(first_runs, stores, monkeypatch, "cdnow", "cohort_curves")
    heat = None
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("layer") and spec["layer"][0]["mark"]["type"] == "rect":
            heat = convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data)
    assert heat is not None, "no cohort heat map"
    heat = heat[heat["kind"] == "cell"]  # its cells (beside them: the cohorts' sizes and the average row)
    got = heat.astype({"period": int}).set_index(["cohort", "period"])["value"].sort_index()
    want = retained_cells(cdnow, "1998-06").sort_index()
    assert got.index.tolist() == [(c, int(k)) for c, k in want.index]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)
    march = cdnow[cdnow["customer_id"].isin(cdnow.groupby("customer_id")["date"].min().loc[lambda d: d.dt.month == 3]
                                            .index)]
    in_june_98 = march.loc[march["date"].dt.to_period("M") == "1998-06", "customer_id"].nunique()
    drill = f"{in_june_98:,} of {march['customer_id'].nunique():,} customers of cohort 1997-03 retained in period 15."
    assert drill in [c.value for c in at.caption]


def test_cdnow_quarterly_review_shows_the_buyer_figures_and_why_there_is_no_mrr(stores, first_runs, cdnow,
                                                                               monkeypatch):
    at = first_run(first_runs, stores, monkeypatch, "cdnow", "quarterly_review")
    assert at.selectbox(key="review_quarter").value == "1998-Q2"
    assert at.subheader[0].value == "1998-Q2, as of 1998-06-30"
    want = buyer_tiles(cdnow, "1997-07-01", "1998-06-30", cdnow["customer_id"].nunique())
    tiles = _tiles(at)
    assert tiles == {k: want[k] for k in ("Active buyers", "Repeat-purchase rate", "Revenue", "Revenue per buyer")}
    table = next(d.value for d in at.dataframe if {"metric", "shown", "note"} <= set(d.value.columns))
    assert dict(zip(table["metric"], table["shown"], strict=True)) == want  # no MRR, NRR or GRR row reading $0 or –
    why = table["note"].iloc[0]
    assert why.startswith("There is no recurring revenue in this store: it is a purchase log") and "MRR" in why
    assert why in [c.value for c in at.caption]  # in full under the Overview's heading, not cut in a table cell


def _demo_frames(url: str) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The demo store's customers and the as-of day of its monthly figures (the last MRR month's end), read with
    sqlite3 and pandas."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        customers = pd.read_sql("select customer_id, signup_date from customer", con)
        last = pd.read_sql("select max(period) as p from revenue where mrr is not null", con)["p"].iloc[0]
    return customers, pd.Timestamp(last) + pd.offsets.MonthEnd(0)


def test_demo_customers_are_counted_as_of_the_day(stores, first_runs, monkeypatch):
    url = stores.url("demo")
    customers, as_of = _demo_frames(url)
    at = open_page(monkeypatch, url, "overview")
    assert _tiles(at)["Customers"] == f"{_signed_up(customers['signup_date'], as_of):,}"
    assert f"Trailing 12 months to {as_of:%d %b %Y}" in " ".join(c.value for c in at.caption)
    day = as_of - pd.offsets.MonthEnd(16)  # a range ending 16 months earlier
    rerun(at, dates=((day - pd.DateOffset(years=1)).date(), day.date()))
    shown = _tiles(at)["Customers"]
    assert shown == f"{_signed_up(customers['signup_date'], day):,}" and shown != f"{len(customers):,}"
    review = first_run(first_runs, stores, monkeypatch, "demo", "quarterly_review")
    quarter_end = (as_of + pd.Timedelta(days=1) - pd.offsets.QuarterEnd(1)).normalize()  # the last whole quarter
    assert review.subheader[0].value == f"{quarter_end.year}-Q{quarter_end.quarter}, as of {quarter_end:%Y-%m-%d}"
    table = next(d.value for d in review.dataframe if {"metric", "shown"} <= set(d.value.columns))
    assert table.set_index("metric").at["Customers", "shown"] == \
        f"{_signed_up(customers['signup_date'], quarter_end):,}"


def test_telco_customers_are_counted_as_of_the_day(stores, monkeypatch):
    raw = pd.read_csv(sk.TELCO)
    at = open_page(monkeypatch, stores.url("telco"), "overview")
    tiles = _tiles(at)
    assert (tiles["Customers"], tiles["Active customers"]) == (f"{len(raw):,}", f"{(raw['Churn'] == 'No').sum():,}")
    rerun(at, dates=(dt.date(2022, 7, 1), dt.date(2023, 6, 30)))
    signups = sk.telco_signups()
    counted = _signed_up(signups, "2023-06-30")
    assert _tiles(at)["Customers"] == f"{counted:,}" and counted == (raw["tenure"] >= 7).sum()


def test_reviews_feedback_counts_equal_the_file(stores, first_runs, monkeypatch):
    raw = sk.reviews(sk.REVIEWS_ROWS)
    texts = int(raw["Review Text"].fillna("").str.strip().ne("").sum())
    assert 0 < texts < len(raw)  # some reviews have a rating and no text: they are no verbatim
    at = first_run(first_runs, stores, monkeypatch, "reviews", "feedback_themes")
    assert _tiles(at)["Verbatims"] == f"{texts:,}"
    assert any(c.value.startswith(f"All dates: every verbatim, {texts:,} of them without a date") for c in at.caption)
    listed = f"; the newest {SHOWN:,} are listed, the download holds them all" if texts > SHOWN else ""
    assert f"{texts:,} verbatims{listed}. Personal data" in " ".join(c.value for c in at.tabs[3].caption)


def test_the_mix_shows_the_book_and_the_buyers_as_of_the_day(stores, first_runs, monkeypatch):
    customers, mrr = sk.book()
    sample = pd.read_csv(sk.CDNOW_SAMPLE, sep=r"\s+", header=None, dtype={0: str, 2: str})
    sample = pd.DataFrame({"customer_id": sample[0], "date": pd.to_datetime(sample[2], format="%Y%m%d"),
                           "dollar_value": sample[4]})
    at = first_run(first_runs, stores, monkeypatch, "mix", "overview")
    tiles = _tiles(at)
    june = mrr[mrr["period"] == "1998-06-01"]
    assert tiles["Customers"] == f"{len(customers) + sample['customer_id'].nunique():,}"
    assert tiles["MRR"] == f"${june['mrr'].sum():,.0f}"
    want = buyer_tiles(sample, "1997-07-01", "1998-06-30", 0)
    assert {k: tiles[k] for k in want if k != "Customers"} == {k: v for k, v in want.items() if k != "Customers"}


def test_telco_review_defaults_to_the_snapshot_s_quarter(stores, first_runs, monkeypatch):
    raw = pd.read_csv(sk.TELCO)
    at = first_run(first_runs, stores, monkeypatch, "telco", "quarterly_review")
    assert at.selectbox(key="review_quarter").value == "2024-Q1"  # the quarter holding the snapshot day, 2024-01-31
    starters = raw[raw["tenure"] >= 12]  # signed up by 2023-01-31, the day before the 12-month window
    churn = (starters["Churn"] == "Yes").mean()
    assert _tiles(at)["Logo churn rate"] == f"{churn * 100:.1f}%" and churn > 0


def test_mix_review_says_its_reviews_are_undated(stores, first_runs, monkeypatch):
    texts = int(sk.reviews(sk.MIX_REVIEWS)["Review Text"].fillna("").str.strip().ne("").sum())
    at = first_run(first_runs, stores, monkeypatch, "mix", "quarterly_review")
    tables = [d.value.set_index("metric") for d in at.dataframe if {"metric", "shown", "note"} <= set(d.value.columns)]
    row = next(t.loc["Undated verbatims"] for t in tables if "Undated verbatims" in t.index)
    assert row["shown"] == f"{texts:,}" and row["note"].startswith(f"{texts:,} verbatims have no date")
    assert not any("No survey answer or verbatim was dated" in c.value for c in at.caption)


@pytest.mark.parametrize("kind", ["cdnow", "telco", "reviews", "mix"])
def test_the_data_page_counts_what_was_imported(kind, stores, first_runs, cdnow, monkeypatch):
    if kind == "cdnow":
        raw = cdnow
        want = {"Customers": raw["customer_id"].nunique(), "Revenue rows": len(raw), "Activity rows": len(raw)}
    elif kind == "telco":
        want = {"Customers": len(pd.read_csv(sk.TELCO)), "Revenue rows": 0}
    elif kind == "reviews":
        want = {"Customers": 0, "Feedback": len(sk.reviews(sk.REVIEWS_ROWS))}
    else:
        customers, mrr = sk.book()
        sample = pd.read_csv(sk.CDNOW_SAMPLE, sep=r"\s+", header=None, dtype={0: str})
        want = {"Customers": len(customers) + sample[0].nunique(), "Revenue rows": len(mrr) + len(sample),
                "Activity rows": len(sample), "Feedback": sk.MIX_REVIEWS}
    at = first_run(first_runs, stores, monkeypatch, kind, "data")
    tiles = _tiles(at)
    assert {k: tiles[k] for k in want} == {k: f"{v:,}" for k, v in want.items()}
