"""The preview an analyst sees before loading, `python -m core status`, and the portable insert path."""

import pandas as pd
import pytest

import core
from core.cli.main import main
from core.ingest import importer

CSV = b"Customer ID;Signup;Plan;Seats\nC1;31/01/2024;Pro;5\nC2;15/02/2024;Basic;\nC3;not a date;Pro;7\n"


def test_preview_shows_mapped_fields_and_detected_formats(engine):
    plan = core.prepare_import(engine, CSV, "accounts.csv", "customers", constants={"segment": "SMB"})
    assert plan.mapping == {"customer_id": "Customer ID", "signup_date": "Signup", "plan": "Plan"}
    assert plan.date_formats == {"signup_date": "%d/%m/%Y"}
    assert plan.raw.details["delimiter"] == "semicolon"
    head = plan.preview(2)
    assert list(head.columns) == ["row", "customer_id", "segment", "plan", "signup_date"]  # schema order
    assert head["row"].tolist() == [2, 3]
    assert head["signup_date"].tolist() == ["31/01/2024", "15/02/2024"]
    assert set(head["segment"]) == {"SMB"}
    bad = plan.report[plan.report["severity"] == "error"]
    assert bad[["row", "column", "value", "problem"]].values.tolist() == [
        [4, "Signup", "not a date", "unparseable date"]]
    assert "31/03/2024" in bad["fix"].iloc[0]  # the fix shows the column's own format


def test_status_lists_counts_and_imports(tmp_path, capsys, shared):
    url = f"sqlite:///{tmp_path / 's.db'}"
    assert main(["--db", url, "import", str(shared / "cdnow/CDNOW_sample.txt"), "--kind", "transactions",
                 "--map", "column_1=customer_id", "--map", "column_3=date", "--map", "column_4=quantity",
                 "--map", "column_5=amount", "--map", "column_2=-"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "status"]) == 0
    out = capsys.readouterr().out
    lines = {ln.split()[0]: ln.split()[1] for ln in out.splitlines()[:7]}
    assert lines == {"customer": "2,357", "revenue": "6,919", "activity": "6,919", "ticket": "0",
                     "feedback": "0", "intervention": "0", "importlog": "1"}
    assert "CDNOW_sample.txt" in out and "transactions" in out


def test_dry_run_writes_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    f = tmp_path / "accounts.csv"
    f.write_bytes(CSV)
    report = tmp_path / "report.csv"
    assert main(["--db", url, "import", str(f), "--kind", "customers", "--dry-run", "--report", str(report)]) == 0
    assert pd.read_csv(report)["row"].tolist() == [4]
    assert core.table_counts(core.make_engine(url))["customer"] == 0


def test_core_executemany_path_gives_the_same_rows(monkeypatch, shared):
    """Stores other than SQLite (RETENTION_DB_URL) load through SQLAlchemy Core; same result."""
    data = (shared / "cdnow/CDNOW_master.txt").read_bytes()
    results = {}
    for driver in (True, False):
        monkeypatch.setattr(importer, "_driver_executemany", lambda conn, d=driver: d)
        eng = core.make_engine("sqlite://")
        core.commit_import(eng, core.prepare_import(eng, data, "cdnow.txt", "transactions"))
        rev = core.load_table(eng, "revenue").sort_values("id")
        cust = core.load_table(eng, "customer").sort_values("customer_id")
        results[driver] = (rev[["customer_id", "period", "amount"]].reset_index(drop=True),
                           cust[["customer_id", "signup_date"]].reset_index(drop=True))
        eng.dispose()
    pd.testing.assert_frame_equal(results[True][0], results[False][0])
    pd.testing.assert_frame_equal(results[True][1], results[False][1])
    assert round(results[False][0]["amount"].sum(), 2) == 2500315.63


@pytest.mark.parametrize("kind", sorted(core.KINDS))
def test_every_kind_has_a_key_or_required_field_message(engine, kind):
    with pytest.raises(core.DataValidationError, match="Columns in the file: nothing_useful"):
        core.prepare_import(engine, b"nothing_useful\nx\n", "f.csv", kind)
