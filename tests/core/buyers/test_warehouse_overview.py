"""The Overview's rule on a company's warehouse (core.buyers.warehouse_overview): a DuckDB file laid out the way a
company's would be (tests/company_warehouse.py) gives, figure for figure, the Overview the store's pandas path
builds of the same business (headline, changes, sparklines, MRR movements), as of its last month with MRR or an
earlier day; a mapping without MRR or churn dates says what it cannot show and what to map; ``python -m core
overview`` prints the store's lines from the warehouse and refuses the options that read the store."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import core
from core.buyers import warehouse_overview as wo
from core.buyers.overview import build
from core.cli.main import main as cli
from core.history import asof
from core.history.movements import mrr_movements
from core.query import warehouse
from core.store.profile import profile
from core.store.read import load_columns
from tests.company_warehouse import MAPPING, demo_business


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    """(the store's URL, its customers and revenue rows, the warehouse's URL, an empty store's URL)."""
    folder = tmp_path_factory.mktemp("wh_overview")
    b = demo_business(folder, 200, 5)
    store = f"sqlite:///{folder / 'business.db'}"
    engine = core.make_engine(store)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    engine.dispose()
    return store, customers, revenue, b.url, b.empty_store


def _open(url: str, tmp_path, text: str = MAPPING):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return warehouse.connect(url, warehouse.read_mapping(path))


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _same_overview(got, want) -> None:
    assert got.notes == want.notes
    assert len(got.sections) == len(want.sections) == 1
    for g, w in zip(got.sections, want.sections, strict=True):
        assert (g.key, g.title, g.caption, g.as_of) == (w.key, w.title, w.caption, w.as_of)
        assert [f.label for f in g.figures] == [f.label for f in w.figures]
        for fg, fw in zip(g.figures, w.figures, strict=True):
            assert _close(fg.value, fw.value) and _close(fg.previous, fw.previous), fg.label
            assert (fg.text, fg.delta, fg.versus) == (fw.text, fw.delta, fw.versus), fg.label
        pd.testing.assert_frame_equal(g.trend, w.trend, check_exact=False, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("end, start", [(None, None), ("2025-03-15", "2023-03-01")])
def test_the_overview_equals_the_stores(business, tmp_path, end, start):
    store, customers, revenue, url, _ = business
    engine = core.make_engine(store)
    want = build(profile(engine), customers, revenue, None, end, start)
    engine.dispose()
    with _open(url, tmp_path) as wh:
        got = wo.overview(wh, end, start)
    _same_overview(got, want)
    figures = {f.label: f.value for f in got.sections[0].figures}
    month = pd.Timestamp(got.sections[0].as_of).to_period("M")
    # not vacuous: the MRR tile is the month's MRR added up from the store's rows, and ARR twelve times it
    assert figures["MRR"] == pytest.approx(revenue.loc[revenue["period"].dt.to_period("M") == month, "mrr"].sum())
    assert figures["ARR"] == pytest.approx(12 * figures["MRR"]) and figures["MRR"] > 0
    assert len(got.sections[0].trend) == 12 or start is not None  # the sparklines' 12 months by default


@pytest.mark.parametrize("end", [None, "2025-03-15"])
def test_the_movements_are_the_stores_12_months_to_the_as_of_month(business, tmp_path, end):
    _, customers, revenue, url, _ = business
    as_of = asof.clamp(end, asof.as_of_month(customers, revenue))
    want = mrr_movements(revenue, start=asof.window(as_of).start, end=as_of)
    with _open(url, tmp_path) as wh:
        got = wo.movements(wh, end)
    assert len(got) == 12 and got["month"].iloc[-1] == pd.Timestamp(as_of).to_period("M").to_timestamp()
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-9)


def test_without_mrr_the_customer_figures_show_and_the_note_says_what_to_map(business, tmp_path):
    _, customers, _, url, _ = business
    with _open(url, tmp_path, MAPPING.split("[revenue]")[0]) as wh:
        ov = wo.overview(wh)
        assert wo.movements(wh).empty
    assert ov.notes == (wo.NO_MRR,)
    (section,) = ov.sections
    assert section.key == "customers" and [f.label for f in section.figures] == \
        ["Customers", "Active customers", "Logo churn rate"]
    assert section.figures[0].value == len(customers)
    without = MAPPING.split("[revenue]")[0].replace('churn_date = "cancelled_at"\n', "")
    with _open(url, tmp_path, without) as wh:
        ov = wo.overview(wh)
    assert ov.notes == (wo.NO_MRR + wo.NO_CHURN,)
    assert [f.label for f in ov.sections[0].figures] == ["Customers"]


def _overview(capsys, store: str, *extra: str) -> tuple[int, str, str]:
    code = cli(["--db", store, "overview", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_prints_the_stores_lines_from_the_warehouse(business, tmp_path, capsys, monkeypatch):
    store, _, _, url, empty = business
    code, want, _ = _overview(capsys, store, "--movements", "--as-of", "2025-03-15")
    assert code == 0
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "map.toml"))
    code, got, err = _overview(capsys, empty, "--movements", "--as-of", "2025-03-15")
    assert code == 0 and err.startswith("Figures from the warehouse (duckdb), through map.toml.")
    head = lambda text: "Recurring revenue:" + text.split("\nMRR at risk")[0].split("Recurring revenue:", 1)[1]  # noqa: E731
    assert head(got) == head(want) and "\n  MRR " in head(got) and "\n  NRR " in head(got)
    assert got.split("\nMRR movements")[1] == want.split("\nMRR movements")[1]
    assert f"MRR at risk: {wo.AT_RISK}" in got
    for option in (["--at-risk-out", str(tmp_path / "x.csv")], ["--cohorts"]):
        code, out, err = _overview(capsys, empty, *option)
        assert code == 2 and out == "" and "not used with a warehouse" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.csv").exists()
    engine = core.make_engine(empty)
    assert profile(engine).holdings == ()  # nothing was written to the store
    engine.dispose()
