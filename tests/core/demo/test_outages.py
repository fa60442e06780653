"""The demo's incidents (core/demo/outages.py, ``make_demo(..., incidents=True)``): off by default; with them, every
customer the outage did not make leave keeps exactly the rows of the demo without incidents, the ones it made leave
churn 7 to 89 days after it and lose their rows from then on; the truth counts the hit and the leavers as a plain
count does; and the Service operations page's churn gap (core.service.incident_effects.measure, as the page and the
CLI compute it) covers the true effect of the outage and the zero of the minor incident, seed after seed."""

import numpy as np
import pandas as pd
import pytest

from core.demo import outages
from core.demo.synthetic import make_demo
from core.service.incident_effects import churn_windows, measure
from tests.company_warehouse import run_cli
from tests.conftest import ROOT
from tests.core.cli.test_service_incidents import fitted_did

END = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def pair():
    return make_demo(1000, seed=0), make_demo(1000, seed=0, incidents=True)


def _rows(df: pd.DataFrame, ids) -> pd.DataFrame:
    return df[df["customer_id"].isin(ids)].reset_index(drop=True)


def test_the_default_demo_has_no_incidents(pair):
    plain, _ = pair
    assert plain.incidents is None and "incident" not in plain.frames() and "incidents" not in plain.truth


def test_every_customer_the_outage_did_not_make_leave_keeps_its_rows(pair):
    plain, hit = pair
    changed = plain.customers["churn_date"].ne(hit.customers["churn_date"]) & hit.customers["churn_date"].notna()
    left = set(hit.customers.loc[changed, "customer_id"])
    assert 0 < len(left) == hit.truth["incidents"]["INC-DEMO-1"]["made_to_leave"]
    stayed = set(plain.customers["customer_id"]) - left
    for name in ("customers", "revenue", "activity", "tickets", "feedback", "interventions"):
        pd.testing.assert_frame_equal(_rows(getattr(hit, name), stayed), _rows(getattr(plain, name), stayed))


def test_a_customer_the_outage_made_leave_churns_after_it_and_loses_its_later_rows(pair):
    plain, hit = pair
    t = hit.truth["incidents"]["INC-DEMO-1"]
    day = pd.Timestamp(t["start"]).normalize()
    c, c0 = hit.customers.set_index("customer_id"), plain.customers.set_index("customer_id")
    left = c.index[c["churn_date"].ne(c0["churn_date"]) & c["churn_date"].notna()]
    assert (c.loc[left, "region"] == t["region"]).all() and (c.loc[left, "churn_type"] == "voluntary").all()
    gap = (c.loc[left, "churn_date"] - day).dt.days
    assert gap.between(7, 89).all()
    assert (c0.loc[left, "churn_date"].isna() | (c0.loc[left, "churn_date"] > day + pd.Timedelta(days=90))).all()
    for name, col in (("activity", "date"), ("tickets", "opened"), ("feedback", "date"), ("interventions", "date")):
        before, after = _rows(getattr(plain, name), left), _rows(getattr(hit, name), left)
        cut = before["customer_id"].map(c.loc[left, "churn_date"])
        assert not (after[col] >= after["customer_id"].map(c.loc[left, "churn_date"])).any()
        pd.testing.assert_frame_equal(after, before[before[col] < cut].reset_index(drop=True))
    month = plain.revenue["customer_id"].map(c.loc[left, "churn_date"]).dt.to_period("M").dt.to_timestamp()
    kept = plain.revenue[plain.revenue["customer_id"].isin(left) & (plain.revenue["period"] < month)]
    pd.testing.assert_frame_equal(_rows(hit.revenue, left), kept.reset_index(drop=True))


def _themed(demo, table: str, frame: str) -> dict:
    """(customer, text, day) of each verbatim of ``table`` -> the theme it was written about."""
    t = demo.verbatim_themes[demo.verbatim_themes["table"] == table]
    rows = getattr(demo, frame).iloc[t["row"].to_numpy()]
    return {(r.customer_id, str(r.text), str(getattr(r, "date", getattr(r, "opened", "")))): th
            for r, th in zip(rows.itertuples(), t["theme"])}


def test_the_verbatims_keep_the_themes_they_were_written_about(pair):
    plain, hit = pair
    for table, frame in (("feedback", "feedback"), ("ticket", "tickets")):
        old, new = _themed(plain, table, frame), _themed(hit, table, frame)
        assert len(new) == len(getattr(hit, frame)) and all(old[k] == v for k, v in new.items())


def test_the_truth_counts_the_hit_and_the_leavers(pair):
    plain, hit = pair
    c0 = plain.customers
    for t in hit.truth["incidents"].values():
        day = pd.Timestamp(t["start"]).normalize()
        n = int(((c0["region"] == t["region"]) & (c0["signup_date"] <= day)
                 & (c0["churn_date"].isna() | (c0["churn_date"] >= day))).sum())
        assert t["hit"] == n and t["effect"] == pytest.approx(t["made_to_leave"] / n)
    assert hit.truth["incidents"]["INC-DEMO-2"]["made_to_leave"] == 0
    regions = [t["region"] for t in hit.truth["incidents"].values()]
    assert hit.incidents["affected"].tolist() == regions and len(set(regions)) == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_page_s_churn_gap_covers_each_incident_s_true_effect(seed):
    demo = make_demo(1000, seed=seed, incidents=True)
    o = measure(demo.incidents, demo.customers, demo.activity[["customer_id", "date"]], outages.WINDOW, END)
    table = o.table.set_index("severity")
    for t in demo.truth["incidents"].values():
        row = table.loc[t["severity"]]
        assert row["churn_gap_low"] <= t["effect"] <= row["churn_gap_high"], (seed, t, row.to_dict())
        assert row["churn_did_low"] <= t["effect"] <= row["churn_did_high"], (seed, t, row.to_dict())
    assert table.loc["SEV1", "churn_gap_low"] > 0  # the outage's effect is told apart from none
    assert table.loc["SEV1", "usage_effect"] < 0  # its leavers stop using the product


def test_the_cli_loads_the_demo_with_its_incidents_and_prints_the_outage(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    code, out, err = run_cli(capsys, url, "demo", "--customers", "1000", "--incidents")
    assert code == 0 and ", 2 incident in " in out, err
    truth = make_demo(1000, seed=0, incidents=True).truth["incidents"]["INC-DEMO-1"]
    code, out, err = run_cli(capsys, url, "service")
    assert code == 0, err
    row = next(ln for ln in out.split("\nIncidents by severity\n", 1)[1].splitlines() if ln.startswith("SEV1  "))
    low, high = (float(x) / 100 for x in
                 row.split("[", 1)[1].split("]", 1)[0].replace(" pts", "").split(", "))
    assert row.split()[2] == f"{truth['hit']:,}" and low <= truth["effect"] <= high
    assert np.isfinite(low)
    # the README's paragraph on the demo's outage quotes these figures
    readme = (ROOT / "README.md").read_text().split("**The demo's outage, a known effect**", 1)[1].split("\n\n")[0]
    readme = " ".join(readme.split())
    sev1 = row.split("  ")
    gap = next(p for p in sev1 if p.strip().startswith("+") and "pts [" in p).strip()
    sev3 = next(ln for ln in out.splitlines() if ln.startswith("SEV3  "))
    gap3 = next(p for p in sev3.split("  ") if "pts [" in p).strip()
    assert (f"hit {truth['hit']} customers of {truth['region']} and made {truth['made_to_leave']} leave, a true "
            f"effect of +{100 * truth['effect']:.1f} pts") in readme
    assert f"a churn gap of {gap}" in readme and f"shows {gap3}" in readme
    did = [p.strip() for p in sev1 if "pts [" in p][1]  # the churn difference in differences, after the gap
    assert f"(as a difference in differences, {did})" in readme


def test_the_pooled_churn_difference_in_differences_equals_statsmodels_formula(pair):
    """Every severity together (two incidents of two regions): the table's difference in differences equals the
    formula fit, with one indicator per incident and per incident after its start, on the same windows' rows."""
    _, hit = pair
    o = measure(hit.incidents, hit.customers, None, outages.WINDOW, END)
    w = churn_windows(o.judged, hit.customers, outages.WINDOW)
    assert w["incident"].nunique() == 2 and set(w["post"]) == {0.0, 1.0}
    row = o.table.set_index("severity").loc["all severities"]
    np.testing.assert_allclose(row[["churn_did", "churn_did_low", "churn_did_high"]].astype(float),
                               fitted_did(w, "C(incident) + C(incident):post + C(segment) + C(plan) + C(tenure)"),
                               atol=1e-9)
