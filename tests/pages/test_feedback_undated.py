"""AppTest of Feedback themes with verbatims that have no date (issue 20, deliverable 4): reviews exported without a
date open on all dates and are counted; in a store that mixes dated and undated verbatims, the date range leaves
the undated ones out with a note saying how many, and "All dates" counts them too. Never silently dropped."""

import datetime as dt

import pandas as pd

import core
from core.feedback.inputs import all_dates_by_default, undated
from tests.pages.conftest import open_page, rerun

PAGE = "feedback_themes"
TEXTS = ["The price is too high and support was slow", "Love the new dashboard, easy to use",
         "Cancel my plan, too expensive", "Great support team", "The app keeps crashing on login"]


def _store(tmp_path, dated: int, undated_rows: int) -> str:
    """A store of feedback: ``dated`` reviews dated in the last year, ``undated_rows`` without any date."""
    url = f"sqlite:///{tmp_path / 'fb.db'}"
    eng = core.make_engine(url)
    today = dt.date.today()
    days = [(today - dt.timedelta(days=3 + i)).isoformat() for i in range(dated)]
    rows = [f"R{i},\"{TEXTS[i % 5]}\",{1 + i % 5},{days[i]}" for i in range(dated)]
    rows += [f"U{i},\"{TEXTS[(i + 2) % 5]}\",{1 + i % 5}," for i in range(undated_rows)]
    data = ("review_id,Review Text,Rating,Date\n" + "\n".join(rows) + "\n").encode()
    plan = core.prepare_import(eng, data, "reviews.csv", "feedback", constants={"channel": "review"},
                               mapping={"text": "Review Text", "score": "Rating", "date": "Date"})
    core.commit_import(eng, plan, strict=False)
    eng.dispose()
    return url


def _verbatims(at) -> str:
    return next(m.value for m in at.metric if m.label == "Verbatims")


def test_reviews_without_any_date_open_on_all_dates_and_count(tmp_path, monkeypatch):
    url = _store(tmp_path, dated=0, undated_rows=30)
    at = rerun(open_page(monkeypatch, url, PAGE))
    assert at.toggle(key="themes_all_dates").value is True
    assert _verbatims(at) == "30"
    assert any(c.value.startswith("All dates: every verbatim, 30 of them without a date") for c in at.caption)
    assert not [i for i in at.info if i.value.startswith("No verbatim matches")]


def test_a_mix_leaves_the_undated_out_of_the_range_with_a_note_and_all_dates_counts_them(tmp_path, monkeypatch):
    url = _store(tmp_path, dated=20, undated_rows=7)
    at = rerun(open_page(monkeypatch, url, PAGE))
    assert at.toggle(key="themes_all_dates").value is False
    assert _verbatims(at) == "20"
    assert any("; 7 verbatims without a date are left out (turn on All dates)" in c.value for c in at.caption)
    at.toggle(key="themes_all_dates").set_value(True)
    rerun(at)
    assert _verbatims(at) == "27"


def test_the_rules_count_what_has_no_date():
    verb = pd.DataFrame({"date": pd.to_datetime(["2024-01-02", None, None])})
    assert undated(verb) == 2 and not all_dates_by_default(verb)
    assert all_dates_by_default(verb.iloc[1:]) and not all_dates_by_default(verb.iloc[:0])


def test_feedback_without_customers_says_why_churn_impact_is_empty(tmp_path, monkeypatch):
    url = _store(tmp_path, dated=0, undated_rows=30)
    at = rerun(open_page(monkeypatch, url, PAGE))
    assert any(i.value.startswith("Churn impact and MRR at risk need verbatims from known customers")
               for i in at.info)
