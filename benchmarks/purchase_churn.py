"""The purchase-log churn fit on CDNOW, end to end: import, lapse rule, churn model, lifetime value.

    .venv/bin/python benchmarks/purchase_churn.py [--lapse-days N] [--horizon DAYS]

Steps, each timed, on a new store in a temporary folder:

* **import**: ``../shared/data/cdnow/CDNOW_master.txt`` (69,659 purchases, 23,570 customers) with the project
  importer, as ``python -m core import CDNOW_master.txt`` does (a purchase log);
* **lapse**: the proposed N from the gaps between purchase days (:func:`core.buyers.lapse.store_proposal`);
* **inputs**: ``load_inputs(engine)``, which gives every buyer the lapse churn date (last purchase + N days, when
  that day has come);
* **churn fit**: ``fit_churn`` with the CLI's defaults (churn within N days, up to six monthly training cutoffs as
  the data allow, the latest cutoff whose horizon has passed held out, both models with 200 bootstrap resamples,
  calibration, SHAP, scoring): what ``python -m core churn`` and the Churn drivers page run;
* **lifetime value**: BG/NBD + Gamma-Gamma on every buyer (:func:`core.buyers.clv.buyer_values`).

Printed: the times, N and why, the rows and churners, each model's held-out ROC-AUC (the kept one marked) and the
lifetime value figures. Prints figures; always exits 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CDNOW = ROOT.parent / "shared" / "data" / "cdnow" / "CDNOW_master.txt"

import core  # noqa: E402 (after the path is set)
from core.buyers import clv, lapse  # noqa: E402
from core.churn.horizon import default_horizon, inflation_sentence  # noqa: E402
from core.churn.pipeline import fit_churn  # noqa: E402
from core.export import units  # noqa: E402
from core.history.inputs import load_inputs  # noqa: E402


def _timed(label: str, times: dict, step):
    t0 = time.perf_counter()
    out = step()
    times[label] = time.perf_counter() - t0
    print(f"{label:<16} {times[label]:7.2f} s")
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lapse-days", type=int, help="N (default: the proposal)")
    p.add_argument("--horizon", type=int, help="churn within DAYS (default: as the page and CLI, N)")
    a = p.parse_args(argv)
    import shap  # noqa: F401  (about 1 s, once per process: imported before timing, as the page and CLI pay it once)

    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = core.make_engine(f"sqlite:///{Path(folder) / 'store.db'}")
        _timed("import", times, lambda: core.commit_import(
            engine, core.prepare_import(engine, CDNOW, CDNOW.name, "transactions")))
        proposal = _timed("lapse", times, lambda: lapse.store_proposal(engine))
        inputs = _timed("inputs", times, lambda: load_inputs(engine, lapse_days=a.lapse_days))
        horizon = a.horizon or default_horizon(inputs.lapse.days, inputs.customers["signup_date"].min(), inputs.end())
        r = _timed("churn fit", times, lambda: fit_churn(inputs, horizon_days=horizon))
        fit, table = _timed("lifetime value", times, lambda: clv.buyer_values(clv.read_transactions(engine)))
        engine.dispose()
    print(f"{'end to end':<16} {sum(times.values()):7.2f} s")
    print(f"N = {inputs.lapse.days} days ({'proposed' if inputs.lapse.proposed else 'given'}): {proposal.reason}")
    print(f"rows: {units.count(len(r.train.y))} training ({units.count(r.train.y.sum())} churned), "
          f"{units.count(len(r.test.y))} held out ({units.count(r.test.y.sum())} churned); {r.validation}")
    if could := r.extra.get("could_lapse"):
        print(inflation_sentence(could, r.best, r.metrics[r.best]["roc_auc"]))
    for kind, m in r.metrics.items():
        print(f"  {kind:<9} held-out ROC-AUC {units.score(m['roc_auc'])} {units.interval(*m['roc_auc_ci'], 'score')}"
              f"{'  <- kept' if kind == r.best else ''}")
    print(f"customers scored today: {units.count(len(r.p_current))}; top drivers: "
          + ", ".join(r.drivers["feature"].head(3)))
    print(f"lifetime value, 12 months at 1 % a month: {units.money(table['clv'].sum())} over "
          f"{units.count(len(table))} buyers; BG/NBD and Gamma-Gamma "
          + ", ".join(f"{k} {units.score(v)}" for k, v in fit.params.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
