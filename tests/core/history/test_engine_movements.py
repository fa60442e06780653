"""MRR movements summed by an engine (core.history.engine_movements) equal core.history.movements.mrr_movements:
on the 1,000-customer demo (embedded DuckDB over the column files; all customers, one segment, date ranges), on
the mix (a recurring book beside a purchase log's sales, which carry no MRR), inside PostgreSQL, and on a history
known by hand (a month summing to zero, a negative row, two rows in one month, a return after a gap); the CLI and
the review follow the configured engine as the Overview page does."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pyarrow as pa
import pytest

import core
from core.cli.main import main as cli
from core.history import engine_movements as em
from core.history.engine_movements import engine_movements
from core.history.movements import mrr_movements
from core.query import choice, sources
from core.review import figures
from tests.conftest import copy_store
from tests.pages import store_kinds

RANGES = [(None, None), ("2024-06-15", None), (None, "2025-12-31"), ("2025-01-01", "2025-06-30"),
          ("2030-01-01", None)]


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-6)


@pytest.fixture(scope="module")
def demo(small_demo_store, tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('moves'))}")
    src = sources.embedded(engine)
    yield src, core.load_table(engine, "customer"), core.load_table(engine, "revenue")
    src.close()
    engine.dispose()


def _of(revenue: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    return revenue[revenue["customer_id"].isin(set(customers["customer_id"]))]


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_the_demo_equals_pandas_over_every_range(demo, start, end):
    src, customers, revenue = demo
    want = mrr_movements(revenue, start=start, end=end)
    _same(engine_movements(src, customers, start, end), want)
    assert start == "2030-01-01" or (len(want) >= 6 and want[["new", "churned", "expansion"]].gt(0).any().all())


def test_one_segment_equals_pandas(demo):
    src, customers, revenue = demo
    smb = customers[customers["segment"] == customers["segment"].dropna().iloc[0]]
    _same(engine_movements(src, smb), mrr_movements(_of(revenue, smb)))
    assert engine_movements(src, smb)["mrr_end"].iloc[-1] < engine_movements(src, customers)["mrr_end"].iloc[-1]


def test_the_mix_equals_pandas(tmp_path):
    url = store_kinds.build("mix", tmp_path)
    engine = core.make_engine(url)
    with sources.embedded(engine) as src:
        customers, revenue = core.load_table(engine, "customer"), core.load_table(engine, "revenue")
        assert revenue["mrr"].isna().any()  # the purchase log's sales
        _same(engine_movements(src, customers), mrr_movements(revenue))
    engine.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_postgresql_inside_and_duckdb_equal_pandas(demo_on_both_stores, kind):
    engine = demo_on_both_stores[kind]
    customers, revenue = core.load_table(engine, "customer"), core.load_table(engine, "revenue")
    with (sources.inside(engine) if kind == "postgresql" else sources.embedded(engine)) as src:
        _same(engine_movements(src, customers), mrr_movements(revenue))


def _hand() -> pd.DataFrame:
    """A: 100, 150 (two rows), 120, gone, back at 80 (reactivation); B: new in Feb, 0 in Mar (churned), a negative row
    in Apr (still nothing), 50 in May (reactivation); C: a sale only (no MRR); D: pays Jan to Jun."""
    rows = [("A", "2025-01-01", 100.0), ("A", "2025-02-01", 100.0), ("A", "2025-02-15", 50.0),
            ("A", "2025-03-01", 120.0), ("A", "2025-05-01", 80.0),
            ("B", "2025-02-01", 40.0), ("B", "2025-03-01", 0.0), ("B", "2025-04-01", -10.0), ("B", "2025-05-01", 50.0),
            ("C", "2025-03-10", None)] + [("D", f"2025-0{m}-01", 30.0) for m in range(1, 7)]
    df = pd.DataFrame(rows, columns=["customer_id", "period", "mrr"])
    df["period"] = pd.to_datetime(df["period"])
    return df


def test_a_history_known_by_hand():
    rev = _hand()
    table = pa.table({"customer_id": pa.array(rev["customer_id"], pa.string()),
                      "period": pa.array(rev["period"].to_numpy(dtype="datetime64[D]"), pa.date32()),
                      "mrr": pa.array(rev["mrr"], pa.float64())})
    customers = pd.DataFrame({"customer_id": list("ABCD"), "signup_date": pd.Timestamp("2025-01-01"),
                              "churn_date": pd.NaT})
    with sources.Source("hand", ibis.duckdb.connect(), None, revenue=ibis.memtable(table)) as src:
        got = engine_movements(src, customers).set_index("month")
    _same(got.reset_index(), mrr_movements(rev))
    assert got.loc["2025-02-01", ["new", "expansion"]].tolist() == [40.0, 50.0]
    assert got.loc["2025-03-01", ["contraction", "churned"]].tolist() == [30.0, 40.0]
    assert got.loc["2025-04-01", "churned"] == 120.0 and got.loc["2025-04-01", "mrr_end"] == 30.0
    assert got.loc["2025-05-01", "reactivation"] == 130.0
    assert got.loc["2025-06-01", ["churned", "mrr_end"]].tolist() == [130.0, 30.0]
    assert got["mrr_start"].iloc[0] == 0.0 and got["new"].iloc[0] == 130.0



def _rows_equal(got: list[dict], want: list[dict]) -> None:
    """The review's rows: the same figures to 1e-9, the same words."""
    assert [(r["metric"], r["text"]) for r in got] == [(r["metric"], r["text"]) for r in want]
    assert [r["value"] for r in got] == pytest.approx([r["value"] for r in want], rel=1e-9, nan_ok=True)


def test_the_cli_and_the_review_follow_the_configured_engine(small_demo_store, tmp_path, monkeypatch, capsys):
    """RETENTION_ENGINE=duckdb: configured_movements, ``python -m core overview --movements`` and the review's
    quarter movements come from the engine (its expression counted) and equal pandas's."""
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path)}"
    engine = core.make_engine(url)
    customers, revenue = core.load_table(engine, "customer"), core.load_table(engine, "revenue")
    as_of = dt.date(2026, 6, 30)
    monkeypatch.setenv(choice.ENGINE_ENV, "pandas")
    want = em.configured_movements(engine, customers, revenue, start="2025-07-01", end=as_of)
    want_review = figures.overview(engine, as_of)
    assert cli(["--db", url, "overview", "--movements", "--as-of", str(as_of)]) == 0
    want_cli = capsys.readouterr().out
    calls = []
    original = em.movements_expression
    monkeypatch.setattr(em, "movements_expression", lambda r: calls.append(1) or original(r))
    monkeypatch.setenv(choice.ENGINE_ENV, "duckdb")
    _same(em.configured_movements(engine, customers, revenue, start="2025-07-01", end=as_of), want)
    _rows_equal(figures.overview(engine, as_of), want_review)
    assert cli(["--db", url, "overview", "--movements", "--as-of", str(as_of)]) == 0
    assert capsys.readouterr().out == want_cli and "MRR movements" in want_cli
    assert len(calls) == 3 and any(r["metric"] == "Churned MRR" and r["value"] > 0 for r in want_review)
    engine.dispose()
