"""The revenue outlook back-tested on the demo: interval coverage and error against a naive forecast.

    .venv/bin/python benchmarks/forecast.py [--customers N] [--seed N] [--origins N] [--months N]

The demo business (``make_demo(1000, seed=0)`` through ``inputs_from_frames``, as the store's demo holds it) is cut
at each of the last ``--origins`` month ends before its as-of month (default 12); at each, the churn model is fitted
on what was known then and the outlook forecasts the next ``--months`` months (default 12)
(:func:`core.forecast.backtest.backtest`). Every forecast month that has happened is compared with the demo's MRR.

Printed: the share of back-tested months whose MRR fell inside the 80 % and the 95 % interval (issue 26's targets:
at least 70 % and 90 %), the mean absolute percentage error of the outlook and of a naive forecast (the origin
month's MRR held flat), the same by months ahead, and the seconds taken. Exits 0 (it measures; it does not judge).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.demo.synthetic import make_demo  # noqa: E402 (after the path is set)
from core.forecast.backtest import backtest  # noqa: E402
from core.history.inputs import inputs_from_frames  # noqa: E402

TARGETS = {80: 70.0, 95: 90.0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--origins", type=int, default=12)
    ap.add_argument("--months", type=int, default=12)
    a = ap.parse_args(argv)
    d = make_demo(a.customers, seed=a.seed)
    inputs = inputs_from_frames(d.customers, d.activity, d.tickets, d.feedback, d.revenue)
    t0 = time.perf_counter()
    b = backtest(inputs, origins=a.origins, months=a.months,
                 progress=lambda f, text: print(f"  {text}", flush=True))
    seconds = time.perf_counter() - t0
    print(f"\nDemo: {a.customers:,} customers, seed {a.seed}; {b.rows['origin'].nunique()} origins, "
          f"{len(b.rows)} back-tested months; {seconds:.1f} s")
    for level, cover in ((80, b.coverage_80), (95, b.coverage_95)):
        verdict = "meets" if 100 * cover >= TARGETS[level] else "misses"
        print(f"  {level} % interval covered the realised MRR in {100 * cover:.1f} % of months "
              f"(target at least {TARGETS[level]:.0f} %: {verdict} it)")
    print(f"  Mean absolute percentage error: outlook {b.mape:.2f} %, naive last value {b.naive_mape:.2f} %")
    by = b.rows.groupby("month_ahead").agg(months=("actual", "size"), in_80=("in_80", "mean"),
                                            in_95=("in_95", "mean"), error_pct=("error_pct", "mean"),
                                            naive_error_pct=("naive_error_pct", "mean"))
    by[["in_80", "in_95"]] *= 100
    with pd.option_context("display.width", 120):
        print("\nBy months ahead (coverage in %, errors in %):")
        print(by.round(1).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
