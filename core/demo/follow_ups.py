"""When each verbatim's follow-up happened: the day the customer was first followed up, the day it was closed, and
how often it was reopened, drawn from their own random stream (``default_rng([seed, FOLLOW_UP_STREAM])``) after every
other table, so adding them moved no other figure.

A verbatim in progress or closed was followed up a few days after it was given (a lognormal delay, never after it
was closed or after the data's last day); a closed one was closed some days later, and reopened now and then. A
detractor who left no comment (no follow-up status) is called back at random too. None of it acts on churn: in the
demo, following a detractor up keeps no one (the true effect is zero). Any churn gap the page finds between detractors
followed up and the others is confounding (a detractor who wrote no comment is called back less often, and the
comments follow the customers' health), which is why the page calls it an association."""

from __future__ import annotations

import numpy as np
import pandas as pd

FOLLOW_UP_STREAM = 12
#: median days from the answer to the first follow-up and to the close; the share of silent detractors called back;
#: mean reopenings of a closed follow-up
FOLLOW_UP_DAYS, CLOSE_DAYS, SILENT_CALLED, REOPENS = 1.5, 6.0, 0.35, 0.1
#: columns the follow-ups add to the feedback table, after ``status``
COLUMNS = ("followed_up", "closed", "reopens")


def follow_ups(seed: int, feedback: pd.DataFrame, end64: np.datetime64) -> pd.DataFrame:
    """``feedback`` with :data:`COLUMNS` added (dates as datetime64, missing when it did not happen)."""
    rng = np.random.default_rng([seed, FOLLOW_UP_STREAM])
    k = len(feedback)
    day = feedback["date"].to_numpy().astype("datetime64[D]")
    left = (np.datetime64(end64, "D") - day).astype(np.int64)  # days from the answer to the data's last day
    status = feedback["status"].to_numpy(dtype=object)
    closed_now = status == "closed"
    silent = (feedback["channel"].to_numpy(dtype=object) == "nps") & (feedback["score"].to_numpy(float) <= 6) & (
        pd.isna(status))
    to_close = np.minimum(np.round(rng.lognormal(np.log(CLOSE_DAYS), 0.9, k)), left)
    first = np.minimum(np.round(rng.lognormal(np.log(FOLLOW_UP_DAYS), 1.0, k)), np.where(closed_now, to_close, left))
    followed = (status == "in progress") | closed_now | (silent & (rng.random(k) < SILENT_CALLED))
    reopens = np.where(closed_now, rng.poisson(REOPENS, k), np.nan)
    offset = lambda d, on: np.where(on, day + d.astype("timedelta64[D]"), np.datetime64("NaT"))  # noqa: E731
    return feedback.assign(followed_up=pd.to_datetime(offset(first, followed)),
                           closed=pd.to_datetime(offset(to_close, closed_now)), reopens=reopens)
