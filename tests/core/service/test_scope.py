"""The sidebar's segment, plan and region on the service tables (core/service/scope.py): only the chosen customers'
tickets are judged (a ticket without a customer leaves with the choice), only their rows of the leading indicators
count, nothing changes without a choice, and a choice without tickets is refused in words."""

import pandas as pd
import pytest

from core.errors import InsufficientDataError
from core.history.filters import Filters
from core.service.indicators import Flags
from core.service.inputs import from_frames
from core.service.outcomes import judge
from core.service.scope import describe, scoped, scoped_customers, scoped_flags

CUSTOMERS = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "segment": ["SMB", "SMB", "Enterprise", "Enterprise"],
                          "plan": ["Pro", "Starter", "Pro", "Pro"], "region": ["EMEA", "APAC", "EMEA", "APAC"],
                          "signup_date": ["2024-01-01"] * 4, "churn_date": ["2024-05-15", None, None, "2024-05-01"]})
TICKETS = pd.DataFrame({"ticket_id": ["t1", "t2", "t3", "t4", "t5"], "customer_id": ["a", "b", "c", "d", None],
                        "opened": ["2024-03-01 09:00"] * 5})


def _inputs():
    return from_frames(TICKETS, CUSTOMERS, end="2024-12-31")


@pytest.mark.parametrize(("f", "ids"), [
    (Filters(segments=("SMB",)), ["a", "b"]),
    (Filters(plans=("Pro",), regions=("APAC",)), ["d"]),
    (Filters(segments=("SMB", "Enterprise"), plans=("Pro",)), ["a", "c", "d"])])
def test_only_the_chosen_customers_tickets_are_judged(f, ids):
    judged = judge(scoped(_inputs(), f), 90)
    assert sorted(judged.frame["customer_id"]) == ids
    assert judged.read == len(ids) and judged.unknown_customer == 0  # the ticket without a customer left too
    assert judged.frame["churned"].tolist() == [cid in ("a", "d") for cid in sorted(ids)]


def test_without_a_choice_nothing_changes_and_the_dates_never_narrow():
    inputs = _inputs()
    for f in (Filters(), Filters(start=pd.Timestamp("2024-06-01").date(), end=pd.Timestamp("2024-07-01").date())):
        assert scoped(inputs, f) is inputs
    judged = judge(inputs, 90)
    assert (judged.read, judged.unknown_customer, len(judged.frame)) == (5, 1, 4)


def test_a_choice_without_tickets_is_refused_in_words():
    inputs = from_frames(TICKETS[TICKETS["customer_id"] != "b"], CUSTOMERS, end="2024-12-31")
    with pytest.raises(InsufficientDataError, match=r"^No ticket is from the customers chosen in the sidebar "
                                                    r"\(segment SMB; plan Starter\): widen"):
        scoped(inputs, Filters(segments=("SMB",), plans=("Starter",)))


def test_a_choice_of_customers_none_of_whom_churned_is_refused_in_words():
    """Customer c (Enterprise, EMEA) never churned while others did: the choice says so, not that the store has no
    churn dates; scoped_customers still keeps c (the detractors' follow-up reads them without a churn)."""
    f = Filters(segments=("Enterprise",), regions=("EMEA",))
    with pytest.raises(InsufficientDataError, match=r"^None of the customers chosen in the sidebar \(segment "
                                                    r"Enterprise; region EMEA\) has churned, so churn after a ticket"):
        scoped(_inputs(), f)
    assert scoped_customers(CUSTOMERS, f)["customer_id"].tolist() == ["c"]
    assert scoped_customers(CUSTOMERS, Filters()) is CUSTOMERS


def test_the_words_name_every_choice():
    assert describe(Filters()).startswith("All customers; the sidebar's dates do not apply")
    assert describe(Filters(segments=("SMB", "Enterprise"), regions=("EMEA",))) == \
        "Customers of segment SMB, Enterprise; region EMEA only; the sidebar's dates do not apply."


def test_the_leading_indicators_keep_the_chosen_customers_rows():
    rows = pd.DataFrame({"month_end": pd.Timestamp("2024-03-31"), "customer_id": ["a", "b", "c", "d"],
                         "churn_date": pd.NaT, "churned": 0.0, "escalations": False, "unresolved": True,
                         "usage_decline": False})
    flags = Flags(rows, 90, 14, pd.Timestamp("2024-12-31"), True)
    assert scoped_flags(flags, CUSTOMERS, Filters(regions=("APAC",))).rows["customer_id"].tolist() == ["b", "d"]
    assert scoped_flags(flags, CUSTOMERS, Filters()) is flags
