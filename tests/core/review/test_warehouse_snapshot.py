"""The quarterly review of a company's warehouse (core.review.warehouse_snapshot): on a 500-customer demo kept in a
store and, in the company's own shape, in a DuckDB file beside it (tests/company_warehouse.py, texts and contacts
mapped), every figure of every page (the Overview with its quarter's movements and MRR at risk, the churn model's
card and tiers, health and its back-test, survey scores and top themes, each play's effect and money) equals the
store's review of the same business, whose churn model is fitted and saved as the warehouse's review fits it; the
store's review compared with it names the other source and model as the causes; the warehouse's fingerprint is
stable and moves when a table does; ``python -m core report`` builds, saves and shows it from the warehouse."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

import core
from core.churn import pipeline as cr
from core.churn.horizon import default_horizon
from core.churn.store import save_fitted
from core.cli.format import text_table
from core.cli.report_actions import figure_rows
from core.history.inputs import load_inputs
from core.query import warehouse
from core.review import saved as review_saved
from core.review import snapshot as review
from core.review.compare import compare
from core.review.warehouse_snapshot import FITTED, build_on_warehouse, fingerprint
from tests.company_warehouse import CONTACTS, PEOPLE, facts_business, run_cli, with_verbatims
from tests.core.buyers import test_warehouse_purchases as wh_purchases
from tests.pages import store_kinds

QUARTER = "2026-Q3"
#: the one note that names where the churn model comes from (a saved version on the store)
MODEL_NOTE = "MRR at high churn risk"


@pytest.fixture(scope="module")
def business(tmp_path_factory, facts_demo_store):
    """(the store holding the business with its churn model saved, the warehouse's URL, the mapping file, an empty
    store, the store's review of the quarter)."""
    folder = tmp_path_factory.mktemp("review_warehouse")
    b = facts_business(folder, built=facts_demo_store)
    (folder / "all.toml").write_text(with_verbatims(PEOPLE) + CONTACTS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RETENTION_ENGINE", "pandas")
        engine = core.make_engine(b.store)
        inputs = load_inputs(engine, source=None)  # fitted as the warehouse's review fits: default horizon, economics
        save_fitted(engine, cr.fit_churn(inputs, horizon_days=default_horizon(None)), cr.default_economics(inputs),
                    "test")
        want = review.build(engine, QUARTER)
        engine.dispose()
    return b.store, b.url, folder / "all.toml", b.empty_store, want


def test_the_fingerprint_is_stable_and_moves_with_a_table(business, tmp_path):
    _, url, mapping, _, _ = business
    with warehouse.connect(url, warehouse.read_mapping(mapping)) as wh:
        first, again = fingerprint(wh), fingerprint(wh)
    assert first == again and len(first) == 64
    with duckdb.connect(url.removeprefix("duckdb://")) as con:
        con.execute("CREATE OR REPLACE TABLE marketing.fewer AS SELECT * FROM marketing.outreach "
                    "WHERE touch_id <> (SELECT max(touch_id) FROM marketing.outreach)")
    (tmp_path / "fewer.toml").write_text(mapping.read_text(encoding="utf-8").replace('"marketing.outreach"',
                                                                                   '"marketing.fewer"'),
                                         encoding="utf-8")
    with warehouse.connect(url, warehouse.read_mapping(tmp_path / "fewer.toml")) as wh:
        assert fingerprint(wh) != first  # one contact fewer


def _report(capsys, store: str, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, store, "report", *args)


def _cells(lines: list[str]) -> list[str]:
    """The printed table's lines, spaces closed up, without the note naming where the churn model comes from."""
    return [" ".join(r.split()) for r in lines if MODEL_NOTE not in r]


def test_the_cli_builds_saves_and_shows_the_warehouse_review_equal_to_the_stores(business, capsys, monkeypatch):
    """One build, through the CLI (saved, then read back): every figure equals the store's review, the printed lines
    are the store's, the comparison names the other source and model."""
    _, url, mapping, empty, want = business
    monkeypatch.setenv(warehouse.URL_ENV, url)
    monkeypatch.setenv(warehouse.MAP_ENV, str(mapping))
    code, out, err = _report(capsys, empty, "--quarter", QUARTER, "--save")
    assert code == 0 and err == "Figures from the warehouse (duckdb), through all.toml.\n"
    header, *rows = out.splitlines()
    assert header.startswith(f"{QUARTER} as of 2026-09-30; data ") and f"churn model {FITTED}" in header
    assert header.endswith("saved as snapshot 1")
    engine = core.make_engine(empty)
    got = review_saved.load(engine, 1)
    engine.dispose()
    assert got.as_of == want.as_of and got.quarter == want.quarter
    g, w = got.figures, want.figures
    pd.testing.assert_frame_equal(g.drop(columns=["text"]), w.drop(columns=["text"]), rtol=1e-9, atol=1e-9)
    same = g["metric"] != MODEL_NOTE
    assert g.loc[same, "text"].tolist() == w.loc[same, "text"].tolist()
    assert "fitted on the warehouse" in g.loc[~same, "text"].iloc[0]
    assert set(g["page"]) == set(review.PAGES) and len(g) > 60  # every page, not vacuous
    assert np.isfinite(g.loc[g["metric"] == "ROC-AUC", "value"]).all()
    pd.testing.assert_frame_equal(got.at_risk, want.at_risk, check_dtype=False)
    assert got.versions["churn_model"] is None and got.versions["churn_fit"] == FITTED
    assert got.versions["health_settings"] == want.versions["health_settings"]
    # the store's lines, but for the note naming the saved model (the columns as wide as the widest note)
    printed = text_table(("page", "metric", "group", "value", "95% CI", "note"), figure_rows(w)).splitlines()
    assert _cells(rows) == _cells(printed) and len(rows) > 60
    # the store's review against the warehouse's: each move's cause names the other source and the model
    causes = compare(want, got).set_index(["page", "metric", "group"])["cause"]
    source = "another source (the store -> the warehouse (duckdb), through all.toml)"
    assert causes.str.startswith(source).all() and "new data" not in causes.str.cat()
    assert causes.loc["Churn drivers"].str.endswith(f"churn model v1 -> {FITTED}").all()
    code, shown, _ = _report(capsys, empty, "--snapshot", "1")
    assert code == 0 and shown.splitlines()[1:len(rows) + 1] == rows


def test_a_purchase_log_s_review_on_the_warehouse_is_the_stores(tmp_path):
    """The CDNOW sample laid out as a company's (tests/core/buyers/test_warehouse_purchases.py, its orders mapped as
    [activity] too): the review of 1998-Q1 built on the warehouse equals the store's, figure for figure; both fit
    the churn model within the lapse period proposed from the buyers' gaps (the page's default horizon), and both
    record that period as the review's assumption."""
    folder = tmp_path / "store"
    folder.mkdir()
    store = store_kinds.build("cdnow_sample", folder)
    engine = core.make_engine(store)
    url = wh_purchases._warehouse(engine, tmp_path / "company.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RETENTION_ENGINE", "pandas")
        inputs = load_inputs(engine, source=None)
        horizon = default_horizon(inputs.lapse.days, inputs.customers["signup_date"].min(), inputs.end())
        assert horizon == inputs.lapse.days == 210
        save_fitted(engine, cr.fit_churn(inputs, horizon_days=horizon), cr.default_economics(inputs), "test")
        want = review.build(engine, "1998-Q1")
    engine.dispose()
    empty = core.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    (tmp_path / "map.toml").write_text(wh_purchases.MAP + wh_purchases.ACTIVITY, encoding="utf-8")
    mapping = warehouse.read_mapping(tmp_path / "map.toml")
    with warehouse.connect(url, mapping) as src:
        got = build_on_warehouse(empty, src, "1998-Q1")
    empty.dispose()
    g, w = got.figures, want.figures
    assert set(g["page"]) == {"Overview", "Churn drivers", "Health scores"} and len(g) == len(w) == 26
    assert (g.loc[g["metric"] == "ROC-AUC", "page"] == "Churn drivers").any()
    pd.testing.assert_frame_equal(g.drop(columns=["text"]), w.drop(columns=["text"]), rtol=1e-9, atol=1e-9)
    assert g["text"].iloc[1:].tolist() == w["text"].iloc[1:].tolist()
    # the first figure's note says what the Overview cannot show, in the warehouse's words
    assert w["text"].iloc[0].startswith("There is no recurring revenue in this store: it is a purchase log")
    assert g["text"].iloc[0].startswith("The warehouse's revenue holds no MRR, so it is a purchase log")
    assert got.versions["lapse"] == want.versions["lapse"] and got.versions["lapse"]["days"] == 210
