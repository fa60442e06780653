"""``python -m core retention show|set|apply``: an admin sets and applies the policy (audited, counts printed in
plain words); other roles get exit code 2 and one line with the store unchanged; a bad period is one line."""

import sqlite3

import pytest

from core.cli.main import main
from tests.conftest import copy_store
from tests.core.access.store import PEOPLE, build, dump, last_entry


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("retention_cli")
    url = build(folder)
    (folder / "fb.csv").write_text("customer_id,date,channel,score,text\nA,2024-01-10,nps,3,Too slow for us\n"
                                   "B,2024-06-20,nps,9,Works well\n")
    assert main(["--db", url, "--user", "root", "import", str(folder / "fb.csv"), "--kind", "feedback"]) == 0
    with sqlite3.connect(folder / "store.db") as con:  # into the store file, so that a copy of the file holds it
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return url.removeprefix("sqlite:///")


@pytest.fixture
def url(template, tmp_path, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    return f"sqlite:///{copy_store(template, tmp_path)}"


def _run(capsys, url, *args, code=0):
    got = main(["--db", url, *args])
    out = capsys.readouterr()
    assert got == code, out.err
    return out


def test_an_admin_sets_shows_and_applies_the_policy(url, capsys):
    assert _run(capsys, url, "--user", "vic", "retention", "show").out.startswith("retention policy: none set")
    out = _run(capsys, url, "--user", "root", "retention", "set", "--verbatim-months", "3", "--contact-days", "off")
    assert out.out == "retention policy set: verbatim text older than 3 months is masked; contact details are kept\n"
    assert last_entry(url)["action"] == "set retention policy"
    shown = _run(capsys, url, "--user", "root", "retention", "show", "--today", "2024-06-30").out.splitlines()
    assert shown[1].startswith("set by root on ") and shown[2] == \
        "would change as of 2024-06-30: verbatims dated before 2024-03-30"
    before = dump(url)
    dry = _run(capsys, url, "--user", "root", "retention", "apply", "--today", "2024-06-30", "--dry-run").out
    assert dump(url) == before and "feedback verbatims masked" in dry
    done = _run(capsys, url, "--user", "root", "retention", "apply", "--today", "2024-06-30").out.splitlines()
    assert done[0] == "changed as of 2024-06-30: verbatims dated before 2024-03-30"
    counts = dict(line.rsplit(None, 1) for line in done[2:])
    assert counts["feedback verbatims masked"] == "1" and counts["ticket texts masked"] == "0"
    assert last_entry(url)["action"] == "apply retention policy"
    again = _run(capsys, url, "--user", "root", "retention", "apply", "--today", "2024-06-30").out.splitlines()
    assert dict(line.rsplit(None, 1) for line in again[2:])["feedback verbatims masked"] == "0"


@pytest.mark.parametrize("who", [n for n, r in PEOPLE.items() if r != "admin"])
def test_other_roles_may_not_set_or_apply(url, capsys, who):
    before = dump(url)
    line = f"error: user {who} ({PEOPLE[who]}) may not set the retention policy: ask an admin for the admin role\n"
    for args in (["set", "--verbatim-months", "1", "--contact-days", "1"], ["apply"], ["apply", "--dry-run"]):
        assert _run(capsys, url, "--user", who, "retention", *args, code=2).err == line
    assert dump(url) == before


def test_a_bad_period_or_day_is_one_line(url, capsys):
    err = _run(capsys, url, "--user", "root", "retention", "set", "--verbatim-months", "soon", "--contact-days", "1",
               code=2).err
    assert err == "error: 'soon' is not a period: give a whole number or off.\n"
    err = _run(capsys, url, "--user", "root", "retention", "apply", "--today", "tomorrow", code=2).err
    assert err == "error: 'tomorrow' is not a day: write it as 2026-12-31.\n"
