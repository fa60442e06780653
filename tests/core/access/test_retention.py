"""The retention policy on a small hand-made store with frozen dates: verbatims older than N months masked (the
boundary to the day), contact details cleared N days after churn, saved snapshots redacted, idempotent, audited,
and refused to every role but admin. Expected rows come from pandas over the files the test imported."""

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

import core
from core.access import redaction, retention
from core.access.guard import AccessDenied
from core.access.retention import Policy
from core.errors import DataValidationError
from core.ingest.importer import commit_import, prepare_import
from core.review import saved
from core.review.snapshot import FIGURE_COLUMNS, Snapshot
from tests.core.access.store import PEOPLE, build, dump

TODAY = dt.date(2025, 6, 30)
MONTHS, DAYS = 3, 30  # verbatims before 2025-03-30 masked; customers churned on or before 2025-05-31 cleared
CUSTOMERS = pd.DataFrame({
    "customer_id": ["C1", "C2", "C3", "C4"],
    "name": ["Ada Lovelace", "Brook Taylor", "Carl Gauss", "Dora Maar"],
    "signup_date": ["2024-01-01"] * 4,
    "churn_date": ["2025-05-31", "2025-06-01", "", "2025-01-15"],  # cleared, one day inside, active, cleared
    "email": ["ada@example.com", "brook@example.com", "carl@example.com", ""],
    "phone": ["+44 20 7946 0001", "+44 20 7946 0002", "", ""],
    "favourite_colour": ["Gold", "Gold", "Silver", "Silver"],
})
FEEDBACK = pd.DataFrame({
    "customer_id": ["C1", "C2", "C3", "C1", "C2"],
    "date": ["2025-03-29", "2025-03-30", "2025-03-31", "2024-11-02", ""],  # masked, stays (exactly N months),
    "channel": ["nps"] * 5,                                                # one day inside, masked, undated
    "score": [2, 7, 9, 4, 6],
    "text": ["Old complaint about invoices", "Exactly three months old", "Recent praise",
             "Ancient gripe about onboarding", "No date on this one"],
})
TICKETS = pd.DataFrame({
    "ticket_id": ["T1", "T2"], "customer_id": ["C1", "C3"],
    "opened": ["2025-03-29 23:59:00", "2025-03-30 00:00:00"], "text": ["Login broken since update", "Need a refund"],
})


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _store(folder: Path, users: bool = False) -> str:
    url = build(folder, with_users=users) if users else f"sqlite:///{folder / 'store.db'}"
    engine = core.make_engine(url)
    for n, (frame, kind) in enumerate(((CUSTOMERS, "customers"), (FEEDBACK, "feedback"), (TICKETS, "tickets"))):
        if users:
            frame = frame.assign(customer_id="A") if kind != "customers" else frame
        if kind == "customers" and users:
            continue
        plan = prepare_import(engine, _csv(frame), f"file_{n}.csv", kind)
        commit_import(engine, plan, user="root" if users else None)
    engine.dispose()
    return url


def _snapshot() -> Snapshot:
    figures = pd.DataFrame([["Feedback themes", "Mentions", "Billing", 2.0, 1.0, 3.0, "verbatims",
                             "e.g. Old complaint about invoices"],
                            ["Feedback themes", "Mentions", "Praise", 1.0, None, None, "verbatims", "Recent praise"]],
                           columns=FIGURE_COLUMNS)
    return Snapshot("2025-Q2", TODAY, "hand-made", {}, {}, figures)


def _table(path: Path, sql: str) -> pd.DataFrame:
    con = sqlite3.connect(path)
    try:
        return pd.read_sql_query(sql, con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """(engine, store path, the first run's counts, the second run's counts, rows after the first run)."""
    folder = tmp_path_factory.mktemp("retention")
    url = _store(folder)
    engine = core.make_engine(url)
    saved.save(engine, _snapshot())
    retention.set_policy(engine, Policy(MONTHS, DAYS))
    first = retention.apply(engine, today=TODAY)
    path = folder / "store.db"
    rows = dump(url)["tables"]
    second = retention.apply(engine, today=TODAY)
    yield engine, path, first, second, rows
    engine.dispose()


def test_verbatims_older_than_n_months_are_masked_to_the_day(applied):
    _, path, first, _, _ = applied
    cutoff = pd.Timestamp(TODAY) - pd.DateOffset(months=MONTHS)
    dated = pd.to_datetime(FEEDBACK["date"], errors="coerce")
    expected = FEEDBACK["text"].where(~(dated < cutoff), redaction.MARKER).tolist()
    got = _table(path, "SELECT date, channel, score, text FROM feedback ORDER BY id")
    assert got["text"].tolist() == expected
    assert expected.count(redaction.MARKER) == 2 and "Exactly three months old" in expected and "Recent praise" in \
        expected
    assert got["score"].tolist() == FEEDBACK["score"].tolist()  # score, date and channel stay
    assert got["date"].fillna("").tolist() == FEEDBACK["date"].tolist()
    tickets = _table(path, "SELECT opened, text FROM ticket ORDER BY id")
    opened = pd.to_datetime(TICKETS["opened"])
    assert tickets["text"].tolist() == TICKETS["text"].where(~(opened < cutoff), redaction.MARKER).tolist()
    assert (first["feedback verbatims masked"], first["ticket texts masked"], first["undated verbatims kept"]) == \
        (2, 1, 1)
    assert (first["today"], first["verbatims before"], first["churned on or before"]) == \
        ("2025-06-30", "2025-03-30", "2025-05-31")


def test_contact_details_are_cleared_n_days_after_churn(applied):
    _, path, first, _, _ = applied
    got = _table(path, "SELECT customer_id, name, attributes FROM customer ORDER BY customer_id")
    churn = pd.to_datetime(CUSTOMERS["churn_date"], errors="coerce")
    gone = churn <= pd.Timestamp(TODAY) - pd.Timedelta(days=DAYS)
    assert got["name"].tolist() == CUSTOMERS["name"].where(~gone, None).tolist()
    attrs = [json.loads(a) if a else {} for a in got["attributes"]]
    for keep, a, row in zip(~gone, attrs, CUSTOMERS.itertuples(), strict=True):
        assert a.get("favourite_colour") == row.favourite_colour  # other attributes stay
        if keep and row.email:
            assert a["email"] == row.email
        if not keep:
            assert "email" not in a and "phone" not in a
    assert first["customers' contact details cleared"] == int(gone.sum()) == 2


def test_snapshots_lose_the_masked_verbatims_and_keep_their_figures(applied):
    engine, _, first, _, _ = applied
    snap = saved.load(engine, 1)
    assert snap.figures["text"].tolist() == [f"e.g. {redaction.MARKER}", "Recent praise"]
    assert snap.figures["value"].tolist() == [2.0, 1.0] and snap.figures["high"].tolist()[0] == 3.0
    assert first["snapshots redacted"] == 1


def test_a_second_apply_changes_nothing(applied):
    _, path, _, second, rows = applied
    now = dump(f"sqlite:///{path}")["tables"]
    assert {k: v for k, v in now.items() if k not in ("auditentry", "store_state")} == \
        {k: v for k, v in rows.items() if k not in ("auditentry", "store_state")}
    assert (second["feedback verbatims masked"], second["ticket texts masked"],
            second["customers' contact details cleared"], second["snapshots redacted"]) == (0, 0, 0, 0)


def test_policy_changes_and_runs_are_audited(applied):
    engine, _, first, _, _ = applied
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT \"user\", action, detail FROM auditentry WHERE action LIKE '%retention%' "
                                 "ORDER BY id")).all()
    assert [r.action for r in rows] == ["set retention policy", "apply retention policy", "apply retention policy"]
    assert json.loads(rows[0].detail)["after"] == {"verbatim_months": MONTHS, "contact_days": DAYS}
    assert json.loads(rows[1].detail)["feedback verbatims masked"] == 2
    assert json.loads(rows[2].detail)["feedback verbatims masked"] == 0
    assert retention.policy(engine) == Policy(MONTHS, DAYS)
    assert retention.history(engine)["user"].tolist() == ["local"]


def test_preview_says_what_apply_would_change(tmp_path):
    url = _store(tmp_path)
    engine = core.make_engine(url)
    before = dump(url)["tables"]
    got = retention.preview(engine, Policy(MONTHS, DAYS), TODAY)
    assert dump(url)["tables"] == before
    assert (got["feedback verbatims masked"], got["ticket texts masked"], got["customers' contact details cleared"]) \
        == (2, 1, 2)
    # today by default: the store's last dated day (core.store.profile), here the latest verbatim's day
    last = max(pd.to_datetime(pd.concat([CUSTOMERS["signup_date"], CUSTOMERS["churn_date"], FEEDBACK["date"],
                                         TICKETS["opened"]]), errors="coerce").dropna()).date()
    assert retention.today_of(engine) == last == dt.date(2025, 6, 1)
    assert retention.preview(engine, Policy(MONTHS, None))["verbatims before"] == "2025-03-01"
    engine.dispose()


def test_apply_without_a_policy_is_one_message(tmp_path):
    engine = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(DataValidationError, match="no retention policy"):
        retention.apply(engine)


@pytest.mark.parametrize("bad", [(0, None), (None, -1), (1201, None), (2.5, None), (True, None)])
def test_a_bad_period_is_refused(bad):
    with pytest.raises(DataValidationError, match="whole number"):
        Policy(*bad)


@pytest.fixture(scope="module")
def with_users(tmp_path_factory):
    url = _store(tmp_path_factory.mktemp("roles"), users=True)
    engine = core.make_engine(url)
    retention.set_policy(engine, Policy(MONTHS, DAYS), user="root")
    engine.dispose()
    return url


@pytest.mark.parametrize("who", [n for n, r in PEOPLE.items() if r != "admin"])
def test_only_an_admin_may_set_or_apply_the_policy(with_users, who):
    before = dump(with_users)
    engine = core.make_engine(with_users)
    for act in (lambda: retention.set_policy(engine, Policy(1, 1), user=who),
                lambda: retention.apply(engine, user=who, today=TODAY)):
        with pytest.raises(AccessDenied, match=f"user {who} .* may not set the retention policy: ask an admin"):
            act()
    engine.dispose()
    assert dump(with_users) == before
