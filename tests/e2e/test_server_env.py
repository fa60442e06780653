"""The app servers of the browser tests run the product's default engine (embedded DuckDB), not the pandas reference
the in-process tests sum on (tests/conftest.py)."""

import os

from core.query import choice
from tests.e2e.conftest import server_env


def test_the_servers_run_the_default_engine(monkeypatch):
    assert os.environ[choice.ENGINE_ENV] == "pandas"  # this process: the reference
    monkeypatch.delenv("RETENTION_SUITE_ENGINE", raising=False)
    env = server_env("sqlite:///x.db")
    assert choice.ENGINE_ENV not in env and env["RETENTION_DB_URL"] == "sqlite:///x.db" and env["RETENTION_DEMO"] == "0"
    monkeypatch.setattr(os, "environ", {k: v for k, v in env.items()})  # what the server process sees
    assert choice.configured_name() == "duckdb"


def test_a_suite_engine_or_a_module_s_choice_wins(monkeypatch):
    monkeypatch.setenv("RETENTION_SUITE_ENGINE", "duckdb")
    monkeypatch.setenv(choice.ENGINE_ENV, "duckdb")
    assert server_env("sqlite:///x.db")[choice.ENGINE_ENV] == "duckdb"
    monkeypatch.delenv("RETENTION_SUITE_ENGINE")
    assert server_env("sqlite:///x.db", {choice.ENGINE_ENV: "postgres"})[choice.ENGINE_ENV] == "postgres"
