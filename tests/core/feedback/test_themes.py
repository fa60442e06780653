"""Feedback themes (core.feedback.inputs, prepared, impact, mentions, followup): tagging quality on the demo, theme
impact against independent pandas computations of the definitions in core.feedback.impact's notes, trends, follow-up
items, churn signals, and a small hand-made input where every figure is checked by hand."""

import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from core.errors import InsufficientDataError
from core.feedback.codebook import Codebook
from core.feedback.followup import backlog, items, signals
from core.feedback.impact import theme_impact
from core.feedback.inputs import follow_up_status, inputs_from_frames, load_inputs
from core.feedback.mentions import by_group, over_time
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag

HORIZON = pd.Timedelta(days=180)
#: generator theme -> the starter codebook's theme
GEN_TO_BOOK = {"onboarding": "Onboarding & setup", "pricing": "Pricing & value", "bugs": "Bugs & reliability",
               "support_speed": "Support responsiveness", "missing_features": "Missing features",
               "billing_errors": "Billing & invoices"}


# -- shared demo objects (built once per module) ----------------------------------------------------
@pytest.fixture(scope="module")
def inp(demo):
    return inputs_from_frames(demo.customers, demo.feedback, demo.tickets, demo.revenue)


@pytest.fixture(scope="module")
def prepared(inp):
    return prepare(inp)


@pytest.fixture(scope="module")
def book():
    return starter_codebook()


@pytest.fixture(scope="module")
def tags(prepared, book):
    return tag(prepared["text"], book)


@pytest.fixture(scope="module")
def impact(prepared, tags, book, inp):
    return theme_impact(prepared, tags, book, inp)


def _ids(book) -> dict[str, int]:
    return {book.label(t.id): t.id for t in book.active()}


def _hit(tags, n, theme_id) -> np.ndarray:
    a = np.zeros(n, dtype=bool)
    a[tags.loc[tags["theme_id"] == theme_id, "row"].to_numpy()] = True
    return a


def _latest_mrr(revenue: pd.DataFrame) -> pd.Series:
    rev = revenue.assign(period=pd.to_datetime(revenue["period"]))
    idx = rev.groupby("customer_id")["period"].idxmax()
    return rev.loc[idx].set_index("customer_id")["mrr"].astype(float)


def _active_at(customers: pd.DataFrame, end) -> set:
    c = customers.assign(churn_date=pd.to_datetime(customers["churn_date"]))
    return set(c.loc[c["churn_date"].isna() | (c["churn_date"] > end), "customer_id"].astype(str))


def _churn_counts(verb: pd.DataFrame, hit: np.ndarray, customers: pd.DataFrame, end, horizon=HORIZON):
    """(churned raised, raised, churned others, others) straight from the definition in core.feedback.impact's notes."""
    v = pd.DataFrame({"customer_id": verb["customer_id"].to_numpy(), "date": pd.to_datetime(verb["date"]).to_numpy(),
                      "hit": np.asarray(hit, dtype=bool)})
    v = v[v["customer_id"].notna()]
    v["customer_id"] = v["customer_id"].astype(str)
    per = v.groupby("customer_id").agg(first_any=("date", "min"))
    first_hit = v[v["hit"]].groupby("customer_id")["date"].min().rename("first_hit")
    per = per.join(first_hit, how="left")
    per["raised"] = per["first_hit"].notna()
    per["ref"] = per["first_hit"].where(per["raised"], per["first_any"])
    churn = customers.assign(churn_date=pd.to_datetime(customers["churn_date"]),
                             customer_id=customers["customer_id"].astype(str)).set_index("customer_id")["churn_date"]
    per = per.join(churn, how="left")
    per = per[per["ref"] + horizon <= pd.Timestamp(end)]
    churned = (per["churn_date"] >= per["ref"]) & (per["churn_date"] <= per["ref"] + horizon)
    return (int((churned & per["raised"]).sum()), int(per["raised"].sum()),
            int((churned & ~per["raised"]).sum()), int((~per["raised"]).sum()))


def _nps(scores) -> float:
    s = pd.Series(scores, dtype=float)
    return 100.0 * ((s >= 9).mean() - (s <= 6).mean())


def _generator_labels(prepared: pd.DataFrame, demo) -> np.ndarray:
    """The generator's theme of each prepared verbatim, through its vid (F<k> / T<k> = frame row k - 1)."""
    vt = demo.verbatim_themes
    lab = {tab: vt[vt["table"] == tab].set_index("row")["theme"] for tab in ("feedback", "ticket")}
    row = prepared["vid"].str[1:].astype(int).to_numpy() - 1
    is_f = (prepared["vid"].str[0] == "F").to_numpy()
    out = np.where(is_f, lab["feedback"].reindex(np.where(is_f, row, -1)).to_numpy(),
                   lab["ticket"].reindex(np.where(is_f, -1, row)).to_numpy())
    return out


# -- 1. acceptance: precision and recall of the starter codebook against the generator ---------------
def test_feedback_vids_follow_frame_rows_even_when_some_rows_have_no_text():
    """``F<k>`` is frame row k - 1, the id the store gives that row (see inputs_from_frames' docstring)."""
    cust = pd.DataFrame({"customer_id": ["A", "B"], "segment": ["SMB", "SMB"], "churn_date": [pd.NaT, pd.NaT]})
    fb = pd.DataFrame({"customer_id": ["A", "B", "A"], "date": pd.to_datetime(["2025-01-01", "2025-01-02",
                                                                                 "2025-01-03"]),
                       "channel": ["nps", "nps", "csat"], "score": [7.0, 3.0, 2.0],
                       "text": [None, "Too expensive.", "Slow support."]})
    got = inputs_from_frames(cust, fb).verbatims.set_index("vid")["text"].to_dict()
    assert got == {"F2": "Too expensive.", "F3": "Slow support."}


def test_starter_codebook_recovers_the_generator_themes(demo, inp, prepared, tags, book):
    # the vid contract the mapping relies on: F<k> is feedback row k - 1, T<k> ticket row k - 1
    row = prepared["vid"].str[1:].astype(int).to_numpy() - 1
    is_f = (prepared["vid"].str[0] == "F").to_numpy()
    raw = inp.verbatims.set_index("vid")["text"].reindex(prepared["vid"]).to_numpy()
    src = np.where(is_f, demo.feedback["text"].to_numpy()[np.where(is_f, row, 0)],
                   demo.tickets["text"].to_numpy()[np.where(is_f, 0, row)])
    assert (raw == src).all(), f"{(raw != src).sum()} verbatims do not sit at the frame row their vid names"

    labels = _generator_labels(prepared, demo)
    ids = _ids(book)
    n_text = int(demo.feedback["text"].notna().sum() + demo.tickets["text"].notna().sum())
    assert len(prepared) == n_text  # verbatims without text are left out
    for gen, name in GEN_TO_BOOK.items():
        tagged = _hit(tags, len(prepared), ids[name])  # roll-up rows included
        truth = labels == gen
        precision = (tagged & truth).sum() / tagged.sum()
        recall = (tagged & truth).sum() / truth.sum()
        print(f"{gen:>17} -> {name:<23} precision {precision:.3f} recall {recall:.3f} "
              f"(tagged {tagged.sum()}, true {truth.sum()})")
        assert truth.sum() > 100
        assert precision >= 0.8, (gen, precision)
        assert recall >= 0.8, (gen, recall)


# -- 2. acceptance: the theme with the largest true churn effect ranks first ------------------------
def test_pricing_has_the_largest_true_churn_effect_and_ranks_first(demo, inp, impact):
    lift = demo.truth["theme_churn_lift"]
    assert max(lift, key=lift.get) == "pricing"

    # churn impact with the GENERATOR's labels, from the frames by row position (no vid involved)
    vt = demo.verbatim_themes
    parts = []
    for tab, frame, date in (("feedback", demo.feedback, pd.to_datetime(demo.feedback["date"])),
                             ("ticket", demo.tickets, pd.to_datetime(demo.tickets["opened"]).dt.normalize())):
        lab = vt[vt["table"] == tab].set_index("row")["theme"].reindex(np.arange(len(frame))).to_numpy()
        parts.append(pd.DataFrame({"customer_id": frame["customer_id"].to_numpy(), "date": date.to_numpy(),
                                   "text": frame["text"].to_numpy(), "theme": lab}))
    verb = pd.concat(parts, ignore_index=True)
    verb = verb[verb["text"].notna()].reset_index(drop=True)
    diffs = {}
    for gen in GEN_TO_BOOK:
        k1, n1, k0, n0 = _churn_counts(verb, (verb["theme"] == gen).to_numpy(), demo.customers, inp.end)
        diffs[gen] = k1 / n1 - k0 / n0
    print("true churn difference (generator labels):",
          ", ".join(f"{g} {d:+.3f}" for g, d in sorted(diffs.items(), key=lambda x: -x[1])))
    assert max(diffs, key=diffs.get) == "pricing"

    print(impact[["theme", "churn_diff", "churn_low", "churn_high", "n_raised"]].to_string())
    top = impact.iloc[0]
    assert top["theme"] == "Pricing & value"
    assert top["churn_low"] > 0
    assert impact["churn_diff"].is_monotonic_decreasing


# -- 3. theme_impact columns against the definitions -----------------------------------------------
def _expected_impact(prepared, tags, theme_id, inp, demo, start=None, end=None):
    win = np.ones(len(prepared), dtype=bool)
    if start is not None:
        win &= (prepared["date"] >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        win &= (prepared["date"] <= pd.Timestamp(end)).to_numpy()
    hit_all = _hit(tags, len(prepared), theme_id)
    verb = prepared[win]
    hit = hit_all[win]
    sub = verb[hit]
    k1, n1, k0, n0 = _churn_counts(verb, hit, demo.customers, inp.end)
    # NPS: every NPS answer of the window, minus the answers whose comment names the theme
    fb = demo.feedback.assign(date=pd.to_datetime(demo.feedback["date"]))
    nps_rows = fb[(fb["channel"].str.lower() == "nps") & fb["score"].notna()]
    if start is not None:
        nps_rows = nps_rows[nps_rows["date"] >= pd.Timestamp(start)]
    if end is not None:
        nps_rows = nps_rows[nps_rows["date"] <= pd.Timestamp(end)]
    own = sub.loc[(sub["channel"] == "nps") & sub["score"].notna(), "score"]
    all_s = nps_rows["score"]
    n_all, n_own = len(all_s), len(own)
    prom = ((all_s >= 9).sum() - (own >= 9).sum()) / (n_all - n_own)
    detr = ((all_s <= 6).sum() - (own <= 6).sum()) / (n_all - n_own)
    nps_impact = _nps(all_s) - 100 * (prom - detr) if n_own else 0.0
    active = _active_at(demo.customers, inp.end)
    neg_c = set(sub.loc[sub["negative"] & sub["customer_id"].notna(), "customer_id"].astype(str)) & active
    mrr = _latest_mrr(demo.revenue)
    return {"mentions": int(hit.sum()), "customers": sub["customer_id"].dropna().nunique(),
            "sentiment": sub["sentiment"].mean(), "share": hit.sum() / len(verb),
            "k1": k1, "n1": n1, "k0": k0, "n0": n0, "nps_impact": nps_impact, "n_own": n_own,
            "mrr": float(mrr.reindex(list(neg_c)).fillna(0).sum()), "at_risk": len(neg_c)}


def _check_row(row, exp):
    assert row["mentions"] == exp["mentions"]
    assert row["customers"] == exp["customers"]
    assert row["share"] == pytest.approx(exp["share"])
    assert row["sentiment"] == pytest.approx(exp["sentiment"], abs=1e-12)
    assert (row["churn_raised"] * row["n_raised"], row["n_raised"]) == pytest.approx((exp["k1"], exp["n1"]))
    assert (row["churn_others"] * row["n_others"], row["n_others"]) == pytest.approx((exp["k0"], exp["n0"]))
    assert row["churn_raised"] == pytest.approx(exp["k1"] / exp["n1"])
    assert row["churn_others"] == pytest.approx(exp["k0"] / exp["n0"])
    lo, hi = confint_proportions_2indep(exp["k1"], exp["n1"], exp["k0"], exp["n0"], method="newcomb",
                                        compare="diff")
    assert row["churn_diff"] == pytest.approx(exp["k1"] / exp["n1"] - exp["k0"] / exp["n0"], abs=1e-12)
    assert (row["churn_low"], row["churn_high"]) == pytest.approx((lo, hi), abs=1e-9)
    assert row["nps_impact"] == pytest.approx(exp["nps_impact"], abs=1e-9)
    assert row["mrr_at_risk"] == pytest.approx(exp["mrr"])
    assert row["customers_at_risk"] == exp["at_risk"]


@pytest.mark.parametrize("name", ["Pricing & value", "Billing & invoices"])
def test_theme_impact_matches_the_definitions(demo, inp, prepared, tags, book, impact, name):
    tid = _ids(book)[name]
    row = impact.set_index("theme_id").loc[tid]
    exp = _expected_impact(prepared, tags, tid, inp, demo)
    assert exp["n_own"] > 50 and exp["mrr"] > 0 and exp["n1"] > 100  # the figures are not trivially zero
    _check_row(row, exp)
    # the theme's own NPS answers: the mentions on the nps channel are exactly the tagged nps verbatims
    assert row["nps_impact"] != 0


def test_theme_impact_in_a_window(demo, inp, prepared, tags, book):
    tid = _ids(book)["Pricing & value"]
    start, end = "2025-01-01", "2026-03-31"
    got = theme_impact(prepared, tags, book, inp, start=start, end=end).set_index("theme_id").loc[tid]
    exp = _expected_impact(prepared, tags, tid, inp, demo, start=start, end=end)
    full = _expected_impact(prepared, tags, tid, inp, demo)
    assert 0 < exp["mentions"] < full["mentions"] and exp["n_own"] > 10
    _check_row(got, exp)


def test_theme_impact_has_one_row_per_active_theme_with_labels_and_teams(impact, book):
    assert sorted(impact["theme_id"]) == sorted(t.id for t in book.active())
    by_id = impact.set_index("theme_id")
    for t in book.active():
        assert by_id.loc[t.id, "team"] == t.team
        expected = t.name if t.parent is None else f"{book.get(t.parent).name} / {t.name}"
        assert by_id.loc[t.id, "theme"] == expected


# -- 4. trends and groups ---------------------------------------------------------------------------
def test_over_time_counts_mentions_per_quarter(prepared, tags, book):
    got = over_time(prepared, tags, book, freq="Q")
    period = prepared["date"].dt.to_period("Q").astype(str)
    totals = period.value_counts()
    top = [t for t in book.active() if t.parent is None]
    assert set(got["theme_id"]) == {t.id for t in top}  # sub-themes are not plotted separately
    t = tags.assign(period=period.to_numpy()[tags["row"].to_numpy()])
    expected = pd.crosstab(t["period"], t["theme_id"])
    for _, r in got.iterrows():
        assert r["mentions"] == expected.loc[r["period"], r["theme_id"]]
        assert r["verbatims"] == totals[r["period"]]
        assert r["share"] == pytest.approx(r["mentions"] / totals[r["period"]])
    # every (period, top-level theme) with a mention has a row
    exp_pairs = {(p, tid) for p in expected.index for tid in expected.columns
                 if tid in {x.id for x in top} and expected.loc[p, tid] > 0}
    assert set(zip(got["period"], got["theme_id"])) == exp_pairs


def test_over_time_leaves_undated_verbatims_out_of_every_period(prepared, tags, book):
    undated = prepared.copy()
    undated.loc[undated.index[:5], "date"] = pd.NaT
    got = over_time(undated, tags, book, freq="M")
    assert "NaT" not in set(got["period"])
    dated = undated["date"].dt.to_period("M").astype(str)[undated["date"].notna()]
    assert got.drop_duplicates("period").set_index("period")["verbatims"].to_dict() == \
        dated.value_counts().loc[got["period"].unique()].to_dict()


def test_by_group_counts_mentions_per_segment(prepared, tags, book):
    got = by_group(prepared, tags, book, by="segment")
    seg = prepared["segment"].astype(str)
    totals = seg.value_counts()
    assert set(got["group"]) == set(totals.index)
    for name in ("Pricing & value", "Bugs & reliability", "Onboarding & setup"):
        tid = _ids(book)[name]
        rows = tags.loc[tags["theme_id"] == tid, "row"].to_numpy()
        direct = seg.iloc[rows].value_counts()
        part = got[got["theme_id"] == tid].set_index("group")
        for g in totals.index:
            assert part.loc[g, "mentions"] == direct.get(g, 0)
            assert part.loc[g, "verbatims"] == totals[g]
            assert part.loc[g, "share"] == pytest.approx(direct.get(g, 0) / totals[g])


# -- 5. follow-up items and the backlog -------------------------------------------------------------
def test_items_are_negative_or_signal_verbatims_per_theme(prepared, tags, book):
    it = items(prepared, tags, book)
    need = prepared["negative"] | (prepared["signal"] != "")
    t = tags[need.to_numpy()[tags["row"].to_numpy()]]
    expected = set(zip(prepared["vid"].to_numpy()[t["row"].to_numpy()], t["theme_id"]))
    assert len(it) == len(expected) > 1000
    assert set(zip(it["vid"], it["theme_id"])) == expected
    teams = {th.id: th.team for th in book.themes.values()}
    assert (it["team"] == it["theme_id"].map(teams)).all()
    status = prepared.set_index("vid")["status"]
    assert (it["status"].to_numpy() == status.reindex(it["vid"]).to_numpy()).all()


def test_backlog_counts_equal_a_crosstab_of_the_items(prepared, tags, book):
    it = items(prepared, tags, book)
    bl = backlog(it, book)
    ct = pd.crosstab([it["team"], it["theme_id"]], it["status"])
    assert len(bl) == len(ct)
    for _, r in bl.iterrows():
        c = ct.loc[(r["team"], r["theme_id"])]
        assert r["open"] == c.get("open", 0)
        assert r["in_progress"] == c.get("in progress", 0)
        assert r["closed"] == c.get("closed", 0)
        assert r["items"] == c.sum()
        assert r["closure_rate"] == pytest.approx(c.get("closed", 0) / c.sum())
        assert r["team"] == book.get(r["theme_id"]).team
    assert bl["open"].is_monotonic_decreasing
    assert bl["items"].sum() == len(it)


# -- 6. churn signals -------------------------------------------------------------------------------
def test_signals_on_the_demo(demo, inp, prepared):
    cust = demo.customers
    health = pd.DataFrame({"customer_id": cust["customer_id"], "score": np.arange(len(cust), dtype=float),
                           "band": np.where(np.arange(len(cust)) % 2 == 0, "red", "green")})
    sig = signals(prepared, inp, health=health)
    assert len(sig) > 20
    assert (sig["signal"].str.strip() != "").all()
    churn = cust.set_index("customer_id")["churn_date"].reindex(sig["customer_id"])
    assert (churn.isna() | (churn > inp.end)).all()
    assert sig["mrr"].is_monotonic_decreasing
    mrr = _latest_mrr(demo.revenue)
    np.testing.assert_allclose(sig["mrr"].to_numpy(), mrr.reindex(sig["customer_id"]).to_numpy())
    h = health.set_index("customer_id")
    np.testing.assert_array_equal(sig["health"].to_numpy(), h["score"].reindex(sig["customer_id"]).to_numpy())
    assert (sig["band"].to_numpy() == h["band"].reindex(sig["customer_id"]).to_numpy()).all()
    # every active customer's signal verbatim is listed, and only those
    p = prepared[(prepared["signal"] != "") & prepared["customer_id"].notna()]
    active = _active_at(cust, inp.end)
    assert set(sig["vid"]) == set(p.loc[p["customer_id"].isin(active), "vid"])
    no_health = signals(prepared, inp)
    assert no_health["health"].isna().all() and len(no_health) == len(sig)


# -- 7. a small hand-made input --------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    """6 customers, 10 verbatims (7 feedback texts + 3 tickets) and one NPS answer without a comment."""
    customers = pd.DataFrame({
        "customer_id": list("ABCDEF"), "name": [f"Co {c}" for c in "ABCDEF"],
        "segment": ["SMB", "SMB", "Mid", "Mid", "Ent", "Ent"], "plan": "x", "region": "y",
        "churn_date": pd.to_datetime([ "2025-12-20", "2025-06-01", None, None, None, "2025-11-01"])})
    feedback = pd.DataFrame({
        "customer_id": ["A", "A", "B", "C", "D", "F", "B", "E"],
        "date": pd.to_datetime(["2025-01-10", "2025-02-10", "2025-01-15", "2025-01-20", "2025-03-01",
                                "2025-04-01", "2025-05-01", "2025-01-05"]),
        "channel": ["nps", "NPS", "nps", "nps", "csat", "review", "social", "nps"],
        "score": [3, 9, 2, 10, 5, 1, np.nan, 7],
        "text": ["The price is too high.", "Great product, no bug.", "Price went up again, we will cancel.",
                 "Love it.", "A bug in export.", "Bug after bug.", "Thinking of switching, price is silly.", None],
        "status": [" Resolved ", None, None, "done", "closed", "closed", "pending", None]})
    tickets = pd.DataFrame({
        "customer_id": ["C", "E", "D"],
        "opened": pd.to_datetime(["2025-02-01 10:30", "2025-03-03 09:00", "2025-05-05 16:00"]),
        "satisfaction": [np.nan, np.nan, 4.0], "status": ["resolved", "pending", None],
        "text": ["The price is terrible.", "Found an awful bug, we may cancel.",
                 "How do I export? We will not cancel."]})
    revenue = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E", "E", "F"],
        "period": pd.to_datetime(["2025-11-01", "2025-05-01", "2025-12-01", "2025-12-01", "2025-11-01",
                                  "2025-12-01", "2025-10-01"]),
        "mrr": [100.0, 200.0, 300.0, 400.0, 450.0, 500.0, 600.0]})
    inp = inputs_from_frames(customers, feedback, tickets, revenue)
    book, _ = Codebook({}, 1).create("Pricing", ["price"], team="Sales")
    book, _ = book.create("Bugs", ["bug"], team="Engineering")
    prepared = prepare(inp)
    return inp, prepared, book, tag(prepared["text"], book)


def test_follow_up_status_normalises():
    raw = pd.Series(["resolved", " Closed", "PENDING", "in progress", None, np.nan, "open", "whatever", "Done"])
    assert follow_up_status(raw).tolist() == ["closed", "closed", "in progress", "in progress", "open",
                                                     "open", "open", "open", "closed"]
    assert follow_up_status(pd.Series([None, None])).tolist() == ["open", "open"]


def test_small_input_verbatims_and_flags(small):
    inp, p, book, tags = small
    assert inp.end == pd.Timestamp("2025-12-31")  # last revenue month, to its end
    assert len(p) == 10 and len(inp.surveys) == 7  # the social post has no score
    by = p.set_index("vid")
    assert by.loc["T1", "date"] == pd.Timestamp("2025-02-01")  # ticket times to the day
    assert by["status"].to_dict() == {"F1": "closed", "F2": "open", "F3": "open", "F4": "closed", "F5": "closed",
                                      "F6": "closed", "F7": "in progress", "T1": "closed", "T2": "in progress",
                                      "T3": "open"}
    assert by["negative"].to_dict() == {"F1": True, "F2": False, "F3": True, "F4": False, "F5": False, "F6": True,
                                        "F7": False, "T1": True, "T2": True, "T3": False}
    assert by.loc["F3", "signal"] == "cancel" and by.loc["F7", "signal"] == "switching"
    assert by.loc["T2", "signal"] == "cancel"
    assert by.loc["T3", "signal"] == ""  # "we will not cancel" is not a churn signal
    named = {tid: set(p["vid"].to_numpy()[tags.loc[tags["theme_id"] == tid, "row"]]) for tid in (1, 2)}
    assert named == {1: {"F1", "F3", "F7", "T1"}, 2: {"F2", "F5", "F6", "T2"}}


def test_small_input_theme_impact_by_hand(small):
    inp, p, book, tags = small
    imp = theme_impact(p, tags, book, inp)
    assert imp["theme"].tolist() == ["Pricing", "Bugs"]
    pr, bg = imp.iloc[0], imp.iloc[1]
    assert (pr["mentions"], pr["customers"], bg["mentions"], bg["customers"]) == (4, 3, 4, 4)
    assert pr["share"] == pytest.approx(0.4)
    # Pricing: raised A, B, C (B churns 137 days later; A after 344 days, beyond the horizon);
    # others D, E, F (F churns 214 days after its first verbatim): 1/3 - 0/3
    assert (pr["churn_raised"], pr["n_raised"], pr["churn_others"], pr["n_others"]) == (pytest.approx(1 / 3), 3,
                                                                                        0.0, 3)
    assert pr["churn_diff"] == pytest.approx(1 / 3)
    # Bugs: raised A, D, E, F, none churned in time; others B (churned) and C
    assert (bg["churn_raised"], bg["n_raised"], bg["churn_others"], bg["n_others"]) == (0.0, 4, 0.5, 2)
    # NPS answers 3, 9, 2, 10, 7: NPS 0; without Pricing's 3 and 2: 9, 10, 7 -> 66.7; without Bugs' 9: -25
    assert pr["nps_impact"] == pytest.approx(-200 / 3)
    assert bg["nps_impact"] == pytest.approx(25.0)
    # MRR at risk: active at the end are C, D, E; Pricing's negative verbatims come from A, B, C -> C's 300;
    # Bugs' from F (churned) and E -> E's latest 500 (not the earlier 450)
    assert (pr["mrr_at_risk"], pr["customers_at_risk"]) == (300.0, 1)
    assert (bg["mrr_at_risk"], bg["customers_at_risk"]) == (500.0, 1)
    # a window from February: Pricing raised by C (02-01) and B (05-01, churns in June); others A, D, E, F
    win = theme_impact(p, tags, book, inp, start="2025-02-01").set_index("theme")
    assert (win.loc["Pricing", "churn_raised"], win.loc["Pricing", "n_raised"]) == (0.5, 2)
    assert (win.loc["Pricing", "churn_others"], win.loc["Pricing", "n_others"]) == (0.0, 4)
    assert win.loc["Pricing", "mentions"] == 2 and win.loc["Pricing", "nps_impact"] == 0.0


def test_small_input_trends_items_backlog_signals(small):
    inp, p, book, tags = small
    ot = over_time(p, tags, book, freq="Q").set_index(["period", "theme"])
    assert ot.loc[("2025Q1", "Pricing"), ["mentions", "verbatims"]].tolist() == [3, 7]
    assert ot.loc[("2025Q2", "Pricing"), ["mentions", "verbatims"]].tolist() == [1, 3]
    assert ot.loc[("2025Q1", "Bugs"), "share"] == pytest.approx(3 / 7)
    bg = by_group(p, tags, book, by="segment").set_index(["group", "theme"])
    assert bg["mentions"].to_dict() == {("Ent", "Pricing"): 0, ("Ent", "Bugs"): 2, ("Mid", "Pricing"): 1,
                                        ("Mid", "Bugs"): 1, ("SMB", "Pricing"): 3, ("SMB", "Bugs"): 1}
    assert bg.loc[("SMB", "Pricing"), "share"] == pytest.approx(3 / 4)
    assert bg.loc[("Ent", "Bugs"), "share"] == pytest.approx(1.0)

    it = items(p, tags, book)
    assert sorted(zip(it["vid"], it["theme"])) == sorted([("F1", "Pricing"), ("F3", "Pricing"), ("T1", "Pricing"),
                                                          ("F7", "Pricing"), ("F6", "Bugs"), ("T2", "Bugs")])
    assert set(it.loc[it["theme"] == "Pricing", "team"]) == {"Sales"}
    bl = backlog(it, book).set_index("theme")
    assert bl.loc["Pricing", ["items", "open", "in_progress", "closed"]].tolist() == [4, 1, 1, 2]
    assert bl.loc["Bugs", ["items", "open", "in_progress", "closed"]].tolist() == [2, 0, 1, 1]
    assert bl["closure_rate"].tolist() == [0.5, 0.5] and bl.index.tolist() == ["Pricing", "Bugs"]

    sig = signals(p, inp)
    assert sig["vid"].tolist() == ["T2"] and sig["mrr"].tolist() == [500.0]  # B has churned
    everyone = signals(p, inp, active_only=False)
    assert everyone["vid"].tolist() == ["T2", "F7", "F3"]  # MRR 500, 200, 200 (newest first)
    assert everyone["name"].tolist() == ["Co E", "Co B", "Co B"]
    health = pd.DataFrame({"customer_id": ["E"], "score": [42.0], "band": ["amber"]})
    joined = signals(p, inp, health=health)
    assert joined[["health", "band"]].values.tolist() == [[42.0, "amber"]]


# -- 8. the store and personal data ---------------------------------------------------------------
def test_load_inputs_on_an_empty_store_raises(engine):
    with pytest.raises(InsufficientDataError):
        load_inputs(engine)


def test_prepare_masks_personal_data(inp, prepared):
    raw = inp.verbatims["text"]
    assert raw.str.contains("@").sum() > 0 and raw.str.contains("4111 1111").sum() > 0  # the demo has PII
    assert not prepared["text"].str.contains("@").any()
    assert not prepared["text"].str.contains("4111").any()
    assert not prepared["text"].str.contains(re.escape("555-0")).any()
    assert prepared["text"].str.contains(r"\[email\]").sum() == raw.str.contains("@").sum()
