"""The lapse rule's proposal with the gaps counted by an engine (core.buyers.engine_lapse) is the pandas path's
(core.buyers.lapse.propose_lapse_days), field for field: on the CDNOW log's published 1/10 sample in embedded DuckDB
over a SQLite store's files and inside PostgreSQL, for all its buyers and for some of them, and through the store's
view (store_proposal, store_days) on the sample and on the mix, whose book customers keep their own churn. The
quantile and the median taken from counted gaps are numpy's of the gaps written out, to the last bit."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.buyers import counted_quantiles, engine_lapse, lapse
from core.buyers.purchases import has_purchases, load_purchase_log
from core.query import choice
from tests.pages import store_kinds


@pytest.mark.parametrize("seed", range(40))
def test_the_quantile_and_median_of_counted_gaps_are_numpys(seed):
    rng = np.random.default_rng(seed)
    gaps = rng.integers(1, [3, 40, 400, 2000][seed % 4], size=int(rng.integers(1, 3000)) if seed % 5 else seed + 1)
    values, counts = np.unique(gaps, return_counts=True)
    for q in (0.5, 0.9, 0.95, 0.99, 0.123, 0.7777):
        assert counted_quantiles.quantile(values.astype(float), counts, q) == np.quantile(gaps, q)
    assert counted_quantiles.median(values.astype(float), counts) == np.median(gaps)


def test_too_few_gaps_fall_back_to_a_year():
    p = lapse.proposal_from_counts(np.array([3.0, 10.0]), np.array([2, 1]), buyers=4, repeat=2)
    assert (p.days, p.gaps, p.gap_quantile, p.median_gap) == (lapse.FALLBACK_DAYS, 3, np.quantile([3, 3, 10], 0.9), 3)
    none = lapse.proposal_from_counts(np.array([]), np.array([], int), buyers=0, repeat=0)
    assert none.days == lapse.FALLBACK_DAYS and none.gaps == 0 and np.isnan(none.gap_quantile)


def test_the_cdnow_sample_proposes_what_pandas_proposes(cdnow):
    engine, src = cdnow
    days = load_purchase_log(engine).days
    ids = days["customer_id"].unique()
    assert set(engine_lapse.buyer_ids(src)) == set(ids)
    for some in (ids, ids[::3]):
        want = lapse.propose_lapse_days(days[days["customer_id"].isin(some)])
        assert engine_lapse.proposal(src, some) == want
        assert want.gaps > 1000 and want.repeat_buyers < want.buyers and want.days >= want.gap_quantile


@pytest.mark.parametrize("kind", ["cdnow_sample", "mix"])
def test_the_stores_proposal_is_the_same_on_duckdb(kind, tmp_path, monkeypatch):
    engine = core.make_engine(store_kinds.build(kind, tmp_path))
    days = load_purchase_log(engine).days
    busiest = days["customer_id"].value_counts().index[:20]
    if kind == "mix":  # twenty of the log's busiest buyers pay MRR too: they keep their own churn, out of the rule
        book = "customer_id,period,mrr\n" + "".join(f"{c},1998-01-01,50\n" for c in busiest)
        core.commit_import(engine, core.prepare_import(engine, book.encode(), "mrr_of_buyers.csv", "revenue"))
    got = {}
    for name in ("pandas", "duckdb"):
        monkeypatch.setenv(choice.ENGINE_ENV, name)
        got[name] = (lapse.store_proposal(engine), lapse.store_days(engine), lapse.store_assumption(engine))
    assert got["duckdb"] == got["pandas"] and got["pandas"][0] is not None
    buyers = days["customer_id"].nunique()
    assert got["pandas"][0].buyers == (buyers - len(busiest) if kind == "mix" else buyers)
    engine.dispose()


def test_a_store_without_purchases_proposes_nothing_without_opening_an_engine(small_demo_store, monkeypatch):
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    monkeypatch.setenv(choice.ENGINE_ENV, "duckdb")
    monkeypatch.setattr(choice, "opened", lambda *a: pytest.fail("an engine was opened for a store without purchases"))
    assert not has_purchases(engine) and lapse.store_proposal(engine) is None and lapse.store_days(engine) is None
    engine.dispose()


def test_a_transactions_file_proposes_the_same_on_both(tmp_path, monkeypatch):
    engine = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    sales = "customer_id,date,amount\n" + "".join(f"c{i % 40},2024-{1 + i % 12:02d}-{1 + i % 27:02d},{10 + i}\n"
                                                  for i in range(400))
    core.commit_import(engine, core.prepare_import(engine, sales.encode(), "sales.csv", "transactions"))
    assert has_purchases(engine)
    got = {}
    for name in ("pandas", "duckdb"):
        monkeypatch.setenv(choice.ENGINE_ENV, name)
        got[name] = lapse.store_proposal(engine)
    assert got["duckdb"] == got["pandas"] and got["pandas"].buyers == 40
    engine.dispose()
