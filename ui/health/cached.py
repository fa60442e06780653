"""Data behind the Health scores page: measures of every month (built once per store version, with a
progress bar), the saved configurations, and scores / back-tests per configuration (cached).

What a section shows of the filtered customers (portfolio, alerts, the action list and the downloads) is cached
per :class:`View` (store, store version, configuration and the sidebar's segment / plan / region choice), so a
rerun that changes none of these (a click elsewhere, a rerun of another section) recomputes nothing.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import pandas as pd
import streamlit as st

from core.errors import WorkbenchError
from core.export.csv import to_csv_bytes
from core.export.xlsx import to_xlsx
from core.health import backtest as hb
from core.health import coverage as hc
from core.health import monitor as hm
from core.health import score as h
from core.health import store as hs
from core.history.filters import Filters, filter_customers
from core.history.inputs import load_inputs
from core.history.warehouse_inputs import warehouse_inputs
from core.query.warehouse import answered
from ui.frame import loaders, warehouse

MONTHS = 13  # score history: this month and the 12 before
BACKTEST_MONTHS = 12


@st.cache_resource(show_spinner=False, max_entries=1)
def _built() -> dict:
    """Measures by (url, store version): shared by every session of this server, never modified."""
    return {}


def measures(url: str, version: str) -> tuple[list, hb.BacktestData | WorkbenchError]:
    """(monthly measure snapshots, back-test data or the reason there is none). Builds on the first call: from the
    warehouse's customers and behaviour when ``version`` names it (:func:`ui.frame.warehouse.version`; the measures
    are read again each day), else from the store's."""

    def build():
        bar = st.progress(0.0, text="Reading health measures" + (" on the warehouse ..." if on_warehouse else " ..."))
        try:
            inputs = (warehouse_inputs(warehouse.source(warehouse.key())) if on_warehouse
                      else load_inputs(loaders.get_engine(url)))
            return measured(inputs, bar)
        finally:
            bar.empty()

    on_warehouse = warehouse.named(version)
    # the warehouse is asked for the behaviour at each month end: its failures are one plain line
    measured = answered(_measured) if on_warehouse else _measured
    return loaders.built_once(_built(), (url, version), build, keep=2)


def _measured(inputs, bar) -> tuple[list, hb.BacktestData | WorkbenchError]:
    snaps = hm.snapshots(inputs, MONTHS, progress=lambda f, t: bar.progress(0.5 * f, text=t))
    try:
        data = hb.backtest_data(inputs, BACKTEST_MONTHS, progress=lambda f, t: bar.progress(0.5 + 0.5 * f, text=t))
    except WorkbenchError as exc:
        data = exc
    return snaps, data


def configuration(url: str, snaps: list) -> tuple[pd.DataFrame, int]:
    """(saved versions, the version to show). Saves the default as version 1 when none is saved yet."""
    engine = loaders.get_engine(url)
    hs.save_default(engine, *snaps[-1])
    versions = hs.versions(engine)
    return versions, int(versions["version"].iloc[0])


def config(url: str, version: str, v: int) -> h.HealthConfig:
    """Configuration ``v`` for the store's measures today (:func:`core.health.store.load_config`: one saved before
    Purchase recency existed gets its default weight on a purchase log); versions never change, so this may be
    cached by number and store version."""
    return h.HealthConfig.from_dict(json.loads(_config_json(url, version, v)))


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def _config_json(url: str, version: str, v: int) -> str:
    snaps, _ = measures(url, version)
    return json.dumps(hs.load_config(loaders.get_engine(url), v, frame=snaps[-1][1]).to_dict())


@st.cache_data(ttl=3600, max_entries=64, show_spinner=False)
def before_recency(url: str, version: str, v: int) -> bool:
    """Whether configuration ``v`` was saved before Purchase recency existed, on a store whose buyers have one."""
    snaps, _ = measures(url, version)
    return hs.saved_before_recency(loaders.get_engine(url), v, snaps[-1][1])


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def history(url: str, version: str, cfg_json: str) -> pd.DataFrame:
    """Monthly scores of every customer under one configuration."""
    snaps, _ = measures(url, version)
    return hm.history(h.HealthConfig.from_dict(json.loads(cfg_json)), snaps)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def backtest(url: str, version: str, cfg_json: str) -> hb.BacktestResult:
    _, data = measures(url, version)
    return hb.evaluate(h.HealthConfig.from_dict(json.loads(cfg_json)), data)


@st.cache_data(ttl=600, max_entries=8, show_spinner="Fitting suggested weights ...")
def suggestion(url: str, version: str, cfg_json: str) -> hb.Suggestion:
    _, data = measures(url, version)
    return hb.suggest_weights(h.HealthConfig.from_dict(json.loads(cfg_json)), data)


def coverage(cfg: h.HealthConfig, hist: pd.DataFrame) -> hc.Coverage:
    """How many of the latest month's customers (all of them, whatever the filters) have enough measures."""
    return hc.coverage(cfg.min_measures, hm.latest_two(hist)[0])


def measure_keys(snaps: list) -> list[str]:
    """The store's measures (today's): purchase recency only where the lapse rule gives buyers one."""
    return h.store_measures(snaps[-1][1])[0]


def key(cfg: h.HealthConfig) -> str:
    """The cache key of a configuration."""
    return json.dumps(cfg.to_dict(), sort_keys=True)


def filtered(url: str, version: str, hist: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """History rows of the customers within the sidebar filters; on the warehouse, of every customer (the sidebar
    lists the store's segments and plans)."""
    if warehouse.named(version):
        return hist
    customers = filter_customers(loaders.table(url, version, "customer"), f)
    return hist[hist["customer_id"].isin(customers["customer_id"].astype(str))]


class View(NamedTuple):
    """What the sections of one page run show: the store, its version, the configuration (:func:`key`) and the
    sidebar's choice of customers (:func:`scope`). Every field is a cache key of the functions below."""

    url: str
    version: str
    cfg: str
    who: Filters


def scope(f: Filters) -> Filters:
    """The part of the sidebar's filters the page applies: segments, plans and regions (the health history covers
    its own 13 months, whatever the date range), so a change of dates reuses every cached figure."""
    return Filters(segments=f.segments, plans=f.plans, regions=f.regions)


def _mine(view: View) -> pd.DataFrame:
    url, version, cfg, who = view
    return filtered(url, version, history(url, version, cfg), who)


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def portfolio(url: str, version: str, cfg: str, who: Filters) -> tuple[dict, pd.Timestamp, bool]:
    """(:func:`core.health.monitor.portfolio` of the view's customers, their latest day, whether any has MRR)."""
    hist = _mine(View(url, version, cfg, who))
    return hm.portfolio(hist), pd.Timestamp(hist["day"].max()), hm.has_recurring_revenue(hist)


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def history_csv(url: str, version: str, cfg: str, who: Filters) -> bytes:
    """The view's monthly scores and contributions as CSV (the largest download of the page: built once)."""
    return to_csv_bytes(_mine(View(url, version, cfg, who)), float_format="%.4f")


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def alerts(url: str, version: str, cfg: str, who: Filters, drop: float) -> pd.DataFrame:
    """The view's alerts (:func:`core.health.monitor.alerts`) for a score drop of more than ``drop`` points."""
    return hm.alerts(h.HealthConfig.from_dict(json.loads(cfg)), _mine(View(url, version, cfg, who)),
                     drop_points=drop)


@st.cache_data(ttl=600, max_entries=32, show_spinner=False)
def actions(url: str, version: str, cfg: str, who: Filters, drop: float,
            kinds: tuple[str, ...]) -> tuple[pd.DataFrame, bytes, bytes]:
    """(the action list of the alerts of ``kinds``, as CSV, as XLSX): names from the whole customer table (the
    warehouse's on the warehouse)."""
    rows = alerts(url, version, cfg, who, drop)
    customers = (warehouse.customers(warehouse.key()) if warehouse.named(version)
                 else loaders.table(url, version, "customer"))
    out = hm.action_list(rows[rows["alert"].isin(kinds)], customers)
    return out, to_csv_bytes(out), to_xlsx({"action list": out})
