"""Acceptance of issue 20, point 6, on a generated bank-like snapshot (10,000 customers x 14 columns): imported as
customers the way the CLI imports the telco file, the churn model fitted the way ``python -m core churn`` fits it.
RowNumber, CustomerId and Surname are not features and the model card says why; the held-out ROC-AUC is at least
that of a plain HistGradientBoosting on the clean columns, same split and seed, minus 0.01."""

import contextlib
import io

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

import core
from core.churn.pipeline import Economics, fit_churn
from core.churn.store import card_markdown, model_card
from core.cli.main import main
from core.history.inputs import load_inputs
from tests.core.churn.bank import CLEAN, bank_snapshot

AS_OF = "2024-01-31"
NOT_FEATURES = ("RowNumber", "CustomerId", "Surname")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """(store url, the file's rows, the fitted result)."""
    folder = tmp_path_factory.mktemp("bank")
    raw = bank_snapshot(10_000, seed=0)
    path = folder / "bank_churn.csv"
    raw.to_csv(path, index=False)
    url = f"sqlite:///{folder / 'store.db'}"
    eng = core.make_engine(url)
    core.commit_import(eng, core.prepare_import(eng, path.read_bytes(), path.name, "customers", as_of=AS_OF))
    result = fit_churn(load_inputs(eng), horizon_days=90, n_cutoffs=6, test_size=0.25, seed=0)  # the CLI's defaults
    eng.dispose()
    return url, raw, result


def test_the_file_is_bank_like(bank):
    _, raw, _ = bank
    assert list(raw.columns) == ["RowNumber", "CustomerId", "Surname", *CLEAN, "Exited"]
    assert raw["Surname"].nunique() > 2500 and 0.15 < raw["Exited"].mean() < 0.25


def test_row_number_customer_id_and_surname_are_not_features_and_the_card_says_why(bank):
    _, raw, r = bank
    for data in (r.train, r.test, r.current):
        assert not set(NOT_FEATURES) & set(data.X.columns)
    assert not set(NOT_FEATURES) & set(r.model.features_) and not set(NOT_FEATURES) & set(r.drivers["feature"])
    kept = set(r.model.features_)
    assert kept == set(CLEAN) - {"Tenure"} | {"tenure_months"}  # Tenure arrives as the snapshot's tenure
    card = model_card(r, Economics(), 0.3)
    why = {e["column"]: e["reason"] for e in card["excluded"]}
    assert set(why) == {"customer id", "RowNumber", "Surname"}
    assert why["RowNumber"].startswith("a row number") and "1 to 10,000" in why["RowNumber"]
    assert why["Surname"].startswith("a person's name (personal data")
    assert f"{raw['Surname'].nunique():,} different values" in why["Surname"]
    assert "names a customer" in why["customer id"]
    assert {f["name"] for f in card["features"]} == kept
    text = card_markdown(card)
    assert "**Not used as features (3):** customer id: the key each customer" in text
    assert "RowNumber: a row number" in text and "Surname: a person's name" in text
    assert 'pooled into "other": none were rare' in text  # Geography and Gender have no rare category


def test_held_out_roc_auc_is_at_least_a_plain_boosted_model_on_the_clean_columns(bank):
    _, raw, r = bank
    rows = raw.set_index(raw["CustomerId"].astype(str))
    train, test = rows.loc[r.train.customer_id], rows.loc[r.test.customer_id]  # the pipeline's split, seed 0
    y_test = test["Exited"].to_numpy()
    assert np.array_equal(y_test, r.test.y) and np.array_equal(train["Exited"].to_numpy(), r.train.y)
    # the metric the pipeline reports, recomputed from the file's labels and the kept model's probabilities
    auc = roc_auc_score(y_test, r.model.predict_proba(r.test.X))
    assert r.metrics[r.best]["roc_auc"] == pytest.approx(auc, abs=1e-12)

    def clean(frame):
        return pd.get_dummies(frame[CLEAN], columns=["Geography", "Gender"], dtype=float)

    plain = HistGradientBoostingClassifier(random_state=0).fit(clean(train), train["Exited"])
    plain_auc = roc_auc_score(y_test, plain.predict_proba(clean(test).reindex(columns=clean(train).columns,
                                                                                fill_value=0.0))[:, 1])
    assert auc >= plain_auc - 0.01, (auc, plain_auc)
    assert r.drivers["feature"].iloc[0] in {"Age", "NumOfProducts"}  # the generator's two largest effects lead


def test_todays_customers_shap_equals_explaining_them_afresh(bank):
    """Today's customers held out too reuse the held-out rows' SHAP values; the rest are explained: both equal a
    fresh explanation, and values + base add up to the model's log-odds."""
    _, _, r = bank
    held_out = set(r.test.customer_id)
    pick = np.r_[np.flatnonzero(r.current.customer_id.isin(held_out))[:150],
                 np.flatnonzero(~r.current.customer_id.isin(held_out))[:150]]
    fresh = r.model.explain(r.current.X.iloc[pick])
    np.testing.assert_allclose(r.current_explanation.values.iloc[pick].to_numpy(), fresh.values.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(r.current_explanation.output[pick], fresh.output, atol=1e-9)
    ex = r.current_explanation
    np.testing.assert_allclose(ex.values.sum(axis=1) + ex.base, r.model.log_odds(r.current.X), atol=1e-6)


def test_the_cli_prints_the_columns_left_out_with_why(bank):
    url, _, _ = bank
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", url, "churn", "--drivers", "12"]) == 0
    text = out.getvalue()
    printed = text.split("top drivers")[1].split("not used as features:")[0]
    assert not any(name in printed for name in NOT_FEATURES)
    left_out = text.split("not used as features:\n")[1].splitlines()[:3]
    assert left_out[0].startswith("  customer id: the key each customer is stored under")
    assert left_out[1].startswith("  RowNumber: a row number (whole numbers from 1 to 10,000")
    assert left_out[2].startswith("  Surname: a person's name (personal data, recognised by the column's name")
