"""Ten signed-in people at once (issue 22, point 6): each page's median and 95th-percentile time with N sessions
browsing every page while an analyst imports, against one session alone, and the server's memory.

    .venv/bin/python benchmarks/load_sessions.py [--sessions 10] [--customers 1000] [--rounds 2]

* A private demo store with accounts: an admin, one analyst and ``--sessions`` viewers (local accounts, Argon2).
* Alone: one viewer signs in and visits every page through the sidebar, ``--rounds`` times (the first round fills
  the caches; every round is timed, so the figures include first visits as the load run does).
* Load: ``--sessions`` viewers, each in its own browser context, sign in at once and visit every page in the same
  way, while the analyst imports an activity file (``python -m core --user ana import``) into the same store.
* Each visit: from the click on the sidebar link to the page's heading drawn and the script idle. Any exception box
  on a page, a refused sign-in, or a traceback in the server's log counts as an error; the benchmark prints them.
* Memory: the server's resident set size, sampled every 0.2 s (the peak and at the end), from ``/proc``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.first_start import ARGS, CHROMIUM  # noqa: E402
from benchmarks.page_times import PAGES, _server, _stop, demo_store  # noqa: E402

PASSWORD = "load-test-password"
VISITS = [(title, heading) for module, title, heading in PAGES[1:]] + [(PAGES[0][1], PAGES[0][2])]


def accounts(path: Path, viewers: int) -> list[str]:
    """Add the admin, the analyst ``ana`` and ``viewers`` viewers to the store; returns the viewers' names."""
    import core
    from core.access import users

    engine = core.make_engine(f"sqlite:///{path}")
    users.add(engine, "admin", "admin", PASSWORD)
    users.add(engine, "ana", "analyst", PASSWORD)
    names = [f"viewer{i:02d}" for i in range(viewers)]
    for name in names:
        users.add(engine, name, "viewer", PASSWORD)
    engine.dispose()
    return names


def activity_file(path: Path, folder: Path, rows: int = 200_000) -> Path:
    """An activity export for the store's customers (seeded), for the analyst to import during the load."""
    import core
    from core.store.read import load_table

    engine = core.make_engine(f"sqlite:///{path}")
    ids = load_table(engine, "customer")["customer_id"].to_numpy()
    engine.dispose()
    rng = np.random.default_rng(22)
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, rows), unit="D")
    out = folder / "activity_more.csv"
    pd.DataFrame({"customer_id": rng.choice(ids, rows), "date": days.strftime("%Y-%m-%d"),
                  "metric": "logins", "value": rng.integers(1, 20, rows)}).to_csv(out, index=False)
    return out


class Memory(threading.Thread):
    """The server's resident set size (its process group's largest process), sampled until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stop = pid, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                text = Path(f"/proc/{self.pid}/status").read_text()
                self.samples.append(int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024)
            except (OSError, AttributeError):
                pass
            self.stop.wait(0.2)


async def idle(page, timeout: int = 600_000) -> None:
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


async def sign_in(page, base: str, name: str) -> None:
    """Open the workbench and sign in with the local form."""
    await page.goto(base)
    await page.get_by_label("Name", exact=True).fill(name)
    await page.locator('input[type="password"]').fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=600_000)
    await idle(page)


async def browse(browser, base: str, name: str, rounds: int, times: dict, errors: list) -> None:
    """One person: sign in, then visit every page through the sidebar ``rounds`` times, timing each visit."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await sign_in(page, base, name)
        nav = page.get_by_test_id("stSidebarNav")
        for _ in range(rounds):
            for title, heading in VISITS:
                t0 = time.perf_counter()
                await nav.get_by_role("link", name=re.compile(f"^{re.escape(title)}$")).click()
                await page.get_by_role("heading", name=heading, exact=True).wait_for(timeout=600_000)
                await idle(page)
                times.setdefault(title, []).append(time.perf_counter() - t0)
                if await page.get_by_test_id("stException").count():
                    errors.append(f"{name}: an exception on {title}")
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
        errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        await context.close()


async def sessions(base: str, names: list[str], rounds: int, during=None) -> tuple[dict, list, float]:
    """``names`` browsing at once (and ``during``, a coroutine, beside them): visit times, errors, wall time."""
    from playwright.async_api import async_playwright

    times, errors = {}, []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        t0 = time.perf_counter()
        work = [browse(browser, base, n, rounds, times, errors) for n in names]
        await asyncio.gather(*work, *([during] if during else []))
        wall = time.perf_counter() - t0
        await browser.close()
    return times, errors, wall


async def analyst_import(url: str, file: Path, delay: float, result: dict) -> None:
    """The analyst's import, started ``delay`` seconds into the load, in its own process."""
    await asyncio.sleep(delay)
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core", "--db", url, "--user", "ana", "import", str(file), "--kind", "activity",
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = await proc.communicate()
    result.update(code=proc.returncode, seconds=time.perf_counter() - t0, output=out.decode().strip()[-300:])


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run(n: int, customers: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"Building a {customers:,}-customer demo store with {n} viewers ...", flush=True)
        path = demo_store(folder, customers)
        names = accounts(path, n)
        extra = activity_file(path, folder)
        url = f"sqlite:///{path}"

        proc, base = _server(url, "app.py", folder)
        memory = Memory(proc.pid)
        memory.start()
        try:
            alone, alone_errors, alone_wall = asyncio.run(sessions(base, names[:1], rounds))
            rss_alone = max(memory.samples, default=float("nan"))
            imported: dict = {}
            loaded, load_errors, load_wall = asyncio.run(
                sessions(base, names, rounds, analyst_import(url, extra, 5.0, imported)))
        finally:
            memory.stop.set()
            _stop(proc)
        report(n, alone, loaded, alone_errors + load_errors, imported, (alone_wall, load_wall),
               (rss_alone, max(memory.samples, default=float("nan")), memory.samples[-1] if memory.samples else 0))


def report(n, alone, loaded, errors, imported, walls, rss) -> None:
    print(f"\nOne session alone: {walls[0]:.1f} s for every page; {n} sessions with an import: {walls[1]:.1f} s\n")
    print(f"{'Page':<20}{'alone median':>14}{'alone p95':>12}{f'{n} median':>12}{f'{n} p95':>10}{'ratio':>8}")
    for title, _ in VISITS:
        a, b = alone.get(title, []), loaded.get(title, [])
        ratio = statistics.median(b) / statistics.median(a) if a and b else float("nan")
        print(f"{title:<20}{pct(a, 50):>13.2f}s{pct(a, 95):>11.2f}s{pct(b, 50):>11.2f}s{pct(b, 95):>9.2f}s"
              f"{ratio:>7.1f}x")
    print(f"\nThe analyst's import: exit {imported.get('code')}, {imported.get('seconds', float('nan')):.1f} s "
          f"({imported.get('output', '').splitlines()[-1] if imported.get('output') else 'no output'})")
    print(f"Server memory: {rss[0]:.0f} MB after one session, peak {rss[1]:.0f} MB under load, {rss[2]:.0f} MB "
          "at the end")
    print(f"Errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    run(a.sessions, a.customers, a.rounds)


if __name__ == "__main__":
    main()
