"""The outreach calendar (core/plays/calendar.py) says what the guards do: the customers it shows held on a day
are exactly those :func:`core.plays.guards.calendar_hold` holds back, and their free days are the first days it lets
them through; the week table counts contacts, holdouts and due actions per week and play as pandas does."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.plays.calendar import booked_until, by_week
from core.plays.guards import calendar_hold
from core.plays.rules import Guards
from core.roi.defaults import CONTROL

DAY = dt.date(2025, 3, 31)
PLAYS = ["Rescue call", "Adoption email", "Webinar"]


def _contacts(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer_id": rng.choice([f"C{i}" for i in range(15)], n), "play": rng.choice(PLAYS, n),
                         "date": [pd.Timestamp(DAY) - pd.Timedelta(days=int(d)) for d in rng.integers(-5, 120, n)],
                         "arm": rng.choice(["treatment", CONTROL], n, p=[0.7, 0.3])})


def _held(contacts: pd.DataFrame, guards: Guards, customer: str, play: str, day) -> bool:
    mine = contacts[contacts.customer_id == customer]
    booked = list(zip(mine.play, pd.to_datetime(mine.date), mine.arm, strict=True))
    return calendar_hold(guards, play, day, booked) is not None


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("gap", [0, 7, 14])
def test_the_calendar_holds_whom_the_guard_holds_until_its_free_days(seed, gap):
    contacts, guards = _contacts(seed), Guards(gap_days=gap)
    booked = booked_until(contacts, guards, DAY)
    customers = sorted(set(contacts.customer_id))
    free = booked.dropna(subset=["free_from"]).set_index("customer_id")["free_from"]
    assert free.index.is_unique
    kept = booked.dropna(subset=["play_free_from"]).set_index(["customer_id", "play"])["play_free_from"]
    for cid in customers:
        # a play the customer was never held out of: held by the gap alone, until free_from and not on it
        other = "A play never run"
        assert _held(contacts, guards, cid, other, DAY) == (cid in free.index)
        if cid in free.index:
            last = free[cid] - pd.Timedelta(days=1)
            assert _held(contacts, guards, cid, other, last) or last < pd.Timestamp(DAY)
            assert not _held(contacts[contacts.date <= pd.Timestamp(DAY)], guards, cid, other, free[cid])
        for play in PLAYS:
            if (cid, play) in kept.index:  # held out of the play: kept out of it until play_free_from
                until = kept[(cid, play)]
                assert _held(contacts, guards, cid, play, DAY)
                past = contacts[(contacts.customer_id == cid) & (contacts.date <= pd.Timestamp(DAY))]
                assert not _held(past, Guards(gap_days=0), cid, play, until)
                assert _held(past, Guards(gap_days=0), cid, play, until - pd.Timedelta(days=1))


def test_weeks_count_contacts_holdouts_and_due_actions_per_play():
    contacts = _contacts(1, 200)
    due = pd.DataFrame({"play": ["Rescue call", "Rescue call", "Webinar"],
                        "due": pd.to_datetime(["2025-04-02", "2025-04-06", "2025-04-09"])})
    weeks = by_week(contacts, due, DAY, weeks_back=2, weeks_ahead=1)
    monday = pd.Timestamp("2025-03-31")
    c = contacts.assign(week=pd.to_datetime(contacts.date) - pd.to_timedelta(pd.to_datetime(contacts.date).dt.weekday,
                                                                             unit="D"))
    c = c[(c.week >= monday - pd.Timedelta(weeks=2)) & (c.week <= monday + pd.Timedelta(weeks=1))]
    expected = c.groupby(["week", "play"]).agg(reached=("arm", lambda a: int((a != CONTROL).sum())),
                                               held_out=("arm", lambda a: int((a == CONTROL).sum())))
    got = weeks.set_index(["week", "play"])
    assert got[["reached", "held_out"]].loc[expected.index].equals(expected.astype(got["reached"].dtype))
    assert got.loc[(monday, "Rescue call"), "due"] == 2
    assert got.loc[(monday + pd.Timedelta(weeks=1), "Webinar"), "due"] == 1
    assert int(got["due"].sum()) == 3 and set(got.index.get_level_values(0)) <= {
        monday + pd.Timedelta(weeks=k) for k in (-2, -1, 0, 1)}
