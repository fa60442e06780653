"""The text alternative of each Quarterly review chart (issue 21, Deliver 3): one sentence with the chart's key
figure, read from the frame the chart draws (``chart.data`` of a :mod:`core.review.charts` chart: its figures
already written), and the chart's data as a tidy table with human headers (the download under the chart).

* Headline: each rate of the last 12 months as the chart labels it.
* Health bands: the share of scored customers in red, read against the share in green (else the largest band).
* Play effects, theme impacts: the largest effect with its 95 % interval, of how many.
* Moves: the largest move in a rate between the two snapshots, of how many.
"""

from __future__ import annotations

import pandas as pd

from core.export import chart_text

#: the charts' columns as a leader reads them (the chart's data, downloaded)
HEADERS = {"metric": "Figure", "play": "Play", "theme": "Theme", "band": "Health band", "figure": "Figure",
           "shown": "Value", "interval": "95 % interval (points)", "customers": "Customers"}


def headline(d: pd.DataFrame) -> str:
    """The headline chart (``metric, shown``): every rate it shows."""
    if d.empty:
        return chart_text.none_shown("Revenue kept and customers lost")
    rates = ", ".join(f"{m} {s}" for m, s in zip(d["metric"], d["shown"], strict=True))
    return f"Over the last 12 months: {rates}."


def health_bands(d: pd.DataFrame) -> str:
    """The health bands chart (``band, shown, customers``): the share in red against the share in green."""
    if d.empty:
        return chart_text.none_shown("Customers by health band")
    rows = d.set_index("band")

    def said(band: str) -> str:
        n = rows.at[band, "customers"]
        return f"{rows.at[band, 'shown']}" + (f" ({n})" if isinstance(n, str) and n else "")

    if "red" in rows.index and "green" in rows.index:
        return chart_text.against("Scored customers in red", said("red"), f"{said('green')} in green")
    top = d.sort_values("value", ascending=False, kind="stable").iloc[0]
    return chart_text.largest("health band", str(top["band"]), said(top["band"]), among=len(d))


def effects(d: pd.DataFrame, name: str, what: str) -> str:
    """A play-effects or theme-impacts chart (``<name>, value, shown, interval``): the largest effect, with its
    interval, of how many."""
    rows = d.dropna(subset=["value"])
    if rows.empty:
        return chart_text.none_shown(what[:1].upper() + what[1:])
    top = rows.sort_values("value", ascending=False, kind="stable").iloc[0]
    value = top["shown"] + (f" (95 % interval {top['interval']})" if top["interval"] else "")
    return chart_text.largest(what, str(top[name]), value, among=len(rows))


def moves(d: pd.DataFrame) -> str:
    """The moves chart (``figure, change, shown``): the largest move in a rate, of how many."""
    if d.empty:
        return chart_text.none_shown("Moves in rates")
    top = d.loc[d["change"].abs().idxmax()]
    return chart_text.largest("move in a rate", str(top["figure"]), str(top["shown"]), among=len(d))


def chart_data(d: pd.DataFrame) -> pd.DataFrame:
    """A review chart's figures as written on it, with human headers (the columns :data:`HEADERS` names)."""
    cols = [c for c in HEADERS if c in d and not (c == "metric" and "figure" in d)]
    return d[cols].rename(columns=HEADERS)
