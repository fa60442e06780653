"""`python -m core import --attach | --separate`: a file whose ids match another source's customers is refused
without one (exit 2, one line, store unchanged), and loads either way with one."""

import pytest

import core
from core.cli.main import main
from core.store.engine import table_counts
from tests.core.ingest.test_id_spaces import A, B, as_csv, purchases_per_customer


@pytest.fixture
def files(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    (tmp_path / "cdnow.txt").write_bytes(as_csv(A))
    (tmp_path / "retail.csv").write_bytes(as_csv(B))
    assert main(["--db", url, "import", str(tmp_path / "cdnow.txt"), "--kind", "transactions"]) == 0
    return url, tmp_path / "retail.csv"


def run(url, path, *extra) -> int:
    return main(["--db", url, "import", str(path), "--kind", "transactions", *extra])


def test_without_a_choice_the_file_is_refused_in_one_line(files, capsys):
    url, path = files
    before = table_counts(core.make_engine(url))
    capsys.readouterr()
    assert run(url, path) == 2
    out, err = capsys.readouterr()
    assert "ids: 51 of 101 ids match customers created by import #1 (cdnow.txt); choose" in out
    assert err.count("\n") == 1 and "--attach" in err and "--separate" in err
    assert table_counts(core.make_engine(url)) == before


def test_attach_and_separate(files, capsys):
    url, path = files
    assert run(url, path, "--attach", "--dry-run") == 0
    assert "attached" in capsys.readouterr().out
    assert run(url, path, "--separate", "--source", "Shop") == 0
    out = capsys.readouterr().out
    assert "kept separate" in out and "'shop:'" in out and "101 customers created" in out
    engine = core.make_engine(url)
    counts = purchases_per_customer(engine)
    assert counts[[str(i) for i in range(1, 101)]].to_dict() == A.groupby("customer_id").size().to_dict()
    assert table_counts(engine)["customer"] == 201


def test_attach_and_separate_exclude_each_other(files):
    url, path = files
    with pytest.raises(SystemExit):
        run(url, path, "--attach", "--separate")
