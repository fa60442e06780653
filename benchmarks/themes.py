"""Feedback-theme speed: 23,486 clothing reviews, the demo business end to end, then 1,000,000 verbatims.

    .venv/bin/python benchmarks/themes.py [--customers N] [--sizes N,N] [--sentiment-size N] [--seed N]
                                          [--skip-reviews] [--skip-demo] [--skip-scale]

1. Clothing reviews (``../shared/data/womens_clothing_reviews/womens_clothing_reviews.csv`` next to the
   project; 23,486 rows, 845 without a 'Review Text'; reading it is not timed). Timed:
   ``core.feedback.verbatims.mask_pii`` of the texts; ``core.feedback.tagging.tag`` of the masked texts with
   ``starter_codebook()`` and with a clothing codebook built here (:data:`CLOTHING`, 8 themes of 6-10
   keywords, "Returns" with ``negation="exclude"``); ``core.feedback.verbatims.sentiment`` (VADER). Printed:
   reviews tagged per clothing theme and the share untagged, Spearman's rho of sentiment against the
   star rating, the share of 1-2 star reviews among negative and positive verbatims, and the
   acceptance line "tagging 23,486 reviews: X.XX s (target < 10 s)" (clothing codebook).
2. The demo business (``core.make_demo(N, seed)``, default 5,000 customers; generating it is not
   timed). Timed, step by step: ``core.feedback.inputs.inputs_from_frames``, ``prepare`` (masking, sentiment,
   churn signals), ``tag`` with the starter codebook, ``theme_impact``, ``over_time`` (months),
   ``by_group`` (segment), ``items`` + ``backlog``, ``signals``, ``untagged`` +
   ``core.feedback.discovery.discover(k=6)``. Printed: verbatims, the top theme by churn impact with
   its difference and 95 % interval, and the number of discovery candidates.
3. At scale: ``--sizes`` (default 1,000,000) seeded synthetic verbatims, each 1-3 sentences drawn
   (``default_rng(seed)``, half from each source) from the distinct sentences of the demo's verbatims
   and of the clothing reviews, so most texts are distinct (the count is printed; building is not
   timed). Timed: ``tag`` with the starter codebook, ``mask_pii``, ``churn_signal``. Sentiment is
   timed on ``--sentiment-size`` (default 100,000) distinct texts only (VADER scores each distinct
   text once, ~5-10k texts/s); the rate and the extrapolated time for 1,000,000 distinct texts are
   printed.

Peak memory ("RSS +MB"): the growth of the process's resident high-water mark (``VmHWM``) over the
RSS before the step, reset before each step as in ``benchmarks/health.py`` (where
``/proc/self/clear_refs`` cannot be written, ``tracemalloc``'s peak instead). It reads about 0 when a
step fits in memory the process freed earlier; the cheap at-scale ``mask_pii`` is also run a second
time, untimed, under ``tracemalloc`` ("traced MB"); the regex steps are not (too slow traced).
Total run time about 3.3 minutes of CPU on a 2-core machine (5.3 min wall-clock with other work
running), two thirds of it tagging the 1,000,000 verbatims (~0.5-0.9 M characters/s) and an eighth
their churn signals; ``--sizes 300000`` brings it near 1.5 minutes. Prints figures and a summary
table; exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.measure import HWM, make_timer, status_mb  # noqa: E402
from core.feedback import verbatims as vb  # noqa: E402 (after the path is set)
from core.feedback.codebook import Codebook  # noqa: E402
from core.feedback.starter import starter_codebook  # noqa: E402
from core.feedback.tagging import tag, untagged  # noqa: E402

REVIEWS = ROOT.parent / "shared/data/womens_clothing_reviews/womens_clothing_reviews.csv"
TAG_TARGET = 10.0  # seconds to tag the 23,486 clothing reviews (acceptance figure)
#: the clothing codebook: (name, keywords, negation); only a trailing * is a wildcard
CLOTHING = (
    ("Fit & size", ("fit*", "size*", "sizing", "runs small", "runs large", "true to size", "tight", "loose", "snug",
                    "baggy"), "ignore"),
    ("Fabric & material", ("fabric*", "material*", "cotton", "linen", "polyester", "silk*", "knit*", "lining",
                           "sheer", "see through"), "ignore"),
    ("Colour", ("color*", "colour*", "shade*", "hue", "faded", "print*", "pattern*"), "ignore"),
    ("Quality", ("quality", "well made", "poorly made", "cheaply made", "flimsy", "durable", "fell apart",
                 "stitching", "seam*", "ripped"), "ignore"),
    ("Price & value", ("price*", "pricey", "expensive", "overpriced", "worth", "value", "sale", "discount*",
                       "bargain", "money"), "ignore"),
    ("Comfort", ("comfort*", "comfy", "soft*", "cozy", "itchy", "scratchy", "breathable"), "ignore"),
    ("Length", ("length", "too long", "too short", "hem*", "midi", "maxi", "cropped", "below the knee",
                "above the knee", "ankle*"), "ignore"),
    ("Returns", ("return*", "sent back", "send back", "sending back", "exchange*", "refund*"), "exclude"),
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")

ROWS: list[tuple] = []  # (step, verbatims in, seconds, RSS peak growth MB, tracemalloc peak MB) for the summary table


timed = make_timer(ROWS, "verbatims")


def clothing_codebook() -> Codebook:
    """:data:`CLOTHING` as a codebook (ids 1-8 in that order)."""
    book = Codebook({}, 1)
    for name, keywords, negation in CLOTHING:
        book, _ = book.create(name, keywords, negation=negation, team="Merchandising")
    return book


def tagged_counts(tags: pd.DataFrame, book: Codebook) -> dict[str, int]:
    """Rows tagged per active theme (name -> count), in codebook order."""
    counts = tags.groupby("theme_id")["row"].nunique()
    return {t.name: int(counts.get(t.id, 0)) for t in book.active()}


def reviews_run(a) -> pd.Series | None:
    """Part 1; returns the review texts (for the at-scale sentence pool) or None if the file is missing."""
    from scipy.stats import spearmanr

    if not REVIEWS.exists():
        print(f"\n1. clothing reviews: {REVIEWS} not found; skipped")
        return None
    df = pd.read_csv(REVIEWS)
    texts = df["Review Text"]
    has = texts.notna().to_numpy() & (texts.fillna("").astype(str).str.strip() != "").to_numpy()
    n = len(texts)
    print(f"\n1. clothing reviews: {n:,} rows, {has.sum():,} with a review text, {texts.nunique():,} distinct, "
          f"{texts.dropna().astype(str).str.len().sum() / 1e6:.1f} M characters (reading not timed)", flush=True)
    masked = timed(f"mask_pii ({n:,} reviews)", lambda: vb.mask_pii(texts), n)
    starter = starter_codebook()
    book = clothing_codebook()
    timed(f"tag, starter codebook ({len(starter.active())} themes)", lambda: tag(masked, starter), n)
    t0 = len(ROWS)
    tags = timed(f"tag, clothing codebook ({len(book.active())} themes)", lambda: tag(masked, book), n)
    s_clothing, s_starter = ROWS[t0][2], ROWS[t0 - 1][2]
    sent = timed(f"sentiment (VADER, {n:,} reviews)", lambda: vb.sentiment(masked), n)
    print(f"  tagging {n:,} reviews: {s_clothing:.2f} s (target < {TAG_TARGET:.0f} s) "
          f"[{'met' if s_clothing < TAG_TARGET else 'MISSED'}; clothing codebook, {len(book.active())} themes; "
          f"the starter codebook took {s_starter:.2f} s]")
    counts = tagged_counts(tags, book)
    tagged = np.zeros(n, dtype=bool)
    tagged[tags["row"].to_numpy()] = True
    print("  reviews tagged per clothing theme: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(f"  untagged: {(~tagged & has).sum():,} of {has.sum():,} reviews with text "
          f"({(~tagged & has).sum() / has.sum():.1%}); {tagged.sum():,} tagged, "
          f"{len(tags) / max(tagged.sum(), 1):.2f} themes per tagged review")
    rating = df["Rating"].to_numpy(float)
    ok = has & sent.notna().to_numpy()
    rho, p = spearmanr(sent.to_numpy()[ok], rating[ok])
    lab = vb.sentiment_label(sent)
    low = rating <= 2
    share = {k: (low[(lab == k).to_numpy()].mean(), int((lab == k).sum())) for k in ("negative", "neutral", "positive")}
    pv = f"p {p:.1g}" if p > 0 else "p < 1e-300"
    print(f"  sentiment vs rating: Spearman rho {rho:.3f} ({pv}, {ok.sum():,} reviews with text); 1-2 star "
          "reviews among " + ", ".join(f"{k} verbatims {v:.1%} (n={m:,})" for k, (v, m) in share.items())
          + f"; overall {low[has].mean():.1%}", flush=True)
    return texts


def demo_run(a) -> pd.Series:
    """Part 2; returns the demo's verbatim texts (for the at-scale sentence pool)."""
    from core import make_demo
    from core.feedback.discovery import discover
    from core.feedback.followup import backlog, items, signals
    from core.feedback.impact import theme_impact
    from core.feedback.inputs import inputs_from_frames
    from core.feedback.mentions import by_group, over_time
    from core.feedback.prepared import prepare

    t0 = time.perf_counter()
    d = make_demo(a.customers, seed=a.seed)
    print(f"\n2. demo business: make_demo({a.customers}, seed={a.seed}) -> {len(d.feedback):,} feedback rows, "
          f"{len(d.tickets):,} tickets; built in {time.perf_counter() - t0:.1f} s (not timed)", flush=True)
    first = len(ROWS)
    inputs = timed("inputs_from_frames", lambda: inputs_from_frames(d.customers, d.feedback, d.tickets, d.revenue),
                   lambda i: len(i.verbatims))
    prep = timed("prepare (mask, sentiment, signals)", lambda: prepare(inputs), len(inputs.verbatims))
    book = starter_codebook()
    tags = timed("tag (starter codebook)", lambda: tag(prep["text"], book), len(prep))
    nv = len(prep)
    impact = timed("theme_impact", lambda: theme_impact(prep, tags, book, inputs), nv)
    timed("over_time (freq M)", lambda: over_time(prep, tags, book, freq="M"), nv)
    timed("by_group (segment)", lambda: by_group(prep, tags, book, by="segment"), nv)
    it, _ = timed("items + backlog", lambda: (lambda i: (i, backlog(i, book)))(items(prep, tags, book)), nv)
    sig = timed("signals", lambda: signals(prep, inputs), nv)
    un, cands = timed("untagged + discover (k=6)",
                      lambda: (lambda u: (u, discover(u["text"], k=6)))(untagged(prep, tags)), lambda r: len(r[0]))
    total = sum(r[2] for r in ROWS[first:])
    print(f"  {'total (all steps above)':<44}{total:8.3f} s")
    v = inputs.verbatims
    print(f"  verbatims: {len(v):,} ({v['text'].nunique():,} distinct texts; "
          + ", ".join(f"{k} {c:,}" for k, c in v["channel"].value_counts().items())
          + f"); {len(tags):,} tags, {prep['tone'].eq('negative').mean():.1%} negative tone, "
          f"{(prep['signal'] != '').sum():,} with churn signals", flush=True)
    top = impact.dropna(subset=["churn_diff"])
    if len(top):
        r = top.iloc[0]
        print(f"  top theme by churn impact: {r['theme']}: churn {r['churn_raised']:.1%} of {r['n_raised']:,} who "
              f"raised it vs {r['churn_others']:.1%} of {r['n_others']:,}, difference {r['churn_diff']:+.1%} "
              f"(95 % CI {r['churn_low']:+.1%} to {r['churn_high']:+.1%})")
    print(f"  follow-up items {len(it):,}; churn-signal verbatims of active customers {len(sig):,}; "
          f"untagged verbatims {len(un):,} -> {len(cands)} discovery candidates: "
          + "; ".join(f"{c.title} ({c.size:,})" for c in cands), flush=True)
    return v["text"]


def sentence_pool(texts: pd.Series) -> np.ndarray:
    """Distinct sentences (longer than 2 characters) of the distinct texts, sorted (deterministic)."""
    out: set[str] = set()
    for t in pd.unique(texts.dropna().astype(str)):
        out.update(x.strip() for x in _SENTENCE.split(t.strip()) if len(x.strip()) > 2)
    return np.array(sorted(out), dtype=object)


def synthetic_texts(n: int, pools: list[np.ndarray], seed: int) -> pd.Series:
    """``n`` verbatims of 1-3 sentences; each sentence from one of ``pools`` (equal odds), uniformly within it.

    Some demo sentences hold a phone number or e-mail address, so ``mask_pii`` has work to do.
    """
    rng = np.random.default_rng(seed)
    k = rng.integers(1, 4, n)
    src = rng.integers(0, len(pools), (n, 3))
    parts = np.empty((n, 3), dtype=object)
    for i, pool in enumerate(pools):
        m = src == i
        parts[m] = pool[rng.integers(0, len(pool), m.sum())]
    one = parts[:, 0]
    two = one + " " + parts[:, 1]
    three = two + " " + parts[:, 2]
    return pd.Series(np.where(k == 1, one, np.where(k == 2, two, three)), dtype=object)


def scale_run(a, demo_texts: pd.Series | None, review_texts: pd.Series | None) -> None:
    print("\n3. at scale", flush=True)
    t0 = time.perf_counter()
    if demo_texts is None:
        from core import make_demo
        from core.feedback.inputs import inputs_from_frames

        d = make_demo(a.customers, seed=a.seed)
        demo_texts = inputs_from_frames(d.customers, d.feedback, d.tickets).verbatims["text"]
    pools = [sentence_pool(demo_texts)]
    if review_texts is None and REVIEWS.exists():
        review_texts = pd.read_csv(REVIEWS, usecols=["Review Text"])["Review Text"]
    if review_texts is not None:
        pools.append(sentence_pool(review_texts))
    print(f"  sentence pools: {len(pools[0]):,} distinct demo sentences (mean {np.mean([len(x) for x in pools[0]]):.0f}"
          " chars)" + (f", {len(pools[1]):,} distinct review sentences (mean "
                       f"{np.mean([len(x) for x in pools[1]]):.0f} chars)" if len(pools) > 1 else " (no reviews)")
          + f"; built in {time.perf_counter() - t0:.1f} s (not timed)", flush=True)
    book = starter_codebook()
    uniq = np.array([], dtype=object)
    for n in a.sizes:
        t0 = time.perf_counter()
        texts = synthetic_texts(n, pools, a.seed)
        uniq = pd.unique(texts)
        print(f"  {n:,} synthetic verbatims: {len(uniq):,} distinct ({len(uniq) / n:.1%}), mean "
              f"{texts.str.len().mean():.0f} chars, {texts.str.len().sum() / 1e6:.0f} M characters; built in "
              f"{time.perf_counter() - t0:.1f} s (not timed)", flush=True)
        i = len(ROWS)
        tags = timed(f"tag, starter codebook ({n:,})", lambda t=texts: tag(t, book), n)
        s_tag = ROWS[i][2]
        masked = timed(f"mask_pii ({n:,})", lambda t=texts: vb.mask_pii(t), n, trace=True)
        changed = int((masked != texts).sum())
        del masked
        hit = timed(f"churn_signal ({n:,})", lambda t=texts: vb.churn_signal(t), n)
        tagged = np.zeros(n, dtype=bool)
        tagged[tags["row"].to_numpy()] = True
        print(f"    -> {tagged.mean():.1%} tagged ({len(tags):,} tags); tagging {n / s_tag:,.0f} verbatims/s, "
              f"{texts.str.len().sum() / 1e6 / s_tag:.1f} M chars/s; {changed:,} texts masked; churn signals in "
              f"{hit.mean():.2%}", flush=True)
        del texts, tags, hit, tagged
        gc.collect()
    m = min(a.sentiment_size, len(uniq))
    if m < 1:
        return
    sample = pd.Series(uniq[:m], dtype=object)
    print(f"  sentiment at scale: {m:,} distinct texts of the last set (mean {sample.str.len().mean():.0f} chars)"
          + (f"; only {len(uniq):,} distinct, fewer than --sentiment-size {a.sentiment_size:,}"
             if m < a.sentiment_size else ""), flush=True)
    i = len(ROWS)
    timed(f"sentiment (VADER, {m:,} distinct)", lambda: vb.sentiment(sample), m)
    rate = m / ROWS[i][2]
    print(f"    -> {rate:,.0f} texts/s; 1,000,000 distinct texts would take about {1e6 / rate:,.0f} s "
          f"({1e6 / rate / 60:.1f} min), the {len(uniq):,} distinct of the last set about {len(uniq) / rate:,.0f} s "
          "(single process, VADER is pure Python)", flush=True)


def sizes(text: str) -> list[int]:
    out = [int(float(s)) for s in text.replace("_", "").split(",") if s.strip()]
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError("give positive sizes separated by commas, e.g. 100000,1000000")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=5000, help="demo business customers (default 5,000)")
    ap.add_argument("--sizes", type=sizes, default=[1_000_000],
                    help="synthetic verbatim counts to tag, comma-separated (default 1000000)")
    ap.add_argument("--sentiment-size", type=int, default=100_000,
                    help="distinct texts to score with VADER at scale (default 100,000; 0 skips it)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-reviews", action="store_true", help="skip the clothing reviews (part 1)")
    ap.add_argument("--skip-demo", action="store_true", help="skip the demo business (part 2)")
    ap.add_argument("--skip-scale", action="store_true", help="skip the at-scale measurements (part 3)")
    a = ap.parse_args()
    if a.customers < 50:
        ap.error("--customers must be at least 50 (make_demo's minimum)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at start (other work running skews the figures); "
          f"peak memory from {'VmHWM (reset per step)' if HWM else 'tracemalloc'}")
    t0 = time.perf_counter()
    reviews = None if a.skip_reviews else reviews_run(a)
    demo = None if a.skip_demo else demo_run(a)
    if not a.skip_scale:
        scale_run(a, demo, reviews)
    print(f"\nsummary ({time.perf_counter() - t0:.0f} s in all; load average {os.getloadavg()[0]:.2f} at the end)")
    print(f"  {'step':<44}{'verbatims':>11}{'seconds':>10}{'per s':>11}{'RSS +MB':>10}{'traced MB':>11}")
    for label, n, s, mb, traced in ROWS:
        rate = f"{n / s:,.0f}" if n and s > 0 else ""
        print(f"  {label:<44}{(f'{n:,}' if n else ''):>11}{s:10.3f}{rate:>11}{mb:10.1f}"
              f"{(f'{traced:.1f}' if traced == traced else ''):>11}".rstrip())
    with contextlib.suppress(OSError, StopIteration):
        if not HWM:  # VmHWM was never reset: it is the whole run's high-water mark
            print(f"  process peak RSS {status_mb('VmHWM'):.0f} MB")


if __name__ == "__main__":
    main()
