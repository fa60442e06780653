"""``python -m core erase``: an admin erases a customer and sees the rows removed per table in plain words; a
viewer, analyst or board member gets exit code 2 and one line, an unknown id one line, a missing reason argparse's
usage error; in each refusal the store is unchanged row for row (the audit trail included)."""

import pytest

from core.cli.main import main
from tests.conftest import copy_store
from tests.core.access.store import PEOPLE, build, dump, last_entry


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build(tmp_path_factory.mktemp("erase_cli")).removeprefix("sqlite:///")


@pytest.fixture
def url(template, tmp_path, monkeypatch):
    monkeypatch.delenv("RETENTION_USER", raising=False)
    return f"sqlite:///{copy_store(template, tmp_path)}"


def test_an_admin_erases_and_sees_the_rows_removed(url, capsys):
    assert main(["--db", url, "--user", "root", "erase", "A", "--reason", "asked by e-mail"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "erased customer A (the audit trail keeps only a hash of the id)"
    rows = dict(line.rsplit(None, 1) for line in out[2:])
    assert rows["customer record"] == "1" and rows["revenue rows"] == "0" and rows["churn scores"] == "0"
    assert rows["review snapshots redacted"] == "0"
    assert not any("churnscore" in line or "_" in line for line in out)  # plain words, no table codes
    assert [r for r in dump(url)["tables"]["customer"] if "'A'" in r] == []
    assert last_entry(url) == {**last_entry(url), "user": "root", "role": "admin", "action": "erase customer"}
    assert "'A'" not in str(last_entry(url))


@pytest.mark.parametrize("who", [n for n, r in PEOPLE.items() if r != "admin"])
def test_other_roles_are_refused_in_one_line(url, capsys, who):
    before = dump(url)
    assert main(["--db", url, "--user", who, "erase", "A", "--reason", "asked"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: user {who} ({PEOPLE[who]}) may not erase a customer: ask an admin for the admin role\n"
    assert dump(url) == before


def test_an_unknown_id_is_one_line_and_changes_nothing(url, capsys):
    before = dump(url)
    assert main(["--db", url, "--user", "root", "erase", "ZZ-404", "--reason", "asked"]) == 2
    assert capsys.readouterr().err == "error: There is no customer ZZ-404 in this store: nothing was erased.\n"
    assert dump(url) == before


def test_the_reason_is_required(url, capsys):
    before = dump(url)
    with pytest.raises(SystemExit) as exit_:
        main(["--db", url, "--user", "root", "erase", "A"])
    assert exit_.value.code == 2 and "--reason" in capsys.readouterr().err
    assert main(["--db", url, "--user", "root", "erase", "A", "--reason", "  "]) == 2
    assert capsys.readouterr().err.startswith("error: Say why the customer is erased")
    assert dump(url) == before
