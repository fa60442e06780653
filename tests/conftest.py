"""Shared fixtures: paths to the public datasets and a throw-away store."""

import datetime as dt
import functools
import gc
import io
import json
import os
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import xlsxwriter
from argon2 import PasswordHasher
from filelock import FileLock
from streamlit.components.v2 import manifest_scanner

import core
from core.access import users
from tests.pg import pg_server, pg_url  # noqa: F401  (PostgreSQL fixtures: a real server on a free port)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


#: the collector's thresholds in a test process (Python's: 700, 10, 10)
GC_THRESHOLDS = (50_000, 20, 50)


def pytest_configure(config):
    """A test process builds and drops many frames, apps and stores, so Python's cyclic collector, run every 700
    new objects, ran often over a large heap: with the first generation collected every 50,000 objects (and the
    older ones in proportion) the page and import tests took 3 to 6 % less CPU (two module pairs measured with and
    without, one after the other). Reference counting still frees most objects at once; only the app servers the
    browser tests start keep Python's defaults, as the product does."""
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.fixture(scope="session", autouse=True)
def _columns_cache(tmp_path_factory):
    """PostgreSQL stores' column files go to a temporary folder, never the user's cache (core.store.column_home)."""
    os.environ["RETENTION_COLUMNS_DIR"] = str(tmp_path_factory.mktemp("columns_cache"))
    yield


@pytest.fixture(scope="session", autouse=True)
def _default_engine():
    """The tests in this process sum on pandas, the reference every engine is checked against (the pages, the review
    and the CLI on DuckDB, PostgreSQL and Spark give the same figures: tests/pages/test_engine_choice*.py,
    tests/core/review/test_engines.py, the engine modules' own tests); a developer's RETENTION_ENGINE does not leak
    in. The app servers the browser tests start inherit it, except the first start's, which runs the product's
    default, embedded DuckDB (tests/e2e/conftest.PRODUCT_ENGINE). ``RETENTION_SUITE_ENGINE=duckdb`` runs every test
    on that engine instead (the same figures expected)."""
    os.environ["RETENTION_ENGINE"] = os.environ.get("RETENTION_SUITE_ENGINE") or "pandas"
    yield


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once():
    """Each AppTest run starts a Streamlit runtime, which scans every installed package's metadata for components
    (about 0.4 s of CPU each time, over 2 % of the suite's). The installed packages do not change during a run, so
    this process scans them once; the app servers of the browser tests scan at start, as the product does."""
    scan = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(scan)
    yield
    manifest_scanner.scan_component_manifests = scan


#: the product's password hasher (Argon2id at the library's recommended cost: tests/core/access/test_users.py)
PRODUCT_HASHER = users._HASHER


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Accounts made and signed in to in this process hash with Argon2id at its lowest cost: the recommended cost
    takes a quarter of a CPU-second per hash or check, by design, and the access tests make and check hundreds (about
    a tenth of a CPU-second of the suite's for nothing they test). A hash carries its own cost, so the app servers of
    the browser tests, which keep the product's hasher, check these hashes alike."""
    users._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    users._stand_in.cache_clear()
    yield
    users._HASHER = PRODUCT_HASHER
    users._stand_in.cache_clear()


@pytest.fixture
def engine():
    """An in-memory store (one shared connection), empty."""
    eng = core.make_engine("sqlite://")
    yield eng
    eng.dispose()


@pytest.fixture
def db_url(tmp_path):
    """A file-backed SQLite store URL in a temporary folder."""
    return f"sqlite:///{tmp_path / 'store.db'}"


def sql_rows(url: str, query: str) -> list[tuple]:
    """The rows of ``query`` on the SQLite store at ``url`` (``sqlite:///...``), read with sqlite3: independent of
    core, for tests that check what a save wrote."""
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def copy_store(src, folder) -> Path:
    """Copy the SQLite store file ``src`` and its activity column folder into ``folder``; returns the new file.

    For test modules that write into a store built once per session (codebook changes, saved models)."""
    src, dst = Path(src), Path(folder) / "store.db"
    shutil.copy(src, dst)
    if Path(str(src) + ".columns").exists():
        shutil.copytree(str(src) + ".columns", str(dst) + ".columns")
    return dst


def built_once(tmp_path_factory, name: str, build) -> Path:
    """A store file that ``build(path)`` fills, built once per test run and copied (:func:`copy_store`) into a
    folder of this worker's: under pytest-xdist the workers share one build (a file lock in the run's common
    temporary folder; the first worker to ask builds, the others wait and copy), so an expensive store (the demo
    takes about 22 s) is not built once per worker. Without xdist it is built in place."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        path = tmp_path_factory.mktemp(name) / "store.db"
        build(path)
        return path
    common = tmp_path_factory.getbasetemp().parent / f"built_once_{name}"
    with FileLock(f"{common}.lock"):
        if not (common / "done").exists():
            shutil.rmtree(common, ignore_errors=True)  # a half-built store of a failed build is built again
            common.mkdir()
            build(common / "store.db")
            (common / "done").touch()
    return copy_store(common / "store.db", tmp_path_factory.mktemp(name))


#: the small demo's customers: every page and tab of the full demo at a fraction of its cost (1,000 customers took
#: three page modules from 99 to 74 CPU-seconds against 1,500)
SMALL_DEMO_CUSTOMERS = 1000


def demo_builder(n_customers: int, seed: int = 0):
    """``build(path)`` for :func:`built_once`: the demo business loaded into a new SQLite store at ``path``."""

    def build(path: Path) -> None:
        from core.demo.load import load_demo

        engine = core.make_engine(f"sqlite:///{path}")
        load_demo(engine, n_customers=n_customers, seed=seed)
        engine.dispose()

    return build


@pytest.fixture(scope="session", autouse=True)
def store_kinds_built_once(tmp_path_factory):
    """Every non-demo store kind of tests/pages/store_kinds.py imported once per run (:func:`built_once`) and
    copied into each module's folder: the same files through the same importer, so the same store."""
    from tests.pages import store_kinds

    @functools.cache
    def template(kind: str) -> Path:
        return built_once(tmp_path_factory, f"kind_{kind}", lambda path: store_kinds.fill(f"sqlite:///{path}", kind))

    store_kinds.TEMPLATES = template
    yield
    store_kinds.TEMPLATES = None


@pytest.fixture(scope="session")
def small_demo_store(tmp_path_factory) -> Path:
    """A store file holding a small demo business (:data:`SMALL_DEMO_CUSTOMERS`, seed 0), built once per run
    (:func:`built_once`): copy it (:func:`copy_store`) before writing into it."""
    return built_once(tmp_path_factory, "small_demo", demo_builder(SMALL_DEMO_CUSTOMERS))


@pytest.fixture(scope="session")
def facts_demo_store(tmp_path_factory) -> Path:
    """The 500-customer demo (seed 2) that the company-warehouse tests lay out as a company's
    (tests/company_warehouse.facts_business), built once per run (:func:`built_once`)."""
    return built_once(tmp_path_factory, "facts_demo", demo_builder(500, seed=2))


@pytest.fixture(scope="session")
def shared():
    if not SHARED.is_dir():
        pytest.fail(f"The public datasets are missing: expected {SHARED} (shared/ beside the project).")
    return SHARED


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """Build an XLSX workbook in memory: sheet name -> rows; dates and datetimes as real Excel dates."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    stamp_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, stamp_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v)
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


#: the seconds each test file took in a whole run (refreshed by tests/file_seconds.py)
FILE_SECONDS = ROOT / "tests" / "file_seconds.json"
#: the seconds of a test in a file the table does not know yet (the suite's mean, about one)
NEW_TEST_SECONDS = 1.0


def pytest_collection_modifyitems(config, items):
    """The test files run longest first. Under ``--dist loadfile`` (with ``--no-loadscope-reorder``, which dev.py
    passes) the workers take the files in collection order, one at a time as each finishes its last; a long file
    taken late kept one worker busy alone at the end of the run while the others stood idle (the browser tests of a
    single long test each came last: the whole run 1,127 s, the last 60 s on one or two workers). Longest first
    (from tests/file_seconds.json; a file it does not know counts :data:`NEW_TEST_SECONDS` a test) leaves the short
    files to fill the end. The tests of a file keep their order."""
    known = json.loads(FILE_SECONDS.read_text()) if FILE_SECONDS.exists() else {}
    counts = Counter(item.nodeid.split("::")[0] for item in items)

    def seconds(item) -> float:
        name = item.nodeid.split("::")[0]
        return known.get(name, NEW_TEST_SECONDS * counts[name])

    items.sort(key=lambda item: -seconds(item))
