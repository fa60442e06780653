"""A source shared by several sessions: its connection runs one query at a time."""

import threading
import time

import ibis
import pandas as pd

from core.query.sources import Serialized, Source


def _source() -> Source:
    acts = pd.DataFrame({"customer_id": ["a", "b", "b"], "date": pd.to_datetime(["2024-01-01"] * 3).date,
                         "value": [1.0, 2.0, 3.0]})
    cust = pd.DataFrame({"customer_id": ["a", "b"], "signup_date": pd.to_datetime(["2024-01-01"] * 2).date,
                         "churn_date": [None, None], "segment": ["x", "y"]})
    return Source("test", ibis.duckdb.connect(), ibis.memtable(acts), ibis.memtable(cust))


def test_two_sessions_asking_one_source_take_turns(monkeypatch):
    source = _source()
    real = type(source.con._con).execute
    running, most = [0], [0]

    def slow(self, expr, *a, **k):
        running[0] += 1
        most[0] = max(most[0], running[0])
        time.sleep(0.2)  # long enough for the other thread to arrive while this query runs
        try:
            return real(self, expr, *a, **k)
        finally:
            running[0] -= 1

    monkeypatch.setattr(type(source.con._con), "execute", slow)
    start, got = threading.Barrier(2), []

    def ask():
        start.wait()
        got.append(int(source.con.execute(source.activity.value.sum())))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [6, 6] and most[0] == 1
    source.close()


def test_a_restricted_source_shares_the_connection_and_its_turns():
    source = _source()
    kept = source.restricted("segment", ["y"])
    assert isinstance(source.con, Serialized) and kept.con is source.con  # one lock for both
    assert source.con.name == "duckdb"  # everything else is the connection's own
    assert int(kept.con.execute(kept.store_customers.count())) == 1
    source.close()
