"""The Playbooks page (pages/playbooks.py) in AppTest on a copy of the small demo (1,000 customers, seed 0): before
any playbook is saved it previews the example (the README's) and says the README's line; saving it makes version 1
(a bad edit is refused in one line, nothing saved); recording the run logs its queued actions as play contacts and
shows its list in the Queue tab, downloadable; a second preview queues none of them again; the calendar counts the
store's contacts as SQLite holds them."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pandas as pd
import pytest

import core
from core.demo.triggered import TRIGGERED
from core.plays import handoff, results
from core.plays.handoff import WEBHOOK_ENV
from core.plays.runs import run_actions
from core.roi.defaults import CONTROL
from tests.conftest import ROOT, copy_store, sql_rows
from tests.core.plays.webhook import receiving
from tests.pages import plain_words as pw
from tests.pages.conftest import open_page, rerun
from tests.pages.downloads import downloads, recording

README = (ROOT / "README.md").read_text()
_SECTION = README[README.index("## Playbooks"):]
PRINTED = _SECTION[_SECTION.index("```text\n") + 8:_SECTION.index("```", _SECTION.index("```text\n") + 8)].strip()
#: the README's line, read: actions queued, to reach, held out at random, held back by the guards (none merged)
_COUNTS = re.fullmatch(r"As of 2026-10-31: (\d+) actions queued \((\d+) to reach, (\d+) held out at random to measure "
                       r"the plays\), (\d+) held back by the guards, 0 merged into another\.", PRINTED)
QUEUED, REACHED, HELD_OUT, HELD_BACK = map(int, _COUNTS.groups()) if _COUNTS else (None,) * 4
#: reviewed exceptions to plain words, each with its reason
ALLOW = (pw.Allow("opt_out|renewal_negotiation|preferred_channel", "the customer attributes the guards read, named "
                  "as the customers file carries them (the playbook's guards say which)", where="markdown"),
         pw.Allow(r"\w+", "the signals as the playbook's JSON names them, each beside its parameters and when it fires",
                  where="dataframe cell [In the JSON]"),
         pw.Allow("RETENTION_PLAYS_WEBHOOK", "the setting's name, as the administrator who sets it types it",
                  where="caption"))




def _tiles(tab) -> dict[str, str]:
    return {m.label: m.value for m in tab.metric}


def _tab(at, name: str):
    return next(t for t in at.tabs if t.label == name)


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('playbooks'))}"


def test_the_example_is_previewed_saved_recorded_and_listed(store, monkeypatch):
    assert _COUNTS and QUEUED == REACHED + HELD_OUT > 0 and HELD_BACK > 0, PRINTED  # the README's line, read
    at = open_page(monkeypatch, store, "playbooks")
    run = _tab(at, "Run")
    assert [m.value.replace("\\", "") for m in run.markdown if m.value.startswith("As of")] == [PRINTED]
    assert _tiles(run) == {"Actions queued": f"{QUEUED}", "To reach": f"{REACHED}", "Held out at random": f"{HELD_OUT}",
                          "Held back by the guards": f"{HELD_BACK}"}
    assert any("No playbook is saved in this store yet" in i.value for i in at.info)
    assert "plays_record" not in [b.key for b in at.button]  # nothing to record before a playbook is saved
    # a bad edit: one line, nothing saved
    at.text_area(key="plays_json_None").set_value('{"triggers": [{"name": "X", "signal": "nps"}]}')
    at.text_input(key="plays_edit_author").set_value("Ana")
    at.text_input(key="plays_edit_reason").set_value("first book")
    at.button[0].click().run()
    assert any("Trigger 1 ('X')" in e.value for e in at.error), [e.value for e in at.error]
    assert sql_rows(store, "SELECT count(*) FROM playbook") == [(0,)]
    # the example saved as version 1
    at = open_page(monkeypatch, store, "playbooks")
    at.text_input(key="plays_edit_author").set_value("Ana")
    at.text_input(key="plays_edit_reason").set_value("first book")
    at.button[0].click().run()
    assert not at.exception
    assert sql_rows(store, "SELECT version, author, reason FROM playbook") == [(1, "Ana", "first book")]
    assert any("Saved as playbook v1." in s.value for s in at.success)
    # recorded: the contacts logged, the list in the Queue tab
    before = sql_rows(store, "SELECT count(*) FROM intervention")[0][0]
    at.button(key="plays_record").click().run()
    assert not at.exception
    assert any(f"Recorded as run 1: its {QUEUED} queued actions are logged as play contacts" in s.value
               for s in at.success)
    assert sql_rows(store, "SELECT count(*) FROM intervention")[0][0] == before + QUEUED
    queue = _tab(at, "Queue")
    table = next(d.value for d in queue.dataframe if "Customer" in d.value.columns)
    assert len(table) == QUEUED + HELD_BACK  # every action: queued (both arms) and held back, none merged
    assert table["Arm"].value_counts().to_dict() == {"treatment": REACHED, CONTROL: HELD_OUT, "": HELD_BACK}
    # a second preview: every action is open or held out, none queued again
    assert _tiles(_tab(at, "Run"))["Actions queued"] == "0"
    assert _tiles(queue)["Actions queued"] == f"{QUEUED}"


def test_the_queue_downloads_and_the_calendar_counts_the_store(store, monkeypatch):
    with recording(monkeypatch) as made:
        at = open_page(monkeypatch, store, "playbooks")
        files = {name: data for _, name, data in downloads(at, made[-1])}
    queue = pd.read_csv(io.BytesIO(files["playbook_run_1.csv"]), dtype=str)
    saved = pd.DataFrame(sql_rows(store, "SELECT customer_id, play, arm FROM playaction WHERE run_id = 1 ORDER BY id"),
                         columns=["Customer", "Play", "Arm"])
    assert queue[["Customer", "Play", "Arm"]].fillna("").values.tolist() == saved.fillna("").values.tolist()
    assert "playbook_run_1.xlsx" in files and "outreach_calendar.csv" in files
    rows = pd.DataFrame(sql_rows(store, 'SELECT customer_id, date, "group" FROM intervention'),
                        columns=["customer_id", "date", "arm"])
    rows["date"] = pd.to_datetime(rows["date"])
    day = pd.Timestamp("2026-10-31")
    last = rows[rows.date <= day].groupby("customer_id")["date"].max()
    gap = int((last + pd.Timedelta(days=14) > day).sum())
    calendar = _tab(at, "Calendar")
    assert any(m.value.replace("\\", "").startswith(f"Outreach calendar as of 2026-10-31: {gap:,} customers "
                                                   "contacted within the last 14 days") for m in calendar.markdown)
    assert not (found := pw.findings(pw.collect(at), ALLOW)), "\n".join(found)  # plain words, every tab
    tasks = openpyxl.load_workbook(io.BytesIO(files["playbook_run_1_tasks.xlsx"]))
    per_owner = dict(sql_rows(store, "SELECT owner, count(*) FROM playaction WHERE run_id = 1 AND arm = 'treatment' "
                                 "GROUP BY owner"))
    assert {s: tasks[s].max_row - 1 for s in tasks.sheetnames if s != "Definitions"} == per_owner
    success = pd.read_csv(io.BytesIO(files["playbook_run_1_Customer success.csv"]), dtype=str)
    assert len(success) == per_owner["Customer success"]
    held_out = {r[0] for r in sql_rows(store, "SELECT customer_id FROM playaction WHERE arm = 'holdout'")}
    assert not held_out & set(success["customer_id"])
    booked = pd.read_csv(io.BytesIO(files["outreach_calendar.csv"]), dtype=str)
    free = "Free for another play from"
    assert booked[free].notna().sum() == gap
    held = booked.dropna(subset=[free])
    assert set((pd.to_datetime(held[free]) - pd.to_datetime(held["Contacted or held out on"])).dt.days) == {14}


def test_the_tasks_are_posted_to_the_configured_webhook(store, monkeypatch):
    reach = sql_rows(store, "SELECT count(*) FROM playaction WHERE run_id = 1 AND arm = 'treatment'")[0][0]
    with receiving() as server:
        monkeypatch.setenv(WEBHOOK_ENV, server.url)
        at = open_page(monkeypatch, store, "playbooks")
        at.button(key="plays_post").click().run()
        assert not at.exception
        assert any(f"Sent {reach} tasks to the webhook." in s.value for s in at.success)
        (_, body), = server.received
    assert len(json.loads(body)["tasks"]) == reach


def test_the_roi_page_shows_a_play_s_reach_from_its_contact_log(store, monkeypatch):
    engine = core.make_engine(store)
    try:
        tasks = handoff.tasks(1, run_actions(engine, 1))
        rescue = tasks[tasks.play == "Rescue call"]
        assert len(rescue), sql_rows(store, "SELECT run_id, play, arm, count(*) FROM playaction GROUP BY 1, 2, 3")
        log = pd.DataFrame({"task_id": rescue.task_id, "result": ["reached"] * (len(rescue) - 5) + ["failed"] * 5})
        results.import_log(engine, log.to_csv(index=False).encode(), "crm.csv")
    finally:
        engine.dispose()
    at = open_page(monkeypatch, store, "intervention_roi")
    at.selectbox(key="roi_play").select("Rescue call").run()
    assert not at.exception
    n = len(rescue)
    said = [c.value.replace("\\", "") for c in at.caption if "The contact log reports" in c.value]
    assert said and said[0].startswith(f"The contact log reports {n - 5} of the {n} customers to reach contacted "
                                       f"({(n - 5) / n * 100:.1f}%: {n - 5} reached, 0 done), 5 failed and 0 "
                                       "without a result yet.")

    # the demo's trigger-driven play (a year of weekly runs, core/demo/triggered.py): the page's interval holds the
    # generator's true lift of its recovered flag (tests/core/demo/test_triggered.py checks it is TRIGGERED's lift)
    play = TRIGGERED["play"]
    at.selectbox(key="roi_play").set_value(play)
    rerun(at)
    at.selectbox(key=f"roi_out_{play}").set_value("recovered")
    rerun(at)
    assert not at.exception
    effect = next(m for m in at.metric if m.label == "Play effect")
    low, high = map(float, re.search(r"95 % interval ([+-]\d+\.\d) pts to ([+-]\d+\.\d) pts", effect.help).groups())
    assert low <= 100 * TRIGGERED["lift"] <= high and low > 0, (low, high)
