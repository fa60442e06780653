"""Playbooks: triggers over the store's signals turn into a guarded queue of actions, each play with its own
randomised holdout, recorded before its list is shown; the outreach calendar across all plays."""

import streamlit as st

from ui.frame import loaders
from ui.frame import page as frame
from ui.plays import cached, rules, runs

frame.require()

st.title("Playbooks")
st.caption("A trigger turns a signal (a health band crossed, usage falling, an escalated ticket, a detractor ...) "
           "into an action for a team; guards keep customers from being contacted too often; each play holds out "
           "a random share so the Intervention ROI page measures it.")
url = loaders.store_url()
version = loaders.store_version(url)
saved, playbook = cached.book(url)
notice = st.empty()  # always there, so the tabs keep their place (and the tab open) whether a notice shows or not
if "plays_saved" in st.session_state:
    notice.success(st.session_state.pop("plays_saved"), icon=":material/check_circle:")
tabs = st.tabs(["Rules", "Run", "Queue", "Calendar"])
with tabs[0]:
    rules.show(url, saved, playbook)
with tabs[1]:
    day = runs.run_tab(url, version, saved, playbook)
with tabs[2]:
    runs.queue_tab(url)
with tabs[3]:
    runs.calendar_tab(url, version, playbook, day)
