"""A purchase log's buyer figures summed by an engine (core.buyers.engine_purchases) equal the pandas path's
(core.buyers.metrics over core.buyers.purchases' log) to 1e-9: on a log known by hand (a sale that is a purchase, a
return, a sale of nothing, two purchases on one day, recurring revenue beside it), on the CDNOW log's published 1/10
sample in embedded DuckDB over a SQLite store's files and inside PostgreSQL, for every month of the sparklines and for
half its customers, and on the mix (a recurring book beside the log). The Overview built by the view rule
(core.buyers.overview_views) shows the same buyer figures on DuckDB and on pandas, and the store's purchase files
follow its imports."""

from __future__ import annotations

import dataclasses

import ibis
import pandas as pd
import pyarrow as pa
import pytest

import core
from core.buyers import engine_purchases as ep
from core.buyers import metrics as buyers
from core.buyers import overview_views
from core.buyers.lapse import store_days
from core.buyers.purchases import load_purchase_log, purchase_log
from core.errors import InsufficientDataError
from core.query import choice, sources
from core.store import table_files
from core.store.profile import profile
from core.store.read import load_columns
from tests.core.buyers.test_engine_headline import _same_overview
from tests.pages import store_kinds

CUSTOMERS = ["customer_id", "signup_date", "churn_date", "segment"]


def _by_hand() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """customers, purchase activity and revenue: the window of May 2024 runs from June 2023 to May 2024.

    a: two purchases on 1 Mar (one day), one on 2 May, a sale on 2 May (the same day): 2 days, 30 revenue;
    b: a purchase on 2 May and recurring revenue (never a sale): 1 day; c: a purchase before the window only;
    d: a sale on 20 Apr (a purchase day), a purchase on 10 May, a return on 20 May: 2 days, 50 - 20 revenue;
    e: a sale of nothing (0) and a cancelled line flagged a return with a positive amount (15): neither is a
    purchase, both count in revenue."""
    customers = pd.DataFrame({"customer_id": list("abcde"), "signup_date": pd.NaT, "churn_date": pd.NaT})
    activity = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "c", "d"], "metric": "purchase",
                             "date": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-05-02", "2024-05-02",
                                                     "2023-01-15", "2024-05-10"])})
    revenue = pd.DataFrame({"customer_id": ["a", "d", "d", "e", "b", "e"],
                            "period": pd.to_datetime(["2024-05-02", "2024-04-20", "2024-05-20", "2024-05-05",
                                                      "2024-05-01", "2024-05-06"]),
                            "mrr": [None, None, None, None, 100.0, None],
                            "amount": [30.0, 50.0, -20.0, 0.0, None, 15.0],
                            "is_return": [False, False, True, False, None, True]})
    return customers, activity, revenue


def _hand_source(activity: pd.DataFrame, revenue: pd.DataFrame | None) -> sources.Source:
    purchases = pa.table({"customer_id": activity["customer_id"].to_numpy(dtype=object),
                          "date": pa.array(activity["date"].to_numpy(dtype="datetime64[D]"), pa.date32())})
    if revenue is None:
        return sources.Source("by hand", ibis.duckdb.connect(), None, purchases=ibis.memtable(purchases))
    rev = pa.table({"customer_id": revenue["customer_id"].to_numpy(dtype=object),
                    "period": pa.array(revenue["period"].to_numpy(dtype="datetime64[D]"), pa.date32()),
                    "mrr": pa.array(revenue["mrr"].to_numpy(dtype=float), pa.float64(), from_pandas=True),
                    "amount": pa.array(revenue["amount"].to_numpy(dtype=float), pa.float64(), from_pandas=True),
                    "is_return": pa.array(revenue["is_return"].tolist(), pa.bool_())})
    return sources.Source("by hand", ibis.duckdb.connect(), None, revenue=ibis.memtable(rev),
                          purchases=ibis.memtable(purchases))


def _same_figures(got: buyers.BuyerFigures, want: buyers.BuyerFigures) -> None:
    for field, value in dataclasses.asdict(want).items():
        same = value if field in ("as_of", "start") else pytest.approx(value, rel=1e-9, nan_ok=True)
        assert getattr(got, field) == same, field


def test_a_log_known_by_hand():
    customers, activity, revenue = _by_hand()
    log = purchase_log(activity, revenue)
    want = buyers.buyer_figures(log, "2024-05-31")
    assert (want.active_buyers, want.repeat_rate, want.purchase_frequency, want.revenue, want.revenue_per_buyer) == \
        (3, pytest.approx(2 / 3), pytest.approx(5 / 3), 75.0, 25.0)
    with _hand_source(activity, revenue) as src:
        assert ep.default_as_of(src, customers) == pd.Timestamp("2024-05-20") == buyers.default_as_of(log)
        _same_figures(ep.buyer_figures(src, customers, "2024-05-31"), want)
        _same_figures(ep.buyer_figures(src, customers), buyers.buyer_figures(log))
        pd.testing.assert_frame_equal(ep.buyer_trend(src, customers, "2024-05-31", 18),
                                      buyers.buyer_trend(log, "2024-05-31", 18), check_exact=False, rtol=1e-9)
        one = customers[customers["customer_id"] == "d"]
        _same_figures(ep.buyer_figures(src, one, "2024-05-31"),
                      buyers.buyer_figures(log.for_customers(["d"]), "2024-05-31"))
        nobody = customers[customers["customer_id"] == "zz"]
        with pytest.raises(InsufficientDataError, match="no purchases"):
            ep.buyer_figures(src, nobody)


def test_a_log_without_amounts_has_no_revenue():
    customers, activity, _ = _by_hand()
    log = purchase_log(activity)
    with _hand_source(activity, None) as src:
        got = ep.buyer_figures(src, customers, "2024-05-31")
    _same_figures(got, buyers.buyer_figures(log, "2024-05-31"))
    assert pd.isna(got.revenue) and got.active_buyers == 3


def test_the_cdnow_sample_equals_pandas_every_month_and_for_half_its_customers(cdnow):
    engine, src = cdnow
    assert src.purchases is not None
    customers = load_columns(engine, "customer", CUSTOMERS)
    log = load_purchase_log(engine)
    for people in (customers, customers.iloc[::2]):
        part = log.for_customers(people["customer_id"])
        last = buyers.default_as_of(part)
        assert ep.default_as_of(src, people) == last
        for as_of in (None, "1997-06-30", "1999-03-31"):
            _same_figures(ep.buyer_figures(src, people, as_of), buyers.buyer_figures(part, as_of))
        want = buyers.buyer_trend(part, last, 24)
        pd.testing.assert_frame_equal(ep.buyer_trend(src, people, last, 24), want, check_exact=False, rtol=1e-9)
        assert want["active_buyers"].max() > 500 and want["revenue"].max() > 10_000


def test_the_overview_of_a_purchase_log_and_of_the_mix_is_the_same_on_duckdb(tmp_path, monkeypatch):
    for kind in ("cdnow_sample", "mix"):
        (tmp_path / kind).mkdir()
        engine = core.make_engine(store_kinds.build(kind, tmp_path / kind))
        found = profile(engine)
        customers = load_columns(engine, "customer", CUSTOMERS)
        revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
        log, days = load_purchase_log(engine), store_days(engine)
        asked, real = [], ep.buyer_sums
        monkeypatch.setattr(ep, "buyer_sums", lambda *a, real=real, asked=asked: asked.append(1) or real(*a))
        built = {}
        for name in ("pandas", "duckdb"):
            monkeypatch.setenv(choice.ENGINE_ENV, name)
            built[name] = overview_views.overview(engine, found, customers, revenue, log, start="1997-06-01",
                                                  lapse_days=days)
        assert len(asked) == 2  # the engine added up the buyer figures (the window, then the sparklines)
        assert "buyers" in [s.key for s in built["duckdb"].sections]
        _same_overview(built["duckdb"], built["pandas"])
        engine.dispose()


def test_the_purchase_files_follow_the_imports(tmp_path):
    engine = core.make_engine(store_kinds.build("cdnow_sample", tmp_path))
    files = table_files.checked_files(engine, "purchase")
    assert len(files) == 1 and files[0].exists()
    assert pa.parquet.read_metadata(files[0]).num_rows == len(load_columns(engine, "activity", ["id"]))
    with sources.embedded(engine) as src:
        assert src.purchases is not None and "is_return" in src.revenue.columns
    core.undo_import(engine, int(core.import_history(engine)["id"].iloc[0]))
    assert table_files.checked_files(engine, "purchase") == [] and not files[0].exists()
    with sources.embedded(engine) as src:
        assert src.purchases is None and src.revenue is None
    engine.dispose()


def test_a_usage_log_has_no_purchase_files(small_demo_store):
    engine = core.make_engine(f"sqlite:///{small_demo_store}")
    assert table_files.checked_files(engine, "purchase") == []
    with sources.embedded(engine) as src:
        assert src.purchases is None and src.activity is not None
    engine.dispose()
