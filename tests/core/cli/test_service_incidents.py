"""``python -m core service``'s incidents on a copy of the small demo store (1,000 customers, seed 0) with an incident
export imported through the CLI: a region-wide SEV1 outage, a SEV2 incident naming 40 customers, and a SEV3 one too
recent to judge. Each severity's affected and comparison customers and their churn are counted again in SQL on the
store's tables (sqlite3); their active days before and after, the usage difference in differences and the adjusted
churn gap are fitted again with statsmodels' formula interface on those SQL rows, clustered by customer. A store of
incidents without tickets still prints them; the workbook holds both incident sheets."""

import sqlite3

import numpy as np
import openpyxl
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.stats import norm

import core
from core.cli.main import main
from core.service.outages import load_outages
from tests.company_warehouse import run_cli
from tests.conftest import copy_store

DAYS = 90
#: the SEV2 incident's day, and the customers it names: the first 40 customers of the store on that day
SEV2_DAY = "2025-09-10"
#: the customers on :day: signed up by then, not churned before (a churn that day follows the incident)
AT_RISK = """SELECT customer_id, segment, plan, region, signup_date, churn_date FROM customer
WHERE signup_date <= :day AND (churn_date IS NULL OR churn_date >= :day) ORDER BY customer_id"""
#: distinct active days of each customer in [day - days, day) and [day, day + days)
ACTIVE_DAYS = """SELECT customer_id,
  count(DISTINCT CASE WHEN date >= date(:day, '-' || :days || ' days') AND date < :day THEN date END),
  count(DISTINCT CASE WHEN date >= :day AND date < date(:day, '+' || :days || ' days') THEN date END)
FROM activity GROUP BY customer_id"""
TENURE_EDGES = [0, 3, 12, 24, np.inf]


def _rows(store: str, query: str, **params) -> list[tuple]:
    con = sqlite3.connect(store.removeprefix("sqlite:///"))
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def incident_csv(store: str) -> str:
    """The incident export: INC-1 hit the EMEA region (written ' emea ', as an export may), INC-2 named 40 customers,
    INC-3 hit everyone and is too recent to judge."""
    named = [r[0] for r in _rows(store, AT_RISK, day=SEV2_DAY)[:40]]
    lines = ["Incident ID,Started At,Resolved At,Severity,Customer ID,Affected Region,Title",
             "INC-1,2025-03-04 09:00,2025-03-04 13:30,SEV1,, emea ,EU login outage"]
    lines += [f"INC-2,{SEV2_DAY} 22:00,{SEV2_DAY} 23:15,SEV2,{c},,Slow exports" for c in named]
    lines += ["INC-3,2026-10-20 08:00,,SEV3,,,Ongoing"]
    return "\n".join(lines) + "\n"


def incidents_store(demo_store, folder) -> str:
    """A copy of the small demo store in ``folder`` with :func:`incident_csv` imported through the CLI; its URL."""
    url = f"sqlite:///{copy_store(demo_store, folder)}"
    path = folder / "incidents.csv"
    path.write_text(incident_csv(url))
    assert main(["--db", url, "import", str(path)]) == 0
    return url


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    return incidents_store(small_demo_store, tmp_path_factory.mktemp("incidents"))


def side(store: str, day: str, hit) -> pd.DataFrame:
    """One row per customer on ``day`` (SQL): affected (``hit(row)``), churned within DAYS, tenure band, and its
    active days per 30 before and after (SQL), with ``full_before`` (a customer DAYS days before)."""
    cols = ["customer_id", "segment", "plan", "region", "signup_date", "churn_date"]
    d = pd.DataFrame(_rows(store, AT_RISK, day=day), columns=cols)
    start = pd.Timestamp(day)
    churn, signup = pd.to_datetime(d["churn_date"]), pd.to_datetime(d["signup_date"])
    months = (start - signup).dt.days / (365.25 / 12)
    act = pd.DataFrame(_rows(store, ACTIVE_DAYS, day=day, days=DAYS), columns=["customer_id", "before", "after"])
    d = d.merge(act, on="customer_id", how="left").fillna({"before": 0, "after": 0})
    return d.assign(
        affected=[float(hit(r)) for r in d.itertuples()],
        churned=(churn.notna() & (churn <= start + pd.Timedelta(days=DAYS))).astype(float),
        tenure=pd.cut(months, TENURE_EDGES, right=False, labels=False).astype(str),
        before=d["before"] * 30 / DAYS, after=d["after"] * 30 / DAYS,
        change=(d["after"] - d["before"]) * 30 / DAYS,
        full_before=(signup <= start - pd.Timedelta(days=DAYS)), incident=day)


def sev1(store):
    return side(store, "2025-03-04", lambda r: r.region.strip().lower() == "emea")


def sev1_windows(store) -> pd.DataFrame:
    """The SEV1 outage's rows for the difference in differences on churn, from SQL: the customers on the day DAYS
    days before its day (churned in the DAYS days before it, tenure then) and those on its day (churned within
    DAYS days, as the gap counts); no other incident is near it, so every customer outside EMEA is a comparison."""
    after = sev1(store).assign(post=1.0)
    first = (pd.Timestamp("2025-03-04") - pd.Timedelta(days=DAYS)).strftime("%Y-%m-%d")
    before = side(store, first, lambda r: r.region.strip().lower() == "emea")
    churn = pd.to_datetime(before["churn_date"])
    before = before.assign(post=0.0, churned=(churn.notna() & (churn < pd.Timestamp("2025-03-04"))).astype(float))
    return pd.concat([before, after], ignore_index=True)


def fitted_did(d: pd.DataFrame, factors: str) -> tuple[float, float, float]:
    """:func:`fitted` of affected x after in the OLS of churn with affected, after and ``factors``."""
    return fitted(d, "churned", f"affected:post + post + {factors}", term="affected:post")


def sev2(store):
    named = {r[0] for r in _rows(store, AT_RISK, day=SEV2_DAY)[:40]}
    return side(store, SEV2_DAY, lambda r: r.customer_id in named)


def fitted(d: pd.DataFrame, outcome: str, factors: str, term: str = "affected") -> tuple[float, float, float]:
    """(coefficient, low, high) of ``term`` (default ``affected``) in the OLS of ``outcome`` on ``affected`` and
    ``factors``: the 95 % interval with the larger of the standard errors clustered by customer and conventional (as
    the page takes them)."""
    groups = pd.factorize(d["customer_id"])[0]
    model = smf.ols(f"{outcome} ~ affected + {factors}", data=d)
    clustered, plain = model.fit(cov_type="cluster", cov_kwds={"groups": groups}), model.fit()
    se = max(clustered.bse[term], plain.bse[term])
    est = clustered.params[term]
    return est, est - norm.ppf(0.975) * se, est + norm.ppf(0.975) * se


def _table(out: str) -> list[str]:
    return out.split("\nIncidents by severity\n", 1)[1].splitlines()


def test_each_severity_counts_the_customers_and_churn_the_store_holds(capsys, store):
    code, out, err = run_cli(capsys, store, "service")
    assert code == 0, err
    lines = _table(out)
    assert lines[0].startswith("2 of 3 incidents judged, with 90 days before and after each start (left out: 1 too "
                               "recent).")
    for name, d in (("SEV1", sev1(store)), ("SEV2", sev2(store))):
        aff = d["affected"] == 1
        row = next(ln for ln in lines if ln.startswith(name + "  ")).split()
        assert row[1:6] == ["1", f"{aff.sum():,}", f"{(~aff).sum():,}", f"{d.loc[aff, 'churned'].mean():.1%}",
                            f"{d.loc[~aff, 'churned'].mean():.1%}"]
    assert sev2(store)["affected"].sum() == 40
    both = pd.concat([sev1(store), sev2(store)], ignore_index=True)
    aff = both["affected"] == 1
    gap, low, high = fitted(both, "churned", "C(incident) + C(segment) + C(plan) + C(tenure)")
    assert lines[1] == (f"Of every judged incident: {aff.sum():,} affected customers churned "
                        f"{both.loc[aff, 'churned'].mean():.1%} within 90 days of the start, {(~aff).sum():,} "
                        f"comparable unaffected ones {both.loc[~aff, 'churned'].mean():.1%}; gap {100 * gap:+.1f} pts "
                        f"[{100 * low:+.1f} pts, {100 * high:+.1f} pts] (adjusted for segment, plan, tenure).")
    w = sev1_windows(store)  # SEV2 names its customers: no churn before to compare, so SEV1's windows alone
    b = w[w["post"] == 0]
    est, lo, hi = fitted_did(w, "C(segment) + C(plan) + C(tenure)")
    assert lines[2] == (f"Churn in the 90 days before the start (each window's own customers; incidents that hit a "
                        f"segment, plan or region): affected {b.loc[b['affected'] == 1, 'churned'].mean():.1%}, "
                        f"comparable unaffected {b.loc[b['affected'] == 0, 'churned'].mean():.1%}; difference in "
                        f"differences {100 * est:+.1f} pts [{100 * lo:+.1f} pts, {100 * hi:+.1f} pts].")
    full = both[both["full_before"]]
    did = fitted(full, "change", "C(incident) + C(segment) + C(plan) + C(tenure)")
    fa = full["affected"] == 1
    assert lines[3] == (f"Active days per 30: affected {full.loc[fa, 'before'].mean():.1f} before, "
                        f"{full.loc[fa, 'after'].mean():.1f} after; comparable unaffected "
                        f"{full.loc[~fa, 'before'].mean():.1f} before, {full.loc[~fa, 'after'].mean():.1f} after; "
                        f"difference in differences {did[0]:+.1f} days [{did[1]:+.1f}, {did[2]:+.1f}].")


def test_the_churn_gap_and_usage_effect_equal_statsmodels_formulas_on_the_sql_rows(store):
    table = load_outages(core.make_engine(store), DAYS).table.set_index("severity")
    both = pd.concat([sev1(store), sev2(store)], ignore_index=True)
    for name, d in (("SEV1", sev1(store)), ("SEV2", sev2(store)), ("all severities", both)):
        fe = "C(incident) + " if d["incident"].nunique() > 1 else ""
        factors = fe + "C(segment) + C(plan) + C(tenure)"
        row = table.loc[name]
        assert row["adjusted_for"] == "segment, plan, tenure"
        assert np.allclose([row["churn_gap"], row["churn_gap_low"], row["churn_gap_high"]],
                           fitted(d, "churned", factors), atol=1e-9)
        full = d[d["full_before"]]
        fa = full["affected"] == 1
        assert np.allclose([row["usage_affected_before"], row["usage_affected_after"],
                            row["usage_comparison_before"], row["usage_comparison_after"]],
                           [full.loc[fa, "before"].mean(), full.loc[fa, "after"].mean(),
                            full.loc[~fa, "before"].mean(), full.loc[~fa, "after"].mean()], atol=1e-9)
        assert row["usage_customers"] == len(full)
        assert np.allclose([row["usage_effect"], row["usage_effect_low"], row["usage_effect_high"]],
                           fitted(full, "change", factors), atol=1e-9)
    # the difference in differences on churn: SEV1's windows (SEV2 names its customers, so it has none)
    w = sev1_windows(store)
    for name in ("SEV1", "all severities"):
        assert np.allclose(table.loc[name, ["churn_did", "churn_did_low", "churn_did_high"]].astype(float),
                           fitted_did(w, "C(segment) + C(plan) + C(tenure)"), atol=1e-9), name
        b = w[w["post"] == 0]
        assert np.allclose(table.loc[name, ["churn_before_affected", "churn_before_comparison"]].astype(float),
                           [b.loc[b["affected"] == 1, "churned"].mean(), b.loc[b["affected"] == 0, "churned"].mean()])
    assert table.loc["SEV2", ["churn_did", "churn_before_affected"]].isna().all()


def test_the_incident_list_says_which_is_too_recent_and_the_workbook_holds_both_sheets(capsys, store, tmp_path):
    path = tmp_path / "service.xlsx"
    code, out, err = run_cli(capsys, store, "service", "--out", str(path))
    assert code == 0, err
    listed = out.split("\nincident ", 1)[1].splitlines()
    assert listed[1].split()[:3] == ["INC-1", "EU", "login"]
    assert "4.5" in listed[1] and listed[3].startswith("INC-3") and "ongoing" in listed[3]
    assert "too recent: its 90 days after end after the data's last day, 2026-10-31" in listed[3]
    book = openpyxl.load_workbook(path)
    assert {"Incidents by severity", "Incidents", "Definitions"} <= set(book.sheetnames)
    rows = list(book["Incidents"].values)
    assert [r[0] for r in rows[1:]] == ["INC-1", "INC-2", "INC-3"]
    defined = {r[0] for r in book["Definitions"].values}
    assert {"Incident churn gap", "Incident usage effect"} <= defined


def test_a_store_of_incidents_without_tickets_prints_them(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    customers, incidents = tmp_path / "customers.csv", tmp_path / "incidents.csv"
    customers.write_text("customer_id,segment,signup_date,churn_date\n" + "".join(
        f"C{i},{'SMB' if i % 2 else 'Enterprise'},2024-01-01,{'2024-08-01' if i % 3 == 0 else ''}\n"
        for i in range(40) if i != 1) + "C1,SMB,2024-01-01,2025-03-01\n")  # the data's last day: a later churn
    incidents.write_text("incident_id,start,severity,affected\nI-1,2024-06-01 10:00,major,SMB\n")
    for f in (customers, incidents):
        assert run_cli(capsys, url, "import", str(f))[0] == 0
    code, out, err = run_cli(capsys, url, "service")
    assert code == 0, err
    churned = [i for i in range(40) if i % 3 == 0]
    hit = [i for i in range(40) if i % 2]
    assert "1 of 1 incidents judged" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("major  ")).split()
    assert row[2:6] == [f"{len(hit)}", f"{40 - len(hit)}",
                        f"{sum(i in churned for i in hit) / len(hit):.1%}",
                        f"{sum(i in churned for i in range(40) if i not in hit) / (40 - len(hit)):.1%}"]
    assert "affected customers churned" in out and "Active days per 30" not in out
