"""``python -m core plays run`` (core/cli/plays.py) on the small demo with the README's playbook: the headline and
the per-play table print the run's own counts, the README's printed line is the one the CLI prints, the queue goes to
CSV and XLSX with every action, and bad input is one plain line."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main as cli
from core.plays.queue import QUEUED, TREATMENT, run
from core.plays.rules import parse
from core.plays.signals import store_signals
from core.roi.defaults import CONTROL
from tests.conftest import ROOT, copy_store
from tests.pages import store_kinds

README = (ROOT / "README.md").read_text()
_SECTION = README[README.index("## Playbooks"):]
#: the playbook of the README's Playbooks section, and the line it says the CLI prints on the small demo
BOOK = json.loads(_SECTION[_SECTION.index("```json\n") + 8:_SECTION.index("```", _SECTION.index("```json\n") + 8)])
PRINTED = _SECTION[_SECTION.index("```text\n") + 8:_SECTION.index("```", _SECTION.index("```text\n") + 8)].strip()


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('plays_cli'))}"


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "book.json"
    path.write_text(json.dumps(BOOK))
    return path


def test_the_readme_s_book_prints_the_readme_s_line(url, rules, capsys):
    assert cli(["--db", url, "plays", "run", "--rules", str(rules)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == PRINTED


def test_run_prints_the_queue_and_writes_it(url, rules, tmp_path, capsys):
    out = tmp_path / "queue.csv"
    assert cli(["--db", url, "plays", "run", "--rules", str(rules), "--seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    engine = core.make_engine(url)
    book = parse(BOOK)
    signals, context, day = store_signals(engine, book)
    queue = run(book, signals, day, context, seed=3)
    engine.dispose()
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
    xlsx = tmp_path / "queue.xlsx"
    assert cli(["--db", url, "plays", "run", "--rules", str(rules), "--seed", "3", "--out", str(xlsx)]) == 0
    sheet = openpyxl.load_workbook(xlsx)["Queue"]
    assert sheet.max_row == len(queue) + 1


@pytest.mark.parametrize(("args", "message"), [
    (["--rules", "missing.json"], "No playbook file at missing.json"),
    (["--as-of", "2026-13-01"], "--as-of must be a day written YYYY-MM-DD, not '2026-13-01'."),
    (["--out", "queue.txt"], "--out must end in .csv or .xlsx, not 'queue.txt'."),
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
