"""Closing the loop with detractors (core.service.follow_up, issue 25 item 5) against answers known by hand or computed
here independently:

* ``detractor_frame`` and ``follow_up`` on hand-made answers, one boundary per row: score 6 against 7, followed up
  exactly ``target_days`` after the answer against one day later, the same day, never; a churn on the answer's day
  (judged, and churned), the day before (not judged); the answer ``days`` days before the data's end (judged) against
  one day later (not); a customer the store does not hold, a blank customer, another channel, "NPS " in any case;
* on the small demo (1,000 customers, seed 0), every figure recounted with plain Python loops over the rows, Wilson's
  interval and Newcombe's hybrid score interval (Newcombe 1998, method 10) by their formulas, to 1e-9;
* ``chart_text.follow_up``'s two sentences, exactly, with and without a median and with a group nobody is judged in;
* no detractor at all: NoDataYetError with ``NO_DETRACTORS``.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

import numpy as np
import pandas as pd
import pytest

from core.demo.synthetic import make_demo
from core.errors import NoDataYetError
from core.service import chart_text, inputs
from core.service import follow_up as fu

Z = 1.959963984540054
TOL = 1e-9
END = dt.date(2024, 12, 31)
ANSWER = dt.date(2024, 6, 1)
TARGET, DAYS = 2, 30


def wilson(k: int, n: int) -> tuple[float, float, float]:
    """Wilson's score interval by its formula: (share, low, high)."""
    p = k / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z / denom * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return p, centre - half, centre + half


def newcombe(k1: int, n1: int, k0: int, n0: int) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval of p1 - p0 (1998, method 10), from each arm's Wilson interval."""
    p1, l1, u1 = wilson(k1, n1)
    p0, l0, u0 = wilson(k0, n0)
    d = p1 - p0
    return d, d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)


def close(a, b) -> bool:
    return abs(a - b) <= TOL


def plus(day: dt.date, n: int | None):
    return None if n is None else day + dt.timedelta(days=n)


# --------------------------------------------------------------------------- hand-made answers

#: (customer, answer day, channel, score, days to the follow-up or None); the customers' churn days are in CHURN
ANSWERS = [
    ("C01", ANSWER, "nps", 6.0, 2),                              # detractor's top score; followed exactly in time
    ("C02", ANSWER, "nps", 7.0, 0),                              # a passive: not a detractor
    ("C03", ANSWER, "nps", 0.0, 3),                              # one day late; churns DAYS days on: churned
    ("C04", ANSWER, "nps", 5.0, 0),                              # followed the same day; churns that day
    ("C05", ANSWER, "nps", 3.0, None),                           # never followed; churned the day before
    ("C06", ANSWER, "nps", 4.0, 1),                              # churns DAYS + 1 days on: not churned
    ("CX9", ANSWER, "nps", 2.0, 0),                              # not a customer in the store
    ("C07", END - dt.timedelta(days=DAYS), "NPS ", 6.0, None),   # the last day judged
    ("C08", END - dt.timedelta(days=DAYS - 1), "Nps", 1.0, 1),   # one day too recent to judge
    ("C09", ANSWER, "csat", 2.0, 0),                             # another channel
    (None, ANSWER, "nps", 1.0, 0),                               # no customer
    ("C10", ANSWER, "nps", None, 0),                             # no score
]
CHURN = {"C03": plus(ANSWER, DAYS), "C04": ANSWER, "C05": ANSWER - dt.timedelta(days=1),
         "C06": plus(ANSWER, DAYS + 1), "C02": ANSWER, "C09": ANSWER, "C10": ANSWER}
#: customer -> (followed_days, in_time, judged, churned) expected; churned only where judged
EXPECTED = {"C01": (2, True, True, False), "C03": (3, False, True, True), "C04": (0, True, True, True),
            "C05": (None, False, False, True), "C06": (1, True, True, False), "C07": (None, False, True, False),
            "C08": (1, True, False, False)}


def feedback(answers=ANSWERS) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": [a[0] for a in answers], "date": pd.to_datetime([a[1] for a in answers]),
                         "channel": [a[2] for a in answers], "score": [a[3] for a in answers],
                         "followed_up": pd.to_datetime([plus(a[1], a[4]) for a in answers])})


def customers(churn=CHURN) -> pd.DataFrame:
    ids = [f"C{i:02d}" for i in range(1, 11)]
    return pd.DataFrame({"customer_id": ids, "churn_date": pd.to_datetime([churn.get(c) for c in ids])})


def hand_result():
    frame = fu.detractor_frame(feedback(), customers(), END, TARGET, DAYS)
    return frame, fu.follow_up(frame, TARGET, DAYS)


def test_hand_frame_has_one_row_per_detractor_of_a_known_customer():
    frame, _ = hand_result()
    assert list(frame.columns) == ["customer_id", "date", "followed_days", "in_time", "judged", "churned"]
    got = {r.customer_id: (None if pd.isna(r.followed_days) else int(r.followed_days), bool(r.in_time),
                           bool(r.judged), bool(r.churned)) for r in frame.itertuples()}
    assert got == EXPECTED
    assert len(frame) == len(EXPECTED)


def test_hand_figures_exactly():
    _, r = hand_result()
    assert (r.target_days, r.days, r.detractors, r.in_time) == (TARGET, DAYS, 7, 4)
    assert r.median_days == 1.0  # of 2, 3, 0, 1, 1
    assert r.judged == {"in time": (3, 1), "not in time": (2, 1)}
    for got, want in zip((r.share, r.share_low, r.share_high), wilson(4, 7)):
        assert close(got, want)
    for group, (k, n) in (("in time", (1, 3)), ("not in time", (1, 2))):
        assert all(close(g, w) for g, w in zip(r.rates[group], wilson(k, n))), group
    assert close(r.gap, 1 / 3 - 1 / 2) and r.gap < 0
    assert all(close(g, w) for g, w in zip((r.gap, r.gap_low, r.gap_high), newcombe(1, 3, 1, 2)))


def test_followed_up_with_a_time_counts_whole_days():
    """The answer at 18:00 and the follow-up two days later at 09:00 is two days: in time."""
    fb = feedback([("C01", ANSWER, "nps", 2.0, None)])
    fb["date"] = pd.to_datetime(["2024-06-01 18:00"])
    fb["followed_up"] = pd.to_datetime(["2024-06-03 09:00"])
    frame = fu.detractor_frame(fb, customers(), END, TARGET, DAYS)
    assert frame["followed_days"].tolist() == [2] and frame["in_time"].tolist() == [True]


@pytest.mark.parametrize("target, in_time", [(0, 1), (1, 3), (2, 4), (3, 5)])
def test_the_target_moves_answers_in_time(target, in_time):
    frame = fu.detractor_frame(feedback(), customers(), END, target, DAYS)
    assert int(frame["in_time"].sum()) == in_time  # followed after 0, 1 (twice), 2, 3 days


def test_a_repeated_customer_row_counts_its_answer_once():
    c = pd.concat([customers(), customers().iloc[[0]]])
    frame = fu.detractor_frame(feedback(), c, END, TARGET, DAYS)
    assert len(frame) == len(EXPECTED)


def test_table_puts_the_two_groups_side_by_side():
    _, r = hand_result()
    t = fu.table(r)
    assert list(t.columns) == ["group", "judged", "churned", "churn_rate", "churn_low", "churn_high"]
    assert t["group"].tolist() == ["followed up within 2 days", "not (later or never)"]
    assert t[["judged", "churned"]].values.tolist() == [[3, 1], [2, 1]]
    assert np.allclose(t[["churn_rate", "churn_low", "churn_high"]].to_numpy(), [wilson(1, 3), wilson(1, 2)],
                       rtol=0, atol=TOL)


def test_no_detractor_raises_no_data_yet():
    passives = feedback([a for a in ANSWERS if a[3] is not None and a[3] > 6])
    frame = fu.detractor_frame(passives, customers(), END, TARGET, DAYS)
    assert len(frame) == 0
    with pytest.raises(NoDataYetError) as info:
        fu.follow_up(frame, TARGET, DAYS)
    assert str(info.value) == fu.NO_DETRACTORS


# --------------------------------------------------------------------------- the sentences

ASSOCIATION = " An association, not an experiment: a team may call back first the customers it hopes to keep."


def test_sentences_of_the_hand_case():
    _, r = hand_result()
    assert chart_text.follow_up(r) == [
        "4 of 7 NPS detractors (0-6) followed up within 2 days: 57.1% [25.0%, 84.2%]; a median of 1 day to the first "
        "follow-up.",
        "Churn within 30 days of the answer: followed up in time 33.3% [6.1%, 79.2%] (1 of 3), the others 50.0% "
        "[9.5%, 90.5%] (1 of 2); gap -16.7 pts [-65.5 pts, +44.6 pts]." + ASSOCIATION]


def test_sentences_without_a_median_and_with_a_group_nobody_is_judged_in():
    """Nobody followed up: no median, nobody in time, so that group and the gap are "none"."""
    never = [(c, d, ch, s, None) for c, d, ch, s, _ in ANSWERS]
    frame = fu.detractor_frame(feedback(never), customers(), END, TARGET, DAYS)
    r = fu.follow_up(frame, TARGET, DAYS)
    assert math.isnan(r.median_days) and math.isnan(r.gap) and math.isnan(r.gap_low)
    assert r.judged == {"in time": (0, 0), "not in time": (5, 2)}
    p, lo, hi = wilson(0, 7)
    assert (r.share, r.in_time) == (0.0, 0) and close(r.share_low, lo) and close(r.share_high, hi)
    assert chart_text.follow_up(r) == [
        "0 of 7 NPS detractors (0-6) followed up within 2 days: 0.0% [0.0%, 35.4%].",
        "Churn within 30 days of the answer: followed up in time none (0 of 0), the others 40.0% [11.8%, 76.9%] "
        "(2 of 5); gap none." + ASSOCIATION]


def test_sentences_with_a_fractional_median_and_the_others_never_judged():
    """Every detractor followed up in time: nobody in the other group; a median of 1.5 days is written so."""
    answers = [("C01", ANSWER, "nps", 3.0, 1), ("C03", ANSWER, "nps", 3.0, 2), ("C06", ANSWER, "nps", 3.0, 2),
               ("C04", ANSWER, "nps", 3.0, 1)]
    frame = fu.detractor_frame(feedback(answers), customers(), END, TARGET, 90)
    r = fu.follow_up(frame, TARGET, 90)
    assert r.median_days == 1.5 and r.judged == {"in time": (4, 3), "not in time": (0, 0)}
    text = chart_text.follow_up(r)
    assert text[0] == ("4 of 4 NPS detractors (0-6) followed up within 2 days: 100.0% [51.0%, 100.0%]; a median of "
                       "1.5 days to the first follow-up.")
    assert text[1] == ("Churn within 90 days of the answer: followed up in time 75.0% [30.1%, 95.4%] (3 of 4), the "
                       "others none (0 of 0); gap none." + ASSOCIATION)


# --------------------------------------------------------------------------- the small demo, recounted


@pytest.fixture(scope="module")
def demo():
    d = make_demo(1000, seed=0)
    return d, inputs.from_frames(d.tickets, d.customers, d.revenue).end


def day_of(x) -> dt.date | None:
    return None if pd.isna(x) else pd.Timestamp(x).date()


def recount(feedback: pd.DataFrame, customers: pd.DataFrame, end, target: int, days: int) -> dict:
    """Every figure of the follow-up with plain loops over the rows."""
    churn = {}
    for cid, when in zip(customers["customer_id"], customers["churn_date"]):
        churn.setdefault(str(cid), day_of(when))
    end = pd.Timestamp(end).date()
    n = k = 0
    waits = []
    groups = {"in time": [0, 0], "not in time": [0, 0]}
    for cid, day, channel, score, followed in zip(feedback["customer_id"], feedback["date"], feedback["channel"],
                                                  feedback["score"], feedback["followed_up"]):
        if str(channel).strip().lower() != "nps" or pd.isna(score) or score > 6 or cid is None or pd.isna(cid):
            continue
        if str(cid) not in churn:
            continue
        day, followed, left = day_of(day), day_of(followed), churn[str(cid)]
        n += 1
        wait = None if followed is None else (followed - day).days
        if wait is not None:
            waits.append(wait)
        on_time = wait is not None and wait <= target
        k += on_time
        if (left is None or left >= day) and day + dt.timedelta(days=days) <= end:
            g = groups["in time" if on_time else "not in time"]
            g[0] += 1
            g[1] += left is not None and left <= day + dt.timedelta(days=days)
    return {"n": n, "k": k, "median": statistics.median(waits), "groups": {g: tuple(v) for g, v in groups.items()}}


@pytest.mark.parametrize("target, days", [(2, 90), (0, 30), (5, 180)])
def test_demo_figures_match_a_recount(demo, target, days):
    d, end = demo
    want = recount(d.feedback, d.customers, end, target, days)
    r = fu.follow_up(fu.detractor_frame(d.feedback, d.customers, end, target, days), target, days)
    assert (r.detractors, r.in_time) == (want["n"], want["k"])
    assert r.median_days == want["median"]
    assert r.judged == want["groups"]
    (n1, k1), (n0, k0) = want["groups"]["in time"], want["groups"]["not in time"]
    assert min(n1, n0, k1, k0) > 0 and n1 + n0 < want["n"]  # both groups churn; some answers are too recent
    assert all(close(g, w) for g, w in zip((r.share, r.share_low, r.share_high), wilson(want["k"], want["n"])))
    assert all(close(g, w) for g, w in zip(r.rates["in time"], wilson(k1, n1)))
    assert all(close(g, w) for g, w in zip(r.rates["not in time"], wilson(k0, n0)))
    assert all(close(g, w) for g, w in zip((r.gap, r.gap_low, r.gap_high), newcombe(k1, n1, k0, n0)))


def test_demo_has_the_boundaries_the_recount_checks(demo):
    """The recount says something only if the demo holds passives and detractors at the cut, follow-ups at the
    target and after, and unfollowed detractors."""
    d, _ = demo
    nps = d.feedback[d.feedback["channel"] == "nps"]
    assert {6.0, 7.0} <= set(nps["score"])
    wait = (nps["followed_up"] - nps["date"]).dt.days[nps["score"] <= 6]
    assert {0, 2, 3} <= set(wait.dropna().astype(int)) and wait.isna().any()
