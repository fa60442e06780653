"""``python -m core cohorts --competing`` on the small demo store (1,000 customers, seed 0): the sentence and each
cause's share at 12 and 24 months, for all customers and ``--by segment``, equal an Aalen-Johansen sum over the
customers read with sqlite3 (tests/pages/test_cohort_curves_competing.py's); the workbook holds the figures; ``--by``
alone and a store without churn types are refused in one line."""

import openpyxl
import pandas as pd
import pytest

from tests.company_warehouse import run_cli
from tests.conftest import ROOT
from tests.core.cli.test_service import _end, altered
from tests.pages.test_cohort_curves_competing import _customers, _expected


@pytest.fixture(scope="module")
def store(small_demo_store):
    return f"sqlite:///{small_demo_store}"


def _row(out: str, *first: str) -> list[str]:
    line = next(ln for ln in out.splitlines() if ln.split()[:len(first)] == list(first))
    return line.split()


def test_each_cause_equals_an_aalen_johansen_sum_over_the_store(capsys, store, tmp_path):
    path = tmp_path / "causes.xlsx"
    code, out, err = run_cli(capsys, store, "cohorts", "--competing", "--out", str(path))
    assert code == 0, err
    c, as_of = _customers(store), pd.Timestamp(_end(store))
    expected24, expected12 = _expected(c, as_of, 24), _expected(c, as_of, 12)
    assert out.startswith(f"By 24 months after signup, {100 * expected24['voluntary'][1]:.1f}% [")
    for name in ("voluntary", "involuntary"):
        cells = _row(out, "All", "customers", name)
        assert cells[3:5] == [f"{len(c):,}", f"{expected24[name][0]:,}"]
        assert cells[5] == f"{100 * expected12[name][1]:.1f}%" and cells[8] == f"{100 * expected24[name][1]:.1f}%"
    sheet = pd.DataFrame(openpyxl.load_workbook(path)["Churn by cause"].values)
    sheet = sheet.iloc[1:].set_axis(sheet.iloc[0], axis=1).set_index("cause")
    assert sheet.loc["voluntary", "at_24"] == pytest.approx(expected24["voluntary"][1], abs=1e-12)
    assert "Definitions" in openpyxl.load_workbook(path).sheetnames


def test_by_segment_one_row_per_segment_and_cause(capsys, store):
    code, out, err = run_cli(capsys, store, "cohorts", "--competing", "--by", "segment")
    assert code == 0, err
    c, as_of = _customers(store), pd.Timestamp(_end(store))
    for seg in ("SMB", "Mid-Market", "Enterprise"):
        for name, (n, at24) in _expected(c[c["segment"] == seg], as_of, 24).items():
            cells = _row(out, *seg.split(), name)
            assert cells[-7] == f"{n:,}" and cells[-3] == f"{100 * at24:.1f}%", (seg, name, cells)
    assert out.startswith("Cancelled by 24 months after signup: highest for SMB")


def test_by_alone_and_a_store_without_churn_types_are_refused_in_one_line(capsys, store, tmp_path):
    code, out, err = run_cli(capsys, store, "cohorts", "--by", "segment")
    assert code != 0 and err.strip() == "error: --by splits the churn by cause: add --competing."
    code, out, err = run_cli(capsys, altered(store, tmp_path, "UPDATE customer SET churn_type = NULL"), "cohorts",
                             "--competing")
    assert code != 0 and err.startswith("error: No churned customer has a churn type") and len(err.splitlines()) == 1


def test_the_readme_block_is_what_the_command_prints(capsys, store):
    code, out, err = run_cli(capsys, store, "cohorts", "--competing")
    assert code == 0, err
    readme = (ROOT / "README.md").read_text().split("**Voluntary and involuntary churn**", 1)[1]
    assert readme.split("```text\n", 1)[1].split("\n```", 1)[0] == out.rstrip("\n")
