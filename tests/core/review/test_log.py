"""The decision log and assumptions register of a saved review snapshot (core.review.log): decisions numbered
within their snapshot, every change a new revision and the earlier ones kept; rows the store refuses to change
or delete; the assumptions the snapshot's figures rest on (recomputed here from its figures), then the board's
own; a clear error for each bad input."""

import dataclasses
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from core.errors import DataValidationError
from core.review import log as review_log
from core.review import saved as review_saved
from core.review import snapshot as review


@pytest.fixture(scope="module")
def engine(engine_on_small_demo):
    return engine_on_small_demo


@pytest.fixture(scope="module")
def q3(engine):
    """2026-Q3's snapshot, saved."""
    snap = review.build(engine, "2026-Q3")
    review_saved.save(engine, snap)
    return snap


@pytest.fixture
def saved(engine, q3):
    """A fresh saved copy of the 2026-Q3 snapshot, with an empty log and register."""
    snap = dataclasses.replace(q3, id=None, created_at=None)
    review_saved.save(engine, snap)
    return snap


def _count(engine, table, snapshot_id) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table} WHERE snapshot_id = :s"), {"s": snapshot_id}).scalar()


# --------------------------------------------------------------------------- decisions
def test_decisions_are_numbered_within_their_snapshot(engine, saved):
    sid = saved.id
    assert review_log.add_decision(engine, sid, decision="Renew the save offer", owner="Dana") == 1
    assert review_log.add_decision(engine, sid, decision="Call every red account", owner="Lee",
                                   rationale="8 % of customers are red", due="2026-12-31", status=" In Progress ",
                                   author="Kim") == 2
    other = dataclasses.replace(saved, id=None, created_at=None)
    review_saved.save(engine, other)
    assert review_log.add_decision(engine, other.id, decision="Another board's first", owner="Sam") == 1
    log = review_log.decisions(engine, sid)
    assert list(log.columns) == review_log.DECISION_COLUMNS
    assert log[["number", "decision", "owner", "rationale", "status", "revision", "author"]].values.tolist() == [
        [1, "Renew the save offer", "Dana", "", "open", 1, ""],
        [2, "Call every red account", "Lee", "8 % of customers are red", "in progress", 1, "Kim"]]
    assert pd.isna(log.loc[0, "due"]) and log.loc[1, "due"] == dt.date(2026, 12, 31)
    assert review_log.decisions(engine, other.id)["decision"].tolist() == ["Another board's first"]
    assert review_log.decisions(engine, 9999).empty


def test_a_change_is_a_new_revision_and_the_earlier_ones_stay(engine, saved):
    sid = saved.id
    n = review_log.add_decision(engine, sid, decision="Raise prices 5 %", owner="Dana", due="2026-11-30")
    review_log.add_decision(engine, sid, decision="Untouched", owner="Lee")
    assert review_log.update_decision(engine, sid, n, status="in progress", author="Kim") == 2
    assert review_log.update_decision(engine, sid, n, owner="Lee", due=dt.date(2027, 1, 15), status="DONE",
                                      rationale="board agreed", author="Sam") == 3
    latest = review_log.decisions(engine, sid)
    assert latest["number"].tolist() == [1, 2] and latest["revision"].tolist() == [3, 1]
    row = latest.iloc[0]
    assert (row["decision"], row["owner"], row["rationale"], row["due"], row["status"], row["author"]) == (
        "Raise prices 5 %", "Lee", "board agreed", dt.date(2027, 1, 15), "done", "Sam")
    history = review_log.decisions(engine, sid, history=True)
    first = history[history["number"] == n]
    assert first["revision"].tolist() == [1, 2, 3]
    assert first["status"].tolist() == ["open", "in progress", "done"]
    assert first["owner"].tolist() == ["Dana", "Dana", "Lee"]
    assert first["due"].tolist() == [dt.date(2026, 11, 30), dt.date(2026, 11, 30), dt.date(2027, 1, 15)]
    assert first["author"].tolist() == ["", "Kim", "Sam"]
    assert first["recorded_at"].is_monotonic_increasing
    assert len(history) == 4 == _count(engine, "reviewdecision", sid)
    # the rationale may be emptied and the due date cleared
    assert review_log.update_decision(engine, sid, n, rationale="", due=None) == 4
    last = review_log.decisions(engine, sid).iloc[0]
    assert last["rationale"] == "" and pd.isna(last["due"]) and last["owner"] == "Lee"


def test_decision_errors_say_what_to_fix_and_record_nothing(engine, saved):
    sid = saved.id
    n = review_log.add_decision(engine, sid, decision="Keep the nudge e-mail", owner="Dana", due="2026-12-31")
    cases = [
        (dict(decision="x", owner="  "), "The owner is empty: write who or what it is."),
        (dict(decision="", owner="Dana"), "The decision is empty: write who or what it is."),
        (dict(decision="x", owner=None), "The owner is empty: write who or what it is."),
        (dict(decision="x", owner="Dana", due="soon"), "The due date 'soon' is not a date: write it as 2026-12-31."),
        (dict(decision="x", owner="Dana", due="2026-02-30"),
         "The due date '2026-02-30' is not a date: write it as 2026-12-31."),
        (dict(decision="x", owner="Dana", status="later"),
         "'later' is not a status: use one of open, in progress, done, dropped."),
    ]
    for kwargs, message in cases:
        with pytest.raises(DataValidationError, match=f"^{re.escape(message)}$"):
            review_log.add_decision(engine, sid, **kwargs)
    with pytest.raises(DataValidationError, match=re.escape("There is no saved snapshot 9999: save the quarter's "
                                                            "snapshot first.")):
        review_log.add_decision(engine, 9999, decision="x", owner="Dana")
    assert _count(engine, "reviewdecision", 9999) == 0
    updates = [
        ((sid, 7), dict(status="done"), f"Snapshot {sid} has no decision 7."),
        ((9999, 1), dict(status="done"), "Snapshot 9999 has no decision 1."),
        ((sid, n), dict(colour="red", size=2), "A decision has no field colour, size: change one of decision, due, "
                                               "owner, rationale, status."),
        ((sid, n), {}, f"Nothing changed in decision {n}."),
        ((sid, n), dict(status=" Open ", owner="Dana", due=dt.date(2026, 12, 31)), f"Nothing changed in decision {n}."),
        ((sid, n), dict(owner=""), "The owner is empty: write who or what it is."),
        ((sid, n), dict(decision="  "), "The decision is empty: write who or what it is."),
        ((sid, n), dict(status="closed"), "'closed' is not a status: use one of open, in progress, done, dropped."),
        ((sid, n), dict(due="next week"), "The due date 'next week' is not a date: write it as 2026-12-31."),
    ]
    for args, changes, message in updates:
        with pytest.raises(DataValidationError, match=f"^{re.escape(message)}$"):
            review_log.update_decision(engine, *args, **changes)
    history = review_log.decisions(engine, sid, history=True)
    assert history["revision"].tolist() == [1] and history["status"].tolist() == ["open"]


def test_a_number_is_not_taken_for_a_due_date(engine, saved):
    with pytest.raises(DataValidationError, match="is not a date"):
        review_log.add_decision(engine, saved.id, decision="x", owner="Dana", due=20261231)


def test_decisions_and_assumptions_are_never_changed_or_deleted(engine, saved):
    sid = saved.id
    review_log.add_decision(engine, sid, decision="Keep the holdout at 15 %", owner="Dana")
    aid = review_log.add_assumption(engine, sid, name="Target margin", value=0.82, unit="share")
    for table, sql in (("reviewdecision", f"UPDATE reviewdecision SET status = 'done' WHERE snapshot_id = {sid}"),
                       ("reviewdecision", f"DELETE FROM reviewdecision WHERE snapshot_id = {sid}"),
                       ("reviewassumption", f"UPDATE reviewassumption SET value = 0.5 WHERE id = {aid}"),
                       ("reviewassumption", f"DELETE FROM reviewassumption WHERE id = {aid}")):
        with pytest.raises(IntegrityError, match=f"{table} rows are never changed"), engine.begin() as conn:
            conn.execute(text(sql))
    assert review_log.decisions(engine, sid, history=True)["status"].tolist() == ["open"]
    reg = review_log.assumptions(engine, saved)
    assert reg.loc[reg["name"] == "Target margin", "value"].tolist() == [0.82]


# --------------------------------------------------------------------------- assumptions
def test_used_assumptions_are_the_parameters_and_what_each_plays_money_figures_imply(q3):
    used = review_log.used_assumptions(q3)
    assert list(used.columns) == review_log.ASSUMPTION_COLUMNS and used["used_in_figures"].all()
    params = used.iloc[:6].set_index("name")
    assert params["value"].to_dict() == {"Gross margin": 0.8, "Months a saved customer stays": 12.0,
                                         "Play measurement window": 90.0, "Health back-test horizon": 90.0,
                                         "Health back-test months": 12.0, "Themes kept": 5.0}
    assert params.loc["Gross margin", "unit"] == "share" and params.loc["Play measurement window", "unit"] == "days"
    assert params.loc["Gross margin", "source"].startswith("a setting of this review; Intervention ROI")
    # per play arm, from the snapshot's own figures
    f = q3.figures[q3.figures["page"] == "Intervention ROI"]
    want = []
    for play in f["group"].unique():
        g = f[f["group"] == play].set_index("metric")["value"]
        want.append((f"Outreach cost per contact · {play}", g["Cost"] / g["Contacts treated"]))
        want.append((f"Value of a saved customer · {play}", g["Value of customers saved"] / g["Customers saved"]))
    rest = used.iloc[6:]
    assert rest["name"].tolist() == [n for n, _ in want] and len(want) == 8
    assert rest["value"].to_numpy() == pytest.approx([v for _, v in want], rel=1e-12)
    assert (rest["unit"] == "currency").all()
    values = rest.set_index("name")["value"]
    # the demo's renewal offer costs 1,137,965.68 over 246 treated contacts; a saved customer is worth the mean MRR
    # before contact (shown rounded in the figure's text) x 12 months x 80 % margin
    assert values["Outreach cost per contact · Renewal save offer"] == pytest.approx(1137965.68 / 246)
    for play in f["group"].unique():
        note = f[(f["group"] == play) & (f["metric"] == "Value of customers saved")]["text"].item()
        mrr = float(re.search(r"mean MRR before contact \(([\d,]+)\)", note).group(1).replace(",", ""))
        assert values[f"Value of a saved customer · {play}"] / (12 * 0.8) == pytest.approx(mrr, abs=0.5)
    assert rest["source"].str.contains("mean MRR before contact x 12 months x margin 0.8").sum() == 4


def test_used_assumptions_skip_an_arm_without_contacts_or_customers_saved(q3):
    rows = [("Contacts treated", "Quiet play", 0.0), ("Cost", "Quiet play", 0.0),
            ("Customers saved", "Quiet play", 0.0), ("Value of customers saved", "Quiet play", 0.0),
            ("Contacts treated", "Loud play", 40.0), ("Cost", "Loud play", 100.0),
            ("Customers saved", "Loud play", 2.0), ("Value of customers saved", "Loud play", 5000.0)]
    figures = pd.DataFrame([{"page": "Intervention ROI", "metric": m, "group": g, "value": v, "low": np.nan,
                             "high": np.nan, "unit": "", "text": ""} for m, g, v in rows],
                           columns=review.FIGURE_COLUMNS)
    snap = review.Snapshot("2026-Q3", q3.as_of, q3.data_hash, {"margin": 0.5, "value_months": 6}, {}, figures)
    used = review_log.used_assumptions(snap)
    assert used["name"].tolist() == ["Gross margin", "Months a saved customer stays",
                                     "Outreach cost per contact · Loud play", "Value of a saved customer · Loud play"]
    assert used["value"].tolist() == [0.5, 6.0, 2.5, 2500.0]
    assert used["source"].iloc[-1] == "mean MRR before contact x 6 months x margin 0.5"


def test_the_register_lists_the_snapshots_assumptions_then_the_boards(engine, saved, q3):
    sid = saved.id
    used = review_log.used_assumptions(saved)
    assert review_log.assumptions(engine, saved).equals(used)  # nothing added yet
    a = review_log.add_assumption(engine, sid, name="Target margin", value="0.82", unit="share", owner="CFO",
                                  source="2027 budget")
    b = review_log.add_assumption(engine, sid, name=" Cost of the spring campaign ", value=25000)
    assert b > a
    other = dataclasses.replace(saved, id=None, created_at=None)
    review_saved.save(engine, other)
    review_log.add_assumption(engine, other.id, name="Someone else's", value=1)
    reg = review_log.assumptions(engine, saved)
    assert len(reg) == len(used) + 2
    pd.testing.assert_frame_equal(reg.iloc[:len(used)], used)
    added = reg.iloc[len(used):]
    assert added.values.tolist() == [["Target margin", 0.82, "share", "CFO", "2027 budget", False],
                                     ["Cost of the spring campaign", 25000.0, "", "", "", False]]
    assert review_log.assumptions(engine, other)["name"].tolist()[-1] == "Someone else's"
    # an unsaved snapshot has only its own assumptions
    unsaved = dataclasses.replace(saved, id=None)
    assert review_log.assumptions(engine, unsaved).equals(used)
    assert review_log.used_assumptions(q3).equals(used)


def test_assumption_errors_say_what_to_fix(engine, saved):
    sid = saved.id
    for bad in ("abc", None, float("nan"), float("inf"), "", [1, 2]):
        with pytest.raises(DataValidationError, match=re.escape(f"The value '{bad}' of an assumption must be a "
                                                                "number, for example 0.8.")):
            review_log.add_assumption(engine, sid, name="Target margin", value=bad)
    with pytest.raises(DataValidationError, match=re.escape("The assumption's name is empty: write who or what it "
                                                            "is.")):
        review_log.add_assumption(engine, sid, name="   ", value=0.8)
    with pytest.raises(DataValidationError, match=re.escape("There is no saved snapshot 9999: save the quarter's "
                                                            "snapshot first.")):
        review_log.add_assumption(engine, 9999, name="Target margin", value=0.8)
    assert _count(engine, "reviewassumption", sid) == 0 == _count(engine, "reviewassumption", 9999)
