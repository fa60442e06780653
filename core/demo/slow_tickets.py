"""The demo's slow tickets, with a known effect on churn (``make_demo(..., slow_tickets=True)``; off by default).

Drawn from their own random stream (``default_rng([seed, SLOW_STREAM])``) after everything else: each ticket resolved
:data:`SLOW_HOURS` hours or more after it was opened (the Service operations page's "7 days or more" band of time to
resolve) whose customer would otherwise still be a customer :data:`WINDOW` days after its opening day makes that
customer leave, with probability :data:`LEAVE_SHARE`, on a day drawn from the day after its resolution to the
:data:`WINDOW` - 1 days after its opening (a voluntary churn). A customer with several such tickets leaves on the
earliest of the days drawn.

Every other customer's rows are exactly those of the demo without slow tickets; a customer it made leave loses the
rows dated from its new churn day on (:func:`core.demo.outages.leave`). Tickets still unresolved are left alone:
the demo's churn hazard already counts them (its ``open_tickets`` driver). ``truth["slow_tickets"]`` holds the rule
and, per customer made to leave, its new churn day: a test compares each judged ticket's churn within the window with
and without the effect (the same seed), which is the true effect the page's adjusted gap between the bands estimates.
Off by default because the customers it makes leave move the churn figures of every page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SLOW_STREAM = 14
#: a ticket resolved this many hours or more after its opening is slow (the page's band "7 days or more")
SLOW_HOURS = 168
#: the share of the slow tickets' customers who would have stayed WINDOW days and leave because of it
LEAVE_SHARE = 0.15
#: the window (days after the opening day) the effect acts within
WINDOW = 90


def leavers(seed: int, customers: pd.DataFrame, tickets: pd.DataFrame) -> tuple[pd.Series, dict]:
    """(the new churn day of each customer a slow ticket made leave, index: its row in ``customers``;
    ``truth["slow_tickets"]``)."""
    rng = np.random.default_rng([seed, SLOW_STREAM])
    t = tickets.sort_values(["opened", "ticket_id"], kind="stable")
    day = t["opened"].dt.normalize()
    first_day = t["resolved"].dt.normalize() + pd.Timedelta(days=1)
    last_day = day + pd.Timedelta(days=WINDOW - 1)
    churn = t["customer_id"].map(customers.set_index("customer_id")["churn_date"])
    slow = ((t["resolved"] - t["opened"]) >= pd.Timedelta(hours=SLOW_HOURS)) & (first_day <= last_day)
    stays = churn.isna() | (churn > day + pd.Timedelta(days=WINDOW))
    u, pick = rng.random(len(t)), rng.random(len(t))  # drawn for every ticket: the draws do not hang on the rule
    span = ((last_day - first_day).dt.days + 1).where(slow, 1).to_numpy()
    when = first_day + pd.to_timedelta(np.floor(pick * span), unit="D")
    leave = slow & stays & (u < LEAVE_SHARE)
    gone = when[leave].groupby(t.loc[leave, "customer_id"]).min()
    rows = pd.Series(customers.index, index=customers["customer_id"]).reindex(gone.index)
    leaves = pd.Series(gone.to_numpy().astype("datetime64[s]"), index=rows.to_numpy())
    truth = {"hours": SLOW_HOURS, "leave_share": LEAVE_SHARE, "window_days": WINDOW, "slow": int(slow.sum()),
             "made_to_leave": {str(c): str(d.date()) for c, d in gone.items()}}
    return leaves, truth
