"""Health-score speed: the demo business end to end, then scoring 100,000 and 1,000,000 customers.

    .venv/bin/python benchmarks/health.py [--customers N] [--sizes N,N] [--large-demo N] [--seed N]
                                          [--skip-demo] [--skip-scale]

1. The demo business (``make_demo(5000, seed=0)`` through ``inputs_from_frames``; generating it is
   not timed). Timed, step by step: ``measure_frame`` at the data end, ``score`` of that frame with
   ``default_config(frame)``, ``backtest_data(months=12)``, ``evaluate``, ``suggest_weights``, and the
   monitor: ``snapshots(months=13)``, ``history``, ``portfolio``, ``alerts``. Also printed: the
   back-test ROC-AUC of the default configuration, the AUC of the suggested weights beside the
   current ones on the held-out months, and the red/green churn-rate ratio.
2. At scale: ``score`` of a seeded synthetic measure frame (built directly with numpy, the columns
   ``measure_frame`` returns, 10-30 % missing survey answers) of each ``--sizes`` (default 100,000 and
   1,000,000 customers); and ``measure_frame`` (then ``score``) on a larger demo,
   ``make_demo(20000, seed=1)`` (~4 s to generate, ~21 M activity rows; ``--large-demo 0`` skips it).

Peak memory ("RSS +MB"): the growth of the process's resident high-water mark (``VmHWM``) over the
RSS before the step, reset before each step as in ``benchmarks/churn.py`` (where
``/proc/self/clear_refs`` cannot be written, ``tracemalloc``'s peak instead). It reads about 0 when a
step fits in memory the process freed earlier, so the at-scale steps are also run a second time,
untimed, under ``tracemalloc`` ("traced MB": peak of Python/numpy allocations). Total run time about
15 s on a 2-core machine (make_demo(20000) included). Prints figures and a summary table; exits 0.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.measure import HWM, make_timer, status_mb  # noqa: E402
from core.health.score import MEASURES, default_config, measure_frame, score  # noqa: E402 (after the path is set)

ROWS: list[tuple] = []  # (step, rows, seconds, RSS peak growth MB, tracemalloc peak MB) for the summary table


timed = make_timer(ROWS, "rows")


def demo_inputs(n: int, seed: int):
    from core.demo.synthetic import make_demo
    from core.history.inputs import inputs_from_frames

    t0 = time.perf_counter()
    d = make_demo(n, seed=seed)
    inputs = inputs_from_frames(d.customers, d.activity, d.tickets, d.feedback, d.revenue)
    return inputs, len(d.activity), time.perf_counter() - t0


def demo_run(a) -> None:
    from core.health.backtest import backtest_data, evaluate, suggest_weights
    from core.health.monitor import alerts, history, portfolio, snapshots

    inputs, n_act, s = demo_inputs(a.customers, a.seed)
    end = inputs.end()
    print(f"\n1. demo business: make_demo({a.customers}, seed={a.seed}) -> {a.customers:,} customers, "
          f"{n_act:,} activity rows, data end {end:%Y-%m-%d}; built in {s:.1f} s (not timed)", flush=True)
    frame, missing = timed("measure_frame (data end)", lambda: measure_frame(inputs, end), lambda r: len(r[0]))
    cfg = timed("default_config(frame)", lambda: default_config(frame))
    scored = timed("score", lambda: score(cfg, frame), len)
    data = timed("backtest_data (months=12)", lambda: backtest_data(inputs, months=12),
                 lambda d: sum(len(f) for _, f in d.frames))
    res = timed("evaluate (default config)", lambda: evaluate(cfg, data), lambda r: len(r.rows))
    sug = timed("suggest_weights", lambda: suggest_weights(cfg, data))
    snaps = timed("snapshots (months=13)", lambda: snapshots(inputs, months=13),
                  lambda sn: sum(len(f) for _, f in sn))
    hist = timed("history", lambda: history(cfg, snaps), len)
    port = timed("portfolio", lambda: portfolio(hist))
    al = timed("alerts", lambda: alerts(cfg, hist), len)
    total = sum(r[2] for r in ROWS)  # only the demo steps are recorded so far
    print(f"  {'total (all steps above)':<44}{total:8.3f} s")
    bands = res.bands.set_index("band")
    rates = ", ".join(f"{b} {bands.at[b, 'churn_rate']:.1%} ({bands.at[b, 'share']:.0%} of rows)" for b in bands.index)
    print(f"  back-test: {len(data.cutoffs)} month ends {data.cutoffs[0]:%Y-%m} to {data.cutoffs[-1]:%Y-%m}, "
          f"horizon {data.horizon_days} d; measures without data: {', '.join(missing) or 'none'}")
    print(f"  default config: pooled ROC-AUC {res.auc:.3f}; churn rate by band: {rates}; "
          f"red/green ratio {res.red_green_ratio:.2f}")
    print(f"  suggested weights (fitted on {len(sug.train_cutoffs)} months, compared on the last "
          f"{len(sug.eval_cutoffs)}): AUC {sug.auc_suggested:.3f} vs current {sug.auc_current:.3f} "
          f"({sug.auc_suggested - sug.auc_current:+.3f})")
    pb = port["bands"].set_index("band")
    print(f"  monitor: {len(snaps)} snapshots, {len(hist):,} scored rows; today {len(scored):,} customers "
          f"(red {pb.at['red', 'customers']:.0f}, amber {pb.at['amber', 'customers']:.0f}, "
          f"green {pb.at['green', 'customers']:.0f}); {len(al):,} alerts for {al['customer_id'].nunique():,} "
          f"customers", flush=True)


def synthetic_frame(n: int, seed: int) -> pd.DataFrame:
    """A measure frame as :func:`core.health.score.measure_frame` returns it, with plausible value ranges."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("C", np.char.zfill(np.arange(n).astype(str), 7)).astype(object)
    tenure = rng.integers(0, 3 * 365, n).astype(float)
    f = pd.DataFrame({"customer_id": ids,
                      "segment": rng.choice(np.array(["SMB", "Mid-Market", "Enterprise"], dtype=object), n,
                                            p=[0.6, 0.3, 0.1]),
                      "tenure_days": tenure,
                      "days_to_renewal": 365.0 - tenure % 365,
                      "mrr": np.round(rng.lognormal(7.5, 1.0, n), 2)})
    values = {
        "usage_level_30d": np.clip(rng.normal(2.3, 0.9, n), 0, None),
        "active_days_30d": rng.binomial(30, rng.beta(6, 1, n)).astype(float),
        "usage_trend_90d": rng.normal(0.0, 0.4, n),
        "tickets_90d": rng.poisson(1.2, n).astype(float),
        "tickets_unresolved": rng.poisson(0.16, n).astype(float),
        "hours_to_resolve": rng.lognormal(3.4, 0.9, n),
        "nps_latest": rng.choice(11, n, p=np.r_[np.full(7, 0.04), 0.14, 0.2, 0.2, 0.18]).astype(float),
        "csat_latest": rng.choice(np.arange(1.0, 6.0), n, p=[0.05, 0.1, 0.2, 0.35, 0.3]),
        "ces_latest": rng.integers(1, 8, n).astype(float),
        "mrr_change_3m": np.where(rng.random(n) < 0.8, 0.0, rng.normal(0.0, 0.15, n)),
        "failed_payments_90d": rng.poisson(0.05, n).astype(float),
    }
    # missing: survey answers 10-30 %, the trend / resolve time / MRR change (no history) 15-25 %
    share = {"nps_latest": 0.3, "csat_latest": 0.2, "ces_latest": 0.1, "usage_trend_90d": 0.2,
             "hours_to_resolve": 0.25, "mrr_change_3m": 0.15}
    for col, p in share.items():
        values[col][rng.random(n) < p] = np.nan
    for m in MEASURES.values():
        if m.column not in f:
            f[m.column] = values[m.column]
    return f


def scale_run(a) -> None:
    print("\n2. at scale", flush=True)
    for n in a.sizes:
        t0 = time.perf_counter()
        frame = synthetic_frame(n, a.seed)
        nan = ", ".join(f"{c.split('_')[0]} {frame[c].isna().mean():.0%}"
                        for c in ("nps_latest", "csat_latest", "ces_latest"))
        print(f"  synthetic measure frame {n:,} x {frame.shape[1]} built in {time.perf_counter() - t0:.1f} s "
              f"(not timed; missing {nan})", flush=True)
        cfg = timed(f"default_config ({n:,})", lambda f=frame: default_config(f), n, trace=True)
        out = timed(f"score ({n:,})", lambda f=frame, c=cfg: score(c, f), len, trace=True)
        print(f"    -> {out.shape[1]} columns; bands {out['band'].value_counts(normalize=True).round(3).to_dict()}")
        del frame, out
        gc.collect()
    if a.large_demo > 0:
        # make_demo(20000) takes ~4 s for ~21 M activity rows: cheap enough to keep in the default run
        inputs, n_act, s = demo_inputs(a.large_demo, a.seed + 1)
        end = inputs.end()
        print(f"  larger demo: make_demo({a.large_demo}, seed={a.seed + 1}) -> {n_act:,} activity rows, built in "
              f"{s:.1f} s (not timed)", flush=True)
        frame, _ = timed(f"measure_frame (demo {a.large_demo:,})", lambda: measure_frame(inputs, end),
                         lambda r: len(r[0]), trace=True)
        cfg = default_config(frame)
        timed(f"score (demo {a.large_demo:,})", lambda: score(cfg, frame), len, trace=True)
    else:
        print("  larger demo skipped (--large-demo 0)")


def sizes(text: str) -> list[int]:
    out = [int(float(s)) for s in text.replace("_", "").split(",") if s.strip()]
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError("give positive sizes separated by commas, e.g. 100000,1000000")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=5000, help="demo business customers (default 5,000)")
    ap.add_argument("--sizes", type=sizes, default=[100_000, 1_000_000],
                    help="synthetic measure-frame sizes to score, comma-separated (default 100000,1000000)")
    ap.add_argument("--large-demo", type=int, default=20_000,
                    help="customers of the larger demo for measure_frame (default 20,000; 0 skips it)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-demo", action="store_true", help="only the at-scale measurements")
    ap.add_argument("--skip-scale", action="store_true", help="only the demo-business measurements")
    a = ap.parse_args()
    if a.large_demo and a.large_demo < 50:
        ap.error("--large-demo must be 0 (skip) or at least 50 (make_demo's minimum)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at start (other work running skews the figures); "
          f"peak memory from {'VmHWM (reset per step)' if HWM else 'tracemalloc'}")
    t0 = time.perf_counter()
    if not a.skip_demo:
        demo_run(a)
    if not a.skip_scale:
        scale_run(a)
    print(f"\nsummary ({time.perf_counter() - t0:.0f} s in all)")
    print(f"  {'step':<44}{'rows':>11}{'seconds':>10}{'RSS +MB':>10}{'traced MB':>11}")
    for label, n, s, mb, traced in ROWS:
        print(f"  {label:<44}{(f'{n:,}' if n else ''):>11}{s:10.3f}{mb:10.1f}"
              f"{(f'{traced:.1f}' if traced == traced else ''):>11}".rstrip())
    with contextlib.suppress(OSError, StopIteration):
        if not HWM:  # VmHWM was never reset: it is the whole run's high-water mark
            print(f"  process peak RSS {status_mb('VmHWM'):.0f} MB")


if __name__ == "__main__":
    main()
