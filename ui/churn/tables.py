"""The Churn drivers page's tables as a leader reads them: features by label
(:func:`core.history.feature_labels.feature_label`), headers in plain words with their units, and the column's name
in the data kept for analysts ("Column in the data")."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.churn import plain as words
from core.export import units
from core.export.chart_text import percents
from core.history.feature_labels import feature_label
from ui import components
from ui.churn import charts

#: the header of the column that keeps a feature's name in the data, for analysts
CODE_NAME = "Column in the data"


def _labels(names: pd.Series) -> pd.Series:
    """Feature names as labels; no feature (None) as the missing mark."""
    return names.map(lambda f: units.MISSING if units.is_missing(f) else feature_label(f))


def drivers(d: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The drivers table (``feature, mean_abs_shap, controllable, direction, description``) and its column
    configuration."""
    shown = pd.DataFrame({"Driver": _labels(d["feature"]),
                          "Average impact on churn log-odds": d["mean_abs_shap"].to_numpy(),
                          "Kind": ["controllable" if c else "fixed" for c in d["controllable"]],
                          "Direction": d["direction"].to_numpy(), "What it measures": d["description"].to_numpy(),
                          CODE_NAME: d["feature"].to_numpy()})
    return shown, {"Average impact on churn log-odds": st.column_config.NumberColumn(
        format="%.3f", help="Mean |SHAP| on the held-out customers: how far the feature moves the predicted churn "
                            "log-odds, up or down, on average.")}


def customer_detail(names, values, contributions, controllable) -> pd.DataFrame:
    """One customer's features, largest contribution first: label, value, contribution, kind, name in the data."""
    names = pd.Series(list(names), dtype=object)
    d = pd.DataFrame({"Driver": _labels(names), "Value": [charts.value_text(v) for v in values],
                      "Contribution to churn log-odds": list(contributions),
                      "In plain words": [words.odds_change(c) for c in contributions],
                      "Kind": ["controllable" if c else "fixed" for c in controllable], CODE_NAME: names})
    return d.reindex(d["Contribution to churn log-odds"].abs().sort_values(ascending=False).index)


#: headers of the risk-tier customer list (its other columns: the probability and the links, set on the page)
SCORE_HEADERS = {"customer_id": "Customer", "name": "Name", "segment": "Segment", "plan": "Plan", "tier": "Risk tier",
                 "top_driver": "Top driver raising the risk", "top_controllable": "Top controllable driver"}


def scores(table: pd.DataFrame) -> pd.DataFrame:
    """The scored customers with their top drivers by label; a descriptive column the store does not fill (a
    purchase log's name, segment, plan) left out, a missing value in one shown as the missing mark."""
    empty = [c for c in ("name", "segment", "plan") if c in table and table[c].isna().all()]
    shown = table.drop(columns=empty)
    filled = {c: shown[c].astype(object).where(shown[c].notna(), units.MISSING)
              for c in ("name", "segment", "plan") if c in shown}
    return shown.assign(**filled, **{c: _labels(shown[c]) for c in ("top_driver", "top_controllable") if c in shown})


def score_columns() -> dict:
    return {c: st.column_config.TextColumn(label) for c, label in SCORE_HEADERS.items()}


def gains_columns() -> dict:
    """Headers and formats of the gains table (:func:`core.churn.pipeline.gains_table`)."""
    c = st.column_config
    return {"decile": c.NumberColumn("Decile (1 = riskiest)"), "customers": c.NumberColumn("Customers"),
            "churners": c.NumberColumn("Churners"),
            "churn_rate": components.percent("Churn rate"),
            "lift": c.NumberColumn("Lift", format="%.2fx"),
            "cum_customers_share": components.percent("Customers reached, riskiest first"),
            "cum_churners_share": components.percent("Churners caught"),
            "cum_lift": c.NumberColumn("Lift so far", format="%.2fx")}


def segment_columns(by: str) -> dict:
    """Headers and formats of the performance-by-segment table (:func:`core.churn.pipeline.segment_performance`)."""
    c = st.column_config
    return {"segment": c.TextColumn(feature_label(by)), "customers": c.NumberColumn("Customers"),
            "churners": c.NumberColumn("Churners"),
            "churn_rate": components.percent("Churn rate"),
            "mean_predicted": components.percent("Predicted churn"),
            "roc_auc": c.NumberColumn("ROC-AUC", format="%.3f"),
            "ranking": c.TextColumn("Ranks a churner above a stayer", help="The ROC-AUC in words: how often the "
                                    "model gives a churner of the segment a higher risk than a stayer of it (a coin "
                                    "toss: 50 times in 100)."),
            "calibration": c.NumberColumn("Calibration (predicted / observed)", format="%.3f"),
            "warning": c.TextColumn("Warning")}


# The charts' data as their CSV download gives it (issue 21: a chart's data one click away), headers in plain words.

def beeswarm_data(values: pd.DataFrame, rows: pd.Index, features: list[str], customer_ids: pd.Series) -> pd.DataFrame:
    """The beeswarm's dots as one row per held-out customer drawn (``rows`` of ``values``) and one column per feature:
    its impact on churn log-odds (SHAP)."""
    at = values.index.get_indexer(rows)
    out = pd.DataFrame({"Customer": customer_ids.astype(str).to_numpy()[at]})
    for f in features:
        out[f"{feature_label(f)}: impact on churn log-odds"] = values[f].to_numpy()[at]
    return out


def dependence_data(points: pd.DataFrame, feature: str) -> pd.DataFrame:
    """The dependence chart's points: the feature's value and its impact on churn log-odds."""
    return pd.DataFrame({feature_label(feature): points["value"].to_numpy(),
                         "Impact on churn log-odds (SHAP)": points["shap"].to_numpy()})


def net_value_data(curve: pd.DataFrame) -> pd.DataFrame:
    """The net-value curve: one row per threshold, the threshold in percent and the values in dollars to the
    cent."""
    out = pd.DataFrame({"Reach customers with churn probability at least (%)": percents(curve["threshold"]),
                        "Customers reached": curve["reached"].to_numpy()})
    if "churners_reached" in curve:
        out["Churners reached (held out)"] = curve["churners_reached"].to_numpy()
    out["Expected net value ($)"] = curve["expected_net"].astype(float).round(2).to_numpy()
    if "realised_net" in curve:
        out["Net value the held-out period paid ($)"] = curve["realised_net"].astype(float).round(2).to_numpy()
    return out


def calibration_data(table: pd.DataFrame) -> pd.DataFrame:
    """The calibration bins: predicted against observed churn in percent, before and after calibration."""
    return pd.DataFrame({"Probabilities": table["probabilities"].to_numpy(),
                         "Group (1 = lowest predicted risk)": table["bin"].to_numpy() + 1,
                         "Customers": table["customers"].to_numpy(),
                         "Predicted churn probability (%)": percents(table["mean_predicted"]),
                         "Observed churn rate (%)": percents(table["observed"])})


def waterfall_data(steps: pd.DataFrame) -> pd.DataFrame:
    """The waterfall's steps: from the average customer's log-odds to this customer's."""
    return pd.DataFrame({"Step": steps["step"].to_numpy(), "Change (log-odds)": steps["delta"].to_numpy(),
                         "Log-odds after": steps["end"].to_numpy(), "Kind": steps["kind"].to_numpy()})
