"""The Playbooks page (pages/playbooks.py) in a real browser on a copy of the small demo store: the example playbook
previewed in plain words with the README's counts, saved as version 1 from the editor, the run recorded with a
click, its list in the Queue tab, a CRM's contact log uploaded back, and the calendar of the contacts it logged, no
exception. Run last by
tests/e2e/test_demo_pages.py: recording changes the store's data, which every other page would compute again."""

import re
import sqlite3

from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.e2e.conftest import metric_card, open_on_metric, shot, wait_for_app_idle

_SECTION = (ROOT / "README.md").read_text()
_SECTION = _SECTION[_SECTION.index("## Playbooks"):]
#: the line the README's Playbooks section says the CLI (and the page) prints on the small demo, and its counts
PRINTED = _SECTION[_SECTION.index("```text\n") + 8:_SECTION.index("```", _SECTION.index("```text\n") + 8)].strip()
_COUNTS = re.fullmatch(r"As of 2026-10-31: (\d+) actions queued \((\d+) to reach, (\d+) held out at random to measure "
                       r"the plays\), (\d+) held back by the guards, 0 merged into another\.", PRINTED)
QUEUED, REACHED, HELD_OUT = map(int, _COUNTS.groups()[:3]) if _COUNTS else (None,) * 3


def _number(n: int) -> re.Pattern:
    """``n`` as a whole number in a text (not part of a longer one)."""
    return re.compile(rf"(?<!\d){n}(?!\d)")


def _success(page, pattern: str) -> None:
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=re.compile(pattern))).to_be_visible(
        timeout=60_000)
    wait_for_app_idle(page, timeout=60_000)


def _log(store_url: str, folder) -> tuple[str, int]:
    """A contact log as a CRM would export it: the first 40 tasks of run 1 by their hand-off ids, all reached."""
    con = sqlite3.connect(store_url.removeprefix("sqlite:///"))
    try:
        rows = con.execute("SELECT id, status, arm FROM playaction WHERE run_id = 1 ORDER BY id").fetchall()
    finally:
        con.close()
    tasks = [f"R1-{n}" for n, (_, status, arm) in enumerate(rows, start=1) if status == "queued" and arm == "treatment"]
    path = folder / "crm_log.csv"
    path.write_text("Task ID,Status\n" + "".join(f"{t},Connected\n" for t in tasks[:40]))
    return str(path), 40


def test_playbooks_on_demo(page, streamlit_server, store_url, tmp_path):
    assert _COUNTS and QUEUED == REACHED + HELD_OUT > 0, PRINTED  # the README's line, read
    open_on_metric(page, f"{streamlit_server}/playbooks", "Playbooks", "Actions queued", _number(QUEUED))
    expect(page.get_by_text("No playbook is saved in this store yet.", exact=False)).to_be_visible()
    expect(page.get_by_text("Health turned red: when the health band turns red", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "playbooks_rules")

    page.get_by_label("Your name").fill("Ana")
    page.get_by_label("Reason for the change").fill("The example, to start with")
    page.get_by_role("button", name="Save as a new version").click()
    _success(page, r"Saved as playbook v1\.")

    page.get_by_role("tab", name="Run").click()
    expect(metric_card(page, "Held out at random")).to_contain_text(_number(HELD_OUT))
    expect(page.get_by_text(re.compile(rf"As of 2026-10-31: {QUEUED} actions queued \({REACHED} to reach, {HELD_OUT} "
                                       "held out"))).to_be_visible()
    shot(page, "playbooks_run")
    page.get_by_role("button", name="Record this run and show its list").click()
    _success(page, rf"Recorded as run 1: its {QUEUED} queued actions are logged as play contacts")

    page.get_by_role("tab", name="Queue").click()
    download = page.get_by_role("button", name="Download the queue (XLSX)")
    expect(download).to_be_visible(timeout=30_000)
    queue = page.get_by_test_id("stTabPanel").filter(has=download)
    expect(queue.get_by_test_id("stDataFrame").last).to_be_visible()
    expect(queue.get_by_text(re.compile(r"Recorded \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "playbooks_queue")

    log, n = _log(store_url, tmp_path)
    queue.get_by_test_id("stFileUploader").locator('input[type="file"]').set_input_files(log)
    page.get_by_role("button", name="Load the results").click()
    _success(page, rf"Loaded {n} results; the Intervention ROI page shows each play's reach")
    expect(page.get_by_text("Results from the teams")).to_be_visible()
    shot(page, "playbooks_results")

    page.get_by_role("tab", name="Calendar").click()
    expect(page.get_by_text(re.compile(r"Outreach calendar as of 2026-10-31: \d{3} customers contacted within the "
                                       r"last 14 days"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Customers the calendar holds")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "playbooks_calendar")
