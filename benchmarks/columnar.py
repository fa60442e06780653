"""What checking the activity column files against SQLite costs on every read, and what the store check costs.

    .venv/bin/python benchmarks/columnar.py [--customers N] [--rows N] [--repeat N]

Builds a store of 10,000,000 activity rows for 1,000,000 customers (as benchmarks/cohorts.py does), then, in a
fresh process, reads the activity column store both ways, alternately, ``--repeat`` times each:

* before (the read of issue 18): the list of imports (``SELECT DISTINCT import_id``) and the file as it is;
* after (core.store.columnar.activity_pairs): activity rows per import and their import-log rows in one
  ``GROUP BY`` query, each file's footer record compared with it, every page's CRC checked while decoding,
  and the sums of days and values compared with the record;

and prints the fastest of each, the parts of the check, the rebuild of a lost file from SQLite, and
``PRAGMA quick_check`` (core.store.integrity, run once per store when the app opens it). Always exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
import pyarrow.parquet as pq
import core
from core.store import columnar, integrity

eng = core.make_engine({url!r})
d = columnar.folder(eng)


def before():
    with eng.connect() as conn:
        ids = sorted(conn.exec_driver_sql("SELECT DISTINCT import_id FROM activity").scalars().all())
    parts = [columnar._split(pq.read_table(d / columnar.file_name(i), columns=["customer_id", "day"],
                                           read_dictionary=["customer_id"]), False) for i in ids]
    return sum(len(p[1]) for p in parts)


def after():
    return len(columnar.activity_pairs(eng))


def clock(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


times = {{"before": [], "after": [], "query": [], "footer": [], "sums": []}}
after()  # files of an older layout are rebuilt once, not timed
for _ in range({repeat}):
    for name, fn in (("before", before), ("after", after)):
        t, n = clock(fn)
        times[name].append(t)
    t, want = clock(lambda: columnar.expected(eng))
    times["query"].append(t)
    t, _ = clock(lambda: [columnar.record(d / columnar.file_name(i)) for i in want])
    times["footer"].append(t)
    part = columnar._read(d / columnar.file_name(1), values=True)
    t, _ = clock(lambda: (columnar._day_sum(part[2]), columnar._value_sum(part[3])))
    times["sums"].append(t)
(d / columnar.file_name(1)).unlink()
rebuild, _ = clock(after)
check, problems = clock(lambda: integrity.quick_check(eng))
print(json.dumps({{"best": {{k: min(v) for k, v in times.items()}}, "rows": n, "rebuild": rebuild,
                   "quick_check": check, "problems": len(problems)}}))
"""


def main() -> None:
    from benchmarks.cohorts import build  # the same store as cohorts.py (found once ROOT is on sys.path)

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}"
    try:
        print(f"building {a.customers:,} customers and {a.rows:,} activity rows ...", flush=True)
        print(f"loaded in {build(url, a.customers, a.rows):.1f} s; store file "
              f"{(tmp / 'bench.db').stat().st_size / 1e9:.2f} GB", flush=True)
        out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), url=url, repeat=a.repeat)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        b = r["best"]
        print(f"activity pairs read: {r['rows']:,} (fastest of {a.repeat} each, alternating)")
        print(f"before  list of imports + file as it is        {b['before']:6.3f} s")
        print(f"after   counts checked, CRCs, sums               {b['after']:6.3f} s   "
              f"({b['after'] - b['before']:+.3f} s, {b['after'] / b['before'] - 1:+.0%})")
        print(f"  of which: rows per import + import log query   {b['query']:6.3f} s")
        print(f"            footer records                        {b['footer']:6.4f} s")
        print(f"            sums of days and values               {b['sums']:6.4f} s")
        print(f"a lost file rebuilt from SQLite (rare)            {r['rebuild']:6.2f} s")
        print(f"PRAGMA quick_check, once per store per server     {r['quick_check']:6.2f} s   "
              f"({r['problems']} problems)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
