"""``python -m core churn --engine``: the behaviour summed by embedded DuckDB (or inside PostgreSQL) gives the very
lines pandas gives, said on stderr, on the demo, PostgreSQL, the CDNOW purchase log and the telco snapshot (which has
no behaviour to sum, and says so); an engine the store cannot run is refused in one line, nothing saved."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

import core
from core.cli.main import main as cli
from core.history import engine_behaviour
from core.query import choice, sources
from tests.conftest import copy_store
from tests.pages import store_kinds


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory) -> str:
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('churn_engine'))}"


def _run(capsys, url: str, *extra: str) -> tuple[int, str, str]:
    """Exit code, stdout without the model card's creation time (its minute may turn between runs), stderr."""
    code = cli(["--db", url, "churn", "--cutoffs", "3", "--drivers", "40", *extra])
    out = capsys.readouterr()
    return code, re.sub(r", created \S+ \S+ UTC", "", out.out), out.err


def test_duckdb_the_default_prints_the_figures_pandas_prints(store, capsys, monkeypatch):
    code, on_pandas, err = _run(capsys, store, "--engine", "pandas")
    assert code == 0 and "Behaviour summed by" not in err
    sums = []  # every cutoff's behaviour, summed by the engine (not pandas under the engine's name)
    real = engine_behaviour.behaviour
    monkeypatch.setattr(engine_behaviour, "behaviour", lambda *a: sums.append(a[0].name) or real(*a))
    monkeypatch.delenv(choice.ENGINE_ENV, raising=False)  # the suite's reference setting gone: the product's default
    code, on_duckdb, err = _run(capsys, store)  # no --engine and no RETENTION_ENGINE: DuckDB
    assert code == 0 and len(sums) == 3 + 2  # three training cutoffs, the held-out one and today
    assert err.strip() == "Behaviour summed by DuckDB (embedded) over the store's column files."
    assert on_duckdb == on_pandas
    # not vacuous: the fit ran, and every driver is printed, a feature of each group the engine sums among them
    assert "ROC-AUC" in on_pandas
    assert all(f"[{f}]" in on_pandas for f in ("usage_level_30d", "tickets_90d", "hours_to_resolve", "nps_latest",
                                               "csat_change", "mrr_change_3m", "failed_payments_90d"))


def test_postgres_inside_prints_the_same(demo_on_both_stores, capsys):
    engines = demo_on_both_stores
    pg_url = engines["postgresql"].url.render_as_string(hide_password=False)
    code, on_pandas, _ = _run(capsys, pg_url, "--engine", "pandas")
    code2, inside, err = _run(capsys, pg_url, "--engine", "postgres")
    assert code == code2 == 0 and err.strip() == "Behaviour summed by PostgreSQL (inside the store's database)."
    assert inside == on_pandas


def test_postgres_on_a_sqlite_store_is_refused_in_one_line(store, capsys):
    engine = core.make_engine(store)
    runs = "SELECT COUNT(*) FROM churnrun"
    with engine.connect() as conn:
        before = conn.execute(text(runs)).scalar_one()
    code, out, err = _run(capsys, store, "--engine", "postgres", "--save")
    assert code != 0 and "Traceback" not in err
    assert "the postgres engine runs the sums inside a PostgreSQL store; this store is sqlite" in err
    with engine.connect() as conn:
        assert conn.execute(text(runs)).scalar_one() == before
    engine.dispose()


def test_the_engines_are_the_query_layers():
    assert sources.ENGINES == choice.NAMES


def test_the_configured_engine_is_the_default_and_engine_wins(store, capsys, monkeypatch):
    """RETENTION_ENGINE=duckdb sums the behaviour with DuckDB when --engine is not given; --engine pandas wins."""
    code, on_pandas, _ = _run(capsys, store, "--engine", "pandas")
    monkeypatch.setenv(choice.ENGINE_ENV, "DuckDB")
    code2, configured, err = _run(capsys, store)
    assert code == code2 == 0 and err.strip() == "Behaviour summed by DuckDB (embedded) over the store's column files."
    assert configured == on_pandas
    code, _, err = _run(capsys, store, "--engine", "pandas")
    assert code == 0 and "Behaviour summed by" not in err


def test_an_unknown_configured_engine_is_one_plain_line(store, capsys, monkeypatch):
    monkeypatch.setenv(choice.ENGINE_ENV, "spark-cluster")
    code, out, err = _run(capsys, store)
    assert code != 0 and "Traceback" not in err and not out
    assert "RETENTION_ENGINE='spark-cluster' names no engine: set it to one of duckdb, pandas, postgres" in err


@pytest.mark.parametrize("kind", ["cdnow_sample", "telco"])
def test_a_purchase_log_and_a_snapshot_print_the_same(kind, tmp_path, capsys, monkeypatch):
    url = store_kinds.fill(f"sqlite:///{tmp_path / 'store.db'}", kind)
    code, on_pandas, _ = _run(capsys, url, "--engine", "pandas")
    monkeypatch.delenv(choice.ENGINE_ENV, raising=False)  # the product's default
    code2, on_duckdb, err = _run(capsys, url)
    assert code == code2 == 0 and on_duckdb == on_pandas and "ROC-AUC" in on_pandas
    if kind == "cdnow_sample":
        assert "Behaviour summed by DuckDB" in err and "[days_since_active]" in on_pandas
    else:
        assert err.strip() == ("No dated behaviour in this store (a snapshot): DuckDB (embedded) over the store's "
                               "rows has nothing to sum.")
