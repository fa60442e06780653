"""PostgreSQL as the team store, against a real server (tests/pg.py starts one on a free local port).

A plain ``postgresql://`` URL uses psycopg 3; a missing driver or an unreachable server is one line in the CLI and
on the pages; saved review snapshots, decisions and assumptions refuse an UPDATE or DELETE on PostgreSQL as on
SQLite; the ids of the big tables are 64-bit (and an older 32-bit one is widened); a tiny demo business loaded
into both stores gives identical rows, headline figures, cohort table, CLI output and review figures.
"""

import re
import socket
import sys
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

import core
from core import metrics
from core.cli.main import main as cli
from core.demo.load import load_demo
from core.errors import StoreError
from core.review import log as review_log
from core.review import saved as review_saved
from core.review import snapshot as review
from core.store import pg_copy
from core.store.engine import driver_url
from core.store.read import load_columns
from core.store.tables import TABLES

ROOT = Path(__file__).resolve().parents[3]
#: a tiny demo business: fast to load row by row into PostgreSQL, enough for every figure
N_CUSTOMERS, SEED = 60, 0
DATA_TABLES = ("customer", "revenue", "activity", "ticket", "feedback", "intervention")


@pytest.fixture(scope="module")
def pg(pg_server):
    """An engine on a fresh PostgreSQL database holding the tiny demo."""
    eng = core.make_engine(pg_server.new_database())
    load_demo(eng, n_customers=N_CUSTOMERS, seed=SEED)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    """An engine on a SQLite store file holding the same tiny demo."""
    eng = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('lite') / 'store.db'}")
    load_demo(eng, n_customers=N_CUSTOMERS, seed=SEED)
    yield eng
    eng.dispose()


@pytest.fixture(params=["postgresql", "sqlite"])
def store(request, pg, lite):
    return pg if request.param == "postgresql" else lite


def _closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- driver and faults
def test_a_plain_postgresql_url_uses_psycopg_3(pg, pg_url):
    assert driver_url("postgresql://u@h:5/d") == driver_url("postgres://u@h:5/d") == "postgresql+psycopg://u@h:5/d"
    assert driver_url("postgresql+psycopg2://u@h/d") == "postgresql+psycopg2://u@h/d"  # a named driver is kept
    eng = core.make_engine(pg_url)
    assert (eng.dialect.name, eng.dialect.driver) == ("postgresql", "psycopg")
    eng.dispose()


def _one_line_error(capsys, argv) -> str:
    assert cli(argv) == 2
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.err, out.err
    return lines[0]


def test_an_unreachable_server_is_one_line_in_the_cli(capsys):
    port = _closed_port()
    line = _one_line_error(capsys, ["--db", f"postgresql://team@127.0.0.1:{port}/retention", "status"])
    assert line.startswith("error: The PostgreSQL store cannot be reached (")
    assert f"port {port}" in line and "Connection refused" in line and "RETENTION_DB_URL" in line


def test_an_unknown_database_is_one_line_in_the_cli(capsys, pg_server):
    line = _one_line_error(capsys, ["--db", pg_server.url("no_such_store"), "status"])
    assert line.startswith("error: The PostgreSQL store cannot be reached (")
    assert '"no_such_store" does not exist' in line


def test_a_missing_driver_is_one_line_in_the_cli_and_a_store_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails as if it were not installed
    line = _one_line_error(capsys, ["--db", "postgresql://team@127.0.0.1:5432/retention", "status"])
    assert line.startswith("error: The store is a PostgreSQL database but its driver (psycopg) is not installed")
    with pytest.raises(StoreError, match="pip install -r requirements.txt") as caught:
        core.make_engine("postgresql://team@127.0.0.1:5432/retention")
    assert caught.value.reason == "driver"


def test_a_missing_module_that_is_not_the_driver_stays_a_fault():
    from core.store.faults import store_fault

    assert store_fault(ModuleNotFoundError("No module named 'lifelines'", name="lifelines")) is None


@pytest.mark.parametrize("fault, words", [("server", "The PostgreSQL store cannot be reached"),
                                          ("driver", "its driver (psycopg) is not installed")])
def test_an_unreachable_server_or_a_missing_driver_is_one_plain_message_on_the_page(monkeypatch, fault, words):
    if fault == "driver":
        monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setenv("RETENTION_DB_URL", f"postgresql://team@127.0.0.1:{_closed_port()}/{fault}")
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    assert words in at.error[0].value


# --------------------------------------------------------------------------- read-only guarantees
@pytest.fixture(scope="module")
def snapshots(pg, lite):
    """2026-Q3's review snapshot of each store, saved once: dialect -> Snapshot."""
    out = {}
    for eng in (pg, lite):
        snap = review.build(eng, "2026-Q3")
        review_saved.save(eng, snap)
        out[eng.dialect.name] = snap
    return out


def _row(eng, table: str, row_id: int) -> dict:
    with eng.connect() as conn:
        return dict(conn.execute(text(f"SELECT * FROM {table} WHERE id = :i"), {"i": row_id}).mappings().one())


def _refused(eng, sql: str) -> None:
    with pytest.raises(DBAPIError, match="never changed"), eng.begin() as conn:
        conn.execute(text(sql))


def test_a_saved_snapshot_cannot_be_changed_or_deleted(store, snapshots):
    sid = snapshots[store.dialect.name].id
    before = _row(store, "reviewsnapshot", sid)
    _refused(store, f"UPDATE reviewsnapshot SET quarter = '1999-Q1', figures = NULL WHERE id = {sid}")
    _refused(store, f"DELETE FROM reviewsnapshot WHERE id = {sid}")
    if store.dialect.name == "postgresql":
        _refused(store, "TRUNCATE reviewsnapshot")
    assert _row(store, "reviewsnapshot", sid) == before
    assert review_saved.load(store, sid).quarter == "2026-Q3"


def test_decisions_and_assumptions_cannot_be_changed_or_deleted(store, snapshots):
    sid = snapshots[store.dialect.name].id
    review_log.add_decision(store, sid, decision="Call every red account", owner="Head of CS", due="2026-12-31")
    review_log.add_assumption(store, sid, name="Target margin", value=0.7, unit="share", owner="CFO")
    for table in ("reviewdecision", "reviewassumption"):
        with store.connect() as conn:
            rid = conn.execute(text(f"SELECT MAX(id) FROM {table} WHERE snapshot_id = :s"), {"s": sid}).scalar_one()
        before = _row(store, table, rid)
        _refused(store, f"UPDATE {table} SET owner = 'someone else' WHERE id = {rid}")
        _refused(store, f"DELETE FROM {table} WHERE id = {rid}")
        assert _row(store, table, rid) == before


def test_the_guard_is_idempotent(pg, snapshots):
    review_saved._guard(pg)
    review_saved._guard(pg)
    review_saved.save(pg, snapshots["postgresql"])
    with pg.connect() as conn:
        names = conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'reviewsnapshot'::regclass "
                                  "AND NOT tgisinternal ORDER BY tgname")).scalars().all()
    assert names == ["reviewsnapshot_no_delete", "reviewsnapshot_no_truncate", "reviewsnapshot_no_update"]


# --------------------------------------------------------------------------- 64-bit ids
def test_the_big_tables_ids_are_64_bit(pg):
    found = inspect(pg)
    for table in ("activity", "revenue", "ticket", "feedback", "intervention", "churnscore"):
        kind = {c["name"]: c["type"] for c in found.get_columns(table)}["id"]
        assert kind.compile(dialect=pg.dialect) == "BIGINT", table
    with pg.begin() as conn:  # an id past 2^31 is stored and read back
        conn.execute(text("INSERT INTO activity (id, customer_id, date, metric, value) "
                          "VALUES (3000000000, 'big', '2026-01-01', 'logins', 1)"))
        assert conn.execute(text("SELECT id FROM activity WHERE customer_id = 'big'")).scalar_one() == 3_000_000_000
        conn.execute(text("DELETE FROM activity WHERE customer_id = 'big'"))


def test_a_32_bit_id_of_an_older_store_is_widened(pg_server):
    url = pg_server.new_database()
    with psycopg.connect(url, autocommit=True) as conn:  # the table as an older schema created it
        conn.execute("CREATE TABLE activity (id SERIAL PRIMARY KEY, customer_id VARCHAR NOT NULL, date DATE NOT NULL, "
                     "metric VARCHAR NOT NULL, value FLOAT NOT NULL, attributes JSON, import_id INTEGER)")
    eng = core.make_engine(url)
    with eng.connect() as conn:
        col = conn.execute(text("SELECT data_type FROM information_schema.columns WHERE table_name = 'activity' "
                                "AND column_name = 'id'")).scalar_one()
        seq = conn.execute(text("SELECT data_type FROM information_schema.sequences "
                                "WHERE sequence_name = 'activity_id_seq'")).scalar_one()
    eng.dispose()
    assert (col, seq) == ("bigint", "bigint")


# --------------------------------------------------------------------------- parity
def _rows(eng, name: str) -> list[tuple]:
    """Every row of a store table as the schema types it (dates, datetimes, JSON as dicts), by id; no import id."""
    t = TABLES[name].__table__
    cols = [c for c in t.columns if c.name != "import_id"]
    with eng.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*cols).order_by(*t.primary_key.columns))]


@pytest.mark.parametrize("name", DATA_TABLES)
def test_both_stores_hold_identical_rows(pg, lite, name):
    a, b = _rows(pg, name), _rows(lite, name)
    assert len(a) > 0
    assert a == b


def test_both_stores_give_identical_headline_figures(pg, lite):
    def headline(eng):
        cust = load_columns(eng, "customer", ["customer_id", "signup_date", "churn_date"])
        rev = load_columns(eng, "revenue", ["customer_id", "period", "mrr"])
        return metrics.headline(cust, rev, as_of="2026-09-30")

    a, b = headline(pg), headline(lite)
    assert a.mrr > 0 and 0 < a.nrr < 2
    assert (a.customers, a.active_customers, a.mrr, a.nrr, a.grr, a.logo_churn_rate) == (
        b.customers, b.active_customers, b.mrr, b.nrr, b.grr, b.logo_churn_rate)
    # MRR independently: the September revenue rows of customers signed up and not churned by the 30th
    with pg.connect() as conn:
        rev = pd.read_sql(text("SELECT period, mrr FROM revenue"), conn)
    assert a.mrr == pytest.approx(rev.loc[pd.to_datetime(rev["period"]) == "2026-09-01", "mrr"].sum())


def _cli_output(capsys, eng, *argv: str) -> str:
    url = eng.url.render_as_string(hide_password=False)
    assert cli(["--db", url, *argv]) == 0
    out = capsys.readouterr().out
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00", "<time>", out)  # when each demo was loaded


@pytest.mark.parametrize("command", [["status"], ["overview"], ["cohorts"]])
def test_the_cli_says_the_same_on_both_stores(capsys, pg, lite, command):
    a, b = _cli_output(capsys, pg, *command), _cli_output(capsys, lite, *command)
    assert len(a.splitlines()) > 5
    assert a == b


def test_the_review_figures_are_identical_on_both_stores(snapshots):
    a, b = snapshots["postgresql"].figures, snapshots["sqlite"].figures
    assert len(a) > 20
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# --------------------------------------------------------------------------- bulk loads with COPY
def test_a_demo_load_into_postgresql_goes_through_copy(pg_server, monkeypatch):
    from core.ingest import bulk

    copied: dict[str, int] = {}

    def spy(conn, table, columns, rows):
        copied[table] = copied.get(table, 0) + pg_copy.copy_rows(conn, table, columns, rows)
        return copied[table]

    monkeypatch.setattr(bulk, "copy_rows", spy)
    eng = core.make_engine(pg_server.new_database())
    counts = load_demo(eng, n_customers=50, seed=1)["counts"]
    stored = core.table_counts(eng)
    eng.dispose()
    assert copied == {t: n for t, n in counts.items() if n} and copied["activity"] > 10_000
    assert all(stored[t] == n for t, n in counts.items())


def test_copy_refuses_a_name_that_is_not_a_plain_identifier():
    assert pg_copy.copy_statement("ticket", ["text"]) == 'COPY "ticket" ("text") FROM STDIN'
    with pytest.raises(ValueError, match="not a store table or column name"):
        pg_copy.copy_statement("ticket", ['text") FROM STDIN; DROP TABLE ticket; --'])


_CUSTOMERS = ("customer_id,name,segment,signup_date,tier\nC1,Ann,SMB,2025-01-03,gold\n"
              "C2,Bob,Enterprise,2025-02-10,\n007,Zed,SMB,2025-03-01,silver\n")
_TICKETS = ("ticket_id,customer_id,opened,resolved,priority,satisfaction,text\n"
            'T1,C1,2025-04-01 09:30,2025-04-02 10:00,high,4.5,"Login fails, ""urgent"" \\\\ tab\there"\n'
            "T2,007,2025-05-01 12:00,,low,,=cmd|x\n")


_FEEDBACK = "response_id,customer_id,date,score,text\nR1,C1,2025-06-01,9,great\nR2,C2,2025-06-02,3,slow\n"
_FEEDBACK_AGAIN = "response_id,customer_id,date,score,text\nR3,C1,2025-07-01,8,fine\nR2,C2,2025-06-02,3,slow\n"


def test_an_import_writes_identical_rows_into_both_stores(pg_server, tmp_path, capsys):
    files = {kind: tmp_path / f"{kind}.csv" for kind in ("customers", "tickets", "feedback")}
    for path, body in zip(files.values(), (_CUSTOMERS, _TICKETS, _FEEDBACK)):
        path.write_text(body)
    (tmp_path / "more.csv").write_text(_FEEDBACK_AGAIN)
    urls = [pg_server.new_database(), f"sqlite:///{tmp_path / 'store.db'}"]
    refused = []
    for url in urls:
        for kind, path in files.items():
            extra = ["--set", "channel=nps"] if kind == "feedback" else []
            assert cli(["--db", url, "import", str(path), "--kind", kind, *extra]) == 0, capsys.readouterr().err
        capsys.readouterr()
        # a feedback id already in the store (kept in the rows' attributes) is refused, with the same words
        assert cli(["--db", url, "import", str(tmp_path / "more.csv"), "--kind", "feedback", "--set",
                    "channel=nps"]) == 2
        refused.append(capsys.readouterr().err)
    assert refused[0] == refused[1] and "feedback id already imported in import #3" in refused[0]
    engines = [core.make_engine(u) for u in urls]
    try:
        for name in ("customer", "ticket", "feedback"):
            a, b = (_rows(e, name) for e in engines)
            assert len(a) == {"customer": 3, "ticket": 2, "feedback": 2}[name] and a == b, name
        text_of_t1 = next(r for r in _rows(engines[0], "ticket") if r[1] == "T1")[-2]
        assert text_of_t1 == 'Login fails, "urgent" \\\\ tab\there'
    finally:
        for e in engines:
            e.dispose()
