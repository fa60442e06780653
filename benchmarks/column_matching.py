"""How column matching (core/ingest/mapping.py) grows with the number of columns: wide files of look-alike
headers (camelCase, run-together and date-like names), matched for every kind.

    .venv/bin/python benchmarks/column_matching.py [--columns 1000 2000 4000 10000]

Prints, per width, the seconds to match the names alone and with the type checks (at most
``MAX_TYPE_CHECKS`` per field), and the microseconds per column: flat when matching is linear.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.ingest import fields as F  # noqa: E402 (after the path is set)
from core.ingest import mapping as M  # noqa: E402

STYLES = ("metricValue{i}", "INVOICEDATE{i}", "Event {i} Date", "customer_attr_{i}", "SubscriptionMrr{i}")


def wide(n: int, rows: int = 150) -> pd.DataFrame:
    """``n`` columns named in the styles above (plus a customer id), each holding ``rows`` numbers as text."""
    cols = {STYLES[i % len(STYLES)].format(i=i): ["1.5"] * rows for i in range(n)}
    return pd.DataFrame({"CustomerID": ["C1"] * rows, **cols}, dtype="str")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns", type=int, nargs="+", default=[1000, 2000, 4000, 10000])
    a = ap.parse_args(argv)
    for kind in F.KINDS:  # warm up: the synonym index and the type checkers' first calls
        M.match_columns(wide(50), kind)
    print(f"{'columns':>8} {'names s':>8} {'matched s':>10} {'us/column':>10}")
    for n in a.columns:
        frame = wide(n)
        t0 = time.perf_counter()
        for kind in F.KINDS:
            for col in frame.columns:
                M._candidates(kind, col)
        names = time.perf_counter() - t0
        t0 = time.perf_counter()
        for kind in F.KINDS:
            M.match_columns(frame, kind)
        full = time.perf_counter() - t0
        print(f"{n:>8,} {names:>8.2f} {full:>10.2f} {1e6 * full / (n * len(F.KINDS)):>10.1f}")


if __name__ == "__main__":
    main()
