"""Incidents and what they cost (core.service.incidents, core.service.incident_effects) against independent
computations on small hand-made frames: who each incident hit and who it is compared with, worked out by hand from
the rules; churn shares as plain means; active days counted with Python sets; and the churn gap and usage
difference in differences against a hand least-squares fit and a hand numpy cluster-robust sandwich (statsmodels'
cluster correction G/(G-1) * (N-1)/(N-K))."""

import numpy as np
import pandas as pd
import pytest

from core.service.incident_effects import ALL, PER_DAYS, TABLE_COLUMNS, measure, stacked, with_usage
from core.service.incidents import INCIDENTS, UNSPECIFIED, at_risk, incidents

#: the start day of the incidents below, N (the windows' days) and the data's last day
DAY = pd.Timestamp("2024-06-03")
N = 14
END = pd.Timestamp("2024-09-30")
LONG_AGO = pd.Timestamp("2020-01-01")
#: the normal 97.5 % quantile the intervals use
Z = 1.959964


def _customers(*rows) -> pd.DataFrame:
    """Customers from ``(customer_id, segment, plan, region, signup_date, churn_date)`` tuples."""
    frame = pd.DataFrame(list(rows), columns=["customer_id", "segment", "plan", "region", "signup_date", "churn_date"])
    for col in ("signup_date", "churn_date"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def _plain(ids, churn=None, signup=LONG_AGO, segment="SMB", plan="Basic", region="EU") -> list[tuple]:
    """Customer tuples alike but for their ids (``churn``: id -> churn date)."""
    churn = churn or {}
    return [(i, segment, plan, region, signup, churn.get(i)) for i in ids]


def _row(incident_id=None, customer_id=None, affected=None, start=DAY, end=None, severity="SEV2",
         title="Outage") -> dict:
    return {"incident_id": incident_id, "customer_id": customer_id, "affected": affected, "start": start,
            "end": end, "severity": severity, "title": title}


def _rows(*rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=INCIDENTS).astype(object)
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def _by_key(found) -> dict:
    return {i.key: i for i in found}


def _reason(incident) -> str:
    """The words naming why an incident is left out (before the colon of its reason)."""
    return incident.reason.split(":")[0]


def _cluster_ols(y: np.ndarray, X: np.ndarray, groups) -> tuple[np.ndarray, np.ndarray]:
    """Least squares and its cluster-robust covariance by hand: c * (X'X)^-1 (sum_g X_g' u_g u_g' X_g) (X'X)^-1,
    c = G/(G-1) * (N-1)/(N-K)."""
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    u = y - X @ beta
    groups = np.asarray(groups)
    meat = np.zeros((k, k))
    for g in np.unique(groups):
        score = X[groups == g].T @ u[groups == g]
        meat += np.outer(score, score)
    n_groups = len(np.unique(groups))
    c = n_groups / (n_groups - 1) * (n - 1) / (n - k)
    return beta, c * bread @ meat @ bread


def _conventional(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The conventional least-squares covariance by hand: s^2 (X'X)^-1, s^2 = u'u / (N - K)."""
    n, k = X.shape
    bread = np.linalg.inv(X.T @ X)
    u = y - X @ (bread @ X.T @ y)
    return u @ u / (n - k) * bread


def _page_se(y: np.ndarray, X: np.ndarray, groups) -> float:
    """The standard error the page uses: the larger of the clustered and the conventional one (a side without a
    churner has no spread of its own)."""
    return float(np.sqrt(max(_cluster_ols(y, X, groups)[1][0, 0], _conventional(y, X)[0, 0])))


def _churned(customers: pd.DataFrame, ids, day: pd.Timestamp) -> np.ndarray:
    """1.0 per customer of ``ids`` who churned from ``day`` to ``day`` + N days, both included, else 0.0."""
    churn = customers.set_index("customer_id")["churn_date"]
    out = []
    for i in ids:
        c = churn[i]
        out.append(float(pd.notna(c) and day <= c <= day + pd.Timedelta(days=N)))
    return np.array(out)


def _active_days(activity: pd.DataFrame, customer: str, day: pd.Timestamp) -> tuple[int, int]:
    """Distinct activity days of ``customer`` in [day - N, day) and [day, day + N), counted with sets."""
    dates = {d.date() for c, d in zip(activity["customer_id"], activity["date"]) if c == customer}
    before = {d for d in dates if (day - pd.Timedelta(days=N)).date() <= d < day.date()}
    after = {d for d in dates if day.date() <= d < (day + pd.Timedelta(days=N)).date()}
    return len(before), len(after)


# --- grouping ---------------------------------------------------------------------------------------------------


def test_rows_sharing_an_incident_id_are_one_incident_from_its_earliest_start_to_its_latest_end():
    cust = _customers(*_plain(["A", "B", "C", "D"]))
    rows = _rows(_row("INC-1", "A", start=DAY + pd.Timedelta(hours=10), end=DAY + pd.Timedelta(hours=11),
                      severity=None),
                 _row(" INC-1 ", "B", start=DAY + pd.Timedelta(hours=9, minutes=30),
                      end=DAY + pd.Timedelta(hours=12), severity="SEV1"),
                 _row("INC-2", "C", start=DAY - pd.Timedelta(days=30), severity=None))
    found = incidents(rows, cust, N, END)
    assert [i.key for i in found] == ["INC-2", "INC-1"]  # earliest first
    one = _by_key(found)["INC-1"]
    assert one.start == DAY + pd.Timedelta(hours=9, minutes=30)
    assert one.end == DAY + pd.Timedelta(hours=12)
    assert one.severity == "SEV1"  # the severity a row gives
    assert sorted(one.affected) == ["A", "B"]
    assert _by_key(found)["INC-2"].severity == UNSPECIFIED
    assert sorted(_by_key(found)["INC-2"].affected) == ["C"]


def test_rows_without_an_id_are_one_incident_when_their_start_title_and_severity_agree():
    cust = _customers(*_plain(["A", "B", "C", "D", "E"]))
    at = DAY + pd.Timedelta(hours=10)
    rows = _rows(_row(None, "A", start=at, title="API down", severity="SEV1"),
                 _row("   ", "B", start=at, title="API down", severity="SEV1"),  # a blank id: no id
                 _row(None, "C", start=at, title="Billing", severity="SEV1"),
                 _row(None, "D", start=at, title="API down", severity="SEV2"),
                 _row("", "E", start=at + pd.Timedelta(hours=1), title="API down", severity="SEV1"))
    found = incidents(rows, cust, N, END)
    hit = sorted(sorted(i.affected) for i in found)
    assert hit == [["A", "B"], ["C"], ["D"], ["E"]]


# --- who was hit ------------------------------------------------------------------------------------------------


def test_an_incident_naming_customers_hits_exactly_those_customers_and_compares_with_the_rest():
    cust = _customers(*_plain(["A", "B", "C", "D"]))
    found = incidents(_rows(_row("INC-1", "A"), _row("INC-1", "C")), cust, N, END)
    assert sorted(found[0].affected) == ["A", "C"]
    assert sorted(found[0].comparison) == ["B", "D"]
    assert found[0].reason == ""


@pytest.mark.parametrize("column", ["segment", "plan", "region"])
def test_an_incident_naming_a_segment_plan_or_region_hits_it_whatever_the_case_and_outer_spaces(column):
    values = {"A": "Enterprise", "B": " enterprise ", "C": "SMB", "D": "ENTERPRISE", "E": "Enterprise Plus"}
    rows = []
    for cid, value in values.items():
        fields = {"segment": "s-" + cid, "plan": "p-" + cid, "region": "r-" + cid, column: value}
        rows.append((cid, fields["segment"], fields["plan"], fields["region"], LONG_AGO, None))
    found = incidents(_rows(_row("INC-1", affected="  eNTERprise ")), _customers(*rows), N, END)
    assert sorted(found[0].affected) == ["A", "B", "D"]
    assert sorted(found[0].comparison) == ["C", "E"]


def test_a_row_naming_neither_a_customer_nor_a_value_hits_every_customer_of_that_day():
    cust = _customers(*_plain(["A", "B", "C"]), ("D", "SMB", "Basic", "EU", LONG_AGO, DAY - pd.Timedelta(days=1)))
    found = incidents(_rows(_row("INC-1", "A"), _row("INC-1")), cust, N, END)
    assert sorted(found[0].affected) == ["A", "B", "C"]  # D had left the day before
    assert len(found[0].comparison) == 0
    assert _reason(found[0]) == "no one to compare with"


# --- customers on the start day ---------------------------------------------------------------------------------


def test_a_churn_on_the_start_day_still_counts_the_customer_as_hit():
    start = DAY + pd.Timedelta(hours=15)  # a churn at midnight that day still counts
    cust = _customers(("A", "hit", "Basic", "EU", LONG_AGO, DAY),
                      ("B", "hit", "Basic", "EU", LONG_AGO, DAY - pd.Timedelta(days=1)),
                      ("C", "hit", "Basic", "EU", DAY, None),
                      ("D", "hit", "Basic", "EU", DAY + pd.Timedelta(days=1), None),
                      ("E", "hit", "Basic", "EU", None, None),
                      ("F", "other", "Basic", "EU", LONG_AGO, DAY),
                      ("G", "other", "Basic", "EU", LONG_AGO, DAY - pd.Timedelta(days=1)),
                      ("H", "other", "Basic", "EU", DAY + pd.Timedelta(days=1), None),
                      ("I", "other", "Basic", "EU", LONG_AGO, None))
    found = incidents(_rows(_row("INC-1", affected="hit", start=start)), cust, N, END)
    assert sorted(found[0].affected) == ["A", "C", "E"]
    assert sorted(found[0].comparison) == ["F", "I"]
    assert at_risk(cust, DAY).tolist() == [True, False, True, False, True, True, False, False, True]
    stack = stacked(found, cust, N).set_index("customer_id")
    assert stack.loc["A", "churned"] == 1.0 and stack.loc["F", "churned"] == 1.0


# --- comparison customers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("gap, excluded", [(N, True), (-N, True), (N + 1, False), (-(N + 1), False)])
def test_the_comparison_leaves_out_customers_another_incident_hit_within_n_days_but_not_n_plus_one(gap, excluded):
    cust = _customers(*_plain(["a1", "a2"], segment="A"), *_plain(["b1", "b2"], segment="B"),
                      *_plain(["c1", "c2"], segment="C"))
    other = DAY + pd.Timedelta(days=gap) + pd.Timedelta(hours=23)
    found = _by_key(incidents(_rows(_row("X", affected="A", start=DAY + pd.Timedelta(hours=1)),
                                    _row("Y", affected="B", start=other)), cust, N, END))
    expected = ["c1", "c2"] if excluded else ["b1", "b2", "c1", "c2"]
    assert sorted(found["X"].comparison) == expected
    assert sorted(found["Y"].comparison) == (["c1", "c2"] if excluded else ["a1", "a2", "c1", "c2"])
    assert sorted(found["X"].affected) == ["a1", "a2"]


def test_a_comparison_customer_must_be_a_customer_on_the_start_day():
    cust = _customers(*_plain(["A", "B"], segment="hit"), *_plain(["C", "D"]),
                      ("E", "SMB", "Basic", "EU", LONG_AGO, DAY - pd.Timedelta(days=1)),
                      ("F", "SMB", "Basic", "EU", DAY + pd.Timedelta(days=1), None))
    found = incidents(_rows(_row("INC-1", affected="hit")), cust, N, END)
    assert sorted(found[0].comparison) == ["C", "D"]


# --- incidents left out -----------------------------------------------------------------------------------------


def test_an_incident_is_too_recent_until_the_n_days_after_its_start_day_have_passed():
    cust = _customers(*_plain(["A", "B"]), *_plain(["C", "D"], segment="other"))
    rows = _rows(_row("INC-1", affected="SMB", start=DAY + pd.Timedelta(hours=15)))
    assert incidents(rows, cust, N, DAY + pd.Timedelta(days=N))[0].reason == ""
    late = incidents(rows, cust, N, DAY + pd.Timedelta(days=N - 1))[0]
    assert _reason(late) == "too recent" and str(N) in late.reason


def test_an_incident_that_hit_no_customer_that_day_is_left_out_with_its_reason():
    cust = _customers(*_plain(["A", "B", "C"]), ("D", "SMB", "Basic", "EU", LONG_AGO, DAY - pd.Timedelta(days=1)))
    rows = _rows(_row("nobody", affected="Nobody's segment"), _row("gone", "D"), _row("unknown", "ZZZ"))
    found = incidents(rows, cust, N, END)
    assert [_reason(i) for i in found] == ["hit no customer"] * 3
    assert all(len(i.affected) == 0 for i in found)


def test_an_incident_with_no_customer_clear_of_it_and_its_neighbours_has_no_comparison():
    cust = _customers(*_plain(["A", "B"], segment="one"), *_plain(["C", "D"], segment="two"))
    rows = _rows(_row("X", affected="one"), _row("Y", affected="two", start=DAY + pd.Timedelta(days=3)))
    found = incidents(rows, cust, N, END)
    assert [_reason(i) for i in found] == ["no one to compare with"] * 2
    assert all(len(i.affected) == 2 and len(i.comparison) == 0 for i in found)


def test_only_judged_incidents_enter_the_stack_and_the_table():
    cust = _customers(*_plain(["A", "B", "C"], segment="hit"), *_plain(["D", "E", "F"]))
    rows = _rows(_row("judged", affected="hit", severity="SEV1"),
                 _row("recent", affected="hit", start=END - pd.Timedelta(days=2), severity="SEV1"),
                 _row("empty", affected="nobody", start=DAY - pd.Timedelta(days=40), severity="SEV1"))
    out = measure(rows, cust, None, N, END)
    assert [i.key for i in out.judged] == ["judged"]
    assert [i.key for i in out.incidents] == ["empty", "judged", "recent"]
    assert set(out.stack["incident"]) == {"judged"} and len(out.stack) == 6
    assert out.usage is False and out.table["incidents"].tolist() == [1]
    assert list(out.table.columns) == TABLE_COLUMNS and out.table["usage_effect"].isna().all()


# --- churn ------------------------------------------------------------------------------------------------------


def _single_world():
    """One incident naming six customers; seven comparison customers; no factor varies (one segment, plan and
    tenure band); churns on both sides of the window's edges; activity around the start."""
    churn = {"A1": DAY, "A2": DAY + pd.Timedelta(days=N), "A3": DAY + pd.Timedelta(days=N + 1),
             "A5": DAY + pd.Timedelta(days=5), "B1": DAY + pd.Timedelta(days=3), "B3": DAY + pd.Timedelta(days=N + 1),
             "B6": DAY + pd.Timedelta(days=10), "B7": DAY + pd.Timedelta(days=N)}
    aff = [f"A{i}" for i in range(1, 7)]
    comp = [f"B{i}" for i in range(1, 8)]
    cust = _customers(*_plain(aff + comp, churn=churn))
    rows = _rows(*[_row("INC-1", cid, severity="SEV1", start=DAY + pd.Timedelta(hours=8)) for cid in aff])
    rng = np.random.default_rng(7)
    act = []
    for k, cid in enumerate(aff + comp):
        lo, hi = (-N - 3, N + 3)
        offsets = rng.choice(np.arange(lo, hi), size=8 + k % 5, replace=False)
        for off in offsets:
            hours = int(rng.integers(0, 24))
            act.append((cid, DAY + pd.Timedelta(days=int(off), hours=hours)))
            if off % 3 == 0:  # a second row the same day
                act.append((cid, DAY + pd.Timedelta(days=int(off), hours=(hours + 5) % 24)))
    activity = pd.DataFrame(act, columns=["customer_id", "date"])
    return cust, rows, activity, aff, comp


def test_churn_shares_are_plain_means_and_the_churn_gap_is_the_difference_with_a_hand_clustered_interval():
    cust, rows, activity, aff, comp = _single_world()
    out = measure(rows, cust, activity, N, END)
    row = out.table.iloc[0]
    y_aff, y_comp = _churned(cust, aff, DAY), _churned(cust, comp, DAY)
    assert y_aff.tolist() == [1, 1, 0, 0, 1, 0] and y_comp.tolist() == [1, 0, 0, 0, 0, 1, 1]
    assert (row["severity"], row["incidents"], row["affected"], row["comparison"]) == ("SEV1", 1, 6, 7)
    assert row["churn_affected"] == pytest.approx(y_aff.mean(), abs=1e-12)
    assert row["churn_comparison"] == pytest.approx(y_comp.mean(), abs=1e-12)
    assert row["churn_gap"] == pytest.approx(y_aff.mean() - y_comp.mean(), abs=1e-12)
    y = np.r_[y_aff, y_comp]
    X = np.column_stack([np.r_[np.ones(6), np.zeros(7)], np.ones(13)])
    beta, V = _cluster_ols(y, X, aff + comp)
    se = _page_se(y, X, aff + comp)
    assert beta[0] == pytest.approx(row["churn_gap"], abs=1e-12)
    assert row["churn_gap_low"] == pytest.approx(beta[0] - Z * se, abs=1e-7)
    assert row["churn_gap_high"] == pytest.approx(beta[0] + Z * se, abs=1e-7)


def test_the_usage_difference_in_differences_is_the_difference_of_mean_changes_with_a_hand_clustered_interval():
    cust, rows, activity, aff, comp = _single_world()
    out = measure(rows, cust, activity, N, END)
    row = out.table.iloc[0]
    counts = {cid: _active_days(activity, cid, DAY) for cid in aff + comp}
    before = {cid: b * PER_DAYS / N for cid, (b, _) in counts.items()}
    after = {cid: a * PER_DAYS / N for cid, (_, a) in counts.items()}
    stack = out.stack.set_index("customer_id")
    for cid in aff + comp:
        assert stack.loc[cid, "before"] == pytest.approx(before[cid], abs=1e-12), cid
        assert stack.loc[cid, "after"] == pytest.approx(after[cid], abs=1e-12), cid
    assert row["usage_customers"] == 13
    assert row["usage_affected_before"] == pytest.approx(np.mean([before[c] for c in aff]), abs=1e-12)
    assert row["usage_affected_after"] == pytest.approx(np.mean([after[c] for c in aff]), abs=1e-12)
    assert row["usage_comparison_before"] == pytest.approx(np.mean([before[c] for c in comp]), abs=1e-12)
    assert row["usage_comparison_after"] == pytest.approx(np.mean([after[c] for c in comp]), abs=1e-12)
    change = np.array([after[c] - before[c] for c in aff + comp])
    did = change[:6].mean() - change[6:].mean()
    assert row["usage_effect"] == pytest.approx(did, abs=1e-10)
    X = np.column_stack([np.r_[np.ones(6), np.zeros(7)], np.ones(13)])
    beta, V = _cluster_ols(change, X, aff + comp)
    se = _page_se(change, X, aff + comp)
    assert beta[0] == pytest.approx(did, abs=1e-10)
    assert row["usage_effect_low"] == pytest.approx(did - Z * se, abs=1e-7)
    assert row["usage_effect_high"] == pytest.approx(did + Z * se, abs=1e-7)


def test_a_customer_in_two_incidents_windows_is_one_cluster_in_the_pooled_churn_gap():
    """Two incidents 3N days apart: comparison customers sit in both, and customers hit by one are compared in the
    other; the fit has an indicator for the second incident and clusters by customer, not by row."""
    second = DAY + pd.Timedelta(days=3 * N)
    churn = {"A1": DAY + pd.Timedelta(days=2), "A3": second + pd.Timedelta(days=4), "A6": second + pd.Timedelta(days=N),
             "B1": DAY + pd.Timedelta(days=N), "B2": second + pd.Timedelta(days=1), "B4": DAY + pd.Timedelta(days=40)}
    ids = ["A1", "A2", "A3", "A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5"]
    cust = _customers(*_plain(ids, churn=churn))
    rows = _rows(*[_row("X", c) for c in ("A1", "A2", "A3")], *[_row("Y", c, start=second) for c in ("A4", "A5", "A6")])
    out = measure(rows, cust, None, N, END)
    judged = _by_key(out.judged)
    # by hand: A1, B1 and B4 had left by the second incident's day
    x_aff, x_comp = ["A1", "A2", "A3"], ["A4", "A5", "A6", "B1", "B2", "B3", "B4", "B5"]
    y_aff, y_comp = ["A4", "A5", "A6"], ["A2", "A3", "B2", "B3", "B5"]
    assert sorted(judged["X"].comparison) == x_comp and sorted(judged["Y"].comparison) == y_comp
    ids_rows = x_aff + x_comp + y_aff + y_comp
    y = np.r_[_churned(cust, x_aff + x_comp, DAY), _churned(cust, y_aff + y_comp, second)]
    assert y.tolist() == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0]
    affected = np.array([float(c in x_aff) for c in x_aff + x_comp] + [float(c in y_aff) for c in y_aff + y_comp])
    is_y = np.r_[np.zeros(len(x_aff + x_comp)), np.ones(len(y_aff + y_comp))]
    X = np.column_stack([affected, np.ones(len(y)), is_y])
    beta, V = _cluster_ols(y, X, ids_rows)
    se = _page_se(y, X, ids_rows)
    assert se == pytest.approx(np.sqrt(V[0, 0]), abs=1e-12)  # here the clustered one is the larger
    row = out.table.iloc[0]
    assert (row["incidents"], row["affected"], row["comparison"]) == (2, 6, 13)
    assert row["churn_gap"] == pytest.approx(beta[0], abs=1e-12)
    assert row["churn_gap_low"] == pytest.approx(beta[0] - Z * se, abs=1e-7)
    assert row["churn_gap_high"] == pytest.approx(beta[0] + Z * se, abs=1e-7)
    # clustering by row instead would give another interval here
    _, by_row = _cluster_ols(y, X, np.arange(len(y)))
    assert abs(np.sqrt(by_row[0, 0]) - se) > 1e-4


def test_a_factor_that_decides_who_was_hit_is_left_out_of_adjusted_for_and_the_others_are_fitted():
    """The incident hit the Enterprise segment: the segment is the affected indicator itself and cannot be adjusted
    for; the plan varies within both sides and is. The gap is the hand least-squares coefficient with a plan
    indicator, which differs from the raw difference."""
    churned_ids = {"E1", "E2", "E6", "S1", "S5"}
    plans = {"E1": "Basic", "E2": "Basic", "E3": "Basic", "E4": "Pro", "E5": "Pro", "E6": "Pro",
             "S1": "Basic", "S2": "Basic", "S3": "Pro", "S4": "Pro", "S5": "Pro", "S6": "Pro"}
    cust = _customers(*[(cid, "Enterprise" if cid[0] == "E" else "SMB", plan, "EU", LONG_AGO,
                         DAY + pd.Timedelta(days=3) if cid in churned_ids else None) for cid, plan in plans.items()])
    out = measure(_rows(_row("INC-1", affected="enterprise")), cust, None, N, END)
    row = out.table.iloc[0]
    used = row["adjusted_for"].split(", ")
    assert "segment" not in used and "plan" in used
    ids = list(plans)
    y = np.array([float(c in churned_ids) for c in ids])
    affected = np.array([float(c[0] == "E") for c in ids])
    pro = np.array([float(plans[c] == "Pro") for c in ids])
    X = np.column_stack([affected, np.ones(12), pro])
    beta, V = _cluster_ols(y, X, ids)
    se = _page_se(y, X, ids)
    assert row["churn_gap"] == pytest.approx(beta[0], abs=1e-12)
    assert abs(beta[0] - (y[affected == 1].mean() - y[affected == 0].mean())) > 1e-3
    assert row["churn_gap_low"] == pytest.approx(beta[0] - Z * se, abs=1e-7)
    assert row["churn_gap_high"] == pytest.approx(beta[0] + Z * se, abs=1e-7)
    assert row["churn_affected"] == pytest.approx(3 / 6) and row["churn_comparison"] == pytest.approx(2 / 6)


def test_each_severity_has_its_row_most_affected_first_then_all_severities_pooled():
    second = DAY + pd.Timedelta(days=3 * N)
    churn = {"A1": DAY + pd.Timedelta(days=1), "A4": second + pd.Timedelta(days=2), "B1": DAY + pd.Timedelta(days=9),
             "B3": DAY + pd.Timedelta(days=N + 2)}
    ids = ["A1", "A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4"]
    cust = _customers(*_plain(ids, churn=churn))
    rows = _rows(*[_row("minor", c, severity="SEV3") for c in ("A1", "A2")],
                 *[_row("major", c, severity="SEV1", start=second) for c in ("A3", "A4", "A5")])
    table = measure(rows, cust, None, N, END).table
    assert table["severity"].tolist() == ["SEV1", "SEV3", ALL]
    assert table["incidents"].tolist() == [1, 1, 2]
    assert table["affected"].tolist() == [3, 2, 5]
    # the major incident: A1, B1 and B3 had left by its day
    major_comp = ["A2", "B2", "B4"]
    minor_comp = ["A3", "A4", "A5", "B1", "B2", "B3", "B4"]
    assert table["comparison"].tolist() == [3, 7, 10]
    assert table["churn_affected"].tolist() == pytest.approx(
        [_churned(cust, ["A3", "A4", "A5"], second).mean(), _churned(cust, ["A1", "A2"], DAY).mean(),
         np.r_[_churned(cust, ["A3", "A4", "A5"], second), _churned(cust, ["A1", "A2"], DAY)].mean()], abs=1e-12)
    assert table["churn_comparison"].tolist() == pytest.approx(
        [_churned(cust, major_comp, second).mean(), _churned(cust, minor_comp, DAY).mean(),
         np.r_[_churned(cust, major_comp, second), _churned(cust, minor_comp, DAY)].mean()], abs=1e-12)


def test_the_churn_gap_is_not_estimated_with_one_affected_customer():
    cust = _customers(*_plain(["A", "B", "C", "D"], churn={"A": DAY + pd.Timedelta(days=1)}))
    row = measure(_rows(_row("INC-1", "A")), cust, None, N, END).table.iloc[0]
    assert row["churn_affected"] == 1.0 and row["churn_comparison"] == 0.0
    assert np.isnan(row["churn_gap"]) and np.isnan(row["churn_gap_low"]) and np.isnan(row["churn_gap_high"])


# --- usage ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset, before, after", [(-N - 1, 0, 0), (-N, 1, 0), (-1, 1, 0), (0, 0, 1), (N - 1, 0, 1),
                                                   (N, 0, 0)])
def test_usage_windows_take_day_minus_n_before_and_day_zero_after_but_not_day_n(offset, before, after):
    stack = pd.DataFrame({"customer_id": ["A", "B"], "start": [DAY, DAY], "affected": [1.0, 0.0]})
    activity = pd.DataFrame({"customer_id": ["A", "A", "B"],
                             "date": [DAY + pd.Timedelta(days=offset, hours=h) for h in (0, 23)]
                             + [DAY + pd.Timedelta(days=-N - 5)]})
    out = with_usage(stack, activity, N).set_index("customer_id")
    assert out.loc["A", "before"] == pytest.approx(before * PER_DAYS / N, abs=1e-12)
    assert out.loc["A", "after"] == pytest.approx(after * PER_DAYS / N, abs=1e-12)
    assert (out.loc["B", "before"], out.loc["B", "after"]) == (0.0, 0.0)


def test_usage_counts_distinct_active_days_not_rows():
    stack = pd.DataFrame({"customer_id": ["A", "B"], "start": [DAY, DAY], "affected": [1.0, 0.0]})
    days = [-3, -3, -3, -2, 1, 1, 4]
    activity = pd.DataFrame({"customer_id": ["A"] * len(days) + ["B"],
                             "date": [DAY + pd.Timedelta(days=d, hours=i) for i, d in enumerate(days)] + [DAY]})
    out = with_usage(stack, activity, N).set_index("customer_id")
    assert out.loc["A", "before"] == pytest.approx(2 * PER_DAYS / N, abs=1e-12)
    assert out.loc["A", "after"] == pytest.approx(2 * PER_DAYS / N, abs=1e-12)
    assert (out.loc["B", "before"], out.loc["B", "after"]) == (0.0, pytest.approx(PER_DAYS / N, abs=1e-12))


def test_usage_counts_only_customers_who_were_customers_for_the_whole_window_before():
    """A3 and B3 signed up inside the N days before the start: hit or compared, but not in the usage figures.
    Everyone signed up within three months (one tenure band), so the usage effect is the plain difference."""
    month = DAY - pd.Timedelta(days=30)
    cust = _customers(("A1", "SMB", "Basic", "EU", month, None),
                      ("A2", "SMB", "Basic", "EU", DAY - pd.Timedelta(days=N), None),
                      ("A3", "SMB", "Basic", "EU", DAY - pd.Timedelta(days=N - 1), None),
                      ("B1", "SMB", "Basic", "EU", month, None), ("B2", "SMB", "Basic", "EU", month, None),
                      ("B3", "SMB", "Basic", "EU", DAY - pd.Timedelta(days=2), None))
    act = {"A1": [-5, -4, 2], "A2": [-1, 0, 1, 2, 3], "A3": [0, 1, 2, 3, 4, 5, 6, 7], "B1": [-2, 5], "B2": [-9, -8, -7],
           "B3": [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8]}
    activity = pd.DataFrame([(c, DAY + pd.Timedelta(days=d)) for c, ds in act.items() for d in ds],
                            columns=["customer_id", "date"])
    out = measure(_rows(*[_row("INC-1", c) for c in ("A1", "A2", "A3")]), cust, activity, N, END)
    full = out.stack.set_index("customer_id")["full_before"]
    assert full.to_dict() == {"A1": True, "A2": True, "A3": False, "B1": True, "B2": True, "B3": False}
    row = out.table.iloc[0]
    assert (row["affected"], row["comparison"], row["usage_customers"]) == (3, 3, 4)
    scale = PER_DAYS / N
    assert row["usage_affected_before"] == pytest.approx(np.mean([2, 1]) * scale, abs=1e-12)
    assert row["usage_affected_after"] == pytest.approx(np.mean([1, 4]) * scale, abs=1e-12)
    assert row["usage_comparison_before"] == pytest.approx(np.mean([1, 3]) * scale, abs=1e-12)
    assert row["usage_comparison_after"] == pytest.approx(np.mean([1, 0]) * scale, abs=1e-12)
    did = (np.mean([1 - 2, 4 - 1]) - np.mean([1 - 1, 0 - 3])) * scale
    assert row["usage_effect"] == pytest.approx(did, abs=1e-10)
