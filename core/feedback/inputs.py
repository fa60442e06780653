"""What the Feedback themes page reads from the store: verbatims from every channel, survey scores,
customers and MRR, and the window a measure looks at.

:func:`load_inputs` (or :func:`inputs_from_frames`) reads verbatims from survey comments, reviews,
social posts and support tickets into :class:`FeedbackInputs`; :func:`in_window` keeps the rows dated
within a window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from core.errors import NoDataYetError
from core.history import asof
from core.store.dates import datetimes
from core.store.read import load_columns

VERBATIM_COLUMNS = ["vid", "source", "source_id", "customer_id", "date", "channel", "score", "text", "status"]
#: status words (lower case) that mean a follow-up is closed
CLOSED_WORDS = {"closed", "resolved", "done", "completed", "solved", "fixed"}
_PROGRESS = {"in progress", "pending", "in_progress", "working", "assigned", "on hold", "waiting"}


def follow_up_status(raw: pd.Series) -> pd.Series:
    """Normalise a follow-up or ticket status to ``open``, ``in progress`` or ``closed`` (missing: open)."""
    s = raw.astype(object).where(raw.notna(), "").astype(str).str.strip().str.lower()
    return pd.Series(np.where(s.isin(CLOSED_WORDS), "closed", np.where(s.isin(_PROGRESS), "in progress", "open")),
                     index=raw.index, dtype=object)


@dataclass
class FeedbackInputs:
    """What the Feedback themes page reads from the store.

    Attributes
    ----------
    verbatims : pandas.DataFrame
        :data:`VERBATIM_COLUMNS`: one row per text from feedback (surveys, reviews, social ...) and
        tickets; ``vid`` is ``F<id>`` or ``T<id>``; ``status`` normalised by :func:`follow_up_status`.
    surveys : pandas.DataFrame
        ``customer_id, date, channel, score`` of every scored feedback row (with or without text).
    customers : pandas.DataFrame
        ``customer_id, name, segment, plan, region, churn_date``.
    mrr : pandas.Series
        Each customer's MRR in its latest revenue month (index ``customer_id``).
    end : pandas.Timestamp
        The last day the data speaks about.
    """

    verbatims: pd.DataFrame
    surveys: pd.DataFrame
    customers: pd.DataFrame
    mrr: pd.Series
    end: pd.Timestamp


def _with_text(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The rows of ``df`` with a non-blank text, and their ids (``id``, else 1, 2, 3 ... in frame order).

    Ids number every row (as the store does), so they are taken before rows without text drop out.
    """
    all_ids = df["id"] if "id" in df else pd.Series(np.arange(1, len(df) + 1), index=df.index)
    keep = df["text"].notna() & (df["text"].astype(str).str.strip() != "")
    return df[keep], all_ids[keep]


def _status(df: pd.DataFrame) -> pd.Series:
    """:func:`follow_up_status` of the rows' ``status`` column (open when there is none)."""
    return follow_up_status(df["status"] if "status" in df else pd.Series(None, index=df.index))


def _feedback_verbatims(feedback: pd.DataFrame) -> pd.DataFrame:
    """The verbatims of feedback rows (surveys, reviews, social ...) with a text."""
    fb, ids = _with_text(feedback)
    return pd.DataFrame({
        "vid": "F" + ids.astype(str), "source": "feedback", "source_id": ids.astype(np.int64),
        "customer_id": fb["customer_id"], "date": datetimes(fb["date"]),
        "channel": fb["channel"].astype(str).str.lower(), "score": pd.to_numeric(fb["score"], errors="coerce"),
        "text": fb["text"].astype(str), "status": _status(fb)})


def _ticket_verbatims(tickets: pd.DataFrame) -> pd.DataFrame:
    """The verbatims of tickets with a text (dated the day they were opened, scored by their satisfaction)."""
    tk, ids = _with_text(tickets)
    return pd.DataFrame({
        "vid": "T" + ids.astype(str), "source": "ticket", "source_id": ids.astype(np.int64),
        "customer_id": tk["customer_id"], "date": datetimes(tk["opened"]).dt.normalize(),
        "channel": "ticket", "score": pd.to_numeric(tk.get("satisfaction"), errors="coerce"),
        "text": tk["text"].astype(str), "status": _status(tk)})


def _verbatim_frame(feedback: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """:data:`VERBATIM_COLUMNS` of feedback and ticket texts, by date and ``vid``."""
    parts = []
    if len(feedback):
        parts.append(_feedback_verbatims(feedback))
    if len(tickets) and "text" in tickets:
        parts.append(_ticket_verbatims(tickets))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in VERBATIM_COLUMNS}).astype(
            {"date": "datetime64[ns]", "score": float, "source_id": np.int64})
    out = pd.concat(parts, ignore_index=True)
    out["customer_id"] = out["customer_id"].astype(object).where(out["customer_id"].notna(), None)
    return out.sort_values(["date", "vid"], kind="stable").reset_index(drop=True)


def latest_mrr(revenue: pd.DataFrame, day=None) -> pd.Series:
    """Each customer's MRR in its latest revenue month (on or before ``day`` when given), by ``customer_id``."""
    rev = revenue[["customer_id", "period", "mrr"]].copy()
    rev["period"] = datetimes(rev["period"])
    if day is not None:
        rev = rev[rev["period"] <= pd.Timestamp(day)]
    last = rev.sort_values("period", kind="stable").groupby("customer_id", sort=False).tail(1)
    return last.set_index(last["customer_id"].astype(str))["mrr"].astype(float)


def _survey_frame(feedback: pd.DataFrame) -> pd.DataFrame:
    """``customer_id, date, channel, score`` of the scored feedback rows."""
    surveys = feedback.reindex(columns=["customer_id", "date", "channel", "score"]).copy()
    surveys["date"] = datetimes(surveys["date"])
    surveys["channel"] = surveys["channel"].astype(str).str.lower()
    return surveys[pd.to_numeric(surveys["score"], errors="coerce").notna()].astype({"score": float})


def inputs_from_frames(customers: pd.DataFrame, feedback: pd.DataFrame | None = None,
                       tickets: pd.DataFrame | None = None, revenue: pd.DataFrame | None = None) -> FeedbackInputs:
    """:class:`FeedbackInputs` from frames in store column names (for example :func:`core.make_demo`'s).

    Row ids are taken from an ``id`` column when there is one, else 1, 2, 3 ... in frame order
    (the order the store gives rows loaded from these frames).
    """
    if feedback is None:
        feedback = pd.DataFrame(columns=["customer_id", "date", "channel", "score", "text"])
    tickets = pd.DataFrame(columns=["customer_id", "opened", "text"]) if tickets is None else tickets
    cust = customers.reindex(columns=["customer_id", "name", "segment", "plan", "region", "churn_date"]).copy()
    cust["customer_id"] = cust["customer_id"].astype(str)
    cust["churn_date"] = datetimes(cust["churn_date"])
    verb = _verbatim_frame(feedback, tickets)
    surveys = _survey_frame(feedback)
    mrr = pd.Series(dtype=float)
    if revenue is not None and len(revenue):
        mrr = latest_mrr(revenue)
    # the last verbatim, survey answer, churn date or revenue month (signups and usage are not read here)
    end = asof.data_end(cust, revenue=revenue, extra=(verb["date"], surveys["date"]))
    return FeedbackInputs(verb, surveys, cust, mrr, end)


def load_inputs(engine: Engine) -> FeedbackInputs:
    """Read verbatims, survey scores, customers and MRR from the store.

    Raises
    ------
    core.errors.NoDataYetError
        If there are no customers and no feedback at all.
    """
    customers = load_columns(engine, "customer", ["customer_id", "name", "segment", "plan", "region", "churn_date"])
    feedback = load_columns(engine, "feedback", ["id", "customer_id", "date", "channel", "score", "text", "status"])
    tickets = load_columns(engine, "ticket", ["id", "customer_id", "opened", "satisfaction", "status", "text"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    if feedback.empty and tickets["text"].isna().all():
        raise NoDataYetError("There is no feedback yet: import survey answers, reviews or tickets with a text "
                                    "column on the Data page, or load the demo.")
    return inputs_from_frames(customers, feedback, tickets, revenue)


def for_customers(inputs: FeedbackInputs, customer_ids) -> FeedbackInputs:
    """The inputs of these customers only (anonymous verbatims drop out)."""
    keep = set(str(c) for c in customer_ids)
    verb = inputs.verbatims[inputs.verbatims["customer_id"].astype(str).isin(keep)].reset_index(drop=True)
    surveys = inputs.surveys[inputs.surveys["customer_id"].astype(str).isin(keep)]
    customers = inputs.customers[inputs.customers["customer_id"].isin(keep)]
    return FeedbackInputs(verb, surveys, customers, inputs.mrr[inputs.mrr.index.isin(keep)], inputs.end)


def in_window(verb: pd.DataFrame, start=None, end=None) -> np.ndarray:
    """Boolean mask of rows (verbatims, survey answers, follow-up items) dated within [start, end] (None: open)."""
    m = np.ones(len(verb), dtype=bool)
    if start is not None:
        m &= (verb["date"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        m &= (verb["date"] <= pd.Timestamp(end)).to_numpy()
    return m


def undated(verb: pd.DataFrame) -> int:
    """How many rows (verbatims, survey answers) have no date: no date range holds them; an all-dates view does."""
    return int(verb["date"].isna().sum()) if len(verb) else 0


def all_dates_by_default(verb: pd.DataFrame) -> bool:
    """Whether a feedback view opens on all dates rather than a date range: when no verbatim has a date (reviews
    exported without one), a date range could only show nothing."""
    return bool(len(verb)) and undated(verb) == len(verb)
