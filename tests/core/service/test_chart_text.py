"""The Leading indicators tab's sentences (core/service/chart_text.py): the signal that caught the most churners and
the one that caught the fewest, each with its median lead, and the customers each signal flagged at the last month
end, written from the ranking and the months the page shows (figures checked against the tables by hand)."""

import numpy as np
import pandas as pd

from core.service import chart_text

RANKING = pd.DataFrame({"signal": ["A ticket open 14+ days", "Usage halved", "Repeated escalations"],
                        "churners": [217, 217, 217], "caught_share": [79 / 217, 27 / 217, 8 / 217],
                        "median_lead_days": [72.0, 45.0, np.nan]})


def test_the_most_and_the_fewest_caught_with_their_leads():
    assert chart_text.caught(RANKING, 90) == (
        "Churners a signal flagged in the 90 days before they left, of 217: most by a ticket open 14+ days, 36.4% "
        "(a median of 72 days before); fewest by repeated escalations, 3.7%.")


def test_one_signal_with_a_share_and_none():
    one = RANKING.assign(caught_share=[0.5, np.nan, np.nan])
    assert chart_text.caught(one, 30).endswith("of 217: most by a ticket open 14+ days, 50.0% (a median of 72 days "
                                               "before).")
    assert "Churners a signal flagged in the 30 days before they left" in chart_text.caught(
        RANKING.assign(caught_share=np.nan), 30)


def test_the_customers_flagged_at_the_last_month_end():
    months = pd.DataFrame({"month_end": pd.to_datetime(["2026-09-30"] * 2 + ["2026-10-31"] * 2),
                           "signal": ["Usage halved", "Repeated escalations"] * 2, "active": [700, 700, 783, 783],
                           "flagged": [20, 8, 30, 1234]})
    assert chart_text.flagged(months) == ("Customers each signal flagged at a month end: at 2026-10-31, of 783 "
                                          "active, usage halved 30; repeated escalations 1,234.")
