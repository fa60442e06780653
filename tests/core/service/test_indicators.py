"""The leading indicators (core.service.indicators, core.service.leads, core.service.open_tickets) against an
independent computation written here in plain Python (loops over customers and month ends, datetime arithmetic):

* a hand-built store whose flags are stated by hand at the boundaries: a ticket open exactly N days at a month end
  (counts) or N - 1 (does not), one resolved on the month end's day (not open at its end) or at the next midnight
  (open), an escalated ticket opened exactly 90 days before the next day (counts) or 91, usage exactly half (fires)
  or slightly more, a churner's month end exactly ``horizon`` days before the churn (in the window) or one more,
  and the months whose horizon has not passed (no outcome); its ranking and monthly table stated by hand too;
* a seeded synthetic store (200 customers, 18 months) whose every row, ranking figure (Wilson interval by its
  formula) and monthly figure is recomputed by the reference to 1e-12;
* the 1,000-customer demo (seed 0, the session's store): regression figures, the ranking and monthly table against
  the reference, the ticket flags and churn labels against SQL on the store file;
* a store without activity (no usage signal) and one without any active customer at a month end (refused).
"""

import calendar
import math
import sqlite3
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

import core
from core.errors import InsufficientDataError
from core.history.inputs import inputs_from_frames, load_inputs
from core.query import sources
from core.service.indicators import escalations, flags, month_ends, signals
from core.service.inputs import load_service
from core.service.leads import MONTHLY, RANKING, monthly, ranking
from core.service.open_tickets import oldest_open, open_at

#: the two-sided 95 % normal quantile
Z = 1.959963984540054
KEYS = ("escalations", "unresolved", "usage_decline")


# ------------------------------------------------------------------ the reference, in plain Python


class Row(NamedTuple):
    """One customer at one month end, as the reference computes it (``churned`` None while unknown)."""

    month_end: date
    customer_id: str
    churn_date: date | None
    churned: float | None
    escalations: bool
    unresolved: bool
    usage_decline: bool


def titles(open_days: int) -> dict[str, str]:
    """Each signal's title, written out."""
    return {"escalations": "Repeated escalations", "unresolved": f"A ticket open {open_days}+ days",
            "usage_decline": "Usage halved"}


def calendar_month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s month up to ``last``."""
    y, m, out = first.year, first.month, []
    while (end := date(y, m, calendar.monthrange(y, m)[1])) <= last:
        out.append(end)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def is_escalated(ticket: dict) -> bool:
    """Priority urgent or critical, or status escalated (any case and spacing)."""
    return (str(ticket["priority"]).strip().lower() in ("urgent", "critical")
            or str(ticket["status"]).strip().lower() == "escalated")


def data_end(customers: list[dict], activity: list[tuple]) -> date:
    """The last signup, churn or activity day."""
    days = [c[k] for c in customers for k in ("signup_date", "churn_date") if c[k] is not None]
    return max(days + [a[1] for a in activity])


def reference_rows(customers, activity, tickets, horizon=90, open_days=14) -> list[Row]:
    """Every customer active at every month end with its three flags and its outcome."""
    end = data_end(customers, activity)
    daily = defaultdict(float)
    for cid, day, _, value in activity:
        daily[cid, day] += value
    by_customer = defaultdict(list)
    for t in tickets:
        if t["customer_id"] is not None:
            by_customer[t["customer_id"]].append(t)
    rows, previous = [], {}
    for c in calendar_month_ends(min(x["signup_date"] for x in customers), end):
        next_day = datetime.combine(c + timedelta(days=1), time())
        current = {}
        for x in customers:
            cid, churn = x["customer_id"], x["churn_date"]
            if x["signup_date"] > c or (churn is not None and churn <= c):
                continue
            current[cid] = sum(daily.get((cid, c - timedelta(days=k)), 0.0) for k in range(30))
            before = previous.get(cid)
            mine = by_customer[cid]
            escalated = sum(1 for t in mine if next_day - timedelta(days=90) <= t["opened"] < next_day
                            and is_escalated(t))
            ages = [(c - t["opened"].date()).days for t in mine
                    if t["opened"] < next_day and (t["resolved"] is None or t["resolved"] >= next_day)]
            churned = None
            if c + timedelta(days=horizon) <= end:
                churned = 1.0 if churn is not None and churn <= c + timedelta(days=horizon) else 0.0
            rows.append(Row(c, cid, churn, churned, escalated >= 2, bool(ages) and max(ages) >= open_days,
                            bool(before) and current[cid] / before <= 0.5))
        previous = current
    return rows


def wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` at 95 %."""
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _descending(x: float) -> tuple:
    """Sort key: larger first, NaN last."""
    return (1, 0.0) if math.isnan(x) else (0, -x)


def reference_ranking(rows: list[Row], horizon: int, open_days: int) -> pd.DataFrame:
    """Each signal's customer-months, churn rates, lift, churners caught (Wilson interval) and median lead."""
    matured = [r for r in rows if r.churned is not None]
    window = [r for r in rows if r.churn_date is not None and r.month_end >= r.churn_date - timedelta(days=horizon)]
    churn_of = {r.customer_id: r.churn_date for r in window}
    churners = set(churn_of)
    out = []
    for key, title in titles(open_days).items():
        on = [r.churned for r in matured if getattr(r, key)]
        off = [r.churned for r in matured if not getattr(r, key)]
        first = {}
        for r in window:
            if getattr(r, key):
                first[r.customer_id] = min(first.get(r.customer_id, r.month_end), r.month_end)
        leads = [(churn_of[cid] - day).days for cid, day in first.items()]
        n, k = len(churners), len(first)
        low, high = wilson(k, n) if n else (math.nan, math.nan)
        rate_on, rate_off = _mean(on), _mean(off)
        out.append({"signal": title, "customer_months": len(on), "churn_flagged": rate_on, "churn_others": rate_off,
                    "lift": rate_on / rate_off if rate_off > 0 else math.nan, "churners": n, "caught": k,
                    "caught_share": k / n if n else math.nan, "caught_low": low, "caught_high": high,
                    "median_lead_days": float(statistics.median(leads)) if leads else math.nan})
    out.sort(key=lambda d: (_descending(d["caught_share"]), _descending(d["lift"])))
    return pd.DataFrame(out, columns=RANKING)


def reference_monthly(rows: list[Row], open_days: int) -> pd.DataFrame:
    """Each month end and signal: active, flagged, flagged and churned, and the two churn rates."""
    by_month = defaultdict(list)
    for r in rows:
        by_month[r.month_end].append(r)
    out = []
    for c in sorted(by_month):
        rs = by_month[c]
        known = rs[0].churned is not None
        for key, title in sorted(titles(open_days).items(), key=lambda kv: kv[1]):
            active, flagged = len(rs), sum(getattr(r, key) for r in rs)
            hit = sum(r.churned for r in rs if getattr(r, key)) if known else math.nan
            others = (sum(r.churned for r in rs) - hit) / (active - flagged) if known and active > flagged \
                else math.nan
            rate = hit / flagged if known and flagged else math.nan
            out.append({"month_end": pd.Timestamp(c), "signal": title, "active": active, "flagged": flagged,
                        "flagged_churned": float(hit), "churn_flagged": rate, "churn_others": others})
    return pd.DataFrame(out, columns=MONTHLY)


def module_rows(f) -> list[Row]:
    """The module's rows in the reference's terms."""
    r = f.rows
    return [Row(m.date(), cid, None if pd.isna(ch) else ch.date(), None if math.isnan(y) else y, bool(e), bool(u),
                bool(d))
            for m, cid, ch, y, e, u, d in zip(r["month_end"], r["customer_id"], r["churn_date"], r["churned"],
                                              r["escalations"], r["unresolved"], r["usage_decline"])]


def assert_table(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Equal columns and rows, figures to 1e-12 (NaN where NaN)."""
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False, rtol=0, atol=1e-12)


# ------------------------------------------------------------------ stores as records and frames


def frames(customers: list[dict], activity: list[tuple], tickets: list[dict]):
    """(ChurnInputs, ticket frame) of the records, in store column names."""
    cust = pd.DataFrame(customers).assign(segment="SMB", plan="Pro", region="EMEA", channel="Web")
    act = pd.DataFrame(activity, columns=["customer_id", "date", "metric", "value"]) if activity else None
    tk = pd.DataFrame(tickets, columns=["customer_id", "opened", "resolved", "priority", "status"])
    for col in ("opened", "resolved"):
        tk[col] = pd.to_datetime(tk[col])
    return inputs_from_frames(cust, activity=act, tickets=tk, feedback=None, revenue=None), tk


def daily(cid: str, first: date, last: date, value: float, metric: str = "events") -> list[tuple]:
    """One activity row a day from ``first`` to ``last``."""
    return [(cid, first + timedelta(days=k), metric, value) for k in range((last - first).days + 1)]


def ticket(cid, opened: str, resolved: str | None, priority: str = "normal", status: str = "open") -> dict:
    return {"customer_id": cid, "opened": datetime.fromisoformat(opened),
            "resolved": None if resolved is None else datetime.fromisoformat(resolved),
            "priority": priority, "status": status}


def customer(cid: str, signup: str = "2025-01-01", churn: str | None = None) -> dict:
    return {"customer_id": cid, "signup_date": date.fromisoformat(signup),
            "churn_date": None if churn is None else date.fromisoformat(churn)}


JAN1, MAR31, AUG31 = date(2025, 1, 1), date(2025, 3, 31), date(2025, 8, 31)


def hand_store() -> tuple[list[dict], list[tuple], list[dict]]:
    """Twelve customers from 2025-01-01, the data ending 2025-08-31 (the last activity day), each with one
    boundary of a signal (the ids say which)."""
    customers = [customer(c) for c in ("open_14d", "open_13d", "resolved_0800", "resolved_midnight", "esc_90d",
                                       "esc_91d", "half", "above_half")]
    customers += [customer("stopped", churn="2025-07-05"), customer("churn_90d", churn="2025-06-29"),
                  customer("churn_91d", churn="2025-06-30"), customer("late_signup", signup="2025-03-15")]
    activity = daily("open_14d", JAN1, AUG31, 1.0)
    # 1.0 a day (two metrics) to the end of March, then 0.5: April's 15 against March's 30, exactly half
    activity += daily("half", JAN1, MAR31, 0.5, "logins") + daily("half", JAN1, MAR31, 0.5, "reports")
    activity += daily("half", date(2025, 4, 1), AUG31, 0.5)
    # the same, but one April day at 1.0: 15.5 against 30
    activity += daily("above_half", JAN1, MAR31, 1.0) + daily("above_half", date(2025, 4, 1), AUG31, 0.5)
    activity = [a if a[:2] != ("above_half", date(2025, 4, 15)) else (*a[:3], 1.0) for a in activity]
    # 3.0 a day through May, nothing after: June's 0 against May's 90
    activity += daily("stopped", JAN1, date(2025, 5, 31), 3.0)
    activity += daily("churn_90d", JAN1, date(2025, 6, 28), 1.0) + daily("churn_91d", JAN1, date(2025, 6, 29), 1.0)
    # a trial's heavy usage before signing up does not make a "previous month" for the first month end
    activity += daily("late_signup", date(2025, 2, 1), date(2025, 2, 28), 4.0)
    activity += daily("late_signup", date(2025, 3, 15), AUG31, 0.5)
    tickets = [
        ticket("open_14d", "2025-03-17 10:00", "2025-04-20 09:00"),  # 14 days old at March's end
        ticket("open_13d", "2025-03-18 08:00", "2025-05-05 09:00"),  # 13 at March's end, 43 at April's
        ticket("resolved_0800", "2025-04-01 09:00", "2025-04-30 08:00"),  # resolved on April's last day
        ticket("resolved_midnight", "2025-04-01 09:00", "2025-05-01 00:00"),  # resolved at the next midnight
        ticket("churn_90d", "2025-03-01 12:00", "2025-04-02 10:00"),
        ticket("churn_91d", "2025-03-01 12:00", "2025-04-02 10:00"),
        # June 1 - 90 days = March 3: the first counts at May's end, with the last minute of May
        ticket("esc_90d", "2025-03-03 00:00", "2025-03-03 05:00", priority="Urgent"),
        ticket("esc_90d", "2025-04-15 10:00", "2025-04-15 12:00", priority="high"),  # not escalated
        ticket("esc_90d", "2025-05-31 23:59", "2025-06-01 03:00", status=" Escalated "),
        # March 2 is 91 days before June 1; a ticket of June 1 belongs to June
        ticket("esc_91d", "2025-03-02 23:00", "2025-03-03 02:00", priority="critical"),
        ticket("esc_91d", "2025-04-10 09:00", "2025-04-10 11:00", priority="urgent"),
        ticket("esc_91d", "2025-06-01 00:00", "2025-06-01 02:00", priority="urgent"),
        ticket(None, "2025-04-01 00:00", None, priority="urgent"),  # no customer: never counts
        ticket(None, "2025-04-02 00:00", None, priority="urgent")]
    return customers, activity, tickets


@pytest.fixture(scope="module")
def hand():
    """(records, ChurnInputs, tickets, Flags) of :func:`hand_store` at horizon 90 and 14 open days."""
    records = hand_store()
    inputs, tk = frames(*records)
    return records, inputs, tk, flags(inputs, tk)


def flag_at(f, cid: str, day: str) -> dict:
    """The row of customer ``cid`` at month end ``day`` (as a dict; KeyError-like failure when absent)."""
    r = f.rows[(f.rows["customer_id"] == cid) & (f.rows["month_end"] == pd.Timestamp(day))]
    assert len(r) == 1, f"{cid} has {len(r)} rows at {day}"
    return r.iloc[0].to_dict()


# ------------------------------------------------------------------ the hand-built store


def test_month_ends_run_from_the_first_signups_month_to_the_data_end(hand):
    _, inputs, _, f = hand
    want = [pd.Timestamp(2025, m, calendar.monthrange(2025, m)[1]) for m in range(1, 9)]
    assert list(month_ends(inputs)) == want
    assert (f.end, f.horizon, f.open_days, f.usage) == (pd.Timestamp(AUG31), 90, 14, True)
    assert sorted(f.rows["month_end"].unique()) == want


def test_hand_store_rows_equal_the_reference(hand):
    records, _, _, f = hand
    assert list(f.rows.columns) == ["month_end", "customer_id", "churn_date", "churned", *KEYS]
    assert sorted(module_rows(f)) == sorted(reference_rows(*records))


def test_rows_cover_exactly_the_customers_active_at_each_month_end(hand):
    rows = hand[3].rows
    ids = rows.groupby("month_end")["customer_id"].apply(set)
    assert "late_signup" not in ids[pd.Timestamp("2025-02-28")] and "late_signup" in ids[pd.Timestamp(MAR31)]
    assert "churn_90d" not in ids[pd.Timestamp("2025-06-30")]  # churned the day before
    assert "churn_91d" not in ids[pd.Timestamp("2025-06-30")]  # churned that day
    assert "stopped" in ids[pd.Timestamp("2025-06-30")] and "stopped" not in ids[pd.Timestamp("2025-07-31")]
    assert list(rows.groupby("month_end").size()) == [11, 11, 12, 12, 12, 10, 9, 9]


def test_a_ticket_open_exactly_open_days_counts_one_day_less_does_not(hand):
    f = hand[3]
    assert flag_at(f, "open_14d", "2025-03-31")["unresolved"]
    assert not flag_at(f, "open_13d", "2025-03-31")["unresolved"]
    assert flag_at(f, "open_13d", "2025-04-30")["unresolved"]
    assert not flag_at(f, "open_14d", "2025-04-30")["unresolved"]  # resolved by then


def test_a_ticket_resolved_on_the_month_ends_day_is_not_open_at_its_end(hand):
    f = hand[3]
    assert not flag_at(f, "resolved_0800", "2025-04-30")["unresolved"]
    assert flag_at(f, "resolved_midnight", "2025-04-30")["unresolved"]  # resolved at May 1, 00:00


def test_open_days_moves_the_unresolved_threshold(hand):
    records, inputs, tk, _ = hand
    f = flags(inputs, tk, open_days=30)
    assert not flag_at(f, "open_14d", "2025-03-31")["unresolved"]
    assert flag_at(f, "churn_90d", "2025-03-31")["unresolved"]  # opened March 1: 30 days
    assert signals(30)["unresolved"].title == "A ticket open 30+ days"
    assert sorted(module_rows(f)) == sorted(reference_rows(*records, open_days=30))


def test_an_escalation_exactly_90_days_before_the_next_day_counts_91_does_not(hand):
    f = hand[3]
    assert flag_at(f, "esc_90d", "2025-05-31")["escalations"]
    assert not flag_at(f, "esc_91d", "2025-05-31")["escalations"]
    assert flag_at(f, "esc_91d", "2025-04-30")["escalations"]  # both in [Jan 31, May 1)
    assert not flag_at(f, "esc_90d", "2025-04-30")["escalations"]  # a high-priority open ticket is no escalation
    assert flag_at(f, "esc_91d", "2025-06-30")["escalations"]  # April 10 and June 1
    assert f.rows["escalations"].sum() == 3


def test_escalations_counts_per_customer_up_to_the_days_end(hand):
    tk = hand[2]
    assert escalations(tk, pd.Timestamp("2025-05-31")).to_dict() == {"esc_90d": 2, "esc_91d": 1}
    assert escalations(tk, pd.Timestamp("2025-04-30")).to_dict() == {"esc_90d": 1, "esc_91d": 2}
    assert escalations(tk, pd.Timestamp("2025-06-30")).to_dict() == {"esc_90d": 1, "esc_91d": 2}
    assert escalations(tk, pd.Timestamp("2025-01-31")).empty


def test_usage_exactly_half_fires_slightly_more_does_not(hand):
    f = hand[3]
    assert flag_at(f, "half", "2025-04-30")["usage_decline"]  # 15 against 30
    assert not flag_at(f, "above_half", "2025-04-30")["usage_decline"]  # 15.5 against 30
    assert flag_at(f, "stopped", "2025-06-30")["usage_decline"]  # nothing against 90
    assert not flag_at(f, "late_signup", "2025-03-31")["usage_decline"]  # no month end before its signup
    assert f.rows.loc[f.rows["usage_decline"], "customer_id"].tolist() == ["half", "stopped"]


def test_the_first_month_end_has_no_usage_signal(hand):
    rows = hand[3].rows
    assert not rows.loc[rows["month_end"] == pd.Timestamp("2025-01-31"), "usage_decline"].any()


def test_usage_exactly_half_fires_whatever_the_rounding():
    """The ratio goes through expm1(log1p(x)): 1.0 a day against 2.0 reads 0.5000000000000001, and still fires."""
    customers = [customer("a"), customer("b")]
    activity = daily("a", JAN1, MAR31, 2.0) + daily("a", date(2025, 4, 1), date(2025, 5, 31), 1.0)
    activity += daily("b", JAN1, date(2025, 5, 31), 1.0)
    f = flags(*frames(customers, activity, []))
    assert flag_at(f, "a", "2025-04-30")["usage_decline"]  # 30 against 60


def test_a_churner_is_in_the_window_exactly_horizon_days_before_the_churn(hand):
    ranked = ranking(hand[3]).set_index("signal")
    # churn_90d flagged at March 31 = June 29 - 90 days: caught, 90 days ahead; churn_91d flagged at March 31 =
    # June 30 - 91 days: a churner (rows at April and May's ends) but not caught
    row = ranked.loc["A ticket open 14+ days"]
    assert (row["churners"], row["caught"], row["median_lead_days"]) == (3, 1, 90.0)


def test_the_churned_label_counts_churn_within_horizon_days(hand):
    f = hand[3]
    assert flag_at(f, "churn_90d", "2025-03-31")["churned"] == 1.0  # June 29 = March 31 + 90 days
    assert flag_at(f, "churn_91d", "2025-03-31")["churned"] == 0.0  # June 30 = March 31 + 91 days
    assert flag_at(f, "churn_91d", "2025-04-30")["churned"] == 1.0
    assert flag_at(f, "open_14d", "2025-05-31")["churned"] == 0.0  # May 31 + 90 = August 29: known
    assert math.isnan(flag_at(f, "stopped", "2025-06-30")["churned"])  # June 30 + 90 runs past August 31
    known = f.rows.groupby("month_end")["churned"].apply(lambda s: s.notna().all())
    assert known.tolist() == [True] * 5 + [False] * 3
    assert f.rows["churned"].sum() == 7


@pytest.mark.parametrize(("horizon", "matured"), [(92, True), (93, False)])
def test_a_month_end_is_matured_once_horizon_days_have_passed(hand, horizon, matured):
    records, inputs, tk, _ = hand
    f = flags(inputs, tk, horizon=horizon)
    may = f.rows[f.rows["month_end"] == pd.Timestamp("2025-05-31")]["churned"]
    assert may.notna().all() if matured else may.isna().all()  # May 31 + 92 days = August 31
    assert sorted(module_rows(f)) == sorted(reference_rows(*records, horizon=horizon))


def test_hand_store_ranking_stated_by_hand(hand):
    r = ranking(hand[3])
    # matured rows (January to May): 11 + 11 + 12 + 12 + 12 = 58, of which 7 churned within 90 days
    assert r["signal"].tolist() == ["A ticket open 14+ days", "Usage halved", "Repeated escalations"]
    assert r["customer_months"].tolist() == [5, 1, 2]
    assert r["churn_flagged"].tolist() == pytest.approx([1 / 5, 0.0, 0.0], abs=1e-15)
    assert r["churn_others"].tolist() == pytest.approx([6 / 53, 7 / 57, 7 / 56], abs=1e-15)
    assert r["lift"].tolist() == pytest.approx([(1 / 5) / (6 / 53), 0.0, 0.0], abs=1e-15)
    assert r["churners"].tolist() == [3, 3, 3]
    assert r["caught"].tolist() == [1, 1, 0]
    assert r["caught_share"].tolist() == pytest.approx([1 / 3, 1 / 3, 0.0], abs=1e-15)
    assert r["median_lead_days"].iloc[:2].tolist() == [90.0, 5.0] and math.isnan(r["median_lead_days"].iloc[2])
    for (low, high), k in zip(zip(r["caught_low"], r["caught_high"]), [1, 1, 0]):
        assert (low, high) == pytest.approx(wilson(k, 3), abs=1e-12)
    assert_table(r, reference_ranking(reference_rows(*hand[0]), 90, 14))


def test_hand_store_monthly_stated_by_hand(hand):
    m = monthly(hand[3]).set_index(["month_end", "signal"])
    april = m.loc[(pd.Timestamp("2025-04-30"), "A ticket open 14+ days")]
    assert april.tolist() == pytest.approx([12, 2, 0.0, 0.0, 3 / 10], abs=1e-15)
    march = m.loc[(pd.Timestamp(MAR31), "A ticket open 14+ days")]
    assert march.tolist() == pytest.approx([12, 3, 1.0, 1 / 3, 0.0], abs=1e-15)
    january = m.loc[(pd.Timestamp("2025-01-31"), "Repeated escalations")]  # known, nobody flagged: 0 churned
    assert january[["active", "flagged", "flagged_churned", "churn_others"]].tolist() == [11, 0, 0.0, 0.0]
    assert math.isnan(january["churn_flagged"])
    june = m.loc[(pd.Timestamp("2025-06-30"), "Usage halved")]
    assert june[["active", "flagged"]].tolist() == [10, 1]
    assert june[["flagged_churned", "churn_flagged", "churn_others"]].isna().all()
    assert_table(monthly(hand[3]), reference_monthly(reference_rows(*hand[0]), 14))


def test_open_at_keeps_tickets_open_at_the_days_end(hand):
    tk = hand[2]
    got = open_at(tk, pd.Timestamp("2025-04-30"))
    assert sorted(got["customer_id"]) == ["open_13d", "resolved_midnight"]
    assert pd.api.types.is_datetime64_any_dtype(got["opened"])
    assert open_at(tk.iloc[:0], pd.Timestamp("2025-04-30")).empty


def test_oldest_open_gives_the_age_from_the_opening_day_and_escalation(hand):
    tk = hand[2]
    april = oldest_open(tk, pd.Timestamp("2025-04-30")).sort_values("customer_id", ignore_index=True)
    assert april.to_dict("list") == {"customer_id": ["open_13d", "resolved_midnight"],
                                     "oldest_open_ticket_days": [43.0, 29.0], "escalated": [False, False]}
    may = oldest_open(tk, pd.Timestamp("2025-05-31"))
    assert may.to_dict("list") == {"customer_id": ["esc_90d"], "oldest_open_ticket_days": [0.0],
                                   "escalated": [True]}
    empty = oldest_open(tk, pd.Timestamp("2025-01-31"))
    assert empty.empty and list(empty.columns) == ["customer_id", "oldest_open_ticket_days", "escalated"]


# ------------------------------------------------------------------ a seeded synthetic store

PRIORITIES = ["low", "normal", "high", "urgent", " Critical", "URGENT", None]
STATUSES = ["open", "resolved", "closed", "escalated", " Escalated ", None]
SYN_START, SYN_END = date(2024, 1, 1), date(2025, 6, 30)


def _moment(rng, day: date) -> datetime:
    """Midnight of ``day`` two times in five, else a random second of it."""
    at = datetime.combine(day, time())
    return at if rng.random() < 0.4 else at + timedelta(seconds=int(rng.integers(1, 86_400)))


def _tickets_of(rng, cid: str | None, first: date, last: date, count: int) -> list[dict]:
    out = []
    for _ in range(count):
        opened = _moment(rng, first + timedelta(days=int(rng.integers(0, (last - first).days + 1))))
        resolved = None
        if rng.random() > 0.1:
            resolved = opened + timedelta(seconds=float(rng.exponential(8 * 86_400)))
            if rng.random() < 0.3:  # at a midnight
                resolved = datetime.combine(resolved.date() + timedelta(days=1), time())
        out.append({"customer_id": cid, "opened": opened, "resolved": resolved,
                    "priority": PRIORITIES[rng.integers(len(PRIORITIES))],
                    "status": STATUSES[rng.integers(len(STATUSES))]})
    return out


def synthetic_store(seed: int = 7, n: int = 200) -> tuple[list[dict], list[tuple], list[dict]]:
    """``n`` customers over 18 months: signups spread out, two in five churning, daily usage (sometimes dropping,
    one customer in ten without any), tickets at midnights and random seconds, some never resolved."""
    rng = np.random.default_rng(seed)
    span = (SYN_END - SYN_START).days
    customers, activity, tickets = [], [], []
    for i in range(n):
        cid = f"S{i:03d}"
        signup = SYN_START + timedelta(days=int(rng.integers(0, 10) if rng.random() < 0.3 else rng.integers(0, span)))
        churn = signup + timedelta(days=int(rng.integers(1, 500))) if rng.random() < 0.4 else None
        churn = churn if churn is not None and churn <= SYN_END else None
        customers.append({"customer_id": cid, "signup_date": signup, "churn_date": churn})
        last = min(SYN_END, churn - timedelta(days=1)) if churn else SYN_END
        if rng.random() < 0.9:
            base, factor = rng.lognormal(1.0, 0.5), rng.uniform(0.1, 0.8)
            drop = signup + timedelta(days=int(rng.integers(0, span)))
            for k in range((last - signup).days + 1):
                day = signup + timedelta(days=k)
                if rng.random() < 0.8:
                    level = base * (factor if day >= drop else 1.0)
                    activity.append((cid, day, "events", level * rng.uniform(0.5, 1.5)))
        if last >= signup:
            tickets += _tickets_of(rng, cid, signup, last, int(rng.poisson(16 if rng.random() < 0.2 else 5)))
    tickets += _tickets_of(rng, None, SYN_START, SYN_END, 30)
    activity.append(("S000", SYN_END, "events", 1.0))  # the data ends on the last day
    return customers, activity, tickets


@pytest.fixture(scope="module")
def synthetic_records():
    return synthetic_store()


@pytest.fixture(scope="module", params=[(90, 14), (45, 7)], ids=["h90-open14", "h45-open7"])
def synthetic(request, synthetic_records):
    """(reference rows, Flags, horizon, open_days) of the synthetic store."""
    horizon, open_days = request.param
    inputs, tk = frames(*synthetic_records)
    return reference_rows(*synthetic_records, horizon, open_days), flags(inputs, tk, horizon, open_days), \
        horizon, open_days


def test_synthetic_store_exercises_every_signal_and_outcome(synthetic):
    want = synthetic[0]
    assert len({r.month_end for r in want}) == 18 and len(want) > 1500
    for key in KEYS:
        assert sum(getattr(r, key) for r in want) >= 20, key
    assert {r.churned for r in want} == {0.0, 1.0, None}


def test_synthetic_rows_equal_the_reference(synthetic):
    want, f, _, _ = synthetic
    assert f.end == pd.Timestamp(SYN_END) and f.usage
    assert sorted(module_rows(f)) == sorted(want)


def test_synthetic_ranking_equals_the_reference(synthetic):
    want, f, horizon, open_days = synthetic
    got = ranking(f)
    assert (got["caught"] > 0).all() and got["churners"].iloc[0] > 30
    assert_table(got, reference_ranking(want, horizon, open_days))


def test_synthetic_monthly_equals_the_reference(synthetic):
    want, f, _, open_days = synthetic
    assert_table(monthly(f), reference_monthly(want, open_days))


# ------------------------------------------------------------------ the 1,000-customer demo


@pytest.fixture(scope="module")
def demo_flags(small_demo_store):
    """(store path, Flags, activity pairs) of the session's 1,000-customer demo (seed 0) at horizon 90 and 14 open
    days."""
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    try:
        inputs = load_inputs(engine)
        f = flags(inputs, load_service(engine).tickets)
    finally:
        engine.dispose()
    return small_demo_store, f, inputs.activity


def sql_ids(path, query: str, **params) -> set[str]:
    """The customer ids the query returns."""
    with sqlite3.connect(path) as con:
        return {cid for (cid,) in con.execute(query, params)}


ACTIVE = ("SELECT customer_id FROM customer WHERE date(signup_date) <= :day "
          "AND (churn_date IS NULL OR date(churn_date) > :day)")
ESCALATED = ("SELECT customer_id FROM ticket WHERE customer_id IS NOT NULL "
             "AND julianday(opened) < julianday(:day) + 1 AND julianday(opened) >= julianday(:day) + 1 - 90 "
             "AND (lower(trim(priority)) IN ('urgent', 'critical') OR lower(trim(status)) = 'escalated') "
             "GROUP BY customer_id HAVING count(*) >= 2")
UNRESOLVED = ("SELECT customer_id FROM ticket WHERE customer_id IS NOT NULL "
              "AND julianday(opened) < julianday(:day) + 1 "
              "AND (resolved IS NULL OR julianday(resolved) >= julianday(:day) + 1) "
              "GROUP BY customer_id HAVING julianday(:day) - julianday(min(date(opened))) >= 14")
CHURNED = ACTIVE + " AND churn_date IS NOT NULL AND julianday(churn_date) <= julianday(:day) + 90"


def test_demo_regression_figures(demo_flags):
    f = demo_flags[1]
    assert (len(f.rows), f.end, f.usage) == (14_012, pd.Timestamp("2026-10-31"), True)
    r = ranking(f)
    assert r["signal"].tolist() == ["A ticket open 14+ days", "Usage halved", "Repeated escalations"]
    assert r["customer_months"].tolist() == [3058, 303, 159]
    assert r["churners"].tolist() == [217, 217, 217]
    assert r["caught"].tolist() == [79, 27, 8]
    assert r["median_lead_days"].tolist() == [72.0, 45.0, 32.5]


def test_demo_ranking_and_monthly_equal_the_reference(demo_flags):
    f = demo_flags[1]
    rows = module_rows(f)
    assert_table(ranking(f), reference_ranking(rows, 90, 14))
    assert_table(monthly(f), reference_monthly(rows, 14))


@pytest.mark.parametrize("day", ["2024-06-30", "2025-06-30", "2026-10-31"])
def test_demo_ticket_flags_equal_sql_on_the_store(demo_flags, day):
    path, f, _ = demo_flags
    at = f.rows[f.rows["month_end"] == pd.Timestamp(day)]
    active = sql_ids(path, ACTIVE, day=day)
    assert set(at["customer_id"]) == active and len(at) == len(active)
    escalated, unresolved = sql_ids(path, ESCALATED, day=day) & active, sql_ids(path, UNRESOLVED, day=day) & active
    assert set(at.loc[at["escalations"], "customer_id"]) == escalated and escalated
    assert set(at.loc[at["unresolved"], "customer_id"]) == unresolved and unresolved


@pytest.mark.parametrize("day", ["2025-06-30", "2026-07-31"])
def test_demo_churned_label_equals_churn_dates_in_the_store(demo_flags, day):
    path, f, _ = demo_flags
    at = f.rows[f.rows["month_end"] == pd.Timestamp(day)]
    assert at["churned"].notna().all()  # 90 days have passed by 2026-10-31
    churned = sql_ids(path, CHURNED, day=day)
    assert set(at.loc[at["churned"] == 1.0, "customer_id"]) == churned and churned


def thirty_day_usage(acts, day: date) -> dict[str, float]:
    """Each customer's usage summed over the 30 days up to ``day`` (activity pairs: days since 1970-01-01)."""
    cd = (day - date(1970, 1, 1)).days
    keep = (acts.days <= cd) & (acts.days > cd - 30)
    total = np.bincount(acts.codes[keep], weights=acts.value[keep], minlength=len(acts.ids))
    return dict(zip(np.asarray(acts.ids, dtype=object).astype(str), total))


def test_demo_usage_flags_equal_the_activity_sums(demo_flags):
    _, f, acts = demo_flags
    rows = module_rows(f)
    ends = sorted({r.month_end for r in rows})
    usage = {c: thirty_day_usage(acts, c) for c in ends}
    present = {(r.month_end, r.customer_id) for r in rows}
    wrong, halves = [], 0
    for r in rows:
        i = ends.index(r.month_end)
        before = usage[ends[i - 1]].get(r.customer_id, 0.0) if i and (ends[i - 1], r.customer_id) in present else 0.0
        now = usage[r.month_end].get(r.customer_id, 0.0)
        halves += before > 0 and 2 * now == before  # exactly half: fires (test_usage_exactly_half_fires_...)
        if r.usage_decline != (before > 0 and now / before <= 0.5):
            wrong.append(r)
    assert wrong == [] and halves == 14


def test_demo_flags_are_the_same_summed_by_embedded_duckdb(demo_flags):
    """The usage level read by the product's default engine (asked once for every month end) flags the same."""
    engine = core.make_engine(f"sqlite:///{demo_flags[0]}")
    try:
        with sources.embedded(engine) as src:
            got = flags(load_inputs(engine, source=src), load_service(engine).tickets)
    finally:
        engine.dispose()
    pd.testing.assert_frame_equal(got.rows, demo_flags[1].rows)
    assert got.usage and got.rows["usage_decline"].sum() == 376  # not vacuous: the signal fires


def test_demo_last_months_have_no_outcome(demo_flags):
    rows = demo_flags[1].rows
    unknown = rows.loc[rows["churned"].isna(), "month_end"].unique()
    assert [pd.Timestamp(d).strftime("%Y-%m-%d") for d in sorted(unknown)] == ["2026-08-31", "2026-09-30",
                                                                                 "2026-10-31"]


# ------------------------------------------------------------------ stores without usage or without anyone active


def test_without_activity_the_usage_signal_never_fires(hand):
    customers, _, tickets = hand[0]
    inputs, tk = frames(customers, [], tickets)
    f = flags(inputs, tk)
    assert not f.usage and not f.rows["usage_decline"].any()
    assert f.end == pd.Timestamp("2025-07-05")  # the last churn date
    assert sorted(module_rows(f)) == sorted(reference_rows(customers, [], tickets))
    assert ranking(f).set_index("signal").loc["Usage halved", "caught"] == 0


def test_no_customer_active_at_any_month_end_is_refused():
    customers = [customer("gone", signup="2025-01-05", churn="2025-01-20")]
    inputs, tk = frames(customers, daily("gone", date(2025, 1, 5), date(2025, 2, 10), 1.0), [])
    assert list(month_ends(inputs)) == [pd.Timestamp("2025-01-31")]
    with pytest.raises(InsufficientDataError, match="No customer was active at any month end"):
        flags(inputs, tk)


def test_no_signup_date_is_refused():
    inputs, tk = frames([{"customer_id": "x", "signup_date": None, "churn_date": None}], [], [])
    with pytest.raises(InsufficientDataError):
        month_ends(inputs)
