"""The Admin page (pages/admin.py) in a real browser: an admin signs in with the local form, sees the accounts, adds
one (the form cleared after), sees the risk-list setting, the audit trail, the erasure and the retention policy, and
nothing shows an exception; axe-core finds no serious or critical WCAG 2.1 AA violation on two of its tabs."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

import core
from core.access import admin
from tests.core.access.store import PASSWORD, build
from tests.e2e.accessibility import WCAG_21_AA, blocking, whole_page
from tests.e2e.conftest import SCREENSHOTS, wait_for_app_idle


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    """The hand-made store with one account per role, root letting the board see risk lists."""
    url = build(tmp_path_factory.mktemp("admin_e2e"))
    engine = core.make_engine(url)
    admin.allow_risk_lists(engine, "root", ["board"])
    engine.dispose()
    return url


def test_an_admin_manages_accounts_and_reads_the_trail(page, streamlit_server, store_url):
    page.goto(f"{streamlit_server}/admin")
    wait_for_app_idle(page)
    page.get_by_role("textbox", name="Name", exact=True).fill("root")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()
    users = page.get_by_test_id("stDataFrame").first
    expect(users.locator("td", has_text=re.compile(r"^vic$"))).to_have_count(1)

    page.get_by_label("Name (one word, no spaces)").fill("dee")
    page.get_by_role("textbox", name="Password (at least 8 characters)").fill("a long enough password")
    page.get_by_role("textbox", name="The same password again").fill("a long enough password")
    page.get_by_role("button", name="Add the account").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Added the account dee (viewer).")).to_be_visible()
    expect(users.locator("td", has_text=re.compile(r"^dee$"))).to_have_count(1)
    for box in ("Name (one word, no spaces)", "Password (at least 8 characters)", "The same password again"):
        expect(page.get_by_role("textbox", name=box)).to_have_value("")  # the form keeps no password
    page.wait_for_timeout(500)  # let the grid paint its canvas before the screenshot
    expect(page.get_by_test_id("stException")).to_have_count(0)
    SCREENSHOTS.mkdir(exist_ok=True)
    whole_page(page, SCREENSHOTS / "admin_users.png")
    problems = blocking(page, Axe().run(page, options=WCAG_21_AA).response, "Admin / Users")

    page.get_by_role("tab", name="Who may see risk lists").click()
    expect(page.get_by_text(re.compile(r"Admins and board members may see them \(set by root on"))).to_be_visible()
    page.get_by_role("tab", name="Audit trail").click()
    expect(page.get_by_text(re.compile(r"^\d+ of \d+ entries, newest first"))).to_be_visible()
    trail = page.get_by_test_id("stDataFrame").filter(has=page.locator("td", has_text="add user"))
    expect(trail.locator("td", has_text=re.compile(r"^add user$"))).to_have_count(1)
    page.get_by_role("tab", name="Erase a customer").click()
    expect(page.get_by_role("button", name="Erase this customer ...")).to_be_disabled()  # no id nor reason yet
    page.get_by_role("tab", name="Retention policy").click()
    expect(page.get_by_text("No retention policy is set: verbatim text and contact details are kept.")).to_be_visible()
    problems += blocking(page, Axe().run(page, options=WCAG_21_AA).response, "Admin / Retention policy")
    assert problems == [], "\n".join(problems)  # WCAG 2.1 AA, as tests/e2e/accessibility.py checks every page
    expect(page.get_by_test_id("stException")).to_have_count(0)
