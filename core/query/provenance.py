"""Where each kind of figure comes from, in plain words, for the Data page: the store (which one), the column files
the engines read, the engine that sums the models' behaviour (:mod:`core.query.choice`), and a company's warehouse
when one is set (named without its password, never connected to here).
"""

from __future__ import annotations

import os

import pandas as pd
from sqlalchemy.engine import Engine

from core.errors import DataValidationError
from core.query import choice, warehouse
from core.store import column_home


def figure_sources(engine: Engine) -> pd.DataFrame:
    """``Figures, Come from``: one row per kind of figure."""
    store = _store(engine)
    files = column_home.folder(engine)
    activity = (f"{store}, through its activity column files ({files.parent}), checked against the store on every "
                "read" if files is not None else f"{store}, read from its rows")
    url = os.environ.get(warehouse.URL_ENV, "").strip()
    mapping = os.environ.get(warehouse.MAP_ENV, "").strip()
    wh = (f"the warehouse at {warehouse.safe_url(url)}, through {mapping or 'no mapping file yet'} (read only)"
          if url else f"{store} (no warehouse is set; the README says how to set one)")
    return pd.DataFrame([("Every figure on these pages", store),
                         ("Cohort tables, churn and health features over activity", activity),
                         ("Churn and health features, the plays' revenue and usage windows: summed by", _summed_by()),
                         ("python -m core cohorts", wh)], columns=["Figures", "Come from"])


def _summed_by() -> str:
    """The engine :data:`core.query.choice.ENGINE_ENV` names, in plain words (or why it names none)."""
    try:
        name = choice.configured_name()
    except DataValidationError as e:
        return str(e)
    return {"pandas": f"pandas, in the server's process ({choice.ENGINE_ENV} is not set; duckdb or postgres would "
                      f"sum them in an engine, with the same figures)",
            "duckdb": f"DuckDB, embedded in the server's process, over the column files ({choice.ENGINE_ENV}=duckdb)",
            "postgres": f"PostgreSQL, inside the store's database ({choice.ENGINE_ENV}=postgres)"}[name]


def _store(engine: Engine) -> str:
    url = engine.url
    if engine.dialect.name == "sqlite":
        return f"the SQLite store {url.database}" if url.database not in (None, "", ":memory:") else \
            "the SQLite store in memory"
    return f"the {engine.dialect.name} store {url.host or 'localhost'}/{url.database}"
