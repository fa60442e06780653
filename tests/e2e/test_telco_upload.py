"""A person brings the telco file in through the Data page (pages/data.py) in a real browser, imports it
leniently, and sees the Overview (pages/overview.py) change."""

import re

import pandas as pd
from playwright.sync_api import expect

from tests.e2e.conftest import shot, wait_for_app_idle


def metric(page, label):
    return page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))


def test_upload_telco_validate_import_and_see_the_overview_change(page, streamlit_server, shared):
    page.goto(streamlit_server)
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("There are no customers yet")).to_be_visible()
    shot(page, "telco_0_overview_empty")

    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name=re.compile("Data")).click()
    wait_for_app_idle(page)
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    page.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(str(telco))
    expect(page.get_by_text("snapshot date", exact=False).first).to_be_visible(timeout=30_000)
    wait_for_app_idle(page)

    # Streamlit 1.67's date field is a react-aria group of year/month/day spin buttons
    field = page.get_by_test_id("stDateInput").filter(has_text="Snapshot date")
    field.get_by_role("spinbutton", name=re.compile("^year")).click()
    page.keyboard.type("20240131")
    page.get_by_role("heading", name="Import a file").click()  # leaving the field commits the date
    wait_for_app_idle(page)
    expect(page.get_by_text("0 errors, 11 warnings in 7,043 rows")).to_be_visible(timeout=30_000)
    report = page.get_by_test_id("stDataFrame").filter(has=page.locator("td", has_text="TotalCharges"))
    expect(report.first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "telco_1_validated")

    page.get_by_text("load the valid rows (lenient)").click()
    wait_for_app_idle(page)
    page.get_by_test_id("stButton").get_by_role("button", name="Import", exact=True).click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Import #1 loaded")).to_be_visible(timeout=30_000)
    expect(metric(page, "Customers")).to_contain_text("7,043")
    shot(page, "telco_2_imported")

    nav.get_by_role("link", name=re.compile("Overview")).click()
    wait_for_app_idle(page)
    expect(metric(page, "Customers")).to_contain_text("7,043")
    expect(metric(page, "Active customers")).to_contain_text("5,174")  # the telco README's "No" count
    raw = pd.read_csv(telco)
    starters = raw[raw["tenure"] >= 12]  # active at the start of the 12 months to the 2024-01-31 snapshot
    expect(metric(page, "Logo churn rate")).to_contain_text(f"{(starters['Churn'] == 'Yes').mean() * 100:.1f}%")
    expect(page.get_by_text("Trailing 12 months to 31 Jan 2024")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "telco_3_overview")
