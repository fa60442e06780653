"""Voluntary and involuntary churn as competing risks (core.cohorts.competing), checked against independent
computations:

* on durations without ties, each cause's cumulative incidence and its 95 % band equal lifelines'
  AalenJohansenFitter's (whose band columns are labelled the other way round: its "upper" column holds the lower
  bound);
* on durations with ties between the causes (which lifelines breaks by random jitter), each cause's incidence equals
  an Aalen-Johansen sum written here as a plain loop over the event times, and lifelines' jittered estimate just
  after each tie (the censored kept off the tied times: lifelines' jitter can move a churn after a censoring at the
  same time, where Kaplan-Meier's convention takes the churns first);
* the causes' incidences add up to one minus lifelines' Kaplan-Meier survival of churn of any cause;
* a customer file: the causes read from its churn type, the counts per group and cause against pandas, the summary
  read off the curves at 12 and 24 months (missing past the follow-up), a churn after the as-of day as still a
  customer, and the message when no churn has a type;
* the sentences and the table the page and the CLI show.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from core.cohorts import competing, competing_text
from core.cohorts.competing import INVOLUNTARY, UNRECORDED, VOLUNTARY
from core.cohorts.survival import MONTH_DAYS
from core.errors import InsufficientDataError


def _sample(seed: int, n: int, ties: bool):
    """Durations, each customer's cause (None while a customer) and lifelines' event codes (0 censored, 1, 2, 3)."""
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 30, n).astype(float) if ties else rng.exponential(20, n) + 0.01
    cause = rng.choice([VOLUNTARY, INVOLUNTARY, UNRECORDED], n, p=[0.6, 0.3, 0.1]).astype(object)
    cause[rng.random(n) < 0.3] = None
    if ties:  # the censored between the tied event times (at a tied time, Kaplan-Meier takes the churns first)
        t = t.where(pd.Series(cause).notna().to_numpy(), t + 0.5) if isinstance(t, pd.Series) else \
            np.where(pd.Series(cause).notna().to_numpy(), t, t + 0.5)
    codes = np.select([cause == VOLUNTARY, cause == INVOLUNTARY, cause == UNRECORDED], [1, 2, 3], 0)
    return pd.Series(t), pd.Series(cause, dtype=object), codes


@pytest.mark.parametrize("seed", [1, 2])
def test_without_ties_each_cause_equals_lifelines_aalen_johansen(seed):
    t, cause, codes = _sample(seed, 500, ties=False)
    got = competing.one_group(t, cause)
    for code, name in ((1, VOLUNTARY), (2, INVOLUNTARY), (3, UNRECORDED)):
        aj = AalenJohansenFitter(calculate_variance=True).fit(t, codes, event_of_interest=code)
        ref = aj.cumulative_density_.iloc[:, 0]
        g = got[got["cause"] == name].set_index("time").reindex(ref.index)
        np.testing.assert_allclose(g["incidence"], ref, rtol=0, atol=1e-12)
        band = aj.confidence_interval_.reindex(ref.index)
        low, high = band.filter(like="_upper_").iloc[:, 0], band.filter(like="_lower_").iloc[:, 0]  # swapped labels
        shown = ref > 0
        np.testing.assert_allclose(g.loc[shown, "lower"], low[shown], rtol=0, atol=1e-12)
        np.testing.assert_allclose(g.loc[shown, "upper"], high[shown], rtol=0, atol=1e-12)
        banded = shown & g["lower"].notna()  # none where everyone left at risk churned (its variance divides by 0)
        assert banded.sum() > 0.9 * shown.sum()
        assert (g.loc[banded, "lower"] <= g.loc[banded, "incidence"]).all()
        assert (g.loc[banded, "incidence"] <= g.loc[banded, "upper"]).all()
        assert g.loc[~shown, ["lower", "upper"]].isna().all().all()


def _hand(t: pd.Series, cause: pd.Series, name: str) -> pd.Series:
    """The Aalen-Johansen sum, one event time at a time: the all-cause survival just before it times the share of
    those at risk who churned of ``name`` then."""
    s, total, out = 1.0, 0.0, {}
    for time in sorted(set(t)):
        at_risk = int((t >= time).sum())
        here = t == time
        d_all, d_k = int((here & cause.notna()).sum()), int((here & (cause == name)).sum())
        total += s * d_k / at_risk
        s *= 1 - d_all / at_risk
        out[time] = total
    return pd.Series(out)


def test_with_ties_each_cause_equals_a_hand_sum_and_lifelines_after_each_tie():
    t, cause, codes = _sample(3, 400, ties=True)
    got = competing.one_group(t, cause)
    for code, name in ((1, VOLUNTARY), (2, INVOLUNTARY)):
        g = got[got["cause"] == name].set_index("time")["incidence"]
        hand = _hand(t, cause, name)
        np.testing.assert_allclose(g.reindex(hand.index), hand, rtol=0, atol=1e-12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifelines says it jitters the tied times
            jittered = AalenJohansenFitter(calculate_variance=False, seed=0).fit(t, codes, event_of_interest=code)
        cif = jittered.cumulative_density_.iloc[:, 0]
        after = [float(cif[cif.index <= time + 0.01].iloc[-1]) for time in hand.index]
        np.testing.assert_allclose(after, hand.to_numpy(), rtol=0, atol=1e-12)


def test_the_causes_add_up_to_one_minus_survival():
    t, cause, _ = _sample(4, 300, ties=True)
    got = competing.one_group(t, cause)
    total = got.groupby("time")["incidence"].sum()
    km = KaplanMeierFitter().fit(t, cause.notna()).survival_function_.iloc[:, 0]
    np.testing.assert_allclose(total.reindex(km.index), 1 - km, rtol=0, atol=1e-12)


def test_causes_are_read_from_the_churn_type_case_and_spaces_aside():
    got = competing.causes(pd.Series([" Voluntary ", "INVOLUNTARY", "failed payment", None, "voluntary"]))
    assert got.tolist() == [VOLUNTARY, INVOLUNTARY, UNRECORDED, UNRECORDED, VOLUNTARY]


def _customers(n: int = 240, seed: int = 5) -> pd.DataFrame:
    """Customers signed up over 2023-2024, a third churned voluntarily, a tenth by a failed payment, by segment."""
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    kind = rng.choice(["voluntary", "involuntary", None], n, p=[0.35, 0.1, 0.55])
    churn = signup + pd.to_timedelta(rng.integers(10, 900, n), unit="D")
    return pd.DataFrame({"customer_id": [f"C{i:03d}" for i in range(n)], "signup_date": signup,
                         "churn_date": churn.where(kind != None, pd.NaT),  # noqa: E711 (elementwise)
                         "churn_type": kind, "segment": rng.choice(["SMB", "Enterprise"], n)})


def test_a_customer_file_gives_the_counts_and_the_readings_of_each_group():
    c = _customers()
    as_of = pd.Timestamp("2025-06-30")
    inc = competing.cumulative_incidence(c, as_of=as_of, group="segment")
    live = c[c["signup_date"] <= as_of]
    churned = live["churn_date"].notna() & (live["churn_date"] <= as_of)  # a later churn: still a customer then
    for (seg, cause), row in inc.summary.set_index(["group", "cause"]).iterrows():
        mine = live[live["segment"] == seg]
        assert row["customers"] == len(mine)
        assert row["churned"] == int((churned[mine.index] & (mine["churn_type"] == cause)).sum())
        curve = inc.curves[(inc.curves["group"] == seg) & (inc.curves["cause"] == cause)]
        for m in (12, 24):
            if curve["time"].max() < m:
                assert np.isnan(row[f"at_{m}"])
            else:
                assert row[f"at_{m}"] == curve.loc[curve["time"] <= m, "incidence"].iloc[-1]
    assert set(inc.summary["cause"]) == {VOLUNTARY, INVOLUNTARY}  # no churn without a type: that cause left out
    months = (live["churn_date"].where(churned, as_of) - live["signup_date"]).dt.days / MONTH_DAYS
    assert set(inc.curves["time"].round(9)) <= set(months.round(9)) | {0.0}  # months of 30.4375 days


def test_without_a_churn_type_it_says_what_to_import():
    c = _customers().assign(churn_type=None)
    with pytest.raises(InsufficientDataError, match="No churned customer has a churn type"):
        competing.cumulative_incidence(c)
    with pytest.raises(InsufficientDataError, match="churn type column"):
        competing.cumulative_incidence(c.drop(columns="churn_type"))


def test_the_sentence_and_the_table_read_the_summary():
    c = _customers()
    inc = competing.cumulative_incidence(c, as_of=pd.Timestamp("2025-06-30"))
    s = inc.summary.set_index("cause")
    words = competing_text.sentence(inc)
    assert words.startswith(f"By 24 months after signup, {100 * s.loc[VOLUNTARY, 'at_24']:.1f}% [")
    assert f"{100 * s.loc[INVOLUNTARY, 'at_24']:.1f}% [" in words and "had left by a failed payment" in words
    table = competing_text.table(inc).set_index("cause")
    assert table.loc[VOLUNTARY, "at 12 months"] == (f"{100 * s.loc[VOLUNTARY, 'at_12']:.1f}% "
                                                    f"[{100 * s.loc[VOLUNTARY, 'low_12']:.1f}%, "
                                                    f"{100 * s.loc[VOLUNTARY, 'high_12']:.1f}%]")
    by = competing.cumulative_incidence(c, as_of=pd.Timestamp("2025-06-30"), group="segment")
    vol = by.summary[by.summary["cause"] == VOLUNTARY].set_index("group")["at_24"]
    assert competing_text.sentence(by).startswith(f"Cancelled by 24 months after signup: highest for {vol.idxmax()}, "
                                                  f"{100 * vol.max():.1f}%; lowest for {vol.idxmin()}")


def test_the_chart_download_is_in_the_survival_download_s_units_and_adds_up_with_it():
    """The churn-by-cause CSV a leader downloads: percentages to one decimal, read at each step from the
    Aalen-Johansen sum written out here over a customer file's durations; with Kaplan-Meier's share still a
    customer it adds up to 100 % at every month, to the rounding."""
    c = _customers()
    as_of = pd.Timestamp("2025-06-30")
    inc = competing.cumulative_incidence(c, as_of=as_of)
    got = competing_text.curve_data(inc.curves)
    assert list(got.columns) == ["Group", "Cause", "Months since signup", "Churned of this cause (%)",
                                 "Lower bound, 95% (%)", "Upper bound, 95% (%)", "Customers followed this long"]
    live = c[c["signup_date"] <= as_of]
    churned = live["churn_date"].notna() & (live["churn_date"] <= as_of)
    t = (live["churn_date"].where(churned, as_of) - live["signup_date"]).dt.days / MONTH_DAYS
    cause = live["churn_type"].where(churned, None).reset_index(drop=True)
    t = t.reset_index(drop=True)
    for name in (VOLUNTARY, INVOLUNTARY):
        ref = _hand(t, cause, name)  # the Aalen-Johansen sum written out (equal to lifelines' without ties, above)
        mine = got[got["Cause"] == name]
        months = inc.curves.loc[inc.curves["cause"] == name, "time"].to_numpy()
        expected = [100 * ref[ref.index <= m + 1e-9].iloc[-1] if (ref.index <= m + 1e-9).any() else 0.0
                    for m in months]
        np.testing.assert_allclose(mine["Churned of this cause (%)"], expected, rtol=0, atol=0.05 + 1e-9)  # rounded
        np.testing.assert_allclose(mine["Months since signup"], np.round(months, 2), rtol=0, atol=1e-12)
        assert (mine["Lower bound, 95% (%)"].dropna() <= mine.loc[mine["Lower bound, 95% (%)"].notna(),
                                                                  "Churned of this cause (%)"]).all()
    km = KaplanMeierFitter().fit(t, cause.notna()).survival_function_.iloc[:, 0]
    times = inc.curves["time"].to_numpy()  # each row's month, before the download rounds it
    for m in np.unique(times):
        shares = [got.loc[(got["Cause"] == k).to_numpy() & (times <= m), "Churned of this cause (%)"].iloc[-1]
                  for k in (VOLUNTARY, INVOLUNTARY)]
        still = 100 * km[km.index <= m + 1e-9].iloc[-1]
        assert abs(sum(shares) + still - 100) <= 0.1 + 1e-9, m  # each share rounded to 0.05
    assert got["Customers followed this long"].iloc[0] == len(live)
