"""Effects from per-arm sums (core.roi.sums): the engine's sums against pandas', and the table built from them equal
to ``compare`` (core.roi.estimates) on every play of the 1,500-customer demo (yes/no and amount outcomes, with and
without a covariate), on a hand-made frame with missing values and several arms, and with PostgreSQL summing; a
proportion's interval from sums alone against statsmodels' Wald interval.
"""

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

import core
from core.errors import InsufficientDataError
from core.roi.defaults import PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.estimates import compare
from core.roi.outcomes import outcomes
from core.roi.sums import arm_sums, compare_from_sums, compare_on

#: a window long enough that the latest contacts are not eligible, so the eligibility filter is exercised
WINDOW = 150
PLAYS = ("Onboarding call", "Renewal save offer", "Usage nudge e-mail")
CASES = [(RETAINED, None), (RETAINED, PRE_USAGE), (RETAINED, PRE_REVENUE),
         (REVENUE, None), (REVENUE, PRE_REVENUE), (REVENUE, PRE_USAGE)]


@pytest.fixture(scope="module")
def demo():
    """The 1,500-customer demo (overrides the 5,000-customer one; roi's ``inp`` reads it)."""
    return core.make_demo(1500, seed=0)


@pytest.fixture(scope="module")
def frames(inp):
    return {play: outcomes(inp, play, window=WINDOW) for play in PLAYS}


@pytest.fixture(scope="module")
def duck():
    con = ibis.duckdb.connect()
    yield con
    con.disconnect()


def assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same columns, arms and sizes; every number within 1e-9 (relative), NaN where ``want`` has NaN."""
    assert list(got.columns) == list(want.columns)
    got, want = got.sort_values("arm").reset_index(drop=True), want.sort_values("arm").reset_index(drop=True)
    assert got["arm"].tolist() == want["arm"].tolist()
    assert got[["n", "n_control"]].to_numpy().tolist() == want[["n", "n_control"]].to_numpy().tolist()
    num = [c for c in want.columns if c not in ("arm", "n", "n_control")]
    np.testing.assert_allclose(got[num].to_numpy(float), want[num].to_numpy(float), rtol=1e-9, atol=1e-12)


def hand_frame() -> pd.DataFrame:
    """Three treatment arms of different sizes and a holdout, an imported amount and a yes/no outcome with missing
    values, covariates with missing values (one missing for a whole arm, one always), a one-row arm and a row with no
    arm; ``eligible`` is False on some rows (imported outcomes count every row with a value)."""
    rng = np.random.default_rng(23)
    arm = np.repeat(["holdout", "email", "call", "sms", "tiny"], [60, 140, 90, 45, 1]).astype(object)
    arm[-1 - 1] = None  # an sms contact whose arm was lost
    n = len(arm)
    prior = rng.gamma(2.0, 50.0, n)
    spend = 0.6 * prior + rng.normal(10, 20, n) + np.select([arm == "email", arm == "call"], [8.0, 15.0], 0.0)
    spend[rng.random(n) < 0.1] = np.nan
    prior[rng.random(n) < 0.15] = np.nan
    late = prior.copy()
    late[arm == "call"] = np.nan
    converted = (rng.random(n) < 0.3 + 0.002 * np.nan_to_num(prior)).astype(float)
    converted[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"arm": arm, "eligible": rng.random(n) < 0.8, "spend": spend, "converted": converted,
                         "visits": rng.poisson(3, n), "prior": prior, "late": late, "unknown": np.nan,
                         "flat": np.where(rng.random(n) < 0.2, np.nan, 2.0)})


def test_the_demo_has_contacts_outside_the_window(frames):
    assert any(not f["eligible"].all() for f in frames.values())


@pytest.mark.parametrize("outcome,covariate", CASES)
@pytest.mark.parametrize("play", PLAYS)
def test_each_demo_play_equals_compare(frames, duck, play, outcome, covariate):
    f = frames[play]
    want = compare(f, outcome, covariate=covariate)
    assert_same(compare_on(duck, ibis.memtable(f), outcome, covariate=covariate), want)


def test_sums_equal_pandas_sums_and_missing_rows_are_left_out(duck):
    f = hand_frame()
    got = duck.execute(arm_sums(ibis.memtable(f), "spend", "prior")).set_index("arm")
    rows = f[f["spend"].notna()]
    has_x = rows["prior"].notna()
    want = pd.DataFrame({
        "n": rows.groupby("arm").size(), "n_other": (~rows["spend"].isin([0, 1])).groupby(rows["arm"]).sum(),
        "sum_y": rows.groupby("arm")["spend"].sum(), "sum_y2": (rows["spend"] ** 2).groupby(rows["arm"]).sum(),
        "n_x": has_x.groupby(rows["arm"]).sum(), "sum_x": rows.groupby("arm")["prior"].sum(),
        "sum_x2": (rows["prior"] ** 2).groupby(rows["arm"]).sum(),
        "sum_xy": (rows["prior"] * rows["spend"]).groupby(rows["arm"]).sum(),
        "sum_y_x": rows["spend"].where(has_x, 0.0).groupby(rows["arm"]).sum()})
    assert got.index.isna().sum() == 1  # the row with no arm is a group of its own
    got = got[got.index.notna()].loc[want.index, want.columns]
    np.testing.assert_allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12)


@pytest.mark.parametrize("outcome", ["spend", "converted", "visits"])
@pytest.mark.parametrize("covariate", [None, "prior", "late", "unknown", "flat"])
def test_missing_values_and_several_arms_equal_compare(duck, outcome, covariate):
    f = hand_frame()
    want = compare(f, outcome, covariate=covariate)
    assert set(want["arm"]) == {"email", "call", "sms", "tiny"}
    assert_same(compare_on(duck, ibis.memtable(f), outcome, covariate=covariate), want)
    if covariate in ("unknown", "flat"):
        assert (want["theta"] == 0).all()


def test_nan_values_count_as_missing_like_nulls(duck):
    """An Arrow table keeps NaN apart from NULL (pandas' frames turn NaN into NULL on the way to an engine)."""
    f = hand_frame()
    nan_kept = pa.table({c: pa.array(f[c].to_numpy()) for c in f.columns})
    assert pc.is_nan(nan_kept["spend"]).to_numpy(zero_copy_only=False).any()
    for outcome in ("spend", "converted"):
        assert_same(compare_on(duck, ibis.memtable(nan_kept), outcome, covariate="prior"),
                    compare(f, outcome, covariate="prior"))


def test_an_outcome_decided_yes_no_by_the_rows_with_no_arm_too(duck):
    """``compare`` decides yes/no over every measured row, one with no arm included: a 0.5 there makes an amount."""
    f = hand_frame()
    f.loc[f["arm"].isna(), "converted"] = 0.5
    want = compare(f, "converted", covariate="prior")
    assert_same(compare_on(duck, ibis.memtable(f), "converted", covariate="prior"), want)
    welch = compare(f.assign(converted=f["converted"].where(f["arm"].notna())), "converted")
    assert not np.isclose(want["low"], welch["low"]).all()  # the null-arm row changed the interval family


def test_a_control_arm_too_small_is_refused_as_compare_refuses_it(duck, frames):
    f = hand_frame()
    for control in ("tiny", "nobody"):
        with pytest.raises(InsufficientDataError) as want:
            compare(f, "spend", control=control)
        with pytest.raises(InsufficientDataError) as got:
            compare_on(duck, ibis.memtable(f), "spend", control=control)
        assert str(got.value) == str(want.value)
    with pytest.raises(InsufficientDataError, match="Choose a shorter window"):
        compare_on(duck, ibis.memtable(frames["Onboarding call"]), RETAINED, control="nobody")


@pytest.mark.parametrize("k_t,n_t,k_c,n_c", [(920, 1000, 170, 200), (45, 60, 30, 55), (1, 40, 3, 38)])
def test_a_proportion_from_sums_alone_equals_statsmodels_wald(k_t, n_t, k_c, n_c):
    sums = pd.DataFrame({"arm": ["treatment", "holdout"], "n": [n_t, n_c], "n_other": 0, "sum_y": [k_t, k_c],
                         "sum_y2": [k_t, k_c]})
    r = compare_from_sums(sums, binary=True).iloc[0]
    lo, hi = confint_proportions_2indep(k_t, n_t, k_c, n_c, method="wald", compare="diff")
    assert r["difference"] == pytest.approx(k_t / n_t - k_c / n_c, abs=1e-12)
    assert (r["low"], r["high"]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))


def test_postgresql_sums_give_the_same_numbers(pg_server, frames):
    engine = core.make_engine(pg_server.new_database())
    play = frames["Renewal save offer"]
    play.to_sql("play_contacts", engine, index=False)
    hand_frame().to_sql("hand_contacts", engine, index=False)
    u = engine.url
    con = ibis.postgres.connect(host=u.host, port=u.port, user=u.username, database=u.database)
    try:
        for outcome, covariate in [(RETAINED, PRE_USAGE), (REVENUE, PRE_REVENUE)]:
            assert_same(compare_on(con, con.table("play_contacts"), outcome, covariate=covariate),
                        compare(play, outcome, covariate=covariate))
        for outcome in ("spend", "converted"):
            assert_same(compare_on(con, con.table("hand_contacts"), outcome, covariate="prior"),
                        compare(hand_frame(), outcome, covariate="prior"))
    finally:
        con.disconnect()
        engine.dispose()
