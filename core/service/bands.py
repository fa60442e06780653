"""The bands of each service level: hours to first response and to resolution cut at the help desk's usual targets,
escalated or not, and the tickets' own category, channel and priority."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Level:
    """A service level and how its tickets are banded.

    Attributes
    ----------
    key : str
        The name used by the CLI and the exports (``first_response``).
    title : str
        Plain words for a heading.
    column : str
        The column of :class:`core.service.outcomes.Judged`'s frame it reads.
    edges, labels : tuple
        Hour bands (``edges`` in hours, one more than ``labels``); empty for a column whose values are the bands.
    missing : str
        The band of a ticket without the measure (no response yet, not resolved).
    """

    key: str
    title: str
    column: str
    edges: tuple = ()
    labels: tuple = ()
    missing: str = "unknown"


LEVELS = {level.key: level for level in (
    Level("first_response", "Time to first response", "first_response_hours", (0, 1, 4, 24, np.inf),
          ("under 1 h", "1 to 4 h", "4 to 24 h", "24 h or more"), "no response"),
    Level("resolution", "Time to resolve", "resolve_hours", (0, 24, 72, 168, np.inf),
          ("under 1 day", "1 to 3 days", "3 to 7 days", "7 days or more"), "not resolved"),
    Level("escalation", "Escalated", "escalated"),
    Level("category", "Ticket category", "category"),
    Level("channel", "Ticket channel", "channel"),
)}


def banded(frame: pd.DataFrame, level: Level) -> pd.Series:
    """Each ticket's band of ``level``: an ordered categorical (hour bands in order, then the missing band; other
    levels' values in order of their number of tickets, most first, ties by name).

    Examples
    --------
    >>> banded(pd.DataFrame({"resolve_hours": [2.0, 30.0, None]}), LEVELS["resolution"]).tolist()
    ['under 1 day', '1 to 3 days', 'not resolved']
    """
    values = frame[level.column]
    if level.edges:
        cut = pd.cut(values, list(level.edges), labels=list(level.labels), right=False).astype(object)
        cut = cut.where(values.notna(), level.missing)
        order = [b for b in (*level.labels, level.missing) if (cut == b).any()]
        return pd.Series(pd.Categorical(cut, categories=order, ordered=True), index=frame.index)
    if values.dtype == bool:
        named = values.map({True: "escalated", False: "not escalated"})
        order = [b for b in ("not escalated", "escalated") if (named == b).any()]
        return pd.Series(pd.Categorical(named, categories=order, ordered=True), index=frame.index)
    named = values.astype(str)
    counts = named.value_counts()
    order = sorted(counts.index, key=lambda b: (-counts[b], b))
    return pd.Series(pd.Categorical(named, categories=order, ordered=True), index=frame.index)
