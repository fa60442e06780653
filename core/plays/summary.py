"""A playbook run in plain words: per play, the actions queued (reached and held out), held back and merged, and
why actions were held back; one rule for the CLI and the Playbooks page."""

from __future__ import annotations

import pandas as pd

from core.export import units
from core.plays.guards import GUARDS
from core.plays.queue import HELD, MERGED, QUEUED, TREATMENT
from core.plays.rules import Guards, Playbook
from core.roi.defaults import CONTROL

#: signal -> (the signals column it reads, what the store lacks when that column is empty for every customer)
NEEDS = {"health_band": ("previous_band", "health band a month earlier to compare with"),
         "health_drop": ("health_drop", "health score a month earlier to compare with"),
         "churn_tier": ("tier", "saved churn model (save one on the Churn drivers page or with python -m core churn "
                                "--save)"),
         "usage_drop": ("usage_change", "usage in both months compared"),
         "not_adopted": ("days_since_signup", "signup dates"),
         "renewal_within": ("days_to_renewal", "renewal dates"),
         "ticket_unresolved": ("oldest_open_ticket_days", "open tickets"),
         "escalation": ("oldest_open_ticket_days", "open tickets"),
         "detractor": ("detractor_days", "dated NPS answer of 0 to 6"),
         "churn_signal": ("churn_signal_days", "dated verbatim with a churn word")}
#: the columns of :func:`by_play`
PLAY_COLUMNS = ["play", "owner", "queued", "reached", "held_out", "held_back", "merged"]


def by_play(queue: pd.DataFrame) -> pd.DataFrame:
    """One row per play, in the book's order: its owner, actions queued (reached + held out), held back, merged."""
    rows = []
    for play, q in queue.groupby("play", sort=False):
        rows.append({"play": play, "owner": q["owner"].iloc[0], "queued": int((q["status"] == QUEUED).sum()),
                     "reached": int((q["arm"] == TREATMENT).sum()), "held_out": int((q["arm"] == CONTROL).sum()),
                     "held_back": int((q["status"] == HELD).sum()), "merged": int((q["status"] == MERGED).sum())})
    return pd.DataFrame(rows, columns=PLAY_COLUMNS)


def held_reasons(queue: pd.DataFrame) -> pd.DataFrame:
    """Why actions were held back, grouped by guard (named in plain words): ``guard, actions``, most first."""
    held = queue.loc[queue["status"] == HELD, "guard"].map(lambda k: GUARDS.get(k, k))
    out = held.value_counts().rename_axis("guard").reset_index(name="actions")
    return out.sort_values(["actions", "guard"], ascending=[False, True], kind="stable").reset_index(drop=True)


def headline(queue: pd.DataFrame, day) -> str:
    """One sentence: the run's day and its actions."""
    q = queue["status"] == QUEUED
    return (f"As of {pd.Timestamp(day):%Y-%m-%d}: {units.count(int(q.sum()))} actions queued "
            f"({units.count(int((queue['arm'] == TREATMENT).sum()))} to reach, "
            f"{units.count(int((queue['arm'] == CONTROL).sum()))} held out at random to measure the plays), "
            f"{units.count(int((queue['status'] == HELD).sum()))} held back by the guards, "
            f"{units.count(int((queue['status'] == MERGED).sum()))} merged into another.")


def recorded_text(run_id: int, queue: pd.DataFrame) -> str:
    """One sentence: the run's number and the contacts it logged for the Intervention ROI page."""
    q = int((queue["status"] == QUEUED).sum())
    if not q:
        return f"Recorded as run {run_id}; it queued no action, so no contact was logged."
    return (f"Recorded as run {run_id}: its {units.count(q)} queued actions are logged as play contacts (both arms), "
            f"which the Intervention ROI page measures.")


def calendar_text(booked: pd.DataFrame, guards: Guards, day) -> str:
    """The calendar's headline: who its gap holds on ``day``, and who is kept out of a play while it is measured."""
    today = pd.Timestamp(day)
    gap = booked[booked["free_from"] > today]
    kept = booked[booked["play_free_from"] > today]
    soonest = f" (the first free on {gap['free_from'].min():%Y-%m-%d})" if len(gap) else ""
    return (f"Outreach calendar as of {today:%Y-%m-%d}: {units.count(len(gap))} customers contacted within the last "
            f"{units.count(guards.gap_days)} days, whom no other play may reach yet{soonest}; "
            f"{units.count(kept['customer_id'].nunique())} held out of a play, kept out of it while it is measured.")


def book_text(book: Playbook) -> str:
    """The playbook in plain words: each trigger (in priority order) and the guards."""
    lines = [f"{i}. {t.name}: when {t.describe()}, {t.play} by {t.owner} on {t.channel}, due in "
             f"{units.count(t.due_days)} days; {units.percent(t.holdout, 0)} held out at random."
             for i, t in enumerate(book.triggers, start=1)]
    g = book.guards
    caps = "".join(f", {units.count(c)} for {s}" for s, c in g.fatigue_by_segment.items())
    lines += ["Guards:",
              f"- at most {units.count(g.fatigue_contacts)} contacts in {units.count(g.fatigue_days)} days{caps};",
              f"- no two contacts within {units.count(g.gap_days)} days;",
              "- nobody whose " + g.opt_out_attribute + " is yes; quiet while "
              + ("a critical ticket is open or " if g.quiet_on_critical_ticket else "") + g.negotiation_attribute
              + " is yes;",
              f"- the channel of {g.channel_attribute} when the customer has one."]
    return "\n".join(lines)


def without_data(book: Playbook, signals: pd.DataFrame) -> list[str]:
    """One sentence per trigger that cannot fire on this store, because its signal has no data for any customer
    (a snapshot has no month before to compare with, a store without tickets no open ticket)."""
    out = []
    for t in book.triggers:
        column, what = NEEDS[t.signal]
        if column not in signals or not signals[column].notna().any():
            out.append(f"{t.name} cannot fire on this store: it has no {what}.")
    return out
