"""``python -m core`` writes its figures through core.export.units: a figure the CLI prints is the string the pages
and the quarterly review write for the same core figure (a play effect in points, money with its symbol, a back-test
ROC-AUC as a score), and no sub-command formats a figure by hand."""

import re
from pathlib import Path

import pytest

import core
from core.cli.main import main
from core.export import units
from core.health import backtest as hb
from core.health import score as h
from core.history.inputs import load_inputs as history_inputs
from core.roi.inputs import load_inputs as roi_inputs
from core.roi.money import money
from core.roi.outcomes import outcomes
from core.roi.plays import plays_table
from tests.conftest import copy_store

CLI = Path(core.__file__).parent / "cli"


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0)."""
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('cli_units'))}"


def _run(capsys, *args) -> list[str]:
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out.splitlines()


def _cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_a_play_effect_prints_as_the_review_writes_it(url, capsys):
    t = plays_table(roi_inputs(core.make_engine(url)))
    lines = _run(capsys, "--db", url, "roi")
    rows = {c[0]: c for c in map(_cells, lines[2:2 + len(t)])}
    assert set(rows) == set(t["play"])
    for r in t.itertuples(index=False):
        # core.review.figures writes the same figure as row("Intervention ROI", "Play effect", ..., unit="points")
        want = f"{units.format_value(r.difference, 'points')} {units.interval(r.low, r.high, 'points')}"
        assert rows[r.play][-1] == want
        assert re.fullmatch(r"[+-]\d+\.\d pts \[[+-]\d+\.\d pts, [+-]\d+\.\d pts\]", want)
        assert rows[r.play][8] == units.format_value(r.cost, "currency")


def test_money_prints_with_its_symbol_as_the_page_and_the_review(url, capsys):
    play = "Onboarding call"
    m = money(outcomes(roi_inputs(core.make_engine(url)), play, window=90), "treatment").set_index("measure")
    lines = _run(capsys, "--db", url, "roi", "--play", play, "--money")
    rows = {c[0]: c for c in map(_cells, lines[lines.index("treatment vs holdout") + 2:])}
    for measure in ("Revenue saved (window)", "Cost", "Net value (window)", "Net value (projected)"):
        r = m.loc[measure]
        assert r["unit"] == "currency"
        # ui/roi/sections.py::money and the review's workbook both write units.format_value(value, unit)
        assert rows[measure][1] == units.format_value(r["value"], "currency")
        assert re.fullmatch(r"-?\$[\d,]+", rows[measure][1]), rows[measure]
    net = m.loc["Net value (window)"]
    assert rows["Net value (window)"][2] == units.interval(net["low"], net["high"], "currency")
    roi = m.loc["ROI (window)"]
    assert rows["ROI (window)"][1:3] == [units.format_value(roi["value"], "roi"),
                                         units.interval(roi["low"], roi["high"], "roi")]


def test_a_health_back_test_prints_its_auc_as_a_score(url, capsys):
    inputs = history_inputs(core.make_engine(url))
    cfg = h.default_config(h.measure_frame(inputs, inputs.end())[0])  # nothing saved in this store: the default
    r = hb.evaluate(cfg, hb.backtest_data(inputs, months=3))
    lines = _run(capsys, "--db", url, "health", "--backtest", "--months", "3")
    line = next(ln for ln in lines if ln.startswith("back-test, "))
    # core.review.figures: "Health back-test AUC" (unit score) and "Red/green churn ratio" (unit ratio)
    assert line.endswith(f"ROC-AUC {units.format_value(r.auc, 'score')}; red churns "
                         f"{units.format_value(r.red_green_ratio, 'ratio')} as often as green")


#: a number formatted by hand in an f-string: {x:.1%}, {x:,.0f}, {x:.3f}, {x:+.1f}, {n:,}, {n:>12,}, {x:,.6g}
HAND_FORMAT = re.compile(r"\{[^{}]*:[<>^]?\d*[+ ]?,?(\.\d+)?[f%]\}|\{[^{}]*:[<>^]?\d*[+ ]?,(\.\d+)?[a-z%]?\}")
#: the private writers the CLI had before core.export.units wrote its figures
OLD_WRITERS = re.compile(r"\bpp\b|n/a|\b(pct|p_text|amount)\(")
#: (file, text on the line): why it may keep its own format
ALLOWED = {
    ("demo.py", "out['seconds']:.1f"): "the time the load took, not a figure of the data",
    ("report_actions.py", "{value:,.6g}"): "an assumption in a free unit (months, days): as the Quarterly review page",
}


def test_no_sub_command_formats_a_figure_by_hand():
    found = []
    for path in sorted(CLI.glob("*.py")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(f == path.name and text in line for f, text in ALLOWED):
                continue
            if HAND_FORMAT.search(line) or OLD_WRITERS.search(line):
                found.append(f"{path.name}:{i}: {line.strip()}")
    assert found == [], "write these figures with core.export.units:\n" + "\n".join(found)
    # the allowed lines still exist (a stale entry would hide nothing and mislead)
    for f, text in ALLOWED:
        assert text in (CLI / f).read_text(encoding="utf-8"), (f, text)
