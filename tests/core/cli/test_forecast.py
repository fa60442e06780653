"""``python -m core forecast`` on the 1,000-customer demo: the as-of month's MRR and payers against SQL on the store,
every printed figure and the written workbook against core's outlook, the back-test's sentence against core's, and
bad input as one plain line."""

from __future__ import annotations

import contextlib
import io
import sqlite3

import numpy as np
import openpyxl
import pandas as pd
import pytest

import core
from core.churn.pipeline import fit_churn
from core.cli.main import main
from core.export import units
from core.forecast.backtest import backtest
from core.forecast.outlook import outlook
from core.history.inputs import load_inputs
from tests.conftest import copy_store
from tests.pages import store_kinds


@pytest.fixture(scope="module")
def run(small_demo_store, tmp_path_factory):
    """(store path, printed lines, workbook path, core's outlook, core's back-test) of ``forecast --months 3
    --backtest 2 --out``."""
    folder = tmp_path_factory.mktemp("cli_forecast")
    path = copy_store(small_demo_store, folder)
    out = folder / "forecast.xlsx"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--db", f"sqlite:///{path}", "forecast", "--months", "3", "--backtest", "2", "--out", str(out)])
    assert code == 0
    engine = core.make_engine(f"sqlite:///{path}")
    inputs = load_inputs(engine, source=None)
    result = fit_churn(inputs, n_boot=20)
    p = pd.Series(result.p_current, index=result.current.customer_id.astype(str).to_numpy())
    o = outlook(inputs.customers, inputs.revenue, p, result.horizon_days, 3)
    b = backtest(inputs, origins=2)
    engine.dispose()
    return path, buf.getvalue().splitlines(), out, o, b


def test_the_as_of_month_s_mrr_and_payers_are_the_store_s(run):
    path, lines, _, o, _ = run
    with sqlite3.connect(path) as con:
        month = con.execute("SELECT max(substr(period, 1, 7)) FROM revenue WHERE mrr IS NOT NULL").fetchone()[0]
        per_customer = con.execute("SELECT customer_id, sum(mrr) FROM revenue WHERE substr(period, 1, 7) = ? "
                                   "AND mrr IS NOT NULL GROUP BY customer_id", (month,)).fetchall()
    paying = [v for _, v in per_customer if v > 0]
    assert month == "2026-10" and o.paying == len(paying) == 783
    assert o.mrr_now == pytest.approx(sum(paying))
    assert lines[0].startswith(f"Revenue outlook after October 2026: MRR then {units.money(sum(paying))} from "
                               f"{units.count(len(paying))} paying customers.")


def test_every_printed_figure_is_core_s(run):
    _, lines, _, o, _ = run
    t = o.table
    assert lines[1].split() == ["Month", "Expected", "MRR", "80%", "interval", "95%", "interval", "Churned", "MRR",
                                "Renewals", "due", "Renewing"]
    for line, (_, r) in zip(lines[2:5], t.iterrows(), strict=True):
        assert line.split() == [f"{r['month']:%Y-%m}", units.money(r["mrr"]),
                                *units.interval(r["mrr_low_80"], r["mrr_high_80"], "currency").split(),
                                *units.interval(r["mrr_low_95"], r["mrr_high_95"], "currency").split(),
                                units.money(r["churned_mrr"]), units.count(r["renewals_due"]),
                                units.count(r["renewals"])]
    assert (t["mrr_low_95"] < t["mrr_low_80"]).all() and (t["mrr_high_80"] < t["mrr_high_95"]).all()


def test_the_workbook_holds_core_s_raw_numbers(run):
    _, _, out, o, _ = run
    ws = openpyxl.load_workbook(out)["Forecast"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Month", "Expected MRR ($)", "MRR, 80% low ($)")
    assert [r[0] for r in rows[1:4]] == ["2026-11", "2026-12", "2027-01"]
    np.testing.assert_allclose([r[1] for r in rows[1:4]], o.table["mrr"], rtol=1e-12)
    np.testing.assert_allclose([r[9] for r in rows[1:4]], o.table["renewals_due"])


def test_the_back_test_sentence_is_core_s(run):
    _, lines, _, _, b = run
    said = next(line for line in lines if line.startswith("Back-test:"))
    assert len(b.rows) == 3 and said.startswith("Back-test: 3 forecast months from 2 month ends.")
    assert f"80% interval covered the MRR that followed in {units.percent(b.coverage_80)}" in said
    assert f"(naive, the last MRR held flat: {units.percent(b.naive_mape / 100)})" in said


@pytest.mark.parametrize(("args", "words"), [(["--months", "0"], "--months 0: forecast from 1 to 24 months"),
                                              (["--backtest", "-1"], "--backtest -1: back-test from 0 to 36")])
def test_bad_options_are_one_plain_line(capsys, db_url, args, words):
    assert main(["--db", db_url, "forecast", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {words}") and len(err.strip().splitlines()) == 1


def test_an_empty_store_says_what_to_import(capsys, db_url):
    assert main(["--db", db_url, "forecast"]) == 2
    err = capsys.readouterr().err
    assert "There are no customers to model" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("kind", "words"), [("cdnow", "No customer pays in June 1998"),
                                              ("telco", "No customer pays in January 2024"),
                                              ("reviews", "There are no customers to model")])
def test_a_store_without_recurring_revenue_says_so_in_one_line(capsys, tmp_path, kind, words):
    assert main(["--db", store_kinds.build(kind, tmp_path), "forecast"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {words}") and len(err.strip().splitlines()) == 1


def test_the_mix_s_subscribers_are_forecast(capsys, tmp_path):
    url = store_kinds.build("mix", tmp_path)
    assert main(["--db", url, "forecast", "--months", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    with sqlite3.connect(url.split("///", 1)[1]) as con:
        paying = con.execute("SELECT count(*), sum(m) FROM (SELECT customer_id, sum(mrr) AS m FROM revenue "
                             "WHERE substr(period, 1, 7) = '1998-06' GROUP BY customer_id) WHERE m > 0").fetchone()
    assert lines[0].startswith(f"Revenue outlook after June 1998: MRR then {units.money(paying[1])} from "
                               f"{units.count(paying[0])} paying customers.")
    assert len(lines) == 4 and lines[2].startswith("1998-07") and lines[3].startswith("1998-08")
