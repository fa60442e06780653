"""Real-browser fixtures: a Streamlit server on a free loopback port and Debian's Chromium.

Recipe: ../shared/docs/browser-testing.md. Playwright never downloads a browser here; it drives
/usr/bin/chromium (or CHROMIUM_PATH). Without Chromium the tests skip, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT, copy_store

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "screenshots"


@pytest.fixture(autouse=True)
def _chromium_present():
    """Skip without Chromium on a developer machine; fail under CI=true, where browser tests must run."""
    if Path(CHROMIUM).exists():
        return
    msg = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and the browser tests must run: {msg}")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    """A fresh store per test module, so each browser test knows exactly what is in it."""
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'store.db'}"


def demo_copy(folder: str):
    """A module fixture ``store_url`` in place of the fresh store: a private copy of the session's small demo store
    (1,000 customers, seed 0) in a new folder named ``folder``, built once per session instead of on the server's
    first start (the pages save into their store). In a test module: ``store_url = demo_copy("cohorts_e2e")``."""

    @pytest.fixture(scope="module", name="store_url")
    def store_url(small_demo_store, tmp_path_factory) -> str:
        return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp(folder))}"

    return store_url


#: a module's SERVER_ENV entry for a server on the product's default engine (embedded DuckDB: an empty
#: RETENTION_ENGINE is an unset one) instead of the suite's reference, pandas (tests/conftest.py); the whole browser
#: suite on DuckDB passed too, but took about 150 s more than the 20-minute CI holds
PRODUCT_ENGINE = {"RETENTION_ENGINE": ""}


def server_env(url: str, env: dict | None = None) -> dict:
    """The environment of an app server on the store ``url``: this process's (the suite's engine), the demo off,
    ``env`` on top."""
    return {**os.environ, "RETENTION_DB_URL": url, "RETENTION_DEMO": "0", **(env or {})}


@contextmanager
def serving(url: str, log: Path, env: dict | None = None, address: str = "127.0.0.1"):
    """A Streamlit server of the app on the store ``url`` (demo off unless ``env`` says), bound to ``address`` on
    a free port, its output in ``log``; yields its loopback address and stops it (its whole process group)."""
    port = _free_port()
    env = server_env(url, env)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
             f"--server.address={address}", f"--server.port={port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none", "--server.runOnSave=false"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(proc, url, log)
        yield url
    finally:
        _stop(proc)


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.time() + 60
    while True:
        if proc.poll() is not None:
            pytest.fail(f"Streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.time() > deadline:
            pytest.fail(f"Streamlit did not answer within 60 s:\n{log.read_text()}")
        time.sleep(0.25)


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def streamlit_server(store_url, tmp_path_factory, request):
    """A server on the module's store; a module may set SERVER_ENV (e.g. to start on the demo)."""
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with serving(store_url, log, getattr(request.module, "SERVER_ENV", {})) as url:
        yield url


def wait_for_app_idle(page, timeout=30_000):
    """Wait until Streamlit is connected and has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"][data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=timeout)


_STILL = """async () => {
    const visible = (e) => e.offsetParent !== null;
    const sizes = () => {
        const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(visible);
        if (charts.some((c) => !c.querySelector("canvas, svg"))) return null;  // a chart not drawn yet
        return JSON.stringify([...charts.map((c) => c.querySelector("canvas, svg")),
                               ...[...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(visible)]
            .map((e) => { const r = e.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; })
            .concat([document.documentElement.scrollWidth, document.documentElement.scrollHeight]));
    };
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
    let last = null, still = 0, frames = 0;
    for (; frames < 240 && still < 5; frames++) {
        await frame();
        const now = sizes();
        still = now !== null && now === last ? still + 1 : 0;
        last = now;
    }
    return frames;
}"""


def layout_still(page) -> int:
    """Wait until every visible chart is drawn and the charts, tables and page size have held still for five animation
    frames (at most 240, about 4 s): charts laid out again after a resize or drawn after a tab click, without a fixed
    sleep. Returns the frames waited."""
    return page.evaluate(_STILL)


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def metric_card(page, label: str):
    """The metric card labelled exactly ``label`` (a locator)."""
    return page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))


def shot_when_drawn(page, name: str) -> Path:
    """Wait until the page's first chart has drawn, check that no exception is on screen, and save a screenshot
    called ``name``."""
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    layout_still(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    return shot(page, name)


def show_tab(page, tab: str, ready, name: str) -> Path:
    """Click a tab, wait until ``ready`` (a locator) is visible and the charts have drawn, check that no
    exception is on screen, and save a screenshot called ``name``."""
    page.get_by_role("tab", name=tab).click()
    expect(ready).to_be_visible(timeout=60_000)
    layout_still(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    return shot(page, name)


def open_linked_customer(page, url: str, heading: str) -> None:
    """Open a page through a customer link (``...?customer=ID``) and wait until it has run."""
    page.goto(url)
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=60_000)
    wait_for_app_idle(page, timeout=60_000)


def open_on_metric(page, url: str, heading: str, metric: str, pattern) -> None:
    """Open a page and wait until it is built: the heading shows, ``metric`` shows a value matching
    ``pattern`` (first builds train models or score months, hence the long wait) and the script is idle."""
    page.goto(url)
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=120_000)
    expect(metric_card(page, metric)).to_contain_text(pattern, timeout=120_000)
    wait_for_app_idle(page, timeout=60_000)
