"""Survey scores (NPS, CSAT, CES) of the answers within a window: the headline figures and the table split
by a customer column."""

from __future__ import annotations

import pandas as pd

from core.feedback import verbatims as vb
from core.feedback.inputs import FeedbackInputs, in_window


def survey_scores(inputs: FeedbackInputs, *, freq: str = "Q", by: str | None = "segment", start=None,
                  end=None) -> pd.DataFrame:
    """:func:`core.feedback.verbatims.score_table` of the window's answers, split by a customer column
    (see :data:`core.feedback.prepared.GROUPS`)."""
    s = inputs.surveys
    s = s[in_window(s, start, end)]
    if by:
        s = s.assign(**{by: s["customer_id"].astype(str).map(inputs.customers.set_index("customer_id")[by])})
    return vb.score_table(s, freq=freq, by=by)


def headline_scores(inputs: FeedbackInputs, *, start=None, end=None) -> dict[str, tuple[float, float, float, int]]:
    """NPS, CSAT and CES of every answer in the window: metric -> (value, low, high, n)."""
    s = inputs.surveys[in_window(inputs.surveys, start, end)]
    return {m: fn(s.loc[s["channel"] == chan, "score"]) for m, (chan, fn) in vb.SCORES.items()}
