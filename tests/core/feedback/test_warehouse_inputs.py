"""The Feedback themes page's inputs from a company's warehouse (core.feedback.warehouse_inputs): the texts of its
feedback and tickets mapped from its own tables (tests/company_warehouse.py, a DuckDB file: channels in capitals,
answers at odd hours, a shuffled account table) give the very verbatims, survey scores, customers, MRR and data end
the store gives of the same business; without ids the verbatims are numbered the same whatever order the warehouse
returns rows in; ``python -m core themes`` prints the store's lines from the warehouse (impact, scores, churn signals
with the warehouse's own health, backlog); a mapping without text is one plain line naming what to map."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

import core
from core.errors import DataValidationError, NoDataYetError
from core.feedback.inputs import load_inputs
from core.feedback.warehouse_inputs import NO_TEXT, NO_VERBATIMS, warehouse_feedback_inputs
from core.query import warehouse
from core.store.profile import profile
from tests.company_warehouse import PEOPLE, facts_business, run_cli, with_verbatims


@pytest.fixture(scope="module")
def business(tmp_path_factory, facts_demo_store):
    """(the store holding the business, the warehouse's URL, its mapping file with the texts, an empty store)."""
    folder = tmp_path_factory.mktemp("themes_warehouse")
    b = facts_business(folder, built=facts_demo_store)
    (folder / "themes.toml").write_text(with_verbatims(PEOPLE), encoding="utf-8")
    return b.store, b.url, folder / "themes.toml", b.empty_store


def _inputs(url: str, mapping):
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        return warehouse_feedback_inputs(wh)


def test_the_verbatims_scores_customers_and_mrr_are_the_stores(business):
    store, url, mapping, _ = business
    engine = core.make_engine(store)
    want = load_inputs(engine)
    engine.dispose()
    got = _inputs(url, mapping)
    for name in ("verbatims", "surveys", "customers"):
        pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True),
                                      getattr(want, name).reset_index(drop=True), obj=name)
    pd.testing.assert_series_equal(got.mrr.sort_index(), want.mrr.sort_index())
    assert got.end == want.end
    v = got.verbatims  # not vacuous: texts of both tables and several channels, their statuses and scores
    assert set(v["source"]) == {"feedback", "ticket"} and set(v["status"]) >= {"open", "closed"}
    assert v["channel"].nunique() >= 3 and v["score"].notna().any() and len(got.surveys) > 1000


def test_without_ids_the_verbatims_are_numbered_the_same_in_any_order(business, tmp_path):
    """Two copies of the feedback table in opposite orders, no id mapped: the same id for each text, numbered in the
    order of customer, date and text."""
    _, url, mapping, _ = business
    with duckdb.connect(url.removeprefix("duckdb://")) as con:
        for name, order in (("fwd", "entry_no"), ("back", "entry_no DESC")):
            con.execute(f"CREATE OR REPLACE TABLE cx.fb_{name} AS SELECT * FROM cx.feedback ORDER BY {order}")
    got = {}
    for name in ("fwd", "back"):
        text = mapping.read_text().replace('"cx.feedback"', f'"cx.fb_{name}"').replace('id = "entry_no"\n', "")
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
        v = _inputs(url, tmp_path / f"{name}.toml").verbatims
        got[name] = v[v["source"] == "feedback"].set_index("vid")[["customer_id", "date", "text"]].sort_index()
    pd.testing.assert_frame_equal(got["fwd"], got["back"])
    first = got["fwd"].loc["F1"]
    rows = got["fwd"].dropna(subset=["customer_id"])
    assert first["customer_id"] == min(rows["customer_id"])  # the first customer's earliest text


def _themes(capsys, store: str, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, store, "themes", *args)


def test_the_cli_prints_the_stores_lines_from_the_warehouse(business, capsys, monkeypatch):
    store, url, mapping, empty = business
    monkeypatch.setenv("RETENTION_ENGINE", "pandas")
    asks = ([], ["--scores"], ["--signals"], ["--backlog"])
    want = [_themes(capsys, store, *args) for args in asks]
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    for args, (code, out, err) in zip(asks, want, strict=True):
        assert code == 0 and len(out.splitlines()) > 5, args
        figures_from = "Figures from the warehouse (duckdb), through themes.toml.\n"
        got = _themes(capsys, empty, *args)
        if args == ["--backlog"]:  # the store's follow-up days and reopenings are not the warehouse's: no such columns
            assert got[0] == 0 and got[2] == figures_from + err and "days to close" not in got[1]
            assert len(got[1].splitlines()) == len(out.splitlines())
            assert all(mine.startswith(theirs) for mine, theirs in zip(out.splitlines(), got[1].splitlines()))
            continue
        assert got == (0, out, figures_from + err), args
    assert "health on " in want[2][2] and "health scores left out" not in want[2][2]  # the health is the warehouse's
    engine = core.make_engine(empty)
    assert profile(engine).holdings == ()  # nothing but the starter codebook was written to the store
    engine.dispose()


def test_a_mapping_without_text_is_one_plain_line(business, tmp_path, capsys, monkeypatch):
    _, url, mapping, empty = business
    (tmp_path / "m.toml").write_text(PEOPLE, encoding="utf-8")
    with pytest.raises(NoDataYetError) as refused:
        _inputs(url, tmp_path / "m.toml")
    assert str(refused.value) == NO_TEXT
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "m.toml"))
    code, out, err = _themes(capsys, empty)
    assert code != 0 and out == ""
    assert err.splitlines() == ["Figures from the warehouse (duckdb), through m.toml.", f"error: {NO_TEXT}"]
    # text mapped, but blank on every row of both tables
    with duckdb.connect(url.removeprefix("duckdb://")) as con:
        con.execute("CREATE OR REPLACE TABLE cx.fb_blank AS SELECT * REPLACE ('  ' AS comment) FROM cx.feedback")
        con.execute("CREATE OR REPLACE TABLE support.cases_blank AS SELECT * REPLACE (NULL::VARCHAR AS description) "
                    "FROM support.cases")
    (tmp_path / "m.toml").write_text(mapping.read_text().replace('"cx.feedback"', '"cx.fb_blank"')
                                     .replace('"support.cases"', '"support.cases_blank"'), encoding="utf-8")
    with pytest.raises(NoDataYetError) as refused:
        _inputs(url, tmp_path / "m.toml")
    assert str(refused.value) == NO_VERBATIMS
    (tmp_path / "m.toml").write_text(mapping.read_text().replace('satisfaction = "csat"', 'satisfaction = "state"'),
                                     encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"\[tickets\] satisfaction must be a number"):
        _inputs(url, tmp_path / "m.toml")
