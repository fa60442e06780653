"""The Service operations page's Incidents tab in a real browser, on a copy of the small demo store (1,000 customers,
seed 0) with the incident export of tests/core/cli/test_service_incidents.py imported: the headline figures and the
sentence of every judged incident equal SQL counts on the store and statsmodels' formula fits of them, the incident
list says which is too recent, no exception; screenshots of the tab."""

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from core.export import units
from tests.core.cli.test_service_incidents import fitted, incidents_store, sev1, sev2
from tests.e2e.conftest import layout_still, metric_card, shot, show_tab, wait_for_app_idle

FACTORS = "C(incident) + C(segment) + C(plan) + C(tenure)"


@pytest.fixture(scope="module", name="store_url")
def store_url(small_demo_store, tmp_path_factory) -> str:
    return incidents_store(small_demo_store, tmp_path_factory.mktemp("incidents_e2e"))


def test_the_incidents_tab_shows_what_the_store_holds(page, streamlit_server, store_url):
    page.goto(f"{streamlit_server}/service_operations")
    expect(page.get_by_role("heading", name="Service operations")).to_be_visible(timeout=90_000)
    wait_for_app_idle(page, timeout=90_000)
    both = pd.concat([sev1(store_url), sev2(store_url)], ignore_index=True)
    aff = both["affected"] == 1
    gap = fitted(both, "churned", FACTORS)[0]
    sentence = page.get_by_text(f"Of every judged incident: {aff.sum():,} affected customers churned "
                                f"{both.loc[aff, 'churned'].mean():.1%} within 90 days of the start, ", exact=False)
    show_tab(page, "Incidents", sentence, "service_operations_incidents")
    expect(page.get_by_text(re.compile(r"^2 of 3 incidents judged, with 90 days before and after each start \(left "
                                       r"out: 1 too recent\)\.$"))).to_be_visible()
    expect(metric_card(page, "Churn gap, affected against unaffected")).to_contain_text(units.points(gap))
    full = both[both["full_before"]]
    usage = fitted(full, "change", FACTORS)[0]
    expect(metric_card(page, "Usage effect, active days per 30")).to_contain_text(f"{usage:+.1f}")
    listed = page.get_by_text("Every incident", exact=True)
    listed.scroll_into_view_if_needed()
    layout_still(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "service_operations_incident_list")
