"""Measure what a leader feels: the first start on an empty store (demo generation included) and a
warm page change, in headless Chromium against a real Streamlit server.

    .venv/bin/python benchmarks/first_start.py

Prints seconds for: server up, first Overview with figures drawn (from launch), the whole demo loaded (its
usage data loads in the background after the Overview's tables), and warm switches between Overview and Data.
Targets: first Overview < 15 s, warm page change < 1 s.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def idle(page, timeout=120_000):
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def measure() -> dict:
    """One first start: ``up`` (server healthy), ``first`` (the Overview's first figure drawn, from launch),
    ``whole`` (the whole demo in and the Overview drawn again, from launch) and ``switches`` (six page changes
    between Overview and Data), in seconds."""
    tmp = Path(tempfile.mkdtemp())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RETENTION_DB_URL": f"sqlite:///{tmp / 'store.db'}"}
    env.pop("RETENTION_DEMO", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", f"--server.port={port}",
                             "--server.address=127.0.0.1", "--server.headless=true"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        up = time.perf_counter() - t0
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=120_000)
            idle(page)
            first = time.perf_counter() - t0
            # the rest of the demo (usage, tickets, feedback, interventions) loads in the background meanwhile
            expect(page.get_by_text(re.compile("Loading the demo's usage data"))).to_have_count(0, timeout=300_000)
            idle(page)
            whole = time.perf_counter() - t0
            nav = page.get_by_test_id("stSidebarNav")
            switches = []
            for _ in range(3):
                for name, heading in (("Data", "Import history"), ("Overview", "Overview")):
                    t = time.perf_counter()
                    nav.get_by_role("link", name=re.compile(name)).click()
                    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30_000)
                    idle(page)
                    switches.append(time.perf_counter() - t)
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)
    return {"up": up, "first": first, "whole": whole, "switches": switches}


def main() -> None:
    m = measure()
    up, first, whole, switches = m["up"], m["first"], m["whole"], m["switches"]
    warm = switches[2:]  # the first round fills the caches
    print(f"server up                         {up:6.2f} s")
    print(f"first Overview with figures       {first:6.2f} s   target < 15 s   {'PASS' if first < 15 else 'FAIL'}")
    print(f"whole demo loaded, Overview again {whole:6.2f} s")
    print(f"warm page change (max of {len(warm)})       {max(warm):6.2f} s   target < 1 s    "
          f"{'PASS' if max(warm) < 1 else 'FAIL'}")
    print("all switches: " + ", ".join(f"{s:.2f}" for s in switches))


if __name__ == "__main__":
    main()
