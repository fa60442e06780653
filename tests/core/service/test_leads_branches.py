"""Branches of the Service operations page's figures that the stores of the other tests never reach, each checked
against figures stated by hand or computed here independently:

* the leading indicators (core.service.leads) of customers chosen in the sidebar (core.service.scope) among whom no
  one churned while a customer at a month end: no churner, so no share caught, interval or lead (NaN, not 0), no lift
  where no other customer-month churned either, and the ranking's sentence (core.service.chart_text) saying there is
  nothing to show; the rows, ranking and months also against test_indicators.py's plain-Python reference;
* hand-made rows: a signal that never fires (no churn rate when flagged; a share caught of 0 with Wilson's interval
  by its formula, still named in the sentence), one flagging every customer-month (no "otherwise" rate, no lift),
  one whose other customer-months never churned (no lift, not infinity), the months where every active customer is
  flagged or whose outcome is not known yet, and tied shares caught ranked by the lift;
* the level sentence with one band with a rate (its adjusted churn from the hand fit: test_rates.py's least squares
  and clustered sandwich) and with none, and the months' sentence without months;
* the Incidents tab's list: each incident's customers hit and comparable unaffected ones against the rows read in
  SQL by tests/core/cli/test_service_incidents.py, its start, end, hours, severity and title against its export.
"""

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

import core
from core.export import units
from core.history.filters import Filters
from core.service import chart_text, levels
from core.service.indicators import Flags, flags
from core.service.leads import MONTHLY, monthly, ranking
from core.service.outages import LIST_COLUMNS, incident_list, load_outages
from core.service.outcomes import Judged
from core.service.scope import scoped_flags
from tests.core.cli.test_service_incidents import AT_RISK, _rows, sev1, sev2
from tests.core.cli.test_service_incidents import store as incidents_store
from tests.core.service.test_indicators import (
    Row,
    assert_table,
    customer,
    daily,
    frames,
    reference_monthly,
    reference_ranking,
    reference_rows,
    ticket,
    titles,
    wilson,
)
from tests.core.service.test_rates import adjusted, design, sandwich

store = incidents_store  # the fixture: the small demo with the incident export
NAMES = titles(14)
ESC, OPEN, USAGE = NAMES["escalations"], NAMES["unresolved"], NAMES["usage_decline"]
NOTHING = "Churners a signal flagged in the 90 days before they left: nothing to show for the current choices."
NAN = float("nan")
JAN1, MAR31, AUG31 = date(2025, 1, 1), date(2025, 3, 31), date(2025, 8, 31)


# ------------------------------------------------------------------ chosen customers without a churner


def chosen_store():
    """(records, ChurnInputs with segments, tickets) of five customers from 2025-01-01, the data ending 2025-08-31.
    Enterprise: ``a`` (a ticket open from March 1 to April 10), ``b`` (two urgent tickets in February; usage 1.0 a
    day to March 31, then 0.5) and ``gone`` (signed up January 5, left January 20: never a customer at a month end).
    SMB: ``c``, who churned on June 15 with a ticket open since May 1, and ``d``."""
    customers = [customer("a"), customer("b"), customer("gone", signup="2025-01-05", churn="2025-01-20"),
                 customer("c", churn="2025-06-15"), customer("d")]
    activity = daily("a", JAN1, AUG31, 1.0) + daily("d", JAN1, AUG31, 1.0) + daily("c", JAN1, date(2025, 6, 14), 1.0)
    activity += daily("b", JAN1, MAR31, 1.0) + daily("b", date(2025, 4, 1), AUG31, 0.5)
    tickets = [ticket("a", "2025-03-01 10:00", "2025-04-10 09:00"),
               ticket("b", "2025-02-03 09:00", "2025-02-03 12:00", priority="urgent"),
               ticket("b", "2025-02-10 09:00", "2025-02-10 12:00", priority="Urgent"),
               ticket("c", "2025-05-01 09:00", None)]
    records = customers, activity, tickets
    inputs, tk = frames(*records)
    inputs.customers["segment"] = ["Enterprise", "Enterprise", "Enterprise", "SMB", "SMB"]
    return records, inputs, tk


@pytest.fixture(scope="module")
def chosen():
    """(records, Flags of every customer, Flags of the Enterprise customers) at horizon 90 and 14 open days."""
    records, inputs, tk = chosen_store()
    f = flags(inputs, tk)
    return records, f, scoped_flags(f, inputs.customers, Filters(segments=("Enterprise",)))


def test_the_store_has_a_churner_but_the_chosen_customers_none(chosen):
    records, everyone, f = chosen
    caught = ranking(everyone).set_index("signal")
    assert caught.loc[OPEN, ["churners", "caught", "median_lead_days"]].tolist() == [1, 1, 15.0]  # c, May 31
    assert sorted(f.rows["customer_id"].unique()) == ["a", "b"]  # "gone" was never a customer at a month end
    assert len(f.rows) == 16 and f.rows["churned"].notna().sum() == 10  # January to May have an outcome
    assert f.usage and (f.rows["churned"].dropna() == 0).all()


def test_without_a_churner_no_share_interval_lead_or_lift_and_the_sentence_says_so(chosen):
    records, _, f = chosen
    r = ranking(f)
    # escalations: February, March and April's ends; the open ticket: March's; usage halved: b at April's end
    assert r["signal"].tolist() == [ESC, OPEN, USAGE]  # no share and no lift to rank by: the signals' own order
    assert r["customer_months"].tolist() == [3, 1, 1]
    assert r["churn_flagged"].tolist() == [0.0, 0.0, 0.0] and r["churn_others"].tolist() == [0.0, 0.0, 0.0]
    assert r["churners"].tolist() == [0, 0, 0] and r["caught"].tolist() == [0, 0, 0]
    assert r[["lift", "caught_share", "caught_low", "caught_high", "median_lead_days"]].isna().all().all()
    rows = [row for row in reference_rows(*records) if row.customer_id in ("a", "b", "gone")]
    assert_table(r, reference_ranking(rows, 90, 14))
    assert chart_text.caught(r, 90) == NOTHING


def test_without_a_churner_the_months_count_the_flagged_and_none_churned(chosen):
    records, _, f = chosen
    m = monthly(f).set_index(["month_end", "signal"])
    feb = m.loc[(pd.Timestamp("2025-02-28"), ESC)]
    assert feb.tolist() == [2, 1, 0.0, 0.0, 0.0]
    may = m.loc[(pd.Timestamp("2025-05-31"), OPEN)]  # known, nobody flagged: none churned, no rate when flagged
    assert may[["active", "flagged", "flagged_churned", "churn_others"]].tolist() == [2, 0, 0.0, 0.0]
    assert math.isnan(may["churn_flagged"])
    june = m.loc[pd.Timestamp("2025-06-30")]  # June 30 + 90 days is after August 31: not known yet
    assert june[["flagged_churned", "churn_flagged", "churn_others"]].isna().all().all()
    rows = [row for row in reference_rows(*records) if row.customer_id in ("a", "b", "gone")]
    assert_table(monthly(f), reference_monthly(rows, 14))
    assert chart_text.flagged(monthly(f)) == ("Customers each signal flagged at a month end: at 2025-08-31, of 2 "
                                              "active, a ticket open 14+ days 0; repeated escalations 0; usage "
                                              "halved 0.")


# ------------------------------------------------------------------ hand-made rows


def hand_flags(rows: list[tuple]) -> tuple[Flags, list[Row]]:
    """(Flags, reference rows) of ``(month end, customer, churn day, churned, escalations, unresolved, usage)``."""
    ref = [Row(date.fromisoformat(m), c, None if ch is None else date.fromisoformat(ch), y, e, u, d)
           for m, c, ch, y, e, u, d in rows]
    frame = pd.DataFrame({"month_end": pd.to_datetime([r[0] for r in rows]), "customer_id": [r[1] for r in rows],
                          "churn_date": pd.to_datetime([r[2] for r in rows]),
                          "churned": [NAN if r[3] is None else r[3] for r in rows],
                          "escalations": [r[4] for r in rows], "unresolved": [r[5] for r in rows],
                          "usage_decline": [r[6] for r in rows]})
    return Flags(frame, 90, 14, pd.Timestamp("2025-04-30"), True), ref


M1, M2, M3 = "2025-01-31", "2025-02-28", "2025-03-31"
P, Q = "2025-04-15", "2025-05-20"  # p churns within 90 days of January's and February's ends; q of February's only
#: escalations never fire; a ticket left open flags every customer-month; usage halved flags only churners (p at
#: January's and February's ends, q at February's), so no other customer-month it could be set against churned
BRANCHES = [(M1, "p", P, 1.0, False, True, True), (M1, "q", Q, 0.0, False, True, False),
            (M1, "r", None, 0.0, False, True, False), (M1, "s", None, 0.0, False, True, False),
            (M2, "p", P, 1.0, False, True, True), (M2, "q", Q, 1.0, False, True, True),
            (M2, "r", None, 0.0, False, True, False), (M2, "s", None, 0.0, False, True, False),
            (M3, "p", P, None, False, True, False), (M3, "q", Q, None, False, True, False),
            (M3, "r", None, None, False, True, False), (M3, "s", None, None, False, True, False)]


def test_a_signal_that_never_fires_one_that_always_does_and_one_without_other_churn():
    f, ref = hand_flags(BRANCHES)
    r = ranking(f).set_index("signal")
    # eight customer-months with an outcome, three churned; churners p and q (their window: from January 15 and
    # February 19), a ticket open catching p at January's end (74 days before) and q at February's (81)
    assert r.loc[ESC, ["customer_months", "churn_others", "churners", "caught", "caught_share"]].tolist() == [
        0, 3 / 8, 2, 0, 0.0]
    assert r.loc[ESC, ["churn_flagged", "lift", "median_lead_days"]].isna().all()
    assert r.loc[ESC, ["caught_low", "caught_high"]].tolist() == pytest.approx(wilson(0, 2), abs=1e-12)
    assert r.loc[OPEN, ["customer_months", "churn_flagged", "caught", "caught_share", "median_lead_days"]].tolist() \
        == [8, 3 / 8, 2, 1.0, 77.5]
    assert r.loc[OPEN, ["churn_others", "lift"]].isna().all()  # no customer-month it left out
    assert r.loc[OPEN, ["caught_low", "caught_high"]].tolist() == pytest.approx(wilson(2, 2), abs=1e-12)
    assert r.loc[USAGE, ["customer_months", "churn_flagged", "churn_others", "caught", "median_lead_days"]].tolist() \
        == [3, 1.0, 0.0, 2, 77.5]
    assert math.isnan(r.loc[USAGE, "lift"])  # 1.0 against 0.0: no ratio, not infinity
    assert list(r.index) == [OPEN, USAGE, ESC]  # shares 1, 1 (tied, no lift: their own order), 0
    assert_table(ranking(f), reference_ranking(ref, 90, 14))
    assert chart_text.caught(ranking(f), 90) == (
        "Churners a signal flagged in the 90 days before they left, of 2: most by a ticket open 14+ days, 100.0% (a "
        "median of 77.5 days before); fewest by repeated escalations, 0.0%.")


def test_the_months_where_everyone_or_no_one_is_flagged_or_the_outcome_is_not_known():
    f, ref = hand_flags(BRANCHES)
    m = monthly(f)
    assert list(m.columns) == MONTHLY
    want = pd.DataFrame([
        (M1, OPEN, 4, 4, 1.0, 1 / 4, NAN), (M1, ESC, 4, 0, 0.0, NAN, 1 / 4), (M1, USAGE, 4, 1, 1.0, 1.0, 0.0),
        (M2, OPEN, 4, 4, 2.0, 2 / 4, NAN), (M2, ESC, 4, 0, 0.0, NAN, 2 / 4), (M2, USAGE, 4, 2, 2.0, 1.0, 0.0),
        (M3, OPEN, 4, 4, NAN, NAN, NAN), (M3, ESC, 4, 0, NAN, NAN, NAN), (M3, USAGE, 4, 0, NAN, NAN, NAN)],
        columns=MONTHLY).assign(month_end=lambda d: pd.to_datetime(d["month_end"]))
    assert_table(m, want)
    assert_table(m, reference_monthly(ref, 14))


def test_tied_shares_caught_are_ranked_by_the_lift():
    """p and q churn; escalations flag p and r (caught 1 of 2, churn 1/2 against 1/3: lift 1.5), a ticket left open
    flags q (caught 1 of 2, churn 1 against 1/4: lift 4), usage halved no one."""
    f, ref = hand_flags([(M1, "p", "2025-03-01", 1.0, True, False, False),
                         (M1, "q", "2025-04-01", 1.0, False, True, False),
                         (M1, "r", None, 0.0, True, False, False), (M1, "s", None, 0.0, False, False, False),
                         (M1, "t", None, 0.0, False, False, False)])
    r = ranking(f)
    assert r["signal"].tolist() == [OPEN, ESC, USAGE]
    assert r["caught_share"].tolist() == [0.5, 0.5, 0.0]
    assert r["lift"].iloc[:2].tolist() == pytest.approx([4.0, 1.5], abs=1e-12) and math.isnan(r["lift"].iloc[2])
    assert_table(r, reference_ranking(ref, 90, 14))


# ------------------------------------------------------------------ the level and months sentences


def resolution_frame(churned_mid: int) -> pd.DataFrame:
    """120 tickets of 60 customers (two each): 40 resolved in 2 hours, none followed by churn; 60 in 30 hours, the
    first ``churned_mid`` of them followed by churn; 20 in 200 hours (too few for a rate), 5 followed by churn. The
    first 52 tickets' customers are under 3 months old, the others 3 to 12 months: the tenure moves the adjusted rate
    away from the raw one."""
    hours = [2.0] * 40 + [30.0] * 60 + [200.0] * 20
    churned = [False] * 40 + [i < churned_mid for i in range(60)] + [i < 5 for i in range(20)]
    return pd.DataFrame({"customer_id": [f"C{i // 2:02d}" for i in range(120)], "resolve_hours": hours,
                         "churned": churned, "mrr": 100.0,
                         "segment": ["SMB", "Enterprise", "Mid-Market"] * 40, "plan": ["Pro", "Basic"] * 60,
                         "tenure": ["under 3 months"] * 52 + ["3 to 12 months"] * 68})


def level_table(frame: pd.DataFrame) -> pd.DataFrame:
    return levels.level_table(Judged(frame, 90, len(frame), 0, 0, 0, pd.Timestamp("2024-12-31")), "resolution")


def test_a_level_with_one_band_with_a_rate_names_it_with_the_hand_fit():
    frame = resolution_frame(12)
    table = level_table(frame)
    assert table["band"][table["adjusted_rate"].notna()].tolist() == ["1 to 3 days"]
    bands = ["under 1 day", "1 to 3 days", "7 days or more"]
    frame["band"] = np.select([frame["resolve_hours"] < 24, frame["resolve_hours"] < 72], bands[:2], bands[2])
    X = design(frame, ("segment", "plan", "tenure"), bands=bands)
    beta, V = sandwich(X, frame["churned"].to_numpy(float), frame["customer_id"])
    rate = adjusted(X, beta, V, 3, 1)[0]
    assert chart_text.level(table, "Time to resolve", 90) == (
        f"Adjusted churn within 90 days of a ticket, by time to resolve: 1 to 3 days, {units.percent(rate)} (one band "
        "with a rate).")
    assert units.percent(rate) != units.percent(12 / 60)  # the adjusted rate, not the raw one


def test_the_level_sentence_ranks_the_bands_by_adjusted_churn_not_as_observed():
    """Customers of segment X churn more (by 40 points in either band), and most tickets resolved under a day are
    theirs: as observed, those tickets churn more (21 of 50 against 19 of 50), segment held alike less (the hand fit);
    20 tickets in 7 days or more, too few for a rate, are not counted among the bands."""
    cells = [(2.0, "X", True, 20), (2.0, "X", False, 20), (2.0, "Y", True, 1), (2.0, "Y", False, 9),
             (30.0, "X", True, 7), (30.0, "X", False, 3), (30.0, "Y", True, 12), (30.0, "Y", False, 28),
             (200.0, "Y", True, 4), (200.0, "Y", False, 16)]  # (hours, segment, churned, tickets)
    rows = [(hours, segment, churned) for hours, segment, churned, n in cells for _ in range(n)]
    frame = pd.DataFrame(rows, columns=["resolve_hours", "segment", "churned"]).assign(
        customer_id=lambda d: [f"C{i:03d}" for i in range(len(d))], mrr=100.0, plan="Pro", tenure="1 to 2 years")
    table = level_table(frame).set_index("band")
    assert table["churn_rate"].iloc[:2].tolist() == pytest.approx([21 / 50, 19 / 50], abs=1e-12)
    bands = ["under 1 day", "1 to 3 days", "7 days or more"]
    frame["band"] = np.select([frame["resolve_hours"] < 24, frame["resolve_hours"] < 72], bands[:2], bands[2])
    X = design(frame, ("segment", "plan", "tenure"), bands=bands)
    beta, V = sandwich(X, frame["churned"].to_numpy(float), frame["customer_id"])
    fast, slow = adjusted(X, beta, V, 3, 0)[0], adjusted(X, beta, V, 3, 1)[0]
    assert fast < slow
    assert chart_text.level(table.reset_index(), "Time to resolve", 90) == (
        f"Adjusted churn within 90 days of a ticket, by time to resolve: highest for 1 to 3 days, "
        f"{units.percent(slow)}; lowest for under 1 day, {units.percent(fast)} (of 2 bands).")


def test_a_level_without_a_band_with_a_rate_and_no_months_have_nothing_to_show():
    table = level_table(resolution_frame(0))
    assert table["adjusted_rate"].isna().all()
    assert chart_text.level(table, "Time to resolve", 30) == (
        "Adjusted churn within 30 days of a ticket, by time to resolve: nothing to show for the current choices.")
    assert chart_text.flagged(pd.DataFrame(columns=MONTHLY)) == (
        "Customers each signal flagged at a month end: nothing to show for the current choices.")


# ------------------------------------------------------------------ the incident list


def test_the_incident_list_counts_each_incidents_customers_as_the_sql_rows_do(store):
    engine = core.make_engine(store)
    try:
        listed = incident_list(load_outages(engine, 90))
    finally:
        engine.dispose()
    assert list(listed.columns) == LIST_COLUMNS
    assert listed[["incident", "severity", "title"]].values.tolist() == [
        ["INC-1", "SEV1", "EU login outage"], ["INC-2", "SEV2", "Slow exports"], ["INC-3", "SEV3", "Ongoing"]]
    assert listed["start"].tolist() == pd.to_datetime(["2025-03-04 09:00", "2025-09-10 22:00",
                                                       "2026-10-20 08:00"]).tolist()
    assert listed["end"].iloc[:2].tolist() == pd.to_datetime(["2025-03-04 13:30", "2025-09-10 23:15"]).tolist()
    assert pd.isna(listed["end"].iloc[2])
    assert listed["hours"].iloc[:2].tolist() == [4.5, 1.25] and math.isnan(listed["hours"].iloc[2])
    one, two = sev1(store), sev2(store)
    everyone = len(_rows(store, AT_RISK, day="2026-10-20"))  # INC-3 hit every customer of its day
    assert listed[["affected", "comparison"]].values.tolist() == [
        [int(one["affected"].sum()), int((one["affected"] == 0).sum())],
        [int(two["affected"].sum()), int((two["affected"] == 0).sum())], [everyone, 0]]
    assert listed["judged"].iloc[:2].tolist() == ["yes", "yes"] and listed["judged"].iloc[2].startswith("too recent")
