"""``python -m core import FILE`` without ``--kind``: the kind is detected, printed, or asked for."""

import pytest

import core
from core.cli.main import main

PUBLIC = [("cdnow/CDNOW_master.txt", "transactions", []),
          ("telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv", "customers", ["--as-of", "2024-01-31", "--lenient"]),
          ("womens_clothing_reviews/womens_clothing_reviews.csv", "feedback", ["--set", "channel=review"]),
          ("support_tickets_synthetic/customer_support_tickets.csv", "tickets", [])]


@pytest.mark.parametrize("name, kind, options", PUBLIC)
def test_the_public_files_import_without_a_kind(tmp_path, capsys, shared, name, kind, options):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(shared / name), *options]) == 0, capsys.readouterr().err
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"kind: {kind} (detected: ") and lines[0].endswith(")"), lines[0]
    assert lines[1].startswith("mapping: ")  # the kind comes before the report
    assert any(line.startswith("import #1: loaded") for line in lines)
    log = core.load_table(core.make_engine(url), "importlog")
    assert list(log["kind"]) == [kind]


def test_the_purchase_log_loads_as_purchases(tmp_path, capsys, shared):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(shared / "cdnow/CDNOW_master.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("kind: transactions (detected: a customer id, a date, an amount and a quantity per row, "
                          "dates on any day: purchases)\n")
    counts = core.table_counts(core.make_engine(url))
    assert counts["revenue"] == 69_659 and counts["customer"] == 23_570


def test_an_ambiguous_file_asks_for_the_kind(tmp_path, capsys):
    f = tmp_path / "visits.csv"
    f.write_text("customer_id,date\n" + "".join(f"C{i % 7},2024-01-{i % 28 + 1:02d}\n" for i in range(40)))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(f)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err and err.startswith("error: Cannot tell what visits.csv holds")
    assert "--kind tickets" in err and "--kind customers" in err
    assert core.table_counts(core.make_engine(url))["importlog"] == 0


def test_a_given_kind_is_not_second_guessed(tmp_path, capsys, shared):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert main(["--db", url, "import", str(shared / "cdnow/CDNOW_master.txt"), "--kind", "transactions",
                 "--dry-run"]) == 0
    assert not capsys.readouterr().out.startswith("kind:")
