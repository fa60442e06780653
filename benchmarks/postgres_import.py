"""The demo import into PostgreSQL against SQLite: the same demo business (seed 0) loaded into each store.

    .venv/bin/python benchmarks/postgres_import.py [N_CUSTOMERS]        # default 1,000 customers

PostgreSQL: ``RETENTION_PG_URL`` (an empty database) if set, else a throw-away server started on a free local
port (tests/pg.py; needs the PostgreSQL binaries). Prints the seconds of each load (generation included, as the
app does it), the rows loaded and the ratio. Target: PostgreSQL at most 2x SQLite (loads go through COPY).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import core  # noqa: E402
from core.demo.load import load_demo  # noqa: E402
from tests.pg import PgServer, pg_bin_dir  # noqa: E402


def timed_load(url: str, n_customers: int) -> tuple[float, int]:
    """Seconds to load the demo into ``url`` and the rows loaded."""
    engine = core.make_engine(url)
    start = time.perf_counter()
    counts = load_demo(engine, n_customers=n_customers, seed=0)["counts"]
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, sum(counts.values())


def main(n_customers: int) -> None:
    server = None
    url = os.environ.get("RETENTION_PG_URL")
    if not url:
        found = pg_bin_dir()
        if found is None:
            sys.exit("No PostgreSQL binaries found: install PostgreSQL or set RETENTION_PG_URL to an empty database.")
        server = PgServer(found).start()
        url = server.new_database("benchmark")
    try:
        with tempfile.TemporaryDirectory() as folder:
            lite_s, rows = timed_load(f"sqlite:///{Path(folder) / 'store.db'}", n_customers)
        pg_s, pg_rows = timed_load(url, n_customers)
    finally:
        if server is not None:
            server.stop()
    print(f"demo of {n_customers:,} customers, {rows:,} rows (PostgreSQL {pg_rows:,})")
    print(f"  SQLite       {lite_s:7.1f} s")
    print(f"  PostgreSQL   {pg_s:7.1f} s   ({pg_s / lite_s:.2f}x SQLite; target at most 2x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
