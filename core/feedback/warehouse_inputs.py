"""What the Feedback themes page reads, from a company's warehouse (:mod:`core.query.warehouse`): the texts of its
survey answers, reviews and tickets (the mapping's ``text`` of ``[feedback]`` and ``[tickets]``), its survey
scores, its customers and each customer's latest MRR, as :class:`~core.feedback.inputs.FeedbackInputs` built by
the store's own rule (:func:`core.feedback.inputs.inputs_from_frames`). Nothing is written to the warehouse.

Tagging, sentiment and churn signals read the words, so the texts come to Python, as a store's do. A verbatim's id
is ``F<id>`` or ``T<id>`` from the mapped ``id``; without one, rows are numbered 1, 2, 3 ... in the order of their
customer, date and text, so the same table always gives the same ids.
"""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd

from core.errors import NoDataYetError
from core.feedback.inputs import FeedbackInputs, inputs_from_frames
from core.history.warehouse_inputs import warehouse_customers
from core.query.sources import Source
from core.query.warehouse import answered
from core.store.dates import datetimes

#: the columns read of each table (those its mapping names; the rest empty)
FEEDBACK = ["id", "customer_id", "date", "channel", "score", "text", "status"]
TICKETS = ["id", "customer_id", "opened", "satisfaction", "status", "text"]
CUSTOMERS = ["customer_id", "name", "segment", "plan", "region", "churn_date"]
NO_TEXT = ("The mapping file names no text for the Feedback themes page: add text = \"...\" (the column holding "
           "the comment or review) to [feedback], or the ticket's description to [tickets] (see the README's worked "
           "mapping).")
NO_VERBATIMS = ("The warehouse holds no text in the columns the mapping names ([feedback] text, [tickets] text): "
                "check those columns.")


@answered
def warehouse_feedback_inputs(source: Source) -> FeedbackInputs:
    """:class:`~core.feedback.inputs.FeedbackInputs` of the warehouse ``source``.

    Raises
    ------
    NoDataYetError
        Neither [feedback] nor [tickets] maps a text, or no row has one.
    EngineError
        The warehouse failed to answer (:func:`core.query.warehouse.answered`).
    """
    if not maps_text(source):
        raise NoDataYetError(NO_TEXT)
    feedback = _numbered(_read(source, source.feedback, FEEDBACK), "date")
    tickets = _numbered(_read(source, source.tickets, TICKETS), "opened")
    if not (_has_text(feedback) or _has_text(tickets)):
        raise NoDataYetError(NO_VERBATIMS)
    feedback["date"] = datetimes(feedback["date"]).astype("datetime64[ns]")
    feedback["channel"] = feedback["channel"].astype("string").str.lower().astype(object)
    tickets["opened"] = datetimes(tickets["opened"]).astype("datetime64[ns]")
    customers = warehouse_customers(source).reindex(columns=CUSTOMERS)
    return inputs_from_frames(customers, feedback, tickets, _revenue(source))


def maps_text(source: Source) -> bool:
    """Whether the warehouse's mapping names a text ([feedback] or [tickets] ``text``): its verbatims can be read."""
    return any(t is not None and "text" in t.columns for t in (source.feedback, source.tickets))


def _read(source: Source, table: ir.Table | None, columns: list[str]) -> pd.DataFrame:
    """``columns`` of a mapped table (those it does not map: empty); an empty frame when none is mapped."""
    if table is None:
        return pd.DataFrame(columns=columns)
    return source.con.execute(table.select(*[c for c in columns if c in table.columns])).reindex(columns=columns)


def _numbered(frame: pd.DataFrame, day: str) -> pd.DataFrame:
    """The rows in the order of their ids; without ids, numbered 1, 2, 3 ... in the order of customer, day and text
    (a warehouse returns rows in any order)."""
    if frame["id"].notna().all():
        return frame.sort_values("id", kind="stable").reset_index(drop=True)
    frame = frame.sort_values(["customer_id", day, "text"], kind="stable", na_position="last").reset_index(drop=True)
    return frame.assign(id=range(1, len(frame) + 1))


def _has_text(frame: pd.DataFrame) -> bool:
    return bool((frame["text"].notna() & (frame["text"].astype(str).str.strip() != "")).any())


def _revenue(source: Source) -> pd.DataFrame | None:
    """``customer_id, period, mrr`` of the warehouse's recurring revenue (None without a [revenue] table)."""
    if source.revenue is None:
        return None
    frame = source.con.execute(source.revenue.select("customer_id", "period", "mrr"))
    frame["period"] = datetimes(frame["period"]).astype("datetime64[ns]")
    return frame
