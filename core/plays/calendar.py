"""The outreach calendar: every contact of every play (the store's interventions, a playbook run's included) week by
week, the actions to reach by their due week, and who the calendar's gap keeps free of another play until when.

One calendar for all plays and teams: the guard :func:`core.plays.guards.calendar_hold` reads the same contacts, so
what the calendar shows booked is what a run holds back.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.plays.rules import Guards
from core.roi.defaults import CONTROL, WINDOW_DAYS

#: the columns of :func:`by_week`
WEEK_COLUMNS = ["week", "play", "reached", "held_out", "due"]
#: the columns of :func:`booked_until`
BOOKED_COLUMNS = ["customer_id", "play", "date", "arm", "free_from", "play_free_from"]


def week_of(days: pd.Series) -> pd.Series:
    """The Monday of each day's week."""
    d = pd.to_datetime(days).dt.normalize()
    return d - pd.to_timedelta(d.dt.weekday, unit="D")


def by_week(contacts: pd.DataFrame, open_actions: pd.DataFrame, day: dt.date, weeks_back: int = 4,
            weeks_ahead: int = 4) -> pd.DataFrame:
    """Contacts made (``reached``) and held out per week and play, and the open actions due (``due``), from
    ``weeks_back`` weeks before ``day``'s week to ``weeks_ahead`` after it: :data:`WEEK_COLUMNS`, by week then play.

    ``contacts``: ``customer_id, play, date, arm``; ``open_actions``: ``play, due``."""
    monday = week_of(pd.Series([pd.Timestamp(day)])).iloc[0]
    first, last = monday - pd.Timedelta(weeks=weeks_back), monday + pd.Timedelta(weeks=weeks_ahead)
    made = contacts.assign(week=week_of(contacts["date"])) if len(contacts) else contacts.assign(week=pd.NaT)
    made = made[(made["week"] >= first) & (made["week"] <= last)]
    due = open_actions.assign(week=week_of(open_actions["due"])) if len(open_actions) else \
        open_actions.assign(week=pd.NaT)
    due = due[(due["week"] >= first) & (due["week"] <= last)]
    parts = [made.assign(reached=made["arm"] != CONTROL, held_out=made["arm"] == CONTROL, due=False)[WEEK_COLUMNS],
             due.assign(reached=False, held_out=False, due=True)[WEEK_COLUMNS]]
    rows = pd.concat([p for p in parts if len(p)]) if any(len(p) for p in parts) else None
    if rows is None:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "week" else object) for c in WEEK_COLUMNS})
    out = rows.groupby(["week", "play"], sort=True)[["reached", "held_out", "due"]].sum().astype(int).reset_index()
    return out[WEEK_COLUMNS]


def booked_until(contacts: pd.DataFrame, guards: Guards, day: dt.date) -> pd.DataFrame:
    """The contacts that still hold customers on ``day`` (:data:`BOOKED_COLUMNS`, soonest free first): a customer's
    latest contact (made or held out) within the gap, with ``free_from``, the first day another play may reach
    them; and a holdout within the :data:`core.roi.defaults.WINDOW_DAYS` its play's effect is measured over, with
    ``play_free_from``, the first day that play may reach them. The days are :func:`core.plays.guards.calendar_hold`'s.
    """
    today = pd.Timestamp(day).normalize()
    c = contacts.assign(date=pd.to_datetime(contacts["date"]).dt.normalize())
    c = c[c["date"] <= today].sort_values("date", kind="stable")
    c = c.assign(free_from=pd.NaT, play_free_from=pd.NaT)
    if guards.gap_days:
        latest = c.groupby("customer_id").tail(1).index
        c.loc[latest, "free_from"] = c.loc[latest, "date"] + pd.Timedelta(days=guards.gap_days)
    held = c[c["arm"] == CONTROL].groupby(["customer_id", "play"]).tail(1).index
    c.loc[held, "play_free_from"] = c.loc[held, "date"] + pd.Timedelta(days=WINDOW_DAYS)
    for col in ("free_from", "play_free_from"):  # a day already past holds nobody
        c[col] = c[col].where(c[col] > today)
    c = c[c["free_from"].notna() | c["play_free_from"].notna()]
    c = c.sort_values(["free_from", "play_free_from", "customer_id"], kind="stable", na_position="last")
    return c[BOOKED_COLUMNS].reset_index(drop=True)
