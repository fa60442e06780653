"""The churn model on a purchase log (the CDNOW 1/10 sample, imported with the importer): churn is the lapse rule's
(no purchase within N days of the last one), the held-out labels equal a pandas computation from the raw file (a
buyer already lapsed at a cutoff is not scored; an active one is labelled by a lapse within the horizon), the
card and the saved run carry N, and ``python -m core churn`` prints N and why (``--lapse-days`` changes it)."""

import numpy as np
import pandas as pd
import pytest

import core
from core.churn import economics as cr_economics
from core.churn import store as churn_store
from core.churn.feature_screen import pooled_categories
from core.churn.pipeline import Economics, fit_churn
from core.cli import churn as cli_churn
from core.cli.main import main
from core.history.inputs import load_inputs

SAMPLE = "cdnow/CDNOW_sample.txt"


@pytest.fixture(scope="module")
def raw(shared) -> pd.DataFrame:
    df = pd.read_csv(shared / SAMPLE, sep=r"\s+", header=None, dtype={"customer_id": str, "date": str},
                     names=["customer_id", "sample_id", "date", "cds", "amount"])
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


@pytest.fixture(scope="module")
def store(raw, tmp_path_factory) -> str:
    """A file store holding the sample as a purchase log (a CSV written with a header line)."""
    folder = tmp_path_factory.mktemp("cdnow_sample")
    path = folder / "orders.csv"
    raw.assign(date=raw["date"].dt.strftime("%Y-%m-%d"))[["customer_id", "date", "cds", "amount"]].rename(
        columns={"cds": "quantity"}).to_csv(path, index=False)
    url = f"sqlite:///{folder / 'store.db'}"
    engine = core.make_engine(url)
    core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, "transactions"))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def result(store):
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
    assert "days\\_to\\_renewal: a purchase log has no renewals" in text and "mean revenue over the 12" in text
