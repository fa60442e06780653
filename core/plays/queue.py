"""A playbook run: the triggers that fire (:mod:`core.plays.fire`) become an action queue, each action guarded
(:mod:`core.plays.guards`) and, when it passes, drawn into its play's treatment or holdout arm
(:mod:`core.plays.holdout`).

Plays go in the order of their first trigger (the book's priority). For each play: a customer whom several
triggers send to it gets one action (the first trigger's; the others' reasons are kept beside it, "merged"); an
action still open from an earlier run for the same customer, play and trigger is not queued again; the guards
hold back what they must; the rest are drawn into arms, permuted blocks within risk tier. What a play books (made
or held out) counts in the calendar of the plays after it, and what it makes counts in their fatigue cap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.plays import guards as g
from core.plays.fire import ACTION_COLUMNS, fire
from core.plays.holdout import draw
from core.plays.rules import Playbook
from core.roi.defaults import CONTROL

TREATMENT = "treatment"
QUEUED, HELD, MERGED = "queued", "held back", "merged"
QUEUE_COLUMNS = [*ACTION_COLUMNS, "status", "guard", "held_back", "arm", "note", "merged"]


@dataclass(frozen=True)
class Context:
    """What the guards read besides the signals.

    Attributes
    ----------
    customers : dict
        customer id -> ``{"attributes": dict, "critical_ticket": id or None}`` (a customer missing is neither opted
        out nor quiet).
    history : pandas.DataFrame
        Earlier contacts: ``customer_id, play, date, arm`` (``holdout`` for one held out).
    open_actions : pandas.DataFrame or None
        Actions still open from earlier runs: ``customer_id, play, trigger``.
    """

    customers: dict
    history: pd.DataFrame
    open_actions: pd.DataFrame | None = None


def run(book: Playbook, signals: pd.DataFrame, day: dt.date, context: Context, seed: int = 0) -> pd.DataFrame:
    """The queue of ``book`` on ``signals`` as of ``day``: :data:`QUEUE_COLUMNS`, one row per fired action, with its
    ``status`` (queued, held back, merged), the ``guard`` that held it back (a key of
    :data:`core.plays.guards.GUARDS`), why it was held back or merged, its ``arm`` (treatment or holdout, for a
    queued action) and a ``note`` when the customer's preferred channel replaced the play's."""
    actions = fire(book, signals, day)
    booked = _booked(context.history)
    plays = list(dict.fromkeys(actions["play"]))
    parts = [_play(book, actions[actions["play"] == p], day, context, booked, seed) for p in plays]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in QUEUE_COLUMNS})
    return pd.concat(parts, ignore_index=True)[QUEUE_COLUMNS]


def _booked(history: pd.DataFrame) -> dict[str, list[g.Booked]]:
    out: dict[str, list[g.Booked]] = {}
    if history is None or not len(history):
        return out
    days = pd.to_datetime(history["date"])
    for cid, play, when, arm in zip(history["customer_id"].astype(str), history["play"], days, history["arm"],
                                    strict=True):
        out.setdefault(cid, []).append((str(play), when, str(arm)))
    return out


def _open_keys(context: Context) -> set[tuple[str, str, str]]:
    o = context.open_actions
    if o is None or not len(o):
        return set()
    return set(zip(o["customer_id"].astype(str), o["play"].astype(str), o["trigger"].astype(str), strict=True))


def _play(book: Playbook, acts: pd.DataFrame, day, context: Context, booked: dict, seed: int) -> pd.DataFrame:
    acts = acts.reset_index(drop=True)
    n = len(acts)
    out = {"status": [QUEUED] * n, "guard": [None] * n, "held_back": [None] * n, "note": [None] * n,
           "merged": [None] * n, "channel": acts["channel"].tolist()}
    first = ~acts["customer_id"].duplicated()
    _merge_repeats(acts, first, out)
    opened = _open_keys(context)
    signal_of = {t.name: t.signal for t in book.triggers}
    rows = acts[["customer_id", "play", "trigger", "segment"]].to_numpy(object)
    for i in np.flatnonzero(first.to_numpy()):
        cid, play, trigger, segment = rows[i]
        if (cid, play, trigger) in opened:
            out["status"][i], out["held_back"][i] = MERGED, "Already in the queue from an earlier run."
            continue
        customer = context.customers.get(cid, {})
        mine = booked.get(cid, [])
        why = (g.standing_hold(book.guards, customer, signal_of[trigger])
               or g.calendar_hold(book.guards, play, day, mine) or g.fatigue_hold(book.guards, segment, day, mine))
        if why:
            out["status"][i], (out["guard"][i], out["held_back"][i]) = HELD, why
            continue
        out["channel"][i], out["note"][i] = g.channel_for(book.guards, out["channel"][i], customer)
    acts = acts.assign(**out, arm=None)
    _draw_arms(book, acts, day, seed)
    for cid, arm in zip(acts["customer_id"], acts["arm"], strict=True):
        if arm is not None:
            booked.setdefault(cid, []).append((acts["play"].iloc[0], pd.Timestamp(day), arm))
    return acts


def _merge_repeats(acts: pd.DataFrame, first: pd.Series, out: dict) -> None:
    """A customer's second trigger to the same play: merged into the first, its reason kept on both."""
    lead_of = {cid: i for i, cid in zip(np.flatnonzero(first.to_numpy()), acts["customer_id"][first], strict=True)}
    for i in np.flatnonzero(~first.to_numpy()):
        lead = lead_of[acts["customer_id"].iat[i]]
        out["status"][i], out["held_back"][i] = MERGED, f"Merged into the action of {acts['trigger'].iat[lead]}."
        also = f"{acts['trigger'].iat[i]}: {acts['reason'].iat[i]}"
        before = out["merged"][lead]
        out["merged"][lead] = also if before is None else f"{before}; {also}"


def _draw_arms(book: Playbook, acts: pd.DataFrame, day, seed: int) -> None:
    queued = acts["status"] == QUEUED
    if not queued.any():
        return
    trigger = next(t for t in book.triggers if t.play == acts["play"].iloc[0])
    held, size = trigger.block
    out = draw(acts.loc[queued, "customer_id"], acts.loc[queued, "tier"], held, size, seed=seed,
               play=trigger.play, day=day)
    acts.loc[queued, "arm"] = np.where(out.to_numpy(), CONTROL, TREATMENT)
