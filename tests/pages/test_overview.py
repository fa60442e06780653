"""AppTest of the Overview page (pages/overview.py): empty state, hand-computed figures, filters."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

import core

ROOT = Path(__file__).resolve().parents[2]

CUSTOMERS = b"""customer_id,segment,signup_date,churn_date
A,SMB,2023-01-10,
B,SMB,2023-06-01,2024-07-15
C,Enterprise,2023-12-15,
D,SMB,2024-05-01,
E,Enterprise,2024-01-31,2025-02-10
"""
REVENUE = b"""customer_id,period,mrr
A,2024-01-01,100
A,2025-01-01,150
B,2024-01-01,200
C,2024-01-01,100
C,2025-01-01,60
E,2024-01-01,50
E,2025-01-01,50
D,2025-01-01,999
"""


def _load(url):
    eng = core.make_engine(url)
    for data, name, kind in ((CUSTOMERS, "c.csv", "customers"), (REVENUE, "r.csv", "revenue")):
        core.commit_import(eng, core.prepare_import(eng, data, name, kind))
    eng.dispose()


def _overview():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_empty_store_says_what_to_do(store_url):
    at = _overview()
    assert at.title[0].value == "Overview"
    assert "no customers yet" in at.info[0].value and "Data page" in at.info[0].value
    assert len(at.metric) == 0


def test_figures_match_the_hand_computation(store_url):
    _load(store_url)
    at = _overview()
    m = {x.label: x.value for x in at.metric}
    start = 100 + 200 + 100 + 50
    assert m == {
        "Customers": "5",
        "Active customers": "4",
        "Logo churn rate": "25.0%",                                    # B of A, B, C, E
        "Revenue churn rate": f"{(200 + 40) / start * 100:.1f}%",      # 53.3%
        "MRR": "$1,259",
        "NRR": f"{(150 + 60 + 50) / start * 100:.1f}%",                # 57.8%
        "GRR": f"{(100 + 60 + 50) / start * 100:.1f}%",                # 46.7%
        "ARR": f"${12 * 1259:,}",
        "ARPA": f"${1259 / 4:,.0f}",                                   # A, C, D and E pay in Jan 2025
        "MRR at high churn risk": "–",                                 # no churn model saved
        "MRR in red": "–",                                             # no measures to band anyone
    }
    deltas = {x.label: x.delta for x in at.metric if x.delta}
    assert deltas["MRR"] == "+$1,259" and deltas["Customers"] == "+0"  # Dec 2024: no MRR booked, all five signed up
    assert deltas["Logo churn rate"] == f"{(1 / 4 - 1 / 3) * 100:+.1f} pts"  # the 12 months to Dec 2024: B of A, B, C
    assert "31 Jan 2025" in at.caption[0].value
    assert all(x.help for x in at.metric)  # every figure carries its definition


def test_segment_filter_changes_the_figures(store_url):
    """The sidebar filter (drawn by app.py) narrows the figures.

    AppTest (Streamlit 1.67) reruns only the page script under st.navigation, not the entry
    script, so after the first run the filter is set through its session-state key, which is
    what the widget writes; persistence across pages is checked in tests/e2e (real browser).
    """
    _load(store_url)
    at = _overview()
    assert at.sidebar.multiselect(key="filters_segment").options == ["Enterprise", "SMB"]
    at.session_state["filters_segment"] = ["Enterprise"]
    at.run()
    m = {x.label: x.value for x in at.metric}
    assert m["Customers"] == "2" and m["NRR"] == f"{110 / 150 * 100:.1f}%" and m["Logo churn rate"] == "0.0%"
    at.session_state["filters_segment"] = []
    at.run()
    assert {x.label: x.value for x in at.metric}["Customers"] == "5"


def test_date_range_sets_the_as_of_month_and_the_sparkline_span(store_url):
    import datetime as dt

    _load(store_url)
    at = _overview()
    at.session_state["filters_dates"] = (dt.date(2024, 8, 1), dt.date(2024, 12, 15))
    at.run()
    assert "31 Dec 2024" in at.caption[0].value
    nrr = next(m for m in at.metric if m.label == "NRR")
    assert len(nrr.proto.chart_data) == 5  # Aug..Dec 2024, one point per month
    # Dec 2024: no recurring revenue booked that month in this book, so MRR is $0
    assert {m.label: m.value for m in at.metric}["MRR"] == "$0"
