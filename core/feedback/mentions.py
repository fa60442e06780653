"""How often the top-level themes are named: per period (trends) and per customer group, each as a share
of the verbatims in the window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.feedback.codebook import Codebook
from core.feedback.inputs import in_window


def _top_level_rows(tags: pd.DataFrame, book: Codebook, win: np.ndarray):
    """(theme, the rows it tags within ``win``) for each active top-level theme."""
    for th in book.active():
        if th.parent is None:
            r = tags.loc[tags["theme_id"] == th.id, "row"].to_numpy()
            yield th, r[win[r]]


def over_time(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, freq: str = "M",
              start=None, end=None) -> pd.DataFrame:
    """Mentions of each top-level theme per period: ``period, theme_id, theme, mentions, verbatims, share,
    sentiment`` (``share`` = mentions / the period's verbatims); verbatims without a date are left out."""
    win = in_window(prepared, start, end) & prepared["date"].notna().to_numpy()  # an undated verbatim has no period
    per = prepared["date"].dt.to_period(freq).astype(str)
    totals = per[win].value_counts()
    rows = []
    for th, r in _top_level_rows(tags, book, win):
        if not len(r):
            continue
        g = pd.DataFrame({"period": per.to_numpy()[r], "sentiment": prepared["sentiment"].to_numpy()[r]})
        agg = g.groupby("period").agg(mentions=("sentiment", "size"), sentiment=("sentiment", "mean")).reset_index()
        agg["theme_id"], agg["theme"] = th.id, th.name
        rows.append(agg)
    if not rows:
        return pd.DataFrame(columns=["period", "theme_id", "theme", "mentions", "verbatims", "share", "sentiment"])
    df = pd.concat(rows, ignore_index=True)
    df["verbatims"] = df["period"].map(totals).astype(int)
    df["share"] = df["mentions"] / df["verbatims"]
    return df[["period", "theme_id", "theme", "mentions", "verbatims", "share", "sentiment"]].sort_values(
        ["period", "theme_id"], kind="stable").reset_index(drop=True)


def by_group(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook, *, by: str = "segment",
             start=None, end=None) -> pd.DataFrame:
    """Share of each group's verbatims that name each top-level theme: ``group, theme_id, theme, mentions,
    verbatims, share, sentiment``."""
    win = in_window(prepared, start, end)
    grp = prepared[by].fillna("(unknown)").astype(str).to_numpy()
    totals = pd.Series(grp[win]).value_counts()
    rows = []
    for th, r in _top_level_rows(tags, book, win):
        g = pd.DataFrame({"group": grp[r], "sentiment": prepared["sentiment"].to_numpy()[r]})
        agg = g.groupby("group").agg(mentions=("sentiment", "size"), sentiment=("sentiment", "mean"))
        agg = agg.reindex(totals.index).fillna({"mentions": 0}).reset_index(names="group")
        agg["theme_id"], agg["theme"] = th.id, th.name
        rows.append(agg)
    cols = ["group", "theme_id", "theme", "mentions", "verbatims", "share", "sentiment"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.concat(rows, ignore_index=True)
    df["mentions"] = df["mentions"].astype(int)
    df["verbatims"] = df["group"].map(totals).astype(int)
    df["share"] = df["mentions"] / df["verbatims"]
    return df[cols].sort_values(["group", "theme_id"], kind="stable").reset_index(drop=True)
