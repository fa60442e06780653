"""What a leader waits for, page by page (issue 21, point 7): the first start to a readable Overview, and each
page's cold and warm time, in AppTest and in headless Chromium, each the median of several runs.

    .venv/bin/python benchmarks/page_times.py [--runs 3] [--customers 5000] [--no-browser] [--no-first-start]

* First start: a server on an empty store (the demo generated on the first visit), from launch to the Overview's
  first figure drawn and the script idle (``benchmarks/first_start.py``, run ``--runs`` times).
* Cold: the first visit of each page after a fresh start on a private copy of a demo store (caches empty; the
  pages visited in the sidebar's order, as a leader would, so the Churn drivers' first visit trains and saves the
  model the later pages read).
* Warm: the same page again (AppTest: a rerun of the session, after one rerun that settles the sidebar's filters,
  which AppTest's page switch drops once; Chromium: back from the Data page through the
  sidebar), its caches filled.
* Baseline, run side by side: the same steps on a page that shows one heading and one table, so a figure reads as
  a ratio on a noisy machine as well as in seconds.

Targets (the issue's): first start to a readable Overview <= 15 s; every warm rerun < 1 s.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.first_start import ARGS, CHROMIUM, measure  # noqa: E402

#: (page module, sidebar title, heading) in the sidebar's order
PAGES = [
    ("overview", "Overview", "Overview"),
    ("cohort_curves", "Cohort curves", "Cohort curves"),
    ("churn_drivers", "Churn drivers", "Churn drivers"),
    ("health_scores", "Health scores", "Health scores"),
    ("feedback_themes", "Feedback themes", "Feedback themes"),
    ("intervention_roi", "Intervention ROI", "Intervention ROI"),
    ("quarterly_review", "Quarterly review", "Quarterly review"),
    ("data", "Data", "Data"),
]
BASELINE = """import pandas as pd
import streamlit as st
st.title("Baseline")
st.dataframe(pd.DataFrame({"a": range(100), "b": range(100)}))
"""


def demo_store(folder: Path, customers: int) -> Path:
    import core
    from core.demo.load import load_demo

    path = folder / "demo.db"
    engine = core.make_engine(f"sqlite:///{path}")
    load_demo(engine, n_customers=customers, seed=0)
    engine.dispose()
    return path


def private_copy(src: Path, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    dst = folder / "store.db"
    shutil.copy(src, dst)
    if Path(f"{src}.columns").exists():
        shutil.copytree(f"{src}.columns", f"{dst}.columns")
    return f"sqlite:///{dst}"


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def apptest_run(url: str) -> dict[str, tuple[float, float]]:
    """{page: (cold s, warm s)} in AppTest, caches cleared first, pages in the sidebar's order."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ.update(RETENTION_DB_URL=url, RETENTION_DEMO="0")
    st.cache_data.clear()
    st.cache_resource.clear()
    out = {}
    for module, _, _ in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        t0 = time.perf_counter()
        at.run().switch_page(f"pages/{module}.py").run()
        cold = time.perf_counter() - t0
        if at.exception:
            raise SystemExit(f"{module}: {at.exception}")
        at.run()  # AppTest reruns only the page after switch_page: the sidebar's date range is dropped once
        out[module] = (cold, _timed(at.run))
    return out


def apptest_baseline(folder: Path) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    script = folder / "baseline.py"
    script.write_text(BASELINE)
    at = AppTest.from_file(str(script))
    return _timed(at.run), _timed(at.run)


def _idle(page, timeout: int = 600_000) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(50)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def _server(url: str, script: str, folder: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RETENTION_DB_URL": url, "RETENTION_DEMO": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, f"--server.port={port}",
                             "--server.address=127.0.0.1", "--server.headless=true"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def browser_run(url: str, folder: Path) -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """{page: (cold s, warm s)} in Chromium on a fresh server, and the baseline page's (first, again) times."""
    from playwright.sync_api import expect, sync_playwright

    proc, base = _server(url, "app.py", folder)
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            nav = None
            for module, title, heading in PAGES:
                t0 = time.perf_counter()
                page.goto(f"{base}/{'' if module == 'overview' else module}")
                expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=600_000)
                _idle(page)
                cold = time.perf_counter() - t0
                nav = page.get_by_test_id("stSidebarNav")
                nav.get_by_role("link", name=re.compile("^Data$")).click()
                expect(page.get_by_role("heading", name="Import history")).to_be_visible(timeout=60_000)
                _idle(page)
                t0 = time.perf_counter()
                nav.get_by_role("link", name=re.compile(f"^{re.escape(title)}$")).click()
                expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=600_000)
                _idle(page)
                out[module] = (cold, time.perf_counter() - t0)
            browser.close()
    finally:
        _stop(proc)
    return out, browser_baseline(folder)


def browser_baseline(folder: Path) -> tuple[float, float]:
    from playwright.sync_api import expect, sync_playwright

    script = folder / "baseline.py"
    script.write_text(BASELINE)
    proc, base = _server("sqlite://", str(script), folder)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            times = []
            for _ in range(2):
                t0 = time.perf_counter()
                page.goto(base)
                expect(page.get_by_role("heading", name="Baseline")).to_be_visible(timeout=60_000)
                _idle(page)
                times.append(time.perf_counter() - t0)
            browser.close()
    finally:
        _stop(proc)
    return times[0], times[1]


def _ratio(value: float, base: float) -> str:
    """``value / base``, or ``-`` when the baseline is too quick to divide by (an AppTest rerun of a tiny page)."""
    return f"{value / base:7.1f}" if base >= 0.05 else f"{'-':>7}"


def _table(title: str, runs: list[dict[str, tuple[float, float]]], baseline: list[tuple[float, float]]) -> None:
    cold_base = statistics.median(b[0] for b in baseline)
    warm_base = statistics.median(b[1] for b in baseline)
    print(f"\n{title} (median of {len(runs)} runs; x = ratio to the baseline page run side by side)")
    print(f"  {'page':<20}{'cold s':>9}{'x':>7}{'warm s':>9}{'x':>7}  warm < 1 s")
    print(f"  {'baseline page':<20}{cold_base:9.2f}{1:7.1f}{warm_base:9.2f}{1:7.1f}")
    for module, _, _ in PAGES:
        cold = statistics.median(r[module][0] for r in runs)
        warm = statistics.median(r[module][1] for r in runs)
        print(f"  {module:<20}{cold:9.2f}{_ratio(cold, cold_base)}{warm:9.2f}{_ratio(warm, warm_base)}  "
              f"{'PASS' if warm < 1 else 'FAIL'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # AppTest's "missing ScriptRunContext" notes
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--customers", type=int, default=5000)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-first-start", action="store_true")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    try:
        if not a.no_first_start:
            starts = [measure()["first"] for _ in range(a.runs)]
            first = statistics.median(starts)
            print(f"first start to a readable Overview: median {first:.1f} s of {', '.join(f'{s:.1f}' for s in starts)}"
                  f"   target <= 15 s   {'PASS' if first <= 15 else 'FAIL'}", flush=True)
        src = demo_store(tmp, a.customers)
        runs, base = [], []
        for i in range(a.runs):
            base.append(apptest_baseline(tmp))
            runs.append(apptest_run(private_copy(src, tmp / f"apptest{i}")))
        _table(f"AppTest, demo of {a.customers:,} customers", runs, base)
        if not a.no_browser:
            runs, base = [], []
            for i in range(a.runs):
                r, b = browser_run(private_copy(src, tmp / f"browser{i}"), tmp)
                runs.append(r)
                base.append(b)
            _table(f"Chromium, demo of {a.customers:,} customers", runs, base)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
