"""Saved versions (core/store/saved_versions.py): one by number or the newest, None on a store without any, and an
unknown number refused by name; the playbooks (core.plays.book_store) and health configurations (core.health.store)
read their versions through it."""

import datetime as dt

import pytest
from sqlmodel import Session

from core.errors import DataValidationError
from core.health.store import load_config
from core.plays.book_store import load_book
from core.store.saved_versions import saved_version
from core.store.tables import HealthConfigVersion, PlaybookVersion

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _save(engine, rows) -> None:
    with Session(engine) as s:
        s.add_all(rows)
        s.commit()


def _books(engine, *versions) -> None:
    _save(engine, [PlaybookVersion(version=v, created_at=NOW, author="a", reason=f"r{v}", book={"v": v})
                   for v in versions])


def test_nothing_saved_is_none_and_a_number_is_refused_by_name(engine):
    assert saved_version(engine, PlaybookVersion, None, "playbook") is None
    assert load_book(engine) is None and load_config(engine) is None
    with pytest.raises(DataValidationError, match=r"^There is no playbook version 1\.$"):
        saved_version(engine, PlaybookVersion, 1, "playbook")
    with pytest.raises(DataValidationError, match=r"^There is no health configuration version 3\.$"):
        load_config(engine, 3)


def test_the_newest_version_is_the_highest_number_whatever_the_order_saved(engine):
    _books(engine, 2, 7, 3)
    assert saved_version(engine, PlaybookVersion, None, "playbook").version == 7
    assert saved_version(engine, PlaybookVersion, 3, "playbook").book == {"v": 3}
    with pytest.raises(DataValidationError, match=r"^There is no playbook version 4\.$"):
        load_book(engine, 4)


def test_the_tables_do_not_mix(engine):
    _books(engine, 1)
    _save(engine, [HealthConfigVersion(version=5, created_at=NOW, author="a", reason="r", config={"c": 5})])
    assert saved_version(engine, HealthConfigVersion, None, "health configuration").config == {"c": 5}
    assert saved_version(engine, PlaybookVersion, None, "playbook").version == 1
    with pytest.raises(DataValidationError, match="no health configuration version 1"):
        saved_version(engine, HealthConfigVersion, 1, "health configuration")
