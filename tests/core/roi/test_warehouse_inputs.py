"""The Intervention ROI's inputs from a company's warehouse (core.roi.warehouse_inputs): the plays' contacts mapped
from the company's own outreach table (tests/company_warehouse.py, a DuckDB file) give, contact by contact, the
outcomes the store's pandas path gives of the same business (retention, revenue kept, the CUPED covariates), and
``python -m core roi`` prints the store's lines (plays table, a play's comparison, its money, its next wave with
today's customers' usage summed in the warehouse) from the warehouse; a mapping without contacts and a cost column
that holds no numbers are refused in one line."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

import core
from core.errors import DataValidationError, NoDataYetError
from core.history import asof
from core.query import warehouse
from core.roi.inputs import load_inputs
from core.roi.outcomes import imported_columns, outcomes
from core.roi.warehouse_inputs import NO_CONTACTS, warehouse_roi_inputs
from core.store.columnar import activity_pairs
from core.store.profile import profile
from core.store.read import load_columns
from tests.company_warehouse import CONTACTS, PEOPLE, facts_business, run_cli


@pytest.fixture(scope="module")
def business(tmp_path_factory, facts_demo_store):
    """(the store holding the business, the warehouse's URL, its mapping file with contacts, an empty store)."""
    folder = tmp_path_factory.mktemp("roi_warehouse")
    b = facts_business(folder, built=facts_demo_store)
    (folder / "contacts.toml").write_text(PEOPLE + CONTACTS, encoding="utf-8")
    return b.store, b.url, folder / "contacts.toml", b.empty_store


def test_every_plays_outcomes_are_the_stores(business):
    store, url, mapping, _ = business
    engine = core.make_engine(store)
    want = load_inputs(engine, source=None)
    engine.dispose()
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        got = warehouse_roi_inputs(wh)
        assert got.end == want.end and got.plays() == want.plays() and len(got.plays()) == 4
        for play in want.plays():
            g, w = outcomes(got, play), outcomes(want, play)
            assert len(g) == len(w) > 100, play
            # every column, the play's own too (the mapping's columns: yes/no text there, read as the store's flags)
            pd.testing.assert_frame_equal(g, w, check_dtype=False, rtol=1e-9, atol=1e-9)
            assert g["revenue_kept"].sum() > 0 and g["retained"].notna().any()  # not vacuous
        nudge = outcomes(got, "Usage nudge e-mail")
        assert set(nudge["responded"]) == {0.0, 1.0} and "responded" in imported_columns(nudge)
        assert "responded" not in outcomes(got, "Onboarding call")  # another play's column is empty there


def test_without_revenue_the_data_ends_with_the_warehouse_s_activity(business, tmp_path):
    """The data's end counts the activity's last day, as on a store (here after every signup and churn date)."""
    store, url, _, _ = business
    engine = core.make_engine(store)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    want = asof.data_end(customers, activity_pairs(engine), None)
    engine.dispose()
    (tmp_path / "m.toml").write_text(PEOPLE.split("[revenue]")[0] + CONTACTS, encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        assert warehouse_roi_inputs(wh).end == want > asof.data_end(customers)


def _roi(capsys, store: str, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, store, "roi", *args)


def test_the_cli_prints_the_stores_lines_from_the_warehouse(business, capsys, monkeypatch):
    store, url, mapping, empty = business
    monkeypatch.setenv("RETENTION_ENGINE", "pandas")
    wave = ["--play", "Usage nudge e-mail", "--next-wave", "--budget", "1000"]
    asks = ([], ["--play", "Renewal save offer"], ["--play", "Renewal save offer", "--money"], wave)
    want = [_roi(capsys, store, *args) for args in asks]
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    for args, (code, out, _) in zip(asks, want, strict=True):
        assert code == 0 and ("Renewal save offer" in out or "Usage nudge e-mail" in out)
        assert _roi(capsys, empty, *args) == (0, out, "Figures from the warehouse (duckdb), through contacts.toml.\n")
    # the next wave: today's customers' usage and revenue summed in the warehouse, the same list as the store's
    listed = want[-1][1].splitlines()
    assert any(line.startswith("Within the budget") for line in listed) and len(listed) > 15
    engine = core.make_engine(empty)
    assert profile(engine).holdings == ()  # nothing was written to the store
    engine.dispose()


def test_a_mapping_without_contacts_or_with_a_cost_of_text_is_one_plain_line(business, tmp_path, capsys,
                                                                             monkeypatch):
    _, url, _, empty = business
    (tmp_path / "m.toml").write_text(PEOPLE, encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        with pytest.raises(NoDataYetError, match=r"names no \[contacts\] table"):
            warehouse_roi_inputs(wh)
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "m.toml"))
    code, out, err = _roi(capsys, empty)
    assert code != 0 and out == "" and NO_CONTACTS in err and len(err.strip().splitlines()) == 1
    (tmp_path / "m.toml").write_text(PEOPLE + CONTACTS.replace('cost = "cost_usd"', 'cost = "medium"'),
                                     encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"\[contacts\] cost must be a number"):
        warehouse.connect(url, warehouse.read_mapping(tmp_path / "m.toml"))
    # the play's own columns: each must exist, and none may take a field's name
    own = 'columns = "responded, recovered"'
    (tmp_path / "m.toml").write_text(PEOPLE + CONTACTS.replace(own, 'columns = "responded, recovered, opened"'),
                                     encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"Table marketing.outreach has no column \"opened\" \(\[contacts\] "
                                                  r"columns = \"opened\" in m.toml\); its columns are touch_id, "):
        warehouse.connect(url, warehouse.read_mapping(tmp_path / "m.toml"))
    (tmp_path / "m.toml").write_text(PEOPLE + CONTACTS.replace(own, 'columns = "responded, recovered, arm"'),
                                     encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"\[contacts\] columns names arm, a name the workbench gives a "):
        warehouse.read_mapping(tmp_path / "m.toml")


def test_contacts_without_a_play_are_one_plain_line_naming_the_field_and_the_first(business, tmp_path):
    """A company's table with gaps (two sends logged without their campaign) is refused, never measured as a play
    called 'None'; the warehouse's own table is left as it was."""
    _, url, _, _ = business
    path = url.removeprefix("duckdb://")
    with duckdb.connect(path) as con:
        con.execute("CREATE OR REPLACE TABLE marketing.outreach_gaps AS SELECT * FROM marketing.outreach")
        con.execute("UPDATE marketing.outreach_gaps SET campaign = NULL WHERE touch_id IN "
                    "(SELECT touch_id FROM marketing.outreach ORDER BY touch_id LIMIT 2)")
        first = con.execute("SELECT min(touch_id) FROM marketing.outreach").fetchone()[0]
    (tmp_path / "m.toml").write_text(PEOPLE + CONTACTS.replace('"marketing.outreach"', '"marketing.outreach_gaps"'),
                                     encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "m.toml")) as wh:
        with pytest.raises(DataValidationError) as refused:
            warehouse_roi_inputs(wh)
    assert str(refused.value).startswith(f"2 rows of the warehouse's contact table have no play ([contacts] play in "
                                         f"the mapping file; the first: contact id {first})")
