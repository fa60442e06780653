"""The text alternatives of the Churn drivers page's charts (issue 21): one sentence per chart with its key figure,
made from the frame the chart draws (figures written by :mod:`core.export.units`, features by
:func:`core.history.feature_labels.feature_label`).

Rules:

* Importance bars: the strongest driver (the largest mean |SHAP|) and how far it moves the odds of churning on
  average (:func:`core.churn.plain.mean_abs_shap`), among the bars shown.
* Beeswarm and dependence: the feature and its direction. A numeric feature's direction is the sign of the
  correlation between its value (or value rank) and its SHAP value: above :data:`CLEAR` the risk rises with it,
  below ``-CLEAR`` it falls, in between there is no clear direction. A category's: the value with the highest and
  the value with the lowest average SHAP value.
* Net value: the expected net value at the chosen threshold (the curve's point nearest it), with the customers
  reached, and the best expected net value on the curve.
* Calibration: predicted against observed churn in the riskiest bin of the calibrated probabilities (a tenth of the
  held-out customers when there are 10 bins; with fewer, tied probabilities share a bin, and the sentence counts
  its customers).
* Gains: the share of churners found in the riskiest 20 % of customers (the gains row whose cumulative customer
  share is nearest 20 %), against the 20 % a random list finds.
* Waterfall: the customer's churn probability and its largest single contribution (the first step after the
  average customer: the steps are ordered largest first).
"""

from __future__ import annotations

import pandas as pd

from core.churn import plain as words
from core.export import chart_text, units
from core.history.feature_labels import feature_label

#: a correlation (value against SHAP value) weaker than this, either way, is "no clear direction"
CLEAR = 0.1
#: the share of the riskiest customers the gains sentence reads
GAINS_SHARE = 0.2


def importance(drivers: pd.DataFrame) -> str:
    """``drivers`` (``feature, mean_abs_shap``, the bars shown): the strongest driver in words."""
    if drivers.empty:
        return chart_text.none_shown("Drivers")
    top = drivers.loc[drivers["mean_abs_shap"].idxmax()]
    text = words.mean_abs_shap(feature_label(top["feature"]), float(top["mean_abs_shap"]))
    effect = text.split(": ", 1)[1]
    of = f" (of {len(drivers):,} drivers shown)" if len(drivers) > 1 else ""
    return f"Strongest driver: {feature_label(top['feature'])}; {effect}{of}."


def direction(label: str, values: pd.Series, shap: pd.Series) -> str:
    """How the churn risk moves with feature ``label``: numeric ``values`` by the sign of their correlation with
    ``shap``, categories by the values with the highest and lowest average SHAP value."""
    values, shap = pd.Series(values).reset_index(drop=True), pd.Series(shap, dtype=float).reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(values.dtype):
        ok = values.notna() & shap.notna()
        r = values[ok].astype(float).corr(shap[ok]) if ok.sum() > 2 else float("nan")
        if units.is_missing(r) or abs(r) < CLEAR:
            return f"{label}: no clear direction of the churn risk"
        return f"{label}: the higher it is, the {'higher' if r > 0 else 'lower'} the churn risk"
    means = shap.groupby(values.astype(str).to_numpy()).mean().dropna()
    if len(means) < 2:
        return f"{label}: one value only, no direction"
    return f"{label}: churn risk highest for {means.idxmax()}, lowest for {means.idxmin()}"


def beeswarm(dots: pd.DataFrame) -> str:
    """The beeswarm's dots (``feature, shap, value, rank``; the features in the chart's order, strongest first):
    the strongest feature and its direction (by value rank; a category by its values)."""
    if dots.empty:
        return chart_text.none_shown("Every customer, every driver")
    feature = dots["feature"].iloc[0]
    d = dots[dots["feature"] == feature]
    ranked = d["rank"].notna()
    values = d.loc[ranked, "rank"] if ranked.any() else d["value"]
    shap = d.loc[ranked, "shap"] if ranked.any() else d["shap"]
    n = dots["feature"].nunique()
    return f"Strongest of {n:,} drivers, {direction(feature_label(feature), values, shap)} (a dot per customer)."


def dependence(points: pd.DataFrame, feature: str) -> str:
    """The dependence chart's points (``value, shap``) of ``feature``: its direction."""
    if points.empty:
        return chart_text.none_shown(f"Impact of {feature_label(feature)}")
    return direction(feature_label(feature), points["value"], points["shap"]) + "."


def net_value(curve: pd.DataFrame, threshold: float) -> str:
    """The net-value curve (``threshold, reached, expected_net``) read at ``threshold`` and at its best point."""
    if curve.empty:
        return chart_text.none_shown("Net value")
    at = curve.loc[(curve["threshold"] - threshold).abs().idxmin()]
    best = curve.loc[curve["expected_net"].idxmax()]
    return (f"Expected net value at a churn probability of {units.percent(at['threshold'], digits=0)} or more: "
            f"{units.money(at['expected_net'])} for {units.count(at['reached'])} customers reached; highest at "
            f"{units.percent(best['threshold'], digits=0)}: {units.money(best['expected_net'])}.")


def calibration(table: pd.DataFrame) -> str:
    """The calibration bins (``bin, customers, mean_predicted, observed, probabilities``): predicted against
    observed in the riskiest bin of the calibrated probabilities (of the first group when none is calibrated)."""
    if table.empty:
        return chart_text.none_shown("Calibration")
    cal = table[table["probabilities"] == "calibrated"] if "calibrated" in set(table["probabilities"]) else \
        table[table["probabilities"] == table["probabilities"].iloc[0]]
    top = cal.loc[cal["bin"].idxmax()]
    which = "Riskiest tenth of the held-out customers" if len(cal) == 10 else \
        f"Riskiest {units.count(top['customers'])} held-out customers"
    return chart_text.against(which, f"{units.percent(top['mean_predicted'])} predicted churn",
                              f"{units.percent(top['observed'])} observed")


def gains(table: pd.DataFrame, share: float = GAINS_SHARE) -> str:
    """The gains table (``cum_customers_share, cum_churners_share``): the churners found in the riskiest
    ``share`` of the customers, against what a random list finds."""
    if table.empty:
        return chart_text.none_shown("Gains")
    row = table.loc[(table["cum_customers_share"] - share).abs().idxmin()]
    reached = units.percent(row["cum_customers_share"], digits=0)
    return (f"The riskiest {reached} of the customers hold {units.percent(row['cum_churners_share'])} of the "
            f"churners (a random {reached} would hold {reached}).")


def waterfall(steps: pd.DataFrame, probability: float) -> str:
    """The waterfall's steps (``step, delta, kind``: the average customer, the contributions largest first, this
    customer) and the customer's churn ``probability``: the probability and the largest contribution."""
    moves = steps[steps["kind"] != "base"]
    head = f"Chance of churning: {units.percent(probability)}"
    if moves.empty:
        return head + "."
    top = moves.iloc[0]
    return f"{head}; largest contribution: {top['step']}, which {words.odds_change(float(top['delta']))}."
