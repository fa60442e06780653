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


def backlog(item_rows: pd.DataFrame, book: Codebook, *, start=None, end=None) -> pd.DataFrame:
    """Open, in-progress and closed items per owner team and theme, with the closure rate (closed / items).

    Returns
    -------
    pandas.DataFrame
        ``team, theme_id, theme, items, open, in_progress, closed, closure_rate``, largest open first.
    """
    it = item_rows[in_window(item_rows, start, end)]
    cols = ["team", "theme_id", "theme", "items", "open", "in_progress", "closed", "closure_rate"]
    if it.empty:
        return pd.DataFrame(columns=cols)
    c = pd.crosstab([it["team"], it["theme_id"], it["theme"]], it["status"])
    for s in ("open", "in progress", "closed"):
        if s not in c:
            c[s] = 0
    c = c.rename(columns={"in progress": "in_progress"}).reset_index()
    c["items"] = c["open"] + c["in_progress"] + c["closed"]
    c["closure_rate"] = c["closed"] / c["items"]
    return c[cols].sort_values(["open", "items"], ascending=False, kind="stable").reset_index(drop=True)


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
