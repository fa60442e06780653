"""Altair charts of the Churn drivers page (frames in, charts out; SHAP values in log-odds)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.history.feature_labels import feature_label
from ui.chart_style import wrapped

KIND_COLORS = alt.Scale(domain=["controllable", "fixed"], range=["#1f77b4", "#9e9e9e"])


def importance(drivers: pd.DataFrame, n: int = 12) -> alt.Chart:
    """Mean |SHAP| per feature (by its label; the column name in the tooltip), controllable ones in blue."""
    d = drivers.head(n).assign(kind=lambda x: np.where(x["controllable"], "controllable", "fixed"),
                               label=lambda x: x["feature"].map(feature_label))
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("mean_abs_shap:Q", title=wrapped("Average impact on churn log-odds (mean |SHAP|)")),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color("kind:N", scale=KIND_COLORS, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("label:N", title="Driver"),
                 alt.Tooltip("mean_abs_shap:Q", format=".3f", title="Average impact (log-odds)"),
                 alt.Tooltip("direction:N", title="Direction"), alt.Tooltip("description:N", title="What it measures"),
                 alt.Tooltip("feature:N", title="Column in the data")],
    ).properties(height=100 + 26 * len(d))  # the height includes the axis and the legend


#: the most held-out customers the beeswarm draws (a seeded sample beyond)
BEESWARM_ROWS = 800

#: the colour of a dot without a value rank: a category (unordered) or a missing value
NO_RANK_COLOR = "#7f7f7f"


def _value_rank(x: pd.Series) -> pd.Series:
    """0..1 rank of a numeric feature's value (colour of a dot); empty for categories and missing values."""
    if not pd.api.types.is_numeric_dtype(x.dtype):
        return pd.Series(np.nan, index=x.index)
    return x.astype(float).rank(pct=True)


def _shown_value(x: pd.Series) -> np.ndarray:
    """A feature's values as the tooltip shows them: the category, the number, or "missing"."""
    return np.where(x.isna().to_numpy(), "missing", x.astype(str).to_numpy())


def sample_rows(values: pd.DataFrame, max_rows: int, seed: int) -> pd.Index:
    """The held-out rows a chart draws: all of them, or a seeded sample of ``max_rows``."""
    return values.index if len(values) <= max_rows else values.sample(max_rows, random_state=seed).index


def beeswarm_data(values: pd.DataFrame, X: pd.DataFrame, features: list[str], max_rows: int = BEESWARM_ROWS,
                  seed: int = 0) -> pd.DataFrame:
    """The beeswarm's dots: ``feature, label`` (:func:`core.history.feature_labels.feature_label`), ``shap, value``
    (shown), ``rank`` (0..1 for a numeric value, NaN for a
    category or a missing value) and ``jitter``, one row per sampled held-out customer and feature."""
    rows = sample_rows(values, max_rows, seed)
    rng = np.random.default_rng(seed)
    parts = []
    for f in features:
        parts.append(pd.DataFrame({"feature": f, "label": feature_label(f), "shap": values.loc[rows, f].to_numpy(),
                                   "value": _shown_value(X.loc[rows, f]),
                                   "rank": _value_rank(X[f]).loc[rows].to_numpy(),
                                   "jitter": rng.uniform(-0.4, 0.4, len(rows))}))
    return pd.concat(parts, ignore_index=True)


def beeswarm(values: pd.DataFrame, X: pd.DataFrame, features: list[str], max_rows: int = BEESWARM_ROWS,
             seed: int = 0) -> alt.Chart:
    """One dot per customer and feature at its SHAP value; colour = the feature's value (blue low, red high), grey
    for a category or a missing value (the tooltip names it).

    Two layers, because Vega-Lite drops a dot whose colour field is empty: the ranked dots, and the unranked ones
    in grey, so every feature's row shows all its dots."""
    d = beeswarm_data(values, X, features, max_rows, seed)
    labels = [feature_label(f) for f in features]
    base = alt.Chart().mark_circle(size=14, opacity=0.6).encode(
        x=alt.X("shap:Q", title=wrapped("Impact on churn log-odds (SHAP); right = more likely to churn")),
        y=alt.Y("label:N", sort=labels, title=None, scale=alt.Scale(domain=labels)),
        yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-0.5, 0.5])),
        tooltip=[alt.Tooltip("label:N", title="Driver"), alt.Tooltip("value:N", title="Value"),
                 alt.Tooltip("shap:Q", format=".3f", title="Impact (log-odds)"),
                 alt.Tooltip("feature:N", title="Column in the data")])  # typed: a layer may be empty
    ranked = base.properties(data=d[d["rank"].notna()]).encode(
        color=alt.Color("rank:Q", scale=alt.Scale(scheme="redblue", reverse=True), title="Feature value (rank)",
                        legend=alt.Legend(orient="bottom", format=".0%")))
    grey = base.properties(data=d[d["rank"].isna()].drop(columns="rank")).encode(color=alt.value(NO_RANK_COLOR))
    return alt.layer(ranked, grey).properties(height=110 + 36 * len(features))


def dependence_data(values: pd.DataFrame, X: pd.DataFrame, feature: str, max_rows: int = 2000,
                    seed: int = 0) -> pd.DataFrame:
    """The dependence chart's points ``value, shap`` of ``feature``: a category as text, a numeric feature without
    its missing values."""
    rows = sample_rows(values, max_rows, seed)
    d = pd.DataFrame({"value": X.loc[rows, feature].to_numpy(), "shap": values.loc[rows, feature].to_numpy()})
    if X[feature].dtype == object:
        return d.assign(value=d["value"].astype(str))
    return d.dropna(subset=["value"]).reset_index(drop=True)


def dependence(values: pd.DataFrame, X: pd.DataFrame, feature: str, max_rows: int = 2000, seed: int = 0) -> alt.Chart:
    """SHAP value of ``feature`` against its value: how the risk moves as the feature moves (axes by its label)."""
    d = dependence_data(values, X, feature, max_rows, seed)
    label = feature_label(feature)
    y = alt.Y("shap:Q", title=wrapped(f"Impact of {label} on churn log-odds"))
    if X[feature].dtype == object:
        return alt.Chart(d).mark_boxplot().encode(x=alt.X("value:N", title=label), y=y).properties(height=300)
    return alt.Chart(d).mark_circle(size=16, opacity=0.5).encode(
        x=alt.X("value:Q", title=label), y=y,
        tooltip=[alt.Tooltip("value:Q", format=",.2f", title=label),
                 alt.Tooltip("shap:Q", format=".3f", title="Impact (log-odds)")]).properties(height=300)


def waterfall_data(contrib: pd.Series, base: float, values: pd.Series, max_features: int = 10) -> pd.DataFrame:
    """The waterfall's steps ``step, start, end, delta, kind, order``: the average customer, the ``max_features``
    largest contributions (largest first), the others together, this customer."""
    order = contrib.abs().sort_values(ascending=False).index
    top, rest = list(order[:max_features]), list(order[max_features:])
    steps = [(f"{feature_label(f)} = {value_text(values[f])}", float(contrib[f])) for f in top]
    if rest:
        steps.append((f"{len(rest)} other features", float(contrib[rest].sum())))
    start = base
    rows = [{"step": "average customer", "start": 0.0, "end": base, "kind": "base", "delta": base}]
    for name, delta in steps:
        rows.append({"step": name, "start": start, "end": start + delta, "delta": delta,
                     "kind": "raises risk" if delta > 0 else "lowers risk"})
        start += delta
    rows.append({"step": "this customer", "start": 0.0, "end": start, "kind": "base", "delta": start})
    d = pd.DataFrame(rows)
    d["order"] = range(len(d))
    return d


def waterfall(contrib: pd.Series, base: float, values: pd.Series, max_features: int = 10) -> alt.Chart:
    """From the average customer's log-odds to this customer's, one bar per feature (largest first)."""
    d = waterfall_data(contrib, base, values, max_features)
    scale = alt.Scale(domain=["raises risk", "lowers risk", "base"], range=["#d62728", "#2ca02c", "#9e9e9e"])
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("step:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("start:Q", title="Churn log-odds"), x2="end:Q",
        color=alt.Color("kind:N", scale=scale, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("delta:Q", format="+.3f", title="Change (log-odds)"),
                 alt.Tooltip("end:Q", format=".3f", title="Log-odds after")],
    ).properties(height=90 + 30 * len(d))


def value_text(v) -> str:
    """A feature's value as the page writes it: a number to two decimals at most, "missing", or the category."""
    if v is None or v is pd.NA or v is pd.NaT:
        return "missing"
    if isinstance(v, float | np.floating):
        return "missing" if np.isnan(v) else f"{v:,.2f}".rstrip("0").rstrip(".")
    return str(v)


def calibration(table: pd.DataFrame) -> alt.Chart:
    """Observed against predicted churn per bin; the diagonal is perfect calibration."""
    top = float(max(table["mean_predicted"].max(), table["observed"].max()))
    diag = alt.Chart(pd.DataFrame({"x": [0, top], "y": [0, top]})).mark_line(color="#9e9e9e", strokeDash=[4, 4]) \
        .encode(x="x:Q", y="y:Q")
    pts = alt.Chart(table).mark_line(point=True).encode(
        x=alt.X("mean_predicted:Q", title="Predicted churn probability", axis=alt.Axis(format="%")),
        y=alt.Y("observed:Q", title="Observed churn rate", axis=alt.Axis(format="%")),
        color=alt.Color("probabilities:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(range=["#9e9e9e", "#1f77b4"])),
        tooltip=[alt.Tooltip("probabilities:N", title="Probabilities"), alt.Tooltip("customers:Q", title="Customers"),
                 alt.Tooltip("mean_predicted:Q", format=".1%", title="Predicted"),
                 alt.Tooltip("observed:Q", format=".1%", title="Observed")])
    return (diag + pts).properties(height=300)


def gains(table: pd.DataFrame) -> alt.Chart:
    """Share of churners caught when reaching the riskiest x % of customers, against random outreach."""
    d = pd.concat([pd.DataFrame({"cum_customers_share": [0.0], "cum_churners_share": [0.0]}), table],
                  ignore_index=True)
    diag = alt.Chart(pd.DataFrame({"x": [0, 1], "y": [0, 1]})).mark_line(color="#9e9e9e", strokeDash=[4, 4]) \
        .encode(x="x:Q", y="y:Q")
    line = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("cum_customers_share:Q", title="Customers reached, riskiest first", axis=alt.Axis(format="%")),
        y=alt.Y("cum_churners_share:Q", title="Churners caught", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("cum_customers_share:Q", format=".0%", title="Customers reached"),
                 alt.Tooltip("cum_churners_share:Q", format=".0%", title="Churners caught")])
    return (diag + line).properties(height=300)


def net_value(curve: pd.DataFrame, threshold: float) -> alt.Chart:
    """Net value of reaching everyone above each threshold; the rule marks the chosen threshold."""
    cols = [c for c in ("expected_net", "realised_net") if c in curve]
    names = {"expected_net": "expected (calibrated probabilities)", "realised_net": "what the held-out period paid"}
    d = curve.melt(id_vars=["threshold", "reached"], value_vars=cols, var_name="measure", value_name="net")
    d["measure"] = d["measure"].map(names)
    lines = alt.Chart(d).mark_line().encode(
        x=alt.X("threshold:Q", title=wrapped("Reach customers with churn probability at least"),
                axis=alt.Axis(format="%")),
        y=alt.Y("net:Q", title="Net value", axis=alt.Axis(format=",.0f")),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400),
                        scale=alt.Scale(range=["#1f77b4", "#ff7f0e"])),
        tooltip=[alt.Tooltip("threshold:Q", format=".0%", title="Threshold"),
                 alt.Tooltip("reached:Q", title="Customers reached"),
                 alt.Tooltip("net:Q", format=",.0f", title="Net value"), alt.Tooltip("measure:N", title="Measure")])
    rule = alt.Chart(pd.DataFrame({"t": [threshold]})).mark_rule(color="#d62728").encode(x="t:Q")
    return (lines + rule).properties(height=300)
