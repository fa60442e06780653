"""Hostile and huge files through the importer and the command line: a far cell, a stray cell, a shared-string
bomb and a zip bomb are refused with one line (exit code 2, no traceback); a 10,000-column file imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import core
from core.errors import FileFormatError
from tests.conftest import ROOT
from tests.core.ingest import hostile_files as H

HOSTILE = {
    "far_cell.xlsx": (H.far_cell_xlsx, "spans A1:XFD1048576"),
    "stray_cell.xlsx": (lambda: H.far_cell_xlsx("Z100000"), "a stray cell lies far from the table"),
    "shared_strings.xlsx": (H.shared_string_bomb_xlsx, "of text once its shared strings are copied"),
    "zip_bomb.xlsx": (H.zip_bomb_xlsx, "it looks like a zip bomb"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_prepare_import_refuses_with_one_line_and_writes_nothing(engine, name):
    make, words = HOSTILE[name]
    with pytest.raises(FileFormatError) as exc:
        core.prepare_import(engine, make(), name, "activity")
    assert words in str(exc.value) and "\n" not in str(exc.value)
    assert core.table_counts(engine)["importlog"] == 0


@pytest.mark.parametrize("name", list(HOSTILE))
def test_cli_refuses_with_exit_code_2_and_one_line(tmp_path, name):
    make, words = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETENTION_")}
    proc = subprocess.run([sys.executable, "-m", "core", "--db", f"sqlite:///{tmp_path / 's.db'}", "import",
                           str(path), "--kind", "activity"], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr and proc.stdout == ""


def test_a_raised_limit_lets_the_stray_cell_file_import(tmp_path):
    path = tmp_path / "stray_cell.xlsx"
    path.write_bytes(H.far_cell_xlsx("Z100000"))
    env = {**os.environ, "RETENTION_MIN_FILL": "0"}
    proc = subprocess.run([sys.executable, "-m", "core", "--db", f"sqlite:///{tmp_path / 's.db'}", "import",
                           str(path), "--kind", "activity", "--create-customers", "--lenient",
                           "--rejects", str(tmp_path / "rejected.csv")], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "3 rows read, 2 valid, 1 rejected" in proc.stdout  # the stray row has no customer: rejected
    assert (tmp_path / "rejected.csv").read_text().startswith("row,")  # written where asked, not in the checkout


def test_ten_thousand_columns_import_with_every_extra_column_kept(engine):
    data = H.wide_csv(columns=10_000, rows=150)
    assert 1_000_000 < len(data) < 5_000_000
    plan = core.prepare_import(engine, data, "wide.csv", "activity", create_customers=True)
    assert plan.rows_read == 150 and plan.n_errors == 0 and plan.n_warnings == 0
    result = core.commit_import(engine, plan)
    assert result.tables == {"activity": 150}
    activity = core.load_table(engine, "activity")
    attrs = activity["attributes"].iloc[0]
    attrs = json.loads(attrs) if isinstance(attrs, str) else attrs
    assert len(attrs) == 9_996 and all(isinstance(v, float) for v in attrs.values())
