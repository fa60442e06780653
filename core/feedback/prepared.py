"""Verbatims ready to tag and measure: personal data masked, sentiment, the negative flag, churn signals
and the customer's segment, plan and region (built once per store version)."""

from __future__ import annotations

import pandas as pd

from core.errors import NoDataYetError
from core.feedback import verbatims as vb
from core.feedback.inputs import FeedbackInputs

GROUPS = ("segment", "plan", "region")  # customer columns verbatims can be split by


def _signal_words(text: pd.Series) -> pd.Series:
    """The churn-signal words each text names ("" for none)."""
    hit = vb.churn_signal(text)
    words = pd.Series("", index=text.index, dtype=object)
    if hit.any():
        words[hit] = text[hit].map(vb.signal_words)
    return words


def prepare(inputs: FeedbackInputs, progress=None) -> pd.DataFrame:
    """Verbatims ready to tag: personal data masked, sentiment, negative flag, churn signal, segment.

    Parameters
    ----------
    inputs : core.feedback.inputs.FeedbackInputs
    progress : callable, optional
        ``progress(fraction, text)`` is called before each step.

    Returns
    -------
    pandas.DataFrame
        :data:`core.feedback.inputs.VERBATIM_COLUMNS` (``text`` masked, the customer's own name words too)
        plus ``sentiment`` (VADER compound),
        ``tone`` (negative / neutral / positive), ``negative`` (see :func:`core.feedback.verbatims.is_negative`),
        ``signal`` (churn-signal words found, "" if none), and the customer's ``segment, plan, region``
        (``(unknown)`` for an anonymous verbatim).
    """
    v = inputs.verbatims.copy()
    if progress:
        progress(0.1, "Masking personal data ...")
    names = inputs.customers.set_index("customer_id")["name"] if "name" in inputs.customers else None
    v["text"] = vb.mask_names(vb.mask_pii(v["text"]), v["customer_id"], names)
    if progress:
        progress(0.3, "Scoring sentiment ...")
    v["sentiment"] = vb.sentiment(v["text"]).to_numpy()
    v["tone"] = vb.sentiment_label(v["sentiment"]).to_numpy()
    v["negative"] = vb.is_negative(v["sentiment"], v["channel"], v["score"]).to_numpy()
    if progress:
        progress(0.8, "Looking for churn signals ...")
    v["signal"] = _signal_words(v["text"]).to_numpy()
    cust = inputs.customers.set_index("customer_id")
    for col in GROUPS:
        v[col] = v["customer_id"].map(cust[col]).fillna("(unknown)").to_numpy() if len(cust) else "(unknown)"
    return v


def require_verbatims(prepared: pd.DataFrame) -> None:
    """Raise a clear error when there is nothing to analyse.

    Raises
    ------
    core.errors.NoDataYetError
    """
    if prepared.empty:
        raise NoDataYetError("There are no verbatims (texts) in the store: import survey comments, reviews, "
                                    "social posts or tickets with a text column on the Data page.")
