"""``python -m core report``: the printed figures are core.review.snapshot's, --save stores a snapshot that --list shows
and --compare lines up, --out writes the unrounded figures, and bad input is a one-line error."""

import dataclasses
import re

import pandas as pd
import pytest

import core
from core.cli.main import main
from core.review import compare as review_compare
from core.review import saved as review_saved
from core.review import snapshot as review
from tests.conftest import copy_store


@pytest.fixture(scope="module")
def url(small_demo_store, tmp_path_factory):
    return f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('cli_report'))}"


@pytest.fixture(scope="module")
def q3(url):
    """2026-Q3's snapshot built once on the module's store: the tests only read it (a save is of a copy); snapshots,
    decisions and assumptions saved in between leave the data, and so the build, unchanged."""
    engine = core.make_engine(url)
    yield review.build(engine, "2026-Q3")
    engine.dispose()


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out.splitlines()


def _cells(line):
    return re.split(r"\s{2,}", line.strip())


def test_report_prints_saves_lists_and_compares(url, q3, capsys, tmp_path):
    """Three builds (a build is the slow part: each saved, then read back): 2026-Q3 printed and saved, then two early
    quarters (a smaller business, quicker to build), the second with another play window; listed, compared, and
    2026-Q3's figures written unrounded from its saved snapshot."""
    engine = core.make_engine(url)
    snap = q3
    assert _run(capsys, "--db", url, "report", "--list") == [
        "no snapshot saved yet: python -m core report --quarter 2026-Q3 --save"]
    lines = _run(capsys, "--db", url, "report", "--quarter", "2026-Q3", "--save")
    assert lines[0] == (f"2026-Q3 as of 2026-09-30; data {snap.data_hash[:12]}; churn model none; health configuration "
                        "default; saved as snapshot 1")
    rows = [_cells(ln) for ln in lines[2:]]
    assert len(rows) == len(snap.figures)
    for cells, r in zip(rows, snap.figures.itertuples(index=False)):
        assert cells[0] == r.page and cells[1] == r.metric
        shown = cells[3] if r.group else cells[2]
        num = float(re.sub(r"[^0-9.+-]", "", shown))
        want = 100 * r.value if r.unit in ("share", "points", "roi") else r.value
        decimals = len(re.sub(r"[^0-9.]", "", shown).split(".")[1]) if "." in shown else 0
        assert abs(num - want) <= 0.5 * 10 ** -decimals + 1e-9, (cells, r)
    first = _run(capsys, "--db", url, "report", "--quarter", "2024-Q2", "--save")[0]
    second = _run(capsys, "--db", url, "report", "--quarter", "2024-Q3", "--roi-window", "60", "--save")[0]
    assert first.endswith("saved as snapshot 2") and second.endswith("saved as snapshot 3")
    listed = [_cells(ln) for ln in _run(capsys, "--db", url, "report", "--list")[1:]]
    assert [c[:3] for c in listed] == [["3", "2024-Q3", "2024-09-30"], ["2", "2024-Q2", "2024-06-30"],
                                       ["1", "2026-Q3", "2026-09-30"]]
    assert listed[2][4] == str(len(snap.figures))
    cmp = _run(capsys, "--db", url, "report", "--compare", "2", "3")
    assert cmp[0] == "snapshot 2 (2024-Q2) -> 3 (2024-Q3)"
    want = review_compare.compare(review_saved.load(engine, 2), review_saved.load(engine, 3))
    body = [_cells(ln) for ln in cmp[2:]]
    assert [c[1] for c in body] == want["metric"].tolist()
    assert all(c[-1] == w for c, w in zip(body, want["cause"]))
    roi = want.loc[want["page"] == "Intervention ROI", "cause"]
    assert any("play measurement window 90 -> 60 days" in c for c in roi)
    # --out: the unrounded figures, of the saved Q3 (a saved snapshot is the figures as built)
    path = tmp_path / "q3.csv"
    assert _run(capsys, "--db", url, "report", "--snapshot", "1", "--out", str(path))[-1] == (
        f"wrote {len(snap.figures)} figures to {path}")
    got = pd.read_csv(path, keep_default_na=False)
    assert got["metric"].tolist() == snap.figures["metric"].tolist()
    assert pd.to_numeric(got["value"]).to_numpy() == pytest.approx(snap.figures["value"].to_numpy())


def test_bad_input_is_one_line(url, capsys):
    cases = [([], "Choose one action"), (["--list", "--quarter", "2026-Q3"], "were given together"),
             (["--quarter", "2026-Q9"], "is not a quarter"), (["--save", "--list"], "--save and --roi-window go"),
             (["--compare", "1", "99"], "There is no snapshot"), (["--quarter", "2026-Q3", "--out", "x.txt"],
                                                                  "writes .csv (figures), .xlsx (the workbook)"),
             (["--decide", "1", "--decision", "x", "--owner", " "], "owner is empty"),
             (["--decide", "99", "--decision", "x", "--owner", "Ana"], "no saved snapshot 99"),
             (["--assume", "1", "--name", "x"], "--assume needs --name and --value"),
             (["--quarter", "2026-Q3", "--decision", "x"], "--decision and --due go with --decide"),
             (["--snapshot", "1", "--list"], "were given together")]
    for args, message in cases:
        assert main(["--db", url, "report", *args]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and message in err, (args, err)


def test_decisions_assumptions_and_the_board_pack(url, q3, capsys, tmp_path):
    from openpyxl import load_workbook

    from core.review import log as review_log

    engine = core.make_engine(url)
    sid = review_saved.save(engine, dataclasses.replace(q3))  # a copy: the save sets its id
    assert _run(capsys, "--db", url, "report", "--decide", str(sid), "--decision", "Extend the save offer to SMB",
                "--owner", "Ana", "--due", "2026-12-31", "--rationale", "+12.9 points") == [
        f"recorded decision 1 against snapshot {sid}"]
    assert _run(capsys, "--db", url, "report", "--assume", str(sid), "--name", "Outreach cost per call", "--value",
                "42.5", "--unit", "currency", "--owner", "CFO") == [
        f"added the assumption 'Outreach cost per call' to snapshot {sid}'s register"]
    log = review_log.decisions(engine, sid)
    assert log[["decision", "owner", "status"]].values.tolist() == [["Extend the save offer to SMB", "Ana", "open"]]
    assert str(log["due"].iloc[0]) == "2026-12-31"
    snap = review_saved.load(engine, sid)
    lines = _run(capsys, "--db", url, "report", "--snapshot", str(sid))
    assert lines[0].endswith(f"saved as snapshot {sid}")
    text = "\n".join(lines)
    assert "decisions:" in text and "Extend the save offer to SMB" in text and "2026-12-31" in text
    reg = review_log.assumptions(engine, snap)
    assert text.count("\n") >= len(snap.figures) + len(reg)
    tail = [_cells(ln) for ln in lines[lines.index("assumptions:") + 2:]]
    # a currency assumption reads as on the Quarterly review page: in its unit
    assert [c[0] for c in tail] == reg["name"].tolist() and tail[-1][1:4] == ["$42.50", "currency", "no"]
    # the workbook and the report of the saved snapshot, with its decision log and register
    xlsx, html = tmp_path / "pack.xlsx", tmp_path / "pack.html"
    assert _run(capsys, "--db", url, "report", "--snapshot", str(sid), "--out", str(xlsx))[-1] == (
        f"wrote the workbook of 2026-Q3 ({len(snap.figures)} figures) to {xlsx}")
    wb = load_workbook(xlsx)
    assert {"Summary", "Overview", "Decisions", "Assumptions", "Definitions"} <= set(wb.sheetnames)
    assert any("Extend the save offer to SMB" in str(c) for r in wb["Decisions"].iter_rows(values_only=True) for c in r)
    _run(capsys, "--db", url, "report", "--snapshot", str(sid), "--out", str(html))
    doc = html.read_text(encoding="utf-8")
    assert "Extend the save offer to SMB" in doc and "Outreach cost per call" in doc and "<svg" in doc


def test_an_out_file_of_another_kind_is_refused_before_any_review_is_built(url, capsys, monkeypatch):
    """``--out x.txt`` is a one-line error at once: before, the review was built (seconds) and then refused."""
    from core.review import snapshot as review_snapshot

    built = []
    monkeypatch.setattr(review_snapshot, "build", lambda *a, **k: built.append(a) or pytest.fail("built"))
    for args in (["--quarter", "2026-Q3", "--out", "x.txt"], ["--compare", "1", "2", "--out", "pack.pdf"],
                 ["--snapshot", "1", "--out", "figures"]):
        assert main(["--db", url, "report", *args]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: --out writes .csv (figures), .xlsx (the workbook) or .html (the report), not ")
    assert built == []
