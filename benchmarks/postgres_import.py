"""The demo import into PostgreSQL against SQLite: the same demo business (seed 0) loaded into each store.

    .venv/bin/python benchmarks/postgres_import.py [N_CUSTOMERS]        # default 1,000 customers

PostgreSQL: ``RETENTION_PG_URL`` (an empty database) if set, else a throw-away server started on a free local
port (tests/pg.py; needs the PostgreSQL binaries). Prints the seconds of each load (generation included, as the
app does it), the rows loaded and the ratio. Target: PostgreSQL at most 2x SQLite (loads go through COPY).

Then the read side on each store: the activity pairs cold (column files removed: rebuilt from the store) and warm
(files checked and trusted), and the main computation of the Health page (customer history, 13 monthly snapshots,
their scores), the ROI page (its inputs and the plays table) and the quarterly review (the snapshot's build). For
PostgreSQL also "SQL only": the same with the column files switched off, as before PostgreSQL stores had them. The
column cache of PostgreSQL goes to a temporary folder (``RETENTION_COLUMNS_DIR``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import core  # noqa: E402
from core.demo.load import load_demo  # noqa: E402
from core.health import monitor as hm  # noqa: E402
from core.health import store as hs  # noqa: E402
from core.history.inputs import load_inputs  # noqa: E402
from core.review import snapshot as review  # noqa: E402
from core.roi.inputs import load_inputs as load_roi_inputs  # noqa: E402
from core.roi.plays import plays_table  # noqa: E402
from core.store import columnar  # noqa: E402
from tests.pg import PgServer, pg_bin_dir  # noqa: E402


def timed_load(url: str, n_customers: int) -> tuple[float, int]:
    """Seconds to load the demo into ``url`` and the rows loaded."""
    engine = core.make_engine(url)
    start = time.perf_counter()
    counts = load_demo(engine, n_customers=n_customers, seed=0)["counts"]
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, sum(counts.values())


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _health(engine) -> None:
    snaps = hm.snapshots(load_inputs(engine), months=13)
    hm.history(hs.current_config(engine, snaps[-1][1])[0], snaps)


def _cold_pairs(engine) -> None:
    folder = columnar.folder(engine)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    columnar.activity_pairs(engine)


@contextmanager
def _sql_only():
    """The column files switched off (every read from SQL), as PostgreSQL stores were before they had them."""
    kept = columnar.folder
    columnar.folder = lambda engine: None
    try:
        yield
    finally:
        columnar.folder = kept


def read_side(url: str) -> dict[str, float]:
    """Seconds of each read: activity pairs cold and warm, Health, ROI and review main computations."""
    engine = core.make_engine(url)
    quarter = review.available_quarters(engine)[1]
    times = {"activity pairs, cold": _seconds(lambda: _cold_pairs(engine)),
             "activity pairs, warm": _seconds(lambda: columnar.activity_pairs(engine)),
             "Health (history, 13 snapshots, scores)": _seconds(lambda: _health(engine)),
             "ROI (inputs, plays table)": _seconds(lambda: plays_table(load_roi_inputs(engine))),
             f"review (build {quarter})": _seconds(lambda: review.build(engine, quarter))}
    engine.dispose()
    return times


def print_reads(reads: dict[str, dict[str, float]]) -> None:
    names = list(reads)
    print("read side, seconds:      " + "".join(f"{n:>14}" for n in names))
    for what in reads[names[0]]:
        print(f"  {what:<38}" + "".join(f"{reads[n][what]:14.2f}" for n in names))


def main(n_customers: int) -> None:
    server = None
    url = os.environ.get("RETENTION_PG_URL")
    if not url:
        found = pg_bin_dir()
        if found is None:
            sys.exit("No PostgreSQL binaries found: install PostgreSQL or set RETENTION_PG_URL to an empty database.")
        server = PgServer(found).start()
        url = server.new_database("benchmark")
    cache = tempfile.mkdtemp(prefix="retention-columns-")
    os.environ["RETENTION_COLUMNS_DIR"] = cache
    reads = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            lite = f"sqlite:///{Path(folder) / 'store.db'}"
            lite_s, rows = timed_load(lite, n_customers)
            read_side(lite)  # once untimed: the libraries each computation loads on first use
            reads["SQLite"] = read_side(lite)
        pg_s, pg_rows = timed_load(url, n_customers)
        with _sql_only():
            reads["PG, SQL only"] = read_side(url)
        reads["PG, columns"] = read_side(url)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(cache, ignore_errors=True)
    print(f"demo of {n_customers:,} customers, {rows:,} rows (PostgreSQL {pg_rows:,})")
    print(f"  SQLite       {lite_s:7.1f} s")
    print(f"  PostgreSQL   {pg_s:7.1f} s   ({pg_s / lite_s:.2f}x SQLite; target at most 2x)")
    print_reads(reads)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
