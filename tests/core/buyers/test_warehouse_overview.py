"""The Overview's rule on a company's warehouse (core.buyers.warehouse_overview): a DuckDB file laid out the way a
company's would be (tests/company_warehouse.py) gives, figure for figure, the Overview the store's pandas path
builds of the same business (headline, changes, sparklines, MRR movements), as of its last month with MRR or an
earlier day; a mapping without MRR or churn dates says what it cannot show and what to map; MRR at risk
(core.review.warehouse_at_risk) is the store's, MRR in red under the store's health configuration and MRR at high
churn risk from a model fitted on the warehouse; ``python -m core overview`` prints the store's lines from the
warehouse, writes the same customers behind MRR at risk and refuses the options that read a purchase log."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import core
from core.buyers import warehouse_overview as wo
from core.buyers.overview import build
from core.churn.pipeline import TIERS, default_economics, fit_churn
from core.churn.store import current_tiers
from core.cli.main import main as cli
from core.history import asof
from core.history.movements import mrr_movements
from core.history.warehouse_inputs import warehouse_inputs
from core.query import warehouse
from core.review import warehouse_at_risk
from core.store.profile import profile
from core.store.read import load_columns
from tests.company_warehouse import PEOPLE, facts_business


@pytest.fixture(scope="module")
def business(tmp_path_factory, facts_demo_store):
    """(the store's URL, its customers and revenue rows, the warehouse's URL, an empty store's URL)."""
    folder = tmp_path_factory.mktemp("wh_overview")
    b = facts_business(folder, built=facts_demo_store)
    store = b.store
    engine = core.make_engine(store)
    customers = load_columns(engine, "customer", ["customer_id", "signup_date", "churn_date"])
    revenue = load_columns(engine, "revenue", ["customer_id", "period", "mrr"])
    engine.dispose()
    return store, customers, revenue, b.url, b.empty_store


def _open(url: str, tmp_path, text: str = PEOPLE):
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
    with _open(url, tmp_path, PEOPLE.split("[revenue]")[0]) as wh:
        ov = wo.overview(wh)
        assert wo.movements(wh).empty
    assert ov.notes == (wo.NO_MRR,)
    (section,) = ov.sections
    assert section.key == "customers" and [f.label for f in section.figures] == \
        ["Customers", "Active customers", "Logo churn rate"]
    assert section.figures[0].value == len(customers)
    without = PEOPLE.split("[revenue]")[0].replace('churn_date = "cancelled_at"\n', "")
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
    code, want, _ = _overview(capsys, store, "--movements", "--as-of", "2025-03-15", "--at-risk-out",
                              str(tmp_path / "store.csv"))
    assert code == 0
    (tmp_path / "map.toml").write_text(PEOPLE, encoding="utf-8")
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(tmp_path / "map.toml"))
    code, got, err = _overview(capsys, empty, "--movements", "--as-of", "2025-03-15", "--at-risk-out",
                               str(tmp_path / "warehouse.csv"))
    assert code == 0 and err.startswith("Figures from the warehouse (duckdb), through map.toml.")
    head = lambda text: "Recurring revenue:" + text.split("\nMRR at risk")[0].split("Recurring revenue:", 1)[1]  # noqa: E731
    assert head(got) == head(want) and "\n  MRR " in head(got) and "\n  NRR " in head(got)
    assert got.split("\nMRR movements")[1] == want.split("\nMRR movements")[1]
    red = lambda text: next(line for line in text.splitlines() if line.startswith("  MRR in red"))  # noqa: E731
    assert red(got) == red(want) and "customers in the red health band" in red(got)
    assert warehouse_at_risk.NOT_FITTED in got  # no churn model fitted on the warehouse here
    written = pd.read_csv(tmp_path / "warehouse.csv", dtype=str)
    assert len(written) > 0 and written.equals(pd.read_csv(tmp_path / "store.csv", dtype=str))
    code, out, err = _overview(capsys, empty, "--cohorts")
    assert code == 2 and out == "" and "the mapping names no purchases" in err and len(err.splitlines()) == 1
    engine = core.make_engine(empty)
    assert profile(engine).holdings == ()  # nothing was written to the store
    engine.dispose()


def test_mrr_at_high_churn_risk_is_the_fitted_models_high_tier(business, tmp_path):
    """With a model fitted on the warehouse, the figure is its high-risk tier's MRR, as a saved model's scores give
    it on the store (the same fit on the same business: tests/pages/test_churn_drivers_warehouse.py)."""
    _, customers, revenue, url, _ = business
    with _open(url, tmp_path) as wh:
        inputs = warehouse_inputs(wh)
        result = fit_churn(inputs, horizon_days=90)
        economics = default_economics(inputs)
        as_of = wo.overview(wh).sections[0].as_of
        churn = warehouse_at_risk.churn_risk((result, economics), inputs.customers, inputs.revenue, as_of)
    _, tiers = current_tiers(result, economics)
    high = set(result.current.customer_id.astype(str)[[t == TIERS[0] for t in tiers]])
    month = revenue[revenue["period"].dt.to_period("M") == pd.Timestamp(as_of).to_period("M")]
    assert churn.value == pytest.approx(month.loc[month["customer_id"].isin(high), "mrr"].sum())
    assert set(churn.customers["customer_id"]) == high & set(customers["customer_id"]) and len(high) > 0
    assert churn.note.startswith(f"{len(churn.customers)} customers in the high-risk tier of the churn model fitted")
