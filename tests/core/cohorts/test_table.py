"""Cohort tables against independent computations: the CDNOW log and hand-made books."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cli.main import main
from core.cohorts import activity, membership
from core.cohorts import settings as cs
from core.cohorts.defaults import LABELS
from core.cohorts.table import (
    DEFINITIONS_TEXT,
    CohortSettings,
    cell_customers,
    cohort_table,
    compare_groups,
    period_across_cohorts,
)
from core.errors import DataValidationError
from core.store.columnar import ActivityPairs
from tests.pages import store_kinds


@pytest.fixture(scope="module")
def cdnow(shared):
    raw = pd.read_csv(shared / "cdnow/CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    first = raw.groupby("customer_id")["date"].min()
    customers = pd.DataFrame({"customer_id": first.index, "signup_date": first.to_numpy(), "churn_date": pd.NaT})
    return raw, customers


def independent_cdnow(raw: pd.DataFrame) -> pd.DataFrame:
    """Share of each first-purchase month's customers who bought in month k (written apart from core)."""
    month = raw["date"].dt.to_period("M")
    cohort = month.groupby(raw["customer_id"]).transform("min")
    k = (month - cohort).apply(lambda off: off.n)
    active = pd.DataFrame({"cohort": cohort.astype(str), "k": k, "c": raw["customer_id"]}).drop_duplicates()
    counts = active.groupby(["cohort", "k"])["c"].nunique().unstack(fill_value=0)
    return counts.div(counts[0], axis=0)


def test_cdnow_monthly_logo_retention_matches_independent(cdnow):
    raw, customers = cdnow
    t = cohort_table(customers, raw[["customer_id", "date"]], cohort_by="first_activity", period="month",
                     retained_by="activity", definition="on", as_of="1998-06-30")
    expected = independent_cdnow(raw)
    assert list(t.values.index) == ["1997-01", "1997-02", "1997-03"]  # the 12-week acquisition panel
    assert t.sizes.sum() == 23570
    got = t.values.loc[expected.index, expected.columns]
    # all of CDNOW's periods are complete by 1998-06-30, except what lies past it
    pd.testing.assert_frame_equal(got.where(t.complete.loc[expected.index, expected.columns]),
                                  expected.where(t.complete.loc[expected.index, expected.columns]),
                                  check_names=False, check_dtype=False, atol=1e-12)
    assert (t.values[0] == 1.0).all()
    # the Jan cohort reaches month 17 (Jun 1998); the Mar cohort only month 15
    assert t.complete.loc["1997-01", 17] and not t.complete.loc["1997-03", 16]


def test_cdnow_on_or_after_never_rises(cdnow):
    raw, customers = cdnow
    t = cohort_table(customers, raw[["customer_id", "date"]], cohort_by="first_activity",
                     retained_by="activity", definition="on_or_after", as_of="1998-06-30")
    diffs = t.values.diff(axis=1).iloc[:, 1:]
    assert (diffs.fillna(0) <= 1e-12).all().all()
    on = cohort_table(customers, raw[["customer_id", "date"]], cohort_by="first_activity",
                      retained_by="activity", definition="on", as_of="1998-06-30")
    assert (t.values.fillna(0) >= on.values.fillna(0) - 1e-12).all().all()


# A hand-made subscription book, as-of 2024-04-15 (so April is incomplete).
BOOK = pd.DataFrame({
    "customer_id": list("ABCDEFG"),
    "signup_date": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-01-31", "2024-02-10", "2024-02-11",
                                   "2024-03-05", "2024-04-02"]),
    "churn_date": pd.to_datetime([None, "2024-02-14", "2024-03-31", None, "2024-02-28", None, None]),
})


def test_subscription_book_by_hand():
    t = cohort_table(BOOK, as_of="2024-04-15", min_size=3)
    # Jan cohort A, B, C: Feb (k=1): A, B (churned during Feb), C -> 3; Mar (k=2): A, C -> 2
    # Feb cohort D, E: Mar (k=1): D -> 1 ; Mar cohort F: only k=0 complete; Apr cohort G: nothing complete
    assert t.sizes.to_dict() == {"2024-01": 3, "2024-02": 2, "2024-03": 1, "2024-04": 1}
    assert t.counts.loc["2024-01"].tolist() == [3, 3, 2]
    assert t.counts.loc["2024-02"].tolist()[:2] == [2, 1] and np.isnan(t.counts.loc["2024-02", 2])
    assert t.values.loc["2024-03"].isna().tolist() == [False, True, True]
    assert t.values.loc["2024-04"].isna().all()          # April has not ended: no cell counts
    assert not t.complete.loc["2024-04", 0]
    # averages use only the cohorts that reached the period
    assert t.average[1] == pytest.approx((3 + 1) / (3 + 2))   # weighted
    simple = cohort_table(BOOK, as_of="2024-04-15", weighting="simple")
    assert simple.average[1] == pytest.approx((1.0 + 0.5) / 2)
    assert t.average[2] == pytest.approx(2 / 3)
    assert t.small.to_dict() == {"2024-01": False, "2024-02": True, "2024-03": True, "2024-04": True}
    prev = cohort_table(BOOK, as_of="2024-04-15", base="previous")
    assert prev.values.loc["2024-01"].tolist() == pytest.approx([1.0, 1.0, 2 / 3])
    count = cohort_table(BOOK, as_of="2024-04-15", measure="count")
    assert count.values.loc["2024-01"].tolist() == [3, 3, 2]
    assert period_across_cohorts(t, 1).to_dict() == pytest.approx({"2024-01": 1.0, "2024-02": 0.5})


def test_revenue_retention_net_counts_expansion_gross_does_not():
    rev = pd.DataFrame({"customer_id": ["A", "A", "B", "B", "C", "C"],
                        "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-02-01",
                                                  "2024-01-01", "2024-02-01"]),
                        "mrr": [100.0, 150.0, 100.0, 40.0, 100.0, 0.0]})
    book = BOOK.iloc[:3]
    net = cohort_table(book, revenue=rev, measure="net_revenue", as_of="2024-02-29")
    gross = cohort_table(book, revenue=rev, measure="gross_revenue", as_of="2024-02-29")
    assert net.values.loc["2024-01", 1] == pytest.approx(190 / 300)
    assert gross.values.loc["2024-01", 1] == pytest.approx(140 / 300)
    assert net.values.loc["2024-01", 0] == gross.values.loc["2024-01", 0] == pytest.approx(1.0)


def test_default_as_of_is_the_data_end_and_iso_text_reads_like_typed_dates():
    """Without ``as_of`` the table ends where the data does: G's signup on 2024-04-02, or with revenue the end of
    its last month (May); ISO text with None churn dates (SQLite's raw form) gives the same table as typed dates."""
    rev = pd.DataFrame({"customer_id": ["A", "A", "D"], "period": pd.to_datetime(["2024-01-01", "2024-02-01",
                                                                                  "2024-05-01"]),
                        "mrr": [100.0, 120.0, 80.0]})
    text = BOOK.assign(signup_date=BOOK["signup_date"].dt.strftime("%Y-%m-%d"),
                       churn_date=[None if pd.isna(d) else f"{d:%Y-%m-%d}" for d in BOOK["churn_date"]])
    text_rev = rev.assign(period=rev["period"].dt.strftime("%Y-%m-%d"))
    assert cohort_table(BOOK).settings["as_of"] == "2024-04-02"
    for measure in ("logo", "net_revenue"):
        typed = cohort_table(BOOK, revenue=rev, measure=measure)
        assert typed.settings["as_of"] == "2024-05-31"
        got = cohort_table(text, revenue=text_rev, measure=measure)
        pd.testing.assert_frame_equal(got.values, typed.values)
        assert got.settings == typed.settings
    groups = compare_groups(text.assign(segment="SMB"), revenue=text_rev, measure="net_revenue", group="segment")
    assert groups["value"].tolist() == pytest.approx(typed.average.dropna().tolist())
    assert groups["period"].max() == 4  # January to May, which is whole on 2024-05-31


def test_weekly_and_quarterly_periods_and_clear_errors():
    w = cohort_table(BOOK, period="week", as_of="2024-04-15")
    assert w.values.iloc[:, 0].dropna().eq(1.0).all()
    assert w.values.index[0] == "2024-01-01"  # weeks start on Monday
    q = cohort_table(BOOK, period="quarter", as_of="2024-06-30")
    assert list(q.values.index) == ["2024-Q1", "2024-Q2"] and q.sizes.tolist() == [6, 1]
    with pytest.raises(DataValidationError, match="Unknown period"):
        cohort_table(BOOK, period="fortnight")
    with pytest.raises(DataValidationError, match="needs activity data"):
        cohort_table(BOOK, retained_by="activity")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 700), st.one_of(st.none(), st.integers(0, 400))), min_size=1, max_size=60))
def test_properties_start_at_one_never_rise_and_sizes_add_up(rows):
    start = pd.Timestamp("2022-01-01")
    signup = [start + pd.Timedelta(days=s) for s, _ in rows]
    churn = [None if c is None else start + pd.Timedelta(days=s + c) for s, c in rows]
    book = pd.DataFrame({"customer_id": [f"c{i}" for i in range(len(rows))], "signup_date": signup,
                         "churn_date": pd.to_datetime(churn)})
    t = cohort_table(book, as_of="2024-06-30")
    assert t.sizes.sum() == len(book)
    first = t.values[0].dropna()
    assert (first == 1.0).all()
    assert (t.values.diff(axis=1).iloc[:, 1:].fillna(0) <= 1e-12).all().all()


def test_cli_cohorts_on_the_cdnow_store(tmp_path, capsys, shared, cdnow):
    url = store_kinds.build("cdnow", tmp_path)  # the run's one import of the log (as the CLI imports it), copied
    capsys.readouterr()
    assert main(["--db", url, "cohorts", "--cohort-by", "first_activity", "--retained-by", "activity",
                 "--as-of", "1998-06-30"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0)
    expected = independent_cdnow(cdnow[0])
    first_month = cdnow[0].groupby("customer_id")["date"].min().dt.to_period("M").astype(str)
    assert table.loc["1997-01", "customers"] == (first_month == "1997-01").sum()
    assert table.loc[["1997-01", "1997-02", "1997-03"], "customers"].sum() == 23570
    assert table.loc["1997-02", "3"] == pytest.approx(expected.loc["1997-02", 3], abs=1e-4)
    out = tmp_path / "c.xlsx"
    assert main(["--db", url, "cohorts", "--period", "quarter", "--out", str(out)]) == 0
    assert pd.read_excel(out, index_col=0).loc["1997-Q1", "customers"] == 23570
    assert main(["--db", url, "cohorts", "--measure", "net_revenue"]) == 2  # no recurring revenue: clear error
    assert "recurring revenue" in capsys.readouterr().err


def test_cell_customers_match_the_cell_counts(cdnow):
    raw, customers = cdnow
    act = raw[["customer_id", "date"]]
    opts = dict(cohort_by="first_activity", retained_by="activity", definition="on")
    t = cohort_table(customers, act, as_of="1998-06-30", **opts)
    for cohort, k in (("1997-01", 0), ("1997-02", 3), ("1997-03", 12)):
        cell = cell_customers(customers, act, cohort=cohort, k=k, **opts)
        assert len(cell) == t.sizes[cohort]
        assert cell["retained"].sum() == t.counts.loc[cohort, k]
    sub = cell_customers(BOOK, cohort="2024-01", k=2)
    assert sub.loc[sub["retained"], "customer_id"].tolist() == ["A", "C"]


def test_compare_groups_gives_each_groups_average_curve():
    book = BOOK.assign(segment=["SMB", "SMB", "Ent", "Ent", "SMB", "Ent", "SMB"])
    g = compare_groups(book, group="segment", as_of="2024-04-15")
    ent = cohort_table(book[book["segment"] == "Ent"], as_of="2024-04-15").average.dropna()
    got = g[g["group"] == "Ent"].set_index("period")["value"]
    pd.testing.assert_series_equal(got, ent, check_names=False, check_index_type=False)
    assert set(g["group"]) == {"SMB", "Ent"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 500)), min_size=1, max_size=200))
def test_activity_properties_on_or_after_never_rises_and_first_period_is_full(events):
    """Random purchase logs: cohorts by first activity start at 100 %, 'on or after' never rises,
    'on' never exceeds 'on or after', and cohort sizes add up to the customers with activity."""
    start = pd.Timestamp("2023-01-01")
    act = pd.DataFrame({"customer_id": [f"c{c}" for c, _ in events],
                        "date": [start + pd.Timedelta(days=d) for _, d in events]})
    customers = pd.DataFrame({"customer_id": sorted(act["customer_id"].unique()), "signup_date": pd.NaT,
                              "churn_date": pd.NaT})
    opts = dict(cohort_by="first_activity", retained_by="activity", as_of="2024-12-31")
    after = cohort_table(customers, act, definition="on_or_after", **opts)
    on = cohort_table(customers, act, definition="on", **opts)
    assert after.sizes.sum() == len(customers)
    assert (after.values[0].dropna() == 1.0).all() and (on.values[0].dropna() == 1.0).all()
    assert (after.values.diff(axis=1).iloc[:, 1:].fillna(0) <= 1e-12).all().all()
    assert (on.values.fillna(0) <= after.values.fillna(0) + 1e-12).all().all()


def test_the_table_carries_its_settings_for_the_export_and_options_replace_fields():
    """The settings sheet of every workbook: the same nine keys in this order (``max_periods`` is not one)."""
    s = CohortSettings(period="week", base="previous", as_of="2024-04-15", min_size=3, weighting="simple",
                       max_periods=4)
    t = cohort_table(BOOK, settings=s)
    assert list(t.settings.items()) == [("cohort_by", "signup"), ("period", "week"), ("measure", "logo"),
                                        ("definition", "on"), ("retained_by", "subscription"), ("base", "previous"),
                                        ("as_of", "2024-04-15"), ("min_size", 3), ("weighting", "simple")]
    assert t.values.columns.tolist() == [0, 1, 2, 3, 4]
    kw = cohort_table(BOOK, period="week", base="previous", as_of="2024-04-15", min_size=3, weighting="simple",
                      max_periods=4)
    pd.testing.assert_frame_equal(kw.values, t.values)
    assert kw.settings == t.settings
    month = cohort_table(BOOK, settings=s, period="month")
    assert month.settings["period"] == "month" and month.values.index[0] == "2024-01"


def _pairs(act: pd.DataFrame) -> ActivityPairs:
    ids = pd.Index(sorted(act["customer_id"].unique()), dtype=object)
    days = (act["date"].to_numpy(dtype="datetime64[D]") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    return ActivityPairs(ids, ids.get_indexer(act["customer_id"]), days)


def test_sort_paths_give_the_bitmap_paths_tables(cdnow, monkeypatch):
    """Past BITMAP_CELLS customer x period cells the counts come from sorted pairs instead of a bitmap: the same
    tables, also when ``max_periods`` ends the grid before a customer's last activity ('on or after' counts it)."""
    raw, customers = cdnow
    act = raw[["customer_id", "date"]]
    cases = [CohortSettings(cohort_by="first_activity", retained_by="activity", definition="on", as_of="1998-06-30"),
             CohortSettings(cohort_by="first_activity", retained_by="activity", definition="on_or_after",
                            max_periods=5),
             CohortSettings(retained_by="activity", definition="on", period="week", max_periods=20),
             CohortSettings(retained_by="activity", definition="on_or_after", period="quarter")]
    by_segment = customers.assign(segment=np.array(["A", "B", "C"])[np.arange(len(customers)) % 3])
    pairs = _pairs(act)
    want = [cohort_table(customers, act, settings=s) for s in cases]
    want_groups = compare_groups(by_segment, pairs, group="segment", settings=cases[1])
    monkeypatch.setattr(membership, "BITMAP_CELLS", 0)
    monkeypatch.setattr(activity, "BITMAP_CELLS", 0)
    for s, expected in zip(cases, want):
        got = cohort_table(customers, act, settings=s)
        pd.testing.assert_frame_equal(got.values, expected.values, check_exact=True)
        pd.testing.assert_frame_equal(got.counts, expected.counts, check_exact=True)
        pd.testing.assert_series_equal(got.sizes, expected.sizes)
    pd.testing.assert_frame_equal(compare_groups(by_segment, pairs, group="segment", settings=cases[1]), want_groups,
                                  check_exact=True)


def test_what_the_choices_mean_is_in_the_widgets_words_not_option_codes():
    """The "What the choices mean" text on the page names each choice as its widget shows it (the plain words of
    core.cohorts.defaults.LABELS), never by a settings code such as first_activity."""
    codes = {c for choices in (cs.COHORT_BY, cs.MEASURES, cs.DEFINITIONS, cs.RETAINED_BY, cs.BASES, cs.WEIGHTINGS)
             for c in choices if "_" in c}
    assert codes == {"first_activity", "net_revenue", "gross_revenue", "on_or_after"}
    text = " ".join(f"{name} {words}" for name, words in DEFINITIONS_TEXT.items())
    assert sorted(c for c in codes if c in text) == []
    for setting in ("cohort_by", "retained_by", "definition", "base", "weighting"):
        for words in LABELS[setting].values():
            assert f'"{words}"' in text, words
