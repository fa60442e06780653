"""The Data page (pages/data.py) in a real browser: empty state, then figures after a CLI import."""

import re

from playwright.sync_api import expect

import core
from tests.e2e.conftest import shot, wait_for_app_idle


def test_data_page_before_and_after_an_import(page, streamlit_server, store_url, shared):
    page.goto(f"{streamlit_server}/data")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    expect(page.get_by_text("The store is empty")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "data_empty")

    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    eng = core.make_engine(store_url)
    core.commit_import(eng, core.prepare_import(eng, telco.read_bytes(), telco.name, "customers",
                                                as_of="2024-01-31"))
    eng.dispose()

    page.reload()  # the CLI-side import must show without waiting for a cache timeout
    wait_for_app_idle(page)
    metric = page.get_by_test_id("stMetric").filter(has_text="Customers")
    expect(metric).to_contain_text("7,043")
    expect(page.get_by_text("This store is a snapshot, dated")).to_be_visible()  # what the store holds
    history = page.get_by_test_id("stDataFrame").filter(has=page.locator("td", has_text=re.compile("Telco")))
    expect(history).to_be_visible()
    expect(history.locator("td", has_text=re.compile("Telco"))).to_have_count(1)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "data_after_import")
