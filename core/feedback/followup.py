"""Follow-up: the items each owner team should act on, their backlog, and the churn signals to reach out on.

An *item* is a negative or churn-signal verbatim, once per theme it names, routed to the theme's owner
team; its status (open, in progress, closed) comes from the verbatim's follow-up status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.feedback.codebook import Codebook
from core.feedback.inputs import FeedbackInputs, in_window
from core.store.dates import datetimes


def items(prepared: pd.DataFrame, tags: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Follow-up items: each negative or churn-signal verbatim once per theme it names (top-level themes
    and sub-themes alike), routed to the theme's owner team.

    Returns
    -------
    pandas.DataFrame
        ``vid, date, customer_id, channel, theme_id, theme, team, status, text, signal``.
    """
    need = (prepared["negative"] | (prepared["signal"] != "")).to_numpy()
    t = tags[need[tags["row"].to_numpy()]] if len(tags) else tags
    teams = {th.id: th.team for th in book.active()}
    names = {th.id: book.label(th.id) for th in book.active()}
    p = prepared.iloc[t["row"].to_numpy()]
    out = pd.DataFrame({
        "vid": p["vid"].to_numpy(), "date": p["date"].to_numpy(), "customer_id": p["customer_id"].to_numpy(),
        "channel": p["channel"].to_numpy(), "theme_id": t["theme_id"].to_numpy(),
        "theme": t["theme_id"].map(names).to_numpy(), "team": t["theme_id"].map(teams).to_numpy(),
        "status": p["status"].to_numpy(), "text": p["text"].to_numpy(), "signal": p["signal"].to_numpy()})
    out = out.sort_values(["date", "vid", "theme_id"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


def backlog(item_rows: pd.DataFrame, book: Codebook, *, start=None, end=None,
            loop: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open, in-progress and closed items per owner team and theme, with the closure rate (closed / items); with
    ``loop`` (:func:`core.feedback.loop_times.loop_times`) also the median days from an item's day to its close (of
    the closed items with a closed day) and the reopen rate (of the items ever closed, closed now or reopened since,
    the share reopened at least once; missing where no reopen count is known).

    Returns
    -------
    pandas.DataFrame
        ``team, theme_id, theme, items, open, in_progress, closed, closure_rate`` (and ``median_days_to_close,
        reopen_rate`` with ``loop``), largest open first.
    """
    it = item_rows[in_window(item_rows, start, end)]
    cols = ["team", "theme_id", "theme", "items", "open", "in_progress", "closed", "closure_rate"]
    cols += LOOP_COLUMNS if loop is not None else []
    if it.empty:
        return pd.DataFrame(columns=cols)
    c = pd.crosstab([it["team"], it["theme_id"], it["theme"]], it["status"])
    for s in ("open", "in progress", "closed"):
        if s not in c:
            c[s] = 0
    c = c.rename(columns={"in progress": "in_progress"}).rename_axis(columns=None).reset_index()
    c["items"] = c["open"] + c["in_progress"] + c["closed"]
    c["closure_rate"] = c["closed"] / c["items"]
    if loop is not None:
        c = c.merge(_loop_figures(it, loop), on=["team", "theme_id"], how="left")
    return c[cols].sort_values(["open", "items"], ascending=False, kind="stable").reset_index(drop=True)


#: the closing figures :func:`backlog` adds with the loop times
LOOP_COLUMNS = ["median_days_to_close", "reopen_rate"]


def _loop_figures(it: pd.DataFrame, loop: pd.DataFrame) -> pd.DataFrame:
    """Per team and theme: the median days to close of the closed items, and the reopen rate of those ever closed."""
    times = loop.reindex(it["vid"].astype(str).to_numpy())
    closed_now = (it["status"] == "closed").to_numpy()
    days = (times["closed"].to_numpy() - datetimes(it["date"]).dt.normalize().to_numpy()) / np.timedelta64(1, "D")
    reopens = times["reopens"].to_numpy(dtype=float)
    ever = (closed_now | (reopens > 0)) & ~np.isnan(reopens)
    frame = pd.DataFrame({"team": it["team"].to_numpy(), "theme_id": it["theme_id"].to_numpy(),
                          "days": np.where(closed_now, days, np.nan),
                          "ever": ever, "reopened": ever & (reopens > 0)})
    g = frame.groupby(["team", "theme_id"])
    out = pd.DataFrame({"median_days_to_close": g["days"].median(),
                        "reopen_rate": g["reopened"].sum() / g["ever"].sum().where(g["ever"].sum() > 0)})
    return out.reset_index()


def signals(prepared: pd.DataFrame, inputs: FeedbackInputs, *, start=None, end=None,
            health: pd.DataFrame | None = None, active_only: bool = True) -> pd.DataFrame:
    """Verbatims with churn-signal words, for immediate outreach: largest MRR first.

    Parameters
    ----------
    health : pandas.DataFrame, optional
        ``customer_id, score, band`` (today's health), joined when given.
    active_only : bool
        Only customers still active at the end of the data (the ones outreach can reach).

    Returns
    -------
    pandas.DataFrame
        ``vid, date, customer_id, name, segment, channel, signal, text, mrr, health, band, status``.
    """
    p = prepared[in_window(prepared, start, end) & (prepared["signal"] != "").to_numpy()
                 & prepared["customer_id"].notna().to_numpy()]
    cust = inputs.customers.set_index("customer_id")
    churn = cust["churn_date"].reindex(p["customer_id"].astype(str)).to_numpy()
    if active_only:
        still = pd.isna(churn) | (datetimes(churn) > inputs.end)
        p = p[np.asarray(still)]
    out = pd.DataFrame({"vid": p["vid"], "date": p["date"], "customer_id": p["customer_id"].astype(str),
                        "channel": p["channel"], "signal": p["signal"], "text": p["text"], "status": p["status"]})
    out["name"] = out["customer_id"].map(cust["name"]) if "name" in cust else None
    out["segment"] = out["customer_id"].map(cust["segment"])
    out["mrr"] = out["customer_id"].map(inputs.mrr).astype(float)
    if health is not None and len(health):
        hh = health.set_index(health["customer_id"].astype(str))
        out["health"] = out["customer_id"].map(hh["score"]).astype(float)
        out["band"] = out["customer_id"].map(hh["band"])
    else:
        out["health"], out["band"] = np.nan, None
    cols = ["vid", "date", "customer_id", "name", "segment", "channel", "signal", "text", "mrr", "health", "band",
            "status"]
    return out[cols].sort_values(["mrr", "date"], ascending=[False, False], na_position="last",
                                 kind="stable").reset_index(drop=True)
