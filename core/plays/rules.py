"""Triggers and guards of the playbooks: the rules that turn a signal into an action, as a JSON file and the
Playbooks page define them, checked once here so every surface reads the same rules.

A **trigger** names a signal, its threshold and the play it starts::

    {"name": "Health turned red", "signal": "health_band", "bands": ["red"], "play": "Rescue call",
     "owner": "Customer success", "channel": "phone", "due_days": 7, "holdout": 0.15}

The signals (:data:`SIGNALS`, each with the parameters it takes) are those the store has: a health band crossed or
a score drop of N points, a churn-risk tier, usage falling by N %, a feature not adopted N days after signup, a
renewal within N days, tickets unresolved past N days or an escalation, a detractor answer, a churn-signal verbatim.
A trigger's order in the file is its priority: when guards let only some plays through, the earlier ones go first.

The **guards** (:class:`Guards`) hold actions back: a fatigue cap across all plays (at most K contacts in D days,
per segment if set), a calendar gap between two plays reaching one customer, quiet periods (an open critical
ticket, a customer attribute marking renewal negotiations) and the customer's consent (an attribute imported with
the customers). Each one held back says why (:mod:`core.plays.guards`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from core.errors import DataValidationError
from core.roi.defaults import HOLDOUT_SHARE

#: signal -> (its parameters and their kinds, what it says in plain words with them)
SIGNALS: dict[str, tuple[dict[str, type], str]] = {
    "health_band": ({"bands": list}, "the health band turns {bands}"),
    "health_drop": ({"points": float}, "the health score falls {points} points or more"),
    "churn_tier": ({"tiers": list}, "churn risk is {tiers}"),
    "usage_drop": ({"percent": float}, "usage falls by {percent} % or more"),
    "not_adopted": ({"feature": str, "days": int}, "{feature} is not used {days} days after signup"),
    "renewal_within": ({"days": int}, "the renewal is within {days} days"),
    "ticket_unresolved": ({"days": int}, "a ticket stays unresolved {days} days or more"),
    "escalation": ({}, "an open ticket is escalated"),
    "detractor": ({"days": int}, "a detractor answer (0-6) came in the last {days} days"),
    "churn_signal": ({"days": int}, "a verbatim with a churn signal came in the last {days} days"),
}
#: the keys every trigger has beside its signal's parameters
COMMON = ("name", "signal", "play", "owner", "channel", "due_days", "holdout")
#: a holdout share's denominator at most this (15 % is 3 in every block of 20)
MAX_BLOCK = 100


@dataclass(frozen=True)
class Trigger:
    """One rule: when ``signal`` fires with ``params``, queue ``play`` for the customer, for ``owner`` on
    ``channel``, due ``due_days`` after the run, with ``holdout`` of the customers held out at random."""

    name: str
    signal: str
    play: str
    owner: str
    channel: str
    params: dict = field(default_factory=dict)
    due_days: int = 7
    holdout: float = HOLDOUT_SHARE

    @property
    def block(self) -> tuple[int, int]:
        """(held out, block size) of the permuted blocks: 0.15 is (3, 20)."""
        share = Fraction(self.holdout).limit_denominator(MAX_BLOCK)
        return share.numerator, share.denominator

    def describe(self) -> str:
        """The trigger's condition in plain words, to follow "when"."""
        words = {k: ", ".join(v) if isinstance(v, list) else f"{v:g}" if isinstance(v, float) else v
                 for k, v in self.params.items()}
        return SIGNALS[self.signal][1].format(**words)

    def to_dict(self) -> dict:
        out = asdict(self)
        return {**{k: out[k] for k in COMMON}, **out["params"]}


@dataclass(frozen=True)
class Guards:
    """What holds an action back. ``fatigue_contacts`` in ``fatigue_days`` across all plays (``fatigue_by_segment``:
    segment -> its own cap); ``gap_days`` between two plays reaching one customer; quiet while a critical ticket is
    open or while the customer attribute ``negotiation_attribute`` is yes; never a customer whose
    ``opt_out_attribute`` is yes; ``channel_attribute`` names the customer's preferred channel."""

    fatigue_contacts: int = 2
    fatigue_days: int = 30
    fatigue_by_segment: dict = field(default_factory=dict)
    gap_days: int = 14
    quiet_on_critical_ticket: bool = True
    negotiation_attribute: str = "renewal_negotiation"
    opt_out_attribute: str = "opt_out"
    channel_attribute: str = "preferred_channel"

    def cap(self, segment) -> int:
        """The fatigue cap of a customer in ``segment``."""
        return int(self.fatigue_by_segment.get(segment, self.fatigue_contacts))


@dataclass(frozen=True)
class Playbook:
    """The triggers, in priority order, and the guards."""

    triggers: tuple[Trigger, ...]
    guards: Guards = Guards()

    def to_dict(self) -> dict:
        return {"triggers": [t.to_dict() for t in self.triggers], "guards": asdict(self.guards)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=False)


def parse(data: dict) -> Playbook:
    """The playbook of ``data`` (the JSON file's object), checked: every problem is one plain line naming the trigger
    and the key, raised as :class:`core.errors.DataValidationError`."""
    if not isinstance(data, dict) or not isinstance(data.get("triggers"), list) or not data["triggers"]:
        raise DataValidationError('A playbook is an object with "triggers": a list of at least one trigger.')
    triggers = tuple(_trigger(i, t) for i, t in enumerate(data["triggers"], start=1))
    names = [t.name for t in triggers]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataValidationError(f"Two triggers are called {repeated[0]!r}: give each its own name.")
    for t in triggers:
        other = next(o for o in triggers if o.play == t.play)
        if other.holdout != t.holdout:
            raise DataValidationError(f"Triggers {other.name!r} and {t.name!r} start the play {t.play!r} with "
                                      f"different holdout shares ({other.holdout:g} and {t.holdout:g}): a play has "
                                      f"one holdout share, so give both the same.")
    return Playbook(triggers, _guards(data.get("guards") or {}))


def parse_json(text: str) -> Playbook:
    """:func:`parse` of a JSON text; malformed JSON is one plain line with its line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataValidationError(f"The playbook is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}.") \
            from None
    return parse(data)


def _trigger(i: int, t) -> Trigger:
    if not isinstance(t, dict):
        raise DataValidationError(f"Trigger {i} must be an object with a name, a signal and a play.")
    where = f"Trigger {i} ({t.get('name')!r})" if t.get("name") else f"Trigger {i}"
    for key in ("name", "signal", "play", "owner", "channel"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            raise DataValidationError(f"{where} needs {key!r}: a text such as {_EXAMPLE[key]!r}.")
    if t["signal"] not in SIGNALS:
        raise DataValidationError(f"{where} names the signal {t['signal']!r}: use one of {', '.join(SIGNALS)}.")
    kinds = SIGNALS[t["signal"]][0]
    unknown = sorted(set(t) - set(COMMON) - set(kinds))
    if unknown:
        raise DataValidationError(f"{where} has {unknown[0]!r}, which its signal {t['signal']!r} does not take"
                                  f" (it takes {', '.join(kinds) or 'no parameter'}).")
    params = {k: _param(where, k, kind, t.get(k)) for k, kind in kinds.items()}
    due = _whole(where, "due_days", t.get("due_days", 7), low=0)
    share = t.get("holdout", HOLDOUT_SHARE)
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
        raise DataValidationError(f"{where}: 'holdout' is the share of customers held out, above 0 and below 1 "
                                  f"(0.15 holds out 15 %), not {share!r}.")
    return Trigger(t["name"].strip(), t["signal"], t["play"].strip(), t["owner"].strip(), t["channel"].strip(),
                   params, due, float(share))


_EXAMPLE = {"name": "Health turned red", "signal": "health_band", "play": "Rescue call",
            "owner": "Customer success", "channel": "phone"}


def _param(where: str, key: str, kind: type, value):
    if value is None:
        raise DataValidationError(f"{where} needs {key!r} for its signal.")
    if kind is list:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
            raise DataValidationError(f"{where}: {key!r} is a list of names, such as [\"red\"].")
        return [v.strip() for v in items]
    if kind is str:
        if not isinstance(value, str) or not value.strip():
            raise DataValidationError(f"{where}: {key!r} is a name, such as \"reports\".")
        return value.strip()
    if kind is int:
        return _whole(where, key, value, low=1)  # every whole parameter is a number of days
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        raise DataValidationError(f"{where}: {key!r} is a number above 0 and at most 100, not {value!r}.")
    return float(value)


def _whole(where: str, key: str, value, low: int, unit: str = "days") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise DataValidationError(f"{where}: {key!r} is a whole number of {unit}, at least {low}, not {value!r}.")
    return value


def _guards(g: dict) -> Guards:
    if not isinstance(g, dict):
        raise DataValidationError('"guards" is an object such as {"fatigue_contacts": 2, "fatigue_days": 30}.')
    known = set(Guards.__dataclass_fields__)
    unknown = sorted(set(g) - known)
    if unknown:
        raise DataValidationError(f"The guards have {unknown[0]!r}: use {', '.join(sorted(known))}.")
    out = Guards(**g)
    _whole("The guards", "fatigue_contacts", out.fatigue_contacts, low=0, unit="contacts")
    _whole("The guards", "fatigue_days", out.fatigue_days, low=1)
    _whole("The guards", "gap_days", out.gap_days, low=0)
    if not isinstance(out.fatigue_by_segment, dict):
        raise DataValidationError('The guards\' "fatigue_by_segment" maps a segment to its cap: {"SMB": 1}.')
    for segment, cap in out.fatigue_by_segment.items():
        _whole("The guards", f"fatigue_by_segment[{segment!r}]", cap, low=0, unit="contacts")
    return out
