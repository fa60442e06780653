"""The read limits: defaults, environment overrides, and a bad setting refused with its name."""

from __future__ import annotations

import dataclasses

import pytest

from core.errors import DataValidationError
from core.ingest.limits import ENV, ReadLimits


def test_defaults_are_excel_sized_and_documented():
    lim = ReadLimits()
    assert (lim.max_rows, lim.max_columns) == (1_048_576, 16_384)  # Excel's own grid
    assert lim.max_cells == 5_000_000 and lim.max_ratio == 100 and lim.min_fill == 0.01
    import core.ingest.limits as module
    for f in dataclasses.fields(ReadLimits):  # every limit and its variable is in the module's table
        assert f.name in module.__doc__ and ENV[f.name] in module.__doc__


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ReadLimits().max_cells = 1


def test_environment_overrides_each_limit():
    env = {"RETENTION_MAX_CELLS": "20,000,000", "RETENTION_MAX_RATIO": "250", "RETENTION_MIN_FILL": "0",
           "RETENTION_MAX_COLUMNS": "3"}
    lim = ReadLimits.from_env(env)
    assert lim.max_cells == 20_000_000 and lim.max_ratio == 250.0 and lim.min_fill == 0.0
    assert lim.max_columns == 3 and lim.max_rows == ReadLimits().max_rows  # the others keep their defaults


def test_from_env_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv("RETENTION_MAX_ROWS", "50")
    assert ReadLimits.from_env().max_rows == 50


@pytest.mark.parametrize(("var", "value"), [("RETENTION_MAX_CELLS", "lots"), ("RETENTION_MAX_CELLS", "-5"),
                                            ("RETENTION_MIN_FILL", "2"), ("RETENTION_MAX_RATIO", "0")])
def test_a_bad_setting_is_refused_with_its_name(var, value):
    with pytest.raises(DataValidationError, match=f"{var}='{value}'"):
        ReadLimits.from_env({var: value})


def test_hint_names_the_variable():
    assert ReadLimits().hint("max_cells") == "raise the limit (RETENTION_MAX_CELLS)"
