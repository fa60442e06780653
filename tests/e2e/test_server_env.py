"""What engine the app servers of the browser tests run: the suite's reference (pandas, tests/conftest.py), or the
product's default (embedded DuckDB) for a module that asks for it, as the first start does."""

import os

from core.query import choice
from tests.e2e import test_first_start
from tests.e2e.conftest import PRODUCT_ENGINE, server_env


def _seen_by_the_server(monkeypatch, env: dict) -> str:
    monkeypatch.setattr(os, "environ", dict(env))  # what the server process sees
    return choice.configured_name()


def test_a_server_runs_the_suite_s_engine_unless_asked(monkeypatch):
    assert os.environ[choice.ENGINE_ENV] == "pandas"  # this process: the reference
    env = server_env("sqlite:///x.db")
    assert env["RETENTION_DB_URL"] == "sqlite:///x.db" and env["RETENTION_DEMO"] == "0"
    assert _seen_by_the_server(monkeypatch, env) == "pandas"


def test_the_first_start_runs_the_product_s_default_engine(monkeypatch):
    env = server_env("sqlite:///x.db", test_first_start.SERVER_ENV)
    assert env["RETENTION_DEMO"] == "1"
    assert _seen_by_the_server(monkeypatch, env) == "duckdb"
    assert _seen_by_the_server(monkeypatch, server_env("sqlite:///x.db", PRODUCT_ENGINE)) == "duckdb"
