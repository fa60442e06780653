"""The risk-list right through ``python -m core``: ``health --alerts`` (and ``--scores``) refuse a role an admin did
not allow with exit code 2 and one line, writing nothing; the review workbook leaves its per-customer sheet out for
such a reader and says so on its Definitions sheet, and holds it, row for row, for a reader with the right."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

import core
from core.access import users as accounts
from core.cli.main import main
from core.review import saved as review_saved
from core.review.snapshot import FIGURE_COLUMNS, Snapshot
from core.review.workbook import AT_RISK_SHEET, RISK_LISTS_LEFT_OUT
from tests.conftest import copy_store
from tests.core.access.store import PASSWORD, build

#: the customers behind the hand-made snapshot's MRR-at-risk figures
AT_RISK = pd.DataFrame({"figure": ["MRR at high churn risk", "MRR at high churn risk", "MRR in red"],
                        "customer_id": ["A", "B", "A"], "mrr": [700.0, 500.0, 700.0],
                        "group": ["high risk", "high risk", "red"]})
LINE = "error: user vic (viewer) may not see per-customer churn scores and risk lists: ask an admin to allow the " \
       "viewer role to see them\n"


def _snapshot() -> Snapshot:
    figures = pd.DataFrame([["Overview", "MRR at high churn risk", "", 1200.0, None, None, "currency", "2 customers"],
                            ["Overview", "MRR in red", "", 700.0, None, None, "currency", "1 customer"]],
                           columns=FIGURE_COLUMNS)
    return Snapshot("2026-Q4", dt.date(2026, 12, 31), "hand-made-3", {}, {"churn_model": None, "health_config": None},
                    figures, at_risk=AT_RISK)


@pytest.fixture(scope="module")
def review_store(tmp_path_factory):
    """The access store with a second snapshot (id 2) that has customers behind its MRR-at-risk figures."""
    folder = tmp_path_factory.mktemp("risk_review")
    url = build(folder)
    eng = core.make_engine(url)
    assert review_saved.save(eng, _snapshot(), user="bo") == 2
    eng.dispose()
    return url


@pytest.fixture(scope="module")
def demo_store(small_demo_store, tmp_path_factory):
    """A copy of the session's small demo store with an admin and a viewer."""
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('risk_demo'))}"
    eng = core.make_engine(url)
    accounts.add(eng, "root", "admin", PASSWORD)
    accounts.add(eng, "vic", "viewer", PASSWORD)
    eng.dispose()
    return url


def _workbook(url, tmp_path, name, capsys):
    out = tmp_path / f"{name}.xlsx"
    assert main(["--db", url, "--user", name, "report", "--snapshot", "2", "--out", str(out)]) == 0
    return openpyxl.load_workbook(out), capsys.readouterr().out


def test_the_workbook_leaves_the_customers_out_without_the_right(review_store, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    book, out = _workbook(review_store, tmp_path, "vic", capsys)
    assert AT_RISK_SHEET not in book.sheetnames
    last = [r for r in book["Definitions"].iter_rows(values_only=True) if any(v is not None for v in r)][-1]
    assert last[0] == RISK_LISTS_LEFT_OUT
    assert "left out the customers behind MRR at risk" in out
    for ws in book.worksheets:  # no customer id anywhere
        assert not {"A", "B"} & {str(v) for row in ws.iter_rows(values_only=True) for v in row}


@pytest.mark.parametrize("name", ["root", "bo"])
def test_the_workbook_holds_the_customers_for_a_reader_with_the_right(review_store, tmp_path, capsys, monkeypatch,
                                                                      name):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    if name == "bo":  # the board sees risk lists once an admin allows it
        assert main(["--db", review_store, "--user", "root", "users", "risk-lists", "board"]) == 0
        capsys.readouterr()
    book, _ = _workbook(review_store, tmp_path, name, capsys)
    rows = list(book[AT_RISK_SHEET].iter_rows(values_only=True))[1:]
    assert [(r[1], float(r[2])) for r in rows] == list(zip(AT_RISK["customer_id"], AT_RISK["mrr"], strict=True))
    last = [r for r in book["Definitions"].iter_rows(values_only=True) if any(v is not None for v in r)][-1]
    assert last[0] != RISK_LISTS_LEFT_OUT


@pytest.mark.parametrize("option", ["--alerts", "--scores"])
def test_health_refuses_the_per_customer_files_without_the_right(demo_store, tmp_path, capsys, monkeypatch, option):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    out = tmp_path / "list.csv"
    assert main(["--db", demo_store, "--user", "vic", "health", option, str(out)]) == 2
    assert capsys.readouterr().err == LINE
    assert not out.exists()


def test_health_writes_the_alerts_once_an_admin_allows_viewers(demo_store, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    assert main(["--db", demo_store, "--user", "root", "users", "risk-lists", "viewer"]) == 0
    out = tmp_path / "alerts.csv"
    assert main(["--db", demo_store, "--user", "vic", "health", "--alerts", str(out)]) == 0
    printed = capsys.readouterr().out
    alerts = pd.read_csv(out)
    n = int(printed.split("wrote ")[-1].split(" customers with alerts")[0].replace(",", ""))
    assert len(alerts) == n > 0
    assert alerts["customer_id"].is_unique
    assert main(["--db", demo_store, "--user", "root", "users", "risk-lists", "none"]) == 0  # refused again
    capsys.readouterr()
    assert main(["--db", demo_store, "--user", "vic", "health", "--alerts", str(tmp_path / "again.csv")]) == 2
    assert capsys.readouterr().err == LINE


def test_the_next_wave_is_refused_without_the_right_and_listed_with_it(demo_store, capsys, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    # a save worth 24 months of MRR (at the default margin): on the 1,000-customer demo 6 months leave nobody worth a
    # contact of the play's (about $4,600), and an empty wave lists no one to refuse or show
    argv = ["roi", "--play", "Renewal save offer", "--next-wave", "--budget", "40000", "--value-months", "24"]
    assert main(["--db", demo_store, "--user", "root", "users", "risk-lists", "none"]) == 0
    capsys.readouterr()
    assert main(["--db", demo_store, "--user", "vic", *argv]) == 2
    out = capsys.readouterr()
    assert out.err == LINE and out.out == ""
    assert main(["--db", demo_store, "--user", "root", *argv]) == 0
    printed = capsys.readouterr().out
    n = int(printed.split("next wave: ")[1].split(" customers")[0].replace(",", ""))
    assert n > 0 and printed.count("\n") > n // 10  # the customers are listed
