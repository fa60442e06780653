"""The Feedback themes page's theme counts (per period and per group), counted by the engine ``RETENTION_ENGINE``
names (:mod:`core.query.choice`, through :mod:`core.feedback.engine_mentions`) when one is set, else in pandas
(:mod:`core.feedback.mentions`); both give the same tables.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine

from core.feedback.codebook import Codebook
from core.feedback.engine_mentions import by_group_on, over_time_on
from core.feedback.mentions import by_group, over_time
from core.query import choice


def mention_tables(engine: Engine, prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, freq: str,
                   by: str, start=None, end=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mentions of each theme per ``freq`` period, and per value of ``by``) of the verbatims in the window."""
    with choice.opened(engine) as source:
        if source is not None:
            return (over_time_on(source.con, prepared, tags, book, freq=freq, start=start, end=end),
                    by_group_on(source.con, prepared, tags, book, by=by, start=start, end=end))
    return (over_time(prepared, tags, book, freq=freq, start=start, end=end),
            by_group(prepared, tags, book, by=by, start=start, end=end))
