"""The Churn drivers page's SHAP overview (ui/churn/charts.py::beeswarm): every feature's row shows all its dots,
categorical and missing values included (Vega-Lite drops a dot whose colour field is empty)."""

import numpy as np
import pandas as pd

from ui.churn import charts


def visible_points(chart) -> pd.Series:
    """Feature -> dots Vega-Lite draws: per layer, the rows of its data whose colour is a constant or a field
    with a value (a row with an empty colour field is dropped by Vega-Lite, so it does not count)."""
    spec = chart.to_dict()
    counts = []
    for layer in spec.get("layer", [spec]):
        rows = pd.DataFrame(spec["datasets"][layer["data"]["name"]])
        color = layer["encoding"].get("color", {})
        if "field" in color:
            rows = rows[rows[color["field"]].notna()] if color["field"] in rows else rows.iloc[:0]
        counts.append(rows.groupby("feature").size())
    return pd.concat(counts).groupby(level=0).sum()


def _frames(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"usage": rng.normal(size=n), "tenure": rng.integers(1, 40, n).astype(float),
                      "plan": rng.choice(["Basic", "Pro", "Enterprise"], n).astype(object),
                      "segment": rng.choice(["SMB", "Mid"], n).astype(object),
                      "region": pd.Categorical(rng.choice(["EU", "US"], n)), "paid": rng.random(n) < 0.5})
    X.loc[X.index[:10], "usage"] = np.nan  # missing values are dots too
    return pd.DataFrame(rng.normal(size=X.shape), columns=X.columns), X


def test_every_feature_shows_every_dot():
    values, X = _frames()
    features = list(X.columns)
    counts = visible_points(charts.beeswarm(values, X, features))
    assert counts.reindex(features).tolist() == [len(X)] * len(features)


def test_categories_and_missing_values_are_grey_and_named():
    values, X = _frames()
    d = charts.beeswarm_data(values, X, list(X.columns))
    grey = d[d["rank"].isna()]
    assert set(grey["feature"]) == {"usage", "plan", "segment", "region"}
    assert set(grey.loc[grey["feature"] == "plan", "value"]) == {"Basic", "Pro", "Enterprise"}
    assert set(grey.loc[grey["feature"] == "usage", "value"]) == {"missing"}
    ranked = d[d["feature"] == "tenure"]
    np.testing.assert_allclose(ranked["rank"], X["tenure"].rank(pct=True))


def test_a_sample_keeps_every_feature():
    values, X = _frames(n=3000)
    counts = visible_points(charts.beeswarm(values, X, ["plan", "usage"], max_rows=500))
    assert counts.to_dict() == {"plan": 500, "usage": 500}
