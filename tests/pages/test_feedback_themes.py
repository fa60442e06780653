"""AppTest of the Feedback themes page (pages/feedback_themes.py) on the demo: the figures on screen equal an
independent computation on the same store (headline counts and scores, survey scores per quarter, verbatims per
month and segment, a theme's mentions, churn-signal MRR), the churn-impact ranking equals core's, codebook changes
made through the forms are saved with their author and keep every other theme's id, refused changes save nothing,
discovery adds a theme with the next id, backlog statuses are saved, a link with a customer opens its verbatims, the
segment filter narrows the figures, and the empty store says what to do.

AppTest (Streamlit 1.67) reruns only the page under st.navigation, not app.py, so the sidebar's widgets are not
drawn again and their keys would be dropped after the first page run; every rerun here sets them (``rerun`` in
tests/pages/conftest.py) the way the sidebar's widgets hold them, as tests/pages/test_overview.py does.
"""

import datetime as dt
import hashlib
import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

import core
from core.feedback import followup
from core.feedback import store as ts
from core.feedback.codebook import DEFAULT_TEAM
from core.feedback.impact import theme_impact
from core.feedback.inputs import in_window, load_inputs
from core.feedback.loop_times import loop_times
from core.feedback.prepared import prepare
from core.feedback.tagging import tag
from core.feedback.verbatim_list import SHOWN
from tests.pages.conftest import default_window, open_page, private_copy, rerun

ROOT = Path(__file__).resolve().parents[2]
PAGE = "feedback_themes"
TIMEOUT = 300
HORIZON = 180  # the page's default "Churn within (days)"


WINDOW = default_window()
START, END = pd.Timestamp(WINDOW[0]), pd.Timestamp(WINDOW[1])


# -- helpers ----------------------------------------------------------------------------------------------------
def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _help(at, label):
    return next(m.help for m in at.metric if m.label == label)


def _table(at, *columns) -> pd.DataFrame:
    """The first dataframe on screen holding all of ``columns``."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _chart(at, *columns, without=()) -> pd.DataFrame:
    """The data of the first chart on screen whose data holds all of ``columns`` and none of ``without``."""
    for c in at.get("vega_lite_chart"):
        for d in c.proto.datasets:
            df = convert_arrow_bytes_to_pandas_df(d.data.data)
            if set(columns) <= set(df.columns) and not set(without) & set(df.columns):
                return df
    raise AssertionError(f"no chart with the columns {columns}")


def _submit(at, form: str):
    """Click the submit button of ``form`` and rerun."""
    next(b for b in at.button if b.form_id == form).click()
    return rerun(at)


def _sig(cands: pd.DataFrame, n: int) -> str:
    """The key suffix of candidate ``n``'s form (ui/codebook_editor.py keys forms by the candidate's terms)."""
    terms = cands.set_index("candidate").loc[n, "top_terms"].split(", ")
    return hashlib.sha1("|".join(terms).encode()).hexdigest()[:10]


def _pct(x: float) -> float:
    """'68.7%' -> 68.7"""
    return float(x.rstrip("%"))


def _rule(terms) -> re.Pattern:
    """A regular expression of codebook terms written here from the rule syntax (core/feedback/rules.py's notes): whole
    words, case-insensitive, ``*`` any ending, words of a phrase apart by spaces or a hyphen, ``_`` any one word."""
    parts = []
    for t in terms:
        words = t.rstrip("*").split()
        parts.append(r"[\s\-]+".join(r"\w+" if w == "_" else re.escape(w) for w in words)
                     + (r"\w*" if t.endswith("*") else ""))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.I)


def _nps(scores: pd.Series) -> tuple[float, float, float, int]:
    """NPS of 0-10 answers and its 95 % normal interval (variance of a +1/0/-1 answer), clipped to -100..100."""
    p, d, n = (scores >= 9).mean(), (scores <= 6).mean(), len(scores)
    v = 100 * (p - d)
    half = stats.norm.ppf(0.975) * 100 * np.sqrt((p + d - (p - d) ** 2) / n)
    return v, max(-100.0, v - half), min(100.0, v + half), n


# -- fixtures ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0; this module saves codebook changes
    and statuses into it)."""
    return private_copy(f"sqlite:///{small_demo_store}", tmp_path_factory.mktemp("themes"))


@pytest.fixture(scope="module")
def raw(store):
    """The store read with sqlite and pandas, no core code: verbatims (feedback and ticket rows with a text, dated
    by feedback.date / the day a ticket was opened) in the sidebar's window, survey answers in the window, customers
    and each customer's MRR in its latest revenue month."""
    con = sqlite3.connect(store.split("///", 1)[1])
    fb = pd.read_sql("SELECT id, customer_id, date, channel, score, text, status FROM feedback", con)
    tk = pd.read_sql("SELECT id, customer_id, opened, text FROM ticket", con)
    cust = pd.read_sql("SELECT customer_id, segment, churn_date FROM customer", con)
    rev = pd.read_sql("SELECT customer_id, period, mrr FROM revenue", con)
    con.close()
    has_text = fb["text"].notna() & (fb["text"].fillna("").str.strip() != "")
    f = fb[has_text]
    t = tk[tk["text"].notna() & (tk["text"].fillna("").str.strip() != "")]
    verb = pd.concat([
        pd.DataFrame({"vid": "F" + f["id"].astype(str), "customer_id": f["customer_id"],
                      "date": pd.to_datetime(f["date"], format="ISO8601"), "channel": f["channel"].str.lower(),
                      "text": f["text"]}),
        pd.DataFrame({"vid": "T" + t["id"].astype(str), "customer_id": t["customer_id"],
                      "date": pd.to_datetime(t["opened"], format="ISO8601").dt.normalize(), "channel": "ticket",
                      "text": t["text"]})], ignore_index=True)
    verb["segment"] = verb["customer_id"].map(cust.set_index("customer_id")["segment"]).fillna("(unknown)")
    verb = verb[(verb["date"] >= START) & (verb["date"] <= END)].reset_index(drop=True)
    surveys = fb[fb["score"].notna()].assign(date=lambda x: pd.to_datetime(x["date"], format="ISO8601"),
                                             channel=lambda x: x["channel"].str.lower())
    surveys = surveys[(surveys["date"] >= START) & (surveys["date"] <= END)]
    surveys = surveys.assign(segment=surveys["customer_id"].map(cust.set_index("customer_id")["segment"]))
    rev["period"] = pd.to_datetime(rev["period"], format="ISO8601")
    mrr = rev.sort_values("period").groupby("customer_id")["mrr"].last()
    cust["churn_date"] = pd.to_datetime(cust["churn_date"], format="ISO8601")
    return {"verb": verb, "surveys": surveys, "customers": cust, "mrr": mrr}


@pytest.fixture(scope="module")
def ref(store):
    """Core's own computation on the same store (used only where a test checks that the page equals core): inputs,
    prepared verbatims, the stored codebook, its tags, the window mask and the theme impact in the window."""
    eng = core.make_engine(store)
    inputs = load_inputs(eng)
    prep = prepare(inputs)
    book = ts.load_codebook(eng)
    tags = tag(prep["text"], book)
    win = ((prep["date"] >= START) & (prep["date"] <= END)).to_numpy()
    imp = theme_impact(prep, tags, book, inputs, start=START, end=END, horizon=HORIZON)
    eng.dispose()
    return {"inputs": inputs, "prep": prep, "book": book, "tags": tags, "win": win, "imp": imp}


@pytest.fixture(scope="module")
def page(store):
    """The page opened once on the private store; the read-only tests come first, the ones that change it last."""
    with pytest.MonkeyPatch.context() as mp:
        yield open_page(mp, store, PAGE, timeout=TIMEOUT)


# -- read-only --------------------------------------------------------------------------------------------------
def test_headline_figures_equal_a_direct_count(page, raw, ref, store):
    """Verbatims, NPS, CSAT and CES from the store directly; Tagged and Churn signals equal core's tagging and
    churn-signal words (the page equals core) over the window counted here."""
    at = page
    assert at.title[0].value == "Feedback themes"
    verb, s = raw["verb"], raw["surveys"]
    con = sqlite3.connect(store.split("///", 1)[1])
    n_active = con.execute("SELECT count(*) FROM theme WHERE status = 'active'").fetchone()[0]
    con.close()
    assert at.caption[0].value == (f"{WINDOW[0]:%Y-%m-%d} to {WINDOW[1]:%Y-%m-%d} (the sidebar's date range), "
                                   f"{n_active} active themes in the codebook.")
    assert _metric(at, "Verbatims") == f"{len(verb):,}"
    nps = s.loc[s["channel"] == "nps", "score"]
    assert _metric(at, "NPS") == f"{100 * ((nps >= 9).mean() - (nps <= 6).mean()):+.1f}"
    assert f"{len(nps):,} answers" in _help(at, "NPS")
    # each interval in its metric's unit, as the review writes it: NPS points, CSAT a share, CES a 3-decimal score
    assert re.search(r"95 % interval [+-]\d+\.\d to [+-]\d+\.\d, ", _help(at, "NPS"))
    csat = s.loc[s["channel"] == "csat", "score"]
    assert _metric(at, "CSAT") == f"{(csat >= 4).mean() * 100:.1f}%"
    assert f"{len(csat):,} answers" in _help(at, "CSAT")
    assert re.search(r"95 % interval \d+\.\d% to \d+\.\d%, ", _help(at, "CSAT"))
    ces = s.loc[s["channel"] == "ces", "score"]
    assert _metric(at, "CES") == f"{ces.mean():.3f}"
    assert f"{len(ces):,} answers" in _help(at, "CES")
    assert re.search(r"95 % interval \d+\.\d{3} to \d+\.\d{3}, ", _help(at, "CES"))
    # core's prepared verbatims hold the same rows in the window; tagged and churn-signal shares over them
    prep, tags, win = ref["prep"], ref["tags"], ref["win"]
    assert sorted(prep.loc[win, "vid"]) == sorted(verb["vid"])
    tagged = tags.loc[tags["row"].isin(np.nonzero(win)[0]), "row"].nunique()
    assert _metric(at, "Tagged") == f"{tagged / win.sum() * 100:.1f}%"
    assert _metric(at, "Churn signals") == f"{int(((prep['signal'] != '').to_numpy() & win).sum()):,}"
    # the Verbatims tab starts on every verbatim in the window: it counts them all and lists the newest
    shown = _table(at, "vid", "tone", "themes")
    assert len(shown) == min(len(verb), SHOWN) and set(shown["vid"]) <= set(verb["vid"])
    assert any(c.value.startswith(f"{len(verb):,} verbatims") for c in at.caption)
    assert len(at.get("vega_lite_chart")) == 5  # churn impact, MRR at risk, over time, by segment, scores


def test_top_theme_and_themes_table_equal_theme_impact(page, raw, ref):
    """The sentence, the Themes table and both charts equal core.feedback.impact.theme_impact on the same inputs,
    codebook
    and window (the page equals core); the mentions of Pricing & value also equal a direct regular-expression
    count of its keywords over the store's texts."""
    at = page
    imp = ref["imp"]
    top = imp.iloc[0]
    assert top["theme"] == "Pricing & value"
    sentence = (f"**Pricing & value** goes with the most churn: {top['churn_raised'] * 100:.1f}% of the "
                f"{int(top['n_raised']):,} customers who raised it churned within {HORIZON} days, against "
                f"{top['churn_others'] * 100:.1f}% of the others ({top['churn_diff'] * 100:+.1f} pts, 95 % "
                f"interval {top['churn_low'] * 100:+.1f} pts to {top['churn_high'] * 100:+.1f} pts); "
                f"${top['mrr_at_risk']:,.0f} MRR at risk.")
    assert any(m.value == sentence for m in at.markdown), [m.value for m in at.markdown if "most churn" in m.value]
    table = _table(at, "theme_id", "mrr_at_risk")
    assert table["theme_id"].tolist() == imp["theme_id"].tolist()
    assert table["theme"].tolist() == imp["theme"].tolist()
    assert table["mentions"].tolist() == imp["mentions"].tolist()
    assert table["mrr_at_risk"].to_numpy() == pytest.approx(imp["mrr_at_risk"].to_numpy())
    assert table["churn_diff"].to_numpy() == pytest.approx(imp["churn_diff"].to_numpy() * 100, nan_ok=True)
    assert table["n_raised"].tolist() == imp["n_raised"].tolist()
    # Pricing & value's mentions, counted straight from the texts in the window
    pricing = _rule(ref["book"].get(2).keywords)
    direct = int(raw["verb"]["text"].str.contains(pricing).sum())
    assert table.set_index("theme_id").loc[2, "mentions"] == direct
    # the churn-impact chart: each theme's difference and interval in points, coloured by where the interval lies
    ch = _chart(at, "direction", "diff").set_index("theme_id")
    imp_i = imp.set_index("theme_id").loc[ch.index]
    assert ch["diff"].to_numpy() == pytest.approx(imp_i["churn_diff"].to_numpy() * 100)
    assert ch["low"].to_numpy() == pytest.approx(imp_i["churn_low"].to_numpy() * 100)
    expected = np.where(imp_i["churn_low"] > 0, "more churn",
                        np.where(imp_i["churn_high"] < 0, "less churn", "no clear difference"))
    assert ch["direction"].tolist() == expected.tolist()
    assert ch.loc[2, "direction"] == "more churn"
    mrr = _chart(at, "mrr_at_risk", "customers_at_risk", without=["direction"]).set_index("theme_id")
    assert mrr["mrr_at_risk"].tolist() == sorted(mrr["mrr_at_risk"], reverse=True)  # bars largest first
    assert mrr["mrr_at_risk"].to_dict() == pytest.approx(imp.set_index("theme_id")["mrr_at_risk"].to_dict())


def test_scores_table_equals_a_direct_computation(page, raw):
    """Each quarter's NPS of all answers (and of Enterprise, and CSAT) equals pandas on the store's answers."""
    at = page
    table = _table(at, "period", "group", "metric", "value", "low", "high", "n")
    s = raw["surveys"].assign(period=lambda x: x["date"].dt.to_period("Q").astype(str))
    nps = s[s["channel"] == "nps"]
    got = table[(table["metric"] == "NPS") & (table["group"] == "All")].set_index("period")
    assert got.index.tolist() == sorted(nps["period"].unique())
    for period, part in nps.groupby("period"):
        v, lo, hi, n = _nps(part["score"])
        row = got.loc[period]
        assert (row["value"], row["low"], row["high"]) == pytest.approx((v, lo, hi)) and row["n"] == n
    quarter = sorted(nps["period"].unique())[len(got) // 2]
    ent = table[(table["metric"] == "NPS") & (table["group"] == "Enterprise") & (table["period"] == quarter)]
    v, lo, hi, n = _nps(nps.loc[(nps["period"] == quarter) & (nps["segment"] == "Enterprise"), "score"])
    assert (ent["value"].item(), ent["low"].item(), ent["high"].item(), ent["n"].item()) == pytest.approx(
        (v, lo, hi, n))
    csat = s.loc[(s["channel"] == "csat") & (s["period"] == quarter), "score"]
    row = table[(table["metric"] == "CSAT") & (table["group"] == "All") & (table["period"] == quarter)]
    assert row["value"].item() == pytest.approx((csat >= 4).mean() * 100) and row["n"].item() == len(csat)
    # the chart shows the NPS rows of the table
    chart = _chart(at, "metric", "group", "low").sort_values(["group", "period"]).reset_index(drop=True)
    nps_rows = table[table["metric"] == "NPS"].sort_values(["group", "period"]).reset_index(drop=True)
    assert chart["value"].to_numpy() == pytest.approx(nps_rows["value"].to_numpy())


def test_trends_count_verbatims_per_month_and_segment(page, raw, ref):
    """The over-time and by-segment charts: verbatims per month and per segment counted from the store, and the
    mentions of Pricing & value per month and per segment counted with a regular expression of its keywords."""
    at = page
    verb = raw["verb"]
    pricing = verb["text"].str.contains(_rule(ref["book"].get(2).keywords))
    month = verb["date"].dt.to_period("M").astype(str)
    ot = _chart(at, "period", "theme_id", "verbatims", "share")
    assert ot.groupby("period")["verbatims"].first().to_dict() == month.value_counts().to_dict()
    assert ot["share"].to_numpy() == pytest.approx((ot["mentions"] / ot["verbatims"]).to_numpy())
    p = ot[ot["theme_id"] == 2].set_index("period")["mentions"]
    assert p.to_dict() == month[pricing].value_counts().to_dict()
    bg = _chart(at, "group", "theme_id", "verbatims", "share")
    assert bg.groupby("group")["verbatims"].first().to_dict() == verb["segment"].value_counts().to_dict()
    g = bg[bg["theme_id"] == 2].set_index("group")["mentions"]
    assert g.to_dict() == verb.loc[pricing, "segment"].value_counts().reindex(g.index, fill_value=0).to_dict()
    assert set(bg["theme_id"]) == {t.id for t in ref["book"].active() if t.parent is None}
    # the heat map's test: Pricing & value named or not, across segments, a chi-square written out here
    counts = pd.crosstab(verb["segment"], pricing).reindex(columns=[True, False], fill_value=0).to_numpy(float)
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    detail = _table(at, "chi_square", "p_adjusted").set_index("theme")
    name = ref["book"].get(2).name
    assert detail.loc[name, "chi_square"] == pytest.approx(chi2)
    assert detail.loc[name, "p_value"] == pytest.approx(stats.chi2.sf(chi2, len(counts) - 1))
    assert any(re.search(r"themes? differ between segments|No theme differs between segments", t.value)
               for t in at.text)


def test_churn_signals_equal_core_and_are_active_customers(page, raw, ref):
    """The list equals core.feedback.followup.signals on the same inputs and window (the page equals core);
    its customers are
    active in the store and Their MRR is their latest revenue month's MRR summed from the store."""
    at = page
    expected = followup.signals(ref["prep"], ref["inputs"], start=START, end=END)
    table = _table(at, "signal", "health_page")
    assert table["vid"].tolist() == expected["vid"].tolist()
    assert _metric(at, "Customers with a signal") == f"{expected['customer_id'].nunique():,}"
    assert _metric(at, "Still open") == f"{int((expected['status'] != 'closed').sum()):,}"
    who = table["customer_id"].unique()
    churn = raw["customers"].set_index("customer_id").loc[who, "churn_date"]
    assert churn.isna().all()  # still active (the demo has no churn date after its end)
    assert _metric(at, "Their MRR") == f"${raw['mrr'].reindex(who).fillna(0).sum():,.0f}"
    assert table["mrr"].tolist() == sorted(table["mrr"], reverse=True)  # largest MRR first
    # every row is a verbatim in the window whose text holds a churn-signal word
    assert set(table["vid"]) <= set(raw["verb"]["vid"])
    assert (table["signal"] != "").all() and table["health"].notna().all()
    assert table["churn_risk"].eq("churn_drivers?customer=" + table["customer_id"]).all()


def _loop_by_hand(store: str, items: pd.DataFrame) -> pd.DataFrame:
    """Per team and theme, from the store's rows in sqlite3: the median days from an item's day to its closed day (a
    ticket's resolution), of the closed items; and of the items ever closed (closed now or reopened), the share
    reopened at least once."""
    con = sqlite3.connect(store.removeprefix("sqlite:///"))
    times = {f"F{i}": (c, r) for i, c, r in con.execute("SELECT id, closed, reopens FROM feedback")}
    times |= {f"T{i}": (c, r) for i, c, r in con.execute("SELECT id, resolved, reopens FROM ticket")}
    con.close()
    rows = []
    for (team, theme), g in items.groupby(["team", "theme_id"]):
        days, ever, reopened = [], 0, 0
        for vid, day, status in zip(g["vid"], g["date"], g["status"]):
            closed, reopens = times[vid]
            if status == "closed" and closed is not None:
                days.append((dt.date.fromisoformat(closed[:10]) - pd.Timestamp(day).date()).days)
            if reopens is not None and (status == "closed" or reopens > 0):
                ever, reopened = ever + 1, reopened + (reopens > 0)
        rows.append((team, theme, float(np.median(days)) if days else np.nan, reopened / ever if ever else np.nan))
    return pd.DataFrame(rows, columns=["team", "theme_id", "median_days_to_close", "reopen_rate"])


def test_backlog_equals_core_and_adds_up(page, ref, store):
    """The backlog table equals core.feedback.followup.backlog of the window's items (the page equals core), each row's
    statuses add up to its items, its days to close and reopen rate equal a count from the store's rows, and the team
    table lists the first team's open items."""
    at = page
    items = followup.items(ref["prep"], ref["tags"], ref["book"])
    items = items[in_window(items, START, END)]
    engine = core.make_engine(store)
    expected = followup.backlog(items, ref["book"], loop=loop_times(engine))
    engine.dispose()
    table = _table(at, "team", "closure_rate")
    pd.testing.assert_frame_equal(table.reset_index(drop=True), expected, check_dtype=False)
    hand = _loop_by_hand(store, items).merge(table[["team", "theme_id"]], on=["team", "theme_id"])
    got = table.set_index(["team", "theme_id"]).loc[list(zip(hand["team"], hand["theme_id"]))]
    assert hand["reopen_rate"].gt(0).any() and hand["median_days_to_close"].notna().all()
    np.testing.assert_allclose(got["median_days_to_close"], hand["median_days_to_close"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["reopen_rate"], hand["reopen_rate"], rtol=0, atol=1e-12)
    assert (table["open"] + table["in_progress"] + table["closed"] == table["items"]).all()
    assert table["closure_rate"].to_numpy() == pytest.approx((table["closed"] / table["items"]).to_numpy())
    team = at.selectbox(key="backlog_team").value
    assert team == sorted(table["team"].unique())[0] and at.selectbox(key="backlog_state").value == "open"
    mine = _table(at, "vid", "theme_id", "status", "signal")
    assert len(mine) == int(((items["team"] == team) & (items["status"] == "open")).sum())
    assert (mine["status"] == "open").all()


def test_discovery_forms_offer_their_own_candidate(page):
    """Each candidate's form is filled with that candidate's working name and keywords, also after the candidates
    change (here: fewer candidate themes), so "Add to codebook" adds the candidate the reader is looking at."""
    at = page

    def check():
        cands = _table(at, "candidate", "top_terms", "keywords").set_index("candidate")
        seen = 0
        for e in at.expander:
            m = re.match(r"Candidate (\d+): (.+) \([\d,]+ verbatims\)$", e.label)
            if m:
                n, seen = int(m[1]), seen + 1
                k = _sig(cands.reset_index(), n)
                assert at.text_input(key=f"disc_name_{k}").value == m[2], (e.label, at.text_input(
                    key=f"disc_name_{k}").value)
                assert at.text_input(key=f"disc_kw_{k}").value == cands.loc[n, "keywords"]
        assert seen == len(cands) > 0

    check()
    at.slider(key="disc_k").set_value(3)
    rerun(at)
    try:
        assert len(_table(at, "candidate", "top_terms", "keywords")) == 3
        check()
    finally:
        at.slider(key="disc_k").set_value(6)
        rerun(at)


def test_a_window_without_verbatims_says_to_widen_the_filters(page, store):
    """Sidebar dates before the first verbatim: the page says to widen the filters instead of showing zeros, an
    empty ranking and a discovery error that the codebook covers nearly everything."""
    con = sqlite3.connect(store.split("///", 1)[1])
    assert con.execute("SELECT count(*) FROM feedback WHERE date < '2011-01-01'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ticket WHERE opened < '2011-01-01'").fetchone()[0] == 0
    con.close()
    at = rerun(page, dates=(dt.date(2010, 1, 1), dt.date(2010, 12, 31)))
    try:
        assert any("No verbatim matches the sidebar filters" in i.value for i in at.info), (
            [m.label + " " + m.value for m in at.metric], [e.value for e in at.error])
        assert not at.error and not at.metric
    finally:
        rerun(at)


def test_segment_filter_narrows_the_figures(page, raw):
    """Enterprise in the sidebar: Verbatims and NPS count only Enterprise customers' verbatims and answers."""
    at = rerun(page, segments=["Enterprise"])
    verb, s = raw["verb"], raw["surveys"]
    assert _metric(at, "Verbatims") == f"{int((verb['segment'] == 'Enterprise').sum()):,}"
    nps = s.loc[(s["channel"] == "nps") & (s["segment"] == "Enterprise"), "score"]
    assert _metric(at, "NPS") == f"{100 * ((nps >= 9).mean() - (nps <= 6).mean()):+.1f}"
    assert set(_table(at, "vid", "tone", "themes")["segment"]) == {"Enterprise"}
    rerun(at)
    assert _metric(at, "Verbatims") == f"{len(verb):,}"


def test_a_link_with_a_customer_opens_its_verbatims(store, raw, monkeypatch):
    """?customer=<id> fills the search box with the id; the table shows that customer's verbatims only."""
    verb = raw["verb"]
    pick = verb["customer_id"].value_counts().index[0]
    n = int((verb["customer_id"] == pick).sum())
    assert n > 1
    monkeypatch.setenv("RETENTION_DB_URL", store)
    monkeypatch.setenv("RETENTION_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["customer"] = pick
    at.switch_page(f"pages/{PAGE}.py").run()  # the first run opens the page (tests/pages/conftest.open_page)
    assert not at.exception, at.exception
    assert at.text_input(key="verb_search").value == pick
    shown = _table(at, "vid", "tone", "themes")
    assert set(shown["customer_id"]) == {pick} and len(shown) == n
    assert sorted(shown["vid"]) == sorted(verb.loc[verb["customer_id"] == pick, "vid"])
    assert any(c.value.startswith(f"{n:,} verbatims.") for c in at.caption)


# -- changes (they save into the private store; they run after the read-only tests) ------------------------------
def test_rename_through_the_form_keeps_every_id(page, store):
    at = page
    eng = core.make_engine(store)
    before, log_before = ts.load_codebook(eng), ts.change_log(eng)
    mentions = _table(at, "theme_id", "mrr_at_risk").set_index("theme_id")["mentions"].to_dict()
    assert at.segmented_control(key="cb_action").value == "Rename"
    at.selectbox(key="cb_ren_id").set_value(2)
    at.text_input(key="cb_ren_name").input("Price & value")
    at.text_input(key="cb_author_Rename").input("Dana (CS ops)")
    at.text_input(key="cb_reason_Rename").input("shorter")
    _submit(at, "cb_Rename")
    assert any("Saved: Renamed 'Pricing & value' to 'Price & value'." in x.value for x in at.success)
    after = ts.load_codebook(eng)
    assert after.get(2).name == "Price & value"
    assert set(after.themes) == set(before.themes)
    assert all(after.themes[i] == before.themes[i] for i in before.themes if i != 2)
    log = ts.change_log(eng)
    assert len(log) == len(log_before) + 1
    first = log.iloc[0]
    assert (first["action"], first["author"], first["reason"], first["theme_ids"]) == (
        "rename", "Dana (CS ops)", "shorter", "2")
    # on screen: the same id with the same mentions under its new name; the change log shows the row
    table = _table(at, "theme_id", "mrr_at_risk").set_index("theme_id")
    assert table.loc[2, "theme"] == "Price & value" and table["mentions"].to_dict() == mentions
    assert any(m.value.startswith("**Price & value** goes with the most churn") for m in at.markdown)
    assert _table(at, "action", "author", "detail").iloc[0]["author"] == "Dana (CS ops)"
    eng.dispose()


def test_refused_changes_show_why_and_save_nothing(page, store):
    at = page
    eng = core.make_engine(store)
    before, n_log = ts.load_codebook(eng), len(ts.change_log(eng))
    # no author
    at.segmented_control(key="cb_action").set_value("Rename")
    rerun(at)
    at.selectbox(key="cb_ren_id").set_value(3)
    at.text_input(key="cb_ren_name").input("Quality")
    at.text_input(key="cb_author_Rename").input("")
    _submit(at, "cb_Rename")
    assert any("author field is empty" in e.value for e in at.error), [e.value for e in at.error]
    assert ts.load_codebook(eng) == before and len(ts.change_log(eng)) == n_log
    # a theme merged into itself
    at.segmented_control(key="cb_action").set_value("Merge")
    rerun(at)
    at.multiselect(key="cb_merge_src").set_value([3])
    at.selectbox(key="cb_merge_into").set_value(3)
    at.text_input(key="cb_author_Merge").input("Sam")
    _submit(at, "cb_Merge")
    assert any("cannot be merged into itself" in e.value for e in at.error), [e.value for e in at.error]
    assert ts.load_codebook(eng) == before and len(ts.change_log(eng)) == n_log
    assert not at.success
    eng.dispose()


def test_merge_through_the_form_keeps_other_themes(page, store, ref):
    """Documentation (8) merged into Usability (7): every other theme keeps its id and mentions; Usability now
    counts the verbatims either theme named before (core's tags of the original codebook, the page equals core)."""
    at = page
    eng = core.make_engine(store)
    before = ts.load_codebook(eng)
    mentions = _table(at, "theme_id", "mrr_at_risk").set_index("theme_id")["mentions"]
    at.segmented_control(key="cb_action").set_value("Merge")
    rerun(at)
    at.multiselect(key="cb_merge_src").set_value([8])
    at.selectbox(key="cb_merge_into").set_value(7)
    at.text_input(key="cb_author_Merge").input("Sam")
    at.text_input(key="cb_reason_Merge").input("too few documentation verbatims")
    _submit(at, "cb_Merge")
    assert any("Saved: Merged 'Documentation' into 'Usability'." in x.value for x in at.success)
    after = _table(at, "theme_id", "mrr_at_risk").set_index("theme_id")["mentions"]
    assert set(after.index) == set(mentions.index) - {8}
    assert all(after[i] == mentions[i] for i in after.index if i != 7)
    tags, win = ref["tags"], np.nonzero(ref["win"])[0]
    union = tags.loc[tags["theme_id"].isin([7, 8]) & tags["row"].isin(win), "row"].nunique()
    assert after[7] == union > mentions[7]
    book = ts.load_codebook(eng)
    assert (book.get(8).status, book.get(8).merged_into) == ("merged", 7)
    assert {i: t.name for i, t in book.themes.items()} == {i: t.name for i, t in before.themes.items()}
    assert ts.change_log(eng).iloc[0][["action", "author"]].tolist() == ["merge", "Sam"]
    assert 8 not in at.selectbox(key="cb_merge_into").options and not at.multiselect(key="cb_merge_src").value
    rerun(at)  # the form's widgets still work with the merged theme gone
    eng.dispose()


def test_discovery_adds_a_candidate_with_the_next_id(page, store):
    at = page
    eng = core.make_engine(store)
    before = ts.load_codebook(eng)
    cands = _table(at, "candidate", "top_terms", "keywords")
    assert len(cands) > 1 and cands["candidate"].tolist() == list(range(1, len(cands) + 1))
    assert cands["size"].tolist() == sorted(cands["size"], reverse=True)
    tagged = _pct(_metric(at, "Tagged"))
    k = _sig(cands, 1)
    at.text_input(key=f"disc_name_{k}").input("Performance & speed")
    at.text_input(key=f"disc_kw_{k}").input("slow, loading, lag*, performance")
    at.text_input(key=f"disc_author_{k}").input("Alex")
    _submit(at, f"disc_add_{k}")
    assert any(x.value.startswith("Added: Created 'Performance & speed'") for x in at.success)
    book = ts.load_codebook(eng)
    new = book.get(max(before.themes) + 1)
    assert (new.name, new.keywords, new.status, new.team) == (
        "Performance & speed", ("slow", "loading", "lag*", "performance"), "active", DEFAULT_TEAM)
    assert set(book.themes) == set(before.themes) | {new.id}
    assert all(book.themes[i] == before.themes[i] for i in before.themes)
    log = ts.change_log(eng).iloc[0]
    assert (log["action"], log["author"]) == ("create", "Alex") and log["reason"].startswith("discovered: candidate 1")
    assert _pct(_metric(at, "Tagged")) > tagged
    table = _table(at, "theme_id", "mrr_at_risk").set_index("theme_id")
    assert table.loc[new.id, "theme"] == "Performance & speed" and table.loc[new.id, "mentions"] > 0
    # the candidates are clustered again without the verbatims the new theme tags
    label = next(e.label for e in at.expander if e.label.startswith("Candidate 1:"))
    assert "Performance & speed" not in label
    eng.dispose()


def test_edit_rules_form_edits_the_chosen_theme(page, store):
    """Choosing a theme for Edit rules shows that theme's rules, and the edited rules are saved on that theme."""
    at = page
    eng = core.make_engine(store)
    before = ts.load_codebook(eng)
    support = before.get(4)
    at.segmented_control(key="cb_action").set_value("Edit rules")
    rerun(at)
    at.selectbox(key="cb_edit_id").set_value(4)
    rerun(at)
    kw = next(t for t in at.text_input if t.label == "Keywords")
    assert kw.value == ", ".join(support.keywords), f"after choosing theme 4 the Keywords field shows {kw.value!r}"
    kw.input(kw.value + ", helpdesk")
    at.text_input(key="cb_author_Edit rules").input("Ana")
    _submit(at, "cb_Edit rules")
    after = ts.load_codebook(eng)
    assert after.get(4).keywords == support.keywords + ("helpdesk",)
    assert all(after.themes[i] == before.themes[i] for i in before.themes if i != 4)
    log = ts.change_log(eng).iloc[0]
    assert (log["action"], log["author"], log["theme_ids"]) == ("edit", "Ana", "4") and "helpdesk" in log["detail"]
    eng.dispose()


def test_backlog_status_update_is_saved(page, store, raw):
    at = page
    eng = core.make_engine(store)
    pick = at.multiselect(key="backlog_pick").options[:2]
    assert len(pick) == 2 and all(v.startswith("F") for v in pick)
    assert (ts.statuses(eng)[pick] == "open").all()
    at.multiselect(key="backlog_pick").set_value(pick)
    at.selectbox(key="backlog_new").set_value("closed")
    _submit(at, "backlog_update")
    assert any(x.value == "2 verbatim(s) marked closed." for x in at.success)
    assert (ts.statuses(eng)[pick] == "closed").all()
    con = sqlite3.connect(store.split("///", 1)[1])
    ids = ", ".join(v[1:] for v in pick)
    assert {r[0] for r in con.execute(f"SELECT status FROM feedback WHERE id IN ({ids})")} == {"closed"}
    con.close()
    # the open list no longer holds them; the closed list does
    assert not set(pick) & set(_table(at, "vid", "theme_id", "status", "signal")["vid"])
    at.selectbox(key="backlog_state").set_value("closed")
    rerun(at)
    assert set(pick) <= set(_table(at, "vid", "theme_id", "status", "signal")["vid"])
    eng.dispose()


def test_empty_store_says_what_to_do(store_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(f"pages/{PAGE}.py").run()
    assert not at.exception, at.exception
    said = [e.value for e in at.error] + [i.value for i in at.info]
    assert len(said) == 1, said  # one message, not an error and a box repeating it
    assert "no feedback" in said[0].lower() and "Data page" in said[0]
    assert not at.error and at.info[0].icon == ":material/inbox:"  # an empty state, not an error
    assert not at.metric
