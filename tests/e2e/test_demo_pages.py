"""Every page of the app in a real browser on one server over a copy of the session's small demo store (1,000
customers, seed 0: the same pages and tabs as the full demo, built once per session instead of on the server's first
start, the browser tests' slowest step).

One server serves them all, so each page's figures (a churn model trained, health months scored, themes counted,
plays measured) are computed once, by whichever test opens the page first, and the others read the server's cache:
about a fifth of the browser tests' CPU when each module had its own server. The tests live in their own modules,
imported here (pytest collects an imported test, and runs it with this module's fixtures):

* accessibility and keyboard: tests/e2e/accessibility.py (axe-core on every page and tab, the Tab walk);
* one walk per page: tests/e2e/walk_<page>.py (each page's figures, tabs, links and screenshots).

The accessibility checks run first, on pages no walk has changed; then the walks, the review's (which saves a
snapshot and records a decision) and, last, the Playbooks' (which records a run: its contacts change the store's
data, so every page before it would compute again after it).
"""

from __future__ import annotations

import pytest

from tests.conftest import copy_store
from tests.e2e.accessibility import (
    shared_page,
    test_every_control_is_reached_by_tab_in_reading_order,
    test_order_rule_allows_columns_and_flags_a_jump_back,
    test_page_and_tabs_have_no_serious_wcag_violation,
    test_tabs_switch_with_arrow_keys_and_a_select_box_opens_from_the_keyboard,
)
from tests.e2e.walk_churn_drivers import served, test_churn_drivers_on_the_small_demo
from tests.e2e.walk_cohort_curves import test_cohort_curves_render_on_demo
from tests.e2e.walk_feedback_themes import test_feedback_themes_on_demo
from tests.e2e.walk_health_scores import expected, test_health_scores_on_demo
from tests.e2e.walk_intervention_roi import test_intervention_roi_on_demo
from tests.e2e.walk_quarterly_review import test_quarterly_review_on_demo
from tests.e2e.walk_service_operations import test_service_operations_on_demo

#: the fixtures and tests imported (what pytest collects here)
__all__ = ["shared_page", "served", "expected",
           "test_page_and_tabs_have_no_serious_wcag_violation", "test_order_rule_allows_columns_and_flags_a_jump_back",
           "test_every_control_is_reached_by_tab_in_reading_order",
           "test_tabs_switch_with_arrow_keys_and_a_select_box_opens_from_the_keyboard",
           "test_cohort_curves_render_on_demo", "test_churn_drivers_on_the_small_demo", "test_health_scores_on_demo",
           "test_feedback_themes_on_demo", "test_intervention_roi_on_demo", "test_service_operations_on_demo",
           "test_quarterly_review_on_demo", "test_playbooks_on_demo"]

# last (pytest collects in the order of the module's names): its recorded run changes the store's data
from tests.e2e.walk_playbooks import test_playbooks_on_demo  # noqa: E402


@pytest.fixture(scope="module")
def store_url(small_demo_store, tmp_path_factory) -> str:
    """A private copy of the session's small demo store (the pages save into their store)."""
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('demo_pages'))}"
