"""AppTest of the Service operations page's Incidents tab on the small demo store with the incident export of
tests/core/cli/test_service_incidents.py (a region-wide SEV1 outage, a SEV2 incident naming 40 customers, a SEV3 one
too recent): the headline figures, the table by severity and the incident list equal SQL counts on the store and
statsmodels' formula fits of them; the sidebar's segment narrows both sides to its customers; the workbook holds
the two sheets; a store without incidents says what to import; a store of incidents without tickets shows them
under the page's no-tickets message."""

import io

import numpy as np
import pandas as pd

from core.export import units
from core.service.incidents import NO_INCIDENTS
from core.service.inputs import NO_TICKETS
from tests.company_warehouse import run_cli
from tests.core.cli.test_service_incidents import fitted, fitted_did, sev1, sev1_windows, sev2
from tests.core.cli.test_service_incidents import store as incidents_store
from tests.pages.conftest import open_page, rerun
from tests.pages.downloads import downloads, recording

FACTORS = "C(segment) + C(plan) + C(tenure)"
store = incidents_store  # the fixture: the small demo with the incident export


def _tab(at):
    return next(t for t in at.tabs if t.label == "Incidents")


def test_the_tab_shows_each_severity_as_counted_and_fitted_from_the_store(store, monkeypatch):
    with recording(monkeypatch) as made:
        at = open_page(monkeypatch, store, "service_operations")
        tab = _tab(at)
        both = pd.concat([sev1(store), sev2(store)], ignore_index=True)
        gap = fitted(both, "churned", "C(incident) + " + FACTORS)[0]
        full = both[both["full_before"]]
        usage = fitted(full, "change", "C(incident) + " + FACTORS)[0]
        shown = {m.label: m.value for m in tab.metric}
        assert shown == {"Incidents judged": "2", "Churn gap, affected against unaffected": units.points(gap),
                         "Usage effect, active days per 30": f"{usage:+.1f}"}
        table = tab.dataframe[0].value.set_index("severity")
        most = sorted(("SEV1", "SEV2"), key=lambda n: -{"SEV1": sev1, "SEV2": sev2}[n](store)["affected"].sum())
        assert table.index.tolist() == [*most, "all severities"]  # the most affected customers first
        for name, d in (("SEV1", sev1(store)), ("SEV2", sev2(store))):
            aff = d["affected"] == 1
            assert table.loc[name, ["affected", "comparison"]].tolist() == [aff.sum(), (~aff).sum()]
            np.testing.assert_allclose(table.loc[name, ["churn_affected", "churn_comparison"]].astype(float),
                                       [d.loc[aff, "churned"].mean(), d.loc[~aff, "churned"].mean()], atol=1e-12)
        listed = tab.dataframe[1].value
        assert listed["incident"].tolist() == ["INC-1", "INC-2", "INC-3"]
        assert listed["judged"].tolist()[:2] == ["yes", "yes"] and listed["judged"][2].startswith("too recent")
        assert listed["hours"][0] == "4.5" and listed["hours"][2] == "ongoing"  # no "None" for an ongoing incident
        assert listed["end"].tolist() == ["2025-03-04 13:30", "2025-09-10 23:15", "ongoing"]
        for name, d in (("SEV1", sev1(store)), ("SEV2", sev2(store))):  # every column shown, refitted
            row = table.loc[name]
            np.testing.assert_allclose(row[["churn_gap", "churn_gap_low", "churn_gap_high"]].astype(float) / 100,
                                       fitted(d, "churned", FACTORS), atol=1e-9)  # shown in points
            full = d[d["full_before"]]
            fa = full["affected"] == 1
            np.testing.assert_allclose(
                row[["usage_affected_before", "usage_affected_after", "usage_comparison_before",
                     "usage_comparison_after"]].astype(float),
                [full.loc[fa, "before"].mean(), full.loc[fa, "after"].mean(), full.loc[~fa, "before"].mean(),
                 full.loc[~fa, "after"].mean()], atol=1e-9)
            assert row["usage_customers"] == len(full)
            np.testing.assert_allclose(row[["usage_effect", "usage_effect_low", "usage_effect_high"]].astype(float),
                                       fitted(full, "change", FACTORS), atol=1e-9)
        windows = sev1_windows(store)
        np.testing.assert_allclose(table.loc["SEV1", ["churn_did", "churn_did_low", "churn_did_high"]].astype(float)
                                   / 100, fitted_did(windows, FACTORS), atol=1e-9)  # shown in points
        before = windows[windows["post"] == 0]  # the window before the outage, counted in SQL
        hit = before["affected"] == 1
        np.testing.assert_allclose(table.loc["SEV1", ["churn_before_affected", "churn_before_comparison"]]
                                   .astype(float), [before.loc[hit, "churned"].mean(),
                                                    before.loc[~hit, "churned"].mean()], atol=1e-12)
        assert (table.loc["SEV1", ["churn_before_affected", "churn_before_comparison"]].astype(float) > 0).all()
        assert table.loc["SEV2", ["churn_did", "churn_before_affected", "churn_before_comparison"]].astype(float) \
            .isna().all()  # it names its customers: no churn before to compare
        assert any(c.value.startswith("2 of 3 incidents judged") for c in tab.caption)
        files = {name: data for _, name, data in downloads(at, made[-1])}
    sheet = pd.read_excel(io.BytesIO(files["service_levels.xlsx"]), sheet_name="Incidents")
    assert sheet["incident"].tolist() == ["INC-1", "INC-2", "INC-3"]


def test_the_sidebar_s_segment_narrows_both_sides_to_its_customers(store, monkeypatch):
    at = rerun(open_page(monkeypatch, store, "service_operations"), segments=["SMB"])
    table = _tab(at).dataframe[0].value.set_index("severity")
    d = sev1(store)
    d = d[d["segment"] == "SMB"]
    aff = d["affected"] == 1
    assert table.loc["SEV1", ["affected", "comparison"]].tolist() == [aff.sum(), (~aff).sum()]
    assert table.loc["SEV1", "adjusted_for"] == "plan, tenure"  # one segment: nothing to adjust for there


def test_a_store_without_incidents_says_what_to_import(small_demo_store, tmp_path, monkeypatch):
    from tests.conftest import copy_store

    at = open_page(monkeypatch, f"sqlite:///{copy_store(small_demo_store, tmp_path)}", "service_operations")
    tab = _tab(at)
    assert [i.value for i in tab.info] == [NO_INCIDENTS] and not tab.metric and not tab.dataframe


def test_a_store_of_incidents_without_tickets_shows_them_under_the_no_tickets_message(capsys, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    customers, activity, incidents = (tmp_path / f"{n}.csv" for n in ("customers", "activity", "incidents"))
    customers.write_text("customer_id,segment,signup_date,churn_date\n" + "".join(
        f"C{i},{'SMB' if i % 2 else 'Enterprise'},2024-01-01,{'2024-08-01' if i % 3 == 0 else ''}\n"
        for i in range(40) if i != 1) + "C1,SMB,2024-01-01,2025-03-01\n")
    activity.write_text("customer_id,date,metric,value\n" + "".join(
        f"C{i},2024-{m:02d}-{d:02d},logins,1\n" for i in range(40) for m in (4, 5, 6, 7)
        for d in range(1, 29, 1 + i % 4)))
    incidents.write_text("incident_id,start,severity,affected\nI-1,2024-06-01 10:00,major,SMB\n")
    for f in (customers, activity, incidents):
        assert run_cli(capsys, url, "import", str(f))[0] == 0
    at = open_page(monkeypatch, url, "service_operations")
    assert [i.value for i in at.info] == [NO_TICKETS]
    assert [h.value for h in at.subheader] == ["Incidents", "Every incident"]
    assert {m.label: m.value for m in at.metric}["Incidents judged"] == "1"
    assert at.dataframe[0].value["affected"].tolist() == [sum(1 for i in range(40) if i % 2)]
