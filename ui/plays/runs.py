"""The Run tab (the playbook's queue on today's signals, previewed as counts, then recorded) and the Queue tab (a
recorded run's actions, per play and guard, downloadable).

Who is held out is shown only once the run is recorded: the preview gives counts, the list comes with the record.
Who is on a list (the queue, its files, the customers the calendar holds) is shown to the roles allowed per-customer
risk lists only (ui.churn.risk_lists); the counts are everyone's.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from core.access import rights
from core.errors import WorkbenchError
from core.export import units
from core.plays import handoff, results, summary
from core.plays.queue import HELD, QUEUED, TREATMENT
from core.plays.record import record_run
from core.plays.rules import Playbook
from core.roi.defaults import CONTROL
from ui import components
from ui.churn import risk_lists
from ui.frame import errors, loaders, signin
from ui.plays import cached

#: the queue's columns as the page shows them
SHOWN = {"customer_id": "Customer", "play": "Play", "trigger": "Trigger", "reason": "Reason", "owner": "Owner",
         "channel": "Channel", "due": "Due", "status": "Status", "arm": "Arm", "held_back": "Why held back",
         "note": "Note", "merged": "Also fired", "segment": "Segment", "tier": "Churn-risk tier"}
#: the per-play table's, the held-back reasons', the week table's and the booked customers' columns as shown
PLAY_LABELS = {"play": "Play", "owner": "Owner", "queued": "Queued", "reached": "To reach", "held_out": "Held out",
               "held_back": "Held back", "merged": "Merged"}
REASON_LABELS = {"guard": "Guard", "actions": "Actions held back"}
WEEK_LABELS = {"week": "Week of", "play": "Play", "reached": "Reached", "held_out": "Held out", "due": "Due to reach"}
BOOKED_LABELS = {"customer_id": "Customer", "play": "Play", "date": "Contacted or held out on", "arm": "Arm",
                 "free_from": "Free for another play from", "play_free_from": "Free for this play from"}


def shown(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """``frame``'s columns of ``labels``, renamed, an empty text cell blank (never "None")."""
    out = frame[list(labels)].rename(columns=labels)
    text = out.select_dtypes(include="object").columns
    out[text] = out[text].astype(object).where(out[text].notna(), "")
    return out


def tiles(queue: pd.DataFrame, where=st) -> None:
    """Actions queued, to reach, held out and held back."""
    c = where.columns(4)
    c[0].metric("Actions queued", units.count(int((queue["status"] == QUEUED).sum())))
    c[1].metric("To reach", units.count(int((queue["arm"] == TREATMENT).sum())))
    c[2].metric("Held out at random", units.count(int((queue["arm"] == CONTROL).sum())),
                help="Not contacted, so the Intervention ROI page can measure what each play did.")
    c[3].metric("Held back by the guards", units.count(int((queue["status"] == HELD).sum())))


def _per_play(queue: pd.DataFrame) -> None:
    plays = summary.by_play(queue)
    if len(plays):
        st.dataframe(shown(plays, PLAY_LABELS), hide_index=True, width="stretch")
    reasons = summary.held_reasons(queue)
    if len(reasons):
        st.markdown("**Why actions were held back**")
        st.dataframe(shown(reasons, REASON_LABELS), hide_index=True, width="stretch")


def run_tab(url: str, version: str, saved: int | None, playbook: Playbook) -> pd.Timestamp | None:
    """The run's counts on the store's signals, and the button that records it; returns the day the signals were
    read on (None when the store has nobody to act on)."""
    a, b = st.columns(2)
    day = a.date_input("As of", value=None, key="plays_day", help="Empty: the data's last day.")
    seed = b.number_input("Seed of the holdout draw", 0, 2**31 - 1, 0, key="plays_seed")
    try:
        queue, cannot, when = cached.preview(url, version, playbook.to_json(), day, int(seed))
    except WorkbenchError as exc:
        errors.show(exc)
        return None
    st.markdown(components.plain(summary.headline(queue, when)))
    tiles(queue)
    _per_play(queue)
    for line in cannot:
        st.caption(components.plain(line))
    if saved is None:
        st.info("Save the playbook (Rules tab) to record its runs: a recorded run logs its contacts, both arms, "
                "for the Intervention ROI page.")
    else:
        _record(url, saved, playbook, queue, when, int(seed))
    return when


def _record(url: str, saved: int, playbook: Playbook, queue: pd.DataFrame, when: pd.Timestamp, seed: int) -> None:
    engine = loaders.get_engine(url)
    if not (queue["status"] == QUEUED).any():
        st.caption("Nothing to record: no action is queued.")
        return
    if not signin.offer(engine, rights.IMPORT):
        return
    if st.button("Record this run and show its list", type="primary", key="plays_record"):
        try:
            run_id = record_run(engine, playbook, queue, when, seed, book_version=saved, user=signin.actor(engine))
        except WorkbenchError as exc:
            errors.show(exc)
            return
        st.session_state["plays_saved"] = summary.recorded_text(run_id, queue) + " Its list is in the Queue tab."
        st.rerun()


def queue_tab(url: str) -> None:
    """A recorded run's actions: the newest by default."""
    done = cached.recorded(url)
    if not len(done):
        components.empty_state("No run is recorded yet: save the playbook (Rules tab) and record a run (Run tab).")
        return
    labels = {int(r.run): f"Run {r.run}: as of {r.as_of:%Y-%m-%d}, {units.count(r.queued)} queued"
              for r in done.itertuples()}
    run_id = st.selectbox("Run", list(labels), format_func=labels.get, key="plays_run")
    info = done.set_index("run").loc[run_id]
    queue = cached.run_actions(url, run_id)
    st.markdown(components.plain(summary.headline(queue, info["as_of"])))
    st.caption(components.plain(f"Recorded {info['at']:%Y-%m-%d %H:%M} UTC by {info['author']} with seed "
                                f"{info['seed']}" + ("; its contacts were undone on the Data page."
                                                     if info["contacts_undone"] else ".")))
    tiles(queue)
    _per_play(queue)
    if risk_lists.shown(loaders.get_engine(url)):  # who is on the list (and its files): the roles allowed only
        table = shown(queue, SHOWN)
        st.dataframe(table, hide_index=True, width="stretch", column_config={"Due": components.DATE})
        a, b = st.columns(2)
        components.csv_download(table, "Download the queue (CSV)", f"playbook_run_{run_id}.csv", key="plays_dl_csv",
                                where=a)
        components.xlsx_download({"Queue": table}, "Download the queue (XLSX)", f"playbook_run_{run_id}.xlsx",
                                 key="plays_dl_xlsx", where=b)
        _handoff(url, run_id, queue)
    _results(url)


def _handoff(url: str, run_id: int, queue: pd.DataFrame) -> None:
    """The actions to reach as CRM-ready tasks per owner team (never a held-out customer), and the webhook."""
    tasks = handoff.tasks(run_id, queue)
    st.markdown("**Hand-off to the teams**")
    st.caption(f"The {units.count(len(tasks))} actions to reach as tasks for a CRM import, one file or sheet per "
               "owner team; the held-out customers are never in them. A contact log brings the results back.")
    parts = handoff.by_owner(tasks)
    components.xlsx_download(parts, "Tasks per owner (XLSX, a sheet each)", f"playbook_run_{run_id}_tasks.xlsx",
                             key="plays_dl_tasks")
    cols = st.columns(min(len(parts), 4) or 1)
    for i, (name, part) in enumerate(parts.items()):
        components.csv_download(part, components.plain(f"{name} (CSV)"), f"playbook_run_{run_id}_{name}.csv",
                                key=f"plays_dl_owner_{i}", where=cols[i % len(cols)])
    webhook = os.environ.get(handoff.WEBHOOK_ENV, "").strip()
    if not webhook:
        st.caption(f"Set {handoff.WEBHOOK_ENV} to a CRM's or an automation tool's inbound address to post the tasks "
                   "there as JSON.")
        return
    engine = loaders.get_engine(url)
    if signin.offer(engine, rights.IMPORT) and st.button("Send the tasks to the webhook", key="plays_post"):
        try:
            sent = handoff.send_run(engine, run_id, webhook, user=signin.actor(engine))
        except WorkbenchError as exc:
            errors.show(exc)
            return
        st.success(f"Sent {units.count(sent)} tasks to the webhook.", icon=":material/check_circle:")


def calendar_tab(url: str, version: str, playbook: Playbook, when: pd.Timestamp | None) -> None:
    """Contacts made and held out, and actions due, per week and play around ``when`` (the Run tab's day); who the
    calendar still holds then."""
    if when is None:
        components.empty_state("The calendar needs customers to act on: import customers on the Data page.")
        return
    weeks, booked = cached.calendar(url, version, playbook.guards.gap_days, when.date())
    st.markdown(components.plain(summary.calendar_text(booked, playbook.guards, when)))
    if len(weeks):
        st.dataframe(shown(weeks, WEEK_LABELS), hide_index=True, width="stretch",
                     column_config={"Week of": components.DATE})
    if len(booked) and risk_lists.shown(loaders.get_engine(url)):
        st.markdown("**Customers the calendar holds**")
        table = shown(booked, BOOKED_LABELS)
        st.dataframe(table, hide_index=True, width="stretch",
                     column_config={c: components.DATE for c in list(BOOKED_LABELS.values())[2:] if c != "Arm"})
        components.csv_download(table, "Download (CSV)", "outreach_calendar.csv", key="plays_dl_calendar")


REACH_LABELS = {"play": "Play", "to_reach": "To reach", "reached": "Reached", "done": "Done", "failed": "Failed",
                "no_result": "No result yet"}


def _results(url: str) -> None:
    """The contact logs' results per play, and the upload that brings a log in."""
    engine = loaders.get_engine(url)
    st.markdown("**Results from the teams**")
    reached = results.reach(engine)
    if len(reached):
        st.dataframe(shown(reached, REACH_LABELS), hide_index=True, width="stretch")
    if not signin.offer(engine, rights.IMPORT):
        return
    log = st.file_uploader("Contact log from the CRM (CSV or XLSX): a task id, or customer and play, and a result "
                           "(done, reached or failed)", type=["csv", "txt", "xlsx"], key="plays_log")
    if log is not None and st.button("Load the results", key="plays_load_log"):
        try:
            n = results.import_log(engine, log.getvalue(), log.name, user=signin.actor(engine))
        except WorkbenchError as exc:
            errors.show(exc)
            return
        st.session_state["plays_saved"] = (f"Loaded {units.count(n)} results; the Intervention ROI page shows each "
                                           "play's reach beside its effect.")
        st.rerun()
