"""Local accounts: the password only as an Argon2 hash, verified true and false, and the store never left without
an enabled admin."""

import sqlite3

import pytest

import core
from core.access import users as accounts
from core.access.guard import LOCAL, acting
from tests.conftest import PRODUCT_HASHER


@pytest.fixture
def engine(tmp_path):
    eng = core.make_engine(f"sqlite:///{tmp_path / 's.db'}")
    yield eng
    eng.dispose()


def test_passwords_are_hashed_and_verified(engine, tmp_path):
    accounts.add(engine, "root", "admin", "s3cret-words")
    stored = sqlite3.connect(tmp_path / "s.db").execute("SELECT * FROM user").fetchall()
    assert len(stored) == 1
    assert not any("s3cret-words" in str(v) for v in stored[0])
    assert any(str(v).startswith("$argon2id$") for v in stored[0])
    assert accounts.verify_password(engine, "root", "s3cret-words") is True
    assert accounts.verify_password(engine, "root", "s3cret-wordz") is False
    assert accounts.verify_password(engine, "nobody", "s3cret-words") is False
    assert "password_hash" not in accounts.users(engine).columns


def test_the_product_hashes_at_argon2id_s_recommended_cost(engine, tmp_path, monkeypatch):
    """The suite hashes at the lowest cost (tests/conftest.py); the product's hasher, put back here, writes Argon2id
    at RFC 9106's low-memory cost (64 MiB, 3 passes, 4 lanes), and a hash checks at its own cost whichever hasher
    checks it."""
    cheap = accounts._HASHER
    monkeypatch.setattr(accounts, "_HASHER", PRODUCT_HASHER)
    accounts.add(engine, "root", "admin", "s3cret-words")
    (stored,) = sqlite3.connect(tmp_path / "s.db").execute("SELECT password_hash FROM user").fetchone()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    monkeypatch.setattr(accounts, "_HASHER", cheap)
    assert accounts.verify_password(engine, "root", "s3cret-words") is True
    assert accounts.verify_password(engine, "root", "s3cret-wordz") is False


def test_the_same_password_hashes_differently(engine, tmp_path):
    accounts.add(engine, "root", "admin", "same password")
    accounts.add(engine, "amy", "admin", "same password")
    hashes = [r[0] for r in sqlite3.connect(tmp_path / "s.db").execute("SELECT password_hash FROM user")]
    assert len(set(hashes)) == 2


def test_a_disabled_account_no_longer_verifies_or_acts(engine):
    accounts.add(engine, "root", "admin", "admin password")
    accounts.add(engine, "vic", "viewer", "viewer password")
    accounts.disable(engine, "vic")
    assert accounts.verify_password(engine, "vic", "viewer password") is False
    with pytest.raises(core.WorkbenchError, match="user vic is disabled"):
        acting(engine, "vic")
    with pytest.raises(core.DataValidationError, match="already disabled"):
        accounts.disable(engine, "vic")


def test_the_first_user_is_an_admin_and_the_last_admin_stays(engine):
    assert acting(engine, None) == acting(engine, LOCAL)
    assert acting(engine, None).role == "admin" and acting(engine, None).local
    with pytest.raises(core.DataValidationError, match="The first user must be an admin"):
        accounts.add(engine, "vic", "viewer", "viewer password")
    accounts.add(engine, "root", "admin", "admin password")
    with pytest.raises(core.DataValidationError, match="already a user root"):
        accounts.add(engine, "root", "viewer", "other password")
    with pytest.raises(core.DataValidationError, match="only admin"):
        accounts.set_role(engine, "root", "viewer")
    with pytest.raises(core.DataValidationError, match="only admin"):
        accounts.disable(engine, "root")
    accounts.add(engine, "amy", "analyst", "analyst password")
    assert accounts.set_role(engine, "amy", "admin") == "analyst"
    assert accounts.set_role(engine, "root", "board") == "admin"
    assert accounts.users(engine)[["name", "role"]].values.tolist() == [["amy", "admin"], ["root", "board"]]
    assert acting(engine, "root").role == "board" and not acting(engine, "root").local


@pytest.mark.parametrize("name,password,message", [
    ("two words", "long enough", "is not a user name"),
    ("", "long enough", "is not a user name"),
    ("short", "1234567", "at least 8 characters"),
])
def test_bad_names_and_short_passwords_are_refused(engine, name, password, message):
    with pytest.raises(core.DataValidationError, match=message):
        accounts.add(engine, name, "admin", password)
    assert accounts.count(engine) == 0
