"""Data behind the Feedback themes page: prepared verbatims (built once per store version, with a
progress bar), the codebook (read fresh: it changes without an import), tags per codebook (cached),
follow-up statuses (read fresh), today's health per customer for the churn-signal list, and the :class:`View`
every section of the page reads.

A warm rerun recomputes nothing heavy: the view is built once per :attr:`View.key` (store version, codebook,
sidebar filters, all dates, and a fingerprint of the statuses read fresh, since a status change does not change
the store version), and each section's figures (:mod:`ui.feedback.figures`) are cached under that key and the
section's own choices."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.feedback import store as ts
from core.feedback.codebook import Change, Codebook
from core.feedback.inputs import FeedbackInputs, for_customers, in_window, load_inputs
from core.feedback.prepared import prepare
from core.feedback.tagging import tag
from core.feedback.warehouse_inputs import warehouse_feedback_inputs
from core.health import monitor as hm
from core.history.filters import Filters, filter_customers
from ui.frame import loaders, signin, warehouse
from ui.health import cached as health


@st.cache_resource(show_spinner=False, max_entries=1)
def _built() -> dict:
    """(inputs, prepared verbatims) by (url, store version): shared by every session, never modified."""
    return {}


def prepared(url: str, version: str) -> tuple[FeedbackInputs, pd.DataFrame]:
    """Inputs and verbatims with masked text, sentiment and churn signals: the store's, or the warehouse's when
    ``version`` names it (:func:`ui.frame.warehouse.version`). Builds on the first call.

    Raises
    ------
    core.errors.NoDataYetError
        No feedback or ticket text in the store, or none mapped in the warehouse (an empty state).
    """

    def build():
        bar = st.progress(0.0, text="Reading verbatims ...")
        try:
            inputs = (warehouse_feedback_inputs(warehouse.source(warehouse.key())) if warehouse.named(version)
                      else load_inputs(loaders.get_engine(url)))
            return inputs, prepare(inputs, progress=lambda f, t: bar.progress(f, text=t))
        finally:
            bar.empty()

    return loaders.built_once(_built(), (url, version), build, keep=2)


def codebook(url: str) -> Codebook:
    """The stored codebook (the starter codebook is saved on first use)."""
    return ts.load_codebook(loaders.get_engine(url))


def key(book: Codebook) -> str:
    """Cache key of a codebook."""
    return json.dumps(book.to_dict(), sort_keys=True)


@st.cache_data(ttl=600, max_entries=16, show_spinner="Tagging verbatims ...")
def tags(url: str, version: str, book_json: str) -> pd.DataFrame:
    """Tags of every prepared verbatim under one codebook."""
    _, prep = prepared(url, version)
    return tag(prep["text"], Codebook.from_dict(json.loads(book_json)))


def scope(prep: pd.DataFrame, customers: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Verbatims of the customers within the sidebar's segment, plan and region filters (all verbatims,
    anonymous ones included, when no such filter is set). Rows keep their positions (the index)."""
    if not (f.segments or f.plans or f.regions):
        return prep
    keep = set(filter_customers(customers, f)["customer_id"].astype(str))
    return prep[prep["customer_id"].astype(str).isin(keep)]


def restrict(tags_all: pd.DataFrame, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows renumbered 0..n-1, their tags renumbered alike): what core's functions expect."""
    pos = rows.index.to_numpy()
    remap = pd.Series(range(len(pos)), index=pos)
    t = tags_all[tags_all["row"].isin(pos)]
    return rows.reset_index(drop=True), t.assign(row=remap.reindex(t["row"]).to_numpy()).reset_index(drop=True)


def health_today(url: str, version: str) -> tuple[pd.DataFrame | None, str]:
    """(``customer_id, score, band`` at the latest health snapshot under the latest saved configuration, that
    configuration's key), or (None, "") when health cannot be computed from this store."""
    try:
        snaps, _ = health.measures(url, version)
        _, latest = health.configuration(url, snaps)
        cfg = health.key(health.config(url, version, latest))
    except WorkbenchError:
        return None, ""
    return _health_now(url, version, cfg), cfg


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _health_now(url: str, version: str, cfg_json: str) -> pd.DataFrame:
    now, _ = hm.latest_two(health.history(url, version, cfg_json))
    return now[["customer_id", "score", "band"]]


def save(url: str, before: Codebook, change: tuple[Codebook, Change], note: str) -> None:
    """Save a codebook change, remember a success note for the next run, and rerun."""
    after, ch = change
    ts.save_change(loaders.get_engine(url), before, after, ch, user=signin.actor(loaders.get_engine(url)))
    st.session_state["themes_note"] = f"{note}: {ch.detail}."
    st.rerun()


@dataclass
class View:
    """What every section reads: the verbatims in scope (rows 0..n-1), their tags, the codebook, the window."""

    url: str
    version: str
    inputs: FeedbackInputs
    prep: pd.DataFrame
    tags: pd.DataFrame
    book: Codebook
    start: object
    end: object
    #: what the view is built from (url, version, codebook, filters, all dates, statuses): every figure's cache key
    key: tuple = ()


@st.cache_resource(show_spinner=False, max_entries=1)
def _views() -> dict:
    """Built views by :attr:`View.key`: shared by every session, never modified."""
    return {}


def view(url: str, version: str, inputs: FeedbackInputs, prep: pd.DataFrame, book: Codebook, f: Filters,
         all_dates: bool = False) -> View:
    """The page's :class:`View`: verbatims within the sidebar filters (statuses read fresh), their tags under
    ``book``, and the window (the sidebar's dates, else the data's span; ``all_dates``: no window at all, so
    verbatims without a date count too). Built once per key (the statuses read fresh are part of it)."""
    # a warehouse's statuses are its own column's, read with the verbatims (the store's are another business's)
    now = pd.Series(dtype=object) if warehouse.named(version) else ts.statuses(loaders.get_engine(url))
    token = str(int(pd.util.hash_pandas_object(now, index=True).sum())) if len(now) else "0"
    k = (url, version, key(book), f, bool(all_dates), token)
    return loaders.built_once(_views(), k, lambda: _build_view(url, version, inputs, prep, book, f, all_dates, now, k),
                              keep=4)


def _build_view(url: str, version: str, inputs: FeedbackInputs, prep: pd.DataFrame, book: Codebook, f: Filters,
                all_dates: bool, now: pd.Series, k: tuple) -> View:
    fresh = prep["vid"].map(now)
    prep = prep.assign(status=fresh.where(fresh.notna(), prep["status"]))
    rows = scope(prep, inputs.customers, f)
    t = tags(url, version, key(book))
    rows, t = restrict(t, rows)
    if f.segments or f.plans or f.regions:
        inputs = for_customers(inputs, filter_customers(inputs.customers, f)["customer_id"])
    if all_dates:
        return View(url, version, inputs, rows, t, book, None, None, k)
    start = pd.Timestamp(f.start) if f.start else prep["date"].min()
    end = pd.Timestamp(f.end) if f.end else inputs.end
    return View(url, version, inputs, rows, t, book, start, end, k)


def any_in_window(v) -> bool:
    """Whether any verbatim of the view falls within its window."""
    return bool(len(v.prep)) and bool(in_window(v.prep, v.start, v.end).any())
