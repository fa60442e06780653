"""The customers of one cohort cell as a readable table: the columns an analyst reads (id, name, the days that
start and end a customer, its groups, retained or not), days as ``YYYY-MM-DD``, empty cells blank, columns
empty for every customer left out (a purchase log has no churn days), and a signup day equal to the first activity
for every customer said once."""

from __future__ import annotations

import pandas as pd

from core.store.dates import datetimes

#: shown column -> its title on the page, in the order shown
CELL_TITLES = {"customer_id": "id", "name": "name", "signup_date": "signup day", "first_activity": "first activity",
               "last_activity": "last activity", "churn_date": "churn day", "segment": "segment", "plan": "plan",
               "region": "region", "channel": "channel"}
#: columns that hold a day
DAYS = ("signup_date", "first_activity", "last_activity", "churn_date")


def _text(values: pd.Series, day: bool) -> pd.Series:
    if day:
        return datetimes(values, errors="coerce").dt.strftime("%Y-%m-%d").fillna("")
    return values.astype(object).where(values.notna(), "").astype(str)


def readable_cell(people: pd.DataFrame) -> pd.DataFrame:
    """``people`` (a cell's customers with ``retained``, as :func:`core.cohorts.table.cell_customers` returns, plus
    ``first_activity``/``last_activity`` days when known) as text columns, blank where empty.

    Parameters
    ----------
    people : pandas.DataFrame
        One row per customer; columns not in :data:`CELL_TITLES` (attributes, import ids) are left out.

    Returns
    -------
    pandas.DataFrame
        ``customer_id`` first, then the non-empty columns of :data:`CELL_TITLES`, then ``retained`` (bool).

    Examples
    --------
    >>> df = pd.DataFrame({"customer_id": ["a"], "name": [None], "churn_date": [pd.NaT],
    ...                    "first_activity": [pd.Timestamp("1997-01-03")], "retained": [True]})
    >>> readable_cell(df).to_dict("records")
    [{'customer_id': 'a', 'first_activity': '1997-01-03', 'retained': True}]
    """
    out = pd.DataFrame(index=people.index)
    for col in CELL_TITLES:
        if col not in people.columns:
            continue
        if col != "customer_id" and not people[col].notna().any():
            continue  # empty for every customer: nothing to read
        out[col] = _text(people[col], col in DAYS)
    if "signup_date" in out and "first_activity" in out and out["signup_date"].equals(out["first_activity"]):
        out = out.drop(columns="signup_date")  # a purchase log's signup is its first purchase: said once
    out["retained"] = people["retained"].astype(bool)
    return out.reset_index(drop=True)
