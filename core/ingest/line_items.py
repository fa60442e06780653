"""Line-item logs (kind ``transactions``): the amount of a line, and which lines are returns.

* **Derived amount.** A line-item export (an online shop's invoice lines) often has no line total, only a
  quantity and a unit price. Then the amount is quantity x unit price: :func:`derive_amount` adds that column to
  the file as read (so the plan's preview and the report show it under its own name) and maps ``amount`` to it.
  A unit price is never taken for the amount (it understated the public retail log's revenue 5.9x).
* **Returns.** A line is a return when its quantity or amount is negative, when its invoice is marked as
  cancelled (an id such as ``C536379`` in a file whose other ids are plain numbers), or when its status says
  cancelled, refunded, returned, voided, reversed or charged back. :func:`mark_returns` gives ``typed`` an
  ``is_return`` flag and makes a return's amount and quantity negative, so it lowers net revenue; the store keeps
  it as a revenue row with ``is_return`` set and never as a purchase (:mod:`core.ingest.store_rows`).
* :func:`notes` are the plan's summary lines: the amount was derived; how many returns, and how much.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.export import units
from core.ingest import fields as F
from core.ingest.reader import RawTable

#: words of a status that means the line was cancelled or given back
RETURN_WORDS = r"\b(?:cancel\w*|refund\w*|return\w*|void\w*|revers\w*|charge ?back\w*|credited|credit note)\b"
#: a cancelled invoice's id: "C" then digits (the public online-retail log's convention)
_CANCELLED_ID = r"^[Cc]\d+$"


def derive_amount(raw: RawTable, kind: str, used: dict[str, str]) -> str | None:
    """Map ``amount`` to a new column quantity x unit price when ``kind`` is transactions with no amount column.

    The column (named after both source columns, e.g. ``amount (Quantity x UnitPrice)``) is added to
    ``raw.frame`` as text in the file's decimal mark; a blank quantity counts as 1, a blank or unreadable price
    leaves the amount blank (reported as a missing amount).

    Parameters
    ----------
    raw : RawTable
        The file as read; gains the derived column.
    kind : str
        The import kind; only ``transactions`` derives.
    used : dict
        field -> column; gains ``amount`` when derived.

    Returns
    -------
    str or None
        The derived column's name, or None when nothing was derived.
    """
    if kind != "transactions" or "amount" in used or not {"quantity", "unit_price"} <= set(used):
        return None
    decimal = raw.details.get("decimal", ".")
    qty, _ = F.to_numbers(raw.frame[used["quantity"]], decimal)
    price, _ = F.to_numbers(raw.frame[used["unit_price"]], decimal)
    amount = qty.fillna(1.0) * price
    text = amount.astype(str).where(amount.notna(), None)
    if decimal == ",":
        text = text.str.replace(".", ",", regex=False)
    name = f"amount ({used['quantity']} x {used['unit_price']})"
    while name in raw.frame.columns:
        name = "_" + name
    raw.frame[name] = text.astype(object)
    used["amount"] = name
    return name


def cancelled_ids(order_id: pd.Series) -> pd.Series:
    """Ids that mark a cancelled invoice: ``C`` then digits, in a file whose other ids are mostly plain numbers
    (so an order id such as ``CA-2016-152156`` is never taken for a cancellation)."""
    codes, uniques = pd.factorize(order_id)  # an invoice has many lines: test each id once
    ids = pd.Series(uniques, dtype=object).astype(str).str.strip()
    marked = ids.str.match(_CANCELLED_ID).to_numpy(dtype=bool)
    others = ids[~marked].iloc[:5000]
    if not marked.any() or (len(others) and others.str.fullmatch(r"\d+").mean() < 0.5):
        return pd.Series(False, index=order_id.index)
    return pd.Series(np.where(codes >= 0, marked[codes], False), index=order_id.index)


def status_means_return(status: pd.Series) -> pd.Series:
    """A status that says cancelled, refunded, returned, voided, reversed or charged back (any spelling)."""
    words = status.astype(str).str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True)
    return words.str.contains(RETURN_WORDS, regex=True).fillna(False).astype(bool) & status.notna()


def mark_returns(kind: str, typed: dict[str, pd.Series]) -> None:
    """Give a transactions file's ``typed`` fields an ``is_return`` flag; a return's amount and quantity negative.

    Other kinds are left alone.
    """
    if kind != "transactions" or "customer_id" not in typed:
        return
    ret = pd.Series(False, index=typed["customer_id"].index)
    for f in ("quantity", "amount"):
        if f in typed:
            ret |= (typed[f] < 0).fillna(False).astype(bool)
    if "order_id" in typed:
        ret |= cancelled_ids(typed["order_id"])
    if "status" in typed:
        ret |= status_means_return(typed["status"])
    for f in ("quantity", "amount"):
        if f in typed:
            typed[f] = typed[f].where(~ret, -typed[f].abs())
    typed["is_return"] = ret


def returns_of(kind: str, typed: dict[str, pd.Series], valid: np.ndarray) -> tuple[int, float]:
    """How many of the valid rows are returns, and their amount in total (0 and 0.0 for other kinds)."""
    if kind != "transactions" or "is_return" not in typed:
        return 0, 0.0
    ret = typed["is_return"].to_numpy(dtype=bool) & valid
    total = float(typed["amount"].to_numpy(dtype="float64")[ret].sum()) if "amount" in typed else 0.0
    return int(ret.sum()), total


def notes(kind: str, typed: dict[str, pd.Series], valid: np.ndarray, derived: str | None,
          returns: tuple[int, float] | None = None) -> list[str]:
    """The plan's summary lines about line items: the derived amount, and the returns among the valid rows
    (``returns``: their count and amount when already counted, as over the chunks of a long file)."""
    if kind != "transactions":
        return []
    out = []
    if derived is not None:
        out.append(f"amount derived as quantity x unit price (column '{derived}'); the file has no line total")
    n, total = returns if returns is not None else returns_of(kind, typed, valid)
    if n:
        out.append(f"{units.count(n)} return lines (negative, cancelled or refunded), "
                   f"{units.money(total, decimals=2)} in total: stored as returns, they lower net revenue "
                   "and never count as purchases")
    return out
