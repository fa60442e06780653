"""Charts of a quarterly review snapshot (:mod:`core.review.snapshot`), readable at a glance by a review board.

Each function takes a :class:`core.review.snapshot.Snapshot` (or a :func:`core.review.compare.compare` output)
and returns a
plain Altair chart, or None when the snapshot has no such figures. The chart's data is the snapshot's own
figures (``value, low, high`` as stored, plus the columns drawn), so what a chart shows can be checked against
the snapshot. The same charts serve the Review page (which draws them itself) and the printable board pack
(:mod:`core.review.report`, through :func:`to_svg`, which needs no network and no browser).

Colours carry no meaning on their own: every bar and point is labelled with its figure and every series has a
name on an axis or a shape in the legend, so a grey print reads the same.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from core.errors import DataValidationError
from core.export.chart_text import wrapped
from core.export.units import format_value
from core.review.snapshot import FIGURE_COLUMNS, Snapshot

#: band -> colour (red, orange, green), dark enough to stay distinct from white in a grey print
BAND_COLOURS = {"red": "#c62828", "amber": "#ef6c00", "green": "#2e7d32"}
#: the unit of each metric a snapshot holds (``core.review.snapshot.build``);
#: :func:`core.review.compare.compare` drops the unit
UNIT_OF = {
    "Customers": "customers", "Active customers": "customers", "Logo churn rate": "share",
    "Revenue churn rate": "share", "MRR": "currency", "NRR": "share", "GRR": "share",
    "Active buyers": "customers", "Repeat-purchase rate": "share", "Revenue": "currency",
    "Revenue per buyer": "currency", "Purchase frequency": "count",
    "ROC-AUC": "score", "PR-AUC": "score", "Brier score": "score", "Top driver": "rank",
    "Customers scored": "customers", "Health band": "share", "MRR in red": "currency",
    "Health back-test AUC": "score", "Band churn rate": "share", "Red/green churn ratio": "ratio",
    "NPS": "nps", "CSAT": "share", "CES": "score", "Mentions": "verbatims", "Undated verbatims": "verbatims",
    "Churn impact": "points",
    "NPS impact": "nps", "MRR at risk": "currency", "Contacts": "contacts", "Play effect": "points",
    "Contacts treated": "contacts", "Customers saved": "customers", "Revenue saved (window)": "currency",
    "Cost": "currency", "Value of customers saved": "currency", "Net value (projected)": "currency",
    "ROI (projected)": "roi",
}
#: the headline rates, in the order the chart shows them
#: the longest line of a chart's title and subtitle (a phone's column holds about this many characters)
TITLE_WIDTH = 46
HEADLINE = ("NRR", "GRR", "Logo churn rate", "Revenue churn rate")
#: fonts of the static charts (the report's own fonts)
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
#: what :func:`to_svg` applies: larger type for paper, titles on the left
PRINT_CONFIG = {
    "font": FONT,
    "title": {"fontSize": 14, "subtitleFontSize": 11, "anchor": "start", "subtitleColor": "#333"},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#000", "titleColor": "#000",
             "gridColor": "#d0d0d0"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11},
    "view": {"stroke": None},
}


def _figures(snap: Snapshot | pd.DataFrame) -> pd.DataFrame:
    figures = snap.figures if isinstance(snap, Snapshot) else snap
    missing = [c for c in FIGURE_COLUMNS if c not in figures]
    if missing:
        raise DataValidationError(f"The figures lack the columns {', '.join(missing)}: pass a review snapshot "
                                  "(core.review.snapshot.build or core.review.saved.load).")
    return figures


def _pick(snap: Snapshot | pd.DataFrame, page: str, metric: str) -> pd.DataFrame:
    f = _figures(snap)
    return f[(f["page"] == page) & (f["metric"] == metric) & f["value"].notna()].reset_index(drop=True)


def _title(text: str, subtitle: str = "") -> alt.TitleParams:
    """A chart's title (and subtitle) in lines that a phone's width holds."""
    lines = wrapped(text, TITLE_WIDTH)
    return alt.TitleParams(lines, subtitle=wrapped(subtitle, TITLE_WIDTH)) if subtitle else alt.TitleParams(lines)


# Heights are steps per row, not totals: Streamlit's chart frame ignores a layered chart's total height and
# squeezes its rows together, while a step holds in the page and in the SVG alike.


def headline(snap: Snapshot | pd.DataFrame) -> alt.Chart | None:
    """NRR, GRR, logo churn rate and revenue churn rate over the last 12 months as labelled bars, with a
    dashed line at 100 %.

    Returns
    -------
    altair.LayerChart or None
        None when the snapshot has none of these figures. Data: ``metric, value, kind, shown`` (``value`` as
        stored).
    """
    f = _figures(snap)
    d = f[(f["page"] == "Overview") & f["metric"].isin(HEADLINE) & f["value"].notna()]
    if d.empty:
        return None
    d = d.assign(order=d["metric"].map(HEADLINE.index)).sort_values("order")
    d = pd.DataFrame({"metric": d["metric"], "value": d["value"], "kind": d["metric"].map(
        lambda m: "revenue kept" if m in ("NRR", "GRR") else "lost to churn"),
        "shown": [format_value(v, "share") for v in d["value"]]}).reset_index(drop=True)
    y = alt.Y("metric:N", sort=list(HEADLINE), title=None, axis=alt.Axis(labelFontWeight="bold", labelLimit=200))
    x = alt.X("value:Q", title=wrapped("Share (100 % = all of the revenue or customers at the start)"),
              axis=alt.Axis(format="%", tickCount=5), scale=alt.Scale(domain=[0, max(1.0, float(d["value"].max()))]))
    base = alt.Chart().encode(y=y)
    full = alt.Chart().mark_rule(color="#000", strokeDash=[4, 3], aria=False).encode(x=alt.datum(1.0))
    bars = base.mark_bar(stroke="#000", strokeWidth=0.6, height=24).encode(
        x=x, color=alt.Color("kind:N", title=None, sort=["revenue kept", "lost to churn"],
                             scale=alt.Scale(domain=["revenue kept", "lost to churn"], range=["#1f4e79", "#bdbdbd"]),
                             legend=alt.Legend(orient="bottom")),
        tooltip=["metric", "shown"])
    # long bars carry their figure inside (white on dark blue), short ones just after their end
    inside = base.mark_text(align="right", dx=-6, fontSize=13, fontWeight="bold", color="#fff").encode(
        x="value:Q", text="shown:N").transform_filter("datum.value >= 0.3")
    outside = base.mark_text(align="left", dx=5, fontSize=13, fontWeight="bold", color="#000").encode(
        x="value:Q", text="shown:N").transform_filter("datum.value < 0.3")
    return alt.layer(full, bars, inside, outside, data=d).properties(
        title=_title("Revenue kept and customers lost over the last 12 months",
                     "NRR and GRR: revenue of the customers of 12 months ago kept today; churn rates: share lost"),
        height=alt.Step(36))


def health_bands(snap: Snapshot | pd.DataFrame) -> alt.Chart | None:
    """The share of scored customers in each health band (red, amber, green), labelled with the share and the
    number of customers.

    Returns
    -------
    altair.LayerChart or None
        None when the snapshot has no health bands. Data: ``band, value, shown, customers, label``.
    """
    d = _pick(snap, "Health scores", "Health band")
    if d.empty:
        return None
    bands = [b for b in BAND_COLOURS if b in set(d["group"])] + [b for b in d["group"] if b not in BAND_COLOURS]
    d = pd.DataFrame({"band": d["group"], "value": d["value"], "shown": [format_value(v, "share") for v in d["value"]],
                      "customers": d["text"]})
    d["label"] = d["shown"] + d["customers"].map(lambda t: f" ({t})" if t else "")
    y = alt.Y("band:N", sort=bands, title=None, axis=alt.Axis(labelFontWeight="bold"))
    base = alt.Chart().encode(y=y)
    bars = base.mark_bar(stroke="#000", strokeWidth=0.6, height=24).encode(
        x=alt.X("value:Q", title="Share of scored customers", axis=alt.Axis(format="%", tickCount=5),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("band:N", sort=bands, legend=None,
                        scale=alt.Scale(domain=list(BAND_COLOURS), range=list(BAND_COLOURS.values()))),
        tooltip=["band", "shown", "customers"])
    labels = base.mark_text(align="left", dx=5, fontSize=12, color="#000").encode(x="value:Q", text="label:N")
    return alt.layer(bars, labels, data=d).properties(
        title=_title("Customers by health band", "share of the customers with a health score on the as-of day"),
        height=alt.Step(38))


def _direction(low: pd.Series, high: pd.Series) -> pd.Series:
    return pd.Series("unclear", index=low.index).mask(low > 0, "above").mask(high < 0, "below")


def _intervals(d: pd.DataFrame, label: str, title: str, subtitle: str, axis: str, kinds: dict) -> alt.Chart:
    """One row per figure: the point (in points) labelled with its figure and interval, its 95 % interval as a
    line, and a dashed line at zero.

    ``d`` holds ``label, value, low, high`` (fractions); ``kinds`` names, colours and shapes the rows whose
    interval is wholly ``above`` zero, ``unclear`` (spans it) and wholly ``below``: ``{key: (name, colour,
    shape)}``."""
    d = d.reset_index(drop=True)
    d = d.assign(pts=100 * d["value"], pts_low=100 * d["low"], pts_high=100 * d["high"],
                 direction=_direction(d["low"], d["high"]).map({k: v[0] for k, v in kinds.items()}),
                 shown=[format_value(v, "points") for v in d["value"]])
    d["interval"] = [f"{100 * lo:+.1f} to {100 * hi:+.1f}" if pd.notna(lo) and pd.notna(hi) else ""
                     for lo, hi in zip(d["low"], d["high"])]
    d["label"] = d["shown"] + d["interval"].map(lambda t: f"  ({t})" if t else "")
    d["end"] = d["pts_high"].fillna(d["pts"])
    lo = min(0.0, float(pd.concat([d["pts_low"], d["pts"]]).min()))
    hi = max(0.0, float(pd.concat([d["pts_high"], d["pts"]]).max()))
    pad = 0.06 * ((hi - lo) or 1.0)
    names = [v[0] for v in kinds.values()]
    colour = alt.Color("direction:N", title=None, sort=names, legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=names, range=[v[1] for v in kinds.values()]))
    shape = alt.Shape("direction:N", title=None, sort=names,
                      scale=alt.Scale(domain=names, range=[v[2] for v in kinds.values()]))
    y = alt.Y(f"{label}:N", sort=None, title=None, axis=alt.Axis(labelLimit=260, labelFontWeight="bold"))
    x = alt.X("pts_low:Q", title=wrapped(axis), scale=alt.Scale(domain=[lo - pad, hi + pad], nice=False))
    base = alt.Chart().encode(y=y)
    zero = alt.Chart().mark_rule(color="#000", strokeDash=[4, 3], aria=False).encode(x=alt.datum(0.0))
    lines = base.mark_rule(strokeWidth=3).encode(x=x, x2="pts_high:Q", color=colour)
    points = base.mark_point(size=150, filled=True, opacity=1, stroke="#000", strokeWidth=0.8).encode(
        x="pts:Q", color=colour, shape=shape, tooltip=[label, "shown", "interval", "direction"])
    labels = base.mark_text(align="left", dx=8, fontSize=11, color="#000").encode(x="end:Q", text="label:N")
    return alt.layer(zero, lines, points, labels, data=d).properties(
        title=_title(title, subtitle), height=alt.Step(40))


def play_effects(snap: Snapshot | pd.DataFrame) -> alt.Chart | None:
    """Each play's effect on retention in points (treated minus held out) with its 95 % interval and a line at
    zero; a play *works* when the whole interval is above zero, *hurts* when below.

    Returns
    -------
    altair.LayerChart or None
        None when the snapshot has no play effects. Data: ``play, value, low, high`` (as stored), ``pts,
        pts_low, pts_high, direction, shown, interval, label, end``.
    """
    d = _pick(snap, "Intervention ROI", "Play effect")
    if d.empty:
        return None
    window = snap.params.get("roi_window") if isinstance(snap, Snapshot) else None
    days = f"{window}-day " if window else ""
    kinds = {"above": ("works", "#2e7d32", "circle"), "unclear": ("no clear difference", "#616161", "diamond"),
             "below": ("hurts", "#c62828", "square")}
    return _intervals(d[["group", "value", "low", "high"]].rename(columns={"group": "play"}), "play",
                      f"Effect of each play on {days}retention", "treated minus held out, points, 95 % interval",
                      "Retention difference, points", kinds)


def theme_impacts(snap: Snapshot | pd.DataFrame) -> alt.Chart | None:
    """The top feedback themes' churn impact in points with its 95 % interval: how much more often customers
    who named the theme churned than those who did not.

    Returns
    -------
    altair.LayerChart or None
        None when the snapshot has no themes. Data: ``theme, value, low, high`` (as stored), ``pts, pts_low,
        pts_high, direction, shown, interval, label, end``.
    """
    d = _pick(snap, "Feedback themes", "Churn impact")
    if d.empty:
        return None
    kinds = {"above": ("more churn", "#c62828", "square"), "unclear": ("no clear difference", "#616161", "diamond"),
             "below": ("less churn", "#2e7d32", "circle")}
    return _intervals(d[["group", "value", "low", "high"]].rename(columns={"group": "theme"}), "theme",
                      "Churn linked to the top feedback themes",
                      "churn within 180 days, who named the theme minus who did not, points, 95 % interval",
                      "Churn difference, points", kinds)


def units(comparison: pd.DataFrame, *snaps: Snapshot) -> pd.Series:
    """The unit of each row of a :func:`core.review.compare.compare` output: its own ``unit`` column when it has one,
    else the snapshots' units of the same page and metric, else :data:`UNIT_OF` (empty when unknown)."""
    if "unit" in comparison:
        return comparison["unit"].fillna("").astype(str)
    known = {}
    for s in reversed(snaps):
        known.update({(p, m): u for p, m, u in zip(s.figures["page"], s.figures["metric"], s.figures["unit"])})
    return pd.Series([known.get((p, m), UNIT_OF.get(m, "")) for p, m in zip(comparison["page"], comparison["metric"])],
                     index=comparison.index, dtype=object)


def moves(comparison: pd.DataFrame, *snaps: Snapshot, top: int = 8) -> alt.Chart | None:
    """The ``top`` largest changes, in points, of the rates (share and points figures) between two snapshots.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`core.review.compare.compare` output.
    *snaps : Snapshot
        Optional: the compared snapshots, for their figures' units (see :func:`units`).
    top : int
        How many moves to show.

    Returns
    -------
    altair.LayerChart or None
        None when no rate moved. Data: ``page, metric, group, before, after, change`` (as compared), ``figure,
        pts, shown, way``.
    """
    missing = [c for c in ("page", "metric", "group", "before", "after", "change") if c not in comparison]
    if missing:
        raise DataValidationError(f"The comparison lacks the columns {', '.join(missing)}: pass the output of "
                                  "core.review.compare.compare.")
    unit = units(comparison, *snaps)
    c = comparison[unit.isin(["share", "points"]) & comparison["change"].notna() & (comparison["change"] != 0)]
    if c.empty:
        return None
    c = c.assign(size=c["change"].abs()).sort_values("size", ascending=False, kind="stable").head(top)
    d = c[["page", "metric", "group", "before", "after", "change"]].reset_index(drop=True)
    d["figure"] = [f"{m} · {g}" if g else m for m, g in zip(d["metric"], d["group"])]
    d["figure"] = d["figure"] + " (" + d["page"] + ")"
    d["pts"] = 100 * d["change"]
    d["shown"] = [format_value(v, "points") for v in d["change"]]
    d["way"] = ["up" if v > 0 else "down" for v in d["change"]]
    span = float(d["pts"].abs().max()) * 1.3
    y = alt.Y("figure:N", sort=None, title=None, axis=alt.Axis(labelLimit=330))
    base = alt.Chart().encode(y=y)
    bars = base.mark_bar(stroke="#000", strokeWidth=0.6, height=18).encode(
        x=alt.X("pts:Q", title=wrapped("Change, points (later minus earlier)"), scale=alt.Scale(domain=[-span, span])),
        color=alt.Color("way:N", title=None, sort=["up", "down"], legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=["up", "down"], range=["#1f4e79", "#bdbdbd"])),
        tooltip=["figure", "shown"])
    right = base.mark_text(align="left", dx=4, fontSize=11, color="#000").encode(x="pts:Q", text="shown:N") \
        .transform_filter("datum.pts > 0")
    left = base.mark_text(align="right", dx=-4, fontSize=11, color="#000").encode(x="pts:Q", text="shown:N") \
        .transform_filter("datum.pts <= 0")
    zero = alt.Chart().mark_rule(color="#000", aria=False).encode(x=alt.datum(0.0))
    return alt.layer(bars, right, left, zero, data=d).properties(
        title=_title("The largest moves in rates", "change of each rate between the two snapshots, points"),
        height=alt.Step(30))


def _vl_version() -> str | None:
    """The Vega-Lite version Altair writes, as vl-convert names it (None: vl-convert's latest)."""
    import vl_convert as vlc  # a 40 MB native library: loaded only when a static chart is drawn

    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vlc.get_vegalite_versions() else None


def to_svg(chart: alt.TopLevelMixin, width: int = 600, fit: int | None = None, config: dict | None = None) -> str:
    """A chart as a standalone SVG document, drawn offline by vl-convert (no browser, no network).

    Parameters
    ----------
    chart : altair chart
    width : int
        Width in pixels of the plotting area when the chart sets none.
    fit : int, optional
        Widest the whole drawing may be, axis labels and legends included (a printed page's width): a wider
        drawing is drawn again with a narrower plotting area, so its type keeps its size on paper.
    config : dict, optional
        Vega-Lite config; default :data:`PRINT_CONFIG`.

    Returns
    -------
    str
        ``<svg ...>...</svg>``.
    """
    import vl_convert as vlc  # a 40 MB native library: loaded only when a static chart is drawn

    spec = chart.to_dict()
    spec.setdefault("width", width)
    config = PRINT_CONFIG if config is None else config
    svg = vlc.vegalite_to_svg(spec, vl_version=_vl_version(), config=config)
    drawn = _svg_width(svg)
    if fit and drawn and drawn > fit and isinstance(spec["width"], int | float):
        spec["width"] = max(160, int(spec["width"] - (drawn - fit)))
        svg = vlc.vegalite_to_svg(spec, vl_version=_vl_version(), config=config)
    return svg


def _svg_width(svg: str) -> float | None:
    m = re.search(r'<svg[^>]*?\swidth="([0-9.]+)', svg)
    return float(m.group(1)) if m else None


__all__ = ["BAND_COLOURS", "HEADLINE", "PRINT_CONFIG", "UNIT_OF", "headline", "health_bands", "moves",
           "play_effects", "theme_impacts", "to_svg", "units"]
