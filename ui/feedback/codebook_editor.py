"""The Discovery and Codebook tabs of the Feedback themes page: candidates the codebook misses, and every
codebook change (create, rename, edit, merge, split, retire) saved with its author in the change log."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from core.access import rights
from core.errors import WorkbenchError
from core.feedback import discovery as td
from core.feedback import store as ts
from core.feedback.codebook import DEFAULT_TEAM, NEGATION_MODES
from ui import components
from ui.feedback import cached as feedback
from ui.feedback import figures, headers
from ui.feedback.cached import View
from ui.frame import errors, loaders, signin


@st.cache_data(ttl=600, max_entries=8, show_spinner="Clustering untagged verbatims ...")
def _candidates(key: tuple, _texts: tuple[str, ...], k: int) -> list[td.Candidate]:
    """Candidate themes among the untagged texts of the view whose key is ``key`` (the texts are not hashed)."""
    return td.discover(pd.Series(_texts, dtype=object), k, seed=0)


def _author(where, key: str) -> str:
    me = signin.actor(loaders.get_engine(loaders.store_url()))
    if not me.local:  # a signed-in user is the author of the change
        where.text(f"Saved as {me.name}")
        return me.name
    st.session_state.setdefault(key, st.session_state.get("themes_author", ""))
    return where.text_input("Your name (for the change log)", key=key)


def _apply(v: View, make, note: str) -> None:
    """Run one codebook change from a form: save it, or show why it was refused (nothing saved)."""
    try:
        feedback.save(v.url, v.book, make(), note)
    except WorkbenchError as exc:
        errors.show(exc)


@st.fragment
def discovery(v: View) -> None:
    un = figures.unnamed(v.key, v)
    a, b = st.columns([1, 3])
    k = a.slider("Candidate themes", 2, 12, 6, key="disc_k")
    b.caption(f"{len(un):,} verbatims in the window name no theme of the codebook. They are clustered with TF-IDF "
              "and NMF (scikit-learn, fixed seed; each distinct text once, personal data masked). Add a candidate to "
              "the codebook with the keywords you choose: it gets the next id, and nothing else is renumbered.")
    try:
        cands = _candidates(v.key, tuple(un["text"].astype(str)), int(k))
    except WorkbenchError as exc:
        errors.show(exc)
        return
    table = td.candidates_table(cands)
    components.table(table, hide_index=True, width="stretch", column_config=headers.labelled(table, {
        "share": components.PERCENT}))
    figures.csv_download(v, table, "Download candidates (CSV)", "theme_candidates.csv", "disc_dl", choices=(int(k),))
    for c in cands:
        with st.expander(f"Candidate {c.number}: {c.title} ({c.size:,} verbatims)", expanded=c.number == 1):
            st.markdown("**Top terms:** " + ", ".join(c.terms))
            for ex in c.examples:
                st.markdown(f"> {components.plain(ex)}")
            # keyed by the candidate's terms: a new set of candidates gets fresh forms, not the old values
            sig = hashlib.sha1("|".join(c.terms).encode()).hexdigest()[:10]
            with st.form(f"disc_add_{sig}"):
                x, y = st.columns(2)
                name = x.text_input("Theme name", c.title, key=f"disc_name_{sig}")
                team = y.text_input("Owner team", DEFAULT_TEAM, key=f"disc_team_{sig}")
                kws = st.text_input("Keywords (comma-separated; * = any ending, _ = any one word)",
                                    ", ".join(c.keywords), key=f"disc_kw_{sig}")
                who = _author(st, f"disc_author_{sig}")
                allowed = signin.offer(loaders.get_engine(v.url), rights.CODEBOOK)
                if st.form_submit_button("Add to codebook", disabled=not allowed):
                    why = f"discovered: candidate {c.number} ({c.size} verbatims)"
                    _apply(v, lambda n=name, kw=kws, tm=team, a=who, r=why: v.book.create(n, kw, team=tm, author=a,
                                                                                          reason=r), "Added")


@st.fragment
def codebook(v: View) -> None:
    book = v.book
    table = ts.codebook_table(book)
    st.dataframe(table, hide_index=True, width="stretch", column_config=headers.labelled(table, {
        "keywords": st.column_config.TextColumn(width="large")}))
    st.download_button("Download the codebook (JSON)", feedback.key(book).encode(), "codebook.json",
                       "application/json", key="cb_dl")
    active = {t.id: f"{t.id} - {book.label(t.id)}" for t in book.active()}
    ids = list(active)
    action = st.segmented_control("Change", ["Create", "Rename", "Edit rules", "Merge", "Split", "Retire"],
                                  default="Rename", key="cb_action") or "Rename"
    if action == "Edit rules":  # outside the form: the rule fields below must follow the chosen theme
        edit_id = st.selectbox("Theme", ids, format_func=active.get, key="cb_edit_id")
    with st.form(f"cb_{action}"):
        if action == "Create":
            a, b = st.columns(2)
            name = a.text_input("Name", key="cb_new_name")
            team = b.text_input("Owner team", DEFAULT_TEAM, key="cb_new_team")
            kws = st.text_input("Keywords (comma-separated; * = any ending, _ = any one word)", key="cb_new_kw")
            parent = st.selectbox("Parent (for a sub-theme)", [None] + [i for i in ids if book.get(i).parent is None],
                                  format_func=lambda i: "none (top level)" if i is None else active[i],
                                  key="cb_new_parent")
            make = lambda: book.create(name, kws, team=team, parent=parent, author=who, reason=why)  # noqa: E731
        elif action == "Rename":
            a, b = st.columns(2)
            tid = a.selectbox("Theme", ids, format_func=active.get, key="cb_ren_id")
            name = b.text_input("New name", key="cb_ren_name")
            make = lambda: book.rename(tid, name, author=who, reason=why)  # noqa: E731
        elif action == "Edit rules":
            tid = edit_id
            t = book.get(tid)
            kws = st.text_input("Keywords", ", ".join(t.keywords), key=f"cb_edit_kw_{tid}")
            exc = st.text_input("Exclude (veto) terms", ", ".join(t.exclude), key=f"cb_edit_ex_{tid}")
            a, b = st.columns(2)
            neg = a.selectbox("A negated mention (\"no crash in months\")", list(NEGATION_MODES),
                              index=list(NEGATION_MODES).index(t.negation), key=f"cb_edit_neg_{tid}",
                              format_func={"ignore": "still names the theme", "exclude": "does not count"}.get)
            team = b.text_input("Owner team", t.team, key=f"cb_edit_team_{tid}")
            make = lambda: book.edit(tid, keywords=kws, exclude=exc, negation=neg, team=team,  # noqa: E731
                                     author=who, reason=why)
        elif action == "Merge":
            a, b = st.columns(2)
            src = a.multiselect("Merge these themes", ids, format_func=active.get, key="cb_merge_src")
            into = b.selectbox("into", ids, format_func=active.get, key="cb_merge_into")
            make = lambda: book.merge(src, into, author=who, reason=why)  # noqa: E731
        elif action == "Split":
            a, b = st.columns(2)
            tid = a.selectbox("Split from", ids, format_func=active.get, key="cb_split_id")
            name = b.text_input("New theme's name", key="cb_split_name")
            kws = st.text_input("Keywords that move to the new theme", key="cb_split_kw")
            child = st.checkbox("Make it a sub-theme of the original", key="cb_split_child")
            make = lambda: book.split(tid, name, kws, as_child=child, author=who, reason=why)  # noqa: E731
        else:
            tid = st.selectbox("Theme", ids, format_func=active.get, key="cb_ret_id")
            make = lambda: book.retire(tid, author=who, reason=why)  # noqa: E731
        a, b = st.columns(2)
        who = _author(a, f"cb_author_{action}")
        why = b.text_input("Reason", key=f"cb_reason_{action}")
        allowed = signin.offer(loaders.get_engine(v.url), rights.CODEBOOK)
        if st.form_submit_button(f"Save: {action.lower()}", disabled=not allowed):
            st.session_state["themes_author"] = who
            _apply(v, make, "Saved")
    st.markdown("**Change log**")
    log = ts.change_log(loaders.get_engine(v.url))
    st.dataframe(log, hide_index=True, width="stretch", height=240, column_config=headers.labelled(log))
    components.csv_download(log, "Download the change log (CSV)", "codebook_changes.csv", key="cb_log_dl")
