"""Each role against each save, called in core (as a page calls it, no CLI in between): a role without the right
raises AccessDenied and leaves the store unchanged row for row (the audit trail included); a role with it saves,
the audit entry carries the user's name and role, and the saved author (or owner) is the user's name whatever
author the caller passed. Stores without accounts keep working as before (the local admin; tests/core/review,
tests/core/health ...)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

import core
from core.access import rights
from core.access.guard import AccessDenied
from core.buyers import lapse_setting
from core.churn import store as churn_store
from core.churn.pipeline import default_economics, fit_churn
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from core.plays import book_store, record
from core.plays.queue import Context
from core.plays.queue import run as queue_run
from core.plays.rules import parse
from core.review import log as review_log
from core.review import saved as review_saved
from core.review.at_risk import CUSTOMER_COLUMNS
from core.review.snapshot import FIGURE_COLUMNS, Snapshot
from tests.conftest import SHARED, copy_store
from tests.core.access.store import PEOPLE, build, dump, last_entry

#: rows of the public telco file the small churn model is fitted on (enough for both models, quick)
TELCO_ROWS = 400
SPOOF = "someone else"
#: a one-trigger playbook, and the signals of the access store's two customers (both high risk) it runs on
PLAYBOOK = parse({"triggers": [{"name": "High risk", "signal": "churn_tier", "tiers": ["high risk"],
                                "play": "Rescue call", "owner": "CS", "channel": "phone"}]})
SIGNALS = pd.DataFrame({"customer_id": ["A", "B"], "segment": ["SMB", "Enterprise"], "tier": ["high risk"] * 2})
DAY = dt.date(2026, 9, 30)


def _run_playbook(eng, name):
    queue = queue_run(PLAYBOOK, SIGNALS, DAY, Context({}, None), seed=0)
    return record.record_run(eng, PLAYBOOK, queue, DAY, seed=0, user=name)


def _snapshot() -> Snapshot:
    return Snapshot("2026-Q4", dt.date(2026, 12, 31), "hand-made-2", {}, {}, pd.DataFrame(columns=FIGURE_COLUMNS),
                    at_risk=pd.DataFrame(columns=CUSTOMER_COLUMNS))


@pytest.fixture(scope="module")
def churn_fit(tmp_path_factory):
    """A churn model fitted once on the first rows of the telco file (a snapshot store of its own)."""
    folder = tmp_path_factory.mktemp("saves_telco")
    raw = pd.read_csv(SHARED / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv").head(TELCO_ROWS)
    eng = core.make_engine(f"sqlite:///{folder / 'telco.db'}")
    data = raw.to_csv(index=False).encode()
    core.commit_import(eng, core.prepare_import(eng, data, "telco.csv", "customers", as_of="2024-01-31"))
    inputs = load_inputs(eng)
    result = fit_churn(inputs, test_size=0.25, seed=0, n_boot=20)
    econ = default_economics(inputs)
    eng.dispose()
    return result, econ


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The access store (tests/core/access/store.py) with one decision on snapshot 1 (by the admin)."""
    folder = tmp_path_factory.mktemp("saves_template")
    url = build(folder)
    eng = core.make_engine(url)
    review_log.add_decision(eng, 1, decision="Call the top 50", owner="Sam", user="root")
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return url.removeprefix("sqlite:///")


@pytest.fixture
def store(template, tmp_path, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    url = f"sqlite:///{copy_store(template, tmp_path)}"
    eng = core.make_engine(url)
    yield url, eng
    eng.dispose()


def _rows(url: str, table: str) -> list[dict]:
    """Every row of ``table`` (raw SQL, independent of core)."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(f'SELECT * FROM "{table}" ORDER BY rowid')]
    finally:
        con.close()


#: save -> (the right, the table it adds a row to, the audit action, the column holding the author or None,
#: the call as user NAME)
SAVES = {
    "snapshot": (rights.SNAPSHOT, "reviewsnapshot", "save snapshot", None,
                 lambda eng, name, fit: review_saved.save(eng, _snapshot(), user=name)),
    "decision": (rights.DECIDE, "reviewdecision", "record decision", "author",
                 lambda eng, name, fit: review_log.add_decision(eng, 1, decision="Stop the discount", owner="Dana",
                                                                author=SPOOF, user=name)),
    "decision update": (rights.DECIDE, "reviewdecision", "update decision", "author",
                        lambda eng, name, fit: review_log.update_decision(eng, 1, 1, status="done", author=SPOOF,
                                                                          user=name)),
    "assumption": (rights.DECIDE, "reviewassumption", "record assumption", "owner",
                   lambda eng, name, fit: review_log.add_assumption(eng, 1, name="Cost per call", value=40,
                                                                    unit="currency", user=name)),
    "health configuration": (rights.CONFIGURE, "healthconfig", "save health configuration", "author",
                             lambda eng, name, fit: hs.save_config(eng, h.default_config(), SPOOF, "more weight",
                                                                   user=name)),
    "lapse period": (rights.CONFIGURE, "lapsesetting", "save lapse period", "author",
                     lambda eng, name, fit: lapse_setting.save_days(eng, 120, SPOOF, "four months", user=name)),
    "playbook": (rights.CONFIGURE, "playbook", "save playbook", "author",
                 lambda eng, name, fit: book_store.save_book(eng, PLAYBOOK, SPOOF, "first book", user=name)),
    "playbook run": (rights.IMPORT, "playrun", "run playbook", "author",
                     lambda eng, name, fit: _run_playbook(eng, name)),
    "churn model": (rights.SAVE_MODEL, "churnrun", "save churn model", None,
                    lambda eng, name, fit: churn_store.save_run(eng, *fit(), "v-test", user=name)),
}


@pytest.mark.parametrize("name", list(PEOPLE))
@pytest.mark.parametrize("save", list(SAVES))
def test_each_role_against_each_save(store, request, name, save):
    url, eng = store
    right, table, action, author_column, call = SAVES[save]
    role = PEOPLE[name]
    fit = lambda: request.getfixturevalue("churn_fit")  # noqa: E731  (fitted only when a save needs it)
    may = role == rights.ADMIN or rights.RIGHTS[right][1] == role
    if not may:
        before = dump(url)
        with pytest.raises(AccessDenied) as refused:
            call(eng, name, fit)
        assert str(refused.value) == rights.refusal(name, role, right)
        assert dump(url) == before  # no row added anywhere, no audit entry
        return
    count = len(_rows(url, table))
    call(eng, name, fit)
    rows = _rows(url, table)
    assert len(rows) == count + 1
    assert last_entry(url) == {"user": name, "role": role, "action": action,
                               "target": last_entry(url)["target"]}
    if author_column is not None:
        assert rows[-1][author_column] == name  # the signed-in user, not the author the caller passed
    if save == "churn model":  # the scores of the model come with it
        version = rows[-1]["version"]
        assert len([r for r in _rows(url, "churnscore") if r["version"] == version]) == len(fit()[0].p_current)


@pytest.mark.parametrize("save", [s for s in SAVES if s != "churn model"])
def test_nobody_named_on_a_store_with_accounts_is_refused(store, save):
    url, eng = store
    before = dump(url)
    with pytest.raises(AccessDenied, match="say who acts"):
        SAVES[save][4](eng, None, None)
    assert dump(url) == before


def test_the_automatic_saves_need_no_right(store, request):
    """The default health configuration saved on first use and the Churn drivers page's first fit are nobody's
    act: they save whoever opens the page (no audit entry either)."""
    url, eng = store
    audit = len(_rows(url, "auditentry"))
    frame = pd.DataFrame({"days_to_renewal": [float("nan")]})
    assert hs.save_default(eng, pd.Timestamp("2026-09-30"), frame) == 1
    assert _rows(url, "healthconfig")[-1]["author"] == "workbench"
    result, econ = request.getfixturevalue("churn_fit")
    assert churn_store.save_fitted(eng, result, econ, "v-auto") == 1
    assert len(_rows(url, "auditentry")) == audit


def test_a_store_without_accounts_keeps_the_author_typed(tmp_path, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    url = build(tmp_path, with_users=False)
    eng = core.make_engine(url)
    try:
        assert hs.save_config(eng, h.default_config(), "Dana", "first") == 1
        assert lapse_setting.save_days(eng, 90, " Ana ", "three months").author == "Ana"
        review_log.add_decision(eng, 1, decision="Keep it", owner="Lee", author="Kim")
    finally:
        eng.dispose()
    assert _rows(url, "healthconfig")[-1]["author"] == "Dana"
    assert _rows(url, "reviewdecision")[-1]["author"] == "Kim"
    assert [(e["user"], e["role"]) for e in _rows(url, "auditentry")][-3:] == [("local", "admin")] * 3
