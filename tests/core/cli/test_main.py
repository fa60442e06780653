"""``python -m core``: one module per sub-command, a parser that loads no analytics, a lazy ``core`` package, and
one line on stderr (never a traceback) for bad input and for a fault."""

import json
import subprocess
import sys

import pytest

import core
from core.cli import defaults
from core.cli import main as cli
from core.cli import status as cli_status
from core.errors import WorkbenchError

#: libraries only a sub-command's run may load
HEAVY = ("pandas", "numpy", "scipy", "sklearn", "lifelines", "shap", "sqlalchemy", "pyarrow")
SUBCOMMANDS = ["import", "undo", "status", "overview", "cohorts", "churn", "health", "themes", "roi", "plays",
               "service", "forecast", "report", "demo", "users", "audit", "erase", "retention"]


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return proc.stdout


def test_building_the_parser_and_every_help_loads_no_heavy_library():
    code = f"""
import contextlib, io, json, sys
from core.cli.main import build_parser
p = build_parser()
for argv in [["--help"]] + [[s, "--help"] for s in {SUBCOMMANDS!r}]:
    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):
        p.parse_args(argv)
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""
    assert json.loads(_python(code)) == []


def test_import_core_loads_no_heavy_library_until_a_name_is_used():
    code = f"""
import json, sys
import core
before = sorted(m for m in {HEAVY!r} if m in sys.modules)
core.make_engine
print(json.dumps([before, "sqlalchemy" in sys.modules]))
"""
    assert json.loads(_python(code)) == [[], True]


def test_the_lazy_core_names_are_the_same_objects_as_in_their_modules():
    import importlib

    assert set(core.__all__) == set(core._HOMES)
    for name in core.__all__:
        assert getattr(core, name) is getattr(importlib.import_module(core._HOMES[name]), name), name
    assert set(core.__all__) <= set(dir(core))
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        core.nothing_here  # noqa: B018
    from core import metrics  # a submodule still imports through the package

    assert metrics.definitions_table is not None


def test_help_lists_every_sub_command_in_order(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "{" + ",".join(SUBCOMMANDS) + "}" in out
    assert [c.NAME for c in cli.COMMANDS] == SUBCOMMANDS


def test_each_sub_command_module_registers_itself_and_its_run():
    parser = cli.build_parser()
    for command in cli.COMMANDS:
        assert callable(command.add_parser) and callable(command.run)
        argv = {"import": ["import", "x.csv", "--kind", "customers"], "undo": ["undo", "3"],
                "users": ["users", "list"], "erase": ["erase", "C1", "--reason", "asked"],
                "retention": ["retention", "show"],
                "plays": ["plays", "run", "--rules", "book.json"]}.get(command.NAME, [command.NAME])
        assert parser.parse_args(argv).run is command.run, command.NAME


def test_the_help_defaults_equal_the_values_in_core():
    from core.feedback.impact import HORIZON_DAYS
    from core.feedback.prepared import GROUPS
    from core.health.backtest import DEFAULT_HORIZON_DAYS
    from core.ingest.fields import KINDS
    from core.review import log as review_log
    from core.review import snapshot as review
    from core.roi import defaults as roi
    from core.roi import wave as rw
    from core.service import follow_up as service_follow_up
    from core.service import indicators as service_indicators
    from core.service import outcomes as service_outcomes

    assert defaults.KINDS == tuple(KINDS)
    assert defaults.ROI_REST_DAYS == rw.REST_DAYS
    assert (defaults.THEMES_HORIZON_DAYS, defaults.THEMES_GROUPS) == (HORIZON_DAYS, tuple(GROUPS))
    assert defaults.REVIEW_STATUSES == tuple(review_log.STATUSES)
    assert defaults.HEALTH_HORIZON_DAYS == DEFAULT_HORIZON_DAYS
    assert defaults.SERVICE_DAYS == service_outcomes.DEFAULT_DAYS
    assert defaults.SERVICE_OPEN_DAYS == service_indicators.OPEN_DAYS
    assert defaults.FOLLOW_UP_DAYS == service_follow_up.TARGET_DAYS
    assert review.ReviewParams().roi_window == roi.WINDOW_DAYS


def test_bad_input_is_one_line_and_exit_2(db_url, capsys):
    assert cli.main(["--db", db_url, "import", "no/such/file.csv", "--kind", "customers"]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err == "error: No file at no/such/file.csv.\n"


def test_a_fault_is_one_line_and_exit_1_never_a_traceback(db_url, capsys, monkeypatch):
    def broken(engine, a):
        raise TypeError("'>=' not supported between instances of 'float' and 'str'")

    monkeypatch.delenv(cli.TRACEBACK_ENV, raising=False)
    monkeypatch.setattr(cli_status, "run", broken)
    assert cli.main(["--db", db_url, "status"]) == cli.EXIT_FAULT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: unexpected TypeError: '>=' not supported between instances of 'float' and 'str'")
    monkeypatch.setenv(cli.TRACEBACK_ENV, "1")  # who debugs sees the traceback
    with pytest.raises(TypeError):
        cli.main(["--db", db_url, "status"])


def test_a_workbench_error_from_a_run_is_one_line(db_url, capsys, monkeypatch):
    def refuse(engine, a):
        raise WorkbenchError("The store\nhas no customers:   load some first.")

    monkeypatch.setattr(cli_status, "run", refuse)
    assert cli.main(["--db", db_url, "status"]) == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err == "error: The store has no customers: load some first.\n"


def test_python_m_core_help_in_a_fresh_process():
    proc = subprocess.run([sys.executable, "-m", "core", "roi", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "--next-wave" in proc.stdout and "(default 90)" in proc.stdout
