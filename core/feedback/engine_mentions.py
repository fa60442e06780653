"""Theme mentions per customer group and per period counted by an engine (:mod:`core.query`): the tables of
:func:`core.feedback.mentions.by_group` and :func:`core.feedback.mentions.over_time`, equal to them, from two
narrow tables an engine groups: the verbatims of the window (``row``, the grouping key, ``sentiment``) and the
tags of the active top-level themes (``row, theme_id``). Tagging and sentiment stay in Python (the codebook's
rules); the counting is the engine's, so a warehouse holding the tags would count there.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from core.feedback.codebook import Codebook
from core.feedback.inputs import in_window
from core.query.exact import exact_mean

UNKNOWN = "(unknown)"
COLUMNS = ["theme_id", "theme", "mentions", "verbatims", "share", "sentiment"]


def mentions_expression(verbatims: ir.Table, tags: ir.Table, key: str) -> ir.Table:
    """``<key>, theme_id, mentions, sentiment``: per key and theme, the tagged verbatims and their mean
    sentiment (``verbatims``: ``row, <key>, sentiment``; ``tags``: ``row, theme_id``)."""
    t = tags.join(verbatims, "row")
    return t.group_by([key, "theme_id"]).agg(mentions=t.count(), sentiment=exact_mean(t.sentiment))


def totals_expression(verbatims: ir.Table, key: str) -> ir.Table:
    """``<key>, verbatims``: the verbatims of each key."""
    return verbatims.group_by(key).agg(verbatims=verbatims.count())


def by_group_on(con, prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, by: str = "segment",
                start=None, end=None) -> pd.DataFrame:
    """:func:`core.feedback.mentions.by_group`, counted by ``con``: ``group, theme_id, theme, mentions, verbatims,
    share, sentiment``, a row for every group and active top-level theme."""
    win = in_window(prepared, start, end)
    groups = prepared[by].fillna(UNKNOWN).astype(str).to_numpy()
    counted, totals = _counted(con, prepared, tags, book, win, groups)
    themes = _top_level(book)
    if not themes:
        return pd.DataFrame(columns=["group", *COLUMNS])
    grid = pd.MultiIndex.from_product([totals.index, [tid for tid, _ in themes]], names=["key", "theme_id"])
    df = counted.set_index(["key", "theme_id"]).reindex(grid).reset_index()
    df["mentions"] = df["mentions"].fillna(0).astype(int)
    return _finish(df.rename(columns={"key": "group"}), "group", totals, dict(themes))


def over_time_on(con, prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, freq: str = "M",
                 start=None, end=None) -> pd.DataFrame:
    """:func:`core.feedback.mentions.over_time`, counted by ``con``: ``period, theme_id, theme, mentions,
    verbatims, share, sentiment`` for each period and theme with a mention (undated verbatims left out)."""
    win = in_window(prepared, start, end) & prepared["date"].notna().to_numpy()
    periods = prepared["date"].dt.to_period(freq).astype(str).to_numpy()
    counted, totals = _counted(con, prepared, tags, book, win, periods)
    themes = dict(_top_level(book))
    if counted.empty:
        return pd.DataFrame(columns=["period", *COLUMNS])
    df = counted.assign(mentions=counted["mentions"].astype(int))
    return _finish(df.rename(columns={"key": "period"}), "period", totals, themes)


def _top_level(book: Codebook) -> list[tuple[int, str]]:
    return [(th.id, th.name) for th in book.active() if th.parent is None]


def _counted(con, prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, win: np.ndarray,
             keys: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    """The engine's mentions per key and theme (``key, theme_id, mentions, sentiment``) and verbatims per key, over
    the rows in ``win``."""
    rows = np.flatnonzero(win)
    verbatims = ibis.memtable(pa.table({
        "row": pa.array(rows, pa.int64()), "key": pa.array(keys[rows].astype(object), pa.string()),
        # a missing sentiment (NaN: VADER scores no empty text) as a null, which the mean leaves out as pandas does
        "sentiment": pa.array(prepared["sentiment"].to_numpy(float)[rows], pa.float64(), from_pandas=True)}))
    top = tags[tags["theme_id"].isin([tid for tid, _ in _top_level(book)])]
    tagged = ibis.memtable(pa.table({"row": pa.array(top["row"].to_numpy(np.int64), pa.int64()),
                                     "theme_id": pa.array(top["theme_id"].to_numpy(np.int64), pa.int64())}))
    counted = con.execute(mentions_expression(verbatims, tagged, "key"))
    totals = con.execute(totals_expression(verbatims, "key")).set_index("key")["verbatims"]
    return counted, totals


def _finish(df: pd.DataFrame, key: str, totals: pd.Series, themes: dict[int, str]) -> pd.DataFrame:
    """Names, totals and shares; the columns and the row order of :mod:`core.feedback.mentions`."""
    df["theme_id"] = df["theme_id"].astype(int)
    df["theme"] = df["theme_id"].map(themes)
    df["verbatims"] = df[key].map(totals).astype(int)
    df["share"] = df["mentions"] / df["verbatims"]
    df["sentiment"] = df["sentiment"].astype(float)
    return df[[key, *COLUMNS]].sort_values([key, "theme_id"], kind="stable").reset_index(drop=True)
