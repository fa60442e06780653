"""Lapse churn of a purchase log (core/buyers/lapse.py): the proposed N and each buyer's churn date equal an
independent pandas computation (generated logs and CDNOW), a planted bug is caught by that comparison, and the one
place churn dates are read (core.history.inputs.load_inputs) applies the rule on a purchase log only, so the churn
model and the health back-test see churners there."""

import numpy as np
import pandas as pd
import pytest

import core
from core.buyers import lapse, lapse_setting, overview
from core.buyers.purchases import load_purchase_log
from core.errors import DataValidationError
from core.export import units
from core.health import backtest as hb
from core.history.inputs import load_inputs
from core.review import figures
from core.store.profile import profile
from tests.pages import store_kinds

CDNOW = "cdnow/CDNOW_master.txt"


def _log(seed: int = 0, customers: int = 300) -> pd.DataFrame:
    """A seeded purchase log: customers buying at their own rate for a while, some several times a day."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(customers):
        day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 200)))
        for _ in range(int(rng.geometric(0.3))):
            rows += [(f"C{i:04d}", day + pd.Timedelta(hours=int(h))) for h in rng.integers(0, 20, rng.integers(1, 3))]
            day += pd.Timedelta(days=int(rng.exponential(rng.uniform(5, 120))) + 1)
    return pd.DataFrame(rows, columns=["customer_id", "date"]).sample(frac=1, random_state=seed)


def _pandas_gaps(purchases: pd.DataFrame) -> pd.Series:
    """Days between a customer's consecutive distinct purchase days, written with a groupby-diff."""
    d = purchases.assign(day=pd.to_datetime(purchases["date"]).dt.floor("D"))[["customer_id", "day"]]
    d = d.drop_duplicates().sort_values(["customer_id", "day"])
    return d.groupby("customer_id")["day"].diff().dt.days.dropna()


def _pandas_readable(q: float) -> int:
    if q <= 14:
        return int(np.ceil(q))
    return int(np.ceil(q / 7) * 7) if q <= 91 else int(np.ceil(q / 30) * 30)


def _pandas_churn(purchases: pd.DataFrame, n: int, as_of: str) -> pd.Series:
    """Last purchase day + n days where that day has come, by a sort and a tail."""
    d = purchases.assign(day=pd.to_datetime(purchases["date"]).dt.floor("D")).sort_values("day")
    last = d.groupby("customer_id").tail(1).set_index("customer_id")["day"]
    churn = last + pd.Timedelta(days=n)
    return churn[churn <= pd.Timestamp(as_of)].sort_index()


def _check_against_pandas(purchases: pd.DataFrame) -> None:
    gaps = _pandas_gaps(purchases)
    p = lapse.propose_lapse_days(purchases)
    assert p.gaps == len(gaps) and p.gap_quantile == pytest.approx(gaps.quantile(0.9))
    assert p.median_gap == pytest.approx(gaps.median())
    assert p.days == _pandas_readable(gaps.quantile(0.9))
    assert p.repeat_buyers == int((purchases.assign(day=pd.to_datetime(purchases["date"]).dt.floor("D"))
                                   .groupby("customer_id")["day"].nunique() > 1).sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_proposal_equals_pandas(seed):
    _check_against_pandas(_log(seed))


def test_the_comparison_catches_a_planted_bug(monkeypatch):
    """A plausible slip (gaps taken across customer boundaries) changes the proposal: the comparison fails."""
    def leaky(purchases):
        days = lapse.purchase_days(purchases)["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        return np.abs(np.diff(days)).astype(float)

    monkeypatch.setattr(lapse, "purchase_gaps", leaky)
    with pytest.raises(AssertionError):
        _check_against_pandas(_log(0))


@pytest.mark.parametrize("n, as_of", [(30, "2023-09-30"), (90, "2023-12-31"), (7, "2023-03-01")])
def test_churn_dates_equal_pandas(n, as_of):
    purchases = _log(3)
    got = lapse.lapse_churn_dates(purchases, n, as_of)
    assert set(got.index) == set(purchases["customer_id"])  # one entry per buyer, NaT while still buying
    want = _pandas_churn(purchases, n, as_of)
    pd.testing.assert_series_equal(got.dropna(), want, check_names=False, check_freq=False)
    assert (got.dropna() <= pd.Timestamp(as_of)).all()


def test_readable_days_and_bad_input():
    assert [lapse.readable_days(x) for x in (0.2, 9.2, 14, 14.5, 40, 91, 92, 200)] == [1, 10, 14, 21, 42, 91, 120, 210]
    for bad in (0, -3, 2.5, "90", None, lapse_setting.MAX_DAYS + 1):
        with pytest.raises(DataValidationError, match="whole number of days"):
            lapse.check_lapse_days(bad)


def test_few_repeat_purchases_propose_a_year_and_say_why():
    p = lapse.propose_lapse_days(pd.DataFrame({"customer_id": ["A", "A", "B"],
                                               "date": ["2024-01-01", "2024-02-01", "2024-01-05"]}))
    assert (p.days, p.gaps, p.repeat_buyers, p.buyers) == (lapse.FALLBACK_DAYS, 1, 1, 2)
    assert "too few" in p.reason and "365 days" in p.reason


@pytest.fixture(scope="module")
def cdnow(shared, tmp_path_factory):
    """The CDNOW master log imported with the project importer (a purchase log), and the file read by pandas."""
    path = shared / CDNOW
    engine = core.make_engine(store_kinds.build("cdnow", tmp_path_factory.mktemp("cdnow")))  # the run's import
    raw = pd.read_csv(path, sep=r"\s+", header=0, names=["customer_id", "date", "qty", "amount"], dtype=str)
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    yield engine, raw
    engine.dispose()


def test_cdnow_proposal_and_reason(cdnow):
    engine, raw = cdnow
    _check_against_pandas(raw)
    p = lapse.store_proposal(engine)
    gaps = _pandas_gaps(raw)
    assert (p.days, p.gaps, p.gap_quantile, p.median_gap) == (210, len(gaps), gaps.quantile(0.9), gaps.median())
    assert p.reason == ("90% of the 44,021 gaps between a customer's consecutive purchase days (11,516 repeat buyers "
                        "of 23,570) are 200 days or shorter (median 34 days); rounded up to 210 days.")


@pytest.mark.parametrize("n", [None, 120])
def test_load_inputs_gives_a_purchase_log_lapse_churn_dates(cdnow, n):
    engine, raw = cdnow
    inputs = load_inputs(engine, lapse_days=n)
    days = 210 if n is None else n
    assert inputs.lapse.days == days and inputs.lapse.proposed == (n is None)
    assert inputs.end() == pd.Timestamp("1998-06-30")
    got = inputs.customers.set_index("customer_id")["churn_date"].dropna().sort_index()
    pd.testing.assert_series_equal(got, _pandas_churn(raw, days, "1998-06-30"), check_names=False, check_freq=False)
    assert f"within {days} days" in inputs.lapse.definition


def test_the_health_back_test_sees_lapse_churn(cdnow):
    """The back-test labels churn within 90 days of each month end from the lapse dates (before: no churn date)."""
    engine, raw = cdnow
    data = hb.backtest_data(load_inputs(engine), months=3, horizon_days=90)
    churn = _pandas_churn(raw, 210, "1998-06-30")
    for cutoff, frame in data.frames:
        d = churn.reindex(frame["customer_id"])
        want = (d.notna() & (d <= cutoff + pd.Timedelta(days=90))).astype(int).to_numpy()
        np.testing.assert_array_equal(frame["churned"].to_numpy(), want)
        assert 0 < want.sum() < len(want)


def test_the_review_s_health_figures_on_a_purchase_log(cdnow):
    """The review's Health section reads churn through load_inputs too: its back-test has churners per band."""
    engine, _ = cdnow
    rows, _ = figures.health(engine, pd.Timestamp("1998-06-30").date(), months=6, horizon=90)
    by_metric = {(r["metric"], r["group"]): r for r in rows}
    assert 0 < by_metric[("Health back-test AUC", "")]["value"] < 1
    assert sum("churned within 90 days" in r["text"] for r in rows if r["metric"] == "Band churn rate") == 3
    assert max(r["value"] for r in rows if r["metric"] == "Band churn rate") > 0


def test_a_store_with_churn_dates_keeps_them(engine):
    from core.demo.load import load_demo

    load_demo(engine, n_customers=200, seed=1)
    inputs = load_inputs(engine, lapse_days=30)
    assert inputs.lapse is None and lapse.store_proposal(engine) is None
    stored = core.load_table(engine, "customer").set_index("customer_id")["churn_date"]
    pd.testing.assert_series_equal(inputs.customers.set_index("customer_id")["churn_date"], stored,
                                   check_names=False)


def test_the_churn_day_may_be_the_as_of_day_but_not_later():
    purchases = pd.DataFrame({"customer_id": ["on", "after", "on", "again"],
                              "date": ["2024-03-02", "2024-03-03", "2024-01-01", "2024-03-30"]})
    got = lapse.lapse_churn_dates(purchases, 30, "2024-04-01")
    assert got["on"] == pd.Timestamp("2024-04-01")  # last purchase + 30 days = the as-of day: churned
    assert pd.isna(got["after"]) and pd.isna(got["again"])  # one day short; bought since


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _mix(engine) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A mix: a seeded recurring book (B..: MRR every month to the churn month or 2024-06, a third churned) beside a
    seeded purchase log (C..: buyers only) and one book customer who also buys. Returns (book, mrr, purchases)."""
    rng = np.random.default_rng(3)
    ids = [f"B{i:02d}" for i in range(30)]
    signup = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 180, 30), unit="D")
    churn = pd.Series(signup + pd.to_timedelta(rng.integers(60, 400, 30), unit="D")).where(rng.random(30) < 0.35)
    churn = churn.where(churn <= pd.Timestamp("2024-06-30"))
    book = pd.DataFrame({"customer_id": ids, "signup_date": signup.strftime("%Y-%m-%d"),
                         "churn_date": churn.dt.strftime("%Y-%m-%d")})
    mrr = pd.DataFrame([(c, p.start_time.strftime("%Y-%m-%d"), 100) for c, s, e in zip(ids, signup, churn, strict=True)
                        for p in pd.period_range(s, e if pd.notna(e) else pd.Timestamp("2024-06-30"), freq="M")],
                       columns=["customer_id", "period", "mrr"])
    purchases = _log(seed=4, customers=120)
    purchases = pd.concat([purchases, pd.DataFrame({"customer_id": ["B00"], "date": [pd.Timestamp("2023-02-01")]})])
    purchases = purchases.assign(date=purchases["date"].dt.strftime("%Y-%m-%d"), amount=20.0)
    for data, name, kind in ((book, "book.csv", "customers"), (mrr, "mrr.csv", "revenue"),
                             (purchases, "log.csv", "transactions")):
        core.commit_import(engine, core.prepare_import(engine, _csv(data), name, kind), strict=False)
    return book, mrr, purchases


def test_a_mix_s_buyers_only_get_lapse_churn_and_the_book_keeps_its_own(engine):
    book, mrr, purchases = _mix(engine)
    inputs = load_inputs(engine)
    buyers = purchases[purchases["customer_id"].str.startswith("C")]  # B00 buys too, but has recurring revenue
    proposal = lapse.propose_lapse_days(buyers)
    assert inputs.lapse is not None and inputs.lapse.days == proposal.days
    assert lapse.store_proposal(engine) == proposal
    got = inputs.customers.set_index("customer_id")["churn_date"]
    assert set(inputs.lapse.churn_dates.index) == set(buyers["customer_id"])
    # the data's end: the book's last MRR month or the log's last sale, each revenue row counting to its month's end
    end = max(pd.to_datetime(purchases["date"]).max() + pd.offsets.MonthEnd(0), pd.Timestamp("2024-06-30"))
    assert inputs.end() == end
    want = _pandas_churn(buyers, proposal.days, str(end.date()))
    pd.testing.assert_series_equal(got[got.index.str.startswith("C")].dropna().sort_index(), want,
                                   check_names=False, check_freq=False)
    own = pd.to_datetime(book.set_index("customer_id")["churn_date"])
    pd.testing.assert_series_equal(got[own.index], own, check_names=False)  # the book's own, B00 included
    assert 0 < len(want) < buyers["customer_id"].nunique()


def test_buyers_only_leaves_out_recurring_revenue_and_own_churn_dates():
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                              "churn_date": pd.to_datetime([None, None, "2024-01-01", None])})
    purchases = pd.DataFrame({"customer_id": ["a", "b", "c", "x"], "date": ["2024-01-01"] * 4})
    revenue = pd.DataFrame({"customer_id": ["b", "d"], "mrr": [10.0, 5.0]})
    assert list(lapse.buyers_only(customers, purchases, revenue)) == ["a"]  # b: MRR, c: churned, d: no purchase
    # no recurring revenue and a buyer with a churn date of its own: the store says itself who left
    assert lapse.buyers_only(customers, purchases, None).empty
    assert list(lapse.buyers_only(customers.assign(churn_date=pd.NaT), purchases, None)) == ["a", "b", "c"]
    rule = lapse.rule_for(customers, purchases, revenue, "2026-01-01", lapse_days=30)
    out = lapse.with_churn_dates(customers, rule).set_index("customer_id")["churn_date"]
    assert out["a"] == pd.Timestamp("2024-01-31") and out["c"] == pd.Timestamp("2024-01-01")
    assert pd.isna(out["b"]) and pd.isna(out["d"])


def test_the_overview_of_a_mix_counts_its_buyers_lapse_churn(engine):
    """The Overview's customers figures on a mix read the same churn as load_inputs: the book's own churn dates and
    the buyers' lapse dates (before: every buyer counted active, logo churn near 0)."""
    book, _, purchases = _mix(engine)
    buyers = purchases[purchases["customer_id"].str.startswith("C")]
    end = max(pd.to_datetime(purchases["date"]).max() + pd.offsets.MonthEnd(0), pd.Timestamp("2024-06-30"))
    n = lapse.propose_lapse_days(buyers).days
    churn = pd.concat([pd.to_datetime(book.set_index("customer_id")["churn_date"]),
                       _pandas_churn(buyers, n, str(end.date()))])
    customers = core.load_table(engine, "customer")[["customer_id", "signup_date", "churn_date"]]
    signup = pd.to_datetime(customers.set_index("customer_id")["signup_date"])
    churn = churn.reindex(signup.index)
    day, before = pd.Timestamp("2024-06-30"), pd.Timestamp("2023-06-30")
    active = (signup <= day) & (churn.isna() | (churn > day))
    starters = (signup <= before) & (churn.isna() | (churn > before))
    logo = (churn[starters].notna() & (churn[starters] <= day)).mean()
    ov = overview.build(profile(engine), customers, core.load_table(engine, "revenue"), load_purchase_log(engine),
                        end="2024-06-30")
    figures = {f.label: f.text for f in ov.sections[0].figures}
    assert ov.sections[0].key == "recurring" and f"within {n} days (the lapse rule)" in ov.sections[0].caption
    assert figures["Active customers"] == units.count(int(active.sum()))
    assert figures["Logo churn rate"] == units.percent(logo) and logo > 0.2
