"""The review snapshot's Health scores, Feedback themes and Intervention ROI money figures (core.review.snapshot), each
checked against a computation of its own on the store's raw tables (SQLite read with pandas): band shares, MRR
in red and the back-test's AUC and band churn rates; the quarter's NPS, CSAT and CES and the top themes' churn
and NPS impact; each play's money figures with CUPED done by hand. Also the unit vocabulary (format_value,
page_table), one definition per figure, and compare's causes for a new health configuration, a codebook change
and changed parameters."""

import copy
import math
import sqlite3

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import core
from core import metrics
from core.errors import InsufficientDataError
from core.export import units
from core.feedback import store as ts
from core.feedback import verbatims as vb
from core.feedback.tagging import tag
from core.health import backtest as hb
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs
from core.review import compare as review_compare
from core.review import figures as review_figures
from core.review import snapshot as review
from tests.conftest import copy_store

AS_OF = pd.Timestamp("2026-09-30")  # 2026-Q3's last day; the small demo's data run to 2026-10-31
QUARTER_START = pd.Timestamp("2026-07-01")
DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0): (engine, file path)."""
    path = copy_store(small_demo_store, tmp_path_factory.mktemp("review_sections"))
    eng = core.make_engine(f"sqlite:///{path}")
    yield eng, path
    eng.dispose()


@pytest.fixture(scope="module")
def engine(store):
    return store[0]


@pytest.fixture(scope="module")
def q3(engine):
    return review.build(engine, "2026-Q3")


@pytest.fixture(scope="module")
def raw(store):
    """The store's tables as SQLite holds them, read without the workbench's loaders."""
    con = sqlite3.connect(store[1])
    try:
        out = {
            "customer": pd.read_sql("SELECT customer_id, signup_date, churn_date FROM customer", con,
                                    parse_dates=["signup_date", "churn_date"]),
            "revenue": pd.read_sql("SELECT customer_id, period, mrr, amount FROM revenue", con,
                                   parse_dates=["period"]),
            "feedback": pd.read_sql("SELECT id, customer_id, date, channel, score, text FROM feedback", con,
                                    parse_dates=["date"]),
            "ticket": pd.read_sql("SELECT id, customer_id, opened, satisfaction, text FROM ticket", con,
                                  parse_dates=["opened"]),
            "intervention": pd.read_sql('SELECT id, customer_id, play, date, "group" AS arm, cost FROM intervention',
                                        con, parse_dates=["date"]),
            "activity_end": pd.Timestamp(con.execute("SELECT MAX(date) FROM activity").fetchone()[0]),
        }
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def activity(store, raw):
    """Daily activity of the customers any play contacted (for the CUPED covariate)."""
    ids = tuple(raw["intervention"]["customer_id"].unique())
    con = sqlite3.connect(store[1])
    try:
        return pd.read_sql(f"SELECT customer_id, date, value FROM activity WHERE customer_id IN "
                           f"({','.join('?' * len(ids))})", con, params=ids, parse_dates=["date"])
    finally:
        con.close()


@pytest.fixture(scope="module")
def health_inputs(engine):
    return load_inputs(engine)


def page(snap, name):
    return snap.figures[snap.figures["page"] == name].set_index(["metric", "group"])


def mrr_on(raw, day) -> pd.Series:
    """Each customer's MRR in its latest revenue month on or before ``day``."""
    r = raw["revenue"]
    r = r[r["period"] <= pd.Timestamp(day)].sort_values("period", kind="stable")
    return r.groupby("customer_id")["mrr"].last()


def data_end(raw) -> pd.Timestamp:
    c, r = raw["customer"], raw["revenue"]
    return max(c["signup_date"].max(), c["churn_date"].max(), raw["activity_end"],
               r["period"].max() + pd.offsets.MonthEnd(0))


def bands(scores, cfg) -> np.ndarray:
    s = np.asarray(scores, float)
    return np.where(s <= cfg.red_max, "red", np.where(s <= cfg.amber_max, "amber", "green"))


def default_cfg(health_inputs, raw):
    return h.default_config(h.measure_frame(health_inputs, data_end(raw))[0])


# --------------------------------------------------------------------------- Health scores
def test_the_health_configuration_is_the_default_with_bounds_from_the_datas_last_day(q3, raw, health_inputs):
    assert data_end(raw) == pd.Timestamp("2026-10-31") > AS_OF
    assert q3.versions["health_config"] is None
    assert q3.versions["health_settings"] == default_cfg(health_inputs, raw).to_dict()


def test_health_bands_and_mrr_in_red_are_those_of_the_customers_active_on_the_quarters_last_day(q3, raw,
                                                                                             health_inputs):
    f = page(q3, "Health scores")
    cust = raw["customer"]
    active = cust[(cust["signup_date"] <= AS_OF) & (cust["churn_date"].isna() | (cust["churn_date"] > AS_OF))]
    frame, _ = h.measure_frame(health_inputs, AS_OF.date())
    assert set(frame["customer_id"]) == set(active["customer_id"])
    cfg = default_cfg(health_inputs, raw)
    s = h.score(cfg, frame)
    scored = s[s["score"].notna()]
    # the small demo scores all 752 customers active that day: above 700, no large share of them left unscored
    assert f.loc[("Customers scored", ""), "value"] == len(scored) > 700
    band = bands(scored["score"], cfg)
    for b in ("red", "amber", "green"):
        row = f.loc[("Health band", b)]
        assert row["value"] == pytest.approx((band == b).mean(), abs=1e-12) and row["unit"] == "share"
        assert row["text"] == f"{int((band == b).sum()):,} customers"
    assert f.xs("Health band", level="metric")["value"].sum() == pytest.approx(1.0)
    # MRR of the red customers in their latest revenue month up to the quarter's end (not the data's last month)
    red = scored.loc[band == "red", "customer_id"]
    want = mrr_on(raw, AS_OF).reindex(red).fillna(0).sum()
    assert f.loc[("MRR in red", ""), "value"] == pytest.approx(want, rel=1e-12) and want > 0
    assert f.loc[("MRR in red", ""), "unit"] == "currency"


def test_the_health_backtest_is_scored_over_month_ends_whose_horizon_ended_by_the_quarters_end(q3, raw,
                                                                                              health_inputs):
    f = page(q3, "Health scores")
    cust = raw["customer"]
    first = cust["signup_date"].min() + pd.Timedelta(days=120)
    cutoffs = pd.date_range(first + pd.offsets.MonthEnd(0), AS_OF - pd.Timedelta(days=90), freq="ME")[-12:]
    assert len(cutoffs) == 12 and cutoffs[-1] == pd.Timestamp("2026-06-30")
    cfg = default_cfg(health_inputs, raw)
    churn = cust.set_index("customer_id")["churn_date"]
    parts = []
    for c in cutoffs:
        s = h.score(cfg, h.measure_frame(health_inputs, c)[0])
        d = churn.reindex(s["customer_id"]).to_numpy()
        parts.append(pd.DataFrame({"score": s["score"].to_numpy(),
                                   "churned": ((d > c) & (d <= c + pd.Timedelta(days=90))).astype(int)}))
    rows = pd.concat(parts, ignore_index=True).dropna(subset=["score"])
    rows["band"] = bands(rows["score"], cfg)
    auc = roc_auc_score(rows["churned"], -rows["score"])
    row = f.loc[("Health back-test AUC", "")]
    assert row["value"] == pytest.approx(auc, abs=1e-12) and 0.5 < auc < 1
    assert row["text"] == "churn within 90 days; 12 month ends from 2025-07-31 to 2026-06-30"
    rate = rows.groupby("band")["churned"].agg(["mean", "sum", "size"])
    for b in ("red", "amber", "green"):
        r = f.loc[("Band churn rate", b)]
        assert r["value"] == pytest.approx(rate.loc[b, "mean"], abs=1e-12)
        assert r["text"] == (f"{int(rate.loc[b, 'sum']):,} of {int(rate.loc[b, 'size']):,} scored rows churned "
                             "within 90 days")
    assert rate.loc["red", "mean"] > rate.loc["green", "mean"]
    assert f.loc[("Red/green churn ratio", ""), "value"] == pytest.approx(rate.loc["red", "mean"]
                                                                          / rate.loc["green", "mean"])


def test_backtest_data_end_keeps_the_cutoffs_whose_horizon_ended_by_then(raw, health_inputs):
    as_of = hb.backtest_data(health_inputs, 12, 90, end=AS_OF)
    assert as_of.cutoffs[-1] == pd.Timestamp("2026-06-30") and len(as_of.cutoffs) == 12
    assert all(c <= AS_OF - pd.Timedelta(days=90) for c in as_of.cutoffs)
    # labels: churned within 90 days of the month end, straight from the customer table
    churn = raw["customer"].set_index("customer_id")["churn_date"]
    for c, frame in as_of.frames[-2:]:
        d = churn.reindex(frame["customer_id"])
        assert frame["churned"].tolist() == ((d <= c + pd.Timedelta(days=90)) & d.notna()).astype(int).tolist()
    # end=None is the old behaviour: the data's last day (2026-10-31), so the last cutoff is July's end
    old = hb.backtest_data(health_inputs, 3, 90)
    assert old.cutoffs == [pd.Timestamp("2026-05-31"), pd.Timestamp("2026-06-30"), pd.Timestamp("2026-07-31")]
    for end in (data_end(raw), "2030-01-01"):  # the data's last day, or any later day, change nothing
        same = hb.backtest_data(health_inputs, 3, 90, end=end)
        assert same.cutoffs == old.cutoffs and same.missing == old.missing
        for (_, a), (_, b) in zip(old.frames, same.frames):
            pd.testing.assert_frame_equal(a, b)
    # a time of day counts as that day
    assert hb.backtest_data(health_inputs, 2, 90, end="2026-09-30 18:30").cutoffs == as_of.cutoffs[-2:]
    with pytest.raises(InsufficientDataError, match="too short"):
        hb.backtest_data(health_inputs, 12, 90, end=raw["customer"]["signup_date"].min() + pd.Timedelta(days=200))


# --------------------------------------------------------------------------- Feedback themes
def test_nps_csat_and_ces_are_the_quarters_answers(q3, raw):
    f = page(q3, "Feedback themes")
    fb = raw["feedback"]
    q = fb[(fb["date"] >= QUARTER_START) & (fb["date"] <= AS_OF) & fb["score"].notna()]
    assert fb["date"].max() > AS_OF  # answers after the quarter exist and must not count
    nps, csat, ces = (q.loc[q["channel"] == c, "score"] for c in ("nps", "csat", "ces"))
    p, d = (nps >= 9).mean(), (nps <= 6).mean()
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / len(nps))
    z = stats.norm.ppf(0.975)
    row = f.loc[("NPS", "")]
    assert (row["value"], row["low"], row["high"]) == pytest.approx((100 * (p - d), 100 * (p - d) - z * se,
                                                                     100 * (p - d) + z * se))
    assert row["unit"] == "nps" and row["text"] == f"{len(nps):,} answers in the quarter"
    # CSAT as a share (not a percentage), with Wilson's interval
    k = int((csat >= 4).sum())
    lo, hi = proportion_confint(k, len(csat), alpha=0.05, method="wilson")
    row = f.loc[("CSAT", "")]
    assert (row["value"], row["low"], row["high"]) == pytest.approx((k / len(csat), lo, hi))
    assert row["unit"] == "share" and 0 < row["value"] < 1 and row["text"] == f"{len(csat):,} answers in the quarter"
    lo, hi = stats.t.interval(0.95, len(ces) - 1, loc=ces.mean(), scale=stats.sem(ces))
    row = f.loc[("CES", "")]
    assert (row["value"], row["low"], row["high"]) == pytest.approx((ces.mean(), lo, hi))
    assert row["unit"] == "score" and row["text"] == f"{len(ces):,} answers in the quarter"


@pytest.fixture(scope="module")
def themes(engine, raw):
    """Every active theme's mentions, churn impact (with its counts) and NPS impact over the 12 months to the
    quarter's end, computed here: verbatims from the feedback and ticket tables, tagged by the codebook."""
    fb, tk = raw["feedback"], raw["ticket"]
    fb = fb[fb["text"].notna() & (fb["text"].str.strip() != "")]
    tk = tk[tk["text"].notna() & (tk["text"].str.strip() != "")]
    verb = pd.concat([pd.DataFrame({"fid": fb["id"], "customer_id": fb["customer_id"], "date": fb["date"],
                                    "channel": fb["channel"].str.lower(), "score": fb["score"], "text": fb["text"]}),
                      pd.DataFrame({"fid": -tk["id"], "customer_id": tk["customer_id"],
                                    "date": tk["opened"].dt.normalize(), "channel": "ticket",
                                    "score": tk["satisfaction"], "text": tk["text"]})], ignore_index=True)
    start = pd.Timestamp("2025-10-01")
    win = verb[(verb["date"] >= start) & (verb["date"] <= AS_OF)].reset_index(drop=True)
    book = ts.load_codebook(engine)
    tags = tag(win["text"], book)
    churn = raw["customer"].set_index("customer_id")["churn_date"]
    answers = raw["feedback"]
    answers = answers[(answers["channel"] == "nps") & answers["score"].notna() & (answers["date"] >= start)
                      & (answers["date"] <= AS_OF)]

    def nps(x):
        return 100 * ((x >= 9).mean() - (x <= 6).mean())

    known = win["customer_id"].notna().to_numpy()
    rows = []
    for t in book.active():
        hit = np.zeros(len(win), bool)
        hit[tags.loc[tags["theme_id"] == t.id, "row"].to_numpy()] = True
        k = win[known]
        first_any = k.groupby("customer_id")["date"].min()
        first_hit = k[hit[known]].groupby("customer_id")["date"].min()
        ref = first_hit.reindex(first_any.index).fillna(first_any)
        raised = first_any.index.isin(first_hit.index)
        ok = (ref + pd.Timedelta(days=180) <= AS_OF).to_numpy()  # only customers whose 180 days have passed
        d = churn.reindex(ref.index)
        churned = ((d >= ref) & (d <= ref + pd.Timedelta(days=180))).to_numpy()
        k1, n1 = int((churned & raised & ok).sum()), int((raised & ok).sum())
        k0, n0 = int((churned & ~raised & ok).sum()), int((~raised & ok).sum())
        lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff") if n1 and n0 \
            else (np.nan, np.nan)
        own = set(win.loc[hit & (win["channel"] == "nps").to_numpy() & win["score"].notna().to_numpy(), "fid"])
        rows.append({"theme_id": t.id, "theme": book.label(t.id), "mentions": int(hit.sum()),
                     "share": hit.mean(), "k1": k1, "n1": n1, "k0": k0, "n0": n0,
                     "diff": k1 / n1 - k0 / n0 if n1 and n0 else np.nan, "low": lo, "high": hi,
                     "nps_impact": nps(answers["score"]) - nps(answers.loc[~answers["id"].isin(own), "score"])
                     if own else 0.0, "hit": hit})
    out = pd.DataFrame(rows)
    out = out[out["mentions"] > 0].sort_values(["diff", "mentions"], ascending=False, na_position="last",
                                               kind="stable")
    return out.reset_index(drop=True), win


def test_the_top_five_themes_by_churn_impact_over_the_twelve_months_to_the_quarters_end(q3, themes):
    f = page(q3, "Feedback themes")
    mine, _ = themes
    top = mine.head(5)
    groups = top["theme"].tolist()  # by name (the rank is in the mentions' note), so a comparison follows a theme
    assert f.xs("Churn impact", level="metric").index.tolist() == groups
    assert groups[0] == "Pricing & value" and top["diff"].is_monotonic_decreasing
    span = "verbatims from 2025-10-01 to 2026-09-30"
    for rank, (g, t) in enumerate(zip(groups, top.itertuples(index=False)), start=1):
        m = f.loc[("Mentions", g)]
        assert m["value"] == t.mentions and m["unit"] == "verbatims"
        assert m["text"] == f"#{rank} by churn impact; {t.share:.1%} of the {span}"
        c = f.loc[("Churn impact", g)]
        assert c["unit"] == "points"
        assert (c["value"], c["low"], c["high"]) == pytest.approx((t.diff, t.low, t.high), abs=1e-12)
        assert c["text"] == (f"{t.k1 / t.n1:.1%} of {t.n1:,} who named it vs {t.k0 / t.n0:.1%} of {t.n0:,} "
                             "others")
        n = f.loc[("NPS impact", g)]
        assert n["unit"] == "nps" and n["value"] == pytest.approx(t.nps_impact, abs=1e-9)
    # #1 in words: 21.2 % of 80 customers who named pricing churned within 180 days, 8.9 % of 449 others
    one = top.iloc[0]
    assert (one["k1"], one["n1"], one["n0"]) == (17, 80, 449)


def _at_risk(themes, raw, group):
    """The active customers (on the quarter's end) who named the group's theme in a negative verbatim."""
    mine, win = themes
    t = mine[mine["theme"] == group].iloc[0]
    negative = vb.is_negative(vb.sentiment(vb.mask_pii(win["text"])), win["channel"], win["score"]).to_numpy()
    cust = raw["customer"]
    active = set(cust.loc[cust["churn_date"].isna() | (cust["churn_date"] > AS_OF), "customer_id"])
    named = win.loc[t["hit"] & negative & win["customer_id"].notna().to_numpy(), "customer_id"]
    return sorted(set(named) & active)


def test_mrr_at_risk_counts_the_active_customers_who_named_the_theme_in_a_negative_verbatim(q3, themes, raw):
    f = page(q3, "Feedback themes")
    for g, row in f.xs("MRR at risk", level="metric").iterrows():
        who = _at_risk(themes, raw, g)
        assert row["text"] == f"{len(who):,} active customers" and row["unit"] == "currency"
        assert row["value"] > 0


def test_mrr_at_risk_is_the_mrr_as_of_the_quarters_end(q3, themes, raw):
    f = page(q3, "Feedback themes")
    mrr = mrr_on(raw, AS_OF)
    for g, row in f.xs("MRR at risk", level="metric").iterrows():
        assert row["value"] == pytest.approx(mrr.reindex(_at_risk(themes, raw, g)).fillna(0).sum(), rel=1e-12), g


# --------------------------------------------------------------------------- Intervention ROI
def _cuped_difference(y, x, treated):
    theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
    adj = y - theta * (x - x.mean())
    return adj[treated].mean() - adj[~treated].mean()


@pytest.fixture(scope="module")
def contacts(raw, activity):
    """Every play's measured contacts made by the quarter's end, with their outcomes and pre-period values."""
    iv = raw["intervention"]
    iv = iv[iv["date"] <= AS_OF].reset_index(drop=True)
    churn = raw["customer"].set_index("customer_id")["churn_date"]
    d = churn.reindex(iv["customer_id"]).to_numpy()
    # measured: the customer is known, the 90-day window lies in the data up to the quarter's end, and the
    # customer had not churned by the contact day
    measured = (iv["customer_id"].isin(churn.index) & (iv["date"] + pd.Timedelta(days=89) <= AS_OF)).to_numpy() \
        & ~(d <= iv["date"].to_numpy())
    e = iv[measured].copy()
    d = churn.reindex(e["customer_id"]).to_numpy()
    e["retained"] = (pd.isna(d) | (d >= (e["date"] + pd.Timedelta(days=90)).to_numpy())).astype(float)
    a = e[["id", "customer_id", "date"]].merge(activity, on="customer_id", suffixes=("", "_a"))
    use = a[(a["date_a"] >= a["date"] - pd.Timedelta(days=90)) & (a["date_a"] < a["date"])].groupby("id")["value"]
    e["pre_usage"] = np.log1p(e["id"].map(use.sum()).fillna(0) / 90)
    rev = raw["revenue"].assign(value=raw["revenue"]["mrr"].fillna(raw["revenue"]["amount"])).dropna(subset=["value"])
    r = e[["id", "customer_id", "date"]].merge(rev, on="customer_id")
    kept = r[(r["period"] >= r["date"]) & (r["period"] < r["date"] + pd.Timedelta(days=90))].groupby("id")["value"]
    pre = r[(r["period"] >= r["date"] - pd.Timedelta(days=90)) & (r["period"] < r["date"])].groupby("id")["value"]
    before = r[r["period"] < r["date"]].sort_values("period", kind="stable").groupby("id")["value"].last()
    e["kept"] = e["id"].map(kept.sum()).fillna(0)
    e["pre_revenue"] = e["id"].map(pre.sum()).fillna(0)
    e["mrr_before"] = e["id"].map(before)
    return e


def test_each_plays_money_figures_recomputed_with_cuped_by_hand(q3, contacts):
    f = page(q3, "Intervention ROI")
    plays = sorted(contacts["play"].unique())
    assert plays == ["Onboarding call", "Renewal save offer", "Usage drop check-in", "Usage nudge e-mail"]
    for play in plays:
        e = contacts[contacts["play"] == play]
        t = (e["arm"] == "treatment").to_numpy()
        n = int(t.sum())
        saved = _cuped_difference(e["retained"].to_numpy(), e["pre_usage"].to_numpy(), t) * n
        revenue = _cuped_difference(e["kept"].to_numpy(), e["pre_revenue"].to_numpy(), t) * n * 0.8
        cost = e.loc[t, "cost"].sum()
        value = saved * e.loc[t, "mrr_before"].mean() * 12 * 0.8
        want = {"Contacts treated": (n, "contacts"), "Customers saved": (saved, "customers"),
                "Revenue saved (window)": (revenue, "currency"), "Cost": (cost, "currency"),
                "Value of customers saved": (value, "currency"), "Net value (projected)": (value - cost, "currency"),
                "ROI (projected)": ((value - cost) / cost, "roi")}
        got = f.xs(play, level="group")
        assert [m for m in got.index if m in want] == list(review_figures.ROI_MONEY)
        for metric, (v, unit) in want.items():
            assert got.loc[metric, "value"] == pytest.approx(v, rel=1e-9), (play, metric)
            assert got.loc[metric, "unit"] == unit, (play, metric)
    # a contact after the quarter's end, or whose window runs past it, is not treated or costed
    renewal = contacts[(contacts["play"] == "Renewal save offer") & (contacts["arm"] == "treatment")]
    assert f.loc[("Contacts treated", "Renewal save offer"), "value"] == len(renewal) == 246
    assert f.loc[("Contacts", "Renewal save offer"), "value"] == 303


def test_money_identities_hold_for_each_play_and_interval(q3, contacts):
    f = page(q3, "Intervention ROI")
    for play, e in contacts[contacts["arm"] == "treatment"].groupby("play"):
        g = f.xs(play, level="group")
        per_saved = e["mrr_before"].mean() * 12 * 0.8
        cost = e["cost"].sum()
        assert g.loc["Cost", "value"] == g.loc["Cost", "low"] == g.loc["Cost", "high"] == pytest.approx(cost)
        n = g.loc["Contacts treated"]
        assert n["value"] == n["low"] == n["high"] == len(e)
        for col in ("value", "low", "high"):
            value = g.loc["Value of customers saved", col]
            assert value == pytest.approx(g.loc["Customers saved", col] * per_saved, rel=1e-9)
            assert g.loc["Net value (projected)", col] == pytest.approx(value - cost, rel=1e-9)
            assert g.loc["ROI (projected)", col] == pytest.approx((value - cost) / cost, rel=1e-9)
        assert g.loc["Customers saved", "low"] < g.loc["Customers saved", "value"] < g.loc["Customers saved", "high"]
        assert f"mean MRR before contact ({e['mrr_before'].mean():,.0f}) x 12 months x margin 80%" in \
            g.loc["Value of customers saved", "text"]


# --------------------------------------------------------------------------- units, definitions, page tables
def test_every_figure_has_a_definition_and_a_known_unit(q3):
    f = q3.figures
    new = f[f["page"].isin(["Health scores", "Feedback themes", "Intervention ROI"])]
    assert set(new["page"]) == {"Health scores", "Feedback themes", "Intervention ROI"}
    for m in new["metric"].unique():
        assert metrics.definition(m), m
    assert set(f["unit"]) <= set(units.UNITS)
    # pages in the review's order
    order = [review.PAGES.index(p) for p in f["page"]]
    assert order == sorted(order)


def test_page_table_shows_each_figure_with_its_interval_and_definition(q3):
    for name in review.PAGES:
        t = review.page_table(q3, name)
        assert len(t) == (q3.figures["page"] == name).sum()
        assert list(t.columns) == ["metric", "group", "value", "low", "high", "unit", "shown", "note", "definition"]
        assert (t["definition"] != "").all()
    assert review.page_table(q3, "Churn drivers").empty  # no churn model saved in this store
    f = q3.figures

    def shown(name, metric, group=""):
        t = review.page_table(f, name)
        return t.loc[(t["metric"] == metric) & (t["group"] == group), "shown"].item()

    csat = page(q3, "Feedback themes").loc[("CSAT", "")]
    assert shown("Feedback themes", "CSAT") == (f"{100 * csat['value']:.1f}% [{100 * csat['low']:.1f}%, "
                                                f"{100 * csat['high']:.1f}%]")
    assert shown("Feedback themes", "Churn impact", "Pricing & value") == "+12.3 pts [+4.2 pts, +22.8 pts]"
    assert shown("Feedback themes", "NPS") == "-6.5 [-17.4, +4.4]"
    red = page(q3, "Health scores").loc[("Health band", "red"), "value"]
    assert shown("Health scores", "Health band", "red") == f"{100 * red:.1f}%"
    assert shown("Health scores", "Red/green churn ratio") == "4.27x"
    assert shown("Overview", "Active customers") == "752"
    t = review.page_table(q3, "Health scores")
    assert t.loc[t["metric"] == "Health band", "note"].tolist() == page(q3, "Health scores").xs(
        "Health band", level="metric")["text"].tolist()
    assert t.loc[t["metric"] == "MRR in red", "definition"].item() == metrics.definition("MRR in red")


# --------------------------------------------------------------------------- compare
def test_compare_names_a_new_health_configuration_and_a_codebook_change(small_demo_store, tmp_path, q3):
    eng = core.make_engine(f"sqlite:///{copy_store(small_demo_store, tmp_path)}")
    try:
        # the module's 2026-Q3: built on another copy of the same store, which no test of this module writes into,
        # so it is this copy's snapshot before any change (the same data fingerprint, no saved configuration)
        before = q3
        assert before.data_hash == review.data_fingerprint(eng)
        assert before.versions["health_config"] is None and before.versions["codebook"] == 1
        cfg = h.HealthConfig.from_dict(before.versions["health_settings"])
        # saving the default the snapshot used as version 1 moves no figure, but is named
        assert hs.save_config(eng, cfg, "Dana", "the default, saved") == 1
        v1 = review.build(eng, "2026-Q3")
        c = review_compare.compare(before, v1)
        health = (c["page"] == "Health scores") | (c["metric"] == "MRR in red")  # the Overview's MRR in red too
        assert (c.loc[health, "cause"] == "health configuration none -> v1").all()
        assert (c.loc[~health, "cause"] == "").all()
        assert (c["change"] == 0).all()
        same = ~((v1.figures["page"] == "Overview") & (v1.figures["metric"] == "MRR in red"))  # its note names v1
        pd.testing.assert_frame_equal(before.figures[same], v1.figures[same], check_exact=True)

        weights = copy.deepcopy(cfg.weights)
        weights["adoption"].update(usage=30, breadth=0, renewal=0)
        assert hs.save_config(eng, cfg.with_weights(weights), "Dana", "more weight on usage") == 2
        book = ts.load_codebook(eng)
        pricing = next(t.id for t in book.active() if t.name == "Pricing & value")
        renamed, change = book.rename(pricing, "Price & value", author="Dana", reason="clearer")
        ts.save_change(eng, book, renamed, change)
        after = review.build(eng, "2026-Q3")
        assert (after.versions["health_config"], after.versions["codebook"]) == (2, 2)
        c = review_compare.compare(v1, after)
        red = c["metric"] == "MRR in red"  # the Overview's MRR in red reads the health configuration too
        by_page = {p: set(g["cause"]) for p, g in c[~red].groupby("page")}
        new_config = ("health configuration v1 -> v2 (weight: Usage level (adoption) 20 -> 30; weight: "
                      "Breadth of use (adoption) 5 -> 0; weight: Renewal proximity (adoption) 5 -> 0)")
        assert by_page == {"Overview": {""}, "Intervention ROI": {""}, "Feedback themes": {"codebook v1 -> v2"},
                           "Health scores": {new_config}}
        assert set(c.loc[red, "cause"]) == {new_config}
        other = c["page"].isin(["Overview", "Intervention ROI"]) & ~red & (c["metric"] != "MRR at high churn risk")
        assert (c.loc[other, "change"] == 0).all() and c.loc[other, "before"].notna().all()
        health = c[c["page"] == "Health scores"]
        assert (health["change"].abs() > 0).any()  # the new weights moved the bands
        # the renamed theme keeps its figures under its new name; the old name is only in the earlier snapshot
        fb = c[c["page"] == "Feedback themes"].set_index(["metric", "group"])
        for metric in ("Mentions", "Churn impact", "NPS impact", "MRR at risk"):
            assert fb.loc[(metric, "Price & value"), "after"] == fb.loc[(metric, "Pricing & value"), "before"]
            assert np.isnan(fb.loc[(metric, "Price & value"), "before"])
            assert np.isnan(fb.loc[(metric, "Pricing & value"), "after"])
        assert (fb.loc[["NPS", "CSAT", "CES"], "change"] == 0).all()

        again = review.build(eng, "2026-Q3")  # a rebuild after the change gives identical figures again
        pd.testing.assert_frame_equal(after.figures, again.figures, check_exact=True)
        assert after.versions == again.versions
        assert (review_compare.compare(after, again)["cause"] == "").all()
    finally:
        eng.dispose()


def test_compare_names_the_health_and_theme_parameters_on_their_pages(engine, q3):
    params = review.ReviewParams(health_backtest_months=6, health_horizon=60, top_themes=3)
    other = review.build(engine, "2026-Q3", params)
    f = page(other, "Health scores")
    assert f.loc[("Health back-test AUC", ""), "text"] == ("churn within 60 days; 6 month ends from 2026-02-28 to "
                                                           "2026-07-31")
    assert len(page(other, "Feedback themes").xs("Churn impact", level="metric")) == 3
    c = review_compare.compare(q3, other)
    by_page = {p: set(g["cause"]) for p, g in c.groupby("page")}
    assert by_page == {"Overview": {""}, "Intervention ROI": {""},
                       "Health scores": {"health back-test months 12 -> 6 months; "
                                         "health back-test horizon 90 -> 60 days"},
                       "Feedback themes": {"themes kept 5 -> 3 themes"}}
    same = c["page"].isin(["Overview", "Intervention ROI"])
    assert (c.loc[same, "change"] == 0).all()
    # the three themes kept are the first three of five, unchanged; #4 and #5 are only in the earlier snapshot
    fb = c[c["page"] == "Feedback themes"]
    assert fb.loc[fb["group"].str.startswith(("#1", "#2", "#3")), "change"].eq(0).all()
    assert fb.loc[fb["group"].str.startswith(("#4", "#5")), "after"].isna().all()
