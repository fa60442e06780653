"""The warehouse's stand-in for a store version (ui.frame.warehouse.version): it names the warehouse and its mapping
file without the URL's password, changes with either of them and with the day, and is told apart from a store
version; the notes the pages show when a warehouse is set (says_so, needs) are plain text: a mapping file's name,
which comes from the company, never formats or links anything."""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from core.query import warehouse as core_warehouse
from ui.frame import warehouse


def test_the_version_names_the_warehouse_and_the_day_without_the_password(monkeypatch, tmp_path):
    (tmp_path / "m.toml").write_text("[customers]\n", encoding="utf-8")
    monkeypatch.setenv(core_warehouse.URL_ENV, "postgres://analyst:s3cret@warehouse.internal:5432/analytics")
    monkeypatch.setenv(core_warehouse.MAP_ENV, str(tmp_path / "m.toml"))
    first = warehouse.version()
    assert warehouse.is_set() and warehouse.named(first) and not warehouse.named("2026-12-06 12:00:00|42")
    assert "s3cret" not in first and first.endswith(f" {datetime.now(UTC):%Y-%m-%d}")
    assert warehouse.version() == first  # the same warehouse, mapping and day: the same fit
    (tmp_path / "m.toml").write_text("[customers]\ntable = 'crm.accounts'\n", encoding="utf-8")
    assert warehouse.version() != first  # an edited mapping fits again
    monkeypatch.setenv(core_warehouse.URL_ENV, "postgres://analyst:s3cret@other.internal:5432/analytics")
    assert warehouse.version() != first
    monkeypatch.delenv(core_warehouse.URL_ENV)
    assert not warehouse.is_set()


def _notes():
    from ui.frame import warehouse  # AppTest runs this function's source alone: its imports are its own

    warehouse.says_so("Figures from the warehouse (duckdb), through my_*map*_[x](http://tracker).toml, read only.")
    warehouse.needs("Overview", "customers with <b>signup</b> dates")


def test_the_warehouse_notes_are_plain_text():
    at = AppTest.from_function(_notes, default_timeout=60).run()
    said, needed = (i.value for i in at.info)
    assert said == ("Figures from the warehouse (duckdb), through my\\_\\*map\\*\\_\\[x\\](http\\://tracker).toml, "
                    "read only.")
    assert needed.startswith("On a warehouse the Overview page needs customers with \\<b\\>signup\\</b\\> dates: ")
    assert "RETENTION\\_WAREHOUSE\\_MAP" in needed
