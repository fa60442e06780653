"""Data behind the Quarterly review page: the quarters, snapshots built from the data (cached per store version
and parameters), saved snapshots (cached by id: they never change), and the exports of one snapshot."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.review import log as review_log
from core.review import report as review_report
from core.review import saved as review_saved
from core.review import snapshot as review
from core.review import workbook as review_export
from core.review.warehouse_snapshot import build_on_warehouse, warehouse_quarters
from ui.churn import cached as churn
from ui.frame import loaders, warehouse


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def quarters(url: str, version: str) -> tuple[list[str], str | None]:
    """The quarters the data covers (newest first) and the default one: the store's, or the warehouse's when
    ``version`` names it (:func:`ui.frame.warehouse.version`)."""
    if warehouse.named(version):
        return warehouse_quarters(warehouse.source(warehouse.key()))
    return review.available_quarters(loaders.get_engine(url))


def built(url: str, version: str, quarter: str, params_json: str) -> review.Snapshot:
    """The snapshot of ``quarter`` from the data as it is (not saved): the store's, or the warehouse's when
    ``version`` names it, with the churn model the Churn drivers page fitted on it today (as the warehouse's Overview
    reads it), else one fitted for the review."""
    fit = churn.newest_fit(url, version) if warehouse.named(version) else None
    return _built(url, version, quarter, params_json, None if fit is None else fit[0],
                  None if fit is None else fit[1:])


@st.cache_data(ttl=600, max_entries=8, show_spinner="Building the quarter's snapshot from every page ...")
def _built(url: str, version: str, quarter: str, params_json: str, fit_key: tuple | None, _fitted) -> review.Snapshot:
    """:func:`built`, once per store version (or warehouse day), quarter, parameters and churn fit (``fit_key``)."""
    params = review.ReviewParams(**json.loads(params_json))
    if warehouse.named(version):
        return build_on_warehouse(loaders.get_engine(url), warehouse.source(warehouse.key()), quarter, params,
                                  fitted=_fitted)
    return review.build(loaders.get_engine(url), quarter, params)


def params_key(params: review.ReviewParams) -> str:
    return json.dumps(params.to_dict(), sort_keys=True)


def saved(url: str) -> pd.DataFrame:
    """Saved snapshots, newest first (one small query; not cached, so a save shows at once)."""
    return review_saved.snapshots(loaders.get_engine(url))


def load(url: str, saved_list: pd.DataFrame, snapshot_id: int) -> review.Snapshot:
    """A saved snapshot of ``saved_list`` (:func:`saved`)."""
    created = saved_list.set_index("id").at[int(snapshot_id), "created_at"]
    return _load(url, int(snapshot_id), str(created))


@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _load(url: str, snapshot_id: int, created: str) -> review.Snapshot:
    """Saved snapshots never change; the saved time is in the key in case the store file was replaced and an id
    came back for another snapshot."""
    return review_saved.load(loaders.get_engine(url), snapshot_id)


def save(url: str, snap: review.Snapshot, user) -> int:
    """Save ``snap`` as ``user`` (the signed-in :class:`core.access.guard.Actor`; core checks the right)."""
    return review_saved.save(loaders.get_engine(url), snap, user=user)


def decisions(url: str, snapshot_id: int, history: bool = False) -> pd.DataFrame:
    return review_log.decisions(loaders.get_engine(url), snapshot_id, history=history)


def assumptions(url: str, snap: review.Snapshot) -> pd.DataFrame:
    return review_log.assumptions(loaders.get_engine(url), snap)


def add_decision(url: str, snapshot_id: int, **fields) -> int:
    return review_log.add_decision(loaders.get_engine(url), snapshot_id, **fields)


def update_decision(url: str, snapshot_id: int, number: int, **changes) -> int:
    return review_log.update_decision(loaders.get_engine(url), snapshot_id, number, **changes)


def add_assumption(url: str, snapshot_id: int, **fields) -> int:
    return review_log.add_assumption(loaders.get_engine(url), snapshot_id, **fields)


def pack(url: str, snap: review.Snapshot, comparison: pd.DataFrame | None = None,
         risk_lists: bool = True) -> tuple[bytes, str]:
    """(XLSX workbook, printable HTML report) of a snapshot, with its decision log and assumptions register; the
    per-customer sheet only for a reader with the risk-list right (``risk_lists``)."""
    log = decisions(url, snap.id) if snap.id is not None else None
    register = assumptions(url, snap)
    return (review_export.to_xlsx(snap, log, register, comparison, risk_lists=risk_lists),
            review_report.to_html(snap, log, register, comparison))
