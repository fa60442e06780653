"""Hostile content stays text in a real browser (issue 22, Deliver 4): on the hostile store
(:mod:`tests.pages.hostile_store`), whose every text field carries a Markdown image and link and an HTML image
pointing at a local server this test runs, every page and every tab (expanders opened) is shown in headless
Chromium; the local server must receive no request, and the DOM must hold no link to it and no image from it.

One server, one browser page for all pages; screenshots/hostile_<page>.png (first tab) are the review record.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot, wait_for_app_idle
from tests.pages import hostile_store

# (url path, heading)
PAGES = [("", "Overview"), ("data", "Data"), ("cohort_curves", "Cohort curves"), ("churn_drivers", "Churn drivers"),
         ("health_scores", "Health scores"), ("feedback_themes", "Feedback themes"),
         ("intervention_roi", "Intervention ROI"), ("playbooks", "Playbooks"), ("quarterly_review", "Quarterly review"),
         ("admin", "Admin")]
#: the pages photographed (their first tab) as the review record
SHOTS = ("health_scores", "feedback_themes", "intervention_roi")


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Counting.requests.append(self.path)
        self.send_response(204)
        self.end_headers()

    do_HEAD = do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def bait():
    """A local HTTP server on a free port that counts every request: (port, the list of requested paths)."""
    _Counting.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Counting.requests
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store_url(bait, tmp_path_factory) -> str:
    """The hostile store, its payloads pointing at the bait server."""
    return hostile_store.build(tmp_path_factory.mktemp("hostile_e2e"), port=bait[0])


@pytest.fixture(scope="module")
def shared_page(browser, browser_context_args):
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


def _open_everything(page) -> None:
    """Every expander opened, so that what it holds is in the DOM too."""
    for summary in page.locator('[data-testid="stExpander"] summary').all():
        if summary.is_visible():
            summary.click()
    page.wait_for_timeout(300)


def _live(page, port: int) -> list[str]:
    """Links to and images from the bait server in the DOM, and text that Markdown would have turned into them."""
    links = page.locator(f'a[href^="http://127.0.0.1:{port}"]').count()
    images = page.locator(f'img[src*="127.0.0.1:{port}"]').count()
    out = [f"{n} {what}" for n, what in ((links, "links"), (images, "images")) if n]
    if out:  # where: the Streamlit element holding the first of them
        el = page.locator(f'a[href^="http://127.0.0.1:{port}"], img[src*="127.0.0.1:{port}"]').first
        out.append(el.evaluate("e => (e.closest('[data-testid]') || e).outerHTML.slice(0, 600)"))
    return out


def test_no_page_loads_or_links_the_payloads(bait, streamlit_server, shared_page):
    port, requests = bait
    page = shared_page
    seen_payload, findings = set(), {}
    for path, heading in PAGES:
        page.goto(f"{streamlit_server}/{path}")
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=120_000)
        wait_for_app_idle(page, timeout=120_000)
        tabs = page.get_by_role("tab").all()
        for i in range(max(1, len(tabs))):
            if tabs:
                page.get_by_role("tab").nth(i).click()
                wait_for_app_idle(page, timeout=120_000)
            _open_everything(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            where = f"{heading} tab {i + 1}"
            if live := _live(page, port):
                findings[where] = live
            if page.get_by_text(f"](http://127.0.0.1:{port}/").count():
                seen_payload.add(heading)  # the payload is on the page, shown as written
            if i == 0 and path in SHOTS:
                shot(page, f"hostile_{path}")
    page.wait_for_timeout(1000)  # a late image request would come now
    report = [f"{k}: {v}" for k, v in findings.items()] + [f"the local server was asked for {r}" for r in requests]
    assert not report, "\n".join(report)
    assert {"Feedback themes", "Intervention ROI"} <= seen_payload, seen_payload
