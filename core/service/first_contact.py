"""When a ticket counts as resolved at first contact: the help desk's own yes/no where its export carries one;
otherwise a ticket resolved with at most one agent reply and never reopened (Zendesk's one-touch ticket), known only
when its replies are. One definition for the Service operations page, its CLI and the glossary."""

from __future__ import annotations

import pandas as pd

#: a ticket resolved with at most this many agent replies, and never reopened, was resolved at first contact
ONE_TOUCH = 1


def flags(values) -> pd.Series:
    """A yes/no column as the store returns it (True/False, 1/0, None) as a nullable boolean Series."""
    s = pd.Series(values)
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    known = s.notna()
    out[known] = s[known].astype(float) != 0
    return out


def resolved_at_first_contact(tickets: pd.DataFrame) -> pd.Series:
    """Each ticket's first-contact resolution (nullable boolean) from ``first_contact``, ``replies``, ``reopens``
    and ``resolved``: the flag when given, else from the replies, else unknown.

    Examples
    --------
    >>> t = pd.DataFrame({"first_contact": [None, None, None, None, False],
    ...                   "replies": [1.0, 1.0, 2.0, None, 1.0], "reopens": [0.0, 1.0, None, None, 0.0],
    ...                   "resolved": pd.to_datetime(["2024-01-02"] * 5)})
    >>> resolved_at_first_contact(t).tolist()
    [True, False, False, <NA>, False]
    """
    given = flags(tickets["first_contact"])
    replies = pd.to_numeric(tickets["replies"], errors="coerce")
    reopened = pd.to_numeric(tickets["reopens"], errors="coerce").fillna(0) > 0
    one_touch = tickets["resolved"].notna() & (replies <= ONE_TOUCH) & ~reopened
    derived = pd.Series(pd.NA, index=tickets.index, dtype="boolean")
    derived[replies.notna()] = one_touch[replies.notna()]
    return given.fillna(derived)
