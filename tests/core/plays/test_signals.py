"""The store's signals for the playbooks (core/plays/signals.py) on the small demo: health is the Health scores
page's own (its last two snapshots, so a "turned red" trigger fires for exactly the page's "crossed into red"
alerts), tickets, detractors and churn words equal pandas on the store's tables, a saved churn model gives the tiers,
and the guards' context holds consent, critical tickets and past contacts as the store has them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

import core
from core.churn.store import latest_scores
from core.cli.main import main as cli
from core.health import monitor as hm
from core.health import store as health_store
from core.history.inputs import load_inputs
from core.plays.queue import QUEUED, run
from core.plays.rules import parse
from core.plays.signals import previous_month_end, store_signals
from core.store.read import load_table
from tests.conftest import copy_store

BOOK = parse({"triggers": [
    {"name": "Turned red", "signal": "health_band", "bands": ["red"], "play": "Rescue call", "owner": "CS",
     "channel": "phone"},
    {"name": "Reports unused", "signal": "not_adopted", "feature": "reports_run", "days": 30, "play": "Adoption email",
     "owner": "Product", "channel": "email"}]})


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    engine = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('plays'))}")
    inputs = load_inputs(engine)
    signals, context, day = store_signals(engine, BOOK, inputs=inputs)
    yield engine, inputs, signals, context, day
    engine.dispose()


def test_health_is_the_health_pages_last_two_snapshots(store):
    engine, inputs, signals, context, day = store
    snaps = hm.snapshots(inputs, months=2)
    assert [d for d, _ in snaps] == [previous_month_end(day), day]
    config, _ = health_store.current_config(engine, snaps[-1][1])
    hist = hm.history(config, snaps)
    now, before = (hist[hist["day"] == d].set_index("customer_id") for d in (day, previous_month_end(day)))
    s = signals.set_index("customer_id")
    assert s.index.equals(now.index)
    np.testing.assert_allclose(s["health_score"], now["score"], rtol=0, atol=1e-12)
    assert (s["health_band"] == now["band"]).all()
    assert s["previous_band"].fillna("-").equals(before["band"].reindex(s.index).fillna("-"))
    np.testing.assert_allclose(s["health_drop"], before["score"].reindex(s.index) - now["score"], atol=1e-12)
    # the page's "crossed into red" alerts are exactly the customers the "Turned red" trigger fires for
    crossed = set(hm.alerts(config, hist).query("alert == 'crossed into red'")["customer_id"])
    queue = run(BOOK, signals, day, context, seed=0)
    assert crossed and set(queue.loc[queue["trigger"] == "Turned red", "customer_id"]) == crossed


def _open_at(engine, day: pd.Timestamp) -> pd.DataFrame:
    t = load_table(engine, "ticket")
    end = day + pd.Timedelta(days=1)
    return t[(pd.to_datetime(t["opened"]) < end) & (t["resolved"].isna() | (pd.to_datetime(t["resolved"]) >= end))]


def _oldest(engine, signals: pd.DataFrame, day: pd.Timestamp) -> None:
    t = _open_at(engine, day)
    age = (day - pd.to_datetime(t["opened"]).dt.normalize()).dt.days.groupby(t["customer_id"]).max()
    s = signals.set_index("customer_id")
    got = s["oldest_open_ticket_days"].dropna()
    assert len(got) > 100 and got.equals(age.reindex(got.index).astype(float))
    assert set(age.index) & set(s.index) == set(got.index)


def test_tickets_feedback_and_features_equal_pandas_on_the_tables(store):
    engine, inputs, signals, context, day = store
    _oldest(engine, signals, day)
    earlier = day - pd.Timedelta(days=120)  # tickets then open were resolved since: open on that day all the same
    _oldest(engine, store_signals(engine, BOOK, earlier, inputs=inputs)[0], earlier)
    t = _open_at(engine, day)
    s = signals.set_index("customer_id")
    escalated = t["priority"].str.lower().isin(["urgent", "critical"]) | t["status"].str.lower().eq("escalated")
    assert set(s.index[s["escalated"]]) == set(t.loc[escalated, "customer_id"]) & set(s.index)
    first = t[escalated].sort_values("opened").groupby("customer_id").head(1).set_index("customer_id")
    some = next(iter(set(first.index) & set(s.index)))
    assert context.customers[some]["critical_ticket"].startswith(f"{first.loc[some, 'ticket_id']}, opened ")
    f = load_table(engine, "feedback")
    f = f[f["customer_id"].notna() & (pd.to_datetime(f["date"]) <= day)]
    det = f[(f["channel"] == "nps") & (f["score"] <= 6)]
    days = (day - pd.to_datetime(det["date"])).dt.days.groupby(det["customer_id"]).min()
    got = s["detractor_days"].dropna()
    assert len(got) > 50 and got.equals(days.reindex(got.index).astype(float))
    words = f[f["text"].fillna("").str.contains(r"\bcancel|\bswitch", case=False)]
    assert set(words["customer_id"]) & set(s.index) <= set(s.index[s["churn_signal_days"].notna()])
    with engine.connect() as conn:
        users = {r[0] for r in conn.execute(text("SELECT DISTINCT customer_id FROM activity"
                                                 " WHERE metric = 'reports_run' AND date <= :d"), {"d": day.date()})}
    assert 0 < s["used:reports_run"].sum() and set(s.index[s["used:reports_run"]]) == users & set(s.index)


def test_a_saved_churn_model_gives_the_tiers_consent_and_channel_come_from_the_attributes(store, tmp_path):
    engine, _, signals, context, day = store
    assert signals["tier"].isna().all()  # no model saved yet: no churn_tier trigger can fire
    contacts = load_table(engine, "intervention")
    assert len(context.history) == len(contacts) > 0
    assert sorted(context.history["arm"].unique()) == sorted(contacts["group"].unique())
    queue = run(BOOK, signals, day, context, seed=0)
    who = queue.loc[(queue["trigger"] == "Turned red") & (queue["status"] == QUEUED), "customer_id"].iloc[:2]
    url = f"sqlite:///{copy_store(engine.url.database, tmp_path)}"
    assert cli(["--db", url, "churn", "--save"]) == 0
    copy = core.make_engine(url)
    with copy.begin() as conn:
        conn.execute(text("UPDATE customer SET attributes = :a WHERE customer_id = :c"),
                     {"a": '{"opt_out": "yes"}', "c": who.iloc[0]})
        conn.execute(text("UPDATE customer SET attributes = :a WHERE customer_id = :c"),
                     {"a": '{"preferred_channel": "email"}', "c": who.iloc[1]})
    signals, context, _ = store_signals(copy, BOOK, day)
    tiers = latest_scores(copy).set_index("customer_id")["tier"]
    s = signals.set_index("customer_id")
    assert s["tier"].notna().all() and s["tier"].equals(tiers.reindex(s.index))
    q = run(BOOK, signals, day, context, seed=0)
    q = q[q["trigger"] == "Turned red"].set_index("customer_id")
    assert q.loc[who.iloc[0], "held_back"] == "Held back: the customer opted out of outreach (opt_out = yes)."
    assert q.loc[who.iloc[1], "channel"] == "email"
    assert q.loc[who.iloc[1], "note"] == "On email, the customer's preferred channel (the play's is phone)."
    copy.dispose()
