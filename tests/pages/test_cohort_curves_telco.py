"""Cohort curves (pages/cohort_curves.py) on the telco file (the "telco" store of tests/pages/store_kinds.py: a
snapshot as of 2024-01-31): Kaplan-Meier by contract type, with the log-rank test shown, equal to lifelines fitted
directly on the file."""

import re

import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from tests.pages import store_kinds
from tests.pages.conftest import open_page


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    return store_kinds.build("telco", tmp_path_factory.mktemp("telco_cohorts"))


def test_contract_types_compared_with_logrank_in_words(url, monkeypatch):
    at = open_page(monkeypatch, url, "cohort_curves", timeout=120)
    at.selectbox(key="cohorts_km_group").set_value("plan").run()  # the telco Contract column maps to plan
    assert not at.exception, at.exception
    # the sentence as the reader sees it: the group's name is escaped as data (Markdown backslashes removed)
    logrank = next(re.sub(r"\\(.)", r"\1", i.value) for i in at.info if i.value.startswith("Customers of different"))
    assert logrank.startswith("Customers of different plans stay for different lengths of time") and \
        "less than 1 time in 1,000 (p < 0.001)" in logrank
    assert any(c.value.startswith("Log-rank test: chi-square ") and "on 2 degrees of freedom, p < 0.001" in c.value
               for c in at.caption)  # the figures kept for analysts, three contract types
    summary = next(d.value for d in at.dataframe if "median_text" in d.value.columns).set_index("group")
    raw = pd.read_csv(store_kinds.TELCO)
    assert summary["customers"].to_dict() == raw["Contract"].value_counts().to_dict()
    assert summary["churned"].to_dict() == raw[raw["Churn"] == "Yes"]["Contract"].value_counts().to_dict()
    m2m = raw[raw["Contract"] == "Month-to-month"]
    direct = KaplanMeierFitter().fit(m2m["tenure"], m2m["Churn"] == "Yes")
    # the store measures months in days (35 calendar months before 2024-01-31 = 35.06 x 30.4375 days)
    assert direct.median_survival_time_ == 35.0
    assert summary.loc["Month-to-month", "median_lifetime"] == pytest.approx(35.0, abs=0.1)
    assert summary.loc["Month-to-month", "median_text"] == "35.1"
    assert summary.loc["Two year", "median_text"] == "not reached"


def test_a_snapshot_leads_with_survival_and_says_why(url, monkeypatch):
    """All of a snapshot's churn is dated on its as-of day, so every cohort cell would read 100 %: the page says
    so, shows survival on tenure first, and the cohort table only when asked for."""
    at = open_page(monkeypatch, url, "cohort_curves", timeout=120)
    why = at.info[0].value
    assert "snapshot cannot give cohort retention" in why and "(2024-01-31)" in why and "tenure" in why
    assert at.subheader[0].value == "Survival (Kaplan-Meier)"
    assert len(at.get("vega_lite_chart")) == 1  # the survival curve, no cohort heat map
    summary = next(d.value for d in at.dataframe if "median_text" in d.value.columns)
    assert summary["customers"].sum() == 7043
    at.toggle(key="cohorts_snapshot_table").set_value(True).run()
    assert not at.exception, at.exception
    assert len(at.get("vega_lite_chart")) >= 3  # the heat map and the curves follow
    assert any("7,043 customers in" in c.value for c in at.caption)
