"""The churn model on a purchase log (the CDNOW log's published 1/10 sample, built as tests/pages/store_kinds.py builds
kind "cdnow_sample"): churn is the lapse rule's (no purchase within N days of the last one), the held-out labels equal a
pandas computation from the raw file (a buyer already lapsed at a cutoff is not scored; an active one is labelled by a
lapse within the horizon), the card and the saved run carry N, and ``python -m core churn`` prints N and why
(``--lapse-days`` changes it). The default horizon is N (core/churn/horizon.py); with a shorter one the card reports the
held-out ROC-AUC among the buyers who could lapse within it, and why the headline is inflated."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import core
from core.churn import economics as cr_economics
from core.churn import horizon as churn_horizon
from core.churn import store as churn_store
from core.churn.feature_screen import pooled_categories
from core.churn.pipeline import Economics, fit_churn
from core.cli import churn as cli_churn
from core.cli.main import main
from core.history.inputs import load_inputs
from tests.pages import store_kinds


@pytest.fixture(scope="module")
def raw(shared) -> pd.DataFrame:
    """The CDNOW master log read with pandas alone (``customer_id, date, cds, amount``)."""
    return store_kinds.cdnow_sample_raw().rename(columns={"number_of_cds": "cds", "dollar_value": "amount"})


@pytest.fixture(scope="module")
def store(shared, tmp_path_factory) -> str:
    """A file store holding the CDNOW log's published 1/10 sample as a purchase log, imported as the Data page does."""
    return store_kinds.build("cdnow_sample", tmp_path_factory.mktemp("cdnow_churn"))


@pytest.fixture(scope="module")
def result(store):
    """A fit with the analyst's horizon of 90 days, shorter than N (the default is N: see the tests below)."""
    engine = core.make_engine(store)
    inputs = load_inputs(engine)
    yield inputs, fit_churn(inputs, horizon_days=90, n_boot=20)
    engine.dispose()


def _lapse_labels(raw: pd.DataFrame, n: int, cutoff: pd.Timestamp, horizon: int) -> pd.Series:
    """Buyers active on ``cutoff`` (a purchase in the ``n`` days up to it) -> lapsed on some day of the ``horizon``
    after it (no purchase in the ``n`` days up to that day), from the raw purchases alone, on a day grid."""
    start = cutoff - pd.Timedelta(days=n)
    grid = pd.date_range(start, cutoff + pd.Timedelta(days=horizon))
    seen = raw[(raw["date"] > start) & (raw["date"] <= grid[-1])]
    buyers = sorted(raw.loc[raw["date"] <= cutoff, "customer_id"].unique())
    bought = pd.crosstab(seen["customer_id"], seen["date"]).reindex(index=buyers, columns=grid, fill_value=0) > 0
    window = bought.T.rolling(n, min_periods=1).sum().T  # purchase days in the n days up to each day
    active = window[cutoff] > 0
    lapsed = (window.loc[:, grid > cutoff] == 0).any(axis=1)
    return (lapsed[active]).astype(int)


def test_the_model_learns_lapse_churn(result, raw):
    inputs, r = result
    n = inputs.lapse.days
    assert n == inputs.lapse.proposal.days == 210
    assert r.source == "temporal" and f"churn = no purchase within {n} days" in r.validation
    want = _lapse_labels(raw, n, r.test_cutoff, 90)
    got = pd.Series(r.test.y, index=r.test.customer_id.astype(str).to_numpy())
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, check_dtype=False)
    assert 10 <= r.test.y.sum() < len(r.test.y) - 10 and r.train.y.sum() >= 10
    assert r.metrics[r.best]["roc_auc"] > 0.7
    today = _lapse_labels(raw, n, pd.Timestamp("1998-06-30"), 0)
    assert sorted(r.current.customer_id.astype(str)) == sorted(today.index)  # buyers not lapsed by the last day


def test_the_card_and_the_saved_run_carry_n(result, store):
    inputs, r = result
    assert pooled_categories(r.model) == {}  # no categorical column in a purchase log: nothing pooled, no error
    card = churn_store.model_card(r, Economics(), 0.3)
    assert card["lapse"]["days"] == 210 and card["lapse"]["reason"] == inputs.lapse.proposal.reason
    label = next(line for line in churn_store.card_markdown(card).splitlines() if line.startswith("- **Label:**"))
    assert "no purchase follows the last one within 210 days" in label
    engine = core.make_engine(store)
    v = churn_store.save_run(engine, r, Economics(), "test-version")
    assert churn_store.saved_for(engine, "test-version", 90, 210) == v
    assert churn_store.saved_for(engine, "test-version", 90, 120) is None  # another N is another model
    assert churn_store.saved_for(engine, "test-version", 90) is None  # a store's own churn dates: not this one
    engine.dispose()


def test_the_default_horizon_is_n_on_a_purchase_log_and_90_on_the_demo(result, small_demo_store):
    inputs, _ = result
    assert inputs.lapse.days == 210
    assert churn_horizon.default_horizon(inputs.lapse.days) == 210
    assert churn_horizon.horizon_options(inputs.lapse.days) == [30, 60, 90, 180, 210]
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    demo = load_inputs(engine)
    engine.dispose()
    assert demo.lapse is None  # the demo has churn dates of its own: nothing changes
    assert churn_horizon.default_horizon(None) == 90
    assert churn_horizon.horizon_options(None) == [30, 60, 90, 180]


def _recency(raw: pd.DataFrame, ids, cutoff: pd.Timestamp) -> np.ndarray:
    """Days from each customer's last purchase on or before ``cutoff`` to it, from the raw file."""
    last = raw[raw["date"] <= cutoff].groupby("customer_id")["date"].max()
    return (cutoff - pd.Series(ids).astype(str).map(last)).dt.days.to_numpy()


def test_a_horizon_shorter_than_n_reports_the_auc_of_buyers_who_could_lapse(result, raw):
    inputs, r = result
    n, h = inputs.lapse.days, 90
    recency = _recency(raw, r.test.customer_id, r.test_cutoff)
    assert not np.isnan(recency).any()  # every held-out row is a buyer of the log
    keep = recency >= n - h
    assert r.test.y[~keep].sum() == 0  # a buyer who bought fewer than N - H days ago cannot lapse: the definition
    could = r.extra["could_lapse"]
    assert (could["rows"], could["churners"], could["all_rows"]) == (keep.sum(), r.test.y[keep].sum(), len(keep))
    assert could["min_recency_days"] == 120
    want = roc_auc_score(r.test.y[keep], r.p_test_raw[keep])
    assert could["roc_auc"][r.best] == pytest.approx(want, abs=1e-12)
    assert want < r.metrics[r.best]["roc_auc"] - 0.1  # the headline is mostly recency restating the definition
    card = churn_store.model_card(r, Economics(), 0.3)
    text = churn_store.card_markdown(card)
    assert f"among buyers who could lapse within 90 days** (last purchase at least 120 days before the cutoff): " \
           f"{want:.3f}" in text
    assert f"The held-out ROC-AUC of {r.metrics[r.best]['roc_auc']:.3f} is inflated: churn here is no purchase " \
           "within 210 days, so a buyer whose last purchase was fewer than 120 days before the cutoff cannot " \
           "lapse within 90 days" in text
    assert f"Among the {keep.sum():,} of {len(keep):,} held-out buyers who could lapse within 90 days" in text


@pytest.mark.parametrize("args, says", [
    ([], "purchase log: churn = no purchase within 210 days of the last one (proposed)"),
    (["--lapse-days", "150"], "purchase log: churn = no purchase within 150 days of the last one (--lapse-days; "
                              "proposed 210)"),
])
def test_the_cli_prints_n_and_why(store, capsys, args, says):
    assert main(["--db", store, "churn", "--drivers", "2", *args]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == says
    assert out[1].startswith("  why 210: 90% of the ") and "rounded up to 210 days" in out[1]
    n = 150 if args else 210
    assert f"churn = no purchase within {n} days of the last one" in out[2]
    assert f"(churn within {n} days of each cutoff)" in out[2]  # the default horizon follows N
    assert not any("is inflated" in line for line in out)  # every active buyer can lapse within N


def test_the_cli_says_why_a_shorter_horizon_inflates_the_auc(store, capsys):
    assert main(["--db", store, "churn", "--drivers", "2", "--horizon", "90"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "(churn within 90 days of each cutoff)" in out[2]
    line = next(line for line in out if "is inflated" in line)
    assert "a buyer whose last purchase was fewer than 120 days before the cutoff cannot lapse within 90 days" in line


def test_the_cli_says_when_lapse_days_is_not_used(capsys):
    cli_churn._print_lapse(None, 30)
    assert "not used" in capsys.readouterr().out
    cli_churn._print_lapse(None, None)
    assert capsys.readouterr().out == ""


def test_a_bad_lapse_period_is_one_line(store, capsys):
    assert main(["--db", store, "churn", "--lapse-days", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The lapse period must be a whole number of days") and err.count("\n") == 1


def test_scores_are_probabilities(result):
    _, r = result
    assert np.all((r.p_current >= 0) & (r.p_current <= 1))


def test_every_training_cutoff_is_judged_from_purchases(result, raw):
    inputs, r = result
    for c in r.train_cutoffs:
        want = _lapse_labels(raw, inputs.lapse.days, c, 90)
        rows = (r.train.cutoff == c).to_numpy()
        got = pd.Series(r.train.y[rows], index=r.train.customer_id[rows].astype(str).to_numpy())
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, check_dtype=False)


def test_no_renewal_feature_and_a_save_worth_a_buyers_revenue(result, raw):
    inputs, r = result
    assert "days_to_renewal" not in r.train.X and "days_to_renewal" in [e.column for e in r.screen.excluded]
    reason = next(e.reason for e in r.screen.excluded if e.column == "days_to_renewal")
    assert reason.startswith("a purchase log has no renewals")
    econ = cr_economics.default_economics(inputs)
    window = raw[(raw["date"] >= "1997-07-01") & (raw["date"] <= "1998-06-30")]
    per_buyer = window["amount"].sum() / window["customer_id"].nunique()
    assert econ.value_saved == pytest.approx(per_buyer, abs=0.01)
    assert econ.outreach_cost == pytest.approx(per_buyer / 10, abs=0.01)
    assert "mean revenue over the 12 months to 1998-06-30" in econ.basis
    card = churn_store.model_card(r, econ, 0.3)
    assert {"column": "days_to_renewal", "reason": reason} in card["excluded"]
    assert card["economics"]["basis"] == econ.basis
    text = churn_store.card_markdown(card)
    assert "Days to renewal: a purchase log has no renewals" in text and "mean revenue over the 12" in text
