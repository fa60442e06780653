"""When a ticket counts as escalated: its priority is urgent or critical, or its status says escalated. One definition
for the Service operations page and the playbooks' escalation signal (core.plays.signals)."""

from __future__ import annotations

import pandas as pd

#: ticket priorities and statuses that make a ticket escalated (lower case)
ESCALATED_PRIORITIES, ESCALATED_STATUSES = ("urgent", "critical"), ("escalated",)


def is_escalated(tickets: pd.DataFrame) -> pd.Series:
    """Whether each ticket (``priority`` and ``status`` columns, any case and spacing) is escalated.

    Examples
    --------
    >>> is_escalated(pd.DataFrame({"priority": ["Urgent", "low", None], "status": ["open", " Escalated", None]}))
    0     True
    1     True
    2    False
    dtype: bool
    """
    return (tickets["priority"].astype(str).str.strip().str.lower().isin(ESCALATED_PRIORITIES)
            | tickets["status"].astype(str).str.strip().str.lower().isin(ESCALATED_STATUSES))
