"""AppTest of the Service operations page (pages/service_operations.py) on a copy of the small demo store (1,000
customers, seed 0), each figure shown against an independent computation:

* the tickets read, judged and left out for each reason, and each first-response band's tickets, customers, churn and
  MRR, counted in SQL on the store's own tables (tests/core/cli/test_service.py's), at the default 90 days and at 30;
  its churn and adjusted churn with their intervals, its adjusted gap and the chart's sentence from the hand fit
  (numpy least squares and a clustered sandwich: tests/core/service/test_rates.py's);
* every service level, chosen in the Service levels tab, has its chart, table and download, its sentence naming the
  table's bands of highest and lowest adjusted churn; the escalated, category and channel bands counted in SQL;
  reopenings, first-contact resolution and effort score: each band counted in SQL; without those columns they are
  not offered and a caption says what would add them;
* the target that pays: the share that met it, the customers and MRR that missed it and what a point keeps, from SQL
  rows and the hand fit;
* the leading indicators: the ranking and months are core.service.leads' (checked against a plain-Python reference in
  tests/core/service/test_indicators.py), the churners, the customers flagged and active in the sentences counted in
  SQL; customers chosen in the sidebar without a churner get no share caught and a message saying why;
* the closed loop counted in SQL, its intervals by Wilson's and Newcombe's formulas;
* a store without tickets says what to import; the public support-ticket file (a SYNTHETIC Kaggle sample: its
  customers and texts are templates, never real people) names no customer in the store, and the page says churn
  after a ticket cannot be measured from it."""

import io
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest

import core
from core.export import units
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
from tests.core.service.test_follow_up import newcombe, wilson
from tests.core.service.test_indicators import ACTIVE, ESCALATED, sql_ids
from tests.core.service.test_rates import Z, adjusted, combination, design, sandwich
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


#: every ticket read, and those left out: without a known customer (or opening time), opened after their customer's
#: churn day, or opened within :plus of :end (sqlite3)
LEFT_OUT = """SELECT count(*),
  coalesce(sum(c.customer_id IS NULL OR t.opened IS NULL), 0),
  coalesce(sum(c.customer_id IS NOT NULL AND t.opened IS NOT NULL AND c.churn_date < date(t.opened)), 0),
  coalesce(sum(c.customer_id IS NOT NULL AND t.opened IS NOT NULL
               AND (c.churn_date IS NULL OR c.churn_date >= date(t.opened)) AND date(t.opened, :plus) > :end), 0)
FROM ticket t LEFT JOIN customer c ON c.customer_id = t.customer_id"""
#: the tickets judged (JUDGED's) with {where}: customer, opening time, {seconds} (such as the seconds to resolution),
#: churned within :plus, and the customer's MRR in the month of the opening (its recurring rows summed; 0 without)
JUDGED_ROWS = """SELECT t.customer_id, t.opened, {seconds},
  c.churn_date IS NOT NULL AND c.churn_date <= date(t.opened, :plus), coalesce(m.mrr, 0)
FROM ticket t JOIN customer c ON c.customer_id = t.customer_id
LEFT JOIN (SELECT customer_id, strftime('%Y-%m', period) AS month, sum(mrr) AS mrr FROM revenue
           WHERE mrr IS NOT NULL GROUP BY customer_id, month) m
  ON m.customer_id = t.customer_id AND m.month = strftime('%Y-%m', t.opened)
WHERE (c.churn_date IS NULL OR c.churn_date >= date(t.opened)) AND date(t.opened, :plus) <= :end AND {where}"""
#: each band ({band}: an SQL expression of the ticket t) of the tickets judged: tickets, customers, churned
JUDGED_BY = """SELECT {band} AS band, count(*), count(DISTINCT t.customer_id),
  sum(c.churn_date IS NOT NULL AND c.churn_date <= date(t.opened, :plus))
FROM ticket t JOIN customer c ON c.customer_id = t.customer_id
WHERE (c.churn_date IS NULL OR c.churn_date >= date(t.opened)) AND date(t.opened, :plus) <= :end {where}
GROUP BY band"""
ESCALATION = ("CASE WHEN lower(trim(coalesce(t.priority, ''))) IN ('urgent', 'critical') "
              "OR lower(trim(coalesce(t.status, ''))) = 'escalated' THEN 'escalated' ELSE 'not escalated' END")
#: the levels whose bands are the tickets' own values, with their SQL band; their order: most tickets first
BY_VALUE = {"Escalated": ESCALATION, "Ticket category": "coalesce(t.category, 'unknown')",
            "Ticket channel": "coalesce(t.channel, 'unknown')"}
RESOLVE = SECONDS.format(later="t.resolved")
RESOLUTION_BAND = (f"CASE WHEN t.resolved IS NULL OR {RESOLVE} < 0 THEN 'not resolved' WHEN {RESOLVE} < 86400 THEN "
                   f"'under 1 day' WHEN {RESOLVE} < 259200 THEN '1 to 3 days' WHEN {RESOLVE} < 604800 THEN "
                   "'3 to 7 days' ELSE '7 days or more' END")
#: customers who churned and were customers at a month end in the :days before (the one before their churn's month)
CHURNERS = """SELECT count(*) FROM customer WHERE churn_date IS NOT NULL
AND signup_date <= date(churn_date, 'start of month', '-1 day')
AND date(churn_date, 'start of month', '-1 day') >= date(churn_date, '-' || :days || ' days')"""
#: days from each NPS detractor answer of a known customer to its follow-up (sqlite3)
FOLLOW_UP_DAYS = """SELECT julianday(date(f.followed_up)) - julianday(date(f.date))
FROM feedback f JOIN customer c ON c.customer_id = f.customer_id
WHERE lower(trim(f.channel)) = 'nps' AND f.score <= 6 AND f.followed_up IS NOT NULL"""


def _rows(store, query: str, columns: list[str], **params) -> pd.DataFrame:
    """The rows of ``query`` on the store file (sqlite3)."""
    con = sqlite3.connect(store.removeprefix("sqlite:///"))
    try:
        return pd.DataFrame(con.execute(query, params).fetchall(), columns=columns)
    finally:
        con.close()


def _judged_rows(store, days: int, seconds: str = "NULL", where: str = "1") -> pd.DataFrame:
    return _rows(store, JUDGED_ROWS.format(seconds=seconds, where=where),
                 ["customer_id", "opened", "seconds", "churned", "mrr"], plus=f"+{days} days", end=_end(store))


def _text(element) -> str:
    """What a caption or message reads as: its Markdown escapes (components.plain's) taken out."""
    return re.sub(r"\\(.)", r"\1", element.value)


@pytest.mark.parametrize("days", [90, 30])
def test_the_tickets_judged_and_each_band_equal_a_count_in_sql(store, monkeypatch, days):
    """The caption's tickets read, judged and left out (each reason) counted in SQL; each first-response band's
    tickets, customers, churn and MRR counted in SQL; its churn and adjusted churn with their intervals, its adjusted
    gap and the chart's sentence (the bands of highest and lowest adjusted churn) from the hand fit on the judged
    tickets (numpy least squares and a clustered sandwich: tests/core/service/test_rates.py's)."""
    at = open_page(monkeypatch, store, "service_operations")
    if days != 90:
        at.number_input(key="service_days").set_value(days).run()
    assert not at.exception, at.exception
    total, _ = _counts(store, days)
    caption = next(c for c in at.caption if "tickets judged" in c.value)
    read, unknown, after, recent = _sql(store, LEFT_OUT, plus=f"+{days} days", end=_end(store))
    assert total + unknown + after + recent == read and recent > 0
    assert _text(caption) == (
        f"{total:,} of {read:,} tickets judged, data to {_end(store)}. Left out: {recent:,} opened within the last "
        f"{days} days; {after:,} after their customer had churned; {unknown:,} without a customer in the store. All "
        "customers; the sidebar's dates do not apply (every ticket whose days have passed is judged).")
    table = at.tabs[0].dataframe[0].value.set_index("band")
    for band, where in FIRST_RESPONSE.items():
        n, churned = _counts(store, days, where)
        assert (table.loc[band, "tickets"], table.loc[band, "churned"]) == (n, churned), band
        assert table.loc[band, "churn_rate"] == pytest.approx(churned / n, abs=1e-12)
        rows = _judged_rows(store, days, where=where)
        assert table.loc[band, "customers"] == rows["customer_id"].nunique(), band
        at_stake, lost = rows["mrr"].sum(), rows.loc[rows["churned"] == 1, "mrr"].sum()
        assert table.loc[band, "mrr_at_stake"] == pytest.approx(at_stake, rel=1e-9), band
        assert table.loc[band, "mrr_kept"] == pytest.approx(1 - lost / at_stake, rel=1e-9), band
    # the rates, their intervals and the adjusted gap against "under 1 h" (shown in points): the hand fit on the
    # judged tickets, banded here
    f = judge(load_service(core.make_engine(store)), days).frame
    bands = list(table.index)
    f["band"] = pd.cut(f["first_response_hours"], [0, 1, 4, 24, np.inf], right=False,
                       labels=bands[:4]).astype(object).fillna("no response")
    y = f["churned"].to_numpy(float)
    X = design(f, ("segment", "plan", "tenure"), bands=bands)
    beta, V = sandwich(X, y, f["customer_id"])
    d = combination(X, len(bands), 1) - combination(X, len(bands), 0)
    est, se = d @ beta, np.sqrt(d @ V @ d)
    got = table.loc["1 to 4 h", ["gap", "gap_low", "gap_high"]].tolist()
    assert got == pytest.approx([100 * est, 100 * (est - Z * se), 100 * (est + Z * se)],
                                abs=1e-9)
    assert np.isnan(table.loc["under 1 h", "gap"])
    assert any("each band's adjusted churn minus that of under 1 h" in c.value for c in at.caption)
    sizes = f.groupby("band")["churned"].agg(["size", "sum"])
    rated = [b for b in bands if sizes.loc[b, "size"] >= 30 and 0 < sizes.loc[b, "sum"] < sizes.loc[b, "size"]]
    assert table.index[table["churn_rate"].notna()].tolist() == rated and len(rated) >= 3
    raw_beta, raw_V = sandwich(design(f, bands=bands), y, f["customer_id"])
    hand = {}
    for i, band in enumerate(bands):
        if band not in rated:
            continue
        rate, half = raw_beta[i], Z * np.sqrt(raw_V[i, i])
        assert table.loc[band, ["churn_rate", "churn_low", "churn_high"]].tolist() == pytest.approx(
            [rate, max(rate - half, 0.0), min(rate + half, 1.0)], abs=1e-12), band
        hand[band] = adjusted(X, beta, V, len(bands), i)
        assert table.loc[band, ["adjusted_rate", "adjusted_low", "adjusted_high"]].tolist() == pytest.approx(
            list(hand[band]), abs=1e-12), band
    high, low = max(hand, key=lambda b: hand[b][0]), min(hand, key=lambda b: hand[b][0])
    sentence = next(c for c in at.tabs[0].caption if c.value.startswith("Adjusted churn within"))
    assert _text(sentence) == (
        f"Adjusted churn within {days} days of a ticket, by time to first response: highest for {high}, "
        f"{units.percent(hand[high][0])}; lowest for {low}, {units.percent(hand[low][0])} (of {len(hand)} bands).")


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


def _chart_download_is_the_table_s_rates(at, manager, key: str, table: pd.DataFrame) -> None:
    """The level chart's data (CSV) as a person downloads it: human headers, each band's raw and adjusted churn and
    95 % band in percent to one decimal, the rates of the table shown."""
    files = {name: data for _, name, data in downloads(at, manager)}
    chart = pd.read_csv(io.BytesIO(files[f"service_{key}_chart.csv"]), dtype={"Band": str})
    assert list(chart.columns) == ["Band", "Estimate", "Churn within 90 days of a ticket (%)",
                                   "Lower bound, 95% (%)", "Upper bound, 95% (%)"], key
    for estimate, column in (("as observed", "churn"), ("adjusted for segment, plan and tenure", "adjusted")):
        shown = chart[chart["Estimate"] == estimate]
        rated = table.dropna(subset=[f"{column}_rate"])
        assert shown["Band"].tolist() == rated["band"].astype(str).tolist(), key
        np.testing.assert_allclose(shown.iloc[:, 2:].to_numpy(float),
                                   100 * rated[[f"{column}_rate", f"{column}_low", f"{column}_high"]].to_numpy(float),
                                   rtol=0, atol=0.05 + 1e-9)  # to one decimal


def test_every_level_has_its_chart_table_and_download(store, monkeypatch):
    """Every level's chart, table and download; the chart's sentence names the bands of highest and lowest adjusted
    churn in the table shown (pandas' idxmax and idxmin); the escalated, category and channel bands' tickets,
    customers and churn counted in SQL, in the order shown (the values' bands: most tickets first, ties by name)."""
    with recording(monkeypatch) as made:  # every run's downloads (the chart's data made as when clicked)
        at = open_page(monkeypatch, store, "service_operations")
        assert at.title[0].value == "Service operations"
        assert [t.label for t in at.tabs] == TITLES
        assert at.radio(key="service_level").options == LEVEL_TITLES
        for title, key in zip(LEVEL_TITLES, LEVEL_KEYS, strict=True):
            at, tab = _level(at, title)
            _chart_download_is_the_table_s_rates(at, made[-1], key, tab.dataframe[0].value)
            assert len(tab.get("vega_lite_chart")) == 1 and len(tab.dataframe) == 1, title
            sentence = next(_text(c) for c in tab.caption if c.value.startswith("Adjusted churn within 90 days"))
            table = tab.dataframe[0].value
            rated = table.dropna(subset=["adjusted_rate"]).set_index("band")["adjusted_rate"]
            assert len(rated) >= 2, title
            assert sentence == (f"Adjusted churn within 90 days of a ticket, by {title.lower()}: highest for "
                                f"{rated.idxmax()}, {units.percent(rated.max())}; lowest for {rated.idxmin()}, "
                                f"{units.percent(rated.min())} (of {len(rated)} bands)."), title
            if title in BY_VALUE:
                want = _rows(store, JUDGED_BY.format(band=BY_VALUE[title], where=""),
                             ["band", "tickets", "customers", "churned"], plus="+90 days", end=_end(store))
                if title != "Escalated":  # escalated: not escalated first, as the flags are
                    want = want.sort_values(["tickets", "band"], ascending=[False, True], kind="stable")
                else:
                    want = want.sort_values("band", ascending=False)
                assert table[["band", "tickets", "customers", "churned"]].values.tolist() == want.values.tolist(), title
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
    """The share that met "resolve within 48 h" counted in SQL; the gap and its interval by numpy least squares and a
    hand-written clustered sandwich on the judged tickets (tests/core/service/test_rates.py's); the customers who
    missed it, the MRR behind them (each one's month of its latest missed ticket), the tickets a year and what a
    point keeps (with its interval) from the judged tickets' rows and MRR read in SQL; the verdict at a cost per
    point."""
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
    beta, V = sandwich(X, f["churned"].to_numpy(float), f["customer_id"])
    a = combination(X, 2, 1) - combination(X, 2, 0)
    gap, se = a @ beta, np.sqrt(a @ V @ a)
    assert _metric(at, "Churn gap, missed against met") == f"{100 * gap:+.1f} pts"
    rows = _judged_rows(store, 90, seconds=RESOLVE)
    assert len(rows) == total
    missed = rows[~rows["seconds"].between(0, 48 * 3600 - 1)]  # never resolved: missed
    assert len(missed) == total - met
    assert _metric(at, "Customers who missed it") == f"{missed['customer_id'].nunique():,}"
    latest = missed.loc[missed.groupby("customer_id")["opened"].idxmax()]
    assert _metric(at, "MRR behind them") == units.money(latest["mrr"].sum())
    opened = pd.to_datetime(rows["opened"])
    a_year = total / max((opened.max() - opened.min()).days / 365.25, 1 / 12)
    kept = [0.01 * a_year * g * missed["mrr"].mean() for g in (gap, gap - Z * se, gap + Z * se)]
    assert _metric(at, "MRR kept per point a year") == units.money(kept[0])
    assert _metric(at, "Revenue kept per point (12 months)") == units.money(12 * kept[0])
    caption = next(c.value for c in at.caption if c.value.startswith("Gap 95% interval"))
    assert caption.startswith(f"Gap 95% interval: {units.interval(gap - Z * se, gap + Z * se, 'points')}; MRR kept "
                              f"per point: {units.interval(kept[1], kept[2], 'currency')}. {units.count(a_year)} "
                              "tickets a year. A point of attainment is 1% of the tickets")
    verdict = next(i.value for i in at.info if i.value.startswith("At $1,000,000 a point"))
    assert verdict.startswith("At $1,000,000 a point, raising attainment does not pay for itself on these figures: a "
                              f"point keeps {units.money(12 * kept[0])} of revenue over 12 months.")


def test_the_leading_indicators_tab_ranks_the_signals_and_counts_the_open_tickets_in_sql(store, monkeypatch):
    """The tab's ranking and months are core.service.leads' on the store; the customers a ticket left open 14 (then
    30) days flagged at the last month end, the active customers and those with repeated escalations then (the
    sentence under the months' chart), and the churners each signal is ranked against, equal counts in SQL; the
    sentence under the ranking's chart names its first and last signal with the figures of the table; the workbook
    carries both tables."""
    engine = core.make_engine(store)
    path = store.removeprefix("sqlite:///")
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
            open_past = _sql(store, OPEN_PAST, day=f"{day:%Y-%m-%d}", days=days)[0]
            assert last["flagged"].tolist() == [open_past]
            assert len(tab.get("vega_lite_chart")) == 2
            active = sql_ids(path, ACTIVE, day=f"{day:%Y-%m-%d}")
            escalated = len(sql_ids(path, ESCALATED, day=f"{day:%Y-%m-%d}") & active)
            halved = shown.loc[(shown["month_end"] == day) & (shown["signal"] == "Usage halved"), "flagged"].item()
            assert f"Customers each signal flagged at a month end: at {day:%Y-%m-%d}, of {len(active):,} active, a " \
                   f"ticket open {days}+ days {open_past:,}; repeated escalations {escalated:,}; usage halved " \
                   f"{halved:,}." in [_text(c) for c in tab.caption]
            table = tab.dataframe[0].value
            churners = _sql(store, CHURNERS, days=90)[0]
            assert table["churners"].tolist() == [churners] * 3
            top, bottom = table.iloc[0], table.iloc[-1]
            said = next(_text(c) for c in tab.caption if c.value.startswith("Churners a signal flagged in the 90 days"))
            assert said.startswith(f"Churners a signal flagged in the 90 days before they left, of {churners:,}: most "
                                   f"by {top['signal'].lower()}, {units.percent(top['caught'] / churners)} (a median "
                                   f"of {units.count(top['median_lead_days'])} days before); fewest by "
                                   f"{bottom['signal'].lower()}, {units.percent(bottom['caught'] / churners)}")
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


#: the Enterprise customers' churn dates taken out, but for one leaving on its signup day (before any month end, so
#: never a customer at one); a store without activity
NO_ENTERPRISE_CHURNER = """UPDATE customer SET churn_date = CASE WHEN customer_id = (SELECT min(customer_id)
FROM customer WHERE segment = 'Enterprise') THEN signup_date END WHERE segment = 'Enterprise'"""
NO_ACTIVITY = "DELETE FROM activity"
NO_USAGE = "The store holds no usage, so usage halved never fires: import activity on the Data page to check it."


def test_chosen_customers_without_a_churner_show_no_share_caught_and_say_why(store, tmp_path, monkeypatch):
    """Enterprise chosen in the sidebar of a store whose Enterprise customers did not churn (but one, gone on its
    signup day) and which holds no activity. No churner to catch (counted in SQL: none of them a customer at a month
    end before leaving): the ranking has no share, interval, lead or lift, no chart but a message saying why; the
    customer-months a ticket left open flagged are summed in SQL over the month ends whose 90 days have passed, none
    followed by churn; usage halved never fires and a message says so. Time to resolve has one band with a rate (SQL
    counts): the chart's sentence names it with its adjusted churn from the hand fit on those customers' tickets."""
    for folder in ("churn", "usage"):
        (tmp_path / folder).mkdir()
    url = altered(altered(store, tmp_path / "churn", NO_ENTERPRISE_CHURNER), tmp_path / "usage", NO_ACTIVITY)
    enterprise = " AND segment = 'Enterprise'"
    assert _sql(url, CHURNERS + enterprise, days=90)[0] == 0 < _sql(url, CHURNERS, days=90)[0]
    assert _sql(url, "SELECT count(churn_date) FROM customer WHERE segment = 'Enterprise'")[0] == 1
    at = rerun(open_page(monkeypatch, url, "service_operations"), segments=["Enterprise"])
    tab = _tab(at, "Leading indicators")
    assert [_text(i) for i in tab.info] == [
        NO_USAGE, "Churners a signal flagged in the 90 days before they left: nothing to show for the current choices. "
                  "No customer churned within 90 days of a month end at which they were active."]
    assert len(tab.get("vega_lite_chart")) == 1  # the months' chart, not the ranking's
    table = tab.dataframe[0].value.set_index("signal")
    assert table["churners"].tolist() == [0, 0, 0] and table["caught"].tolist() == [0, 0, 0]
    assert table[["caught_share", "caught_low", "caught_high", "median_lead_days", "lift"]].isna().all().all()
    end = pd.Timestamp(_end(url))
    ends = [c for c in pd.date_range(_sql(url, "SELECT min(signup_date) FROM customer")[0], end, freq="ME")
            if c + pd.Timedelta(days=90) <= end]
    flagged = sum(_sql(url, OPEN_PAST + " AND c.segment = 'Enterprise'", day=f"{c:%Y-%m-%d}", days=14)[0]
                  for c in ends)
    assert flagged > 0
    assert table.loc["A ticket open 14+ days", ["customer_months", "churn_flagged", "churn_others"]].tolist() == [
        flagged, 0.0, 0.0]
    assert table.loc["Usage halved", "customer_months"] == 0 and np.isnan(table.loc["Usage halved", "churn_flagged"])
    months = tab.dataframe[1].value
    assert (months.loc[months["month_end"] <= ends[-1], "flagged_churned"] == 0).all()
    assert months.loc[months["month_end"] > ends[-1], "flagged_churned"].isna().all()
    day = months["month_end"].max()
    assert set(months.loc[months["month_end"] == day, "active"]) == {
        _sql(url, ACTIVE_OF, segment="Enterprise", day=f"{day:%Y-%m-%d}")[0]}
    # Time to resolve, Enterprise still chosen: one band with a rate
    counts = _rows(url, JUDGED_BY.format(band=RESOLUTION_BAND, where="AND c.segment = 'Enterprise'"),
                   ["band", "tickets", "customers", "churned"], plus="+90 days", end=_end(url)).set_index("band")
    radio = at.radio(key="service_level")
    radio.set_value(LEVEL_KEYS[radio.options.index("Time to resolve")])
    levels_tab = rerun(at, segments=["Enterprise"]).tabs[0]
    assert levels_tab.dataframe[0].value.set_index("band")["tickets"].to_dict() == counts["tickets"].to_dict()
    rated = counts.index[(counts["tickets"] >= 30) & (counts["churned"] > 0) & (counts["churned"] < counts["tickets"])]
    assert len(rated) == 1
    f = judge(load_service(core.make_engine(url)), 90).frame
    f = f[f["segment"] == "Enterprise"].reset_index(drop=True)
    labels = ["under 1 day", "1 to 3 days", "3 to 7 days", "7 days or more"]
    f["band"] = pd.cut(f["resolve_hours"], [0, 24, 72, 168, np.inf], right=False,
                       labels=labels).astype(object).fillna("not resolved")
    bands = [b for b in [*labels, "not resolved"] if (f["band"] == b).any()]
    assert f["band"].value_counts().to_dict() == counts["tickets"].to_dict()
    X = design(f, ("segment", "plan", "tenure"), bands=bands)
    beta, V = sandwich(X, f["churned"].to_numpy(float), f["customer_id"])
    rate = adjusted(X, beta, V, len(bands), bands.index(rated[0]))[0]
    assert f"Adjusted churn within 90 days of a ticket, by time to resolve: {rated[0]}, {units.percent(rate)} (one " \
           "band with a rate)." in [_text(c) for c in levels_tab.caption]


def test_the_closed_loop_tab_counts_the_detractors_followed_up_in_sql(store, monkeypatch):
    """The tab's figures, table and sentences at the default 2 days, then at 7: counted in SQL on the store, the
    intervals by Wilson's and Newcombe's formulas, the median days to a follow-up from the days read in SQL; the
    workbook holds the table at the days chosen."""
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
            # the intervals by Wilson's and Newcombe's formulas (tests/core/service/test_follow_up.py's)
            (_, l1, h1), (_, l0, h0) = wilson(k1, n1), wilson(k0, n0)
            np.testing.assert_allclose(table[["churn_low", "churn_high"]].to_numpy(float), [[l1, h1], [l0, h0]],
                                       rtol=0, atol=1e-9)
            waits = _rows(store, FOLLOW_UP_DAYS, ["days"])["days"]
            median = waits[waits >= 0].median()
            _, low, high = wilson(in_time, n)
            gap, gap_low, gap_high = newcombe(k1, n1, k0, n0)
            pct, pts = units.percent, units.points
            assert [_text(c) for c in tab.caption][:2] == [
                f"{in_time:,} of {n:,} NPS detractors (0-6) followed up within {target} days: {pct(in_time / n)} "
                f"[{pct(low)}, {pct(high)}]; a median of {median:g} day{'' if median == 1 else 's'} to the first "
                "follow-up.",
                f"Churn within 90 days of the answer: followed up in time {pct(k1 / n1)} [{pct(l1)}, {pct(h1)}] "
                f"({k1:,} of {n1:,}), the others {pct(k0 / n0)} [{pct(l0)}, {pct(h0)}] ({k0:,} of {n0:,}); gap "
                f"{pts(gap)} [{pts(gap_low)}, {pts(gap_high)}]. An association, not an experiment: a team may call "
                "back first the customers it hopes to keep."]
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


def test_chosen_customers_none_of_whom_churned_say_so_where_churn_is_judged(store, tmp_path, monkeypatch):
    """Enterprise customers without a churn date on a store where others churned: the Service levels and Target tabs
    say why nothing is judged for them; the other tabs stand (their detractors counted in SQL)."""
    url = altered(store, tmp_path, "UPDATE customer SET churn_date = NULL, churn_type = NULL "
                                   "WHERE segment = 'Enterprise'")
    at = rerun(open_page(monkeypatch, url, "service_operations"), segments=["Enterprise"])
    assert [t.label for t in at.tabs] == TITLES
    for title in ("Service levels", "Target that pays"):
        assert [e.value for e in _tab(at, title).error] == [
            "None of the customers chosen in the sidebar (segment Enterprise) has churned, so churn after a ticket "
            "cannot be measured for them: widen the segment, plan or region."], title
    enterprise = _sql(url, DETRACTORS.replace("WHERE lower(trim(f.channel))",
                                              "WHERE c.segment = 'Enterprise' AND lower(trim(f.channel))"),
                      target=2, plus="+90 days", end=_end(url))
    shown = {m.label: m.value for m in _tab(at, "Closed loop").metric}
    assert shown["Detractors followed up within 2 days"] == f"{100 * enterprise[1] / enterprise[0]:.1f}%"
    assert _tab(at, "Leading indicators").dataframe
