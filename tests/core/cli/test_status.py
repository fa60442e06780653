"""`python -m core status` (core/cli/status.py) with an undone import: it stays listed, marked undone with when
and why, and is not counted among the imports."""

import core
from core.cli.main import main


def test_status_marks_an_undone_import_and_does_not_count_it(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    eng = core.make_engine(url)
    first = core.commit_import(eng, core.prepare_import(eng, b"customer_id\nA\nB\n", "a.csv", "customers"))
    second = core.commit_import(eng, core.prepare_import(eng, b"customer_id\nC\n", "b.csv", "customers"))
    core.undo_import(eng, first.import_id, reason="wrong export")
    eng.dispose()
    assert main(["--db", url, "status"]) == 0
    out = capsys.readouterr().out
    assert "1 imports, 1 undone" in out
    rows = {ln.split()[0]: ln.split() for ln in out.splitlines() if ln.split() and ln.split()[0].isdigit()}
    assert rows[str(first.import_id)][-1] == "undone" and rows[str(second.import_id)][-1] == "loaded"
    undone = [ln for ln in out.splitlines() if ln.startswith(f"#{first.import_id} undone ")]
    assert len(undone) == 1 and undone[0].endswith("UTC: wrong export")
