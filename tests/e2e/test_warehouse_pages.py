"""The Overview, Cohort curves, Churn drivers and Health scores pages (pages/overview.py, pages/cohort_curves.py,
pages/churn_drivers.py, pages/health_scores.py) in a real browser with a company's warehouse set (a DuckDB file in the
company's own shape, tests/company_warehouse.py) and a store holding nothing: the Cohort curves page names the
warehouse, draws its cohorts and survival, and a segment picked keeps its customers; the Overview shows its tiles with
sparklines, MRR in red and its MRR movements; the Churn drivers page fits on it, the Health scores page scores its
customers, the Intervention ROI page measures its plays, the Feedback themes page tags its texts and the Quarterly
review builds the quarter's pack of every page, each saying so; no exception."""

import re

import pytest
from playwright.sync_api import expect

import core
from core.query import warehouse
from core.store.read import load_columns
from tests.company_warehouse import CONTACTS, PEOPLE, facts_business, with_verbatims
from tests.e2e.conftest import layout_still, serving, shot, shot_when_drawn, show_tab, wait_for_app_idle


@pytest.fixture(scope="module")
def warehouse_server(tmp_path_factory, facts_demo_store):
    """(the app's address, with the warehouse set and an empty store; the business's customers)."""
    folder = tmp_path_factory.mktemp("warehouse_e2e")
    b = facts_business(folder, built=facts_demo_store)
    # the plays' contacts (the Intervention ROI page) and the texts of feedback and tickets (Feedback themes) too
    b.mapping.write_text(with_verbatims(PEOPLE) + CONTACTS, encoding="utf-8")
    customers = load_columns(core.make_engine(b.store), "customer", ["customer_id", "segment"])
    env = {warehouse.URL_ENV: b.url, warehouse.MAP_ENV: str(b.mapping)}
    with serving(b.empty_store, folder / "streamlit.log", env) as address:
        yield address, customers


def _open(page, address: str, path: str, heading: str, source: str) -> None:
    """The page at ``path``, settled, saying where its figures come from (``source``)."""
    page.goto(f"{address}/{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=90_000)
    wait_for_app_idle(page, timeout=180_000)
    expect(page.get_by_text(source)).to_be_visible()


def test_the_page_draws_the_warehouse_s_cohorts_and_survival(page, warehouse_server):
    address, customers = warehouse_server
    _open(page, address, "cohort_curves", "Cohort curves",
          "Figures from the warehouse (duckdb), through warehouse.toml, read only")
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(4, timeout=30_000)  # heat map, curves, one period tracked, survival
    for i in range(4):
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^{len(customers)} customers in \d+ cohorts"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(800)
    shot(page, "cohort_curves_warehouse")

    segments = page.get_by_test_id("stMultiSelect").filter(has_text="Segments")
    segments.locator("input").click()
    page.get_by_role("option", name="SMB", exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app_idle(page)
    smb = int((customers["segment"] == "SMB").sum())
    expect(page.get_by_text(re.compile(rf"^{smb} customers in \d+ cohorts"))).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(800)
    shot(page, "cohort_curves_warehouse_smb")


def test_the_churn_drivers_page_fits_on_the_warehouse(page, warehouse_server):
    address, _ = warehouse_server
    _open(page, address, "churn_drivers", "Churn drivers", "Fitted on the company's warehouse, read only")
    expect(page.get_by_test_id("stMetric").filter(has_text="Customers scored")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("How well the model predicts churn")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    shot_when_drawn(page, "churn_drivers_warehouse")  # the drivers' bars
    show_tab(page, "Risk tiers", page.get_by_text(re.compile(r"\(every customer of the warehouse\)")),
             "churn_drivers_warehouse_tiers")


def test_the_health_scores_page_scores_the_warehouse_s_customers(page, warehouse_server):
    address, _ = warehouse_server
    _open(page, address, "health_scores", "Health scores", "Scored on the company's warehouse, read only")
    expect(page.get_by_test_id("stMetric").filter(has_text="Customers scored")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r", every customer of the warehouse; changes against"))).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    shot_when_drawn(page, "health_scores_warehouse")  # the bands month by month
    show_tab(page, "Alerts", page.get_by_text("Download the action list (CSV)"), "health_scores_warehouse_alerts")


def test_the_overview_adds_up_the_warehouse_s_revenue(page, warehouse_server):
    address, customers = warehouse_server
    _open(page, address, "", "Overview", "Figures from the warehouse (duckdb), through warehouse.toml, read only")
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Customers", exact=True))
    expect(card).to_contain_text(f"{len(customers):,}")
    for label in ("MRR", "NRR", "GRR"):
        tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
        expect(tile).to_contain_text(re.compile(r"\d"))
        expect(tile.locator("svg, canvas").first).to_be_visible()  # its sparkline
    red = page.get_by_test_id("stMetric").filter(has=page.get_by_text("MRR in red", exact=True))
    expect(red).to_contain_text(re.compile(r"\$\d"))  # summed on the warehouse's health measures
    # MRR at high churn risk once the Churn drivers page has fitted the model on the warehouse (the test above, in
    # this server), else a dash and where to fit it
    high = page.get_by_test_id("stMetric").filter(has=page.get_by_text("MRR at high churn risk", exact=True))
    expect(high).to_contain_text(re.compile(r"\$\d|–"))
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot_when_drawn(page, "overview_warehouse")  # the MRR movements' bars
    page.get_by_role("heading", name="MRR movements").scroll_into_view_if_needed()
    layout_still(page)
    shot(page, "overview_warehouse_movements")


def test_the_intervention_roi_page_measures_the_warehouse_s_plays(page, warehouse_server):
    address, _ = warehouse_server
    _open(page, address, "intervention_roi", "Intervention ROI", "Measured on the company's warehouse, read only")
    expect(page.get_by_role("heading", name="All plays")).to_be_visible()
    effect = page.get_by_test_id("stMetric").filter(has_text="Play effect")
    expect(effect).to_contain_text(re.compile(r"[+-]\d+\.\d pts"), timeout=60_000)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    shot_when_drawn(page, "intervention_roi_warehouse")  # the plays' effects
    show_tab(page, "Next wave", page.get_by_text("Cost per contact"), "intervention_roi_warehouse_next_wave")


def test_the_feedback_themes_page_tags_the_warehouse_s_texts(page, warehouse_server):
    address, _ = warehouse_server
    _open(page, address, "feedback_themes", "Feedback themes", "Read from the company's warehouse, read only")
    expect(page.get_by_test_id("stMetric").filter(has_text="Verbatims")).to_contain_text(re.compile(r"\d,\d{3}"),
                                                                                          timeout=60_000)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    shot_when_drawn(page, "feedback_themes_warehouse")  # the themes' bars
    show_tab(page, "Backlog", page.get_by_text("On the warehouse a verbatim's follow-up status is its own status"),
             "feedback_themes_warehouse_backlog")
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_quarterly_review_builds_the_warehouse_s_pack(page, warehouse_server):
    address, customers = warehouse_server
    _open(page, address, "quarterly_review", "Quarterly review", "Built from the company's warehouse, read only")
    expect(page.get_by_text(re.compile(r"churn model fitted on the warehouse that day"))).to_be_visible(
        timeout=120_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="MRR").first).to_contain_text(re.compile(r"\$\d"))
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    shot_when_drawn(page, "quarterly_review_warehouse")  # the headline's and the pages' charts
