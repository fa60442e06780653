"""The Rules tab: the playbook in plain words, its editor (JSON, saved as a new version with author and reason) and
the saved versions."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.access import rights
from core.errors import WorkbenchError
from core.plays import book_store
from core.plays.rules import SIGNALS, Playbook, parse
from core.plays.summary import book_text
from ui import components
from ui.churn.who import author_input
from ui.frame import errors, loaders, signin
from ui.plays import cached


def show(url: str, saved: int | None, playbook: Playbook) -> None:
    """The playbook ``playbook`` (version ``saved``, or None for the example) in plain words, the editor and the
    versions."""
    if saved is None:
        components.empty_state("No playbook is saved in this store yet. Below is the example playbook, previewed on "
                               "your data in the Run tab; edit it to your plays and save it to record runs.")
    else:
        st.markdown(f"**Playbook v{saved}**: each trigger in priority order, then the guards.")
    for line in book_text(playbook).splitlines():
        st.markdown(components.plain(line))
    _editor(url, saved, playbook)
    v = cached.versions(url)
    if len(v):
        st.markdown("**Saved versions**")
        v = v.assign(version=v["version"].map(lambda x: f"v{x}"),
                     parent=v["parent"].map(lambda x: "" if x is None else f"v{x}"))
        st.dataframe(v.rename(columns=VERSION_LABELS), hide_index=True, width="stretch",
                     column_config={"Saved (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})


#: the saved versions' columns as shown
VERSION_LABELS = {"version": "Version", "created_at": "Saved (UTC)", "author": "Author", "reason": "Reason",
                  "parent": "Edited from", "triggers": "Triggers"}


def signal_table() -> pd.DataFrame:
    """Each signal as the JSON writes it, its parameters and when it fires."""
    return pd.DataFrame([{"In the JSON": name, "Parameters": ", ".join(params) or "none",
                          "Fires when": words.format(**{k: f"<{k}>" for k in params})}
                         for name, (params, words) in SIGNALS.items()])


@st.fragment
def _editor(url: str, saved: int | None, playbook: Playbook) -> None:
    """The JSON editor; a refused save reruns this section only, a saved one the page."""
    engine = loaders.get_engine(url)
    with st.expander("Edit the playbook", expanded=saved is None):
        st.caption("Each trigger names its signal as the JSON writes it; the README's Playbooks section gives each "
                   "one's parameters.")
        st.dataframe(signal_table(), hide_index=True, width="stretch")
        if not signin.offer(engine, rights.CONFIGURE):
            st.code(playbook.to_json(), language="json")
            return
        with st.form("plays_edit"):
            text = st.text_area("Triggers and guards (JSON)", playbook.to_json(), height=320,
                                key=f"plays_json_{saved}")
            a, b = st.columns(2)
            author = author_input(engine, "plays_edit_author", where=a)
            reason = b.text_input("Reason for the change", key="plays_edit_reason")
            submitted = st.form_submit_button("Save as a new version", type="primary")
    if submitted:
        _save(url, text, author, reason, saved)


def _save(url: str, text: str, author: str, reason: str, parent: int | None) -> None:
    engine = loaders.get_engine(url)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        st.error(f"The playbook is not valid JSON ({exc.msg}, line {exc.lineno}); nothing was saved.")
        return
    try:
        version = book_store.save_book(engine, parse(data), author, reason, parent=parent,
                                       user=signin.actor(engine))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    st.session_state["plays_saved"] = f"Saved as playbook v{version}."
    st.rerun()
