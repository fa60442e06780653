"""AppTest of the Intervention ROI page (pages/intervention_roi.py): on a copy of the session's small demo store (1,000
customers, seed 0; the same plays as the full demo) the summary of every play comes first and each of its rows reads
as that play's own detail, and the figures on screen equal an
independent computation on the same store (sqlite + pandas + scipy/statsmodels: retention contacted vs held out with
Wald's interval, the sample-ratio check, cost, the sample size), every widget changes what it should (play, window,
outcome, control arm, margin, planning inputs, the sidebar's segment filter), a randomised three-arm campaign
workbook imported into an empty store is measured on its own columns, impossible planning inputs get a message, and
the empty store says what to do.

AppTest reruns only the page under st.navigation, so the sidebar's keys are set before every rerun (``rerun`` in
tests/pages/conftest.py), as tests/pages/test_feedback_themes.py does.
"""

import datetime as dt
import io
import re
import sqlite3

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

import core
from core.demo.campaign import make_campaign
from core.export import units
from tests.conftest import copy_store
from tests.pages.conftest import default_window, open_page, private_copy, rerun

PAGE = "intervention_roi"


WINDOW = default_window()


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _help(at, label):
    return next(m.help for m in at.metric if m.label == label)


def _num(text: str) -> float:
    """'+12.9 pts' / '97.7%' / '-$49,088' / '35.8' -> float."""
    sign = -1 if text.strip().startswith("-") else 1
    return sign * float(re.sub(r"[^0-9.]", "", text).strip("."))


def _customers(x: float) -> str:
    """A number of customers as the pages write it: '1,234', and '5.4' for a fraction below 100."""
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.1f}"


def _dollars(x: float) -> str:
    """Money as the pages write it: whole dollars ('$1,235'), but an amount under $100 with cents keeps them
    ('$85.40': 1,708 e-mails at $0.05)."""
    x = float(x)
    return f"${x:,.2f}" if not x.is_integer() and abs(x) < 100 else f"${x:,.0f}"


def _interval(help_text: str) -> tuple[float, float]:
    lo, hi = re.search(r"95 % interval (\S+(?: pts)?) to (\S+(?: pts)?)", help_text).groups()
    return _num(lo), _num(hi)


def _chart(at, *columns) -> pd.DataFrame:
    for c in at.get("vega_lite_chart"):
        for d in c.proto.datasets:
            df = convert_arrow_bytes_to_pandas_df(d.data.data)
            if set(columns) <= set(df.columns):
                return df
    raise AssertionError(f"no chart with the columns {columns}")


def _said(at) -> list[str]:
    """The page's Markdown as a reader sees it (the backslash escapes of text from data removed)."""
    return [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]


def _table(at, *columns) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


@pytest.fixture(scope="module")
def demo_store(small_demo_store, tmp_path_factory):
    """(url,) of a copy of the session's small demo store: the demo's plays without generating a demo here."""
    return (f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('roi_small_demo'))}",)


@pytest.fixture(scope="module")
def raw(demo_store):
    """Contacts with their customers' churn dates and segments, read with sqlite and pandas (no core code)."""
    con = sqlite3.connect(demo_store[0].split("///", 1)[1])
    iv = pd.read_sql("SELECT i.id, i.customer_id, i.play, i.date, i.\"group\" AS arm, i.cost, i.attributes, "
                     "c.churn_date, c.segment "
                     "FROM intervention i JOIN customer c USING (customer_id)", con,
                     parse_dates=["date", "churn_date"])
    con.close()
    return iv


def _retention(raw, play, window, segments=()):
    """Retained share per arm over ``window`` days, eligible contacts only (whole window in the data, which ends
    on the demo's last day, 2026-10-31)."""
    end = pd.Timestamp("2026-10-31")
    d = raw[(raw["play"] == play) & (raw["date"] >= pd.Timestamp(WINDOW[0])) & (raw["date"] <= pd.Timestamp(WINDOW[1]))]
    if segments:
        d = d[d["segment"].isin(segments)]
    d = d[(d["date"] + pd.Timedelta(days=window) <= end + pd.Timedelta(days=1))
          & ~(d["churn_date"] <= d["date"])]
    kept = d["churn_date"].isna() | (d["churn_date"] >= d["date"] + pd.Timedelta(days=window))
    return d.assign(kept=kept.astype(float))


def _wald(d):
    t, c = d.loc[d["arm"] == "treatment", "kept"], d.loc[d["arm"] == "holdout", "kept"]
    diff = t.mean() - c.mean()
    se = np.sqrt(t.mean() * (1 - t.mean()) / len(t) + c.mean() * (1 - c.mean()) / len(c))
    return t.mean(), c.mean(), diff, diff - 1.96 * se, diff + 1.96 * se


@pytest.fixture(scope="module")
def demo_at(demo_store, tmp_path_factory):
    """The page on a private copy of the demo store without any saved churn model (other page tests save one into
    the shared demo store; the risk tiers are tested on their own below)."""
    url = private_copy(demo_store[0], tmp_path_factory.mktemp("roi"))
    con = sqlite3.connect(url.split("///", 1)[1])
    con.execute("DELETE FROM churnscore")
    con.execute("DELETE FROM churnrun")
    con.commit()
    con.close()
    mp = pytest.MonkeyPatch()
    at = open_page(mp, url, PAGE)
    yield at
    mp.undo()


def test_headline_equals_sqlite_and_pandas(demo_at, raw):
    at = rerun(demo_at)
    assert at.selectbox(key="roi_play").value == "Onboarding call"
    for play in ("Onboarding call", "Renewal save offer"):
        at.selectbox(key="roi_play").set_value(play)
        rerun(at)
        t, c, diff, lo, hi = _wald(_retention(raw, play, 90))
        # shares as '97.7%', a difference of two shares and its interval in points ('+12.9 pts')
        assert _metric(at, "Retained, treatment") == f"{100 * t:.1f}%"
        assert _metric(at, "Retained, holdout") == f"{100 * c:.1f}%"
        assert _metric(at, "Play effect") == f"{100 * diff:+.1f} pts"
        assert re.match(r"95 % interval [+-]\d+\.\d pts to [+-]\d+\.\d pts\. ", _help(at, "Play effect"))
        assert _interval(_help(at, "Play effect")) == (pytest.approx(100 * lo, abs=0.06),
                                                      pytest.approx(100 * hi, abs=0.06))
        # the sentence first: the effect per 100 customers contacted and its interval, or no clear effect
        said = f"{play} (treatment vs holdout) " + (
            f"added {100 * diff:.1f} customers kept per 100 contacted, between {100 * lo:.1f} and {100 * hi:.1f}."
            if lo > 0 else f"shows no clear effect: between {100 * lo:+.1f} and {100 * hi:+.1f} customers kept per "
            "100 contacted")
        assert any(m.startswith(said) for m in _said(at)), _said(at)
        # the chart holds the plain and the CUPED estimate; the plain one is the same difference
        ch = _chart(at, "estimate", "diff")
        assert set(ch["estimate"]) == {"plain", "CUPED"}
        assert ch.loc[ch["estimate"] == "plain", "diff"].iloc[0] == pytest.approx(100 * diff)


def test_the_page_opens_with_every_play_and_each_row_reads_as_its_detail(demo_at, raw):
    """The summary of every play comes first (before the play selector and the tabs); per play, its customers
    treated and held out equal a count on the store, and its effect, interval and money equal what the play's own
    detail shows with its defaults (the Play effect metric and its help, the Money tab's metrics)."""
    at = rerun(demo_at)
    kinds = [getattr(n, "type", "") for n in at._tree]
    first_table = kinds.index("dataframe")
    assert first_table < kinds.index("tab") and first_table < kinds.index("selectbox")
    assert [h.value for h in at.subheader][:2] == ["All plays", "One play in detail"]
    summary = at.dataframe[0].value.set_index("play")
    assert list(summary.index) == at.selectbox(key="roi_play").options == sorted(raw["play"].unique())
    for play in summary.index:
        at.selectbox(key="roi_play").set_value(play)
        rerun(at)
        row, d = summary.loc[play], _retention(raw, play, 90)
        t, c, diff, lo, hi = _wald(d)
        assert (row["treated"], row["held_out"]) == ((d["arm"] == "treatment").sum(), (d["arm"] == "holdout").sum())
        assert _help(at, "Retained, treatment").startswith(f"{row['treated']:,} measured contacts")
        assert row["effect"] == f"{100 * diff:+.1f} per 100 contacted"
        assert _num(row["effect"].split(" ")[0]) == _num(_metric(at, "Play effect"))
        low, high = row["interval"].split(" to ")
        assert (_num(low), _num(high)) == _interval(_help(at, "Play effect"))
        assert row["verdict"] == ("works" if lo > 0 else "hurts" if hi < 0 else "no clear effect")
        for col, name in (("revenue_saved", "Revenue saved (window)"), ("cost", "Cost"),
                          ("net_value", "Net value (window)"), ("roi", "ROI (window)")):
            assert row[col] == _metric(at, name), (play, col)
        assert row["cost"] == _dollars(d.loc[d["arm"] == "treatment", "cost"].sum()), play
        assert any(f"- {play} " in m for m in _said(at))  # one sentence per play, first
    at.selectbox(key="roi_play").set_value("Onboarding call")
    rerun(at)


def test_window_changes_the_figures_and_the_sample_ratio_check_equals_scipy(demo_at, raw):
    at = demo_at
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    at.number_input(key="roi_window").set_value(30)
    rerun(at)
    t, c, diff, lo, hi = _wald(_retention(raw, "Renewal save offer", 30))
    assert _num(_metric(at, "Play effect")) == pytest.approx(100 * diff, abs=0.05)
    d = raw[raw["play"] == "Renewal save offer"]
    n_h, n_t = int((d["arm"] == "holdout").sum()), int((d["arm"] == "treatment").sum())
    p = stats.chisquare([n_h, n_t], [0.15 * (n_h + n_t), 0.85 * (n_h + n_t)]).pvalue
    assert any("Arm sizes fit the planned split" in s.value for s in at.success)
    assert any(f"planned split: p = {'<0.001' if p < 0.001 else f'{p:.3f}'}. " in c.value for c in at.caption)
    srm = _table(at, "arm", "contacts", "planned")
    assert srm.set_index("arm")["contacts"].to_dict() == {"holdout": n_h, "treatment": n_t}
    # a planned 50 % holdout does not fit: the page raises the alarm
    at.number_input(key="roi_share_Renewal save offer").set_value(50.0)
    rerun(at)
    assert any("Sample ratio mismatch" in e.value for e in at.error)
    at.number_input(key="roi_share_Renewal save offer").set_value(15.0)
    at.number_input(key="roi_window").set_value(90)
    rerun(at)


def test_money_cost_and_scaling(demo_at, raw):
    at = demo_at
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    at.toggle(key="roi_money_cuped").set_value(False)
    at.number_input(key="roi_margin").set_value(50.0)
    rerun(at)
    d = _retention(raw, "Renewal save offer", 90)
    cost = d.loc[d["arm"] == "treatment", "cost"].sum()
    assert _metric(at, "Cost") == f"${cost:,.0f}"
    _, _, diff, lo, hi = _wald(d)
    n = int((d["arm"] == "treatment").sum())
    assert _metric(at, "Customers saved") == _customers(diff * n)
    assert _help(at, "Customers saved").startswith(f"95 % interval {_customers(lo * n)} to {_customers(hi * n)}. ")
    saved = _num(_metric(at, "Revenue saved (window)"))
    net = _num(_metric(at, "Net value (window)"))
    assert net == pytest.approx(saved - cost, abs=2)
    assert _num(_metric(at, "ROI (window)")) == pytest.approx(100 * net / cost, abs=0.6)
    # money as '$1,235' / '-$1,235' (the sign before the symbol), ROI as a signed whole percentage ('+355%')
    for name in ("Revenue saved (window)", "Net value (window)"):
        assert re.fullmatch(r"-?\$\d{1,3}(,\d{3})*", _metric(at, name)), _metric(at, name)
    assert re.fullmatch(r"[+-]\d+%", _metric(at, "ROI (window)")), _metric(at, "ROI (window)")
    # doubling the margin doubles the revenue saved
    at.number_input(key="roi_margin").set_value(100.0)
    rerun(at)
    assert _num(_metric(at, "Revenue saved (window)")) == pytest.approx(2 * saved, abs=2)
    # the projected ROI and its interval carry their sign ('+27%', '-26%'), the net value is money
    projected = re.compile(r"\*\*ROI [+-]\d+%\*\* \(95 % interval [+-]\d+% to [+-]\d+%\); "
                           r"net value -?\$\d{1,3}(,\d{3})*\. ")
    assert any(projected.search(m.value) for m in at.markdown), [m.value for m in at.markdown if "ROI" in m.value]
    at.number_input(key="roi_margin").set_value(80.0)
    at.toggle(key="roi_money_cuped").set_value(True)
    rerun(at)


def test_time_to_impact_ends_at_the_play_effect(demo_at, raw):
    at = rerun(demo_at)
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    rerun(at)
    ch = _chart(at, "day", "diff", "treatment")
    assert ch["day"].tolist() == list(range(91))
    _, _, diff, _, _ = _wald(_retention(raw, "Renewal save offer", 90))
    assert ch["diff"].iloc[-1] == pytest.approx(100 * diff)
    d = _retention(raw, "Renewal save offer", 90)
    gone = lambda g, k: ((g["churn_date"] - g["date"]).dt.days >= k) | g["churn_date"].isna()  # noqa: E731
    for k in (10, 40):
        want = gone(d[d["arm"] == "treatment"], k).mean() - gone(d[d["arm"] == "holdout"], k).mean()
        assert ch.loc[ch["day"] == k, "diff"].iloc[0] == pytest.approx(100 * want)


def test_planning_equals_statsmodels_and_bad_inputs_get_a_message(demo_store, monkeypatch):
    """Its own page (no state left by the tests above): the play is drawn before its planning inputs are set (they
    are keyed by play), and every input the figures depend on is set here."""
    at = open_page(monkeypatch, demo_store[0], PAGE)
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    rerun(at)
    at.number_input(key="roi_plan_power").set_value(80.0)
    at.number_input(key="roi_plan_p0_Renewal save offer").set_value(80.0)
    at.number_input(key="roi_plan_effect").set_value(4.0)
    at.number_input(key="roi_plan_share").set_value(20.0)
    rerun(at)
    n1 = NormalIndPower().solve_power(proportion_effectsize(0.84, 0.80), alpha=0.05, power=0.8, ratio=0.25)
    n_t, n_h = int(np.ceil(n1)), int(np.ceil(n1 * 0.25))
    assert _num(_metric(at, "Treated")) == n_t and _num(_metric(at, "Held out")) == n_h
    assert _num(_metric(at, "Contacts needed")) == n_t + n_h
    flow = at.number_input(key="roi_plan_flow_Renewal save offer").value
    months = (n_t + n_h) / flow  # a count of 100 or more is shown whole ('196'), below it to one decimal ('35.8')
    assert _num(_metric(at, "Months to run")) == pytest.approx(months, abs=0.05 if months < 100 else 0.5)
    at.number_input(key="roi_plan_p0_Renewal save offer").set_value(98.0)  # 98 % + 4 points > 100 %
    rerun(at)
    said = [e.value for e in at.error]  # the rates in percent, as the inputs take them, never as fractions
    assert said == ["Retention without the play and with it must lie between 0% and 100%, and the effect must not be "
                    f"zero: got {0.98 * 100:.1f}% without the play and {(0.98 + 0.04) * 100:.1f}% with it (an effect "
                    f"of +{4:.1f} pts)."], said


def test_revenue_outcome_and_segment_filter(demo_at, raw):
    at = demo_at
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    rerun(at, segments=("SMB",))
    _, _, diff, _, _ = _wald(_retention(raw, "Renewal save offer", 90, segments=("SMB",)))
    assert _num(_metric(at, "Play effect")) == pytest.approx(100 * diff, abs=0.05)
    at.selectbox(key="roi_out_Renewal save offer").set_value("revenue_kept")
    rerun(at)
    assert _metric(at, "Revenue kept, treatment").startswith("$")
    assert at.selectbox(key="roi_cov_Renewal save offer_revenue_kept").value == "pre_revenue"
    assert any("smaller (narrower)" in c.value for c in at.caption)
    at.selectbox(key="roi_out_Renewal save offer").set_value("retained")
    rerun(at)


def test_empty_store_says_what_to_do(store_url, monkeypatch):
    at = open_page(monkeypatch, store_url, PAGE)
    said = [e.value for e in at.error] + [i.value for i in at.info]
    assert len(said) == 1, said  # one message, not an error and a box repeating it
    assert said[0].startswith("There are no plays to measure: import interventions") and "Data page" in said[0]
    assert not at.error and at.info[0].icon == ":material/inbox:"  # an empty state, not an error


def test_imported_three_arm_campaign_is_measured_on_its_own_columns(store_url, monkeypatch):
    engine = core.make_engine(store_url)
    core.init_db(engine)
    frame = make_campaign(1500, seed=2)
    buf = io.BytesIO()
    frame.to_excel(buf, index=False, sheet_name="Test")
    plan = core.prepare_import(engine, buf.getvalue(), "campaign.xlsx", "interventions",
                               constants={"play": "Spring e-mail test"}, mapping={"date": "Sent On"},
                               create_customers=True)
    core.commit_import(engine, plan)
    engine.dispose()
    at = open_page(monkeypatch, store_url, PAGE)
    at = rerun(at, dates=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    assert at.selectbox(key="roi_play").value == "Spring e-mail test"
    assert at.selectbox(key="roi_control_Spring e-mail test").value == "holdout"
    # the file's numeric columns (cost is the play's cost field, not an outcome)
    assert at.selectbox(key="roi_out_Spring e-mail test").options == ["Visited", "Converted", "Spend",
                                                                       "Spend Last Year"]
    rates = frame.assign(v=(frame["Visited"] == "Yes") * 1.0).groupby("Arm")["v"].mean()
    shown = next(m.label for m in at.metric if m.label.startswith("Visited, ") and "holdout" not in m.label)
    name = shown.split(", ", 1)[1]  # the headline's arm (the arms are equal thirds: either mailing)
    assert name in ("Mens E-Mail", "Womens E-Mail")
    assert _num(_metric(at, shown)) == pytest.approx(100 * rates[name], abs=0.05)
    assert _num(_metric(at, "Visited, holdout")) == pytest.approx(100 * rates["No E-Mail"], abs=0.05)
    comp = _table(at, "arm", "treatment", "control", "difference")
    for _, r in comp.iterrows():
        assert r["treatment"] == pytest.approx(rates[r["arm"]])
        assert r["difference"] == pytest.approx(100 * (rates[r["arm"]] - rates["No E-Mail"]))
    assert any("Arm sizes fit the planned split" in s.value for s in at.success)  # equal thirds planned
    # money is valued on the imported spend; time to impact says it needs churn dates
    assert "Customers saved" not in [m.label for m in at.metric]
    assert _metric(at, "Revenue saved (window)").startswith(("$", "-$"))
    assert any("Time to impact needs churn dates" in i.value for i in at.info)


def test_where_it_works_by_segment_and_fatigue(demo_at, raw):
    at = demo_at
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    rerun(at)
    assert at.selectbox(key="roi_where_by").options == ["Segment", "Plan", "Region"]  # no churn model saved yet
    assert any("save a churn model" in i.value for i in at.info)
    t = _table(at, "group", "n", "n_control", "note").set_index("group")
    d = _retention(raw, "Renewal save offer", 90)
    for seg, g in d.groupby("segment"):
        _, _, diff, lo, hi = _wald(g)
        assert t.loc[seg, "difference"] == pytest.approx(100 * diff)
        assert (t.loc[seg, "low"], t.loc[seg, "high"]) == (pytest.approx(100 * lo, abs=1e-3),
                                                            pytest.approx(100 * hi, abs=1e-3))
    _, _, diff, _, _ = _wald(d)
    assert t.loc["All", "difference"] == pytest.approx(100 * diff)
    assert any(m.value.startswith("A two-model (T-learner) logistic uplift model") for m in at.markdown)
    q = _chart(at, "share_targeted", "line", "value")
    assert set(q["line"]) == {"uplift model", "random order"}
    # fatigue: the save offer's treated contacts per bucket of other contacts made in the 30 days before
    f = _table(at, "contacts_30d", "n").set_index("contacts_30d")
    k = _contacts_made_before(raw, d)
    treated = (d["arm"] == "treatment").to_numpy()
    for b, n in _buckets(k[treated]).items():
        assert f.loc[b, "n"] == n, b
    assert f.loc["All", "n"] == treated.sum()


def _contacts_made_before(raw, d, days=30):
    """For each row of ``d``, the customer's other contacts that were made (not held out) in the ``days`` days
    up to and including its date: a direct merge on the raw contacts."""
    made = raw[raw["arm"] != "holdout"][["id", "customer_id", "date"]]
    pairs = d[["id", "customer_id", "date"]].merge(made, on="customer_id", suffixes=("", "_o"))
    age = (pairs["date"] - pairs["date_o"]).dt.days
    hit = pairs[(age >= 0) & (age <= days) & (pairs["id"] != pairs["id_o"])]
    return hit.groupby("id").size().reindex(d["id"]).fillna(0).astype(int).to_numpy()


def _buckets(k):
    b = pd.Series(np.where(k >= 3, "3+", k.astype(str)))
    return b.value_counts().reindex(["0", "1", "2", "3+"], fill_value=0).to_dict()


def test_the_nudge_e_mails_show_fatigue_on_their_response(demo_at, raw):
    """The demo's weekly usage-nudge e-mails, measured on their own 'responded' column: per bucket of contacts
    made in the 30 days before, the sent and held-out response rates and their difference equal a direct
    computation, and the difference falls as the e-mails pile up."""
    import json

    at = demo_at
    play = "Usage nudge e-mail"
    at.selectbox(key="roi_play").set_value(play)
    rerun(at)
    at.selectbox(key=f"roi_out_{play}").set_value("responded")
    rerun(at)
    assert not at.exception
    d = raw[(raw["play"] == play) & (raw["date"] >= pd.Timestamp(WINDOW[0]))
            & (raw["date"] <= pd.Timestamp(WINDOW[1]))].copy()
    d["y"] = d["attributes"].map(lambda a: json.loads(a)["responded"]).astype(float)
    d["bucket"] = np.where((k := _contacts_made_before(raw, d)) >= 3, "3+", k.astype(str))
    f = _table(at, "contacts_30d", "n", "n_control").set_index("contacts_30d")
    assert not any("fatigue cannot be measured here" in i.value for i in at.info)
    diffs = {}
    for b, g in d.groupby("bucket"):
        t, c = g.loc[g["arm"] == "treatment", "y"], g.loc[g["arm"] == "holdout", "y"]
        assert (f.loc[b, "n"], f.loc[b, "n_control"]) == (len(t), len(c)), b
        diffs[b] = 100 * (t.mean() - c.mean())
        assert f.loc[b, "difference"] == pytest.approx(diffs[b]), b
    assert diffs["0"] > diffs["1"] > diffs["3+"] and diffs["0"] > 15  # fatigue: 20 points fresh, a few when busy


def test_risk_tiers_appear_once_a_churn_model_is_saved(demo_store, tmp_path, monkeypatch):
    from core.churn import pipeline as churn_report
    from core.churn import store as churn_store
    from core.history.inputs import load_inputs

    url = private_copy(demo_store[0], tmp_path)
    engine = core.make_engine(url)
    inputs = load_inputs(engine)
    result = churn_report.fit_churn(inputs, horizon_days=90)
    churn_store.save_run(engine, result, churn_report.default_economics(inputs), core.store_version(engine))
    engine.dispose()
    at = open_page(monkeypatch, url, PAGE)
    at.selectbox(key="roi_play").set_value("Renewal save offer")
    rerun(at)
    assert "Churn risk at contact" in at.selectbox(key="roi_where_by").options
    at.selectbox(key="roi_where_by").set_value("risk_tier")
    rerun(at)
    t = _table(at, "group", "n", "n_control", "note")
    assert set(t["group"]) <= {"high risk", "medium risk", "low risk", "(missing)", "All"}
    assert "high risk" in set(t["group"])
    assert t["n"].iloc[:-1].sum() == t["n"].iloc[-1]  # the tiers split every treated contact
    assert any(m.value.startswith("A two-model (T-learner) logistic uplift model on churn risk at contact,")
               for m in at.markdown)


def test_next_wave_lists_whom_to_contact_within_the_budget(demo_at, demo_store, raw):
    """The Next wave tab: the funnel's first steps equal a direct count on the store, the list equals core's
    next wave on the same contacts and settings, never costs more than the budget, a smaller budget keeps the
    start of the same list, a renewal rule keeps only customers renewing soon, and a zero budget says what to do."""
    from core.history.filters import Filters
    from core.roi import wave as roi_wave
    from core.roi.inputs import load_inputs as load_roi_inputs
    from core.roi.outcomes import outcomes
    from core.roi.plays import scope
    from core.roi.uplift_model import fit_uplift

    at = demo_at
    play = "Renewal save offer"
    at.selectbox(key="roi_play").set_value(play)
    rerun(at)
    assert not at.exception
    con = sqlite3.connect(demo_store[0].split("///", 1)[1])
    cust = pd.read_sql("SELECT customer_id, signup_date, churn_date, renewal_date FROM customer", con,
                       parse_dates=["signup_date", "churn_date", "renewal_date"])
    con.close()
    end = pd.Timestamp("2026-10-31")
    active = cust[(cust["signup_date"] <= end) & (cust["churn_date"].isna() | (cust["churn_date"] > end))]
    made = raw[(raw["arm"] != "holdout") & (raw["date"] > end - pd.Timedelta(days=30)) & (raw["date"] <= end)]
    funnel = _table(at, "step", "customers", "rule").set_index("step")["customers"]
    assert funnel["Active customers"] == len(active)
    assert funnel["Rested"] == len(set(active["customer_id"]) - set(made["customer_id"]))
    cost = float(raw.loc[(raw["play"] == play) & (raw["arm"] == "treatment")
                         & raw["date"].between(pd.Timestamp(WINDOW[0]), pd.Timestamp(WINDOW[1])), "cost"].mean())
    assert at.number_input(key=f"roi_wave_cost_{play}").value == pytest.approx(round(cost, 2))
    budget = 8 * round(cost, 2)
    at.number_input(key=f"roi_wave_budget_{play}").set_value(budget)
    rerun(at)
    t = _table(at, "customer_id", "predicted_uplift", "cumulative_cost")
    assert 1 <= len(t) <= 8 and t["cumulative_cost"].max() <= budget
    assert _metric(at, "Customers to contact") == f"{len(t):,}"
    # the wave's totals are the sums over the list shown
    assert _metric(at, "Cost of the wave") == units.format_value(t["cost"].sum(), "currency")
    assert _metric(at, "Extra customers kept") == units.count(t["predicted_uplift"].sum())
    assert _num(_metric(at, "Expected net value")) == pytest.approx(round(t["expected_value"].sum()))
    # the same list from core, on the same contacts (the sidebar's window) and settings
    engine = core.make_engine(demo_store[0])
    inputs = load_roi_inputs(engine)
    frame = scope(outcomes(inputs, play, window=90), Filters(start=WINDOW[0], end=WINDOW[1]))
    res = fit_uplift(frame, ["segment", "plan", "mrr_before", "pre_usage"])
    want = roi_wave.next_wave(inputs, frame, res, roi_wave.WaveSettings(budget=budget, cost_per_contact=round(cost, 2),
                                                                        value_months=12, margin=0.8))
    assert t["customer_id"].tolist() == want.targets["customer_id"].tolist()
    assert t["predicted_uplift"].to_numpy() == pytest.approx(want.targets["predicted_uplift"].to_numpy())
    assert _table(at, "step", "customers", "rule")["customers"].tolist() == want.funnel["customers"].tolist()
    # a smaller budget keeps the start of the same list
    at.number_input(key=f"roi_wave_budget_{play}").set_value(2 * round(cost, 2))
    rerun(at)
    small = _table(at, "customer_id", "predicted_uplift", "cumulative_cost")["customer_id"].tolist()
    assert small == t["customer_id"].tolist()[:len(small)] and len(small) <= 2
    # only customers renewing within 90 days
    at.number_input(key=f"roi_wave_budget_{play}").set_value(budget)
    at.number_input(key=f"roi_wave_renewing_{play}").set_value(90)
    rerun(at)
    soon = cust.set_index("customer_id")["renewal_date"]
    ids = _table(at, "customer_id", "predicted_uplift", "cumulative_cost")["customer_id"]
    assert ((soon[ids] > end) & (soon[ids] <= end + pd.Timedelta(days=90))).all()
    renewing = _table(at, "step", "customers", "rule").set_index("step")["customers"]["Renewing soon"]
    due = soon[active["customer_id"]]
    assert renewing == ((due > end) & (due <= end + pd.Timedelta(days=90))).sum()
    # nothing to spend: the page says what to do
    at.number_input(key=f"roi_wave_renewing_{play}").set_value(0)
    at.number_input(key=f"roi_wave_budget_{play}").set_value(0.0)
    rerun(at)
    assert any("Nobody is worth contacting" in i.value for i in at.info)
    assert not at.exception
