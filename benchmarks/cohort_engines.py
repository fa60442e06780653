"""The monthly cohort table on each engine, side by side with a hand-written DuckDB query of the same table.

    .venv/bin/python benchmarks/cohort_engines.py [--customers N] [--rows N] [--runs N] [--store URL]
                                                  [--pg] [--spark] [--ways rows,ibis,sql] [--keep DIR]

Builds a store in a temporary folder (benchmarks/cohorts.py's generator: the loader the demo uses, column files
written at load time), then times the monthly logo table (cohorts by first activity, "active in month k") for
every customer, each way in a fresh process (cold: open the store, read customers, check the column files, count;
Python imports not counted) and then again in the same process (warm):

* ``rows``: the pandas/numpy path (``core.cohorts.table.cohort_table`` over the column files' pairs);
* ``ibis``: the query layer (``core.cohorts.from_counts.engine_cohort_table`` on embedded DuckDB);
* ``sql``: one hand-written DuckDB query over the same files and the same customers, counts only, with the memory
  cap the embedded engine has (``RETENTION_DUCKDB_MEMORY``, 2GB unless set);
* with ``--pg``: the same expression inside PostgreSQL (a server started in a temporary folder, the same data
  loaded with COPY; the customers are the database's own table);
* with ``--spark``: the same expression on Spark in local mode (two workers) over the column files; the session's
  start is timed apart and not counted.

The ways run interleaved, ``--runs`` times each (medians printed), so a noisy machine slows them alike; the ratio
to the hand-written query is the figure that matters (issue 23 target: at most 1.2x). Peak memory is each
process's resident high-water mark. The counts of every way are compared cell by cell. Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cohorts import build  # noqa: E402  (after the path is set)

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import duckdb, ibis, numpy as np, pandas as pd
import core
from core.cohorts.from_counts import engine_cohort_table
from core.cohorts.table import cohort_table
from core.query import sources
from core.store import columnar
from core.store.read import load_columns

SQL = '''
WITH a AS (SELECT DISTINCT customer_id, (year(DATE '1970-01-01' + day) - 1970) * 12 + month(DATE '1970-01-01' + day) - 1
                  AS p FROM read_parquet($files) WHERE customer_id IN (SELECT customer_id FROM customers)),
     c AS (SELECT customer_id, min(p) AS cohort FROM a GROUP BY customer_id)
SELECT cohort, p - cohort AS k, count(*) AS customers FROM a JOIN c USING (customer_id) GROUP BY ALL'''
OPTS = dict(cohort_by="first_activity", retained_by="activity", period="month", definition="on")


def once(way, eng):
    if way == "pg":
        with sources.inside(eng) as src:
            return engine_cohort_table(src, None, **OPTS).counts
    customers = load_columns(eng, "customer", ["customer_id", "signup_date", "churn_date"])
    if way == "spark":
        from core.query.spark import spark_source
        return engine_cohort_table(spark_source(SPARK, eng), customers, **OPTS).counts
    if way == "rows":
        return cohort_table(customers, columnar.activity_pairs(eng), **OPTS).counts
    if way == "ibis":
        with sources.embedded(eng) as src:
            return engine_cohort_table(src, customers, **OPTS).counts
    files = [str(p) for p in columnar.checked_files(eng)]
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # its bar would print on stdout
    con.execute(f"SET memory_limit = '{{sources.memory_limit()}}'")  # the cap the embedded engine has
    con.register("customers", customers[["customer_id"]])
    cells = con.execute(SQL, {{"files": files}}).df()
    con.close()
    return cells.pivot(index="cohort", columns="k", values="customers")


def peak_mb():
    status = open("/proc/self/status").read().splitlines()
    return next(int(x.split()[1]) for x in status if x.startswith("VmHWM:")) / 1024


eng = core.make_engine({url!r})
spark_start = 0.0
if {way!r} == "spark":
    t0 = time.perf_counter()
    from pyspark.sql import SparkSession
    SPARK = (SparkSession.builder.master("local[2]").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.driver.host", "127.0.0.1").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").config("spark.driver.memory", "4g").getOrCreate())
    SPARK.sparkContext.setLogLevel("ERROR")
    spark_start = time.perf_counter() - t0
t0 = time.perf_counter()
cells = once({way!r}, eng)
cold = time.perf_counter() - t0
t0 = time.perf_counter()
once({way!r}, eng)
warm = time.perf_counter() - t0
got = cells.fillna(0).to_numpy().astype(np.int64)
np.save({out!r}, got[:, : min(got.shape[1], 24)])
print(json.dumps({{"cold": cold, "warm": warm, "peak_mb": peak_mb(), "cells": int((got > 0).sum()),
                  "start": spark_start}}))
"""

WAYS = ("rows", "ibis", "sql")


def run(way: str, url: str, out: Path, pg_url: str | None = None) -> dict:
    code = CHILD.format(root=str(ROOT), url=pg_url if way == "pg" else url, way=way, out=str(out))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(next(line for line in reversed(proc.stdout.splitlines()) if line.startswith("{")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--store", help="a store this generator built before (its sizes are then not re-checked)")
    ap.add_argument("--pg", action="store_true", help="also inside PostgreSQL (started here, data loaded by COPY)")
    ap.add_argument("--spark", action="store_true", help="also on Spark in local mode")
    ap.add_argument("--ways", default=",".join(WAYS),
                    help="the local ways to time, comma-separated (default rows,ibis,sql; the pandas path needs "
                         "about 15 GB at 100,000,000 rows: leave rows out on a smaller machine); sql is the baseline")
    ap.add_argument("--keep", type=Path, help="build the store in this folder and keep it (reuse it with --store)")
    a = ap.parse_args()
    local = tuple(w for w in WAYS if w in a.ways.split(","))
    if "sql" not in local:
        sys.exit("--ways must include sql, the hand-written baseline the ratios are taken against")
    ways = local + (("pg",) if a.pg else ()) + (("spark",) if a.spark else ())
    server = pg_url = None
    tmp = Path(tempfile.mkdtemp())
    home = a.keep or tmp
    home.mkdir(parents=True, exist_ok=True)
    url = a.store or f"sqlite:///{home / 'bench.db'}"
    try:
        if not a.store:
            print(f"building {a.customers:,} customers and {a.rows:,} activity rows ...", flush=True)
            print(f"loaded in {build(url, a.customers, a.rows):.1f} s (bulk insert + column files)", flush=True)
        if a.pg:
            from tests.pg import PgServer, pg_bin_dir

            os.environ["RETENTION_COLUMNS_DIR"] = str(tmp / "pg_columns")  # the PostgreSQL store's cache, removed
            server = PgServer(pg_bin_dir()).start()
            pg_url = server.new_database()
            print(f"loaded into PostgreSQL in {build(pg_url, a.customers, a.rows):.1f} s (COPY)", flush=True)
        results = {w: [] for w in ways}
        for i in range(a.runs):
            for w in ways:
                r = run(w, url, tmp / f"{w}.npy", pg_url)
                results[w].append(r)
                start = f"  (Spark started in {r['start']:.1f} s, not counted)" if w == "spark" else ""
                print(f"  run {i + 1} {w:5s} cold {r['cold']:6.2f} s  warm {r['warm']:6.2f} s{start}", flush=True)
        tables = {w: np.load(tmp / f"{w}.npy") for w in ways}
        # the hand-written query counts every month; the tables blank months not complete by the as-of day
        ref = tables[next(w for w in ways if w != "sql")] if len(ways) > 1 else tables["sql"]
        sql = tables["sql"][: ref.shape[0], : ref.shape[1]]
        same = all(np.array_equal(ref, tables[w]) for w in ways if w != "sql") and \
            np.array_equal(np.where(ref > 0, sql, 0), ref)
        print(f"\n{a.rows:,} activity rows, {a.customers:,} customers; cells identical across the {len(ways)} ways: "
              f"{same}")
        base = {k: statistics.median(r[k] for r in results["sql"]) for k in ("cold", "warm")}
        print(f"{'way':6s} {'cold s':>8s} {'x sql':>6s} {'warm s':>8s} {'x sql':>6s} {'peak MB':>8s}")
        for w in ways:
            med = {k: statistics.median(r[k] for r in results[w]) for k in ("cold", "warm", "peak_mb")}
            print(f"{w:6s} {med['cold']:8.2f} {med['cold'] / base['cold']:6.2f} {med['warm']:8.2f} "
                  f"{med['warm'] / base['warm']:6.2f} {med['peak_mb']:8.0f}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
