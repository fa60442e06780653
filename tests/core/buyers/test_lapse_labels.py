"""The purchase-log churn label at a cutoff (core/buyers/lapse_labels.py) against a day-by-day pandas computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.buyers.lapse_labels import lapse_labels


def _log(seed: int = 3) -> pd.DataFrame:
    """A small generated log: random buyers, plus named ones around the cutoff 2021-06-30 (N = 60, H = 90)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        for _ in range(rng.integers(1, 8)):
            rows.append((f"c{i:02d}", pd.Timestamp("2020-06-01") + pd.Timedelta(days=int(rng.integers(0, 600)))))
    named = {
        "returner": ["2021-03-01", "2021-08-15"],  # lapsed at the cutoff (last purchase 121 days before), buys later
        "lapser": ["2021-06-01", "2021-06-20"],  # active, lapses on 2021-08-19, inside the horizon
        "comeback": ["2021-06-20", "2021-08-25"],  # active, lapses on 2021-08-19, comes back after: still churned
        "loyal": ["2021-06-01", "2021-07-25", "2021-09-10", "2021-10-20"],  # active and never 60 days silent
        "edge": ["2021-05-01"],  # last purchase exactly N days before the cutoff: lapsed on the cutoff
        "late": ["2021-07-01"],  # first purchase after the cutoff: not a buyer yet
    }
    for cid, days in named.items():
        rows += [(cid, pd.Timestamp(d)) for d in days]
    return pd.DataFrame(rows, columns=["customer_id", "date"])


def _by_day(log: pd.DataFrame, n: int, cutoff: str, h: int) -> pd.DataFrame:
    """Independent: for each buyer, check every day whether a purchase fell in the N days up to it."""
    c = pd.Timestamp(cutoff)
    out = {}
    for cid, g in log.groupby("customer_id"):
        days = set(g["date"].dt.normalize())
        if min(days) > c:
            continue

        def silent(d, days=days):
            return not any(d - pd.Timedelta(days=k) in days for k in range(n))

        active = not silent(c)
        churned = active and any(silent(c + pd.Timedelta(days=k)) for k in range(1, h + 1))
        out[cid] = {"active": active, "churned": churned}
    return pd.DataFrame.from_dict(out, orient="index").sort_index()


@pytest.mark.parametrize("n,cutoff,h", [(60, "2021-06-30", 90), (120, "2021-03-31", 45), (90, "2021-01-15", 120)])
def test_lapse_labels_match_a_day_by_day_computation(n, cutoff, h):
    log = _log()
    got = lapse_labels(log, n, cutoff, h)
    want = _by_day(log, n, cutoff, h)
    assert list(got.index) == list(want.index)
    assert got["active"].tolist() == want["active"].tolist()
    assert got["churned"].tolist() == want["churned"].tolist()
    assert 0 < got["churned"].sum() < got["active"].sum()


def test_named_buyers_at_the_cutoff():
    t = lapse_labels(_log(), 60, "2021-06-30", 90)
    # already lapsed at the cutoff: not an active customer, even though they buy again later
    assert not t.at["returner", "active"] and not t.at["returner", "churned"]
    assert not t.at["edge", "active"]
    assert "late" not in t.index
    assert t.at["lapser", "churned"] and t.at["lapser", "lapse_date"] == pd.Timestamp("2021-08-19")
    # a lapse inside the horizon counts although the buyer returns afterwards: judged from purchases, not the last
    assert t.at["comeback", "churned"]
    assert t.at["loyal", "active"] and not t.at["loyal", "churned"]


def test_only_purchases_up_to_the_horizon_decide():
    log = _log()
    c, h = pd.Timestamp("2021-06-30"), 90
    cut = log[log["date"] <= c + pd.Timedelta(days=h)]
    a, b = lapse_labels(log, 60, c, h), lapse_labels(cut, 60, c, h)
    assert a[["active", "churned"]].equals(b[["active", "churned"]])


def test_no_buyer_before_the_cutoff_gives_an_empty_table():
    t = lapse_labels(_log(), 60, "2019-01-01", 90)
    assert t.empty and list(t.columns) == ["last_purchase", "active", "lapse_date", "churned"]
