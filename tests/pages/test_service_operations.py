"""AppTest of the Service operations page (pages/service_operations.py) on a copy of the small demo store (1,000
customers, seed 0): the tickets judged and each first-response band's tickets and churn equal a count in SQL on the
store's own tables (tests/core/cli/test_service.py's), at the default 90 days and at 30; every service level, chosen
in the Service levels tab, has its chart, table and download; a store without tickets says what to import; the
public support-ticket file (a SYNTHETIC Kaggle sample: its customers and texts are templates, never real people)
names no customer in the store, and the page says churn after a ticket cannot be measured from it. Reopenings,
first-contact resolution and effort score: each band counted in SQL; without those columns they are not offered and a
caption says what would add them."""

import io

import numpy as np
import pandas as pd
import pytest

import core
from core.history.inputs import load_inputs
from core.service.bands import LEVELS
from core.service.follow_up import NO_DETRACTORS
from core.service.indicators import flags
from core.service.inputs import load_service
from core.service.leads import monthly, ranking
from core.service.outcomes import judge
from tests.conftest import SHARED, copy_store
from tests.core.cli.test_service import (
    DETRACTORS,
    FIRST_RESPONSE,
    JUDGED,
    MEASURES,
    NO_MEASURES,
    NO_NPS,
    OPEN_PAST,
    SECONDS,
    _end,
    _sql,
    altered,
)
from tests.core.service.test_rates import Z, combination, design, sandwich
from tests.pages import plain_pages
from tests.pages.conftest import open_page, rerun
from tests.pages.downloads import downloads, recording

LEVEL_TITLES = ["Time to first response", "Time to resolve", "Escalated", "Reopenings", "First-contact resolution",
                "Effort score", "Ticket category", "Ticket channel"]
LEVEL_KEYS = list(LEVELS)
TITLES = ["Service levels", "Target that pays", "Leading indicators", "Closed loop", "Incidents"]


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('service'))}"


def _counts(store, days: int, where: str = "") -> tuple[int, int]:
    return _sql(store, f"{JUDGED} {('AND ' + where) if where else ''}", plus=f"+{days} days", end=_end(store))


@pytest.mark.parametrize("days", [90, 30])
def test_the_tickets_judged_and_each_band_equal_a_count_in_sql(store, monkeypatch, days):
    at = open_page(monkeypatch, store, "service_operations")
    if days != 90:
        at.number_input(key="service_days").set_value(days).run()
    assert not at.exception, at.exception
    total, _ = _counts(store, days)
    caption = next(c.value for c in at.caption if "tickets judged" in c.value)
    assert caption.startswith(f"{total:,} of ") and f"data to {_end(store)}" in caption
    assert f"opened within the last {days} days" in caption
    table = at.tabs[0].dataframe[0].value.set_index("band")
    for band, where in FIRST_RESPONSE.items():
        n, churned = _counts(store, days, where)
        assert (table.loc[band, "tickets"], table.loc[band, "churned"]) == (n, churned), band
        assert table.loc[band, "churn_rate"] == pytest.approx(churned / n, abs=1e-12)
    # the adjusted gap against "under 1 h" (shown in points): the hand fit on the judged tickets, banded here
    f = judge(load_service(core.make_engine(store)), days).frame
    bands = list(table.index)
    f["band"] = pd.cut(f["first_response_hours"], [0, 1, 4, 24, np.inf], right=False,
                       labels=bands[:4]).astype(object).fillna("no response")
    X = design(f, ("segment", "plan", "tenure"), bands=bands)
    beta, V = sandwich(X, f["churned"].to_numpy(float), f["customer_id"])
    d = combination(X, len(bands), 1) - combination(X, len(bands), 0)
    est, se = d @ beta, np.sqrt(d @ V @ d)
    got = table.loc["1 to 4 h", ["gap", "gap_low", "gap_high"]].tolist()
    assert got == pytest.approx([100 * est, 100 * (est - Z * se), 100 * (est + Z * se)],
                                abs=1e-9)
    assert np.isnan(table.loc["under 1 h", "gap"])
    assert any("each band's adjusted churn minus that of under 1 h" in c.value for c in at.caption)


def _tab(at, label: str):
    """The page's tab of that label."""
    return next(t for t in at.tabs if t.label == label)


def _each(at, key: str, values):
    """Each of ``values`` in turn, the page rerun with it in the number box ``key`` (the first: as opened)."""
    for i, value in enumerate(values):
        if i:
            at.number_input(key=key).set_value(value).run()
        assert not at.exception, at.exception
        yield value


def _level(at, title: str):
    """The Service levels tab after choosing ``title`` in its radio."""
    radio = at.radio(key="service_level")
    at = radio.set_value(LEVEL_KEYS[radio.options.index(title)]).run()
    assert not at.exception, at.exception
    return at, at.tabs[0]


def test_every_level_has_its_chart_table_and_download(store, monkeypatch):
    at = open_page(monkeypatch, store, "service_operations")
    assert at.title[0].value == "Service operations"
    assert [t.label for t in at.tabs] == TITLES
    assert at.radio(key="service_level").options == LEVEL_TITLES
    for title in LEVEL_TITLES:
        at, tab = _level(at, title)
        assert len(tab.get("vega_lite_chart")) == 1 and len(tab.dataframe) == 1, title
        sentence = next(c.value for c in tab.caption if c.value.startswith("Adjusted churn within 90 days"))
        assert f"by {title.lower()}: highest for" in sentence and "lowest for" in sentence
        labels = [b.label for b in tab.get("download_button")]
        assert labels.count("Download this table (CSV)") == 1, title
    assert any("associations, not experiments" in i.value for i in at.info)
    assert "Download every table (XLSX)" in [b.label for b in at.get("download_button")]
    assert not any(c.value.startswith("Not measured") for c in at.caption)


def test_the_new_levels_count_the_tickets_the_store_holds(store, monkeypatch):
    at = open_page(monkeypatch, store, "service_operations")
    for section, bands in MEASURES.items():
        at, tab = _level(at, section)
        table = tab.dataframe[0].value.set_index("band")
        assert list(table.index) == list(bands), section
        for band, where in bands.items():
            n, churned = _counts(store, 90, where)
            assert (table.loc[band, "tickets"], table.loc[band, "churned"]) == (n, churned), (section, band)


def test_a_help_desk_without_the_measures_shows_the_levels_it_has_and_says_why(store, tmp_path, monkeypatch):
    at = open_page(monkeypatch, altered(store, tmp_path, NO_MEASURES), "service_operations")
    assert not at.exception, at.exception
    assert at.radio(key="service_level").options == [t for t in LEVEL_TITLES if t not in MEASURES]
    assert any(c.value.startswith("Not measured: reopenings, first-contact resolution and effort score: the tickets' "
                                  "import has no reopen counts") for c in at.caption)


def test_a_store_without_tickets_says_what_to_import(tmp_path, monkeypatch):
    at = open_page(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}", "service_operations")
    assert [i.value for i in at.info] == ["No tickets yet: import a help-desk export (ticket id, customer id, opened, "
                                          "first response, resolved, priority, category, channel) on the Data page "
                                          "to see which service levels keep customers."]
    assert not at.tabs


def test_the_synthetic_ticket_sample_names_no_customer_and_the_page_says_so(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    engine = core.make_engine(url)
    data = (SHARED / "support_tickets_synthetic/customer_support_tickets.csv").read_bytes()
    plan = core.prepare_import(engine, data, "customer_support_tickets.csv", "tickets")
    core.commit_import(engine, plan)
    engine.dispose()
    at = open_page(monkeypatch, url, "service_operations")
    shown = " ".join(e.value for kind in ("info", "error", "warning") for e in at.get(kind))
    assert shown == ("None of the 8,469 tickets names a customer or has an opening time, so churn after a ticket "
                     "cannot be measured (it needs the customer and the day each ticket was opened): import a "
                     "help-desk export with the customer id and the opening time of each ticket, and the customers "
                     "with their churn dates.")
    assert not at.tabs


def test_the_page_reads_in_plain_words(store, monkeypatch):
    """No code word (snake_case, None, NaN, long decimals ...) in anything the page shows (tests/pages/plain_words.py),
    at the default window and at another."""
    at = open_page(monkeypatch, store, "service_operations")
    found = []
    plain_pages.add_findings(at, found)
    at.number_input(key="service_days").set_value(45).run()
    plain_pages.add_findings(at, found)
    assert found == []


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_target_tab_shows_the_tickets_that_met_it_and_the_gap_computed_by_hand(store, monkeypatch):
    """The share that met "resolve within 48 h" counted in SQL; the gap by numpy least squares and a hand-written
    clustered sandwich on the judged tickets (tests/core/service/test_rates.py's); the verdict at a cost per point."""
    at = open_page(monkeypatch, store, "service_operations")
    at.number_input(key="service_hours").set_value(48.0).run()
    at.number_input(key="service_cost").set_value(1_000_000.0).run()
    assert not at.exception, at.exception
    total, _ = _counts(store, 90)
    met, _ = _counts(store, 90, f"{SECONDS.format(later='t.resolved')} BETWEEN 0 AND 172799")
    assert _metric(at, "Tickets that met it") == f"{100 * met / total:.1f}%"
    assert "**Target: resolve within 48 h**" in [m.value for m in at.markdown]
    f = judge(load_service(core.make_engine(store)), 90).frame
    f["band"] = np.where(f["resolve_hours"] < 48, "met", "missed")
    X = design(f, ("segment", "plan", "tenure"), bands=["met", "missed"])
    beta, _ = sandwich(X, f["churned"].to_numpy(float), f["customer_id"])
    gap = (combination(X, 2, 1) - combination(X, 2, 0)) @ beta
    assert _metric(at, "Churn gap, missed against met") == f"{100 * gap:+.1f} pts"
    verdict = next(i.value for i in at.info if i.value.startswith("At $1,000,000 a point"))
    assert "does not pay for itself" in verdict


def test_the_leading_indicators_tab_ranks_the_signals_and_counts_the_open_tickets_in_sql(store, monkeypatch):
    """The tab's ranking and months are core.service.leads' on the store; the customers a ticket left open 14 (then
    30) days flagged at the last month end equal a count in SQL; the workbook carries both tables."""
    engine = core.make_engine(store)
    with recording(monkeypatch) as made:
        at = open_page(monkeypatch, store, "service_operations")
        for days in _each(at, "service_open_days", (14, 30)):
            tab = _tab(at, "Leading indicators")
            f = flags(load_inputs(engine), load_service(engine).tickets, 90, days)
            pd.testing.assert_frame_equal(tab.dataframe[0].value, ranking(f))
            shown = tab.dataframe[1].value
            pd.testing.assert_frame_equal(shown, monthly(f))
            day = shown["month_end"].max()
            last = shown[(shown["month_end"] == day) & (shown["signal"] == f"A ticket open {days}+ days")]
            assert last["flagged"].tolist() == [_sql(store, OPEN_PAST, day=f"{day:%Y-%m-%d}", days=days)[0]]
            assert len(tab.get("vega_lite_chart")) == 2
            assert any(c.value.startswith("Churners a signal flagged in the 90 days before") for c in tab.caption)
        files = {name: data for _, name, data in downloads(at, made[-1])}
    sheets = pd.read_excel(io.BytesIO(files["service_levels.xlsx"]), sheet_name=None)
    assert sheets["Leading indicators"]["signal"].tolist() == ranking(f)["signal"].tolist()
    assert sheets["Leading indicators"]["caught"].tolist() == ranking(f)["caught"].tolist()
    assert len(sheets["Leading indicators by month"]) == len(monthly(f))


#: the store's customers of :segment active at the end of :day (sqlite3)
ACTIVE_OF = """SELECT count(*) FROM customer WHERE segment = :segment AND signup_date <= :day
AND (churn_date IS NULL OR churn_date > :day)"""


def test_the_sidebar_segment_narrows_the_tickets_and_the_signals_to_its_customers(store, monkeypatch):
    """Mid-Market in the sidebar: the tickets judged and each first-response band counted in SQL on that segment's
    customers only; the leading indicators' active customers at the last month end are that segment's."""
    at = rerun(open_page(monkeypatch, store, "service_operations"), segments=["Mid-Market"])
    end, seg = _end(store), " AND c.segment = 'Mid-Market'"
    total, _ = _sql(store, JUDGED + seg, plus="+90 days", end=end)
    everyone, _ = _sql(store, JUDGED, plus="+90 days", end=end)
    assert 0 < total < everyone
    caption = next(c.value for c in at.caption if "tickets judged" in c.value)
    assert caption.startswith(f"{total:,} of ") and caption.endswith(
        "Customers of segment Mid-Market only; the sidebar's dates do not apply.")
    table = at.tabs[0].dataframe[0].value.set_index("band")
    for band, where in FIRST_RESPONSE.items():
        n, churned = _sql(store, f"{JUDGED}{seg} AND {where}", plus="+90 days", end=end)
        assert (table.loc[band, "tickets"], table.loc[band, "churned"]) == (n, churned), band
    months = _tab(at, "Leading indicators").dataframe[1].value
    day = months["month_end"].max()
    assert set(months.loc[months["month_end"] == day, "active"]) == {
        _sql(store, ACTIVE_OF, segment="Mid-Market", day=f"{day:%Y-%m-%d}")[0]}


def test_the_closed_loop_tab_counts_the_detractors_followed_up_in_sql(store, monkeypatch):
    """The tab's figures and table at the default 2 days, then at 7: counted in SQL on the store; the workbook holds
    the table at the days chosen."""
    with recording(monkeypatch) as made:
        at = open_page(monkeypatch, store, "service_operations")
        for target in _each(at, "service_follow_up_days", (2, 7)):
            n, in_time, n1, k1, n0, k0 = _sql(store, DETRACTORS, target=target, plus="+90 days", end=_end(store))
            tab = _tab(at, "Closed loop")
            share = next(m for m in tab.metric if m.label == f"Detractors followed up within {target} days")
            assert share.value == f"{100 * in_time / n:.1f}%"
            shown = {m.label: m.value for m in tab.metric}
            assert shown["Churn, followed up in time"] == f"{100 * k1 / n1:.1f}%"
            assert shown["Churn gap, in time against not"] == f"{100 * (k1 / n1 - k0 / n0):+.1f} pts"
            table = tab.dataframe[0].value
            assert table["judged"].tolist() == [n1, n0] and table["churned"].tolist() == [k1, k0]
            np.testing.assert_allclose(table["churn_rate"], [k1 / n1, k0 / n0], rtol=0, atol=1e-12)
            assert any(c.value.startswith(f"{in_time:,} of {n:,} NPS detractors (0-6) followed up within {target} "
                                          "days") for c in tab.caption)
        files = {name: data for _, name, data in downloads(at, made[-1])}
    sheet = pd.read_excel(io.BytesIO(files["service_levels.xlsx"]), sheet_name="Detractor follow-up")
    assert sheet["group"].tolist() == ["followed up within 7 days", "not (later or never)"]
    assert sheet["judged"].tolist() == [n1, n0]


def test_the_closed_loop_tab_without_nps_answers_says_what_to_import(store, tmp_path, monkeypatch):
    at = open_page(monkeypatch, altered(store, tmp_path, NO_NPS), "service_operations")
    assert not at.exception, at.exception
    tab = _tab(at, "Closed loop")
    assert [i.value for i in tab.info] == [NO_DETRACTORS] and not tab.metric
    # the closure of reported issues by owner team and theme: one click away, on the Feedback themes page
    assert [link.proto.page for link in tab.get("page_link")] == ["feedback_themes"]


def test_a_store_without_tickets_still_shows_its_detractors_follow_up(store, tmp_path, monkeypatch):
    """Customers and NPS answers but no help desk: the message about tickets, then the Closed loop counted in SQL, at
    the default 2 days and at 7."""
    url = altered(store, tmp_path, "DELETE FROM ticket")
    at = open_page(monkeypatch, url, "service_operations")
    assert at.info[0].value.startswith("No tickets yet: import a help-desk export") and not at.tabs
    assert [h.value for h in at.subheader] == ["Closed loop"]
    for target in _each(at, "service_follow_up_days", (2, 7)):
        n, in_time, n1, k1, n0, k0 = _sql(url, DETRACTORS, target=target, plus="+90 days", end=_end(url))
        shown = {m.label: m.value for m in at.metric}
        assert shown[f"Detractors followed up within {target} days"] == f"{100 * in_time / n:.1f}%"
        assert shown["Churn gap, in time against not"] == f"{100 * (k1 / n1 - k0 / n0):+.1f} pts"
        assert at.dataframe[0].value["judged"].tolist() == [n1, n0]


def test_incidents_that_cannot_be_read_leave_the_other_tabs_standing(store, tmp_path, monkeypatch):
    from core.errors import StoreError
    from ui.service import outages as ui_outages

    def broken(engine):
        raise StoreError("The incident table cannot be read: run python -m core upgrade.", "damaged")

    monkeypatch.setattr(ui_outages, "load_outage_inputs", broken)
    url = altered(store, tmp_path, "UPDATE ticket SET priority = priority")  # a store of its own: nothing cached
    at = open_page(monkeypatch, url, "service_operations")
    assert [t.label for t in at.tabs] == TITLES and at.tabs[0].dataframe
    assert "The incident table cannot be read" in " ".join(e.value for e in _tab(at, "Incidents").error)
