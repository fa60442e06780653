"""python -m core plays on a store with accounts (tests/pages/test_playbooks_access.py's: the small demo with an admin,
an analyst and a viewer, the example playbook saved and a run recorded): a list of customers written by --out (the
queue, the calendar, the hand-off) needs the risk-list right, refused in one line before anything is recorded or
written; the counts stay everyone's."""

import pytest

from core.cli.main import main as cli
from tests.conftest import sql_rows
from tests.pages.test_playbooks_access import store  # noqa: F401 (the fixture)

REFUSED = ("error: user {who} ({role}) may not see per-customer churn scores and risk lists: ask an admin to allow the "
           "{role} role to see them\n")


def _runs(url: str) -> int:
    return sql_rows(url, "SELECT count(*) FROM playrun")[0][0]


@pytest.mark.parametrize(("action", "out"), [("run", "queue.csv"), ("calendar", "booked.xlsx"),
                                             ("handoff", "tasks")])
def test_a_list_of_customers_needs_the_risk_list_right(store, tmp_path, monkeypatch, capsys, action, out):  # noqa: F811
    monkeypatch.setenv("RETENTION_USER", "ann")
    before = _runs(store)
    assert cli(["--db", store, "plays", action, "--out", str(tmp_path / out)]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", REFUSED.format(who="ann", role="analyst"))
    assert not (tmp_path / out).exists() and _runs(store) == before  # nothing recorded, nothing written
    monkeypatch.setenv("RETENTION_USER", "root")
    assert cli(["--db", store, "plays", action, "--out", str(tmp_path / out)]) == 0
    assert (tmp_path / out).exists()


def test_the_counts_are_everyone_s(store, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setenv("RETENTION_USER", "vic")
    assert cli(["--db", store, "plays", "calendar"]) == 0
    assert "error" not in capsys.readouterr().err
