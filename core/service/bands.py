"""The bands of each service level: hours to first response and to resolution cut at the help desk's usual targets,
escalated or not, reopenings, resolved at first contact or not, the effort score the customer gave the ticket, and the
tickets' own category and channel. Reopenings, first contact and effort are measured only when the tickets' import
carried them (:func:`measured`)."""

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
        Bands of a number (``edges``, one more than ``labels``: hours, reopenings, an effort score); empty for a
        column whose values are the bands.
    missing : str
        The band of a ticket without the measure (no response yet, not resolved, no score).
    flags : tuple
        For a yes/no column: ``(value, band)`` pairs in the order shown.
    optional : bool
        Measured only when some ticket has it (a help desk's export may not carry it): :func:`measured`.
    """

    key: str
    title: str
    column: str
    edges: tuple = ()
    labels: tuple = ()
    missing: str = "unknown"
    flags: tuple = ()
    optional: bool = False


LEVELS = {level.key: level for level in (
    Level("first_response", "Time to first response", "first_response_hours", (0, 1, 4, 24, np.inf),
          ("under 1 h", "1 to 4 h", "4 to 24 h", "24 h or more"), "no response"),
    Level("resolution", "Time to resolve", "resolve_hours", (0, 24, 72, 168, np.inf),
          ("under 1 day", "1 to 3 days", "3 to 7 days", "7 days or more"), "not resolved"),
    Level("escalation", "Escalated", "escalated", flags=((False, "not escalated"), (True, "escalated"))),
    Level("reopens", "Reopenings", "reopens", (0, 1, 2, np.inf), ("not reopened", "reopened once",
                                                                 "reopened 2 or more times"), optional=True),
    Level("first_contact", "First-contact resolution", "first_contact", missing="unknown", optional=True,
          flags=((True, "resolved at first contact"), (False, "not at first contact"))),
    Level("effort", "Effort score", "effort", (1, 4, 6, np.inf), ("1 to 3 (hard)", "4 to 5", "6 to 7 (easy)"),
          "no score", optional=True),
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
    if level.flags:
        known = values.notna()
        named = values.where(known, None).map(dict(level.flags)).where(known, level.missing)
        order = [b for b in (*(band for _, band in level.flags), level.missing) if (named == b).any()]
        return pd.Series(pd.Categorical(named, categories=order, ordered=True), index=frame.index)
    named = values.astype(str)
    counts = named.value_counts()
    order = sorted(counts.index, key=lambda b: (-counts[b], b))
    return pd.Series(pd.Categorical(named, categories=order, ordered=True), index=frame.index)


def measured(frame: pd.DataFrame) -> list[str]:
    """The keys of :data:`LEVELS` the judged tickets can be banded by, in order: every level but an optional one
    none of whose tickets has the measure.

    Examples
    --------
    >>> measured(pd.DataFrame({"reopens": [None, 1.0], "first_contact": [None, None], "effort": [None, None]}))
    ['first_response', 'resolution', 'escalation', 'reopens', 'category', 'channel']
    """
    return [key for key, level in LEVELS.items() if not level.optional or frame[level.column].notna().any()]


#: the column each optional level needs in the tickets' import
NEEDS = {"reopens": "reopen counts", "first_contact": "agent replies (or a first-contact flag)",
         "effort": "effort scores (CES)"}


def _listed(words: list[str], last: str) -> str:
    """``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def unmeasured_note(frame: pd.DataFrame) -> str | None:
    """A sentence naming the optional levels no judged ticket has (:func:`measured`) and the columns that would add
    them; None when every level is measured.

    Examples
    --------
    >>> unmeasured_note(pd.DataFrame({"reopens": [1.0], "first_contact": [None], "effort": [None]}))
    "Not measured: first-contact resolution and effort score: the tickets' import has no agent replies (or a \
first-contact flag) or effort scores (CES). Import a help-desk export with them to add these levels."
    """
    left = [key for key in LEVELS if key not in measured(frame)]
    if not left:
        return None
    return (f"Not measured: {_listed([LEVELS[k].title.lower() for k in left], 'and')}: the tickets' import has no "
            f"{_listed([NEEDS[k] for k in left], 'or')}. Import a help-desk export with them to add "
            + ("this level." if len(left) == 1 else "these levels."))
