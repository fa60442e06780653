"""Results coming back (core/plays/results.py): a contact log, as a CRM exports it, names tasks by their hand-off id
or by customer and play, with the CRM's words for done, reached and failed; each play's reach counts them as pandas
does on the log; a log with a task never handed off (a held-out customer's included) or a result the workbench does
not know is refused whole, one line per problem with its row and column, the store unchanged; the same log twice
is refused."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

import core
from core.errors import DataValidationError, WorkbenchError
from core.plays import handoff, record, results
from core.plays.queue import run
from core.plays.runs import run_actions
from core.plays.signals import store_signals
from core.roi.defaults import CONTROL
from tests.conftest import copy_store
from tests.core.plays.test_record import BOOK


def _count(url: str) -> int:
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return con.execute("SELECT count(*) FROM playresult").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def recorded(small_demo_store, tmp_path_factory):
    """A copy of the small demo with one run recorded: (url, engine, the run's tasks, its queue)."""
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('plays_results'))}"
    engine = core.make_engine(url)
    signals, context, day = store_signals(engine, BOOK)
    record.record_run(engine, BOOK, run(BOOK, signals, day, context, seed=5), day, seed=5)
    queue = run_actions(engine, 1)
    yield url, engine, handoff.tasks(1, queue), queue
    engine.dispose()


def _log(tasks: pd.DataFrame) -> pd.DataFrame:
    """A CRM's export: task ids with its own words, then two rows named by customer and play."""
    words = ["Completed"] * 12 + ["connected"] * 7 + ["No answer"] * 4
    head = tasks.head(len(words))
    log = pd.DataFrame({"Task ID": head["task_id"], "Status": words, "Completed at": "2026-11-03"})
    tail = tasks.iloc[len(words):len(words) + 2]
    by_name = pd.DataFrame({"Customer ID": tail["customer_id"], "Play": tail["play"], "Status": ["spoke", "bounced"]})
    return pd.concat([log, by_name], ignore_index=True)


def test_a_contact_log_counts_per_play_as_pandas_does(recorded):
    url, engine, tasks, _ = recorded
    log = _log(tasks)
    assert results.import_log(engine, log.to_csv(index=False).encode(), "crm_export.csv") == len(log)
    got = results.reach(engine).set_index("play")
    # independently: the log's words mapped by hand, joined to the tasks by id or by customer and play
    result = log["Status"].str.lower().map({"completed": "done", "connected": "reached", "spoke": "reached",
                                            "no answer": "failed", "bounced": "failed"})
    key = log["Task ID"].fillna(log["Customer ID"] + "|" + log["Play"])
    tasks_key = tasks["task_id"].where(~tasks["customer_id"].isin(log["Customer ID"].dropna()),
                                       tasks["customer_id"] + "|" + tasks["play"])
    play = key.map(dict(zip(tasks_key, tasks["play"], strict=True)))
    for name, group in tasks.groupby("play"):
        mine = result[play == name]
        assert got.loc[name].to_dict() == {"to_reach": len(group), "reached": int((mine == "reached").sum()),
                                           "done": int((mine == "done").sum()), "failed": int((mine == "failed").sum()),
                                           "no_result": len(group) - len(mine)}, name
    with pytest.raises(DataValidationError, match="was loaded before"):
        results.import_log(engine, log.to_csv(index=False).encode(), "crm_export.csv")


def test_a_bad_log_is_refused_whole_naming_row_and_column(recorded):
    url, engine, tasks, queue = recorded
    before = _count(url)
    held_out = queue[queue["arm"] == CONTROL].iloc[0]
    bad = pd.DataFrame({"task_id": [tasks["task_id"].iloc[0], "R1-99999", tasks["task_id"].iloc[1], ""],
                        "customer_id": ["", "", "", held_out["customer_id"]],
                        "play": ["", "", "", held_out["play"]],
                        "result": ["done", "done", "maybe", "reached"]})
    with pytest.raises(DataValidationError) as refused:
        results.import_log(engine, bad.to_csv(index=False).encode(), "bad.csv")
    message = str(refused.value)
    assert message.startswith("The contact log bad.csv was not loaded (nothing changed): ")
    assert "Row 3, column task_id: 'R1-99999' is no task handed off" in message
    assert "Row 4, column result: 'maybe' is not a result; write done, reached or failed." in message
    assert f"Row 5, columns customer_id and play: no action to reach '{held_out['customer_id']}'" in message
    assert "Row 2" not in message and _count(url) == before
    for frame, words in ((bad.drop(columns="result"), "has no result column"),
                         (bad[["result"]], "names no task")):
        with pytest.raises(DataValidationError, match=words):
            results.import_log(engine, frame.to_csv(index=False).encode(), "x.csv")


def test_the_reach_sentence_divides_the_effect_by_the_share_contacted():
    row = {"play": "Rescue call", "to_reach": 200, "reached": 98, "done": 26, "failed": 40, "no_result": 36}
    assert results.reach_text(row) == ("The contact log reports 124 of the 200 customers to reach contacted (62.0%: "
                                       "98 reached, 26 done), 40 failed and 36 without a result yet.")
    assert "Per customer contacted the effect is about -5.0 pts (the play's effect divided by 62.0%)" in \
        results.reach_text(row, -0.031, binary=True)
    assert results.reach_text({**row, "reached": 0, "done": 0}, -0.031).endswith("without a result yet.")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty: it has no header and no rows"),
    (b"task_id,result\n", "has no rows: nothing was loaded"),
    (b"\x00\x01\x02PK garbage", "This file is binary, not a spreadsheet"),
    (b"a;b\n1;2\n", "has no result column"),
])
def test_an_empty_binary_or_headless_upload_is_one_plain_line_and_changes_nothing(recorded, data, message):
    url, engine, _, _ = recorded
    before = _count(url)
    with pytest.raises(WorkbenchError, match=message):
        results.import_log(engine, data, "upload.csv")
    assert _count(url) == before
