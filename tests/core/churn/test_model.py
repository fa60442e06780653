"""Churn models on the telco snapshot: held-out metrics, the better model, drivers, SHAP additivity,
calibration, saved versions and scores, the CLI."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import core
from core.churn.model import ChurnModel, _resampled_scores, evaluate, is_controllable, snapshot_features
from core.churn.pipeline import Economics, fit_churn
from core.churn.store import card_markdown, latest_scores, load_model, model_card, runs, save_run
from core.errors import DataValidationError, InsufficientDataError
from core.history.feature_labels import feature_label
from core.history.inputs import load_inputs


@pytest.fixture(scope="module")
def telco_store(shared):
    eng = core.make_engine("sqlite://")
    path = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    core.commit_import(eng, core.prepare_import(eng, path.read_bytes(), path.name, "customers", as_of="2024-01-31"))
    return eng


@pytest.fixture(scope="module")
def telco(telco_store, shared):
    path = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    return snapshot_features(core.load_table(telco_store, "customer"), as_of="2024-01-31"), pd.read_csv(path)


@pytest.fixture(scope="module")
def report(telco_store):
    return fit_churn(load_inputs(telco_store), test_size=0.25, seed=0, n_boot=100)


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
    assert report.source == "snapshot" and report.validation.startswith("random split")
    assert set(report.metrics) == {"logistic", "boosting"}
    assert len(report.test.y) == round(0.25 * len(data.y)) and report.metrics["logistic"]["n"] == len(report.test.y)
    assert report.test.y.mean() == pytest.approx(data.y.mean(), abs=0.002)  # stratified
    best = report.metrics[report.best]
    assert best["roc_auc"] >= 0.84
    assert best["roc_auc"] == max(m["roc_auc"] for m in report.metrics.values())
    lo, hi = best["roc_auc_ci"]
    assert lo < best["roc_auc"] < hi and hi - lo < 0.06
    assert 0.5 < best["pr_auc"] < 1 and 0 < best["brier"] < 0.25
    assert report.best == "logistic" and report.metrics["boosting"]["roc_auc"] > 0.8


def test_calibrated_probabilities_match_the_held_out_churn_rate(report):
    p, y = report.p_test, report.test.y
    assert abs(p.mean() - y.mean()) < 0.02
    for lo, hi in ((0, 0.2), (0.5, 1.01)):  # low-risk bins churn rarely, high-risk bins mostly
        m = (p >= lo) & (p < hi)
        assert abs(y[m].mean() - p[m].mean()) < 0.06
    assert report.model.calibration_method_ == "isotonic"
    assert report.brier_calibrated < 0.15
    # today's customers are those not churned at the snapshot
    assert len(report.current.X) == 7043 - 1869


def test_contract_and_tenure_are_top_drivers(report):
    top = report.drivers["feature"].head(5).tolist()
    assert report.drivers["feature"].iloc[0] == "tenure_months"
    assert "tenure_months" not in report.controllable_drivers()["feature"].tolist()
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
    from core.cli.main import main

    url = f"sqlite:///{tmp_path / 's.db'}"
    path = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    assert main(["--db", url, "import", str(path), "--kind", "customers", "--as-of", "2024-01-31"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "churn", "--drivers", "5", "--save", "--scores", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    assert "7,043 rows, 1,869 churned; held out 1,761" in out
    assert "logistic  ROC-AUC 0.844" in out and "<- used" in out
    assert "in plain words: The model ranks a churner above a stayer 84 times in 100" in out  # 0.844: 84 in 100
    assert "tenure_months" in out and "fixed" in out
    assert "saved churn model v1 and 5,174 scores" in out
    scores = pd.read_csv(tmp_path / "s.csv")
    assert len(scores) == 5174 and set(scores["tier"]) <= {"high risk", "medium risk", "low risk"}
    assert main(["--db", f"sqlite:///{tmp_path / 'empty.db'}", "churn"]) == 2  # empty store: clear message
    assert "no customers" in capsys.readouterr().err
    assert main(["--db", url, "churn", "--horizon", "3"]) == 2
    assert "too short" in capsys.readouterr().err


def test_saved_versions_hold_the_model_card_and_scores(report, tmp_path):
    eng = core.make_engine(f"sqlite:///{tmp_path / 'v.db'}")
    with pytest.raises(InsufficientDataError, match="No churn model is saved"):
        latest_scores(eng)
    econ = Economics(value_saved=1000, outreach_cost=100, success_rate=0.5)
    v1 = save_run(eng, report, econ, "1:1")
    v2 = save_run(eng, report, econ, "1:1")
    assert (v1, v2) == (1, 2) and runs(eng)["version"].tolist() == [2, 1]
    s = latest_scores(eng)
    assert (s["version"] == 2).all() and len(s) == len(report.p_current)
    np.testing.assert_allclose(s["probability"], report.p_current)
    t = runs(eng)["threshold"].iloc[0]
    assert t == pytest.approx(0.2, abs=0.01)  # break-even = 100 / (0.5 x 1000)
    assert ((s["tier"] == "high risk") == (s["probability"] >= t)).all()
    # the top driver of a high-risk customer pushes its risk up
    row = s[s["tier"] == "high risk"].iloc[0]
    i = report.current.customer_id.tolist().index(row["customer_id"])
    assert report.current_explanation.values.loc[i, row["top_driver"]] > 0
    back = load_model(eng, 2)
    np.testing.assert_allclose(back.predict_proba(report.current.X, calibrated=True), report.p_current)
    card = model_card(report, econ, t, version=2)
    md = card_markdown(card)
    assert "v2" in md and "random split" in md and feature_label("tenure_months") in md and "Limits" in md
    auc = report.metrics[card["model"]]["roc_auc"]
    assert f"**Held-out ROC-AUC** {auc:.3f} [" in md  # the unit formatter's score: 3 decimals
    assert f"save worth ${econ.value_saved:,.0f}, outreach ${econ.outreach_cost:,.0f}" in md
    assert card["rows"]["test"] == 1761 and card["metrics"]["logistic"]["roc_auc"] == report.metrics["logistic"][
        "roc_auc"]


def test_telco_keeps_every_candidate_column(report):
    """The screen leaves nothing of the telco file out: its id is the store's key, its other columns describe."""
    assert report.screen.excluded == [] and report.screen.customers == 7043
    assert report.screen.features == list(report.train.X.columns) and "customerID" not in report.train.X


@pytest.mark.parametrize("ties", [False, True])
def test_bootstrap_intervals_equal_sklearn_on_each_resample(ties):
    """The vectorised bootstrap gives what sklearn gives on the same resamples (one-class resamples left out)."""
    rng = np.random.default_rng(7)
    for n in (15, 1500):
        p = rng.integers(0, 12, n) / 12 if ties else rng.random(n)
        y = (rng.random(n) < 0.2 + 0.5 * p).astype(int)
        for name, metric in (("roc_auc", roc_auc_score), ("pr_auc", average_precision_score)):
            draws = np.random.default_rng(11)
            expected = []
            for _ in range(60):
                idx = draws.integers(0, n, n)
                if y[idx].min() != y[idx].max():
                    expected.append(metric(y[idx], p[idx]))
            got = _resampled_scores(name, y, p, 60, 11, block=7 * n)  # several blocks of resamples
            np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
        m = evaluate(y, p, n_boot=60, seed=11)
        assert m["roc_auc_ci"] == (np.percentile(_resampled_scores("roc_auc", y, p, 60, 11), 2.5),
                                   np.percentile(_resampled_scores("roc_auc", y, p, 60, 11), 97.5))
