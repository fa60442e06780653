"""Recording a playbook run (core/plays/record.py, runs.py): the run and every action saved as queued, the queued
actions of both arms logged as play contacts through the import path (so the ROI inputs hold them and their
sample-ratio check passes), a second run the same day queues none of them again, undoing the contacts' import
reopens nothing, and a failure midway leaves the store as it was. Saved playbooks (book_store.py) read back as
saved, newest first."""

from __future__ import annotations

import pandas as pd
import pytest

import core
from core.errors import DataValidationError, StoreError
from core.ingest.manage import undo_import
from core.plays import book_store, record
from core.plays.queue import HELD, MERGED, QUEUED, TREATMENT, run
from core.plays.rules import parse
from core.plays.runs import open_actions, run_actions, runs
from core.plays.signals import store_signals
from core.roi.defaults import CONTROL
from core.roi.inputs import load_inputs
from core.roi.sample_ratio import srm
from tests.conftest import copy_store, sql_rows

BOOK = parse({"triggers": [
    {"name": "Turned red", "signal": "health_band", "bands": ["red", "amber"], "play": "Rescue call", "owner": "CS",
     "channel": "phone", "due_days": 14},
    {"name": "Usage fell", "signal": "usage_drop", "percent": 20, "play": "Adoption email", "owner": "Product",
     "channel": "email", "holdout": 0.2}],
    "guards": {"gap_days": 7}})




def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, any missing value as the same empty cell."""
    return frame.astype(object).where(frame.notna(), "").astype(str)


@pytest.fixture(scope="module")
def recorded(small_demo_store, tmp_path_factory):
    """A copy of the small demo with one run recorded: (url, engine, queue, day, run id, contacts before)."""
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('plays_record'))}"
    engine = core.make_engine(url)
    before = sql_rows(url, "SELECT count(*) FROM intervention")[0][0]
    signals, context, day = store_signals(engine, BOOK)
    queue = run(BOOK, signals, day, context, seed=3)
    run_id = record.record_run(engine, BOOK, queue, day, seed=3)
    with engine.connect() as conn:  # everything into the store file, so that a copy of the file holds it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    yield url, engine, queue, day, run_id, before
    engine.dispose()


def test_the_run_and_its_actions_are_saved_as_queued(recorded):
    url, engine, queue, day, run_id, _ = recorded
    assert (queue["status"] == QUEUED).sum() > 50 and (queue["status"] == HELD).any()
    saved = runs(engine).set_index("run").loc[run_id]
    assert saved["as_of"] == day and saved["seed"] == 3 and not saved["contacts_undone"]
    assert saved[["queued", "reached", "held_out", "held_back", "merged"]].tolist() == [
        int((queue.status == QUEUED).sum()), int((queue.arm == TREATMENT).sum()), int((queue.arm == CONTROL).sum()),
        int((queue.status == HELD).sum()), int((queue.status == MERGED).sum())]
    back = run_actions(engine, run_id)
    pd.testing.assert_frame_equal(_plain(back), _plain(queue.reset_index(drop=True)))
    assert sql_rows(url, f"SELECT book FROM playrun WHERE id = {run_id}")[0][0].count('"name"') == 2


def test_queued_actions_of_both_arms_are_play_contacts_the_roi_page_reads(recorded):
    url, engine, queue, day, run_id, before = recorded
    (import_id,) = sql_rows(url, f"SELECT import_id FROM playrun WHERE id = {run_id}")[0]
    log = sql_rows(url, f"SELECT kind, file_name, rows_loaded FROM importlog WHERE id = {import_id}")[0]
    queued = queue[queue.status == QUEUED]
    assert log == ("interventions", f"playbook run {run_id} ({day:%Y-%m-%d}).csv", len(queued))
    rows = pd.DataFrame(sql_rows(url, "SELECT customer_id, play, channel, date, \"group\", "
                                  f"json_extract(attributes, '$.playbook_run') FROM intervention "
                                  f"WHERE import_id = {import_id}"),
                        columns=["customer_id", "play", "channel", "date", "arm", "run"])
    assert len(sql_rows(url, "SELECT id FROM intervention")) == before + len(queued)
    key = ["customer_id", "play", "channel", "arm"]
    assert sorted(rows[key].itertuples(index=False)) == sorted(queued[key].astype(str).itertuples(index=False))
    assert set(rows["date"]) == {f"{day:%Y-%m-%d}"} and set(rows["run"]) == {f"run {run_id}"}
    contacts = load_inputs(engine).interventions
    ids = {r[0] for r in sql_rows(url, f"SELECT id FROM intervention WHERE import_id = {import_id}")}
    assert "playbook_run" not in contacts  # text: never read as an outcome of the plays
    for play, share in (("Rescue call", 0.15), ("Adoption email", 0.2)):
        mine = contacts[(contacts["play"] == play) & (contacts["id"].isin(ids))]
        assert len(mine) == (queued["play"] == play).sum() and set(mine["date"]) == {day}
        assert not srm(mine, holdout_share=share)["mismatch"]


def test_a_second_run_the_same_day_queues_none_of_them_again(recorded):
    url, engine, queue, day, run_id, _ = recorded
    signals, context, _ = store_signals(engine, BOOK, day)
    again = run(BOOK, signals, day, context, seed=3)
    key = ["customer_id", "play", "trigger"]
    first = queue[queue.status == QUEUED].set_index(key)
    second = again.set_index(key)
    assert not (again.status == QUEUED).any()
    reached = first[first.arm == TREATMENT].index
    assert (second.loc[reached, "status"] == MERGED).all()
    assert set(second.loc[reached, "held_back"]) == {"Already in the queue from an earlier run."}
    held_out = first[first.arm == CONTROL].index
    assert set(second.loc[held_out, "guard"]) == {"holdout"}


def test_undoing_the_contacts_leaves_no_action_open(recorded, tmp_path):
    url, _, queue, day, run_id, _ = recorded
    mine = f"sqlite:///{copy_store(url.removeprefix('sqlite:///'), tmp_path)}"
    engine = core.make_engine(mine)
    try:
        opened = open_actions(engine, day)
        assert len(opened) == (queue.arm == TREATMENT).sum()
        assert open_actions(engine, day + pd.Timedelta(days=15)).empty  # both plays are due within 14 days
        (import_id,) = sql_rows(mine, f"SELECT import_id FROM playrun WHERE id = {run_id}")[0]
        undo_import(engine, import_id, reason="run by mistake")
        assert open_actions(engine, day).empty
        assert runs(engine).set_index("run").loc[run_id, "contacts_undone"]
    finally:
        engine.dispose()


def test_a_failure_midway_leaves_the_store_as_it_was(recorded, tmp_path, monkeypatch):
    url, _, queue, day, _, _ = recorded
    mine = f"sqlite:///{copy_store(url.removeprefix('sqlite:///'), tmp_path)}"
    engine = core.make_engine(mine)
    tables = ("playrun", "playaction", "intervention", "importlog")
    before = {t: sql_rows(mine, f"SELECT * FROM {t} ORDER BY rowid") for t in tables}

    def broken(*args, **kwargs):
        raise StoreError("full", "The disk is full.")

    monkeypatch.setattr(record, "commit_import", broken)
    try:
        with pytest.raises(StoreError):
            record.record_run(engine, BOOK, queue, day + pd.Timedelta(days=30), seed=1)
    finally:
        engine.dispose()
    assert {t: sql_rows(mine, f"SELECT * FROM {t} ORDER BY rowid") for t in tables} == before


def test_a_run_that_queues_nothing_is_saved_without_contacts(recorded, tmp_path):
    url, _, queue, day, _, _ = recorded
    engine = core.make_engine(f"sqlite:///{copy_store(url.removeprefix('sqlite:///'), tmp_path)}")
    try:
        held = queue.assign(status=HELD, arm=None, guard="consent")
        run_id = record.record_run(engine, BOOK, held, day, seed=0)
        saved = runs(engine).set_index("run").loc[run_id]
        assert pd.isna(saved["import_id"]) and saved["queued"] == 0 and saved["held_back"] == len(queue)
        assert len(run_actions(engine, run_id)) == len(queue)
    finally:
        engine.dispose()


def test_saved_playbooks_read_back_newest_first(tmp_path):
    engine = core.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert book_store.load_book(engine) is None
        first = book_store.save_book(engine, BOOK, "Ana", "first book")
        edited = parse({**BOOK.to_dict(), "guards": {**BOOK.to_dict()["guards"], "gap_days": 21}})
        second = book_store.save_book(engine, edited, "Ben", "wider gap", parent=first)
        assert book_store.load_book(engine) == (second, edited)
        assert book_store.load_book(engine, first) == (first, BOOK)
        v = book_store.versions(engine)
        assert v[["version", "author", "reason", "parent", "triggers"]].values.tolist() == [
            [second, "Ben", "wider gap", first, 2], [first, "Ana", "first book", None, 2]]
        for args, message in (((BOOK, "Ana", " "), "Say why"), ((BOOK, "", "x"), "Say who"),
                              ((BOOK, "Ana", "x", 9), "no playbook version 9")):
            with pytest.raises(DataValidationError, match=message):
                book_store.save_book(engine, *args)
        with pytest.raises(DataValidationError, match="no playbook version 5"):
            book_store.load_book(engine, 5)
        assert len(book_store.versions(engine)) == 2
    finally:
        engine.dispose()
