"""The preview an analyst sees before loading, `python -m core status`, and the portable insert path."""

import pandas as pd
import pytest
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

import core
from core.cli.main import main

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
    rows = out.splitlines()
    assert rows[0].startswith("This store is a purchase log, dated 1997-01-")  # what the store holds, first
    counts = rows[rows.index("") + 1:]
    lines = {ln.split()[0]: ln.split()[1] for ln in counts[:8]}
    assert lines == {"customer": "2,357", "revenue": "6,919", "activity": "6,919", "ticket": "0",
                     "feedback": "0", "intervention": "0", "incident": "0", "importlog": "1"}
    assert "CDNOW_sample.txt" in out and "transactions" in out


def test_dry_run_writes_nothing(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 's.db'}"
    f = tmp_path / "accounts.csv"
    f.write_bytes(CSV)
    report = tmp_path / "report.csv"
    assert main(["--db", url, "import", str(f), "--kind", "customers", "--dry-run", "--report", str(report)]) == 0
    assert pd.read_csv(report)["row"].tolist() == [4]
    assert core.table_counts(core.make_engine(url))["customer"] == 0


class PortableSQLite(SQLiteDialect_pysqlite):
    """SQLite under another dialect name: the importer takes the insert path of every store that is not SQLite
    (PostgreSQL, MySQL, ...: SQLAlchemy Core executemany with Python dates and parsed JSON), on a database this
    machine has."""

    name = "portable"
    supports_statement_cache = True


# (file, kind, options): dates (CDNOW), JSON attributes and an as-of date (Telco), timestamps (tickets)
LOADS = [("cdnow/CDNOW_sample.txt", "transactions",
          {"mapping": {"customer_id": "column_1", "date": "column_3", "quantity": "column_4",
                       "amount": "column_5"}, "ignore": ("column_2",)}),
         ("telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv", "customers", {"as_of": "2024-01-31"}),
         ("support_tickets_synthetic/customer_support_tickets.csv", "tickets",
          {"ignore": ("Customer Email", "Customer Name")})]


def _load_all(url, shared):
    eng = core.make_engine(url)
    for file, kind, options in LOADS:
        core.commit_import(eng, core.prepare_import(eng, (shared / file).read_bytes(), file, kind, **options),
                           strict=False)
    tables = {name: core.load_table(eng, name).sort_values("id").reset_index(drop=True)
              for name in ("revenue", "activity", "ticket")}
    tables["customer"] = core.load_table(eng, "customer").sort_values("customer_id").reset_index(drop=True)
    dialect = eng.dialect.name
    eng.dispose()
    return dialect, tables


def test_stores_other_than_sqlite_load_the_same_rows(tmp_path, shared):
    """A store named by RETENTION_DB_URL that is not SQLite loads through SQLAlchemy Core; same rows as SQLite's
    own executemany."""
    registry.register("portable", __name__, "PortableSQLite")
    fast_dialect, fast = _load_all(f"sqlite:///{tmp_path / 'fast.db'}", shared)
    core_dialect, portable = _load_all(f"portable:///{tmp_path / 'portable.db'}", shared)
    assert (fast_dialect, core_dialect) == ("sqlite", "portable")
    for name, frame in fast.items():
        assert len(frame) > 1000, name
        pd.testing.assert_frame_equal(portable[name], frame, obj=name)
    cdnow = pd.read_csv(shared / "cdnow/CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str)
    assert len(portable["revenue"]) == len(cdnow)
    assert portable["revenue"]["amount"].sum() == pytest.approx(cdnow[4].astype(float).sum(), abs=0.005)
    telco = portable["customer"].set_index("customer_id").loc["7590-VHVEG"]
    assert telco["attributes"]["PaymentMethod"] == "Electronic check"  # JSON attributes round-trip
    assert telco["signup_date"] == pd.Timestamp("2023-12-31")  # as-of 2024-01-31 minus a tenure of 1 month
    assert portable["ticket"]["first_response"].notna().any() and portable["ticket"]["resolved"].notna().any()


@pytest.mark.parametrize("kind", sorted(core.KINDS))
def test_every_kind_has_a_key_or_required_field_message(engine, kind):
    with pytest.raises(core.DataValidationError, match="Columns in the file: nothing_useful"):
        core.prepare_import(engine, b"nothing_useful\nx\n", "f.csv", kind)
