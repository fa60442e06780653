"""The Data page's import flow: upload, sheet and kind, mapping editor, validation report, load, undo."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import core
from core.errors import WorkbenchError
from ui import components
from ui.frame import errors, loaders

NONE = "(not in this file)"


@st.cache_data(ttl=600, max_entries=4, show_spinner="Reading the file ...")
def _inspect(data: bytes, name: str, sheet: str | None, kind: str) -> tuple[list[str], list[str], dict]:
    raw = core.read_table(data, name, sheet=sheet)
    return list(raw.frame.columns), raw.sheets, core.guess_mapping(raw.frame, kind, raw.details.get("decimal", "."))


def _mapping_editor(columns: list[str], guessed: dict, kind: str, key: str) -> tuple[dict, dict]:
    rows = [{"field": s.name, "required": s.required, "column": guessed.get(s.name, NONE), "fixed value": "",
             "about": s.help} for s in core.KINDS[kind]]
    edited = st.data_editor(
        pd.DataFrame(rows), key=key, hide_index=True, width="stretch", disabled=["field", "required", "about"],
        column_config={"column": st.column_config.SelectboxColumn("column in your file", options=[NONE, *columns]),
                       "fixed value": st.column_config.TextColumn(help="one value for every row, e.g. review")})
    mapping = {r["field"]: (None if r["column"] in (NONE, None) else r["column"]) for r in edited.to_dict("records")}
    constants = {r["field"]: r["fixed value"] for r in edited.to_dict("records") if r["fixed value"]}
    return mapping, constants


def upload_section(url: str) -> None:
    """Upload a file, map it, see the validation report, and load it."""
    n = st.session_state.setdefault("data_upload_n", 0)  # a new key empties the uploader after an import
    up = st.file_uploader("Upload a CSV or XLSX file", type=["csv", "txt", "tsv", "xlsx"], key=f"data_upload_{n}")
    if up is None:
        st.caption("Nothing is written until you press Import. Need a starting point? Download a template below.")
        return
    data = up.getvalue()
    left, mid, right = st.columns(3)
    kind = left.selectbox("What the file holds", list(core.KINDS), key="data_kind")
    try:
        columns, sheets, guessed = _inspect(data, up.name, None, kind)
        sheet = mid.selectbox("Sheet", sheets, key="data_sheet") if sheets else None
        if sheet and sheet != sheets[0]:
            columns, sheets, guessed = _inspect(data, up.name, sheet, kind)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    mode = right.radio("Mode", ["append", "replace"], horizontal=True, key="data_mode",
                       help="replace first empties the tables this kind loads")
    as_of = None
    if kind == "customers":
        as_of = st.date_input("Snapshot date (for a tenure column or a churn flag)", value=None, key="data_as_of",
                              min_value=dt.date(1990, 1, 1), format="YYYY-MM-DD")
    st.markdown("**Column mapping**: automatic guesses; change any of them.")
    mapping, constants = _mapping_editor(columns, guessed, kind, key=f"data_map_{kind}_{sheet}_{hash(data)}")
    try:
        plan = core.prepare_import(loaders.get_engine(url), data, up.name, kind, sheet=sheet, mapping=mapping,
                                   constants=constants, as_of=as_of, mode=mode)
    except WorkbenchError as exc:
        errors.show(exc)
        return
    _report(plan)
    strict = st.radio("If a row has an error", ["reject the whole file (strict)", "load the valid rows (lenient)"],
                      key="data_strict", horizontal=True).startswith("reject")
    if st.button("Import", type="primary", key="data_import"):
        bar = st.progress(0.0, text="Loading ...")
        try:
            res = core.commit_import(loaders.get_engine(url), plan, strict=strict,
                                     progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
        except WorkbenchError as exc:
            bar.empty()
            errors.show(exc)
            return
        bar.empty()
        st.toast(f"Import #{res.import_id}: {res.rows_loaded:,} rows loaded, {res.rows_rejected:,} rejected.",
                 icon=":material/check_circle:")
        st.session_state["data_last_import"] = res.import_id
        st.session_state["data_upload_n"] = n + 1
        st.rerun()


def _report(plan) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Rows read", f"{plan.rows_read:,}")
    b.metric("Valid rows", f"{plan.rows_valid:,}")
    c.metric("Errors", f"{plan.n_errors:,}")
    d.metric("Warnings", f"{plan.n_warnings:,}")
    st.markdown(f"**Validation:** {plan.n_errors:,} errors, {plan.n_warnings:,} warnings "
                f"in {plan.rows_read:,} rows; {plan.rows_rejected:,} rows would be rejected.")
    with st.expander("Preview (first 20 rows, as mapped)"):
        st.dataframe(plan.preview(20), hide_index=True, width="stretch")
    if len(plan.report):
        st.dataframe(plan.report, hide_index=True, width="stretch", height=min(400, 40 + 35 * len(plan.report)))
        x, y = st.columns(2)
        components.csv_download(plan.report, "Download the validation report (CSV)", "validation_report.csv",
                                key="data_dl_report", where=x)
        if plan.rows_rejected:
            y.download_button("Download the rejected rows with reasons (CSV)", plan.rejected_csv(),
                              "rejected_rows.csv", "text/csv", key="data_dl_rejected")


def history_section(url: str, version: str) -> None:
    """Import history with downloads and undo."""
    history = loaders.import_history(url, version)
    st.subheader("Import history")
    if history.empty:
        st.info("The store is empty. Upload a file above, or reset to the demo data below.")
        return
    shown = history[["id", "file_name", "kind", "mode", "rows_read", "rows_loaded", "rows_rejected", "finished_at"]]
    st.dataframe(shown, hide_index=True, width="stretch")
    left, right = st.columns([3, 1])
    components.csv_download(shown, "Download import history (CSV)", "import_history.csv", where=left)
    with right.popover("Undo an import", icon=":material/undo:"):
        which = st.selectbox("Import", shown["id"].tolist(), key="data_undo_id",
                             format_func=lambda i: f"#{i} {shown.set_index('id').loc[i, 'file_name']}")
        if st.button("Remove its rows", key="data_undo"):
            try:
                removed = core.undo_import(loaders.get_engine(url), int(which))
            except WorkbenchError as exc:
                errors.show(exc)
            else:
                st.toast(f"Import #{which} undone: {sum(removed.values()):,} rows removed.")
                st.rerun()


def templates_section() -> None:
    """A template workbook per table kind."""
    kind = st.selectbox("Template for", list(core.KINDS), key="data_template_kind")
    st.download_button(f"Download the {kind} template (XLSX)", core.template_xlsx(kind), f"{kind}_template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="data_dl_template")
