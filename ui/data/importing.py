"""The Data page's import flow: upload, sheet and kind, mapping editor, validation report, load (the history and
undo: :mod:`ui.data.history`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

import streamlit as st

import core
from core.access import rights
from core.errors import WorkbenchError
from core.export import units
from core.ingest import csv_file, id_spaces
from core.ingest import mapping as column_mapping
from core.ingest.date_formats import EXAMPLES as DATE_EXAMPLES
from core.ingest.kind_detection import Detection, advice, detect_file
from core.ingest.wording import speaking
from ui import components
from ui.frame import errors, loaders, signin

NONE = "(not in this file)"
FIXED = "(one value for every row)"
ID_SPACES = {words: choice for choice, words in id_spaces.PAGE_WORDS.items()}  # the radio's labels -> the choice
DATE_FORMAT = "Date format (optional)"  # the messages name it (core.ingest.wording: "date_format")
UPLOAD_FILE = "data_upload_file"  # (sha256, temporary folder, path) of a long upload written to disk
_WORKBOOKS = (".xlsx", ".xlsm", ".xls")


def upload_source(data: bytes, name: str) -> bytes | Path:
    """What the import reads: a long text upload (:data:`core.ingest.csv_file.FROM_DISK_BYTES` or more) written
    once to a private temporary file, so it is validated and loaded in chunks as the command line reads a file
    (:mod:`core.ingest.chunks`); the bytes otherwise. The file goes with the session (or the next upload)."""
    if len(data) < csv_file.FROM_DISK_BYTES or Path(name).suffix.lower() in _WORKBOOKS:
        return data
    digest = hashlib.sha256(data).hexdigest()
    held = st.session_state.get(UPLOAD_FILE)
    if held is None or held[0] != digest:
        folder = tempfile.TemporaryDirectory(prefix="retention-upload-")
        path = Path(folder.name) / ("upload" + (Path(name).suffix or ".csv"))
        path.write_bytes(data)
        st.session_state[UPLOAD_FILE] = (digest, folder, path)  # the previous folder is removed once dropped
    return st.session_state[UPLOAD_FILE][2]


@st.cache_data(ttl=600, max_entries=4, show_spinner="Reading the file ...")
def _inspect(data: bytes, name: str, sheet: str | None, kind: str) -> tuple[list[str], list[str], dict]:
    raw = core.read_table(data, name, sheet=sheet)
    return list(raw.frame.columns), raw.sheets, core.guess_mapping(raw.frame, kind, raw.details.get("decimal", "."))


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def _detect(data: bytes, name: str) -> Detection | None:
    """The kind the file most likely holds (None when it cannot be read: the reading then says why)."""
    try:
        return detect_file(data, name)
    except WorkbenchError:
        return None


def _preset_kind(found: Detection | None, data: bytes) -> None:
    """Pre-set "What the file holds" to the detected kind, once per uploaded file (the analyst's choice stays)."""
    token = hash(data)
    if found is not None and st.session_state.get("data_kind_file") != token:
        st.session_state["data_kind_file"] = token
        if found.kind is not None:
            st.session_state["data_kind"] = found.kind


def _kind_caption(found: Detection | None) -> str:
    """Why the kind is pre-set, as inert text (the reason can name the file's columns)."""
    if found is None:
        return ""
    if found.kind is not None:
        return "Detected from the columns: " + components.plain(found.reason) + "."
    fix = advice(found, where="page")  # the kind (and, with no header line, a column per field), in page words
    return ("Could not tell what the file holds: " + components.plain(found.reason) + ". "
            + components.plain(fix[:1].upper() + fix[1:]) + ".")


def _mapping_editor(columns: list[str], guessed: dict, kind: str, key: str) -> tuple[dict, dict]:
    """One select box per field of ``kind``: the file's columns, "not in this file" or one value for every row,
    preset to the automatic match; beside it the field's description and how sure the match is, in words.

    Returns (field -> column or None, field -> value for every row)."""
    options = [NONE, *columns, FIXED]
    mapping: dict[str, str | None] = {}
    constants: dict[str, str] = {}
    for spec in core.KINDS[kind]:
        about, pick, how = st.columns([2, 3, 2], vertical_alignment="center")
        about.markdown(f"**{spec.name}**" + (" (needed)" if spec.required else ""))
        about.caption(spec.help)
        guess = guessed.get(spec.name)
        choice = pick.selectbox(f"Column for {spec.name}", options, key=f"{key}_{spec.name}",
                                index=options.index(guess) if guess in columns else 0, label_visibility="collapsed")
        mapping[spec.name] = None if choice in (NONE, FIXED) else choice
        if choice == FIXED:
            value = pick.text_input(f"Value of {spec.name} for every row", key=f"{key}_{spec.name}_value",
                                    placeholder="e.g. review", label_visibility="collapsed")
            if value.strip():
                constants[spec.name] = value.strip()
        how.caption(_match_words(kind, spec, choice, guess))
    return mapping, constants


def _match_words(kind: str, spec, choice: str, guess: str | None) -> str:
    """How the field got its column, in the page's words ("matched by name", "guessed from similar words - check")."""
    if choice == FIXED:
        return "one value for every row"
    if choice == NONE:
        return "needed: choose a column or give one value" if spec.required else "not in this file"
    match = column_mapping.name_match(kind, spec.name, choice) if choice == guess else None
    return match.how if match else column_mapping.CHOSEN


def upload_section(url: str) -> None:
    """Upload a file, map it, see the validation report, and load it."""
    if not signin.offer(loaders.get_engine(url), rights.IMPORT):  # a role without the right sees why instead
        return
    n = st.session_state.setdefault("data_upload_n", 0)  # a new key empties the uploader after an import
    up = st.file_uploader("Upload a CSV or XLSX file", type=["csv", "txt", "tsv", "xlsx"], key=f"data_upload_{n}")
    if up is None:
        st.caption("Nothing is written until you press Import. Need a starting point? Download a template below.")
        return
    data = up.getvalue()
    found = _detect(data, up.name)
    _preset_kind(found, data)
    left, mid, right = st.columns(3)
    kind = left.selectbox("What the file holds", list(core.KINDS), key="data_kind")
    if found is not None:
        left.caption(_kind_caption(found))
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
    when, forced = st.columns(2)
    as_of = None
    if kind == "customers":
        as_of = when.date_input("Snapshot date (for a tenure column or a churn flag)", value=None, key="data_as_of",
                                min_value=dt.date(1990, 1, 1), format="YYYY-MM-DD")
    date_format = _date_format(forced)
    st.markdown("**Column mapping**: for each field, the column of your file that holds it (matched by name; "
                "change any of them).")
    mapping, constants = _mapping_editor(columns, guessed, kind, key=f"data_map_{kind}_{sheet}_{hash(data)}")
    id_key = f"data_id_space_{hash(data)}"  # the choice belongs to this file
    try:
        with speaking("page"):  # messages in the page's words, not the CLI's options
            plan = core.prepare_import(loaders.get_engine(url), upload_source(data, up.name), up.name, kind,
                                       sheet=sheet, mapping=mapping,
                                       constants=constants, as_of=as_of, date_format=date_format, mode=mode,
                                       id_space=ID_SPACES.get(st.session_state.get(id_key)))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    _report(plan)
    if not _id_space_choice(plan, id_key):
        return
    strict = st.radio("If a row has an error", ["reject the whole file (strict)", "load the valid rows (lenient)"],
                      key="data_strict", horizontal=True).startswith("reject")
    if st.button("Import", type="primary", key="data_import"):
        bar = st.progress(0.0, text="Loading ...")
        try:
            with speaking("page"):
                res = core.commit_import(loaders.get_engine(url), plan, strict=strict,
                                         user=signin.actor(loaders.get_engine(url)),
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


def _date_format(where) -> str | None:
    """The format forced on every date column, as typed; None when left empty (each column's format is detected).

    An unusable one is refused by ``prepare_import`` with one line, shown like any other problem of the file."""
    typed = where.text_input(DATE_FORMAT, key="data_date_format", placeholder="detected per column",
                             help="Leave it empty and each date column's format is detected from its values. Type a "
                                  "format to read every date column with it, in strftime codes: "
                                  + ", ".join(DATE_EXAMPLES[:4]) + ".")
    return typed.strip() or None


def _id_space_choice(plan, key: str) -> bool:
    """When the file's ids match customers another source created, ask whether they are the same customers;
    False while that choice is missing (nothing can be imported yet)."""
    ids = plan.id_spaces
    if ids is None or not ids.applies or not ids.n_other:
        return True
    st.markdown(f"**Customer ids:** {components.plain(ids.matches())}, a different source than this file "
                f"({components.plain(ids.source)}).")
    st.radio("Are they the same customers?", list(ID_SPACES), index=None, key=key, horizontal=True,
             help="Keep them separate: this file's ids get its source name as a prefix and become new customers.")
    if ids.choice is None:
        st.info("Choose whether these are the same customers before importing.")
        return False
    return True


def _report(plan) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Rows read", units.count(plan.rows_read))
    b.metric("Valid rows", units.count(plan.rows_valid))
    c.metric("Errors", units.count(plan.n_errors))
    d.metric("Warnings", units.count(plan.n_warnings))
    st.markdown(f"**Validation:** {units.count(plan.n_errors)} errors, {units.count(plan.n_warnings)} warnings "
                f"in {units.count(plan.rows_read)} rows; {units.count(plan.rows_rejected)} rows would be rejected.")
    for note in plan.notes:  # what the import derived or found: a derived amount, the returns
        st.caption(components.plain(note))
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


def templates_section() -> None:
    """A template workbook per table kind."""
    kind = st.selectbox("Template for", list(core.KINDS), key="data_template_kind")
    st.download_button(f"Download the {kind} template (XLSX)", core.template_xlsx(kind), f"{kind}_template.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="data_dl_template")
