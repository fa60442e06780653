"""Nothing fetched from the internet, in a real browser (app.py): while the Overview and the Data page load on the
demo store, every request the page makes (scripts, styles, fonts, images, the favicon, the websocket) goes to the
app's own server on 127.0.0.1, and the tab's icon is the app's own file (assets/favicon.png), not a Material Symbols
SVG from fonts.gstatic.com (Streamlit's frontend turns ``page_icon=":material/..."`` into such a URL)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import SMALL_DEMO_CUSTOMERS, copy_store
from tests.e2e.conftest import SCREENSHOTS, shot, wait_for_app_idle


@pytest.fixture(scope="module")
def store_url(small_demo_store, tmp_path_factory) -> str:
    """A private copy of the session's small demo store (1,000 customers): the pages' requests do not depend on the
    demo's size, and the full demo's generation on first start is the slowest step of a browser test."""
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('offline'))}"


LOCAL_HOSTS = {"127.0.0.1", "localhost"}
#: schemes that never leave the browser
INLINE_SCHEMES = {"data", "blob", "about"}


def _outside(urls: list[str]) -> list[str]:
    """The URLs that would leave the machine: a network scheme and a host other than the loopback."""
    return [u for u in urls if urlsplit(u).scheme not in INLINE_SCHEMES and urlsplit(u).hostname not in LOCAL_HOSTS]


def test_outside_is_flagged():
    """The filter itself: an internet host is flagged, the loopback and inline data are not."""
    urls = ["http://127.0.0.1:8501/static/js/index.js", "ws://localhost:8501/_stcore/stream",
            "data:image/svg+xml,<svg/>", "blob:http://127.0.0.1:8501/x",
            "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/monitoring/default/24px.svg"]
    assert _outside(urls) == urls[-1:]


def _favicon(page) -> str:
    return page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\")?.href || ''")


def test_pages_load_nothing_from_outside_the_machine(page, streamlit_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("websocket", lambda ws: requested.append(ws.url))
    page.goto(streamlit_server)
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Customers", exact=True))
    expect(metric).to_contain_text(f"{SMALL_DEMO_CUSTOMERS:,}", timeout=240_000)
    wait_for_app_idle(page, timeout=120_000)
    active = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Active customers", exact=True))
    expect(active.locator("svg, canvas").first).to_be_visible()  # its sparkline
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_timeout(1000)  # the favicon is set once the page config has arrived
    shot(page, "offline_overview")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("Data")).click()
    expect(page).to_have_url(re.compile(r"/data$"))
    wait_for_app_idle(page, timeout=60_000)
    expect(page.get_by_test_id("stMetric").filter(has=page.get_by_text("Activity rows", exact=True))) \
        .to_contain_text(re.compile(r"\d"))
    page.wait_for_timeout(1000)
    shot(page, "offline_data")

    # the page did load things, all of them from the app's server; fonts from Streamlit's bundled files
    assert any("/static/" in u for u in requested) and any("/_stcore/stream" in u for u in requested)
    assert _outside(requested) == []
    fonts = [u for u in requested if re.search(r"\.(woff2?|ttf|otf)(\?|$)", u)]
    assert fonts and all(urlsplit(u).path.startswith("/static/media/") for u in fonts), fonts

    # the tab's icon is the app's own PNG, served by the app
    icon = _favicon(page)
    assert urlsplit(icon).hostname in LOCAL_HOSTS and "gstatic" not in icon, icon
    assert icon in requested  # the browser did fetch it (so a favicon from outside would have been seen above)
    got = page.request.get(icon)
    assert got.ok and got.headers["content-type"] == "image/png" and got.body()[:8] == b"\x89PNG\r\n\x1a\n"
    (SCREENSHOTS / "offline_favicon.png").write_bytes(got.body())  # to look at: the tab's icon as served
