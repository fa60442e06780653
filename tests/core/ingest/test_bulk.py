"""The bulk load's two paths give the same rows: SQLite's own executemany, and SQLAlchemy Core's executemany
that other stores (RETENTION_DB_URL) take, with dates, times and attributes converted for it."""

import pandas as pd
import pytest

import core
from core.ingest import bulk

CUSTOMERS = (b"customer_id,signup_date,renewal_date,colour\nA,2024-01-10,2025-01-10,gold\n"
             b"B,2024-02-01,,silver\n")
TICKETS = (b"ticket_id,customer_id,opened,resolved,priority,satisfaction,agent\n"
           b"T1,A,2024-03-01 09:30:00,2024-03-02 10:00:00,high,4,Kim\n"
           b"T2,B,2024-03-05 14:05:00,,low,,Lee\n")


def _load(monkeypatch, driver: bool) -> dict[str, pd.DataFrame]:
    seen = []
    monkeypatch.setattr(bulk, "_driver_executemany", lambda conn: seen.append(driver) or driver)
    eng = core.make_engine("sqlite://")
    for data, kind in ((CUSTOMERS, "customers"), (TICKETS, "tickets")):
        core.commit_import(eng, core.prepare_import(eng, data, f"{kind}.csv", kind))
    out = {t: core.load_table(eng, t).drop(columns=["id"], errors="ignore") for t in ("customer", "ticket")}
    eng.dispose()
    assert seen, "the load did not ask which path to take"
    return out


@pytest.mark.parametrize("table", ["customer", "ticket"])
def test_core_executemany_path_gives_the_same_rows(monkeypatch, table):
    raw, via_core = _load(monkeypatch, True)[table], _load(monkeypatch, False)[table]
    pd.testing.assert_frame_equal(raw, via_core)
    assert via_core["attributes"].notna().all()  # the extra columns (colour, agent) arrived as JSON objects
