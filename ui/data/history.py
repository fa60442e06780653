"""The Data page's import history: every import (an undone one stays, marked undone, with when and why), its
download, and undo, which first says what it will remove and asks to confirm."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import core
from core.access import rights
from core.errors import WorkbenchError
from core.export import units
from core.store import faults
from core.store.dates import datetimes
from ui import components
from ui.frame import errors, loaders, signin

#: the history's columns and their headings on the page
SHOWN = {"id": "import", "file_name": "file", "kind": "kind", "mode": "mode", "rows_read": "rows read",
         "rows_loaded": "rows loaded", "rows_rejected": "rows rejected", "finished_at": "loaded at (UTC)",
         "status": "status", "undone_at": "undone at (UTC)", "undo_reason": "why undone"}
#: a data table's rows in words: (one, many)
ROWS = {"customer": ("customer", "customers"), "revenue": ("revenue row", "revenue rows"),
        "activity": ("activity row", "activity rows"), "ticket": ("ticket", "tickets"),
        "feedback": ("feedback row", "feedback rows"), "intervention": ("intervention", "interventions"),
        "incident": ("incident row", "incident rows")}
#: the history's row counts
COUNTS = ("rows_read", "rows_loaded", "rows_rejected")
PENDING = "data_undo_pending"  # the import whose undo waits for confirmation


def history_section(url: str, version: str) -> None:
    """The import history with its download, and undo (with a confirmation) below it."""
    history = loaders.import_history(url, version)
    st.subheader("Import history")
    if history.empty:
        st.info("The store is empty. Upload a file above, or reset to the demo data below.")
        return
    shown = blanks(history[list(SHOWN)])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config())
    components.csv_download(shown, "Download import history (CSV)", "import_history.csv")
    with st.expander("Undo an import", icon=":material/undo:", expanded=PENDING in st.session_state):
        _undo(url, history)


def blanks(shown: pd.DataFrame) -> pd.DataFrame:
    """The history with an import never undone showing empty cells, not ``None``: its undo time as a missing time,
    its reason as an empty text."""
    return shown.assign(undone_at=datetimes(shown["undone_at"]), undo_reason=shown["undo_reason"].fillna(""))


def column_config() -> dict:
    """The history's headings and formats: row counts with thousands separators (1,000,000, as ``units.count``
    writes them), times to the minute."""
    config = {c: st.column_config.Column(label) for c, label in SHOWN.items()}
    for c in COUNTS:
        config[c] = st.column_config.NumberColumn(SHOWN[c], format="localized")
    for c in ("finished_at", "undone_at"):
        config[c] = st.column_config.DatetimeColumn(SHOWN[c], format="YYYY-MM-DD HH:mm")
    return config


def removal_text(rows: dict[str, int]) -> str:
    """What an undo removes, in words: ``303 customers and 1,200 revenue rows`` (tables with no row left out)."""
    parts = [f"{units.count(n)} {ROWS[t][0] if n == 1 else ROWS[t][1]}" for t, n in rows.items() if n]
    if not parts:
        return "no rows (a later replace or the demo reset already removed them)"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _label(row) -> str:
    when = pd.Timestamp(row.finished_at).strftime("%Y-%m-%d %H:%M")
    return f"#{row.id} {row.file_name} ({row.kind}, {when} UTC)"


def _undo(url: str, history: pd.DataFrame) -> None:
    """Pick an import; the first button only shows what would go; the confirm removes it (a role without the
    undo right sees why instead)."""
    if not signin.offer(loaders.get_engine(url), rights.UNDO):
        return
    loaded = history[history["status"] == "loaded"]
    if loaded.empty:
        st.caption("Every import in the history is already undone.")
        return
    labels = {int(r.id): _label(r) for r in loaded.itertuples()}
    which = st.selectbox("Import", list(labels), key="data_undo_id", format_func=labels.get)
    if st.session_state.get(PENDING) != which:
        st.session_state.pop(PENDING, None)
        if st.button("Undo this import ...", key="data_undo", icon=":material/undo:",
                     help="Shows what it would remove and asks you to confirm; nothing is removed yet."):
            st.session_state[PENDING] = which
            st.rerun()
        return
    _confirm(url, which, labels[which])


def _confirm(url: str, which: int, label: str) -> None:
    """What the undo removes, a reason, and the confirm; a refusal or a store fault is one message, and the
    analyst can try again or cancel (the page keeps working)."""
    engine = loaders.get_engine(url)
    try:
        with faults.translated(faults.store_of(engine)):  # the driver's faults (damaged, unreadable) in words
            rows = core.undo_preview(engine, which)
    except WorkbenchError as exc:  # already undone elsewhere, later imports use its customers, or a store fault
        errors.show(exc)
        _cancel_button()
        return
    st.warning(f"Undo {components.plain(label)}? This removes {removal_text(rows)} from the store. The import "
               "stays in the history, marked undone, with the time and your reason.", icon=":material/warning:")
    reason = st.text_input("Why (optional, kept in the history)", key="data_undo_reason",
                           placeholder="e.g. wrong file, loaded twice, test data")
    left, right = st.columns(2)
    if left.button("Yes, remove these rows", type="primary", key="data_undo_confirm"):
        try:  # busy, disk full, read-only: nothing was removed (one transaction), the confirm stays to try again
            with faults.translated(faults.store_of(engine)):
                removed = core.undo_import(engine, which, reason=reason, user=signin.actor(engine))
        except WorkbenchError as exc:
            errors.show(exc)
        else:
            st.session_state.pop(PENDING, None)
            st.toast(f"Import #{which} undone: {units.count(sum(removed.values()))} rows removed.",
                     icon=":material/check_circle:")
            st.rerun()
    _cancel_button(right)


def _cancel_button(where=st) -> None:
    if where.button("Cancel", key="data_undo_cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()
