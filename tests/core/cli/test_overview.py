"""``python -m core overview`` (core/cli/overview.py): the Overview's figures for any store as of any day, written
as the page writes them, one plain line for what the store cannot show, exit code 2 and one line on bad input."""

import re

import numpy as np
import pandas as pd
import pytest

import core
from core.cli.main import main
from tests.pages import store_kinds
from tests.pages.test_overview import CUSTOMERS, REVENUE

_TILE = re.compile(r"^  (\S.*?)\s{2,}(\S+)(?:\s{2,}(\S+(?: pts)?) (vs\. .*) \(was (\S+)\))?$")


def _figures(out: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in map(_TILE.match, out.splitlines()) if m}


def _changes(out: str) -> dict[str, tuple[str, str, str]]:
    """Each tile's (change, what it compares with, previous value), for the tiles that print one."""
    return {m.group(1): m.group(3, 4, 5) for m in map(_TILE.match, out.splitlines()) if m and m.group(3)}


@pytest.fixture(scope="module")
def cdnow(shared, tmp_path_factory):
    url = store_kinds.build("cdnow", tmp_path_factory.mktemp("cdnow"))  # the run's one import of the log, copied
    raw = pd.read_csv(shared / "cdnow/CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return url, raw


def _buyers(raw: pd.DataFrame, first: str, last: str) -> dict[str, str]:
    inside = raw[(raw["date"] >= first) & (raw["date"] <= last)]
    days = inside.groupby("customer_id")["date"].nunique()
    revenue = inside["dollar_value"].sum()
    cents = ".2f" if revenue / len(days) < 100 else ".0f"  # the money rule: under $100 keeps its cents
    return {"Customers": f"{(raw.groupby('customer_id')['date'].min() <= last).sum():,}",
            "Active buyers": f"{len(days):,}", "Repeat-purchase rate": f"{(days >= 2).mean() * 100:.1f}%",
            "Revenue": f"${revenue:,.0f}", "Revenue per buyer": f"${revenue / len(days):,{cents}}",
            "Purchase frequency": f"{days.mean():.1f}"}


def test_a_purchase_log_prints_its_buyer_figures_and_what_it_cannot_show(cdnow, capsys):
    url, raw = cdnow
    capsys.readouterr()
    assert main(["--db", url, "overview"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "This store is a purchase log, dated 1997-01-01 to 1998-06-30."
    cannot = [x for x in lines if x.startswith("cannot show: ")]
    assert len(cannot) == 1 and "no recurring revenue" in cannot[0] and "MRR, NRR, GRR or revenue churn" in cannot[0]
    assert "Buyers: Trailing 12 months to 30 Jun 1998 (01 Jul 1997 to 30 Jun 1998)" in lines
    assert _figures(out) == _buyers(raw, "1997-07-01", "1998-06-30")
    assert "MRR" not in _figures(out)


def test_the_as_of_day_moves_every_figure_and_the_cohorts(cdnow, capsys, tmp_path):
    url, raw = cdnow
    capsys.readouterr()
    out_file = tmp_path / "cohorts.csv"
    assert main(["--db", url, "overview", "--as-of", "1997-02-15", "--cohorts", "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    figures = _figures(out)
    assert figures["Customers"] == f"{7846 + 8476:,}"  # the March cohort had not signed up by 28 Feb 1997
    assert {k: v for k, v in figures.items() if k in _buyers(raw, "1996-03-01", "1997-02-28")} \
        == _buyers(raw, "1996-03-01", "1997-02-28")
    # the cohort table: January's month 1 over month 0, written as a share
    jan = raw[raw["date"] < "1997-02-01"]
    first_jan = jan["customer_id"].unique()
    feb = raw[(raw["date"] >= "1997-02-01") & (raw["date"] < "1997-03-01") & raw["customer_id"].isin(first_jan)]
    cell = feb["dollar_value"].sum() / jan["dollar_value"].sum()
    row = next(x for x in out.splitlines() if x.startswith("1997-01 "))
    assert row.split() == ["1997-01", f"{len(first_jan):,}", "100.0%", f"{cell * 100:.1f}%"]
    assert next(x for x in out.splitlines() if x.startswith("1997-02 ")).split()[-1] == "–"  # not reached
    written = pd.read_csv(out_file)
    assert written.columns.tolist() == ["cohort", "buyers", "month", "revenue", "retention"]
    assert len(written) == 3  # January: months 0 and 1; February: month 0
    np.testing.assert_allclose(written.loc[written["cohort"] == "1997-01", "retention"], [1.0, cell], rtol=1e-12)
    assert "wrote " in out and str(out_file) in out


def _book(tmp_path) -> str:
    """The hand-made recurring book imported with the CLI, as an analyst does; returns the store's URL."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    (tmp_path / "c.csv").write_bytes(CUSTOMERS)
    (tmp_path / "r.csv").write_bytes(REVENUE)
    assert main(["--db", url, "import", str(tmp_path / "c.csv"), "--kind", "customers"]) == 0
    assert main(["--db", url, "import", str(tmp_path / "r.csv"), "--kind", "revenue"]) == 0
    return url


def test_a_recurring_book_prints_the_headline_as_of_the_day(tmp_path, capsys):
    url = _book(tmp_path)
    capsys.readouterr()
    assert main(["--db", url, "overview"]) == 0
    out = capsys.readouterr().out
    assert "cannot show" not in out and "Recurring revenue: Trailing 12 months to 31 Jan 2025" in out
    start = 100 + 200 + 100 + 50
    assert _figures(out) == {"Customers": "5", "Active customers": "4", "Logo churn rate": "25.0%",
                             "Revenue churn rate": f"{(200 + 40) / start * 100:.1f}%", "MRR": "$1,259",
                             "NRR": f"{(150 + 60 + 50) / start * 100:.1f}%",
                             "GRR": f"{(100 + 60 + 50) / start * 100:.1f}%", "ARR": f"${12 * 1259:,}",
                             "ARPA": f"${1259 / 4:,.0f}"}  # A, C, D and E pay in Jan 2025
    # against Dec 2024 (no MRR booked; all five signed up) and the 12 months to Dec 2024 (A, B, C start; B churns)
    changes = _changes(out)
    assert changes["MRR"] == ("+$1,259", "vs. Dec 2024", "$0")
    assert changes["Customers"] == ("+0", "vs. 31 Dec 2024", "5")
    assert changes["Logo churn rate"] == (f"{(1 / 4 - 1 / 3) * 100:+.1f} pts", "vs. the 12 months to Dec 2024",
                                          f"{100 / 3:.1f}%")
    assert "ARPA" not in changes  # nobody paid in Dec 2024: no ARPA to compare with
    assert main(["--db", url, "overview", "--as-of", "2024-03-31", "--trend"]) == 0
    out = capsys.readouterr().out
    signed_up = (pd.to_datetime(pd.Series(["2023-01-10", "2023-06-01", "2023-12-15", "2024-05-01", "2024-01-31"]))
                 <= "2024-03-31").sum()
    assert _figures(out)["Customers"] == str(signed_up) == "4"  # D signed up in May 2024
    trend = [x for x in out.splitlines() if re.match(r"^\d{4}-\d{2}-\d{2} ", x)]
    assert trend[-1].startswith("2024-03-31") and len(trend) >= 1
    # no purchases, so no cohort table: a plain line, and a refused --out (exit 2, one line, nothing printed)
    assert main(["--db", url, "overview", "--cohorts"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "cannot show: Revenue retention by cohort needs a purchase " \
                                                       "log (transactions), and this store holds no purchases."
    assert main(["--db", url, "overview", "--out", str(tmp_path / "cohorts.csv")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1 and "Nothing written to" in captured.err
    assert not (tmp_path / "cohorts.csv").exists()


def test_an_empty_store_says_what_to_import(tmp_path, capsys):
    assert main(["--db", f"sqlite:///{tmp_path / 's.db'}", "overview"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("cannot show: There are no customers yet")
    assert not _figures(out)


@pytest.mark.parametrize("bad", ["2025-13-01", "yesterday", "30/06/2025"])
def test_a_bad_as_of_day_is_one_line_and_exit_code_2(tmp_path, capsys, bad):
    assert main(["--db", f"sqlite:///{tmp_path / 's.db'}", "overview", "--as-of", bad]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"error: --as-of '{bad}' is not a day: write it as YYYY-MM-DD, for example --as-of " \
                           "2025-06-30.\n"


def _movement_rows(out: str) -> list[list[str]]:
    """The printed MRR movements: one row of cells a month (after the title line and the header)."""
    lines = out.splitlines()
    first = next(i for i, x in enumerate(lines) if x.startswith("MRR movements, ")) + 2
    return [re.split(r"\s{2,}", x) for x in lines[first:] if re.match(r"^[A-Z][a-z]{2} \d{4} ", x)]


def test_movements_print_the_12_months_to_the_as_of_day(tmp_path, capsys, small_demo_store):
    from tests.conftest import copy_store
    from tests.core.history.test_movements import loop_per_customer

    url = _book(tmp_path)
    capsys.readouterr()
    assert main(["--db", url, "overview", "--movements"]) == 0
    out = capsys.readouterr().out
    assert "MRR movements, Feb 2024 to Jan 2025 (MRR at start + new + expansion + reactivation - contraction - " \
           "churned = MRR at end):" in out
    rows = _movement_rows(out)
    # by hand: everyone (A 100, B 200, C 100, E 50) stops paying in Feb 2024; A, C and E come back in Jan 2025 with
    # 150 + 60 + 50, D is new with 999
    assert len(rows) == 12 and rows[0] == ["Feb 2024", "$450", "$0", "$0", "$0", "$0", "$450", "$0"]
    assert rows[-1] == ["Jan 2025", "$0", "$999", "$0", "$260", "$0", "$0", "$1,259"]
    # the demo, as of a day inside a month, against a loop per customer
    folder = tmp_path / "demo"
    folder.mkdir()
    demo = f"sqlite:///{copy_store(small_demo_store, folder)}"
    assert main(["--db", demo, "overview", "--movements", "--as-of", "2025-09-14"]) == 0
    rows = _movement_rows(capsys.readouterr().out)
    engine = core.make_engine(demo)
    whole = loop_per_customer(core.load_table(engine, "revenue"))
    engine.dispose()
    months = whole[(whole["month"] >= "2024-10-01") & (whole["month"] <= "2025-09-01")]
    assert [r[0] for r in rows] == months["month"].dt.strftime("%b %Y").tolist()
    money = [[f"${v:,.2f}" if v != int(v) and abs(v) < 100 else f"${v:,.0f}" for v in r[1:]]
             for r in months.itertuples(index=False)]
    assert [r[1:] for r in rows] == money
    # no recurring revenue: a plain line
    assert main(["--db", f"sqlite:///{tmp_path / 'empty.db'}", "overview", "--movements"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "cannot show: MRR movements need recurring revenue (MRR per " \
                                                       "month), and this store holds none."
