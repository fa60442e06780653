"""A purchase log is read through a partial index of the purchase rows (core.store.tables.PURCHASES_ONLY): a store
made before the index gains it when opened, the purchase query uses it (so a recurring book's usage rows are never
read to learn it has no purchases: 0.45 s per read on the 1,500-customer demo before), and the purchase days read
equal the rows' own distinct purchase days, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import event, inspect, text

import core
from core.buyers.purchases import PURCHASE_METRIC, load_purchase_log

ROWS = pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
                     "date": [dt.date(2024, 1, 2), dt.date(2024, 1, 2), dt.date(2024, 3, 1), dt.date(2024, 1, 5),
                              dt.date(2024, 1, 6), dt.date(2024, 2, 1)],
                     "metric": [PURCHASE_METRIC, PURCHASE_METRIC, PURCHASE_METRIC, PURCHASE_METRIC, "logins",
                                "logins"],
                     "value": [1.0, 2.0, 1.0, 1.0, 3.0, 4.0]})


def _fill(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO activity (customer_id, date, metric, value) VALUES (:c, :d, :m, :v)"),
                     [{"c": r.customer_id, "d": r.date, "m": r.metric, "v": r.value} for r in ROWS.itertuples()])


def _traced(engine) -> list[str]:
    """The SQL text SQLite runs from now on (its trace callback, on the engine's next connections)."""
    seen: list[str] = []
    event.listen(engine, "connect", lambda dbapi, _: dbapi.set_trace_callback(seen.append))
    engine.dispose()
    return seen


def _want() -> pd.DataFrame:
    p = ROWS[ROWS["metric"] == PURCHASE_METRIC]
    out = pd.DataFrame({"customer_id": p["customer_id"], "date": pd.to_datetime(p["date"])}).drop_duplicates()
    return out.sort_values(["customer_id", "date"]).reset_index(drop=True)


def test_an_older_sqlite_store_gains_the_index_and_reads_its_purchases_through_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = core.make_engine(url)
    _fill(engine)
    with engine.begin() as conn:  # as a store made before the index
        conn.execute(text("DROP INDEX ix_activity_purchase"))
    engine.dispose()
    engine = core.make_engine(url)
    assert "ix_activity_purchase" in {ix["name"] for ix in inspect(engine).get_indexes("activity")}
    seen = _traced(engine)
    load_purchase_log(engine)
    statements = [s for s in seen if "DISTINCT" in s and "activity" in s]
    assert len(statements) == 1
    with engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statements[0]).all()
    assert any("USING INDEX ix_activity_purchase" in row[-1] or "USING COVERING INDEX ix_activity_purchase" in row[-1]
               for row in plan), plan
    pd.testing.assert_frame_equal(load_purchase_log(engine).days, _want())
    engine.dispose()


def test_a_postgresql_store_has_the_partial_index_and_reads_the_same_days(pg_server):
    engine = core.make_engine(pg_server.new_database())
    _fill(engine)
    with engine.connect() as conn:
        where = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_activity_purchase'")
                             ).scalar_one()
    assert f"'{PURCHASE_METRIC}'" in where and "WHERE" in where
    pd.testing.assert_frame_equal(load_purchase_log(engine).days, _want())
    engine.dispose()


@pytest.mark.parametrize("metric", ["Purchase", "purchases", "logins"])
def test_only_the_exact_purchase_metric_is_a_purchase(tmp_path, metric):
    engine = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO activity (customer_id, date, metric, value) VALUES ('a', '2024-01-02', :m, 1)"),
                     {"m": metric})
    assert load_purchase_log(engine).days.empty
    engine.dispose()
