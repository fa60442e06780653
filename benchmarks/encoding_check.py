"""The mixed-encodings check (core/ingest/plausibility.py) inside ``prepare_import`` of a large activity CSV.

    .venv/bin/python benchmarks/encoding_check.py [--rows 1000000]

Generates the activity CSV of ``benchmarks/ingest.py`` (same seed; ``customer_id,date,metric,value``, ASCII),
loads its customers into a temporary store, then prints the seconds of ``prepare_import`` and of the check alone,
twice. Before issue 19 the check converted every text column through a Python list (3.2-3.4 s of 5.0-5.5 s at
1M rows); it now tests pyarrow text in place and stops when every column is ASCII (0.03 s).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ingest as bench  # noqa: E402 (benchmarks/ingest.py: the generated files)

import core  # noqa: E402 (after the path is set)
from core.ingest import plausibility  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bench.write_customers(folder / "customers.csv", np.random.default_rng(bench.SEED))
        bench.write_activity(folder / "activity.csv", np.random.default_rng(bench.SEED), args.rows)
        engine = core.make_engine(f"sqlite:///{folder / 'store.db'}")
        core.commit_import(engine, core.prepare_import(engine, (folder / "customers.csv").read_bytes(),
                                                       "customers.csv", "customers"))
        data = (folder / "activity.csv").read_bytes()
        check, spent = plausibility.mixed_encodings, []

        def timed(ctx):
            t = time.perf_counter()
            out = check(ctx)
            spent.append(time.perf_counter() - t)
            return out

        plausibility.mixed_encodings = timed
        for _ in range(2):
            spent.clear()
            t = time.perf_counter()
            plan = core.prepare_import(engine, data, "activity.csv", "activity")
            print(f"prepare_import of {plan.rows_read:,} activity rows: {time.perf_counter() - t:.2f} s, "
                  f"of which the mixed-encodings check {sum(spent):.2f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
