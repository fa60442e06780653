"""Human headers for the Feedback themes page's tables (issue 21): every column's label as a reader reads it,
units in it, the page's own formats kept (Streamlit column configurations are dicts: the label is added)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

#: a column's header; any other column reads as its name in words ("top_terms" -> "Top terms")
HEADERS = {
    "theme_id": "Theme id", "theme": "Theme", "mentions": "Verbatims naming it", "share": "Share of verbatims",
    "sentiment": "Average sentiment (-1 to +1)", "negative_share": "Negative share",
    "n_raised": "Customers who raised it",
    "churn_raised": "Churn rate, customers who raised it", "n_others": "Other customers",
    "churn_others": "Churn rate, other customers", "customers_at_risk": "Customers at risk",
    "date": "Date", "vid": "Verbatim id", "customer_id": "Customer", "segment": "Segment", "channel": "Channel",
    "score": "Score", "tone": "Tone", "themes": "Themes", "signal": "Churn-signal words", "status": "Follow-up status",
    "text": "Verbatim", "mrr": "MRR ($ a month)", "health": "Health (0-100)", "team": "Team", "open": "Open",
    "in_progress": "In progress", "closed": "Closed", "closure_rate": "Closure rate", "items": "Items",
    "top_terms": "Top terms", "verbatims": "Verbatims", "merged_rules": "Merged rules", "merged_into": "Merged into",
    "theme_ids": "Theme ids", "metric": "Score", "period": "Period", "group": "Group", "value": "Value",
    "low": "Low (95 %)", "high": "High (95 %)", "n": "Answers",
}


def header(name) -> str:
    """The header of column ``name``."""
    return HEADERS.get(str(name), str(name).replace("_", " ").capitalize())


def labelled(frame: pd.DataFrame, config: dict | None = None) -> dict:
    """``config`` (the page's column configuration) with a label on every column of ``frame`` that has none."""
    out = dict(config or {})
    for name in frame.columns:
        c = out.get(name)
        if c is None and name in out:
            continue  # hidden on purpose
        c = dict(c) if isinstance(c, dict) else dict(st.column_config.Column())
        if not c.get("label"):
            c["label"] = header(name)
        out[name] = c
    return out


def chart_data(frame: pd.DataFrame, names: dict | None = None) -> pd.DataFrame:
    """A chart's data as its CSV download shows it: ids dropped, shares in percent, every column under its human
    header (``names`` first, e.g. the group column's "Segment")."""
    out = frame.drop(columns=[c for c in ("theme_id", "parent_id") if c in frame.columns])
    if "share" in out:
        out = out.assign(share=(out["share"].astype(float) * 100).round(2))
    if "sentiment" in out:
        out = out.assign(sentiment=out["sentiment"].astype(float).round(3))
    labels = {**{c: header(c) for c in out.columns}, "share": "Share of verbatims (%)", **(names or {})}
    return out.rename(columns=labels)
