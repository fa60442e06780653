"""Churn model speed: 100,000 synthetic customers x 30 features, then the demo store end to end.

    .venv/bin/python benchmarks/churn.py [--customers N] [--features N] [--explain-rows N] [--skip-demo | --demo]

1. A seeded synthetic table (``default_rng(seed)``): 4/5 numeric columns (every fifth with missing values),
   1/5 categorical object columns (3 to 12 levels), a label from a known logistic model of five
   features (churn ~19 %), a seeded stratified 25 % held out. Timed on the 75 % training rows: the
   logistic fit, the boosted fit (:class:`core.churn.model.ChurnModel`), calibration of the one with the
   better held-out ROC-AUC (5 folds, groups = row index), and SHAP (``explain``, 500-row background)
   of 5,000 held-out rows, with the per-row rate and its extrapolation to every row.
2. The app's demo store (5,000 customers) in a temporary folder, after 1 unless ``--skip-demo``
   (``--demo``: only this); loading it (~12 s) is not timed. Timed: ``fit_churn(load_inputs(engine))``
   end to end (features, both models, calibration, SHAP, scoring), step by step.

Peak memory: the process's resident high-water mark (``VmHWM``), reset before each step. Target
(2-core machine): the demo fit under 20 s. Other load on the machine inflates the model fits a lot
(spinning OpenMP threads contend for the 2 cores), which is why core caps native threads at
``RETENTION_THREADS`` (default 1); set it to compare. Prints figures; always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEMO_TARGET = 20.0

from core.churn.model import threads  # noqa: E402 (after the path is set)


def reset_peak() -> None:
    """Reset this process's VmHWM to its current RSS (Linux ``clear_refs`` 5) where allowed."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb(key: str = "VmHWM") -> float:
    """Peak RSS in MB since the last reset (``VmRSS``: current); ``ru_maxrss`` without /proc."""
    with contextlib.suppress(OSError, StopIteration):
        status = Path("/proc/self/status").read_text().splitlines()
        return next(int(ln.split()[1]) for ln in status if ln.startswith(f"{key}:")) * 1024 / 1e6
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def synthetic(n: int, n_features: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_cat = max(1, n_features // 5)
    cols = {}
    for i in range(n_features - n_cat):
        x = rng.normal(0, 1, n) if i % 3 else rng.lognormal(0, 1, n)
        if i % 5 == 2:  # every fifth column has 5-30 % missing values
            x[rng.random(n) < 0.05 + 0.25 * rng.random()] = np.nan
        cols[f"num_{i:02d}"] = x
    for j in range(n_cat):
        levels = np.array([f"L{k}" for k in range(3 + (j * 9) // max(1, n_cat - 1))], dtype=object)
        cols[f"cat_{j}"] = levels[rng.integers(0, len(levels), n)]
    X = pd.DataFrame(cols)
    # known logistic model: a linear term, a curved term, a missing-aware term and one category level
    x2 = X["num_02"].fillna(0).to_numpy()
    logit = (-2.2 + 0.9 * X["num_01"] - 0.6 * np.log1p(X["num_00"]) + 0.5 * X["num_04"] ** 2 - 0.3 * x2
             + 0.8 * (X["cat_0"] == "L1") + 0.4 * X["num_02"].isna()).to_numpy()
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def timed(label: str, fn, rows: int):
    reset_peak()
    t0 = time.perf_counter()
    out = fn()
    s = time.perf_counter() - t0
    print(f"  {label:<34}{s:8.2f} s {rows:>10,} rows  peak RSS {peak_mb():6.0f} MB", flush=True)
    return out, s


def synthetic_run(a) -> None:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from core.churn.model import ChurnModel

    X, y = synthetic(a.customers, a.features, a.seed)
    n_cat = sum(X[c].dtype == object for c in X.columns)
    tr, te = train_test_split(np.arange(len(y)), test_size=0.25, random_state=a.seed, stratify=y)
    Xtr, Xte, ytr, yte = X.iloc[tr].reset_index(drop=True), X.iloc[te].reset_index(drop=True), y[tr], y[te]
    print(f"1. synthetic: {len(X):,} rows x {X.shape[1]} features ({X.shape[1] - n_cat} numeric, {n_cat} categorical,"
          f" {int(X.isna().any().sum())} with missing values), churn rate {y.mean():.1%}; "
          f"train {len(tr):,} / held out {len(te):,}", flush=True)
    models, auc, secs = {}, {}, []
    for kind in ("logistic", "boosting"):
        models[kind], t = timed(f"fit {kind}", lambda k=kind: ChurnModel(k, a.seed).fit(Xtr, ytr), len(tr))
        auc[kind] = roc_auc_score(yte, models[kind].predict_proba(Xte))
        secs.append(t)
    best = max(auc, key=auc.get)
    print(f"  held-out ROC-AUC: logistic {auc['logistic']:.3f}, boosting {auc['boosting']:.3f} -> {best}")
    model = models[best]
    secs.append(timed(f"calibrate {best} (5 folds)", lambda: model.calibrate(Xtr, ytr, np.arange(len(ytr))),
                      len(tr))[1])
    pick = np.random.default_rng(a.seed).choice(len(Xte), min(a.explain_rows, len(Xte)), replace=False)
    sample, background = Xte.iloc[np.sort(pick)], Xtr.sample(min(500, len(Xtr)), random_state=a.seed)
    ex, s = timed(f"SHAP {best} (500 background)", lambda: model.explain(sample, background), len(sample))
    total = sum(secs) + s
    gap = float(np.abs(ex.values.sum(axis=1).to_numpy() + ex.base - ex.output).max())
    print(f"  SHAP rate {len(sample) / s:,.0f} rows/s -> all {len(X):,} rows would take ~{len(X) * s / len(sample):.0f}"
          f" s (extrapolated, not run); additivity gap {gap:.1e}; top: {', '.join(ex.importance().index[:5])}"
          + ("; TreeExplainer uses the trees' own cover, not the background" if best == "boosting" else ""))
    print(f"  total (fits + calibration + SHAP of {len(sample):,} rows)  {total:.2f} s", flush=True)


def demo_run(a) -> None:
    import core
    from core.churn.pipeline import fit_churn
    from core.history.inputs import load_inputs

    tmp = Path(tempfile.mkdtemp(prefix="churn-bench-"))
    try:
        engine = core.make_engine(f"sqlite:///{tmp / 'demo.db'}")
        t0 = time.perf_counter()
        core.load_demo(engine, n_customers=5000, seed=0)
        print(f"\n2. demo store: 5,000 customers loaded in {time.perf_counter() - t0:.1f} s (not timed)", flush=True)
        reset_peak()
        start_mb, t0 = peak_mb("VmRSS"), time.perf_counter()
        steps = [(t0, "load_inputs (read the store)")]
        result = fit_churn(load_inputs(engine), progress=lambda f, text: steps.append((time.perf_counter(), text)))
        s = time.perf_counter() - t0
        peak = peak_mb()
        for (t, text), nxt in zip(steps, steps[1:] + [(t0 + s, "")]):
            print(f"  {t - t0:6.2f} s  {text:<58}{nxt[0] - t:6.2f} s")
        auc = ", ".join(f"{k} {m['roc_auc']:.3f}" for k, m in result.metrics.items())
        print(f"  rows: train {len(result.train.y):,}, held out {len(result.test.y):,}, scored today "
              f"{len(result.p_current):,}; held-out ROC-AUC {auc}; kept {result.best}")
        print(f"  fit_churn(load_inputs(engine))  {s:6.2f} s   target < {DEMO_TARGET:g} s   "
              f"{'PASS' if s < DEMO_TARGET else 'FAIL'}   peak RSS {peak:.0f} MB ({start_mb:.0f} at start)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--features", type=int, default=30)
    ap.add_argument("--explain-rows", type=int, default=5_000, help="held-out rows SHAP explains (default 5,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--demo", action="store_true", help="only the demo-store measurement")
    ap.add_argument("--skip-demo", action="store_true", help="only the synthetic measurement")
    a = ap.parse_args()
    if a.features < 10:
        ap.error("--features must be at least 10 (the label uses num_00 to num_04 and cat_0)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at start (other work running skews the figures); "
          f"native threads per fit: {threads()} (RETENTION_THREADS)")
    if not a.demo:
        synthetic_run(a)
    if a.demo or not a.skip_demo:
        demo_run(a)


if __name__ == "__main__":
    main()
