"""Where the data ends (core.history.asof) against dates worked out by hand on tiny frames: ISO text with None
churn dates (the frames the store's fast loader used to give, which crashed ``python -m core cohorts``), typed
dates, a store without revenue and a purchase log; and the three inputs whose ``end`` it computes."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.cohorts.table import cohort_table
from core.feedback.inputs import inputs_from_frames as feedback_inputs
from core.history import asof
from core.history.inputs import inputs_from_frames as churn_inputs
from core.roi.inputs import inputs_from_frames as roi_inputs
from core.store.columnar import ActivityPairs

T = pd.Timestamp

# ISO text with None churn dates, as SQLite returns them: the latest day is B's churn on 2024-03-20
TEXT_CUSTOMERS = pd.DataFrame({
    "customer_id": ["A", "B", "C"],
    "signup_date": ["2023-11-18", "2024-01-05", "2024-02-29"],
    "churn_date": [None, "2024-03-20", None],
}, dtype=object)

# billed monthly to June 2024; a one-off sale in August has no MRR
REVENUE = pd.DataFrame({
    "customer_id": ["A", "A", "C", "A"],
    "period": ["2024-05-01", "2024-06-01", "2024-06-01", "2024-08-14"],
    "mrr": [100.0, 100.0, 50.0, np.nan],
    "amount": [np.nan, np.nan, np.nan, 30.0],
})


@pytest.fixture
def frozen_today(monkeypatch):
    """Today is 2030-05-17 (the fallback when the data has no date at all)."""
    monkeypatch.setattr(asof, "_today", lambda: T("2030-05-17"))


# -- last_date ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values, want", [
    (["2024-05-01", None, np.nan, "2024-06-30", "2024-06-03"], T("2024-06-30")),  # ISO text with gaps
    (["2024-06-30", "2024-06-30 10:15:00"], T("2024-06-30 10:15:00")),            # a date and a time
    (pd.Series([T("2024-01-02"), pd.NaT, T("2023-12-31")]), T("2024-01-02")),    # datetime64 with NaT
    ([dt.date(2024, 2, 1), None, dt.date(2024, 3, 1)], T("2024-03-01")),          # date objects
    (["2024-04-01", dt.date(2024, 3, 1), T("2024-05-02")], T("2024-05-02")),      # kinds that do not compare
])
def test_last_date_reads_every_kind_of_date(values, want):
    assert asof.last_date(values) == want


@pytest.mark.parametrize("values", [[], [None, np.nan], pd.Series([pd.NaT, pd.NaT]), pd.Series([], dtype=object)])
def test_last_date_of_no_date_is_nat(values):
    assert pd.isna(asof.last_date(values))


# -- data_end -----------------------------------------------------------------------------------------------------
def test_data_end_reads_iso_text_with_none_churn_dates():
    assert asof.data_end(TEXT_CUSTOMERS) == T("2024-03-20")
    # the same customers typed, as the loaders give them now
    typed = TEXT_CUSTOMERS.assign(signup_date=pd.to_datetime(TEXT_CUSTOMERS["signup_date"]),
                                  churn_date=pd.to_datetime(TEXT_CUSTOMERS["churn_date"]))
    assert asof.data_end(typed) == T("2024-03-20")
    # nobody churned: every churn date None (an object column of None only)
    assert asof.data_end(TEXT_CUSTOMERS.assign(churn_date=None)) == T("2024-02-29")


def test_data_end_counts_activity_revenue_months_and_extra_dates():
    act = pd.DataFrame({"customer_id": ["A", "C"], "date": ["2024-04-02", "2024-03-01"]})
    assert asof.data_end(TEXT_CUSTOMERS, act) == T("2024-04-02")
    pairs = ActivityPairs(pd.Index(["A"], dtype=object), np.array([0, 0]),
                          np.array([(T("2024-04-09") - T("1970-01-01")).days, 0], np.int32))
    assert asof.data_end(TEXT_CUSTOMERS, pairs) == T("2024-04-09")
    # the August sale stands for all of August, whether or not it carries MRR
    assert asof.data_end(TEXT_CUSTOMERS, act, REVENUE) == T("2024-08-31")
    assert asof.data_end(TEXT_CUSTOMERS, revenue=REVENUE, extra=(pd.Series(["2024-09-02 16:40:00"]),)) \
        == T("2024-09-02")  # a time counts for its day
    # empty frames and None say nothing
    assert asof.data_end(TEXT_CUSTOMERS, act.iloc[0:0], REVENUE.iloc[0:0], extra=([None],)) == T("2024-03-20")


def test_data_end_of_a_purchase_log_runs_to_the_end_of_the_last_purchase_month():
    customers = pd.DataFrame({"customer_id": ["1", "2"], "signup_date": ["1997-01-01", "1997-02-11"],
                              "churn_date": [None, None]})
    purchases = pd.DataFrame({"customer_id": ["1", "2", "1"], "period": ["1997-01-01", "1997-02-11", "1998-06-17"],
                              "mrr": [None, None, None], "amount": [12.0, 30.5, 8.0]})
    assert asof.data_end(customers, None, purchases) == T("1998-06-30")


def test_data_end_without_any_date_is_today(frozen_today):
    assert asof.data_end(TEXT_CUSTOMERS.iloc[0:0]) == T("2030-05-17")
    assert asof.data_end() == T("2030-05-17")


def test_a_cohort_table_reads_iso_text_with_none_churn_dates():
    """The crash of ``python -m core cohorts``: data_end on text dates with None churn dates."""
    t = cohort_table(TEXT_CUSTOMERS, period="month")
    assert t.settings["as_of"] == "2024-03-20"
    assert t.sizes.to_dict() == {"2023-11": 1, "2024-01": 1, "2024-02": 1}  # February is the last whole month
    assert t.values.loc["2023-11"].tolist() == [1.0, 1.0, 1.0, 1.0]


# -- as_of_month --------------------------------------------------------------------------------------------------
def test_as_of_month_is_the_last_month_with_recurring_revenue():
    # B churned in March but revenue runs to June; the August sale has no MRR and does not move it
    assert asof.as_of_month(TEXT_CUSTOMERS, REVENUE) == T("2024-06-30")
    late_churn = TEXT_CUSTOMERS.assign(churn_date=[None, "2024-09-20", None])
    assert asof.as_of_month(late_churn, REVENUE) == T("2024-06-30")
    # while the data's end goes on to the churn
    assert asof.data_end(late_churn, revenue=REVENUE) == T("2024-09-20")


def test_as_of_month_without_revenue_is_the_month_of_the_last_signup_or_churn():
    assert asof.as_of_month(TEXT_CUSTOMERS, None) == T("2024-03-31")
    assert asof.as_of_month(TEXT_CUSTOMERS, REVENUE.iloc[0:0]) == T("2024-03-31")


def test_a_purchase_log_is_read_at_the_month_of_its_last_sale_not_of_its_last_signup():
    # a purchase log (amounts only) signs its customers up early and sells on: CDNOW's signups end in 1997-03,
    # its sales in 1998-06; the monthly figures are read where the sales end
    last_sale = pd.Timestamp(max(REVENUE["period"])) + pd.offsets.MonthEnd(0)
    assert last_sale == T("2024-08-31")
    assert asof.as_of_month(TEXT_CUSTOMERS, REVENUE.drop(columns="mrr")) == last_sale
    assert asof.as_of_month(TEXT_CUSTOMERS, REVENUE.assign(mrr=np.nan)) == last_sale
    assert asof.as_of_month(TEXT_CUSTOMERS, REVENUE) == T("2024-06-30")  # recurring revenue still decides


def test_as_of_month_without_any_date_is_this_month(frozen_today):
    assert asof.as_of_month(TEXT_CUSTOMERS.assign(signup_date=None, churn_date=None)) == T("2030-05-31")


# -- window and clamp ---------------------------------------------------------------------------------------------
def test_window_is_the_whole_months_ending_with_the_as_of_month():
    w = asof.window("2025-01-20")
    assert (w.start, w.end, w.as_of) == (T("2024-02-01"), T("2025-01-31"), pd.Period("2025-01", "M"))
    assert (w.day_before, w.base_month) == (T("2024-01-31"), pd.Period("2024-01", "M"))
    w = asof.window(dt.date(2024, 3, 31), months=3)  # a leap February inside
    assert (w.start, w.end, w.day_before, w.base_month) == (T("2024-01-01"), T("2024-03-31"), T("2023-12-31"),
                                                            pd.Period("2023-12", "M"))


@pytest.mark.parametrize("requested, want", [
    (None, T("2026-10-31")),                  # no end chosen: the data's end
    (pd.NaT, T("2026-10-31")),
    (dt.date(2030, 1, 1), T("2026-10-31")),   # past the data: the data's end
    (dt.date(2026, 10, 31), T("2026-10-31")),
    (dt.date(2026, 5, 2), T("2026-05-02")),   # inside the data: as chosen
    ("2026-05-02", T("2026-05-02")),
])
def test_clamp_never_goes_past_the_data(requested, want):
    assert asof.clamp(requested, T("2026-10-31")) == want


# -- the inputs whose end asof computes ---------------------------------------------------------------------------
def test_churn_inputs_end_is_the_data_end():
    act = pd.DataFrame({"customer_id": ["A"], "date": ["2024-04-02"], "value": [1.0]})
    assert churn_inputs(TEXT_CUSTOMERS, act).end() == T("2024-04-02")
    assert churn_inputs(TEXT_CUSTOMERS, act, revenue=REVENUE).end() == T("2024-08-31")


def test_roi_inputs_end_ignores_the_contact_dates():
    iv = pd.DataFrame({"customer_id": ["A", "C"], "play": ["Call", "Call"], "date": ["2024-12-01", "2024-12-01"],
                       "group": ["treatment", "holdout"]})
    assert roi_inputs(iv, TEXT_CUSTOMERS).end == T("2024-03-20")
    assert roi_inputs(iv, TEXT_CUSTOMERS, REVENUE).end == T("2024-08-31")
    assert roi_inputs(iv, TEXT_CUSTOMERS, REVENUE, end="2024-05-07").end == T("2024-05-07")


def test_feedback_inputs_end_counts_verbatims_surveys_churn_and_revenue_not_signups():
    fb = pd.DataFrame({"customer_id": ["A", "C"], "date": ["2024-03-02", "2024-04-11"], "channel": ["nps", "nps"],
                       "score": [9, 3], "text": ["great", None]})
    tickets = pd.DataFrame({"customer_id": ["A"], "opened": ["2024-04-30 17:05:00"], "text": ["slow export"]})
    late_signup = TEXT_CUSTOMERS.assign(signup_date=["2023-11-18", "2024-01-05", "2025-01-01"])
    assert feedback_inputs(late_signup, fb).end == T("2024-04-11")  # the survey answer without text
    assert feedback_inputs(late_signup, fb, tickets).end == T("2024-04-30")
    assert feedback_inputs(late_signup, fb, tickets, REVENUE).end == T("2024-08-31")
