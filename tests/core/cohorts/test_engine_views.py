"""The Cohort curves page's views counted by an engine (core.cohorts.engine_views) equal the rows' path as the page
builds it (core.cohorts.table on the column store's pairs, with the page's as-of rule written out here): the table
as of the reader's end date, the breakdown by a customer attribute and one cell's customers, for filtered
customers, on the 1,000-customer demo (embedded DuckDB over the column files) and on the CDNOW purchase log."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

import core
from core.cohorts import engine_views
from core.cohorts.settings import CohortSettings
from core.cohorts.table import cell_customers, cohort_table, compare_groups
from core.errors import DataValidationError, InsufficientDataError
from core.history import asof
from core.query import sources
from core.store import columnar
from tests.conftest import copy_store
from tests.core.cohorts.test_engine_counts import _same
from tests.pages import store_kinds

LOGO = [dict(cohort_by=c, retained_by=r, definition=d, period=p)
        for c, r, d, p in itertools.product(("signup", "first_activity"), ("activity", "subscription"),
                                            ("on", "on_or_after"), ("week", "month"))
        if not (r == "subscription" and d == "on_or_after")]
REVENUE = [dict(measure=m, cohort_by=c, retained_by=r, period="month")
           for m, c, r in itertools.product(("net_revenue", "gross_revenue"), ("signup", "first_activity"),
                                            ("activity", "subscription"))]
#: the reader's end dates: none (the data's end), inside the data, after it
ENDS = (None, "2025-09-14", "2031-01-01")


def _store(path):
    engine = core.make_engine(f"sqlite:///{path}")
    src = sources.embedded(engine)
    return engine, src, core.load_table(engine, "customer"), columnar.activity_pairs(engine), \
        core.load_table(engine, "revenue")


@pytest.fixture(scope="module")
def demo(small_demo_store, tmp_path_factory):
    engine, src, *frames = _store(copy_store(small_demo_store, tmp_path_factory.mktemp("views")))
    yield src, *frames
    src.close()
    engine.dispose()


def _kept(customers: pd.DataFrame) -> pd.DataFrame:
    """A reader's filter: two segments, signed up from 2024-03."""
    keep = customers["segment"].isin(sorted(customers["segment"].dropna().unique())[:2])
    return customers[keep & (customers["signup_date"] >= "2024-03-01")]


def _rows_path(customers, pairs, revenue, s: CohortSettings, end):
    """The page's rows path (ui/cohorts/cached._inputs): activity and revenue of these customers only when the
    settings read them, and the as-of day clamped to where their data ends."""
    ids = customers["customer_id"]
    act = pairs.subset(ids) if s.needs_activity else None
    rev = revenue[revenue["customer_id"].isin(set(ids))] if s.needs_revenue else None
    return act, rev, asof.clamp(end, asof.data_end(customers, act, rev))


@pytest.mark.parametrize(("opts", "end"), [(o, e) for o in LOGO for e in ENDS] + [(o, ENDS[1]) for o in REVENUE],
                         ids=lambda v: "-".join(v.values()) if isinstance(v, dict) else str(v))
def test_the_table_equals_the_rows_path_for_filtered_customers(demo, opts, end):
    src, customers, pairs, revenue = demo
    kept, s = _kept(customers), CohortSettings(**opts)
    act, rev, as_of = _rows_path(kept, pairs, revenue, s, end)
    _same(engine_views.table_until(src, kept, s, end), cohort_table(kept, act, rev, settings=CohortSettings(
        as_of=as_of, **opts)))


@pytest.mark.parametrize("opts", LOGO[:4] + REVENUE[:2], ids=lambda o: "-".join(o.values()))
def test_the_as_of_day_is_where_the_kept_customers_data_ends(demo, opts):
    """Customers who left before mid-2025: their data ends long before the store's, and so does their table."""
    src, customers, pairs, revenue = demo
    gone = customers[customers["churn_date"] < "2025-06-01"]
    s = CohortSettings(**opts)
    act, rev, as_of = _rows_path(gone, pairs, revenue, s, None)
    t = engine_views.table_until(src, gone, s)
    assert as_of < pd.Timestamp("2025-07-01") and t.settings["as_of"] == str(as_of.date())
    _same(t, cohort_table(gone, act, rev, settings=CohortSettings(as_of=as_of, **opts)))


@pytest.mark.parametrize("group", ["segment", "plan", "channel"])
@pytest.mark.parametrize("opts", [LOGO[0], LOGO[3], REVENUE[1]], ids=lambda o: "-".join(o.values()))
def test_the_breakdown_equals_the_rows_path(demo, opts, group):
    src, customers, pairs, revenue = demo
    s = CohortSettings(**opts)
    act, rev, as_of = _rows_path(customers, pairs, revenue, s, "2026-03-31")
    want = compare_groups(customers, act, rev, group=group, settings=CohortSettings(as_of=as_of, **opts))
    pd.testing.assert_frame_equal(engine_views.compare_groups_on(src, customers, s, group, "2026-03-31"), want,
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    assert want["group"].nunique() >= 2


def _rows_cell(customers, pairs, s: CohortSettings, cohort: str, k: int) -> pd.DataFrame:
    """The page's cell on the rows' path: the cell's customers, with the first and last active day of each."""
    act = pairs.subset(customers["customer_id"]) if s.needs_activity else None
    people = cell_customers(customers, act, cohort=cohort, k=k, settings=s)
    if act is not None and len(act):
        days = pd.DataFrame({"customer_id": act.ids[act.codes], "day": act.dates()})
        people = people.join(days.groupby("customer_id")["day"].agg(first_activity="min", last_activity="max"),
                             on="customer_id")
    return people


@pytest.mark.parametrize("opts", LOGO, ids=lambda o: "-".join(o.values()))
def test_a_cells_customers_equal_the_rows_path(demo, opts):
    src, customers, pairs, _ = demo
    kept, s = _kept(customers), CohortSettings(**opts)
    t = engine_views.table_until(src, kept, s)
    for cohort, k in ((t.values.index[0], 3), (t.values.index[len(t.values) // 2], 1), (t.values.index[-1], 0)):
        got = engine_views.cell_on(src, kept, s, cohort, k)
        want = _rows_cell(kept, pairs, s, cohort, k)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert int(got["retained"].sum()) == t.counts.loc[cohort, k] or not t.complete.loc[cohort, k]


def test_an_unknown_cohort_and_a_revenue_measure_without_revenue_are_plain_messages(demo):
    src, customers, *_ = demo
    with pytest.raises(DataValidationError, match="No cohort '1999-01'"):
        engine_views.cell_on(src, customers, CohortSettings(), "1999-01", 0)
    with pytest.raises(InsufficientDataError, match="recurring revenue"):
        engine_views.table_until(src, customers.iloc[:0], CohortSettings(measure="net_revenue"))


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    folder = tmp_path_factory.mktemp("views_cdnow")
    store_kinds.build("cdnow", folder)
    engine, src, *frames = _store(folder / "store.db")
    yield src, *frames
    src.close()
    engine.dispose()


@pytest.mark.parametrize("end", [None, "1997-09-30"])
@pytest.mark.parametrize("opts", [o for o in LOGO if o["cohort_by"] == "first_activity"],
                         ids=lambda o: "-".join(o.values()))
def test_the_purchase_logs_table_and_cells_equal_the_rows_path(cdnow, opts, end):
    src, customers, pairs, revenue = cdnow
    s = CohortSettings(**opts)
    act, rev, as_of = _rows_path(customers, pairs, revenue, s, end)
    t = engine_views.table_until(src, customers, s, end)
    _same(t, cohort_table(customers, act, rev, settings=CohortSettings(as_of=as_of, **opts)))
    cohort = t.values.index[1]
    pd.testing.assert_frame_equal(engine_views.cell_on(src, customers, s, cohort, 2),
                                  _rows_cell(customers, pairs, s, cohort, 2), check_dtype=False)


CLI_ARGS = {"defaults": [], "segment-as-of": ["--segment", "SMB", "--as-of", "2025-09-14"],
            "as-of-after-the-data": ["--as-of", "2031-01-01"],
            "revenue": ["--measure", "net_revenue", "--cohort-by", "signup", "--retained-by", "subscription"]}


@pytest.mark.parametrize("args", list(CLI_ARGS.values()), ids=list(CLI_ARGS))
def test_the_cli_table_is_the_pages_on_either_engine(small_demo_store, tmp_path, monkeypatch, capsys, args):
    """``python -m core cohorts`` follows RETENTION_ENGINE as the page does, with the page's as-of rule: the same
    table printed on pandas and on DuckDB, and a --as-of after the data clamped to where it ends."""
    from core.cli.main import main as cli
    from core.query import choice

    url = f"sqlite:///{copy_store(small_demo_store, tmp_path)}"
    monkeypatch.setenv(choice.ENGINE_ENV, "pandas")
    assert cli(["--db", url, "cohorts", *args]) == 0
    on_pandas = capsys.readouterr()
    calls = []
    original = engine_views.table_until
    monkeypatch.setattr(engine_views, "table_until", lambda *a, **k: calls.append(1) or original(*a, **k))
    monkeypatch.setenv(choice.ENGINE_ENV, "duckdb")
    assert cli(["--db", url, "cohorts", *args]) == 0
    assert capsys.readouterr().out == on_pandas.out and calls == [1]
    if "2031-01-01" in args:  # the same table as at the data's last day
        engine = core.make_engine(url)
        end = asof.data_end(core.load_table(engine, "customer"), columnar.activity_pairs(engine))
        engine.dispose()
        assert pd.Timestamp(end) < pd.Timestamp("2027-01-01")
        assert cli(["--db", url, "cohorts", "--as-of", str(end.date())]) == 0
        assert capsys.readouterr().out == on_pandas.out
