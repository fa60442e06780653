"""``python -m core service`` on the small demo store (1,000 customers, seed 0): the tickets judged and each band's
tickets and churn counted again in SQL on the store's own tables (sqlite3), the XLSX export with its Definitions
sheet, and bad input or a store without tickets as one line."""

import re
import shutil
import sqlite3

import openpyxl
import pandas as pd
import pytest

from tests.company_warehouse import run_cli
from tests.conftest import ROOT

# the tickets judged for churn within :days days: their customer known and not churned before the opening day, the
# days passed by :end; the band's condition is added, the churned ones counted
JUDGED = """SELECT count(*), coalesce(sum(c.churn_date IS NOT NULL AND c.churn_date <= date(t.opened, :plus)), 0)
FROM ticket t JOIN customer c ON c.customer_id = t.customer_id
WHERE (c.churn_date IS NULL OR c.churn_date >= date(t.opened)) AND date(t.opened, :plus) <= :end"""
SECONDS = "(strftime('%s', {later}) - strftime('%s', t.opened))"
FIRST_RESPONSE = {"under 1 h": f"{SECONDS.format(later='t.first_response')} BETWEEN 0 AND 3599",
                  "4 to 24 h": f"{SECONDS.format(later='t.first_response')} BETWEEN 14400 AND 86399"}
#: customers active at the end of :day with a ticket open then that was opened :days or more days before (sqlite3)
OPEN_PAST = """SELECT count(DISTINCT c.customer_id) FROM customer c JOIN ticket t ON t.customer_id = c.customer_id
WHERE c.signup_date <= :day AND (c.churn_date IS NULL OR c.churn_date > :day)
  AND date(t.opened) <= date(:day, '-' || :days || ' days')
  AND (t.resolved IS NULL OR t.resolved >= date(:day, '+1 day'))"""
RESOLUTION = {"not resolved": "t.resolved IS NULL",
              "7 days or more": f"{SECONDS.format(later='t.resolved')} >= 604800"}
# the demo's tickets carry reopenings, replies and effort scores, not the first-contact flag: first contact is told
# from the replies (resolved with at most one reply and never reopened)
ONE_TOUCH = "t.resolved IS NOT NULL AND t.replies <= 1 AND t.reopens = 0"
MEASURES = {"Reopenings": {"not reopened": "t.reopens = 0", "reopened once": "t.reopens = 1",
                           "reopened 2 or more times": "t.reopens >= 2"},
            "First-contact resolution": {"resolved at first contact": ONE_TOUCH,
                                         "not at first contact": f"t.replies IS NOT NULL AND NOT ({ONE_TOUCH})"},
            "Effort score": {"1 to 3 (hard)": "t.effort < 4", "4 to 5": "t.effort >= 4 AND t.effort < 6",
                             "6 to 7 (easy)": "t.effort >= 6", "no score": "t.effort IS NULL"}}


# NPS detractors of known customers; :target days to the first follow-up; judged like a ticket (customer not gone
# before the answer, :plus passed by :end); the churned among them counted
DETRACTORS = """SELECT count(*),
  coalesce(sum(julianday(f.followed_up) - julianday(f.date) <= :target), 0),
  coalesce(sum(j.judged AND j.in_time), 0), coalesce(sum(j.judged AND j.in_time AND j.churned), 0),
  coalesce(sum(j.judged AND NOT j.in_time), 0), coalesce(sum(j.judged AND NOT j.in_time AND j.churned), 0)
FROM feedback f JOIN customer c ON c.customer_id = f.customer_id
JOIN (SELECT f2.id,
        (c2.churn_date IS NULL OR c2.churn_date >= f2.date) AND date(f2.date, :plus) <= :end AS judged,
        coalesce(julianday(f2.followed_up) - julianday(f2.date) <= :target, 0) AS in_time,
        c2.churn_date IS NOT NULL AND c2.churn_date <= date(f2.date, :plus) AS churned
      FROM feedback f2 JOIN customer c2 ON c2.customer_id = f2.customer_id) j ON j.id = f.id
WHERE lower(trim(f.channel)) = 'nps' AND f.score <= 6"""


@pytest.fixture(scope="module")
def store(small_demo_store):
    return f"sqlite:///{small_demo_store}"


def _sql(store, query, **params):
    con = sqlite3.connect(store.removeprefix("sqlite:///"))
    try:
        return con.execute(query, params).fetchone()
    finally:
        con.close()


def altered(store: str, folder, sql: str) -> str:
    """The URL of a copy of ``store`` in ``folder`` with ``sql`` run on it (a help desk without some columns, a store
    without NPS answers)."""
    path = folder / "altered.db"
    shutil.copy(store.removeprefix("sqlite:///"), path)
    con = sqlite3.connect(path)
    with con:
        con.execute(sql)
    con.close()
    return f"sqlite:///{path}"


#: what a help desk without reopenings, replies or effort scores holds; a store without NPS answers
NO_MEASURES = "UPDATE ticket SET reopens = NULL, replies = NULL, effort = NULL"
NO_NPS = "DELETE FROM feedback WHERE channel = 'nps'"


def _end(store) -> str:
    """The data's last day: the latest signup or churn day, or the last day of the last revenue month."""
    return _sql(store, """SELECT max((SELECT max(signup_date) FROM customer), (SELECT max(churn_date) FROM customer),
                      (SELECT date(max(period), 'start of month', '+1 month', '-1 day') FROM revenue))""")[0]


def _line(out: str, section: str, band: str) -> list[str]:
    block = out.split(f"\n{section} (adjusted gap: against ", 1)[1].split("\n", 1)[1].split("\n\n", 1)[0]
    line = next(ln for ln in block.splitlines() if ln.startswith(band + "  "))
    return re.split(r"\s{2,}", line.strip())


@pytest.mark.parametrize("days", [90, 30])
def test_each_band_counts_the_tickets_and_churn_the_store_holds(capsys, store, days, tmp_path):
    code, out, err = run_cli(capsys, store, "service", "--days", str(days))
    assert code == 0, err
    end = _end(store)
    plus = f"+{days} days"
    total, _ = _sql(store, JUDGED, plus=plus, end=end)
    assert out.startswith(f"{total:,} of ")
    assert f"churn within {days} days (data to {end})" in out
    for section, bands in (("Time to first response", FIRST_RESPONSE), ("Time to resolve", RESOLUTION),
                           *MEASURES.items()):
        for band, where in bands.items():
            n, churned = _sql(store, f"{JUDGED} AND {where}", plus=plus, end=end)
            cells = _line(out, section, band)
            assert cells[1] == f"{n:,}" and cells[3] == f"{churned:,}", (section, band)
            assert cells[4].startswith(f"{100 * churned / n:.1f}%"), (section, band)


def test_the_workbook_holds_every_table_and_the_definitions(capsys, store, tmp_path):
    path = tmp_path / "service.xlsx"
    code, out, err = run_cli(capsys, store, "service", "--out", str(path))
    assert code == 0, err
    assert f"wrote 10 tables to {path}" in out and "Not measured" not in out
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Time to first response", "Time to resolve", "Escalated", "Reopenings",
                             "First-contact resolution", "Effort score", "Ticket category", "Ticket channel",
                             "Leading indicators", "Detractor follow-up", "Definitions"]
    leads = [[c.value for c in row] for row in wb["Leading indicators"].iter_rows()]
    assert leads[0][:2] == ["signal", "customer_months"] and len(leads) == 4
    header = [c.value for c in wb["Time to resolve"][1]]
    assert header[:5] == ["band", "tickets", "customers", "churned", "churn_rate"]
    defined = {r[0].value for r in wb["Definitions"].iter_rows(min_row=2)}
    assert {"Churn after a ticket", "Adjusted churn after a ticket", "MRR kept after a ticket", "Leading indicator",
            "Churners caught", "Lead time", "Reopened ticket", "First-contact resolution",
            "Ticket effort score", "Detractor follow-up"} <= defined


def test_a_help_desk_without_reopenings_replies_or_effort_says_what_it_cannot_band(capsys, store, tmp_path):
    path = tmp_path / "bare.xlsx"
    code, out, err = run_cli(capsys, altered(store, tmp_path, NO_MEASURES), "service", "--out", str(path))
    assert code == 0, err
    assert ("Not measured: reopenings, first-contact resolution and effort score: the tickets' import has no reopen "
            "counts, agent replies (or a first-contact flag) or effort scores (CES). Import a help-desk export with "
            "them to add these levels.") in out
    assert "\nReopenings\n" not in out and "\nEffort score\n" not in out and f"wrote 7 tables to {path}" in out


@pytest.mark.parametrize("option", ["--days", "--open-days"])
def test_days_below_one_is_refused_in_one_line(capsys, store, option):
    code, out, err = run_cli(capsys, store, "service", option, "0")
    assert code == 2 and err == f"error: {option} must be at least 1 (got 0).\n" and out == ""


def test_a_store_without_tickets_says_what_to_import(capsys, tmp_path):
    code, out, err = run_cli(capsys, f"sqlite:///{tmp_path / 'empty.db'}", "service")
    assert code == 2 and err.startswith("error: No tickets yet: import a help-desk export") and out == ""


def test_the_readme_block_is_what_the_command_prints(capsys, store):
    readme = (ROOT / "README.md").read_text().split("## Service operations", 1)[1]
    block = readme.split("```text\n", 1)[1].split("```", 1)[0]
    code, out, err = run_cli(capsys, store, "service")
    assert code == 0, err
    first, resolve = block.split("\n\n", 1)
    assert out.startswith(first + "\n")
    assert "\n" + resolve in out
    leads = readme.split("**Leading indicators**", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert "\n\n" + leads in out
    measures = readme.split("**Reopenings, first-contact resolution and effort score**", 1)[1]
    assert "\n\n" + measures.split("```text\n", 1)[1].split("```", 1)[0] in out
    loop = readme.split("**The closed loop with detractors**", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert "\nDetractor follow-up\n" + loop in out


def test_a_target_counts_the_tickets_that_met_it_and_prices_a_point(capsys, store):
    code, out, err = run_cli(capsys, store, "service", "--target", "resolution:24", "--cost-per-point", "5000")
    assert code == 0, err
    end = _end(store)
    total, _ = _sql(store, JUDGED, plus="+90 days", end=end)
    met, _ = _sql(store, f"{JUDGED} AND {SECONDS.format(later='t.resolved')} BETWEEN 0 AND 86399", plus="+90 days",
                  end=end)
    block = out.split("\nTarget: resolve within 24 h (an association adjusted for segment, plan and tenure, not an "
                      "experiment)\n", 1)[1].splitlines()
    assert block[0].startswith(f"met by {met:,} of {total:,} tickets ({100 * met / total:.1f}%); ")
    assert re.fullmatch(r"churn after a missed ticket against a met one \(adjusted\): [+-]\d+\.\d pts \[[+-]\d+\.\d "
                        r"pts, [+-]\d+\.\d pts\]", block[1])
    assert re.fullmatch(r"a point of attainment \([\d.,]+ tickets a year\): MRR kept -?\$[\d,]+ \[-?\$[\d,]+, "
                        r"-?\$[\d,]+\]; revenue kept over 12 months -?\$[\d,]+ against a cost of \$5,000: it (does not "
                        r"pay|pays)", block[2])


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "resolve:24"], "error: Unknown target measure 'resolve': use one of resolution, first_response.\n"),
    (["--target", "resolution:soon"], "error: --target takes MEASURE:HOURS, such as resolution:24 (got "
                                      "'resolution:soon'); measures: resolution, first_response.\n"),
    (["--cost-per-point", "10"], "error: --cost-per-point prices a target: add --target, such as --target "
                                 "resolution:24.\n")])
def test_a_bad_target_is_refused_before_any_table(capsys, store, args, message):
    code, out, err = run_cli(capsys, store, "service", *args)
    assert (code, out, err) == (2, "", message)


def test_the_readme_target_figures_are_what_the_command_prints(capsys, store):
    code, out, err = run_cli(capsys, store, "service", "--target", "resolution:24", "--cost-per-point", "5000")
    assert code == 0, err
    readme = " ".join((ROOT / "README.md").read_text().split("**The target that pays**", 1)[1].split())
    met = re.search(r"met by [\d,]+ of [\d,]+ tickets \(([\d.]+%)\)", out).group(1)
    gap = re.search(r"\(adjusted\): (\S+ pts \[\S+ pts, \S+ pts\])", out).group(1)
    kept = re.search(r"revenue kept over 12 months (\$[\d,]+) against a cost of \$5,000: it does not pay", out).group(1)
    assert (f'"resolve within 24 h" is met by {met.replace("%", " %")} of the tickets; the gap is {gap}, so a point '
            f"keeps about {kept} of revenue a year and does not pay at $5,000.") in readme


def test_with_a_warehouse_set_it_says_the_tables_come_from_the_store(capsys, store, monkeypatch):
    monkeypatch.setenv("RETENTION_WAREHOUSE_URL", "duckdb:///nowhere.duckdb")
    code, out, err = run_cli(capsys, store, "service", "--days", "30")
    assert code == 0 and out.startswith(f"{_sql(store, JUDGED, plus='+30 days', end=_end(store))[0]:,} of ")
    assert err == "The service tables read the tickets, customers and MRR in the store, not the warehouse.\n"


def test_the_leading_indicators_count_the_customer_months_a_ticket_left_open_in_sql(capsys, store):
    """At --open-days 30 and --days 60: the customer-months flagged by a ticket left open, summed in SQL over the month
    ends whose 60 days have passed, and the same signal's line named with its days."""
    code, out, err = run_cli(capsys, store, "service", "--days", "60", "--open-days", "30")
    assert code == 0, err
    first = _sql(store, "SELECT min(signup_date) FROM customer")[0]
    end = pd.Timestamp(_end(store))
    ends = pd.date_range(pd.Timestamp(first), end, freq="ME")
    want = sum(_sql(store, OPEN_PAST, day=f"{c:%Y-%m-%d}", days=30)[0] for c in ends
               if c + pd.Timedelta(days=60) <= end)
    block = out.split("\nLeading indicators: ", 1)[1]
    assert "against churn within 60 days" in block.splitlines()[0]
    line = next(ln for ln in block.splitlines() if ln.startswith("A ticket open 30+ days "))
    assert line.split()[5] == f"{want:,}"


@pytest.mark.parametrize("target, days", [(2, 90), (7, 30)])
def test_the_detractor_follow_up_counts_what_the_store_holds(capsys, store, target, days):
    code, out, err = run_cli(capsys, store, "service", "--follow-up-days", str(target), "--days", str(days))
    assert code == 0, err
    n, in_time, n1, k1, n0, k0 = _sql(store, DETRACTORS, target=target, plus=f"+{days} days", end=_end(store))
    assert 0 < in_time < n and n1 and n0
    first, second = out.split("\nDetractor follow-up\n", 1)[1].splitlines()[:2]
    assert first.startswith(f"{in_time:,} of {n:,} NPS detractors (0-6) followed up within {target} days: "
                            f"{100 * in_time / n:.1f}% [")
    assert second.startswith(f"Churn within {days} days of the answer: followed up in time {100 * k1 / n1:.1f}% [")
    assert f"({k1:,} of {n1:,}), the others {100 * k0 / n0:.1f}% [" in second
    assert f"({k0:,} of {n0:,}); gap {100 * (k1 / n1 - k0 / n0):+.1f} pts [" in second


def test_a_store_without_detractors_says_what_to_import(capsys, store, tmp_path):
    path = tmp_path / "no_nps.xlsx"
    code, out, err = run_cli(capsys, altered(store, tmp_path, NO_NPS), "service", "--out", str(path))
    assert code == 0, err
    assert "\nDetractor follow-up\nNo NPS detractor (an answer of 0 to 6) names a customer in the store" in out
    assert "Detractor follow-up" not in openpyxl.load_workbook(path).sheetnames


def test_a_store_without_tickets_still_prints_its_detractors_follow_up(capsys, store, tmp_path):
    """Customers and NPS answers but no help desk: the message about tickets, then the follow-up counted in SQL, and
    a workbook of that table alone."""
    url, path = altered(store, tmp_path, "DELETE FROM ticket"), tmp_path / "follow_up.xlsx"
    code, out, err = run_cli(capsys, url, "service", "--out", str(path))
    assert code == 0, err
    assert out.startswith("No tickets yet: import a help-desk export") and "Time to resolve" not in out
    n, in_time, n1, k1, n0, k0 = _sql(url, DETRACTORS, target=2, plus="+90 days", end=_end(url))
    first, second = out.split("\nDetractor follow-up\n", 1)[1].splitlines()[:2]
    assert first.startswith(f"{in_time:,} of {n:,} NPS detractors (0-6) followed up within 2 days: "
                            f"{100 * in_time / n:.1f}% [")
    assert f"({k0:,} of {n0:,}); gap {100 * (k1 / n1 - k0 / n0):+.1f} pts [" in second
    assert openpyxl.load_workbook(path).sheetnames == ["Detractor follow-up", "Definitions"]
