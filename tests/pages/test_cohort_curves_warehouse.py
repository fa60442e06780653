"""AppTest of the Cohort curves page (pages/cohort_curves.py) with a company's warehouse set
(``RETENTION_WAREHOUSE_URL``: a DuckDB file in the company's own shape, tests/company_warehouse.py) over a store
holding nothing: the page says where its figures come from, and its table, its segment pick, its downloads and its
survival equal the pandas computation on the same business; a mapping naming a column the warehouse lacks is one
plain message."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from core.cohorts import survival
from core.cohorts.table import cohort_table
from core.query import warehouse
from tests.company_warehouse import MAPPING, demo_business
from tests.pages.conftest import open_page
from tests.pages.downloads import downloads, recording


@pytest.fixture(scope="module")
def business(tmp_path_factory):
    """(the business's customers, their activity pairs, the warehouse's URL, an empty store's URL)."""
    b = demo_business(tmp_path_factory.mktemp("cohorts_warehouse"), 200, 7)
    return b.customers, b.pairs, b.url, b.empty_store


def _point(mp, url: str, folder, text: str = MAPPING) -> None:
    (folder / "map.toml").write_text(text, encoding="utf-8")
    mp.setenv(warehouse.URL_ENV, url)
    mp.setenv(warehouse.MAP_ENV, str(folder / "map.toml"))


def _table_caption(at) -> str:
    return next(c.value for c in at.caption if " customers in " in c.value)


def test_the_page_reads_the_warehouse_and_says_so(business, tmp_path):
    customers, pairs, url, store = business
    want = cohort_table(customers, pairs, cohort_by="first_activity", retained_by="activity")
    with pytest.MonkeyPatch.context() as mp, recording(mp) as made:
        _point(mp, url, tmp_path)
        at = open_page(mp, store, "cohort_curves", timeout=120)
        files = {name: data for _, name, data in downloads(at, made[-1])}
    assert at.info[0].value.startswith("Figures from the warehouse (duckdb), through map.toml, read only: counted "
                                       "in the warehouse")
    assert not at.error
    assert _table_caption(at).startswith(f"200 customers in {len(want.sizes)} cohorts, as of "
                                         f"{want.settings['as_of']}.")
    got = pd.read_csv(io.BytesIO(files["cohorts.csv"]), index_col=0)
    assert got["customers"].iloc[:-1].tolist() == want.sizes.tolist()
    values = got.drop(columns="customers").iloc[:-1]
    values.columns = values.columns.astype(int)
    pd.testing.assert_frame_equal(values, want.values, check_names=False, check_index_type=False,
                                  check_column_type=False, rtol=1e-12)
    summary = next(d.value for d in at.dataframe if "median_text" in d.value.columns)
    pd.testing.assert_frame_equal(summary, survival.kaplan_meier(survival.durations(customers)).summary,
                                  check_exact=False, rtol=1e-9)


def test_a_segment_picked_keeps_its_customers_in_the_table_and_survival(business, tmp_path, monkeypatch):
    customers, pairs, url, store = business
    _point(monkeypatch, url, tmp_path)
    at = open_page(monkeypatch, store, "cohort_curves", timeout=120)
    assert at.multiselect(key="cohorts_warehouse_segments").options == sorted(customers["segment"].unique())
    at.multiselect(key="cohorts_warehouse_segments").set_value(["SMB"]).run()
    assert not at.exception, at.exception
    smb = customers[customers["segment"] == "SMB"]
    want = cohort_table(smb, pairs, cohort_by="first_activity", retained_by="activity")
    assert _table_caption(at).startswith(f"{len(smb)} customers in {len(want.sizes)} cohorts")
    at.selectbox(key="cohorts_km_group").set_value("segment").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cohorts_km_group").options == ["All customers", "Segment"]
    summary = next(d.value for d in at.dataframe if "median_text" in d.value.columns)
    assert summary["group"].tolist() == ["SMB"] and summary["customers"].tolist() == [len(smb)]


def test_a_mapping_naming_a_missing_column_is_one_plain_message(business, tmp_path, monkeypatch):
    _point(monkeypatch, business[2], tmp_path, MAPPING.replace('"event_time"', '"event_ts"'))
    at = open_page(monkeypatch, business[3], "cohort_curves", timeout=120)
    # as the reader sees it: the names are escaped as data (Markdown backslashes removed)
    assert [re.sub(r"\\(.)", r"\1", e.value) for e in at.error] == [
        "Table analytics.events has no column \"event_ts\" ([activity] date = \"event_ts\" in map.toml); its columns "
        "are user_id, event_time, kind, minutes."]
    assert not at.get("vega_lite_chart") and not at.get("arrow_vega_lite_chart")
