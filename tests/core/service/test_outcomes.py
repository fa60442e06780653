"""Which tickets are judged and what each holds (core.service.outcomes), their bands (core.service.bands) and the
messages of a store that cannot answer (core.service.inputs), on small frames whose answers are known by hand."""

import pandas as pd
import pytest

from core.errors import InsufficientDataError, NoDataYetError
from core.service.bands import LEVELS, banded
from core.service.escalation import is_escalated
from core.service.inputs import from_frames
from core.service.outcomes import judge

END = "2024-12-31"


def _customers():
    return pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "segment": ["smb", "smb", None, "ent"],
                         "plan": ["pro", "pro", "pro", "max"],
                         "signup_date": ["2024-01-10", "2023-01-01", "2024-06-01", None],
                         "churn_date": ["2024-04-10", None, "2024-03-01", None]})


def _tickets():
    # a: opened 2024-01-11, churns 90 days later (2024-04-10): churned; b: never churns; c: churned before the
    # ticket; d: opened 2024-10-15, too recent for 90 days by END; e: not in the store; a's second ticket opened on
    # its churn day: judged and churned
    return pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6"], "customer_id": ["a", "b", "c", "d", "e", "a"],
        "opened": ["2024-01-11 09:00", "2024-02-01 10:00", "2024-05-01 10:00", "2024-10-15 10:00", "2024-02-01 10:00",
                   "2024-04-10 08:00"],
        "first_response": ["2024-01-11 09:59", "2024-02-01 11:00", None, None, None, "2024-04-10 07:00"],
        "resolved": ["2024-01-12 09:00", None, None, None, None, "2024-04-20 08:00"],
        "priority": ["Urgent", "low", "low", "low", "low", "normal"],
        "status": ["closed", "Escalated ", "open", "open", "open", "closed"],
        "category": ["bug", None, "bug", "bug", "bug", "billing"], "channel": ["email"] * 6,
        "satisfaction": [None] * 6})


def _revenue():
    return pd.DataFrame({"customer_id": ["a", "a", "b"], "period": ["2024-01-01", "2024-04-01", "2024-02-01"],
                         "mrr": [100.0, 80.0, 50.0]})


@pytest.fixture
def judged():
    return judge(from_frames(_tickets(), _customers(), _revenue(), end=END), 90)


def test_each_ticket_is_judged_or_left_out_for_one_reason(judged):
    assert (judged.read, judged.unknown_customer, judged.after_churn, judged.too_recent) == (6, 1, 1, 1)
    f = judged.frame.set_index(judged.frame["opened"].dt.strftime("%m-%d"))
    assert list(f.index) == ["01-11", "02-01", "04-10"]
    assert f["churned"].tolist() == [True, False, True]  # day 90 counts; the churn day's own ticket counts


def test_a_churn_one_day_after_the_window_is_not_churn():
    c = _customers().assign(churn_date=lambda d: d["churn_date"].replace("2024-04-10", "2024-04-11"))
    f = judge(from_frames(_tickets().iloc[:1], c, _revenue(), end=END), 90).frame
    assert f["churned"].tolist() == [False]


def test_service_hours_tenure_mrr_and_escalation(judged):
    f = judged.frame
    assert f["first_response_hours"].round(4).tolist()[:2] == [round(59 / 60, 4), 1.0]
    assert pd.isna(f["first_response_hours"].iloc[2])  # a response before the opening is a clock error: missing
    assert f["resolve_hours"].tolist()[0] == 24.0 and pd.isna(f["resolve_hours"].iloc[1])
    assert f["resolve_hours"].iloc[2] == 240.0
    assert f["escalated"].tolist() == [True, True, False]
    assert f["tenure"].tolist() == ["under 3 months", "1 to 2 years", "under 3 months"]
    assert f["mrr"].tolist() == [100.0, 50.0, 80.0]
    assert f["category"].tolist() == ["bug", "unknown", "billing"]


def test_bands_are_left_closed_with_a_band_for_the_missing_measure(judged):
    f = judged.frame
    assert banded(f, LEVELS["first_response"]).tolist() == ["under 1 h", "1 to 4 h", "no response"]
    assert banded(f, LEVELS["resolution"]).tolist() == ["1 to 3 days", "not resolved", "7 days or more"]
    assert list(banded(f, LEVELS["resolution"]).cat.categories) == ["1 to 3 days", "7 days or more", "not resolved"]
    assert banded(f, LEVELS["escalation"]).tolist() == ["escalated", "escalated", "not escalated"]
    assert list(banded(f, LEVELS["category"]).cat.categories) == ["billing", "bug", "unknown"]  # ties by name


def test_escalated_is_the_priority_or_the_status_in_any_case():
    t = pd.DataFrame({"priority": ["CRITICAL", " urgent", "high", None], "status": ["open", None, "escalated", None]})
    assert is_escalated(t).tolist() == [True, True, True, False]


def test_without_tickets_the_message_says_what_to_import():
    with pytest.raises(NoDataYetError, match="No tickets yet: import a help-desk export"):
        from_frames(_tickets().iloc[:0], _customers(), _revenue())


def test_without_any_churn_date_churn_after_a_ticket_cannot_be_measured():
    c = _customers().assign(churn_date=None)
    with pytest.raises(InsufficientDataError, match="No customer in the store has a churn date"):
        judge(from_frames(_tickets(), c, _revenue(), end=END), 90)


def test_when_every_ticket_is_too_recent_the_message_names_the_days_and_the_end():
    with pytest.raises(InsufficientDataError, match=r"opened at least 400 days before the data's last day "
                                                    r"\(2024-12-31\)"):
        judge(from_frames(_tickets(), _customers(), _revenue(), end=END), 400)


def test_the_data_end_is_the_latest_signup_churn_ticket_or_revenue_month():
    assert from_frames(_tickets(), _customers(), _revenue()).end == pd.Timestamp("2024-10-15")
    late = pd.concat([_revenue(), pd.DataFrame({"customer_id": ["b"], "period": ["2024-11-01"], "mrr": [1.0]})])
    assert from_frames(_tickets(), _customers(), late).end == pd.Timestamp("2024-11-30")
