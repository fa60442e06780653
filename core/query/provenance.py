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

#: the row naming the engine :mod:`core.query.choice` set
SUMMED_BY = ("The Overview's headline revenue and MRR movements, a purchase log's buyer figures and proposed lapse "
             "period, cohort tables and survival, theme counts, churn and health features, the plays' revenue and "
             "usage windows: summed by")

#: the row naming the warehouse: what reads it when one is set
WAREHOUSE_FIGURES = ("Every page (Overview, Cohort curves, Churn drivers, Health scores, Feedback themes, Intervention "
                     "ROI, a Quarterly review built from the data), python -m core overview, cohorts, churn, health, "
                     "themes, roi and report --quarter")


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
    return pd.DataFrame([(WAREHOUSE_FIGURES, wh), ("Every other page's figures", store),
                         ("Cohort tables, churn and health features over activity", activity),
                         (SUMMED_BY, _summed_by())], columns=["Figures", "Come from"])


def _summed_by() -> str:
    """The engine :data:`core.query.choice.ENGINE_ENV` names, in plain words (or why it names none)."""
    try:
        name = choice.configured_name()
    except DataValidationError:
        return ("no engine: the engine set for this server is not one the workbench knows (pandas, duckdb, "
                "postgres or spark; the README's Engines and warehouses says how to set it)")
    return {"pandas": "pandas, in the server's process (DuckDB, the default, or PostgreSQL sum the same figures: the "
                      "README's Engines and warehouses says how)",
            "duckdb": "DuckDB, embedded in the server's process, over the column files (the default; pandas or "
                      "PostgreSQL can sum them instead, with the same figures: the README's Engines and warehouses "
                      "says how)",
            "postgres": "PostgreSQL, inside the store's database",
            "spark": "Spark, in the server's Spark session, over the column files"}[name]


def _store(engine: Engine) -> str:
    url = engine.url
    if engine.dialect.name == "sqlite":
        return f"the SQLite store {url.database}" if url.database not in (None, "", ":memory:") else \
            "the SQLite store in memory"
    return f"the {engine.dialect.name} store {url.host or 'localhost'}/{url.database}"
