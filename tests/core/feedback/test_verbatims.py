"""Verbatims: masking, sentiment (incl. the clothing-reviews acceptance), churn signals, survey scores."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from core.feedback.codebook import Codebook
from core.feedback.tagging import tag
from core.feedback.verbatims import (
    ces,
    churn_signal,
    csat,
    is_negative,
    mask_pii,
    mask_text,
    newcombe_diff,
    nps,
    score_table,
    sentiment,
    sentiment_label,
    signal_words,
    wilson,
)

Z = stats.norm.ppf(0.975)


# -- masking -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Mail dana.fox@acme.com please", "Mail [email] please"),
    ("Reach me at dana.fox@acme.com.", "Reach me at [email]."),
    ("a.b+c@mail.co.uk", "[email]"),
    ("Call +1 (415) 555-0134 today", "Call [phone] today"),
    ("Call (415) 555-0134.", "Call [phone]."),
    ("My number is 020 7946 0123.", "My number is [phone]."),
    ("Card 4111 1111 1111 1111 was charged", "Card [card number] was charged"),
    ("Card 4111-1111-1111-1111", "Card [card number]"),
    ("Card 4111111111111111", "Card [card number]"),
    ("Renewal on 2026-11-22.", "Renewal on 2026-11-22."),
    ("We paid $1,200.50 last year", "We paid $1,200.50 last year"),
    ("See order 12345", "See order 12345"),
    ("Call 555-0134", "Call 555-0134"),
    ("No personal data here.", "No personal data here."),
    ("", ""),
])
def test_mask_text(text, expected):
    """E-mails, phones and card numbers are masked; dates, amounts and short numbers stay."""
    assert mask_text(text) == expected


def test_mask_text_missing():
    """None and NaN pass through unchanged."""
    assert mask_text(None) is None
    assert math.isnan(mask_text(math.nan))


@pytest.mark.parametrize("text, secret", [
    ("Card 4111 1111 1111 1111 12/28 was declined", "4111 1111"),
    ("Call 415 555 0134 / 415 555 0135", "555 0134"),
])
def test_mask_text_adjacent_numbers_do_not_leak(text, secret):
    """A card or phone number next to another number (expiry date, second phone) is still masked."""
    assert secret not in mask_text(text)


def test_mask_text_date_range_stays():
    """A date range written with a spaced dash is not personal data and stays readable."""
    assert mask_text("Outage 2026-11-22 - 2026-12-01") == "Outage 2026-11-22 - 2026-12-01"


def test_mask_pii_keeps_index():
    """mask_pii maps mask_text over a Series and keeps its index (and missing values)."""
    s = pd.Series(["x dana.fox@acme.com", None, "fine"], index=[7, 3, 9], dtype=object)
    out = mask_pii(s)
    assert out.index.tolist() == [7, 3, 9]
    assert out.tolist() == ["x [email]", None, "fine"]
    assert mask_pii(pd.Series([], dtype=object)).empty


def test_mask_pii_on_demo(demo):
    """On the demo feedback no masked text keeps an '@' or a card-length run of digits."""
    raw = demo.feedback["text"]
    card = r"\d(?:[ -]?\d){12,}"
    assert raw.str.contains("@", na=False).any() and raw.str.contains(card, na=False).any()
    masked = mask_pii(raw)
    assert masked.index.equals(raw.index)
    assert not masked.str.contains("@", na=False).any()
    assert not masked.str.contains(card, na=False).any()
    assert not masked.str.contains(r"\d{13,}", na=False).any()
    assert masked.isna().sum() == raw.isna().sum()


# -- sentiment -----------------------------------------------------------------------------------

def test_sentiment_matches_vader_and_handles_missing():
    """sentiment = VADER compound per text, NaN for missing/blank texts, same index."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    va = SentimentIntensityAnalyzer()
    texts = pd.Series(["Great product, love it", None, "This is terrible and I hate it", "  ", "",
                       "Great product, love it"], index=list("abcdef"), dtype=object)
    s = sentiment(texts)
    assert s.index.tolist() == list("abcdef")
    assert s["a"] == pytest.approx(va.polarity_scores("Great product, love it")["compound"]) and s["a"] > 0.05
    assert s["c"] == pytest.approx(va.polarity_scores("This is terrible and I hate it")["compound"]) and s["c"] < 0
    assert s[["b", "d", "e"]].isna().all()
    assert s["f"] == s["a"]


def test_sentiment_label_cutoffs():
    """<= -0.05 negative, >= 0.05 positive, else neutral; NaN gives None."""
    score = pd.Series([-0.05, -0.0499, 0.0, 0.0499, 0.05, 0.9, math.nan], index=range(10, 17))
    lab = sentiment_label(score)
    assert lab.index.tolist() == list(range(10, 17))
    assert lab.tolist() == ["negative", "neutral", "neutral", "neutral", "positive", "positive", None]


@pytest.fixture(scope="module")
def reviews(shared):
    return pd.read_csv(shared / "womens_clothing_reviews" / "womens_clothing_reviews.csv")


def test_clothing_reviews_sentiment_tracks_rating(reviews):
    """Acceptance: on 22,641 clothing reviews, sentiment vs star rating has Spearman >= 0.4, and 1-2 star
    reviews are at least twice as common among negative verbatims as among positive ones."""
    assert len(reviews) == 23486
    has_text = reviews["Review Text"].notna() & reviews["Review Text"].astype(str).str.strip().ne("")
    assert (~has_text).sum() == 845
    sub = reviews[has_text]
    s = sentiment(sub["Review Text"])
    assert s.notna().sum() == 23486 - 845
    rho = stats.spearmanr(s, sub["Rating"]).statistic
    assert rho >= 0.4
    lab = sentiment_label(s)
    low = sub["Rating"] <= 2
    neg_share, pos_share = low[lab == "negative"].mean(), low[lab == "positive"].mean()
    assert (lab == "negative").sum() > 100 and (lab == "positive").sum() > 100
    assert neg_share >= 2 * pos_share


CLOTHING = [  # name, keywords, independent regex
    ("Fit/size", ["fit*", "size*", "small", "large", "tight", "loose"],
     r"\b(?:fit\w*|size\w*|small|large|tight|loose)\b"),
    ("Fabric", ["fabric", "material", "cotton", "thin", "soft"], r"\b(?:fabric|material|cotton|thin|soft)\b"),
    ("Colour", ["color", "colors", "colour", "colours"], r"\b(?:colou?rs?)\b"),
    ("Quality", ["quality", "cheap", "well made", "poor"], r"\b(?:quality|cheap|well[\s-]+made|poor)\b"),
]


def test_clothing_reviews_tag_counts(reviews):
    """Tagging all 23,486 reviews: each theme's count equals an independent whole-word regex count,
    and a sub-theme (Petite under Fit/size) rolls up into its parent."""
    texts = reviews["Review Text"]
    book = Codebook({}, 1)
    for name, kws, _ in CLOTHING:
        book, _ = book.create(name, kws)
    book, _ = book.create("Petite", ["petite*"], parent=1)
    tags = tag(texts, book)
    got = tags.groupby("theme_id").size().to_dict()

    def count(rx):
        return [isinstance(t, str) and re.search(rx, t, re.I) is not None for t in texts]

    hits = {i: count(rx) for i, (_, _, rx) in enumerate(CLOTHING, start=1)}
    petite = count(r"\bpetite\w*\b")
    assert got[5] == sum(petite) > 0
    assert got[1] == sum(a or b for a, b in zip(hits[1], petite))
    assert tags.loc[tags["theme_id"] == 1, "direct"].sum() == sum(hits[1])
    for i in (2, 3, 4):
        assert got[i] == sum(hits[i]) > 0, book.get(i).name
    assert set(tags["row"][tags["theme_id"] == 3]) == {r for r, h in enumerate(hits[3]) if h}


# -- churn signals -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("We plan to cancel our subscription.", "cancel"),
    ("Thinking about switching tools at renewal.", "switching"),
    ("We will not renew unless this changes.", "not renew"),
    ("Our team wants to leave for another vendor.", "leave, another vendor"),
    ("Very disappointed", "disappointed"),
    ("We CANCELLED yesterday", "cancelled"),
])
def test_churn_signal_flags(text, words):
    """Texts that say the customer may leave are flagged, and signal_words names the words."""
    assert churn_signal(pd.Series([text])).tolist() == [True]
    assert signal_words(text) == words


@pytest.mark.parametrize("text", ["We will not cancel", "no plans to leave", "Great product, we are staying",
                                  "We have no intention to cancel.", "I won't cancel, promise", None, ""])
def test_churn_signal_not_flagged(text):
    """Negated signals and texts without signal words are not flagged."""
    assert churn_signal(pd.Series([text], dtype=object)).tolist() == [False]
    assert signal_words(text) == ""


def test_churn_signal_custom_words():
    """A custom word list replaces the default one."""
    texts = pd.Series(["we may downgrade", "we will cancel"])
    assert churn_signal(texts, words=("downgrad*",)).tolist() == [True, False]
    assert signal_words("we may downgrade", words=("downgrad*",)) == "downgrade"


# -- is_negative ---------------------------------------------------------------------------------

def test_is_negative_low_scores_override_words():
    """A low score on its channel counts as negative even with positive words; limits are inclusive."""
    pos = sentiment(pd.Series(["Great product, we love it"] * 10)).to_numpy()
    neg = sentiment(pd.Series(["Terrible, broken and useless"])).iloc[0]
    assert pos[0] > 0.05 and neg < -0.05
    channel = pd.Series(["nps", "csat", "ces", "review", "nps", "CSAT", "ces", "review", "social", "nps"])
    score = pd.Series([6, 2, 3, 2, 7, 3, 4, 3, np.nan, np.nan])
    got = is_negative(pd.Series(pos), channel, score)
    assert got.tolist() == [True, True, True, True, False, False, False, False, False, False]
    sent = pd.Series([neg, 0.9, math.nan])
    got = is_negative(sent, pd.Series(["nps", "nps", "social"]), pd.Series([10.0, 10.0, np.nan]))
    assert got.tolist() == [True, False, False]


# -- survey scores -------------------------------------------------------------------------------

def _nps_reference(x):
    x = np.asarray(x, dtype=float)
    coded = np.where(x >= 9, 1.0, np.where(x <= 6, -1.0, 0.0))
    v = 100 * (np.mean(x >= 9) - np.mean(x <= 6))
    se = 100 * coded.std(ddof=0) / math.sqrt(len(x))
    return v, max(-100, v - Z * se), min(100, v + Z * se), len(x)


def test_nps_fixed_array():
    """NPS = % 9-10 minus % 0-6 with the normal interval of the mean of +1/0/-1 codes (ddof=0)."""
    x = [0, 3, 5, 6, 7, 8, 8, 9, 9, 10, 10, 10]
    v, lo, hi, n = nps(x)
    assert n == 12 and v == pytest.approx(100 * (5 - 4) / 12)
    assert (v, lo, hi, n) == pytest.approx(_nps_reference(x))
    assert nps(pd.Series([9, 10, None, 6])) == pytest.approx(_nps_reference([9, 10, 6]))
    assert nps([10, 10, 10]) == pytest.approx((100, 100, 100, 3))
    assert nps([10, 10, 9, 0])[2] == 100          # interval clipped to -100..100


def test_nps_on_demo(demo):
    """NPS of the demo's NPS answers equals the reference computation."""
    x = demo.feedback.loc[demo.feedback["channel"] == "nps", "score"].dropna().to_numpy()
    assert len(x) > 1000
    assert nps(x) == pytest.approx(_nps_reference(x), rel=1e-12)


def test_csat_and_wilson_match_statsmodels(demo):
    """CSAT (% of 4-5 answers) and its Wilson interval equal statsmodels' proportion_confint."""
    x = demo.feedback.loc[demo.feedback["channel"] == "csat", "score"].to_numpy()
    k, n = int((x >= 4).sum()), len(x)
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert csat(x) == pytest.approx((100 * k / n, 100 * lo, 100 * hi, n), rel=1e-12)
    assert csat([1, 2, 3, 4, 5, None]) == pytest.approx(
        (40, *(100 * np.array(proportion_confint(2, 5, method="wilson"))), 5))
    for k, n in [(0, 10), (10, 10), (3, 17), (120, 200), (1, 1)]:
        assert wilson(k, n) == pytest.approx(proportion_confint(k, n, alpha=0.05, method="wilson"), abs=1e-12)
    assert wilson(3, 17, z=stats.norm.ppf(0.95)) == pytest.approx(proportion_confint(3, 17, alpha=0.1,
                                                                                     method="wilson"))


def test_ces_matches_t_interval(demo):
    """CES (mean 1-7) with a Student t interval, as statsmodels' DescrStatsW.tconfint_mean."""
    x = demo.feedback.loc[demo.feedback["channel"] == "ces", "score"].to_numpy()
    m, lo, hi, n = ces(x)
    assert n == len(x) and m == pytest.approx(x.mean())
    assert (lo, hi) == pytest.approx(DescrStatsW(x).tconfint_mean(), rel=1e-12)
    y = [1, 2, 3, 4, 5, 5, 6, 7, 7, 7, 3, 4]
    ref = stats.t.interval(0.95, len(y) - 1, loc=np.mean(y), scale=stats.sem(y))
    assert ces(y)[1:3] == pytest.approx(ref)
    m, lo, hi, n = ces([5])
    assert (m, n) == (5, 1) and math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize("fn", [nps, csat, ces])
def test_scores_empty(fn):
    """No answers (or only missing ones) give NaN and n = 0."""
    for x in ([], pd.Series([None, np.nan], dtype=float)):
        v, lo, hi, n = fn(x)
        assert n == 0 and math.isnan(v) and math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize("k1, n1, k0, n0", [(30, 200, 15, 180), (0, 50, 5, 60), (45, 45, 10, 40), (7, 7, 0, 9),
                                            (1, 3, 2, 5), (0, 20, 0, 30)])
def test_newcombe_matches_statsmodels(k1, n1, k0, n0):
    """Newcombe's hybrid score interval equals statsmodels' confint_proportions_2indep(method='newcomb')."""
    d, lo, hi = newcombe_diff(k1, n1, k0, n0)
    assert d == pytest.approx(k1 / n1 - k0 / n0)
    ref = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    assert (lo, hi) == pytest.approx(tuple(float(r) for r in ref), abs=1e-12)


def test_newcombe_and_wilson_empty_groups():
    """An empty group gives NaN."""
    assert all(math.isnan(v) for v in newcombe_diff(3, 10, 0, 0))
    assert all(math.isnan(v) for v in newcombe_diff(0, 0, 3, 10))
    assert all(math.isnan(v) for v in wilson(0, 0))


@pytest.fixture(scope="module")
def surveys(demo):
    fb = demo.feedback.merge(demo.customers[["customer_id", "segment"]], on="customer_id", how="left")
    assert len(fb) == len(demo.feedback)
    return fb


def test_score_table_matches_pandas(surveys):
    """score_table values for one quarter and segment (and 'All') equal direct pandas computations."""
    table = score_table(surveys, freq="Q", by="segment")
    assert list(table.columns) == ["period", "group", "metric", "value", "low", "high", "n"]
    assert set(table["metric"]) == {"NPS", "CSAT", "CES"}
    assert set(table["group"]) == {"All", "SMB", "Mid-Market", "Enterprise"}
    q = pd.to_datetime(surveys["date"]).dt.to_period("Q").astype(str)
    for group in ("SMB", "Enterprise", "All"):
        in_group = q.eq("2025Q2") & (surveys["segment"].eq(group) if group != "All" else True)
        for metric, chan in (("NPS", "nps"), ("CSAT", "csat"), ("CES", "ces")):
            x = surveys.loc[in_group & surveys["channel"].eq(chan), "score"]
            row = table[(table["period"] == "2025Q2") & (table["group"] == group) & (table["metric"] == metric)]
            assert len(row) == 1
            row = row.iloc[0]
            assert row["n"] == len(x) > 0
            if metric == "NPS":
                expected = 100 * ((x >= 9).mean() - (x <= 6).mean())
            elif metric == "CSAT":
                expected = 100 * (x >= 4).mean()
                lo, hi = proportion_confint(int((x >= 4).sum()), len(x), method="wilson")
                assert (row["low"], row["high"]) == pytest.approx((100 * lo, 100 * hi))
            else:
                expected = x.mean()
                assert (row["low"], row["high"]) == pytest.approx(DescrStatsW(x.to_numpy()).tconfint_mean())
            assert row["value"] == pytest.approx(expected), (group, metric)
    all_n = table[table["group"] == "All"].groupby("metric")["n"].sum()
    by_chan = surveys[surveys["channel"].isin(["nps", "csat", "ces"])].groupby("channel").size()
    assert all_n.to_dict() == {"NPS": by_chan["nps"], "CSAT": by_chan["csat"], "CES": by_chan["ces"]}


def test_score_table_ignores_other_channels_and_bad_rows():
    """Other channels, missing dates and missing scores are ignored; channel names are case-insensitive."""
    df = pd.DataFrame({
        "date": ["2026-01-05", "2026-02-10", "2026-03-01", "2026-01-20", None, "2026-01-09", "2026-04-01"],
        "channel": ["NPS", "nps", "nps", "review", "nps", "social", "csat"],
        "score": [10, 0, None, 1, 10, 5, 5],
        "segment": ["A", "B", "A", "A", "A", "A", None],
    })
    t = score_table(df, freq="Q", by="segment")
    assert set(t["metric"]) == {"NPS", "CSAT"}
    nps_all = t[(t["metric"] == "NPS") & (t["group"] == "All")]
    assert nps_all[["period", "value", "n"]].values.tolist() == [["2026Q1", 0.0, 2]]
    assert sorted(t.loc[t["metric"] == "NPS", "group"]) == ["A", "All", "B"]
    assert t.loc[(t["metric"] == "CSAT") & (t["group"] == "(none)"), "n"].tolist() == [1]
    assert score_table(df, freq="M", by=None)["group"].unique().tolist() == ["All"]
    assert score_table(df.iloc[:0]).empty
