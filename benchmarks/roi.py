"""Intervention ROI speed: the demo business's plays end to end, risk at contact, then 1,000,000 contacts.

    .venv/bin/python benchmarks/roi.py [--customers N] [--window DAYS] [--scale N] [--contacts-per-customer N]
                                       [--scale-demo] [--seed N] [--skip-demo] [--skip-risk] [--skip-scale]

1. The demo business (``core.make_demo(N, seed)``, default 5,000 customers; generating it is not
   timed). Timed, step by step: ``core.roi.inputs.inputs_from_frames(interventions, customers, revenue,
   activity)``, then for each play of ``inputs.plays()`` (none hard-coded): ``outcomes(window=90)``,
   ``compare`` with the CUPED covariate ``pre_usage``, ``money`` and ``time_to_impact`` (core.roi.outcomes,
   estimates, money, time_to_impact) of
   its largest treatment arm, ``core.roi.fatigue.fatigue(inputs.interventions, frame)`` and
   ``core.roi.uplift_model.fit_uplift`` (features segment, plan, region, pre_usage, pre_revenue; 5 folds), and
   ``fatigue`` on each imported yes/no outcome (the nudge e-mails' ``responded``), and
   ``core.roi.wave.next_wave`` (budget 100 contacts at the play's mean cost, a save worth MRR x 12 months x
   80 %; its "contacts" column counts today's active customers scored: 3,913, 0.16-0.19 s a play); then
   ``plays_table(inputs)``. A step that raises ``DataValidationError`` or ``InsufficientDataError``
   (a play without a holdout, too few contacts for 5 folds) is reported and skipped. Printed per play:
   contacts, eligible, the retention difference (treated minus held out) with its 95 % interval, plain
   and CUPED, the uplift model's cross-fitted Qini coefficient, the difference of each imported outcome
   (``responded`` ...), the truth ``demo.truth["plays"][play]["abs_reduction"]`` when the play has it,
   (untimed) the difference at the play's own horizon (30 x ``horizon_months`` days), which is what
   that truth is measured over, and an imported outcome's lift by recent contacts beside the truth's
   ``<outcome>_lift_by_contacts`` when it has one.
2. Risk at contact (after 1 unless ``--skip-risk``): the churn model fitted as
   ``tests/core/roi/test_uplift.py`` fits it (``core.history.inputs.inputs_from_frames`` of the demo, then
   ``core.churn.pipeline.fit_churn(n_boot=20)`` and the threshold ``best_threshold(net_value_curve(...))``),
   both timed, then ``core.roi.contact_risk.risk_at_contact`` of every measured play's contacts, each timed
   (one feature build per contact month; printed: contacts, contact months, seconds and seconds a month). This
   is where its speed is watched: the test only checks what it computes (it once also asserted under 30 s a
   play). Then, on the first play, ``fit_uplift`` with ``risk`` added to the features and ``uplift_by`` risk
   tier.
3. At scale: ``--scale`` customers (default 100,000) with ``--contacts-per-customer`` (default 10)
   contacts each: a seeded synthetic business built here with numpy (``default_rng(seed)``; building
   it, ~1 s, is not timed; see :func:`synthetic_business`): 1,000,000 contacts of four plays
   (40/30/20/10 %, 15 % of each held out) dated while the customer was a customer, ~1.6 M monthly
   revenue rows, ~6.6 M weekly usage rows, and a planted effect (a treated contact of the largest play
   in the 90 days before a customer's churn day cancels that churn with probability 0.15). The effect
   does not depend on the uplift model's features, so its Qini coefficient is about 0; it grows with
   the contacts of the last 30 days only because short-lived customers get dense contacts near their
   churn day. ``make_demo(100000)`` is not the default: it took 15 s but 8.0 GB resident (10.5 GB once
   ``inputs_from_frames`` ran) for 107 M activity rows and only ~63,000 contacts; ``--scale-demo``
   uses it anyway (``make_demo(--scale)``). Timed: ``inputs_from_frames``, ``outcomes`` of the largest
   play, ``compare`` with CUPED, ``contacts_before`` over all contacts, ``fatigue`` and ``fit_uplift``
   of the largest play (and, as a diagnostic, scikit-learn's ``StratifiedGroupKFold`` split that
   ``fit_uplift`` runs, alone), its ``next_wave`` (49,773 active customers: 0.54 s), and ``plays_table``.

Peak memory ("RSS +MB"): the growth of the process's resident high-water mark (``VmHWM``) over the
RSS before the step, reset before each step as in ``benchmarks/health.py`` (where
``/proc/self/clear_refs`` cannot be written, ``tracemalloc``'s peak instead). It reads about 0 when a
step fits in memory the process freed earlier, so the cheaper at-scale steps are also run a second
time, untimed, under ``tracemalloc`` ("traced MB"). Measured on a 2-core machine with other work
running (load average 1-2): the demo's steps take milliseconds each (``outcomes`` 0.07-0.1 s a play,
``inputs_from_frames`` 0.18 s, ``plays_table`` 0.23 s) except ``fit_uplift``, 0.25-2 s a play: it does
not cap native threads as ``core.churn.model`` does, and beside other work the nudge play's fit took 1.6-2.5 s
against 0.4 s under ``threadpoolctl.threadpool_limits(1)``. ``fit_churn`` took 1.9 s and
``risk_at_contact`` 1.6 s for the 1,602 onboarding calls (27 contact months, 0.06 s a month). At
scale (1,000,000 contacts, 100,000 customers, 1.7 GB peak for the process): ``inputs_from_frames``
0.55 s, ``outcomes`` of the 399,645-contact play 1.5 s, ``compare`` 0.1 s, ``contacts_before`` over
all contacts 0.54 s, ``fatigue`` 0.53 s, ``fit_uplift`` 16 s, 9.4 s of it the fold split (a Python loop
over 97,594 customers inside scikit-learn), ``plays_table`` 5 s (``outcomes`` of every play). Total run
time about 1 minute (49-56 s; ``--scale 50000``: 28 s). Prints figures and a summary table; exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.measure import HWM, make_timer, status_mb  # noqa: E402
from core import make_demo  # noqa: E402
from core.churn.pipeline import best_threshold, default_economics, fit_churn, net_value_curve  # noqa: E402
from core.errors import DataValidationError, InsufficientDataError  # noqa: E402
from core.history.inputs import inputs_from_frames as churn_inputs  # noqa: E402
from core.roi import wave as rw  # noqa: E402
from core.roi.contact_risk import risk_at_contact  # noqa: E402
from core.roi.defaults import PRE_REVENUE, PRE_USAGE, RETAINED, WINDOW_DAYS  # noqa: E402
from core.roi.estimates import compare, is_binary  # noqa: E402
from core.roi.fatigue import contacts_before, fatigue  # noqa: E402
from core.roi.group_uplift import ALL, uplift_by  # noqa: E402
from core.roi.inputs import RoiInputs, inputs_from_frames  # noqa: E402
from core.roi.money import money  # noqa: E402
from core.roi.outcomes import arms as treatment_arms  # noqa: E402
from core.roi.outcomes import default_control, imported_columns, measured, outcomes, store_outcomes_apply  # noqa: E402
from core.roi.plays import plays_table  # noqa: E402
from core.roi.time_to_impact import time_to_impact  # noqa: E402
from core.roi.uplift_model import fit_uplift  # noqa: E402

FEATURES = ["segment", "plan", "region", PRE_USAGE, PRE_REVENUE]
#: the synthetic business's plays: (name, channel, share of contacts, cost of a treated contact)
SCALE_PLAYS = (("Onboarding call", "phone", 0.4, 150.0), ("Renewal save offer", "email", 0.3, 120.0),
               ("Usage nudge e-mail", "email", 0.2, 0.05), ("Win-back offer", "email", 0.1, 40.0))
SCALE_START, SCALE_DAYS = np.datetime64("2023-01-01", "D"), 3 * 365  # the synthetic data's span
SAVE_PROB = 0.15  # chance one treated contact of the largest play in the 90 days before a churn cancels it
ROWS: list[tuple] = []  # (step, contacts, seconds, RSS peak growth MB, tracemalloc peak MB) for the summary table


timed = make_timer(ROWS, "contacts")


def attempt(label: str, fn, rows=None, trace: bool = False):
    """``timed``, but a step the data cannot support (too few contacts, no holdout) is reported, not fatal."""
    try:
        return timed(label, fn, rows, trace)
    except (DataValidationError, InsufficientDataError) as e:
        print(f"  {label:<44}  skipped: {e}", flush=True)
        return None


def pct(d: float, lo: float, hi: float) -> str:
    """A difference and its 95 % interval in percentage points."""
    if d != d:
        return "n/a"
    return f"{100 * d:+.1f} pts (95 % CI {100 * lo:+.1f} to {100 * hi:+.1f})"


def short(play: str) -> str:
    return play if len(play) <= 18 else play[:17] + "."


def wave_step(inputs: RoiInputs, f: pd.DataFrame, up, ctrl: str, label: str):
    """Time :func:`core.roi.wave.next_wave` of a play: a budget of 100 contacts at the play's mean cost, a save
    worth the customer's MRR x 12 months x 80 % (the page's defaults); rows = today's active customers."""
    cost = float(f.loc[f["arm"] != ctrl, "cost"].mean()) if f["cost"].notna().any() else 0.0
    settings = rw.WaveSettings(budget=100 * max(cost, 0.01), cost_per_contact=cost, value_months=12, margin=0.8,
                               outcome=RETAINED)
    return attempt(f"next_wave [{label}]", lambda: rw.next_wave(inputs, f, up, settings),
                   lambda w: int(w.funnel["customers"].iloc[0]))


def wave_line(w) -> str:
    return ("next wave: " + " -> ".join(f"{r.step} {r.customers:,}" for r in w.funnel.itertuples())
            + f"; cost {w.spend:,.0f} of {w.budget:,.0f}, expected {w.expected_gain:.1f} more kept")


# --------------------------------------------------------------------------- 1. the demo business
def demo_run(a):
    """Part 1; returns the demo, its ROI inputs and the first play's contacts (for part 2)."""
    t0 = time.perf_counter()
    d = make_demo(a.customers, seed=a.seed)
    print(f"\n1. demo business: make_demo({a.customers}, seed={a.seed}) -> {len(d.interventions):,} contacts, "
          f"{len(d.revenue):,} revenue rows, {len(d.activity):,} activity rows; built in "
          f"{time.perf_counter() - t0:.1f} s (not timed)", flush=True)
    first = len(ROWS)
    inputs = timed("inputs_from_frames", lambda: inputs_from_frames(d.interventions, d.customers, d.revenue,
                                                                    d.activity), lambda i: len(i.interventions))
    plays = inputs.plays()
    print(f"  plays ({len(plays)}): {', '.join(plays)}; data end {inputs.end:%Y-%m-%d}", flush=True)
    frames, notes, waves = {}, [], {}
    for play in plays:
        p = short(play)
        f = attempt(f"outcomes [{p}] (window {a.window})", lambda pl=play: outcomes(inputs, pl, window=a.window),
                    len)
        if f is None:
            continue
        frames[play] = f
        ctrl = default_control(f)
        arms = treatment_arms(f, ctrl)
        comp = attempt(f"compare, CUPED [{p}]",
                       lambda f=f, c=ctrl: compare(f, control=c, covariate=PRE_USAGE), len(f))
        if arms:
            attempt(f"money [{p}]", lambda f=f, c=ctrl, arm=arms[0]: money(
                f, arm, control=c, retention=RETAINED if store_outcomes_apply(f) else None), len(f))
            attempt(f"time_to_impact [{p}]",
                    lambda f=f, c=ctrl, arm=arms[0]: time_to_impact(f, arm, window=a.window, control=c), len(f))
        fat = attempt(f"fatigue [{p}]", lambda f=f, c=ctrl: fatigue(inputs.interventions, f, control=c), len(f))
        up = attempt(f"fit_uplift [{p}] (5 features)", lambda f=f, c=ctrl: fit_uplift(f, FEATURES, control=c),
                     lambda r: len(r.scores))
        if up is not None:
            waves[play] = wave_step(inputs, f, up, ctrl, p)
        # an imported yes/no outcome (the nudge e-mails' ``responded``) is what fatigue is about
        fat_in = {col: attempt(f"fatigue [{p}] ({col})"[:44], lambda f=f, c=ctrl, o=col: fatigue(
            inputs.interventions, f, o, control=c), int(f[col].notna().sum()))
            for col in imported_columns(f) if is_binary(f[col])}
        notes.append((play, f, ctrl, comp, fat, up, fat_in))
    table = attempt("plays_table", lambda: plays_table(inputs, window=a.window),
                    lambda t: int(t["contacts"].sum()))
    total = sum(r[2] for r in ROWS[first:])
    print(f"  {'total (all steps above)':<44}{total:8.3f} s", flush=True)
    for play, f, ctrl, comp, fat, up, fat_in in notes:
        print(f"  {play}: {len(f):,} contacts ({(f['arm'] == ctrl).sum():,} held out as '{ctrl}'), "
              f"{int(f['eligible'].sum()):,} eligible", flush=True)
        if comp is not None and len(comp):
            r = comp.iloc[0]
            print(f"    retained over {a.window} d, {r['arm']} vs {ctrl}: {r['treatment']:.1%} vs {r['control']:.1%}, "
                  f"difference {pct(r['difference'], r['low'], r['high'])}; CUPED "
                  f"{pct(r['cuped_difference'], r['cuped_low'], r['cuped_high'])}, variance reduction "
                  f"{r['variance_reduction']:.1%}")
        truth = d.truth.get("plays", {}).get(play, {})
        if truth.get("abs_reduction") is not None:
            months = int(truth.get("horizon_months") or 0)
            at = ""
            if months > 0:
                with contextlib.suppress(DataValidationError, InsufficientDataError):
                    h = compare(outcomes(inputs, play, window=30 * months), control=ctrl).iloc[0]
                    at = f"; measured at that horizon ({30 * months} d): {pct(h['difference'], h['low'], h['high'])}"
            print(f"    truth: churn reduced by {100 * truth['abs_reduction']:.1f} pts"
                  + (f" over {months} months (the play's horizon)" if months else " (the play leaves churn alone)")
                  + at)
        for col in imported_columns(f):
            with contextlib.suppress(DataValidationError, InsufficientDataError):
                c = compare(f, col, control=ctrl)
                if len(c):
                    r = c.iloc[0]
                    lift = truth.get(f"{col}_lift_all")
                    print(f"    imported '{col}': {r['treatment']:.3f} vs {r['control']:.3f}, difference "
                          f"{pct(r['difference'], r['low'], r['high'])} (n {r['n']:,} / {r['n_control']:,})"
                          + (f"; truth {100 * lift:+.1f} pts" if lift is not None else ""))
        if fat is not None:
            print("    treated contacts by other contacts made in the 30 days before: " + ", ".join(
                f"{b} {n:,}" for b, n in zip(fat["contacts_30d"], fat["n"]) if b != ALL))
        for col, ft in fat_in.items():
            if ft is None:
                continue
            want = truth.get(f"{col}_lift_by_contacts") or {}
            print(f"    fatigue on '{col}', difference by contacts in the last 30 days: " + "; ".join(
                f"{r.contacts_30d}: {pct(r.difference, r.low, r.high)}"
                + (f" [truth {100 * want[r.contacts_30d]:+.1f}]" if want.get(r.contacts_30d) is not None else "")
                for r in ft.itertuples() if r.contacts_30d != ALL))
        if up is not None:
            print(f"    uplift model: cross-fitted Qini coefficient {up.qini_coefficient:+.4f} over {len(up.scores):,} "
                  f"measured contacts")
        if waves.get(play) is not None:
            print("    " + wave_line(waves[play]))
    if table is not None:
        print("  plays_table: " + "; ".join(f"{r.play} {r.contacts:,} contacts, {r.eligible:,} eligible, "
                                            f"{pct(r.difference, r.low, r.high)}" for r in table.itertuples()),
              flush=True)
    return d, inputs, frames


# --------------------------------------------------------------------------- 2. risk at contact
def risk_step(ci, model, threshold: float, play: str, f: pd.DataFrame) -> pd.DataFrame:
    """Time :func:`core.roi.contact_risk.risk_at_contact` of a play's contacts and print its speed."""
    months = f["date"].dt.to_period("M").nunique()
    scored = timed(f"risk_at_contact [{short(play)}]", lambda: risk_at_contact(ci, model, threshold, f), len(f))
    s = ROWS[-1][2]
    print(f"    -> risk at contact of '{play}': {len(f):,} contacts over {months} contact months in {s:.2f} s "
          f"({s / max(months, 1):.3f} s a month)", flush=True)
    return scored


def risk_run(a, d, inputs: RoiInputs, frames: dict) -> None:
    if not frames:
        print("\n2. risk at contact: no play was measured; skipped")
        return
    play = next(iter(frames))
    f = frames[play]
    print(f"\n2. risk at contact: churn model on the demo, then the contacts of each of {len(frames)} plays",
          flush=True)
    ci = timed("churn inputs_from_frames", lambda: churn_inputs(d.customers, d.activity, d.tickets, d.feedback,
                                                                d.revenue), len(d.customers))
    fit = timed("fit_churn (n_boot=20)", lambda: fit_churn(ci, n_boot=20), len(d.customers))
    threshold = best_threshold(net_value_curve(fit.p_test, default_economics(ci), fit.test.y))
    print(f"    -> threshold {threshold:.3f}", flush=True)
    risk = {name: risk_step(ci, fit.model, threshold, name, frame) for name, frame in frames.items()}
    scored = risk[play]
    tiers = scored["risk_tier"].value_counts()
    print(f"    -> '{play}': risk at contact median {scored['risk'].median():.3f}; tiers " + ", ".join(
        f"{t} {tiers.get(t, 0):,}" for t in ("red", "amber", "green")) + f", unscored {scored['risk'].isna().sum():,}",
        flush=True)
    ctrl = default_control(f)
    up = attempt(f"fit_uplift [{short(play)}] (+ risk)",
                 lambda: fit_uplift(scored, ["risk", *FEATURES], control=ctrl), lambda r: len(r.scores))
    if up is not None:
        print(f"    -> cross-fitted Qini coefficient with risk {up.qini_coefficient:+.4f}", flush=True)
    by = attempt("uplift_by risk_tier", lambda: uplift_by(scored, "risk_tier", control=ctrl), len(f))
    if by is not None:
        print("    -> uplift by risk tier: " + "; ".join(
            f"{r.group} {pct(r.difference, r.low, r.high)} (n {r.n:,})" for r in by.itertuples()), flush=True)


# --------------------------------------------------------------------------- 3. at scale
def _spans(lo: np.ndarray, hi: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Row index and day of every ``step``-th day in ``[lo, hi)`` per row (no Python loop)."""
    k = np.maximum(0, (hi - lo + step - 1) // step)
    idx = np.repeat(np.arange(len(lo)), k)
    start = np.repeat(np.cumsum(k) - k, k)
    return idx, lo[idx] + step * (np.arange(len(idx)) - start)


def synthetic_business(n: int, per_customer: int, seed: int) -> dict:
    """A seeded business in :func:`core.make_demo`'s column names: ``customers``, ``interventions``, ``revenue``
    (one MRR row a month while a customer), ``activity`` (one usage row a week while a customer).

    Customers sign up over the first two years of three; each has a churn day (signup + exponential,
    mean 700 days; none when past the end). Contacts: ``n * per_customer``, a uniform customer each, a
    play drawn by :data:`SCALE_PLAYS` shares, dated uniformly while the customer is a customer, 15 %
    held out. Planted effect: every treated contact of the largest play in the 90 days before the churn
    day cancels that churn with probability :data:`SAVE_PROB`.
    """
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(np.arange(n).astype(str), 7)).astype(object)
    signup = rng.integers(0, 2 * 365, n)
    cand = signup + 30 + rng.exponential(700, n).astype(np.int64)
    stop = np.minimum(cand, SCALE_DAYS)  # contacts, revenue and usage happen before this day
    m = n * per_customer
    who = rng.integers(0, n, m)
    names = np.array([p[0] for p in SCALE_PLAYS], dtype=object)
    play = rng.choice(len(SCALE_PLAYS), m, p=[p[2] for p in SCALE_PLAYS])
    day = signup[who] + (rng.random(m) * (stop[who] - signup[who])).astype(np.int64)
    hold = rng.random(m) < 0.15
    # the planted effect: treated contacts of play 0 in the 90 days before the churn day
    near = (play == 0) & ~hold & (cand[who] < SCALE_DAYS) & (day >= cand[who] - 90)
    saves = np.bincount(who[near], minlength=n)
    churned = (cand < SCALE_DAYS) & (rng.random(n) >= 1 - (1 - SAVE_PROB) ** saves)
    cost = np.array([p[3] for p in SCALE_PLAYS])[play]
    order = np.lexsort((who, day))
    interventions = pd.DataFrame({
        "customer_id": ids[who[order]], "play": names[play[order]],
        "channel": np.array([p[1] for p in SCALE_PLAYS], dtype=object)[play[order]],
        "date": (SCALE_START + day[order]).astype("datetime64[s]"),
        "group": np.where(hold[order], "holdout", "treatment").astype(object),
        "cost": np.where(hold[order], 0.0, cost[order])})
    customers = pd.DataFrame({
        "customer_id": ids,
        "segment": rng.choice(np.array(["SMB", "Mid-Market", "Enterprise"], dtype=object), n, p=[0.55, 0.31, 0.14]),
        "plan": rng.choice(np.array(["Starter", "Growth", "Pro", "Enterprise"], dtype=object), n,
                           p=[0.36, 0.37, 0.19, 0.08]),
        "region": rng.choice(np.array(["North America", "EMEA", "APAC", "LATAM"], dtype=object), n,
                             p=[0.46, 0.28, 0.16, 0.10]),
        "signup_date": (SCALE_START + signup).astype("datetime64[s]"),
        "churn_date": np.where(churned, SCALE_START + cand, np.datetime64("NaT")).astype("datetime64[s]")})
    # revenue: the MRR on the first of each month from the signup month to the month before the stop day
    month0 = (SCALE_START + signup).astype("datetime64[M]").astype(np.int64)
    month1 = (SCALE_START + stop - 1).astype("datetime64[M]").astype(np.int64) + 1
    r_i, r_m = _spans(month0, month1, 1)
    mrr = np.round(rng.lognormal(6.0, 0.9, n), 2)
    revenue = pd.DataFrame({"customer_id": ids[r_i], "period": r_m.astype("datetime64[M]").astype("datetime64[s]"),
                            "mrr": mrr[r_i]})
    # usage: one row a week while a customer, around the customer's own level
    a_i, a_d = _spans(signup, stop, 7)
    level = rng.lognormal(2.0, 0.8, n)
    activity = pd.DataFrame({"customer_id": ids[a_i], "date": (SCALE_START + a_d).astype("datetime64[s]"),
                             "value": rng.poisson(level[a_i]).astype(float)})
    return {"customers": customers, "interventions": interventions, "revenue": revenue, "activity": activity}


def scale_run(a) -> None:
    print("\n3. at scale", flush=True)
    t0 = time.perf_counter()
    if a.scale_demo:
        d = make_demo(a.scale, seed=a.seed)
        data = {"customers": d.customers, "interventions": d.interventions, "revenue": d.revenue,
                "activity": d.activity}
        del d
        what = f"make_demo({a.scale}, seed={a.seed})"
    else:
        data = synthetic_business(a.scale, a.contacts_per_customer, a.seed)
        what = f"synthetic business ({a.scale:,} customers x {a.contacts_per_customer} contacts, seed {a.seed})"
    gc.collect()
    print(f"  {what}: {len(data['interventions']):,} contacts, {len(data['revenue']):,} revenue rows, "
          f"{len(data['activity']):,} activity rows; built in {time.perf_counter() - t0:.1f} s (not timed); "
          f"RSS {status_mb('VmRSS'):,.0f} MB", flush=True)
    n_iv = len(data["interventions"])
    inputs = timed(f"inputs_from_frames ({n_iv:,})", lambda dd=data: inputs_from_frames(
        dd["interventions"], dd["customers"], dd["revenue"], dd["activity"]), n_iv, trace=True)
    del data
    gc.collect()
    iv = inputs.interventions
    counts = iv["play"].value_counts()
    play = str(counts.index[0])
    print(f"    -> {len(counts)} plays, largest '{play}' with {counts.iloc[0]:,} contacts; data end "
          f"{inputs.end:%Y-%m-%d}", flush=True)
    f = timed(f"outcomes [{short(play)}]", lambda: outcomes(inputs, play, window=a.window), len, trace=True)
    ctrl = default_control(f)
    comp = attempt("compare, CUPED pre_usage", lambda: compare(f, control=ctrl, covariate=PRE_USAGE),
                   len(f), trace=True)
    k = timed(f"contacts_before (all {len(iv):,})", lambda: contacts_before(iv, iv), len(iv), trace=True)
    fat = attempt(f"fatigue [{short(play)}]", lambda: fatigue(iv, f, control=ctrl), len(f), trace=True)
    up = attempt(f"fit_uplift [{short(play)}] (5 features)", lambda: fit_uplift(f, FEATURES, control=ctrl),
                 lambda r: len(r.scores))
    if up is not None:
        # where fit_uplift's time goes: its fold assignment alone (sklearn, a Python loop over the customers)
        m = measured(f, RETAINED)
        strata = (m["arm"] != ctrl).to_numpy(int) * 2 + m[RETAINED].to_numpy(int)
        groups = m["customer_id"].astype(str).to_numpy()
        split = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0)
        timed(f"  of which the folds ({len(set(groups)):,} customers)",
              lambda: list(split.split(m[FEATURES], strata, groups)), len(m))
    wave = wave_step(inputs, f, up, ctrl, short(play)) if up is not None else None
    timed("plays_table", lambda: plays_table(inputs, window=a.window), len(iv))
    print(f"    -> '{play}': {len(f):,} contacts, {int(f['eligible'].sum()):,} eligible", flush=True)
    if comp is not None and len(comp):
        r = comp.iloc[0]
        print(f"    -> retained over {a.window} d: {pct(r['difference'], r['low'], r['high'])}; CUPED "
              f"{pct(r['cuped_difference'], r['cuped_low'], r['cuped_high'])} (variance reduction "
              f"{r['variance_reduction']:.1%})")
    print(f"    -> contacts made in the 30 days before each contact: mean {k.mean():.2f}, "
          + ", ".join(f"{b} {s:.1%}" for b, s in zip(("0", "1", "2", "3+"),
                                                      np.bincount(np.minimum(k, 3), minlength=4) / len(k))))
    if fat is not None:
        print("    -> fatigue: " + "; ".join(f"{r.contacts_30d}: {pct(r.difference, r.low, r.high)} (n {r.n:,})"
                                             for r in fat.itertuples()))
    if up is not None:
        print(f"    -> uplift model: cross-fitted Qini coefficient {up.qini_coefficient:+.4f} over "
              f"{len(up.scores):,} measured contacts", flush=True)
    if wave is not None:
        print("    -> " + wave_line(wave), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=5000, help="demo business customers (default 5,000)")
    ap.add_argument("--window", type=int, default=WINDOW_DAYS, help="outcome window in days (default 90)")
    ap.add_argument("--scale", type=lambda s: int(float(s.replace("_", ""))), default=100_000,
                    help="customers at scale (default 100,000; e.g. 50000 is quicker)")
    ap.add_argument("--contacts-per-customer", type=int, default=10,
                    help="synthetic contacts per customer at scale (default 10: 1,000,000 contacts)")
    ap.add_argument("--scale-demo", action="store_true",
                    help="use make_demo(--scale) at scale instead of the synthetic business (100,000: ~10 GB)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-demo", action="store_true", help="skip the demo business (parts 1 and 2)")
    ap.add_argument("--skip-risk", action="store_true", help="skip risk at contact (part 2)")
    ap.add_argument("--skip-scale", action="store_true", help="skip the at-scale measurements (part 3)")
    a = ap.parse_args()
    if a.customers < 50 or (a.scale_demo and a.scale < 50):
        ap.error("make_demo needs at least 50 customers (--customers, --scale with --scale-demo)")
    if a.scale < 1 or a.contacts_per_customer < 1 or a.window < 1:
        ap.error("--scale, --contacts-per-customer and --window must be positive")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at start (other work running skews the figures); "
          f"peak memory from {'VmHWM (reset per step)' if HWM else 'tracemalloc'}")
    t0 = time.perf_counter()
    if not a.skip_demo:
        d, inputs, frames = demo_run(a)
        if not a.skip_risk:
            risk_run(a, d, inputs, frames)
        del d, inputs, frames
        gc.collect()
    if not a.skip_scale:
        scale_run(a)
    print(f"\nsummary ({time.perf_counter() - t0:.0f} s in all; load average {os.getloadavg()[0]:.2f} at the end)")
    print(f"  {'step':<44}{'contacts':>11}{'seconds':>10}{'RSS +MB':>10}{'traced MB':>11}")
    for label, n, s, mb, traced in ROWS:
        print(f"  {label:<44}{(f'{n:,}' if n else ''):>11}{s:10.3f}{mb:10.1f}"
              f"{(f'{traced:.1f}' if traced == traced else ''):>11}".rstrip())
    with contextlib.suppress(OSError, StopIteration):
        if not HWM:  # VmHWM was never reset: it is the whole run's high-water mark
            print(f"  process peak RSS {status_mb('VmHWM'):.0f} MB")


if __name__ == "__main__":
    main()
