"""Churn models on the telco snapshot: held-out metrics, the better model, drivers, SHAP additivity."""

import numpy as np
import pandas as pd
import pytest

import core
from core.churn import ChurnModel, compare_models, is_controllable, snapshot_features
from core.errors import DataValidationError


@pytest.fixture(scope="module")
def telco(shared):
    eng = core.make_engine("sqlite://")
    path = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    core.commit_import(eng, core.prepare_import(eng, path.read_bytes(), path.name, "customers", as_of="2024-01-31"))
    return snapshot_features(core.load_table(eng, "customer"), as_of="2024-01-31"), pd.read_csv(path)


@pytest.fixture(scope="module")
def report(telco):
    return compare_models(telco[0], test_size=0.25, seed=0, n_boot=100)


def test_features_and_label_come_from_the_store(telco):
    data, raw = telco
    assert len(data.X) == 7043 and data.y.sum() == 1869
    # tenure recovered from the derived signup date; the contract type arrives as plan
    by_id = dict(zip(data.customer_id, data.X["tenure_months"]))
    assert all(by_id[c] == t for c, t in zip(raw["customerID"], raw["tenure"]))  # exactly the file's tenure
    assert set(data.X["plan"]) == {"Month-to-month", "One year", "Two year"}
    assert "customerID" not in data.X and "MonthlyCharges" in data.X
    assert data.X["TotalCharges"].isna().sum() == 11  # the blank charges stay missing, imputed in the model


def test_both_models_reported_on_a_held_out_quarter_and_the_better_one_is_kept(report, telco):
    data, _ = telco
    assert set(report.metrics) == {"logistic", "boosting"}
    assert len(report.test_index) == round(0.25 * len(data.y))
    best = report.metrics[report.best]
    assert best["roc_auc"] >= 0.84
    assert best["roc_auc"] == max(m["roc_auc"] for m in report.metrics.values())
    lo, hi = best["roc_auc_ci"]
    assert lo < best["roc_auc"] < hi and hi - lo < 0.06
    assert 0.5 < best["pr_auc"] < 1 and 0 < best["brier"] < 0.25


def test_contract_and_tenure_are_top_drivers(report):
    top = report.drivers["feature"].head(5).tolist()
    assert "plan" in top and "tenure_months" in top
    assert report.drivers.set_index("feature").loc["tenure_months", "controllable"] == False  # noqa: E712
    assert report.drivers.set_index("feature").loc["plan", "controllable"] == True  # noqa: E712


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_shap_values_plus_base_add_up_to_the_model_output(telco, kind):
    data, _ = telco
    X = data.X.iloc[:1500]
    m = ChurnModel(kind, random_state=0).fit(X, data.y[:1500])
    ex = m.explain(X.iloc[:300], background=X.iloc[300:800])
    total = ex.values.sum(axis=1).to_numpy() + ex.base
    np.testing.assert_allclose(total, ex.output, atol=1e-4)
    assert list(ex.values.columns) == list(X.columns)


def test_errors_are_plain():
    with pytest.raises(DataValidationError, match="not fitted"):
        ChurnModel().predict_proba(pd.DataFrame({"a": [1]}))
    with pytest.raises(DataValidationError, match="Unknown model"):
        ChurnModel("forest").fit(pd.DataFrame({"a": [1.0, 2.0]}), [0, 1])
    assert is_controllable("support_speed") and not is_controllable("region")


def test_cli_churn_prints_both_models_and_drivers(tmp_path, capsys, shared):
    from core.cli import main

    url = f"sqlite:///{tmp_path / 's.db'}"
    path = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    assert main(["--db", url, "import", str(path), "--kind", "customers", "--as-of", "2024-01-31"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "churn", "--drivers", "5"]) == 0
    out = capsys.readouterr().out
    assert "7,043 customers, 1,869 churned; held out 1,761" in out
    assert "logistic  ROC-AUC 0.844" in out and "<- used" in out
    assert "tenure_months" in out and "fixed" in out
    assert main(["--db", f"sqlite:///{tmp_path / 'empty.db'}", "churn"]) == 2  # empty store: clear message
    assert "no customers" in capsys.readouterr().err
