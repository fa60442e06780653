"""The warehouse's stand-in for a store version (ui.frame.warehouse.version): it names the warehouse and its mapping
file without the URL's password, changes with either of them and with the day, and is told apart from a store
version."""

from __future__ import annotations

from datetime import UTC, datetime

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
