"""Churn fit on a 10,000 x 14 bank-like snapshot against one plain HistGradientBoosting fit, in the same run.

    .venv/bin/python benchmarks/churn_snapshot.py [--customers N] [--repeats N] [--seed N]

The snapshot is the acceptance test's (``tests/core/churn/bank.py``: RowNumber, CustomerId, Surname with about
3,400 names, ten clean columns, churn from Age, NumOfProducts, IsActiveMember, Balance and Geography), written as a
CSV in a temporary folder and imported as customers with ``as_of`` (as ``python -m core import bank.csv --kind
customers --as-of 2024-01-31`` does; the import is timed but not compared). Then, ``--repeats`` times side by side:

* **churn fit**: ``fit_churn(load_inputs(engine))`` with the CLI's defaults (the feature screen, both models, their
  held-out metrics with 200 bootstrap resamples, 5-fold calibration, SHAP of the held-out rows and of today's
  customers, scoring): what ``python -m core churn`` and the Churn drivers page run;
* **plain fit**: one ``HistGradientBoostingClassifier(random_state=0).fit`` on the same 10,000 rows' clean columns
  (Geography and Gender one-hot), under the same native-thread cap as the churn fit (``RETENTION_THREADS``,
  default 1); a fit with scikit-learn's own thread default is printed beside it for reference.

Printed: the medians, their ratio (target: the churn fit within 10x the plain fit), the columns the screen left
out, and the held-out ROC-AUC of the churn model against a plain HistGradientBoosting trained on the churn
model's training rows and scored on its held-out rows (acceptance: at least the plain one minus 0.01). shap is
imported before timing (about 1 s, once per process; the page and the CLI pay it once). Before the screen, the
same command took 135 s on this machine (Surname one-hot encoded into thousands of columns, six fits over) and
9 minutes on the public file in the issue. Prints figures; always exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET = 10.0

import core  # noqa: E402 (after the path is set)
from core.churn.model import threads  # noqa: E402
from core.churn.pipeline import fit_churn  # noqa: E402
from core.history.inputs import load_inputs  # noqa: E402
from tests.core.churn.bank import CLEAN, bank_snapshot  # noqa: E402 (the acceptance test's snapshot)


def _clean(frame: pd.DataFrame, columns=None) -> pd.DataFrame:
    X = pd.get_dummies(frame[CLEAN], columns=["Geography", "Gender"], dtype=float)
    return X if columns is None else X.reindex(columns=columns, fill_value=0.0)


def _plain_fit(X: pd.DataFrame, y: np.ndarray, capped: bool) -> float:
    t0 = time.perf_counter()
    if capped:
        with threadpool_limits(limits=threads()):
            HistGradientBoostingClassifier(random_state=0).fit(X, y)
    else:
        HistGradientBoostingClassifier(random_state=0).fit(X, y)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3, help="side-by-side measurements; medians are compared")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at start (other work running skews the figures); "
          f"native threads per fit: {threads()} (RETENTION_THREADS)")
    raw = bank_snapshot(a.customers, seed=a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="churn-snapshot-"))
    try:
        path = tmp / "bank_churn.csv"
        raw.to_csv(path, index=False)
        engine = core.make_engine(f"sqlite:///{tmp / 'store.db'}")
        t0 = time.perf_counter()
        core.commit_import(engine, core.prepare_import(engine, path, path.name, "customers", as_of="2024-01-31"))
        print(f"snapshot: {len(raw):,} customers x {raw.shape[1]} columns, {raw['Surname'].nunique():,} surnames, "
              f"churn {raw['Exited'].mean():.1%}; imported in {time.perf_counter() - t0:.2f} s")
        t0 = time.perf_counter()
        import shap  # noqa: F401 (imported once per process by the page and the CLI; not part of a fit)
        print(f"import shap: {time.perf_counter() - t0:.2f} s (not timed below)")

        X, y = _clean(raw), raw["Exited"].to_numpy()
        churn_s, plain_s, default_s = [], [], []
        for i in range(a.repeats):
            plain_s.append(_plain_fit(X, y, capped=True))
            t0 = time.perf_counter()
            result = fit_churn(load_inputs(engine))
            churn_s.append(time.perf_counter() - t0)
            default_s.append(_plain_fit(X, y, capped=False))
            print(f"  run {i + 1}: churn fit {churn_s[-1]:6.2f} s   plain fit {plain_s[-1]:6.3f} s   ratio "
                  f"{churn_s[-1] / plain_s[-1]:5.1f}x   plain fit, scikit-learn's thread default "
                  f"{default_s[-1]:6.3f} s",
                  flush=True)
        c, p, d = (statistics.median(v) for v in (churn_s, plain_s, default_s))
        ratio = c / p
        print(f"median: churn fit {c:.2f} s, plain HistGradientBoosting fit {p:.3f} s ({threads()} thread(s); "
              f"{d:.3f} s with scikit-learn's thread default)")
        print(f"ratio churn / plain: {ratio:.1f}x   target <= {TARGET:g}x   {'PASS' if ratio <= TARGET else 'FAIL'}")

        r = result
        print("left out of the features:")
        for line in r.screen.lines():
            print(f"  {line}")
        print(f"features ({len(r.model.features_)}): {', '.join(r.model.features_)}")
        rows = raw.set_index(raw["CustomerId"].astype(str))
        train, test = rows.loc[r.train.customer_id], rows.loc[r.test.customer_id]
        plain = HistGradientBoostingClassifier(random_state=0).fit(_clean(train), train["Exited"])
        plain_auc = roc_auc_score(test["Exited"], plain.predict_proba(_clean(test, _clean(train).columns))[:, 1])
        auc = r.metrics[r.best]["roc_auc"]
        others = ", ".join(f"{k} {m['roc_auc']:.3f}" for k, m in r.metrics.items())
        print(f"held-out ROC-AUC (the same {len(test):,} held-out rows, split seed 0): churn model ({r.best}) "
              f"{auc:.3f} "
              f"[{others}]; plain HistGradientBoosting on the clean columns {plain_auc:.3f}; "
              f"{'PASS' if auc >= plain_auc - 0.01 else 'FAIL'} (at least the plain one minus 0.01)")
        print(f"top drivers: {', '.join(r.drivers['feature'].head(5))}")
        engine.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
