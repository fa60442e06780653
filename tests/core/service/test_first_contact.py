"""First-contact resolution (core.service.first_contact) and the service levels of issue 25 (core.service.bands:
reopenings, first contact, effort score), each against an answer known by hand or computed here independently:

* ``resolved_at_first_contact`` on hand-made tickets: the help desk's flag wins over the replies, else resolved with
  at most one agent reply and never reopened (unknown reopenings count as none), else unknown; the flag as the store
  returns it (1.0 / 0.0 / None), as booleans and as a nullable boolean; and end to end from two imports into a store;
* ``banded`` of the three levels, their bands' order, ``measured`` and the exact ``unmeasured_note`` sentences;
* ``level_table`` of the three levels on the small demo (1,000 customers, seed 0), as generated and with a
  first-contact flag on some tickets and blank replies and reopenings on others, against tickets, customers and churn
  within 90 days counted in pandas from the raw demo frames.
"""

import numpy as np
import pandas as pd
import pytest

import core
from core.demo.synthetic import make_demo
from core.service import inputs, levels, outcomes
from core.service.bands import LEVELS, banded, measured, unmeasured_note
from core.service.first_contact import flags, resolved_at_first_contact

NA = pd.NA
ALWAYS = ["first_response", "resolution", "escalation", "category", "channel"]
ALL_KEYS = ["first_response", "resolution", "escalation", "reopens", "first_contact", "effort", "category", "channel"]
FC_BANDS = ["resolved at first contact", "not at first contact", "unknown"]

# --------------------------------------------------------------------------- resolved at first contact

#: (flag, replies, reopens, resolved, expected) per ticket; flag None = the export has none for the ticket
CASES = [
    (True, 5.0, 2.0, True, True),        # the flag wins over many replies and reopenings
    (False, 1.0, 0.0, True, False),      # ... and over a one-touch ticket
    (True, None, None, False, True),     # a flag needs no replies
    (False, None, None, False, False),
    (None, 0.0, 0.0, True, True),        # resolved without an agent reply
    (None, 1.0, 0.0, True, True),        # one touch
    (None, 2.0, 0.0, True, False),       # two replies
    (None, 1.0, 1.0, True, False),       # reopened once
    (None, 0.0, 3.0, True, False),
    (None, 1.0, None, True, True),       # reopenings unknown: counted as not reopened
    (None, 1.0, 0.0, False, False),      # not resolved, one reply
    (None, 0.0, 0.0, False, False),      # not resolved, no reply
    (None, None, 0.0, True, NA),         # neither flag nor replies: unknown
    (None, None, None, False, NA),
]


def case_frame(encoding: str) -> pd.DataFrame:
    """:data:`CASES` as tickets, the flag encoded as the store returns it (``store``: 1.0 / 0.0 / NaN), as Python
    booleans (``object``) or as a nullable boolean; a shuffled index, so nothing leans on positions."""
    flag = [c[0] for c in CASES]
    column = {"store": pd.Series([np.nan if f is None else float(f) for f in flag], dtype="float64"),
              "object": pd.Series(flag, dtype=object),
              "boolean": pd.Series([NA if f is None else f for f in flag], dtype="boolean")}[encoding]
    frame = pd.DataFrame({
        "first_contact": column.array, "replies": [c[1] for c in CASES], "reopens": [c[2] for c in CASES],
        "resolved": pd.to_datetime(["2024-02-01 10:00" if c[3] else None for c in CASES])})
    assert frame["first_contact"].dtype == column.dtype
    return frame.set_axis(np.random.default_rng(5).permutation(len(CASES)) + 100)


@pytest.mark.parametrize("encoding", ["store", "object", "boolean"])
def test_resolved_at_first_contact_by_hand(encoding):
    t = case_frame(encoding)
    got = resolved_at_first_contact(t)
    assert str(got.dtype) == "boolean"
    assert got.index.equals(t.index)
    assert got.tolist() == [c[4] for c in CASES]


def test_resolved_at_first_contact_reads_text_counts_and_an_all_missing_flag():
    # no flag anywhere (a Zendesk export): the column is all None
    t = pd.DataFrame({"first_contact": [None, None, None], "replies": ["1", "3", None], "reopens": [None, "0", "0"],
                      "resolved": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-02"])})
    assert resolved_at_first_contact(t).tolist() == [True, False, NA]


def test_flags_as_the_store_returns_them():
    assert flags([1.0, 0.0, None]).tolist() == [True, False, NA]
    assert flags([1, 0, np.nan]).tolist() == [True, False, NA]
    assert flags([True, False, None]).tolist() == [True, False, NA]
    got = flags(pd.Series([0.0, None, 1.0], index=[7, 3, 5]))
    assert str(got.dtype) == "boolean" and got.index.tolist() == [7, 3, 5] and got.tolist() == [False, NA, True]


def test_first_contact_from_two_imports_into_a_store():
    """A help-desk export with the flag, replies and reopenings, then an older one without them: the flag wins,
    the replies decide where it is blank, the older tickets are unknown; effort is the level not measured."""
    eng = core.make_engine("sqlite://")
    customers = (b"customer_id,signup_date,churn_date\nC1,2023-01-01,2024-03-01\nC2,2023-01-01,\n"
                 b"C3,2023-06-01,\n")
    core.commit_import(eng, core.prepare_import(eng, customers, "customers.csv", "customers"))
    new = (b"Ticket ID,Requester ID,Created at,Solved at,Replies,Reopens,First Contact Resolution\n"
           b"1,C1,2024-01-05 09:00,2024-01-05 10:00,3,0,Yes\n"
           b"2,C2,2024-01-06 09:00,2024-01-06 10:00,1,0,No\n"
           b"3,C2,2024-01-07 09:00,2024-01-07 10:00,1,0,\n"
           b"4,C3,2024-01-08 09:00,2024-01-08 10:00,1,1,\n"
           b"5,C3,2024-01-09 09:00,,1,0,\n"
           b"6,C2,2024-06-30 09:00,2024-06-30 10:00,2,0,\n")
    old = b"Ticket ID,Requester ID,Created at,Solved at\n7,C3,2024-01-10 09:00,2024-01-10 09:30\n"
    for name, data in (("zendesk.csv", new), ("old.csv", old)):
        plan = core.prepare_import(eng, data, name, "tickets")
        assert plan.n_errors == 0, plan.report
        core.commit_import(eng, plan)
    judged = outcomes.judge(inputs.load_service(eng), 90)
    f = judged.frame.sort_values("opened")
    assert f["opened"].dt.day.tolist() == [5, 6, 7, 8, 9, 10]  # ticket 6 is too recent to judge
    assert f["first_contact"].tolist() == [True, False, True, False, False, NA]
    assert f["churned"].tolist() == [True, False, False, False, False, False]
    assert measured(f) == ALL_KEYS[:5] + ALL_KEYS[6:]
    assert unmeasured_note(f) == ("Not measured: effort score: the tickets' import has no effort scores (CES). Import "
                                  "a help-desk export with them to add this level.")


# --------------------------------------------------------------------------- bands


def bands_of(key: str, values) -> pd.Series:
    return banded(pd.DataFrame({LEVELS[key].column: values}), LEVELS[key])


def test_reopens_bands():
    got = bands_of("reopens", [0.0, 1.0, 2.0, 5.0, np.nan])
    assert got.tolist() == ["not reopened", "reopened once", "reopened 2 or more times", "reopened 2 or more times",
                            "unknown"]
    assert got.cat.ordered
    assert list(got.cat.categories) == ["not reopened", "reopened once", "reopened 2 or more times", "unknown"]
    # only the bands met, in their order
    assert list(bands_of("reopens", [3.0, 0.0, 0.0]).cat.categories) == ["not reopened", "reopened 2 or more times"]


def test_first_contact_bands():
    got = bands_of("first_contact", pd.array([False, True, NA, True], dtype="boolean"))
    assert got.tolist() == ["not at first contact", "resolved at first contact", "unknown",
                            "resolved at first contact"]
    assert got.cat.ordered and list(got.cat.categories) == FC_BANDS
    assert list(bands_of("first_contact", pd.array([NA, False], dtype="boolean")).cat.categories) == FC_BANDS[1:]


def test_effort_bands():
    got = bands_of("effort", [1.0, 3.0, 3.5, 4.0, 5.9, 6.0, 7.0, np.nan])
    assert got.tolist() == ["1 to 3 (hard)", "1 to 3 (hard)", "1 to 3 (hard)", "4 to 5", "4 to 5", "6 to 7 (easy)",
                            "6 to 7 (easy)", "no score"]
    assert got.cat.ordered
    assert list(got.cat.categories) == ["1 to 3 (hard)", "4 to 5", "6 to 7 (easy)", "no score"]
    assert list(bands_of("effort", [np.nan, 7.0, 2.0]).cat.categories) == ["1 to 3 (hard)", "6 to 7 (easy)",
                                                                          "no score"]


def measures(reopens=None, first_contact=None, effort=None) -> pd.DataFrame:
    """Two judged tickets with the given value of each optional measure on the second (the first has none)."""
    return pd.DataFrame({"reopens": [np.nan, reopens], "effort": [np.nan, effort],
                         "first_contact": pd.array([NA, NA if first_contact is None else first_contact],
                                                   dtype="boolean")}).astype({"reopens": float, "effort": float})


THREE = ("Not measured: reopenings, first-contact resolution and effort score: the tickets' import has no reopen "
         "counts, agent replies (or a first-contact flag) or effort scores (CES). Import a help-desk export with them "
         "to add these levels.")
TWO = ("Not measured: reopenings and effort score: the tickets' import has no reopen counts or effort scores (CES). "
       "Import a help-desk export with them to add these levels.")
ONE = ("Not measured: first-contact resolution: the tickets' import has no agent replies (or a first-contact flag). "
       "Import a help-desk export with them to add this level.")


@pytest.mark.parametrize("given, keys, note", [
    ({}, ALWAYS, THREE),
    ({"first_contact": False}, ["first_response", "resolution", "escalation", "first_contact", "category",
                                "channel"], TWO),
    ({"reopens": 0.0, "effort": 5.0}, ALL_KEYS[:4] + ALL_KEYS[5:], ONE),
    ({"reopens": 0.0, "first_contact": True, "effort": 1.0}, ALL_KEYS, None)])
def test_measured_levels_and_the_note_naming_the_others(given, keys, note):
    frame = measures(**given)
    assert measured(frame) == keys
    assert unmeasured_note(frame) == note


# --------------------------------------------------------------------------- level tables on the small demo


@pytest.fixture(scope="module")
def small_demo():
    return make_demo(1000, seed=0)


def with_flags_and_blanks(tickets: pd.DataFrame) -> pd.DataFrame:
    """The demo's tickets with the help desk's flag on every 5th (yes and no in turn, as the store returns it) and
    the replies of every 7th and the reopenings of every 11th blank."""
    t = tickets.copy()
    i = np.arange(len(t))
    t["first_contact"] = np.where(i % 5 == 0, (i // 5 % 2 == 0).astype(float), np.nan)
    t.loc[i % 7 == 0, "replies"] = np.nan
    t.loc[i % 11 == 0, "reopens"] = np.nan
    return t


def hand_bands(t: pd.DataFrame, key: str) -> tuple[list, list]:
    """Each ticket's band of ``key`` decided row by row, and the bands in the order they are shown."""
    if key == "reopens":
        order = ["not reopened", "reopened once", "reopened 2 or more times", "unknown"]
        bands = ["unknown" if pd.isna(r) else order[min(int(r), 2)] for r in t["reopens"]]
    elif key == "effort":
        order = ["1 to 3 (hard)", "4 to 5", "6 to 7 (easy)", "no score"]
        bands = ["no score" if pd.isna(e) else order[0] if e < 4 else order[1] if e < 6 else order[2]
                 for e in t["effort"]]
    else:
        order = FC_BANDS
        flag = t["first_contact"] if "first_contact" in t else pd.Series(np.nan, index=t.index)
        bands = []
        for f, replies, reopens, resolved in zip(flag, t["replies"], t["reopens"], t["resolved"]):
            if not pd.isna(f):
                yes = bool(f)
            elif pd.isna(replies):
                bands.append("unknown")
                continue
            else:
                yes = not pd.isna(resolved) and replies <= 1 and not reopens > 0
            bands.append(order[0] if yes else order[1])
    return bands, [b for b in order if b in set(bands)]


def hand_table(tickets: pd.DataFrame, customers: pd.DataFrame, end: pd.Timestamp, key: str) -> pd.DataFrame:
    """Tickets, customers, churned within 90 days and the raw churn rate of each band, from the raw frames."""
    t = tickets.merge(customers[["customer_id", "churn_date"]], on="customer_id")
    day, horizon = t["opened"].dt.normalize(), pd.Timedelta(days=90)
    t = t[(t["churn_date"].isna() | (t["churn_date"] >= day)) & (day + horizon <= end)]
    day = day[t.index]
    bands, order = hand_bands(t, key)
    t = t.assign(band=bands, churned=t["churn_date"].notna() & (t["churn_date"] <= day + horizon))
    rows = []
    for b in order:
        g = t[t["band"] == b]
        n, churned = len(g), int(g["churned"].sum())
        clear = n >= levels.MIN_TICKETS and 0 < churned < n
        rows.append({"band": b, "tickets": n, "customers": g["customer_id"].nunique(), "churned": churned,
                     "churn_rate": churned / n if clear else np.nan})
    return pd.DataFrame(rows).set_index("band")


@pytest.mark.parametrize("variant", ["as generated", "with flags and blanks"])
@pytest.mark.parametrize("key", ["reopens", "first_contact", "effort"])
def test_demo_level_table_matches_raw_frames(small_demo, variant, key):
    tickets = small_demo.tickets if variant == "as generated" else with_flags_and_blanks(small_demo.tickets)
    inp = inputs.from_frames(tickets, small_demo.customers, small_demo.revenue)
    judged = outcomes.judge(inp, 90)
    got = levels.level_table(judged, key).set_index("band")
    want = hand_table(tickets, small_demo.customers, inp.end, key)
    assert list(got.index) == list(want.index)
    assert got["tickets"].sum() == len(judged.frame) > 4000
    for col in ("tickets", "customers", "churned"):
        assert got[col].tolist() == want[col].tolist(), col
    np.testing.assert_allclose(got["churn_rate"], want["churn_rate"], rtol=0, atol=1e-12)
    assert want["churn_rate"].notna().sum() >= 2  # rates to compare, not only empty ones
    if variant == "with flags and blanks" and key != "effort":
        assert "unknown" in want.index
    if key == "effort":
        assert list(want.index) == ["1 to 3 (hard)", "4 to 5", "6 to 7 (easy)", "no score"]


@pytest.mark.parametrize("dropped, note", [
    ((), None), (("replies",), ONE), (("reopens", "replies", "effort"), THREE)])
def test_demo_level_tables_are_the_measured_ones(small_demo, dropped, note):
    tickets = small_demo.tickets.drop(columns=list(dropped))
    judged = outcomes.judge(inputs.from_frames(tickets, small_demo.customers, small_demo.revenue), 90)
    tables = levels.level_tables(judged)
    assert list(tables) == [k for k in ALL_KEYS if not (k == "first_contact" and "replies" in dropped)
                            and not (k in ("reopens", "effort") and k in dropped)]
    assert unmeasured_note(judged.frame) == note
