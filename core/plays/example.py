"""The example playbook: the README's (Playbooks section), which the Playbooks page offers until the store has one
saved and previews on the store's data. Four triggers over the signals most stores have (health, usage, tickets,
NPS) and the default guards with a larger fatigue cap for Enterprise."""

from __future__ import annotations

from core.plays.rules import Playbook, parse

EXAMPLE = {"triggers": [
    {"name": "Health turned red", "signal": "health_band", "bands": ["red"], "play": "Rescue call",
     "owner": "Customer success", "channel": "phone", "due_days": 7, "holdout": 0.15},
    {"name": "Usage falling", "signal": "usage_drop", "percent": 30, "play": "Adoption email",
     "owner": "Product", "channel": "email"},
    {"name": "Escalated ticket", "signal": "escalation", "play": "Executive sponsor call",
     "owner": "Leadership", "channel": "meeting"},
    {"name": "Detractor", "signal": "detractor", "days": 30, "play": "Detractor call",
     "owner": "Customer success", "channel": "phone"}],
    "guards": {"fatigue_contacts": 2, "fatigue_days": 30, "fatigue_by_segment": {"Enterprise": 3}, "gap_days": 14}}


def example() -> Playbook:
    """:data:`EXAMPLE`, checked."""
    return parse(EXAMPLE)
