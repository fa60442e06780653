"""Benchmark the import's bounds: a hostile workbook refused, a wide file, and a long file against raw SQLite.

Prints, each measured in a fresh child process (so each has its own peak resident memory, ``VmHWM``):

1. the far-cell XLSX (one cell at XFD1048576, 5 KB) refused by :func:`core.prepare_import`: seconds;
2. a CSV 10,000 columns x 150 rows (4.4 MB) read, validated and loaded: seconds;
3. an activity CSV (1,000,000 rows by default, ``customer_id,date,metric,value``) read, validated and loaded
   into a store that holds its 20,000 customers: seconds and peak memory; and, side by side in the same run,
   a raw ``sqlite3`` load of the same rows (the file read with :mod:`csv`, one ``executemany`` into the same
   table, then the same three indexes built): seconds, peak memory, and the importer's time as a multiple of it.

Targets (issue 19): far cell refused in under 1 s; 10,000 x 150 under 10 s; 1,000,000 rows at no more than
1.5x the raw load with peak memory under 600 MB; 5,000,000 rows (``--rows 5000000``) under 1 GB. The script
measures and prints verdicts; it always exits 0.

Usage::

    .venv/bin/python benchmarks/import_bounds.py                  # about a minute
    .venv/bin/python benchmarks/import_bounds.py --rows 5000000   # the long file only at 5M rows: a few minutes
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED, N_CUSTOMERS = 20240131, 20_000
METRICS = np.array(["login", "report_view", "export", "api_call", "dashboard_edit", "invite_sent"])
TARGETS = {"far_cell_s": 1.0, "wide_s": 10.0, "ratio": 1.5, "peak_1m_mb": 600, "peak_5m_mb": 1_000}


def _ids(idx: np.ndarray) -> np.ndarray:
    return np.char.add("C", np.char.zfill((idx + 1).astype(str), 6))


def write_customers(path: Path) -> None:
    path.write_text("customer_id,signup_date\n" + "\n".join(np.char.add(_ids(np.arange(N_CUSTOMERS)),
                                                                      ",2020-01-01")) + "\n")


def write_activity(path: Path, n: int, seed: int = SEED, block: int = 1_000_000) -> None:
    """``n`` activity rows, written a block at a time (the generator's memory stays flat too)."""
    rng = np.random.default_rng(seed)
    with path.open("w") as f:
        f.write("customer_id,date,metric,value\n")
        for start in range(0, n, block):
            m = min(block, n - start)
            day = np.datetime_as_string(np.datetime64("2021-01-01", "D") + rng.integers(0, 3 * 365, m))
            cols = (_ids(rng.integers(0, N_CUSTOMERS, m)), day, METRICS[rng.integers(0, len(METRICS), m)],
                    rng.integers(1, 50, m).astype(str))
            line = cols[0]
            for c in cols[1:]:
                line = np.char.add(np.char.add(line, ","), c)
            f.write("\n".join(line) + "\n")


def peak_mb() -> float:
    """This process's peak resident memory in MB (``VmHWM``: its own, from its exec)."""
    with open("/proc/self/status") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")) * 1024 / 1e6


# --------------------------------------------------------------------------- children


def child_refuse(file: Path, url: str) -> dict:
    import core
    from core.errors import FileFormatError

    engine, data, prepare = core.make_engine(url), file.read_bytes(), core.prepare_import  # imports done first
    t = time.perf_counter()
    try:
        prepare(engine, data, file.name, "activity")
        message = "(not refused)"
    except FileFormatError as exc:
        message = str(exc)
    return {"seconds": time.perf_counter() - t, "message": message}


def child_import(file: Path, url: str, create: bool = False) -> dict:
    import core

    engine = core.make_engine(url)
    t = time.perf_counter()
    # the file by its path, as ``python -m core import`` gives it (a long CSV is parsed from the disk)
    plan = core.prepare_import(engine, file, file.name, "activity", create_customers=create)
    t1, prepared_mb = time.perf_counter(), peak_mb()
    result = core.commit_import(engine, plan)
    return {"seconds": time.perf_counter() - t, "prepare": t1 - t, "rows": result.rows_loaded,
            "prepare_peak_mb": prepared_mb}


def child_raw(file: Path, db: Path) -> dict:
    """The same rows into the same table with the driver alone, then the same indexes."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    indexes = [sql for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE type='index' AND "
                                             "tbl_name='activity' AND sql IS NOT NULL")]
    t = time.perf_counter()
    with con:
        for sql in indexes:
            con.execute(sql.replace("CREATE INDEX ", "DROP INDEX IF EXISTS ").split(" ON ")[0])
        with file.open(newline="") as f:
            rows = csv.reader(f)
            next(rows)
            con.executemany("INSERT INTO activity (customer_id, date, metric, value, import_id) "
                            "VALUES (?, ?, ?, ?, 1)", ((c, d, m, float(v)) for c, d, m, v in rows))
        for sql in indexes:
            con.execute(sql)
    n = con.execute("SELECT count(*) FROM activity").fetchone()[0]
    return {"seconds": time.perf_counter() - t, "rows": n}


def run_child(mode: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", mode, *args], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_main(mode: str, args: list[str]) -> None:
    sys.path.insert(0, str(ROOT))  # a script's path starts at benchmarks/, not the project
    file = Path(args[0])
    out = {"refuse": lambda: child_refuse(file, args[1]), "raw": lambda: child_raw(file, Path(args[1])),
           "import": lambda: child_import(file, args[1], create=len(args) > 2)}[mode]()
    out["peak_mb"] = peak_mb()
    print(json.dumps(out))


# --------------------------------------------------------------------------- parent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="activity CSV rows (default 1,000,000)")
    p.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        return child_main(a.child[0], a.child[1:])
    sys.path.insert(0, str(ROOT))
    import core
    from tests.core.ingest import hostile_files as H

    tmp = Path(tempfile.mkdtemp(prefix="bounds-bench-"))
    try:
        far, wide = tmp / "far_cell.xlsx", tmp / "wide.csv"
        far.write_bytes(H.far_cell_xlsx())
        wide.write_bytes(H.wide_csv(columns=10_000, rows=150))
        customers, activity = tmp / "customers.csv", tmp / "activity.csv"
        write_customers(customers)
        t = time.perf_counter()
        write_activity(activity, a.rows)
        print(f"Generated {activity.name} ({a.rows:,} rows, {activity.stat().st_size / 1e6:,.0f} MB) in "
              f"{time.perf_counter() - t:.1f} s; the wide CSV {wide.stat().st_size / 1e6:.1f} MB")
        store, raw_db = tmp / "store.db", tmp / "raw.db"
        engine = core.make_engine(f"sqlite:///{store}")
        core.commit_import(engine, core.prepare_import(engine, customers.read_bytes(), customers.name, "customers"))
        engine.dispose()
        core.make_engine(f"sqlite:///{raw_db}").dispose()  # the same schema, empty
        refused = run_child("refuse", str(far), f"sqlite:///{tmp / 'refuse.db'}")
        wide_run = run_child("import", str(wide), f"sqlite:///{tmp / 'wide.db'}", "create")
        long_run = run_child("import", str(activity), f"sqlite:///{store}")
        raw_run = run_child("raw", str(activity), str(raw_db))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(refused, wide_run, long_run, raw_run, a.rows)


def report(refused: dict, wide_run: dict, long_run: dict, raw_run: dict, rows: int) -> None:
    ratio = long_run["seconds"] / raw_run["seconds"]
    peak_target = TARGETS["peak_1m_mb"] if rows <= 1_000_000 else TARGETS["peak_5m_mb"]
    print(f"\nFar-cell XLSX refused in {refused['seconds']:.3f} s (peak {refused['peak_mb']:.0f} MB):\n  "
          f"{refused['message']}")
    print(f"10,000 columns x 150 rows: {wide_run['seconds']:.2f} s end to end (prepare {wide_run['prepare']:.2f} s), "
          f"peak {wide_run['peak_mb']:.0f} MB")
    print(f"\n{'activity CSV, ' + format(rows, ',') + ' rows':<34}{'seconds':>9}{'rows/s':>11}{'peak MB':>9}")
    print(f"{'importer (prepare + commit)':<34}{long_run['seconds']:>9.2f}{rows / long_run['seconds']:>11,.0f}"
          f"{long_run['peak_mb']:>9.0f}   (prepare {long_run['prepare']:.2f} s, peak "
          f"{long_run['prepare_peak_mb']:,.0f} MB after it)")
    print(f"{'raw sqlite3 executemany + indexes':<34}{raw_run['seconds']:>9.2f}{rows / raw_run['seconds']:>11,.0f}"
          f"{raw_run['peak_mb']:>9.0f}")
    print(f"importer / raw: {ratio:.2f}x")
    checks = [(f"far cell refused in {refused['seconds']:.3f} s < {TARGETS['far_cell_s']:g} s",
               refused["seconds"] < TARGETS["far_cell_s"] and "XFD1048576" in refused["message"]),
              (f"10,000 x 150 in {wide_run['seconds']:.2f} s < {TARGETS['wide_s']:g} s",
               wide_run["seconds"] < TARGETS["wide_s"]),
              (f"{rows:,} rows at {ratio:.2f}x raw <= {TARGETS['ratio']:g}x", ratio <= TARGETS["ratio"]),
              (f"{rows:,} rows peak {long_run['peak_mb']:.0f} MB < {peak_target:,} MB",
               long_run["peak_mb"] < peak_target)]
    print("\nVerdicts:")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")


if __name__ == "__main__":
    main()
