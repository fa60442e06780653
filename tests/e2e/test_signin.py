"""Sign-in in a real browser, the server bound to every interface (``--server.address 0.0.0.0``, as a team would
serve it): on a store with accounts the sign-in form shows and nothing else; after signing in the Overview draws
and the sidebar says who is signed in; on a store without accounts only the refusal shows, no figure.

The server is started here (tests/e2e/conftest.py's fixture binds 127.0.0.1 only), reached through 127.0.0.1.
Screenshots: screenshots/signin_form.png, signin_signed_in.png, signin_refused.png.
"""

from __future__ import annotations

from playwright.sync_api import expect

import core
from core.access import exposure
from core.access import users as accounts
from tests.e2e.conftest import metric_card, serving, shot, wait_for_app_idle
from tests.pages.test_overview import CUSTOMERS, REVENUE

PASSWORD = "correct horse battery"


def _store(folder, with_accounts: bool) -> str:
    """Five customers and their revenue (the Overview test's files), and an admin and a viewer if asked."""
    url = f"sqlite:///{folder / 'store.db'}"
    eng = core.make_engine(url)
    for data, name, kind in ((CUSTOMERS, "c.csv", "customers"), (REVENUE, "r.csv", "revenue")):
        core.commit_import(eng, core.prepare_import(eng, data, name, kind))
    if with_accounts:
        accounts.add(eng, "root", "admin", PASSWORD)
        accounts.add(eng, "vic", "viewer", PASSWORD)
    eng.dispose()
    return url


def test_served_beyond_this_computer_a_store_with_accounts_asks_to_sign_in(page, tmp_path):
    url = _store(tmp_path, with_accounts=True)
    with serving(url, tmp_path / "streamlit.log", address="0.0.0.0") as address:
        page.goto(address)
        wait_for_app_idle(page)
        expect(page.get_by_role("heading", name="Sign in to the Retention Workbench")).to_be_visible()
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
        form = page.get_by_test_id("stForm")
        for label in ("Name", "Password"):  # the labels are drawn (the screenshot waits for them)
            expect(form.get_by_test_id("stWidgetLabel").filter(has_text=label)).to_be_visible()
        page.wait_for_timeout(1000)
        shot(page, "signin_form")

        page.get_by_role("textbox", name="Name").fill("vic")
        page.get_by_role("textbox", name="Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        wait_for_app_idle(page)
        expect(page.get_by_test_id("stAlertContentError")).to_contain_text("The name or the password is not right")
        expect(page.get_by_test_id("stMetric")).to_have_count(0)

        page.get_by_role("textbox", name="Name").fill("vic")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
        wait_for_app_idle(page, timeout=60_000)
        expect(metric_card(page, "Customers")).to_contain_text("5")
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Signed in as vic (viewer)", exact=True)).to_be_visible()
        expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.wait_for_timeout(1000)
        shot(page, "signin_signed_in")

        sidebar.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in to the Retention Workbench")).to_be_visible(timeout=30_000)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)


def test_served_beyond_this_computer_a_store_without_accounts_shows_only_the_refusal(page, tmp_path):
    url = _store(tmp_path, with_accounts=False)
    with serving(url, tmp_path / "streamlit.log", address="0.0.0.0") as address:
        page.goto(address)
        wait_for_app_idle(page)
        expect(page.get_by_test_id("stAlertContentError").get_by_role("paragraph")).to_have_text(exposure.REFUSAL)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
        expect(page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect")).to_have_count(0)  # no filters
        expect(page.get_by_text("Enterprise")).to_have_count(0)  # no segment name, nor any other data
        shot(page, "signin_refused")
        page.goto(f"{address}/data")  # a page's own address: the same refusal
        wait_for_app_idle(page)
        expect(page.get_by_test_id("stAlertContentError").get_by_role("paragraph")).to_have_text(exposure.REFUSAL)
        expect(page.get_by_test_id("stMetric")).to_have_count(0)
