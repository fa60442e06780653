"""The Feedback themes page's figures, cached per view and per the section's own choices, so a warm rerun (or a
fragment's rerun) recomputes nothing heavy.

Each function takes the view's :attr:`ui.feedback.cached.View.key` (store version, codebook, filters, all dates,
statuses) as the cache key and the view itself as ``_v`` (not hashed: the key names it). Results are shared
copies of core's answers: callers never modify them.
"""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from core.export.csv import to_csv_bytes
from core.feedback import followup
from core.feedback.impact import theme_impact
from core.feedback.inputs import in_window
from core.feedback.loop_times import loop_times
from core.feedback.mention_views import mention_tables
from core.feedback.surveys import headline_scores, survey_scores
from core.feedback.tagging import theme_labels, untagged
from core.feedback.verbatim_list import matching
from ui.feedback.cached import View
from ui.frame import loaders, warehouse

_OPTS = {"ttl": 600, "max_entries": 16, "show_spinner": False}


@st.cache_data(**_OPTS)
def headline(key: tuple, _v: View) -> dict:
    """The headline's figures: verbatims and tagged ones in the window, survey scores, churn signals."""
    win = in_window(_v.prep, _v.start, _v.end)
    tagged = _v.tags.loc[_v.tags["row"].isin(pd.Index(range(len(_v.prep)))[win]), "row"].nunique()
    return {"n": int(win.sum()), "tagged": int(tagged),
            "scores": headline_scores(_v.inputs, start=_v.start, end=_v.end),
            "signals": int(((_v.prep["signal"] != "").to_numpy() & win).sum())}


@st.cache_data(**_OPTS)
def impact(key: tuple, _v: View, horizon: int) -> pd.DataFrame:
    """:func:`core.feedback.impact.theme_impact` of the view within ``horizon`` days."""
    return theme_impact(_v.prep, _v.tags, _v.book, _v.inputs, start=_v.start, end=_v.end, horizon=horizon)


@st.cache_data(**_OPTS)
def mentions(key: tuple, _v: View, freq: str, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(share of verbatims naming each theme per ``freq`` period, and per value of ``by``), counted by the configured
    engine when one is set (:func:`core.feedback.mention_views.mention_tables`)."""
    return mention_tables(loaders.get_engine(_v.url), _v.prep, _v.tags, _v.book, freq=freq, by=by, start=_v.start,
                          end=_v.end)


@st.cache_data(**_OPTS)
def scores(key: tuple, _v: View, freq: str, by: str) -> pd.DataFrame:
    """NPS, CSAT and CES per ``freq`` period and value of ``by``, with their intervals."""
    return survey_scores(_v.inputs, freq=freq, by=by, start=_v.start, end=_v.end)


@st.cache_resource(ttl=600, max_entries=4, show_spinner=False)
def labels(key: tuple, _v: View) -> pd.Series:
    """Each verbatim's theme names, joined (shared: never modified)."""
    return theme_labels(_v.tags, _v.book, len(_v.prep))


@st.cache_resource(ttl=600, max_entries=16, show_spinner=False)
def verbatim_list(key: tuple, choices: tuple, _v: View) -> pd.DataFrame:
    """:func:`core.feedback.verbatim_list.matching` of the view under ``choices`` (theme, tone, channels, search),
    built once per view and choices (shared: never modified; copying every verbatim's text took a fifth of a
    second a rerun)."""
    theme, tone, channels, search = choices
    return matching(_v.prep, labels(key, _v), _v.tags, _v.book, start=_v.start, end=_v.end, theme=theme, tone=tone,
                    channels=channels, search=search)


@st.cache_data(**_OPTS)
def signals(key: tuple, health_key: str, _v: View, _health: pd.DataFrame | None) -> pd.DataFrame:
    """Churn-signal verbatims of active customers, largest MRR first, with today's health (``health_key``: the
    health configuration's key)."""
    return followup.signals(_v.prep, _v.inputs, start=_v.start, end=_v.end, health=_health)


@st.cache_data(**_OPTS)
def backlog(key: tuple, _v: View) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(follow-up items in the window, the backlog per team and theme, with the days to close and the reopen rate
    of the store's verbatims)."""
    it = followup.items(_v.prep, _v.tags, _v.book)
    it = it[in_window(it, _v.start, _v.end)]
    # a warehouse's verbatims have no follow-up days in the store (their statuses are the warehouse's own column)
    loop = None if warehouse.named(_v.version) else loop_times(loaders.get_engine(_v.url))
    return it, followup.backlog(it, _v.book, loop=loop)


@st.cache_data(**_OPTS)
def unnamed(key: tuple, _v: View) -> pd.DataFrame:
    """Verbatims in the window that no active theme names."""
    return untagged(_v.prep, _v.tags, start=_v.start, end=_v.end)


@st.cache_data(**_OPTS)
def csv(key: tuple, name: str, _df: pd.DataFrame) -> bytes:
    """``_df`` as CSV bytes (:func:`core.export.csv.to_csv_bytes`); ``key`` and ``name`` name the table."""
    return to_csv_bytes(_df)


def csv_download(v: View, df: pd.DataFrame, label: str, file_name: str, key: str, where=st,
                 choices: tuple = ()) -> None:
    """A CSV download button whose bytes are built, when clicked, once per view, table and ``choices`` (what
    selected ``df``), without rerunning the page."""
    name = f"{file_name}|{key}|{choices!r}"
    where.download_button(label, lambda: csv(v.key, name, df), file_name, "text/csv", key=key,
                          icon=":material/download:", on_click="ignore")


@st.cache_resource(ttl=600, max_entries=32, show_spinner=False)
def chart(key: tuple, name: str, choices: tuple, _build: Callable[[], alt.TopLevelMixin]) -> alt.TopLevelMixin:
    """The chart ``name`` of the view whose key is ``key`` under the section's ``choices``, built once by ``_build``
    (shared: never modified; building a layered chart of a large table takes a good part of a second)."""
    return _build()
