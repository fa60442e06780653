"""``python -m core`` on a faulty store: one line on stderr, exit code 2, never a traceback, the store unchanged.

Each fault is real (tests/fixtures/store_faults.py) and each command runs in its own process, as an analyst
runs it: a zeroed, truncated or overwritten store file, a full disk, a read-only store, a store another
import is writing, an unknown ``--date-format``. Two imports at once both load, one after the other.
"""

import os
import subprocess
import time

import pytest

from tests.conftest import ROOT
from tests.fixtures import store_faults as sf

#: sqlite3's own wait for a locked store, the one "database is locked" came from
DRIVER_DEFAULT_TIMEOUT_S = 5.0


@pytest.fixture
def store(tmp_path):
    """A store file holding 20 customers."""
    return sf.seeded_store(tmp_path / "store.db")


def _env(url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RETENTION_TRACEBACK", "RETENTION_BUSY_TIMEOUT")}
    return {**env, "RETENTION_DB_URL": url, **extra}


def _cli(url: str, *args: str, capped: bool = False, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(sf.cli_command(*args, capped=capped), cwd=ROOT, env=_env(url, **env),
                          capture_output=True, text=True, timeout=300)


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    """The single stderr line of a refused command (exit 2, no traceback)."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "unexpected" not in lines[0]
    return lines[0]


def _activity_file(tmp_path, n: int, seed: int, name: str = "activity.csv"):
    path = tmp_path / name
    path.write_bytes(sf.activity_csv(n, seed=seed))
    return path


@pytest.mark.parametrize("damage, words", [(sf.zero, "is not a database"), (sf.truncate, "is damaged"),
                                           (sf.garbage, "is damaged")])
@pytest.mark.parametrize("command", ["import", "status"])
def test_a_damaged_store_file_is_one_line_and_left_as_it_was(store, tmp_path, damage, words, command):
    activity = _activity_file(tmp_path, 100, 1)
    damage(store)
    before = sf.sha256(store)
    args = ["import", str(activity), "--kind", "activity"] if command == "import" else ["status"]
    line = _one_error_line(_cli(f"sqlite:///{store}", *args))
    assert line.startswith(f"error: The store file {store} {words}")
    assert "restore a backup, or point RETENTION_DB_URL at another file" in line
    assert sf.sha256(store) == before


def test_an_import_that_fills_the_disk_is_one_line_and_loads_nothing(tmp_path):
    activity = _activity_file(tmp_path, 60_000, 2)
    if sf.can_mount():
        with sf.small_disk(tmp_path / "disk", 1024) as disk:
            store = sf.seeded_store(disk / "store.db")
            before = sf.counts(store)
            line = _one_error_line(_cli(f"sqlite:///{store}", "import", str(activity), "--kind", "activity"))
            after = sf.counts(store)
    else:
        store = sf.seeded_store(tmp_path / "store.db")
        before = sf.counts(store)
        line = _one_error_line(_cli(f"sqlite:///{store}", "import", str(activity), "--kind", "activity",
                                    capped=True))
        after = sf.counts(store)
    assert line == ("error: The disk holding the store is full: free some space and try again; nothing was "
                    "written, the store is unchanged.")
    assert after == before


def test_an_import_into_a_read_only_store_is_one_line_and_loads_nothing(store, tmp_path):
    activity = _activity_file(tmp_path, 500, 3)
    before = sf.counts(store)
    with sf.read_only(store) as url:
        line = _one_error_line(_cli(url, "import", str(activity), "--kind", "activity"))
    assert line.startswith(f"error: The store file {store} is read-only")
    assert "make both writable, or point RETENTION_DB_URL at a copy you can write" in line
    assert sf.counts(store) == before


def test_a_store_busy_past_the_wait_is_one_line_and_loads_nothing(store, tmp_path):
    activity = _activity_file(tmp_path, 500, 4)
    before = sf.counts(store)
    with sf.write_lock(store):
        proc = _cli(f"sqlite:///{store}", "import", str(activity), "--kind", "activity", RETENTION_BUSY_TIMEOUT="1")
    line = _one_error_line(proc)
    assert line == ("error: The store is busy with another import or undo (waited 1 s): try again when it has "
                    "finished; the store is unchanged.")
    assert sf.counts(store) == before


def test_an_unknown_date_format_is_one_line_naming_the_option(store, tmp_path):
    activity = _activity_file(tmp_path, 50, 5)
    before = sf.counts(store)
    line = _one_error_line(_cli(f"sqlite:///{store}", "import", str(activity), "--kind", "activity",
                                "--date-format", "%Q"))
    assert line.startswith("error: --date-format '%Q' is unusable ('Q' is a bad directive).")
    assert "%Y-%m-%d (2024-03-31)" in line and "%d/%m/%Y (31/03/2024)" in line
    assert sf.counts(store) == before


def _wait_for_plan(proc: subprocess.Popen) -> str:
    """Read the import's stdout until it has printed its validation summary (it loads next)."""
    seen = ""
    while "rows read" not in seen:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"import ended early: {seen}{proc.stderr.read()}")
        seen += line
    return seen


def test_two_imports_at_once_both_load_one_after_the_other(store, tmp_path):
    """Two ``python -m core import`` processes start while a third connection writes for longer than the
    driver's own 5 s wait: both wait their turn, then both load."""
    files = [_activity_file(tmp_path, 3000, 6, "a.csv"), _activity_file(tmp_path, 2000, 7, "b.csv")]
    env = _env(f"sqlite:///{store}")
    with sf.write_lock(store):
        procs = [subprocess.Popen(sf.cli_command("import", str(f), "--kind", "activity"), cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
        for p in procs:
            _wait_for_plan(p)
        time.sleep(DRIVER_DEFAULT_TIMEOUT_S + 1)  # hold the lock past the driver's default wait
        assert [p.poll() for p in procs] == [None, None]  # both still waiting their turn
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert all("Traceback" not in err and err == "" for _, err in results)
    counts = sf.counts(store)
    assert counts["activity"] == 5000 and counts["importlog"] == 3
