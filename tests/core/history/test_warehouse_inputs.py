"""The churn model's inputs from a company's warehouse (core.history.warehouse_inputs) and ``python -m core churn`` on
it: a 500-customer demo kept in a store and, in the company's own shape, in a DuckDB file beside it. The inputs are the
store's, column for column, whatever order the warehouse returns rows in; the CLI prints on the warehouse the very
lines it prints on the store with pandas summing; the options that read or write the store's own customers are
refused in one line; an empty customer table and a warehouse that cannot answer are one plain line."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import core
from core.cli.main import main as cli
from core.errors import EngineError, InsufficientDataError
from core.feedback.warehouse_inputs import warehouse_feedback_inputs
from core.history.inputs import load_inputs
from core.history.warehouse_inputs import warehouse_inputs
from core.query import warehouse
from core.roi.warehouse_inputs import warehouse_roi_inputs
from tests.company_warehouse import CONTACTS, facts_business, with_verbatims


@pytest.fixture(scope="module")
def business(tmp_path_factory, facts_demo_store):
    """(the store's URL, the warehouse's URL, the mapping file's path)."""
    b = facts_business(tmp_path_factory.mktemp("warehouse_churn"), built=facts_demo_store)
    return b.store, b.url, b.mapping


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.sort_values(by, kind="stable").reset_index(drop=True)


def test_the_inputs_are_the_stores(business):
    store, url, mapping = business
    want = load_inputs(core.make_engine(store), source=None)
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        got = warehouse_inputs(wh)
        end = got.end()  # its last activity day asked of the warehouse
        behaviour = got.has_behaviour()
    columns = ["customer_id", "name", "segment", "plan", "region", "channel", "signup_date", "churn_date"]
    pd.testing.assert_frame_equal(got.customers[columns], want.customers[columns], check_dtype=False)
    assert got.activity is None and got.source is not None and got.lapse is None and behaviour
    assert end == want.end()
    for name, keys in (("tickets", ["customer_id", "opened"]), ("revenue", ["customer_id", "period"])):
        pd.testing.assert_frame_equal(_sorted(getattr(got, name), keys), _sorted(getattr(want, name), keys),
                                      check_dtype=False)
    answers = want.feedback[want.feedback["channel"].isin(["nps", "csat", "ces"])]  # the surveys it keeps
    keys = ["customer_id", "date", "channel", "score"]
    pd.testing.assert_frame_equal(_sorted(got.feedback, keys), _sorted(answers, keys), check_dtype=False)
    assert set(got.feedback["channel"]) == {"nps", "csat", "ces"}  # in capitals there: read as the store's


def _churn(capsys, store: str, *extra: str) -> tuple[int, str, str]:
    """Exit code, stdout without the model card's creation time, stderr."""
    code = cli(["--db", store, "churn", "--cutoffs", "3", "--drivers", "40", *extra])
    out = capsys.readouterr()
    return code, re.sub(r", created \S+ \S+ UTC", "", out.out), out.err


def test_the_cli_fits_on_the_warehouse_and_prints_what_the_store_prints(business, capsys, monkeypatch, tmp_path):
    store, url, mapping = business
    code, want, _ = _churn(capsys, store, "--engine", "pandas")
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    empty = f"sqlite:///{tmp_path / 'empty.db'}"  # the store holds nothing: every figure is the warehouse's
    code2, got, err = _churn(capsys, empty)
    assert code == code2 == 0 and err.strip() == "Figures from the warehouse (duckdb), through warehouse.toml."
    assert got == want
    # not vacuous: the fit ran, and a feature of each group the warehouse sums is among the drivers printed
    assert "ROC-AUC" in got
    assert all(f"[{f}]" in got for f in ("usage_level_30d", "tickets_90d", "hours_to_resolve", "nps_latest",
                                         "csat_change", "mrr_change_3m", "failed_payments_90d"))


@pytest.mark.parametrize("option", [["--save"], ["--engine", "duckdb"]], ids=lambda o: o[0])
def test_options_of_the_stores_customers_are_refused_in_one_line(business, capsys, monkeypatch, option):
    store, url, mapping = business
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    code = cli(["--db", store, "churn", *option])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{option[0]} is not used with a warehouse ({warehouse.URL_ENV} is set)" in err


def test_a_lapse_period_is_noted_as_unused_where_the_customers_have_churn_dates(business, capsys, monkeypatch,
                                                                                tmp_path):
    """A recurring book's customers keep their own churn dates: --lapse-days changes nothing and says so (a purchase
    log's buyers churn by it: tests/core/buyers/test_warehouse_purchases.py)."""
    store, url, mapping = business
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    code, plain, _ = _churn(capsys, empty)
    code2, noted, _ = _churn(capsys, empty, "--lapse-days", "90")
    note = "note: --lapse-days is not used: the customers have their own churn dates (or no purchases)\n"
    assert code == code2 == 0 and noted.count(note) == 1 and noted.replace(note, "") == plain


def test_an_empty_customer_table_and_a_bad_date_are_one_plain_line(tmp_path):
    path = tmp_path / "company.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA crm; CREATE TABLE crm.accounts (account_id text, created_at text)")
    (tmp_path / "m.toml").write_text("[customers]\ntable = 'crm.accounts'\ncustomer_id = 'account_id'\n"
                                     "signup_date = 'created_at'\n", encoding="utf-8")
    mapping = warehouse.read_mapping(tmp_path / "m.toml")
    with warehouse.connect(f"duckdb://{path}", mapping) as wh, pytest.raises(InsufficientDataError) as e:
        warehouse_inputs(wh)
    assert "has no customers to model" in str(e.value)
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO crm.accounts VALUES ('A1', '2024-01-05'), ('A2', 'soon')")
    with warehouse.connect(f"duckdb://{path}", mapping) as wh, pytest.raises(EngineError) as e:
        warehouse_inputs(wh)
    assert str(e.value).startswith("The warehouse could not answer (") and "dates as dates" in str(e.value)


def _health(capsys, store: str, folder, *extra: str) -> tuple[int, str, str, str]:
    """Exit code, stdout without the files' paths, stderr, and the action list written."""
    code = cli(["--db", store, "health", "--backtest", "--months", "6", "--alerts", str(folder / "alerts.csv"),
                *extra])
    out = capsys.readouterr()
    return code, out.out.replace(str(folder), "<folder>"), out.err, (folder / "alerts.csv").read_text()


def test_the_cli_scores_health_on_the_warehouse_as_on_the_store(business, capsys, monkeypatch, tmp_path):
    store, url, mapping = business
    (tmp_path / "store").mkdir()
    (tmp_path / "warehouse").mkdir()
    code, want, _, want_alerts = _health(capsys, store, tmp_path / "store")
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    empty = f"sqlite:///{tmp_path / 'empty.db'}"  # the store holds nothing: every figure is the warehouse's
    code2, got, err, got_alerts = _health(capsys, empty, tmp_path / "warehouse")
    assert code == code2 == 0 and err.strip() == "Figures from the warehouse (duckdb), through warehouse.toml."
    assert got == want and got_alerts == want_alerts
    # not vacuous: customers were banded, the back-test ran, and the action list names the warehouse's segments
    assert re.search(r"configuration default \(not saved yet\): [\d,]+ customers, mean score", got)
    assert "back-test, 6 month ends" in got and "ROC-AUC" in got
    assert pd.read_csv(tmp_path / "warehouse" / "alerts.csv")["segment"].notna().all()


def test_the_readme_s_worked_mapping_reads_a_company_s_warehouse(business, tmp_path):
    """The README's mapping file, copied as a reader would, reads the company's warehouse laid out with its names:
    what it maps (customers with their segment and name, minutes of activity, invoices, tickets and feedback with
    their texts, the plays' contacts) is what the tests' own full mapping reads."""
    _, url, people = business
    mapping = tmp_path / "verbatims.toml"
    mapping.write_text(with_verbatims(Path(people).read_text(encoding="utf-8")), encoding="utf-8")
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    block = readme.split("Pointing the workbench at a warehouse", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "warehouse.toml").write_text(block, encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "warehouse.toml")) as wh:
        got = warehouse_inputs(wh)
        usage = wh.con.execute(wh.activity.aggregate(total=wh.activity["value"].sum()))["total"].iloc[0]
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        want = warehouse_inputs(wh)
        want_usage = wh.con.execute(wh.activity.aggregate(total=wh.activity["value"].sum()))["total"].iloc[0]
    columns = ["customer_id", "name", "segment", "signup_date", "churn_date"]
    assert list(got.customers.columns) == columns
    pd.testing.assert_frame_equal(got.customers, want.customers[columns])
    for name in ("tickets", "feedback", "revenue"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name))
    assert usage == want_usage > len(want.customers)  # the minutes, not one a row
    (tmp_path / "people.toml").write_text(Path(mapping).read_text(encoding="utf-8") + CONTACTS, encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "warehouse.toml")) as wh:
        plays = warehouse_roi_inputs(wh).interventions
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "people.toml")) as wh:
        pd.testing.assert_frame_equal(plays, warehouse_roi_inputs(wh).interventions)
    assert len(plays) > 100 and plays["cost"].notna().any()  # the contacts with their cost
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "warehouse.toml")) as wh:
        texts = warehouse_feedback_inputs(wh).verbatims
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        pd.testing.assert_frame_equal(texts, warehouse_feedback_inputs(wh).verbatims)
    assert set(texts["source"]) == {"feedback", "ticket"} and texts["score"].notna().any()  # both tables' texts
