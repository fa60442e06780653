"""The guards that hold an action back, each stated on the action in plain words.

* **consent**: a customer whose opt-out attribute (imported with the customers, :attr:`Guards.opt_out_attribute`)
  is yes is never reached;
* **quiet periods**: while a critical ticket of the customer is open (except for a play a ticket signal started: it
  answers that ticket), or while their renewal-negotiation attribute is yes;
* **the outreach calendar**: no two plays (nor one play twice) reach one customer within :attr:`Guards.gap_days`
  of each other. A customer held out of a play keeps its place in the calendar too (another play reaching only the
  held-out customers would make the arms differ by more than the play), and stays out of that play for the 90 days
  its effect is measured over;
* **the fatigue cap**: at most :attr:`Guards.cap` contacts made (any play; a held-out customer was not contacted)
  in :attr:`Guards.fatigue_days` days, this run's included.

The customer's preferred channel (an attribute) is not a hold: the action takes it, and says so.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.export import units
from core.plays.rules import Guards
from core.roi.defaults import CONTROL, WINDOW_DAYS

YES = {"yes", "y", "true", "1", "t"}
#: guard -> its name in plain words; the queue's ``guard`` column holds the key of the guard that held an action back
GUARDS = {"consent": "consent (opted out)",
          "critical ticket": "quiet period: a critical ticket is open",
          "negotiation": "quiet period: renewal negotiations",
          "holdout": "held out of this play earlier (kept out while measured)",
          "calendar": "outreach calendar (another contact too close)",
          "fatigue": "fatigue cap"}
#: why a guard held an action back: (its key in :data:`GUARDS`, the sentence the action carries)
Hold = tuple[str, str]


def is_yes(value) -> bool:
    """Whether an imported attribute says yes (``True``, 1, "yes", "true", "Y"...)."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    if isinstance(value, bool | int | float):
        return bool(value)
    return str(value).strip().lower() in YES


#: the signals about the customer's tickets: a play they start answers the open ticket, so its quiet period does not
#: hold it back
TICKET_SIGNALS = ("escalation", "ticket_unresolved")


def standing_hold(g: Guards, customer: dict, signal: str = "") -> Hold | None:
    """Why a customer is held back from a play that ``signal`` started (consent, quiet periods), or None.

    ``customer`` holds ``attributes`` (dict) and ``critical_ticket`` (the open critical ticket, or None); a play
    started by a ticket signal (:data:`TICKET_SIGNALS`) is not held back by the ticket's quiet period."""
    attrs = customer.get("attributes") or {}
    if is_yes(attrs.get(g.opt_out_attribute)):
        return "consent", f"Held back: the customer opted out of outreach ({g.opt_out_attribute} = yes)."
    if g.quiet_on_critical_ticket and customer.get("critical_ticket") and signal not in TICKET_SIGNALS:
        return ("critical ticket",
                f"Held back: quiet period while a critical ticket is open ({customer['critical_ticket']}).")
    if is_yes(attrs.get(g.negotiation_attribute)):
        return ("negotiation",
                f"Held back: quiet period during renewal negotiations ({g.negotiation_attribute} = yes).")
    return None


#: one booked contact of a customer: (play, day, arm)
Booked = tuple[str, pd.Timestamp, str]


def calendar_hold(g: Guards, play: str, day: dt.date, booked: list[Booked]) -> Hold | None:
    """Why the calendar holds ``play`` back for a customer with these ``booked`` contacts (made or held out), or
    None: any play booked within ``gap_days`` days before ``day`` (or on it), or this play's holdout within the
    :data:`core.roi.defaults.WINDOW_DAYS` its effect is measured over (a held-out customer reached later would
    measure the play against itself)."""
    today = pd.Timestamp(day)
    kept_out = [b for b in booked if b[0] == play and b[2] == CONTROL
                and today - pd.Timedelta(days=WINDOW_DAYS) < b[1] <= today]
    if kept_out:
        return "holdout", (f"Held back: in this play's holdout since {max(b[1] for b in kept_out):%Y-%m-%d}, kept "
                           f"out for the {units.count(WINDOW_DAYS)} days its effect is measured over.")
    near = [b for b in booked if today - pd.Timedelta(days=g.gap_days) < b[1] <= today] if g.gap_days else []
    if not near:
        return None
    other, when, _ = max(near, key=lambda b: b[1])
    who = "this play" if other == play else other
    return "calendar", (f"Held back: {who} reaches this customer on {when:%Y-%m-%d}, within the "
                        f"{units.count(g.gap_days)}-day gap between two contacts.")


def fatigue_hold(g: Guards, segment, day: dt.date, booked: list[Booked]) -> Hold | None:
    """Why the fatigue cap holds an action back for a customer in ``segment`` with these ``booked`` contacts, or
    None: the contacts made (not held out) in the last ``fatigue_days`` days reach the cap."""
    cap = g.cap(segment)
    today = pd.Timestamp(day)
    made = sum(1 for _, when, arm in booked if arm != CONTROL and today - pd.Timedelta(days=g.fatigue_days) < when
               <= today)
    if made < cap:
        return None
    where = f" for {segment}" if segment in g.fatigue_by_segment else ""
    return "fatigue", (f"Held back: {units.count(made)} contacts in the last {units.count(g.fatigue_days)} days "
                       f"reach the fatigue cap of {units.count(cap)}{where}.")


def channel_for(g: Guards, channel: str, customer: dict) -> tuple[str, str | None]:
    """The channel an action takes and, when the customer's preferred channel replaced the play's, the note."""
    preferred = (customer.get("attributes") or {}).get(g.channel_attribute)
    if preferred is None or not str(preferred).strip() or str(preferred).strip().lower() == channel.lower():
        return channel, None
    preferred = str(preferred).strip()
    return preferred, f"On {preferred}, the customer's preferred channel (the play's is {channel})."
