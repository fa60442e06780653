"""The playbook run (core/plays/queue.py): triggers fire with their reasons, repeats merge, guards hold back and say
why, the preferred channel replaces the play's, and each play's holdout is drawn in permuted blocks within tier.
Property tests (Hypothesis) over random signals, histories, rule sets and guards: no customer passes the fatigue
cap, no action reaches an opted-out customer, no two plays reach one customer inside the calendar gap, and every
play's holdout share passes the sample-ratio check (core/roi/sample_ratio.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.plays.guards import TICKET_SIGNALS
from core.plays.queue import HELD, MERGED, QUEUED, TREATMENT, Context, run
from core.plays.rules import Guards, Playbook, Trigger
from core.plays.summary import held_reasons
from core.roi.defaults import CONTROL
from core.roi.sample_ratio import srm

DAY = dt.date(2025, 3, 31)
RED = Trigger("Turned red", "health_band", "Rescue call", "Customer success", "phone", {"bands": ["red"]})
TIER = Trigger("High risk", "churn_tier", "Rescue call", "Customer success", "phone", {"tiers": ["high risk"]})
USAGE = Trigger("Usage falling", "usage_drop", "Adoption email", "Product", "email", {"percent": 30.0})


def _signals(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"customer_id": [f"C{i:03d}" for i in range(n)], "segment": ["SMB"] * n}
    return pd.DataFrame({**base, **columns})


def _no_history() -> pd.DataFrame:
    return pd.DataFrame(columns=["customer_id", "play", "date", "arm"])


def test_a_trigger_fires_with_its_reason_and_repeats_merge():
    s = _signals(health_band=["red", "red", "green"], previous_band=["amber", "red", "green"],
                 health_score=[31.6, 20, 80], tier=["high risk", "high risk", "low risk"])
    q = run(Playbook((RED, TIER)), s, DAY, Context({}, _no_history()))
    # C000 crossed into red and is high risk: one action (the red trigger's), the tier's merged into it
    lead = q[(q.customer_id == "C000") & (q.status != MERGED)].iloc[0]
    assert (lead.trigger, lead.reason) == ("Turned red", "Health band red (was amber), score 32")
    assert lead.merged == "High risk: Churn risk: high risk" and lead.due == pd.Timestamp("2025-04-07")
    assert q[(q.customer_id == "C000") & (q.status == MERGED)].held_back.tolist() == [
        "Merged into the action of Turned red."]
    # C001 was red already: no crossing, but its tier fires; C002 fires nothing
    assert q[q.customer_id == "C001"][["trigger", "status"]].values.tolist() == [["High risk", QUEUED]]
    assert "C002" not in set(q.customer_id)


def test_each_guard_holds_back_and_says_why():
    n = 6
    s = _signals(tier=["high risk"] * n)
    s.loc[5, "segment"] = "Enterprise"
    customers = {"C000": {"attributes": {"opt_out": "Yes"}}, "C001": {"critical_ticket": "T-17"},
                 "C002": {"attributes": {"renewal_negotiation": True}},
                 "C004": {"attributes": {"preferred_channel": "email"}}}
    history = pd.DataFrame({"customer_id": ["C003", "C005", "C005"], "play": ["Survey", "Webinar", "Survey"],
                            "date": ["2025-03-25", "2025-01-20", "2025-03-01"], "arm": [TREATMENT] * 3})
    book = Playbook((TIER,), Guards(fatigue_contacts=2, fatigue_days=90, gap_days=14,
                                    fatigue_by_segment={"Enterprise": 2}))
    q = run(book, s, DAY, Context(customers, history)).set_index("customer_id")
    assert q.loc["C000", "held_back"] == "Held back: the customer opted out of outreach (opt_out = yes)."
    assert q.loc["C001", "held_back"] == "Held back: quiet period while a critical ticket is open (T-17)."
    assert q.loc["C002", "held_back"] == ("Held back: quiet period during renewal negotiations "
                                          "(renewal_negotiation = yes).")
    assert q.loc["C003", "held_back"] == ("Held back: Survey reaches this customer on 2025-03-25, within the 14-day "
                                          "gap between two contacts.")
    assert q.loc["C005", "held_back"] == ("Held back: 2 contacts in the last 90 days reach the fatigue cap of 2 for "
                                          "Enterprise.")
    assert q.loc["C004", "status"] == QUEUED and q.loc["C004", "channel"] == "email"
    assert q.loc["C004", "note"] == "On email, the customer's preferred channel (the play's is phone)."
    assert (q.loc[["C000", "C001", "C002", "C003", "C005"], "status"] == HELD).all()
    assert q.loc[["C000", "C001", "C002", "C003", "C005"], "guard"].tolist() == [
        "consent", "critical ticket", "negotiation", "calendar", "fatigue"]
    assert held_reasons(q).set_index("guard")["actions"].to_dict() == {
        "consent (opted out)": 1, "fatigue cap": 1, "outreach calendar (another contact too close)": 1,
        "quiet period: a critical ticket is open": 1, "quiet period: renewal negotiations": 1}
    assert q.loc[q.status == HELD, "arm"].isna().all()


def test_a_play_booked_earlier_in_the_run_blocks_the_next_and_the_holdout_keeps_its_place():
    s = _signals(tier=["high risk"] * 40, usage_change=[-0.5] * 40)
    q = run(Playbook((TIER, USAGE), Guards(gap_days=7)), s, DAY, Context({}, _no_history()))
    rescue = q[q.play == "Rescue call"]
    assert (rescue.status == QUEUED).all() and (rescue.arm == CONTROL).sum() == 6  # 3 of every 20
    email = q[q.play == "Adoption email"]
    assert (email.status == HELD).all()  # every customer is booked by the rescue call, held out or not
    assert email.held_back.str.contains("Rescue call reaches this customer on 2025-03-31").all()


def test_an_open_action_is_not_queued_again_and_a_holdout_stays_out_of_its_play():
    s = _signals(tier=["high risk"] * 3)
    history = pd.DataFrame({"customer_id": ["C001"], "play": ["Rescue call"], "date": ["2025-02-01"],
                            "arm": [CONTROL]})
    opened = pd.DataFrame({"customer_id": ["C000"], "play": ["Rescue call"], "trigger": ["High risk"]})
    q = run(Playbook((TIER,)), s, DAY, Context({}, history, opened)).set_index("customer_id")
    assert q.loc["C000", "status"] == MERGED
    assert q.loc["C000", "held_back"] == "Already in the queue from an earlier run."
    assert q.loc["C001", "held_back"] == ("Held back: in this play's holdout since 2025-02-01, kept out for the 90 "
                                          "days its effect is measured over.")
    assert q.loc["C001", "guard"] == "holdout" and q.loc["C000", "guard"] is None
    assert q.loc["C002", "status"] == QUEUED


def test_the_draw_is_seeded_in_permuted_blocks_within_tier():
    tiers = ["high risk"] * 60 + ["low risk"] * 40
    s = _signals(tier=tiers)
    book = Playbook((Trigger("Any", "churn_tier", "Call", "CS", "phone", {"tiers": ["high risk", "low risk"]}),))
    first = run(book, s, DAY, Context({}, _no_history()), seed=7)
    again = run(book, s.sample(frac=1, random_state=3), DAY, Context({}, _no_history()), seed=7)
    key = ["customer_id", "arm"]
    assert first[key].sort_values(key).values.tolist() == again[key].sort_values(key).values.tolist()
    held = first[first.arm == CONTROL]
    assert held.groupby("tier").size().to_dict() == {"high risk": 9, "low risk": 6}  # 15 % of each, to the customer
    other = run(book, s, DAY + dt.timedelta(days=7), Context({}, _no_history()), seed=7)
    assert set(other[other.arm == CONTROL].customer_id) != set(held.customer_id)


# --- properties -------------------------------------------------------------------------------------------------

PLAYS = ("Rescue call", "Adoption email", "Renewal prep")
SIGNAL_TRIGGERS = [("churn_tier", {"tiers": ["high risk"]}), ("health_band", {"bands": ["red"]}),
                   ("usage_drop", {"percent": 20.0}), ("renewal_within", {"days": 60}), ("escalation", {}),
                   ("detractor", {"days": 30})]


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 80))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    s = pd.DataFrame({
        "customer_id": [f"C{i:03d}" for i in range(n)],
        "segment": rng.choice(["SMB", "Enterprise"], n),
        "tier": rng.choice(np.array(["high risk", "medium risk", "low risk", None], dtype=object), n),
        "health_band": rng.choice(["red", "amber", "green"], n),
        "previous_band": rng.choice(["red", "amber", "green"], n),
        "health_score": rng.uniform(0, 100, n), "usage_change": rng.uniform(-1, 1, n),
        "days_to_renewal": rng.integers(-30, 200, n), "escalated": rng.random(n) < 0.2,
        "detractor_days": np.where(rng.random(n) < 0.3, rng.integers(0, 90, n), np.nan)})
    picks = draw(st.lists(st.tuples(st.integers(0, len(SIGNAL_TRIGGERS) - 1), st.integers(0, len(PLAYS) - 1)),
                          min_size=1, max_size=5))
    shares = {p: draw(st.sampled_from([0.1, 0.15, 0.2, 0.5])) for p in PLAYS}
    triggers = tuple(Trigger(f"T{i}", SIGNAL_TRIGGERS[a][0], PLAYS[b], "CS", "email", SIGNAL_TRIGGERS[a][1],
                             holdout=shares[PLAYS[b]]) for i, (a, b) in enumerate(picks))
    guards = Guards(fatigue_contacts=draw(st.integers(0, 3)), fatigue_days=draw(st.integers(1, 60)),
                    gap_days=draw(st.integers(0, 30)),
                    fatigue_by_segment=draw(st.sampled_from([{}, {"Enterprise": 1}, {"SMB": 3}])))
    customers = {cid: {"attributes": {"opt_out": bool(rng.random() < 0.2),
                                      "renewal_negotiation": bool(rng.random() < 0.1)},
                       "critical_ticket": "T1" if rng.random() < 0.1 else None} for cid in s["customer_id"]}
    k = int(rng.integers(0, 3 * n + 1))
    history = pd.DataFrame({"customer_id": rng.choice(s["customer_id"], k),
                            "play": rng.choice([*PLAYS, "Webinar"], k),
                            "date": [DAY - dt.timedelta(days=int(d)) for d in rng.integers(0, 120, k)],
                            "arm": rng.choice([TREATMENT, CONTROL], k, p=[0.8, 0.2])})
    return Playbook(triggers, guards), s, Context(customers, history), draw(st.integers(0, 1000))


def _within(dates: pd.Series, days: int) -> pd.Series:
    d = pd.to_datetime(dates)
    return (d > pd.Timestamp(DAY) - pd.Timedelta(days=days)) & (d <= pd.Timestamp(DAY))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_no_run_breaks_a_guard(scenario):
    book, signals, context, seed = scenario
    q = run(book, signals, DAY, context, seed=seed)
    g, h = book.guards, context.history
    queued = q[q.status == QUEUED]
    reached = queued[queued.arm == TREATMENT]
    # no action reaches an opted-out customer, nor one in a quiet period (a ticket's own play answers the ticket)
    standing = {c for c, v in context.customers.items() if v["attributes"]["opt_out"]
                or v["attributes"]["renewal_negotiation"]}
    assert not set(queued.customer_id) & standing
    signal = {t.name: t.signal for t in book.triggers}
    quiet = {c for c, v in context.customers.items() if v["critical_ticket"]}
    outreach = queued[~queued.trigger.map(signal).isin(TICKET_SIGNALS)]
    assert not set(outreach.customer_id) & quiet
    # the fatigue cap: contacts made in the window, this run's included, never pass it (unless history already did,
    # and then this run adds none)
    for cid, today in reached.groupby("customer_id").size().items():
        segment = signals.set_index("customer_id").loc[cid, "segment"]
        before = int(((h.customer_id == cid) & (h.arm != CONTROL) & _within(h.date, g.fatigue_days)).sum())
        assert before + today <= g.cap(segment), (cid, before, today)
    # the calendar: one play a customer a run, none within the gap of another booked contact
    if g.gap_days:
        assert not queued.customer_id.duplicated().any()
        booked = set(h.loc[_within(h.date, g.gap_days), "customer_id"])
        assert not set(queued.customer_id) & booked
    # every play's holdout passes the sample-ratio check, and each tier is within one customer of its share
    for play, rows in queued.groupby("play"):
        share = next(t.holdout for t in book.triggers if t.play == play)
        assert not srm(rows, holdout_share=share)["mismatch"]
        assert abs((rows.arm == CONTROL).sum() - share * len(rows)) < 1
        for _, tier in rows.groupby(rows["tier"].fillna("none")):
            assert abs((tier.arm == CONTROL).sum() - share * len(tier)) <= 1


@pytest.mark.parametrize("share", [0.1, 0.15, 0.2, 1 / 3])
def test_large_plays_hold_out_their_share_exactly_per_block(share):
    s = _signals(tier=["high risk"] * 600)
    book = Playbook((Trigger("T", "churn_tier", "Call", "CS", "phone", {"tiers": ["high risk"]}, holdout=share),))
    q = run(book, s, DAY, Context({}, _no_history()), seed=1)
    held, size = book.triggers[0].block
    assert (q.arm == CONTROL).sum() == 600 // size * held + round((600 % size) * held / size)


def test_a_play_a_ticket_started_is_not_held_by_that_tickets_quiet_period():
    s = _signals(tier=["high risk"] * 2, escalated=[True, True])
    escalation = Trigger("Escalated", "escalation", "Exec sponsor", "Leadership", "meeting")
    customers = {"C000": {"critical_ticket": "T-9, opened 2025-03-01"}, "C001": {"critical_ticket": "T-10"}}
    q = run(Playbook((escalation, TIER)), s, DAY, Context(customers, _no_history()))
    assert q.loc[q.play == "Exec sponsor", "status"].tolist() == [QUEUED, QUEUED]
    assert q.loc[q.play == "Exec sponsor", "reason"].tolist() == ["An open escalated ticket"] * 2
    rescue = q[q.play == "Rescue call"]
    assert rescue.held_back.str.startswith("Held back: quiet period while a critical ticket is open").all()
