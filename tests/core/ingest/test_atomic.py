"""Every import is one transaction: an error midway or a killed process leaves the store as it was."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import core
from core.ingest import bulk
from tests.conftest import ROOT


def _csv(n, start=0):
    lines = ["customer_id,date,metric,value"]
    lines += [f"C{i % 50:03d},2024-01-{1 + i % 28:02d},logins,{i % 7}" for i in range(start, start + n)]
    return ("\n".join(lines) + "\n").encode()


def _seed(url):
    eng = core.make_engine(url)
    cust = "customer_id,signup_date\n" + "\n".join(f"C{i:03d},2023-01-01" for i in range(50)) + "\n"
    core.commit_import(eng, core.prepare_import(eng, cust.encode(), "c.csv", "customers"))
    return eng


def _indexes(eng, table):
    from sqlalchemy import inspect

    return sorted(ix["name"] for ix in inspect(eng).get_indexes(table))


def test_error_midway_rolls_back_everything(db_url, monkeypatch):
    eng = _seed(db_url)
    before = core.table_counts(eng)
    indexes = _indexes(eng, "activity")
    assert "ix_activity_customer_date" in indexes
    monkeypatch.setattr(bulk, "BATCH", 1_000)
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1_000)  # take the drop-and-rebuild path
    plan = core.prepare_import(eng, _csv(5_000), "a.csv", "activity")
    seen = []

    def boom(frac, msg):
        seen.append(frac)
        if len(seen) == 3:  # three batches are already inserted
            raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError, match="disk unplugged"):
        core.commit_import(eng, plan, progress=boom)
    assert seen[:3] == [0.2, 0.4, 0.6]
    assert core.table_counts(eng) == before
    assert _indexes(eng, "activity") == indexes  # the dropped indexes came back with the rollback
    # and the same file still imports afterwards (no half-written import log blocks it)
    core.commit_import(eng, core.prepare_import(eng, _csv(5_000), "a.csv", "activity"))
    assert core.table_counts(eng)["activity"] == 5_000
    assert _indexes(eng, "activity") == indexes  # and were rebuilt after the load


def test_killed_process_leaves_store_as_it_was(db_url, tmp_path):
    eng = _seed(db_url)
    before = core.table_counts(eng)
    eng.dispose()
    data = tmp_path / "big.csv"
    data.write_bytes(_csv(300_000))
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        import core
        from core.ingest import bulk
        bulk.BATCH = 50_000
        eng = core.make_engine({db_url!r})
        plan = core.prepare_import(eng, open({str(data)!r}, 'rb').read(), 'big.csv', 'activity')
        def kill(frac, msg):
            print(frac, flush=True)
            if frac >= 0.5:
                os.kill(os.getpid(), signal.SIGKILL)
        core.commit_import(eng, plan, progress=kill)
        print('finished', flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "0.5" in proc.stdout and "finished" not in proc.stdout
    eng = core.make_engine(db_url)
    assert core.table_counts(eng) == before
    assert "ix_activity_customer_date" in _indexes(eng, "activity")
    assert os.path.exists(db_url.split("///")[1])
