"""``python -m core plays`` (core/cli/plays.py) on the small demo with the README's playbook: the headline and
the per-play table print the run's own counts, the README's printed line is the one the CLI prints, the queue goes to
CSV and XLSX with every action, the run is recorded (a second run queues none of its actions again; a preview
records nothing), a saved playbook runs without --rules, the calendar's counts equal the store's contacts, and bad
input is one plain line."""

from __future__ import annotations

import json
import re

import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main as cli
from core.plays.example import EXAMPLE
from core.plays.handoff import WEBHOOK_ENV
from core.plays.queue import QUEUED, TREATMENT, run
from core.plays.rules import parse
from core.plays.signals import store_signals
from core.roi.defaults import CONTROL
from tests.conftest import ROOT, copy_store, sql_rows
from tests.core.plays.webhook import free_port, receiving
from tests.pages import store_kinds

README = (ROOT / "README.md").read_text()
_SECTION = README[README.index("## Playbooks"):]
#: the playbook of the README's Playbooks section, and the line it says the CLI prints on the small demo
BOOK = json.loads(_SECTION[_SECTION.index("```json\n") + 8:_SECTION.index("```", _SECTION.index("```json\n") + 8)])
PRINTED = _SECTION[_SECTION.index("```text\n") + 8:_SECTION.index("```", _SECTION.index("```text\n") + 8)].strip()
#: the paragraph after it: how many of those held back each guard held, and what a second run on the day finds
SPLIT = re.search(r"(\d+) of those held back met the calendar, (\d+) a critical ticket's quiet period\.", _SECTION)
AGAIN = re.search(r"the (\d+) to reach are still open, the (\d+) held out stay out of their play\.", _SECTION)


@pytest.fixture
def url(small_demo_store, tmp_path):
    """A copy of the small demo for each test: a run records into its store."""
    (tmp_path / "store").mkdir()
    return f"sqlite:///{copy_store(small_demo_store, tmp_path / 'store')}"




@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "book.json"
    path.write_text(json.dumps(BOOK))
    return path


def test_the_readme_s_book_is_the_example_the_playbooks_page_offers():
    assert BOOK == EXAMPLE


def _held_back(lines: list[str]) -> dict[str, int]:
    """The printed "Held back:" table: guard -> actions."""
    table = lines[lines.index("Held back:") + 2:]
    rows = table[:table.index("")] if "" in table else table
    return {guard: int(n) for guard, n in (row.rsplit(maxsplit=1) for row in rows)}


def test_the_readme_s_book_prints_the_readme_s_line(url, rules, capsys):
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == PRINTED
    assert SPLIT and _held_back(printed) == {"outreach calendar (another contact too close)": int(SPLIT[1]),
                                             "quiet period: a critical ticket is open": int(SPLIT[2])}


def test_run_prints_the_queue_and_writes_it(url, rules, tmp_path, small_demo_store, capsys):
    engine = core.make_engine(url)
    book = parse(BOOK)
    signals, context, day = store_signals(engine, book)
    queue = run(book, signals, day, context, seed=3)
    engine.dispose()
    out = tmp_path / "queue.csv"
    assert cli(["--db", url, "plays", "run", "--rules", str(rules), "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    reached, held = int((queue.arm == TREATMENT).sum()), int((queue.arm == CONTROL).sum())
    assert printed.startswith(f"As of {day:%Y-%m-%d}: {reached + held:,} actions queued ({reached:,} to reach, "
                              f"{held:,} held out at random to measure the plays), ")
    rescue = queue[(queue.play == "Rescue call") & (queue.status == QUEUED)]
    line = next(x for x in printed.splitlines() if x.startswith("Rescue call"))
    assert line.split()[-5:-2] == [str(len(rescue)), str((rescue.arm == TREATMENT).sum()),
                                   str((rescue.arm == CONTROL).sum())]
    written = pd.read_csv(out, dtype=str)
    assert len(written) == len(queue) and list(written.columns) == list(queue.columns)
    assert written["arm"].fillna("").tolist() == queue["arm"].fillna("").tolist()
    assert f"wrote {len(queue):,} actions to {out}" in printed
    queued = int((queue.status == QUEUED).sum())
    assert (f"Recorded as run 1: its {queued:,} queued actions are logged as play contacts (both arms), which the "
            "Intervention ROI page measures.") in printed
    assert sql_rows(url, "SELECT count(*) FROM intervention WHERE import_id = (SELECT import_id FROM playrun)") == [
        (queued,)]
    (tmp_path / "again").mkdir()
    again = f"sqlite:///{copy_store(small_demo_store, tmp_path / 'again')}"
    xlsx = tmp_path / "queue.xlsx"
    assert cli(["--db", again, "plays", "run", "--rules", str(rules), "--seed", "3", "--out", str(xlsx)]) == 0
    sheet = openpyxl.load_workbook(xlsx)["Queue"]
    assert sheet.max_row == len(queue) + 1


def test_a_second_run_queues_nothing_again_and_a_preview_records_nothing(url, rules, capsys):
    assert cli(["--db", url, "plays", "run", "--rules", str(rules), "--preview"]) == 0
    preview = capsys.readouterr().out
    assert preview.splitlines()[0] == PRINTED and "A preview: nothing was recorded." in preview
    assert sql_rows(url, "SELECT count(*) FROM playrun") == [(0,)]
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == PRINTED
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    second = capsys.readouterr().out
    assert second.startswith("As of 2026-10-31: 0 actions queued (0 to reach, 0 held out at random")
    assert AGAIN and PRINTED.startswith(f"As of 2026-10-31: {int(AGAIN[1]) + int(AGAIN[2])} actions queued "
                                        f"({AGAIN[1]} to reach, {AGAIN[2]} held out")
    assert second.splitlines()[0].endswith(f", {AGAIN[1]} merged into another.")  # still open: not queued again
    assert _held_back(second.splitlines())["held out of this play earlier (kept out while measured)"] == int(AGAIN[2])
    assert "Recorded as run 2; it queued no action, so no contact was logged." in second
    assert sql_rows(url, "SELECT id, import_id IS NULL FROM playrun ORDER BY id") == [(1, 0), (2, 1)]


def test_a_saved_playbook_runs_without_rules(url, rules, capsys):
    assert cli(["--db", url, "plays", "run"]) == 2
    assert "No playbook is saved in this store: pass --rules FILE" in capsys.readouterr().err
    assert cli(["--db", url, "plays", "save", "--rules", str(rules), "--author", "Ana", "--reason", "first"]) == 0
    assert capsys.readouterr().out.strip() == f"Saved the playbook as version 1 ({len(BOOK['triggers'])} triggers)."
    assert cli(["--db", url, "plays", "save", "--rules", str(rules), "--author", "Ana"]) == 2
    assert "Say why" in capsys.readouterr().err
    assert cli(["--db", url, "plays", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("1. Health turned red: when the health band turns red") and "Saved versions:" in listed
    assert cli(["--db", url, "plays", "run"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == PRINTED
    assert sql_rows(url, "SELECT book_version FROM playrun") == [(1,)]


def test_the_calendar_counts_the_store_s_contacts(url, rules, capsys):
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    capsys.readouterr()
    assert cli(["--db", url, "plays", "calendar", "--rules", str(rules)]) == 0
    printed = capsys.readouterr().out.splitlines()
    # independently: the interventions as SQLite holds them, the gap and the 90-day window of the README's book
    rows = pd.DataFrame(sql_rows(url, 'SELECT customer_id, play, date, "group" FROM intervention'),
                        columns=["customer_id", "play", "date", "arm"])
    rows["date"] = pd.to_datetime(rows["date"])
    day = pd.Timestamp("2026-10-31")
    last = rows[rows.date <= day].groupby("customer_id")["date"].max()
    gap = int((last + pd.Timedelta(days=BOOK["guards"]["gap_days"]) > day).sum())
    held = rows[(rows.arm == CONTROL) & (rows.date <= day) & (rows.date + pd.Timedelta(days=90) > day)]
    assert printed[0].startswith(f"Outreach calendar as of 2026-10-31: {gap:,} customers contacted within the last "
                                 f"14 days, whom no other play may reach yet")
    assert printed[0].endswith(f"{held.customer_id.nunique():,} held out of a play, kept out of it while it is "
                               "measured.")
    monday = day - pd.Timedelta(days=day.weekday())
    week = rows[(rows.date >= monday) & (rows.date < monday + pd.Timedelta(days=7))]
    for play, contacts in week.groupby("play"):
        line = next(x for x in printed if x.startswith(f"{monday:%Y-%m-%d}") and play in x)
        assert line.split()[-3:-1] == [str((contacts.arm != CONTROL).sum()), str((contacts.arm == CONTROL).sum())]


@pytest.mark.parametrize(("args", "message"), [
    (["--rules", "missing.json"], "No playbook file at missing.json"),
    (["--as-of", "2026-13-01"], "--as-of must be a day written YYYY-MM-DD, not '2026-13-01'."),
    (["--out", "queue.txt"], "--out must end in .csv or .xlsx, not 'queue.txt'."),
    (["--preview", "--out", "queue.csv"], "--preview records nothing, so it writes no list"),
])
def test_bad_input_is_one_plain_line(url, rules, capsys, args, message):
    full = ["--db", url, "plays", "run", "--rules", str(rules), *args]
    assert cli(full) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_wrong_playbook_names_the_trigger(url, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"triggers": [{**BOOK["triggers"][0], "signal": "nps"}]}))
    assert cli(["--db", url, "plays", "run", "--rules", str(bad)]) == 2
    assert "Trigger 1 ('Health turned red') names the signal 'nps'" in capsys.readouterr().err


def test_list_says_the_book_in_plain_words_without_the_store(rules, tmp_path, capsys):
    assert cli(["--db", f"sqlite:///{tmp_path / 'none.db'}", "plays", "list", "--rules", str(rules)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("1. Health turned red: when the health band turns red, Rescue call by Customer success on "
                        "phone, due in 7 days; 15% held out at random.")
    assert lines[1].startswith("2. Usage falling: when usage falls by 30 % or more, Adoption email by Product")
    assert len([x for x in lines if x[:1].isdigit()]) == len(BOOK["triggers"])
    assert lines[len(BOOK["triggers"]):len(BOOK["triggers"]) + 3] == [
        "Guards:", "- at most 2 contacts in 30 days, 3 for Enterprise;", "- no two contacts within 14 days;"]


def test_a_snapshot_says_which_triggers_cannot_fire_and_feedback_only_is_one_plain_line(tmp_path, rules, capsys):
    (tmp_path / "telco").mkdir(), (tmp_path / "reviews").mkdir()
    telco = store_kinds.build("telco", tmp_path / "telco")
    assert cli(["--db", telco, "plays", "run", "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("As of 2024-01-31: 0 actions queued")
    assert "Health turned red cannot fire on this store: it has no health band a month earlier to compare with." in out
    assert "Detractor cannot fire on this store: it has no dated NPS answer of 0 to 6." in out
    reviews = store_kinds.build("reviews", tmp_path / "reviews")
    assert cli(["--db", reviews, "plays", "run", "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "There are no customers to model" in err and "Traceback" not in err


def test_handoff_writes_tasks_per_owner_and_posts_them(url, rules, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV, raising=False)
    assert cli(["--db", url, "plays", "handoff"]) == 2
    assert "No playbook run is recorded in this store" in capsys.readouterr().err
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    capsys.readouterr()
    reach = sql_rows(url, "SELECT owner, count(*) FROM playaction WHERE arm = 'treatment' GROUP BY owner")
    total = sum(n for _, n in reach)
    xlsx, folder = tmp_path / "tasks.xlsx", tmp_path / "tasks"
    assert cli(["--db", url, "plays", "handoff", "--out", str(xlsx)]) == 0
    assert capsys.readouterr().out.startswith(f"Run 1: {total} tasks to hand off, ")
    book = openpyxl.load_workbook(xlsx)
    assert {s: book[s].max_row - 1 for s in book.sheetnames if s != "Definitions"} == dict(reach)
    assert cli(["--db", url, "plays", "handoff", "--run", "1", "--out", str(folder)]) == 0
    assert {p.stem: len(pd.read_csv(p)) for p in folder.glob("*.csv")} == dict(reach)
    held_out = {r[0] for r in sql_rows(url, "SELECT customer_id FROM playaction WHERE arm = 'holdout'")}
    ids = set(pd.concat([pd.read_csv(p, dtype=str) for p in folder.glob("*.csv")])["customer_id"])
    assert held_out and not held_out & ids
    with receiving() as server:
        monkeypatch.setenv(WEBHOOK_ENV, server.url)
        assert cli(["--db", url, "plays", "handoff"]) == 0
        assert f"posted {total} tasks to the webhook at 127.0.0.1:" in capsys.readouterr().out
        (_, body), = server.received
    assert len(json.loads(body)["tasks"]) == total
    assert cli(["--db", url, "plays", "handoff", "--webhook", f"http://127.0.0.1:{free_port()}/x"]) == 2
    err = capsys.readouterr().err
    assert "could not be reached" in err and "Traceback" not in err
    assert cli(["--db", url, "plays", "handoff", "--run", "9"]) == 2
    assert "There is no playbook run 9: the runs are 1." in capsys.readouterr().err
    assert cli(["--db", url, "plays", "handoff", "--out", str(tmp_path / "tasks.txt")]) == 2
    assert "--out must end in .csv or .xlsx, or name a folder" in capsys.readouterr().err
    assert not (tmp_path / "tasks.txt").exists()
    monkeypatch.delenv(WEBHOOK_ENV)
    (tmp_path / "run.1").mkdir()  # a folder that exists takes the CSVs whatever its name
    assert cli(["--db", url, "plays", "handoff", "--out", str(tmp_path / "run.1")]) == 0
    assert {p.stem for p in (tmp_path / "run.1").glob("*.csv")} == {owner for owner, _ in reach}


def test_results_load_a_contact_log_and_print_each_play_s_reach(url, rules, tmp_path, capsys):
    assert cli(["--db", url, "plays", "results"]) == 2
    assert "plays results needs --log FILE" in capsys.readouterr().err
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    tasks = tmp_path / "tasks.csv"
    assert cli(["--db", url, "plays", "handoff", "--out", str(tasks)]) == 0
    capsys.readouterr()
    handed = pd.read_csv(tasks, dtype=str)
    rescue = handed[handed.play == "Rescue call"]
    log = tmp_path / "log.csv"
    pd.DataFrame({"task_id": rescue.task_id, "outcome": ["reached", "failed"] * (len(rescue) // 2)
                  + ["done"] * (len(rescue) % 2)}).to_csv(log, index=False)
    assert cli(["--db", url, "plays", "results", "--log", str(log)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Loaded {len(rescue)} results from log.csv."
    half, odd = len(rescue) // 2, len(rescue) % 2
    line = next(x for x in out if x.startswith("Rescue call: "))
    assert line == (f"Rescue call: The contact log reports {half + odd} of the {len(rescue)} customers to reach "
                    f"contacted ({(half + odd) / len(rescue) * 100:.1f}%: {half} reached, {odd} done), {half} failed "
                    f"and 0 without a result yet.")
    assert cli(["--db", url, "plays", "results", "--log", str(log)]) == 2
    assert "was loaded before" in capsys.readouterr().err
