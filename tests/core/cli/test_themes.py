"""``python -m core themes``: the Feedback themes figures on the command line, codebook changes, clear errors."""

import io
import json
import re
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main
from core.errors import InsufficientDataError
from core.export import units
from core.feedback import store as ts
from core.feedback import verbatims as vb
from core.feedback.codebook import Codebook
from core.feedback.discovery import discover
from core.feedback.followup import backlog, items, signals
from core.feedback.impact import HORIZON_DAYS, theme_impact
from core.feedback.inputs import in_window, load_inputs
from core.feedback.loop_times import loop_times
from core.feedback.prepared import prepare
from core.feedback.tagging import tag, untagged
from core.health import monitor as hm
from core.health import score as h
from core.history.inputs import load_inputs as churn_inputs
from tests.conftest import copy_store


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0)."""
    return copy_store(small_demo_store, tmp_path_factory.mktemp("cli_themes"))


@pytest.fixture(scope="module")
def url(store):
    return f"sqlite:///{store}"


@pytest.fixture(scope="module")
def ref(url):
    """What the command should print, computed with core directly."""
    eng = core.make_engine(url)
    inputs = load_inputs(eng)
    prepared = prepare(inputs)
    book = ts.load_codebook(eng)
    return {"inputs": inputs, "prepared": prepared, "book": book, "tags": tag(prepared["text"], book)}


@pytest.fixture
def copy_url(store, tmp_path):
    """A private copy of the demo store, for tests that change the codebook."""
    shutil.copy(store, tmp_path / "copy.db")
    return f"sqlite:///{tmp_path / 'copy.db'}"


def _cells(line):
    return re.split(r"\s{2,}", line.strip())


def _expected(r):
    """One theme_impact row as the table prints it: each figure in the unit the quarterly review gives it (mentions
    ``verbatims``, NPS impact ``nps``, churn impact ``points``, MRR at risk ``currency``)."""
    fv = units.format_value
    return [str(r.theme_id), r.theme, r.team, fv(r.mentions, "verbatims"), units.score(r.sentiment, 2, signed=True),
            fv(r.nps_impact, "nps"), f"{fv(r.churn_raised, 'share')} vs {fv(r.churn_others, 'share')}",
            f"{fv(r.churn_diff, 'points')} {units.interval(r.churn_low, r.churn_high, 'points')}",
            fv(r.mrr_at_risk, "currency")]


def _one_error_line(capsys):
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_impact_table_prints_core_figures_in_core_order(url, ref, capsys):
    assert main(["--db", url, "themes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    p = ref["prepared"]
    assert lines[0].startswith(f"{len(p):,} verbatims from {p['date'].min():%Y-%m-%d} to {p['date'].max():%Y-%m-%d}; "
                               f"churn within {HORIZON_DAYS} days")
    imp = theme_impact(p, ref["tags"], ref["book"], ref["inputs"])
    assert _cells(lines[1])[7] == "churn diff [95% CI]"
    rows = [_cells(ln) for ln in lines[2:]]
    assert rows[0][1] == "Pricing & value" and rows[0][8].startswith("$") and rows[0][7].endswith(" pts]")
    assert rows == [_expected(r) for r in imp.itertuples(index=False)]
    # a window and another horizon reach core unchanged
    assert main(["--db", url, "themes", "--start", "2025-01-01", "--end", "2025-12-31", "--horizon", "90"]) == 0
    lines = capsys.readouterr().out.splitlines()
    win = in_window(p, "2025-01-01", "2025-12-31")
    assert lines[0].startswith(f"{win.sum():,} verbatims from 2025-01-01 to 2025-12-31; churn within 90 days")
    imp = theme_impact(p, ref["tags"], ref["book"], ref["inputs"], start="2025-01-01", end="2025-12-31",
                          horizon=90)
    assert [_cells(ln) for ln in lines[2:]] == [_expected(r) for r in imp.itertuples(index=False)]


def test_scores_csv_equals_nps_of_the_same_answers(url, ref, capsys):
    assert main(["--db", url, "themes", "--scores", "--freq", "Y", "--by", "plan"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"period": str})
    assert list(t.columns) == ["period", "group", "metric", "value", "low", "high", "n"]
    s = ref["inputs"].surveys
    nps = s[(s["channel"] == "nps") & (s["date"].dt.year == 2025)]
    plans = ref["inputs"].customers.set_index("customer_id")["plan"]
    plan = sorted(nps["customer_id"].map(plans).dropna().unique())[0]
    for group, answers in (("All", nps["score"]), (plan, nps.loc[nps["customer_id"].map(plans) == plan, "score"])):
        row = t[(t["period"] == "2025") & (t["group"] == group) & (t["metric"] == "NPS")].iloc[0]
        v, lo, hi, n = vb.nps(answers)
        assert row["n"] == n > 0
        assert row[["value", "low", "high"]].tolist() == pytest.approx([v, lo, hi], abs=1e-4)
    # the window keeps the answers dated within it
    assert main(["--db", url, "themes", "--scores", "--start", "2025-02-01", "--end", "2025-06-30",
                 "--by", "region"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert set(t["period"]) == {"2025Q1", "2025Q2"}
    row = t[(t["period"] == "2025Q1") & (t["group"] == "All") & (t["metric"] == "NPS")].iloc[0]
    q1 = s[(s["channel"] == "nps") & (s["date"] >= "2025-02-01") & (s["date"] <= "2025-03-31")]
    assert row["n"] == vb.nps(q1["score"])[3] and row["value"] == pytest.approx(vb.nps(q1["score"])[0], abs=1e-4)


def test_signals_have_signal_words_mrr_and_todays_health(url, ref, tmp_path, capsys, monkeypatch):
    path = tmp_path / "signals.csv"
    assert main(["--db", url, "themes", "--signals", "--out", str(path)]) == 0
    assert "wrote" in capsys.readouterr().out
    t = pd.read_csv(path, dtype={"customer_id": str})
    expected = signals(ref["prepared"], ref["inputs"])
    assert len(t) == len(expected) > 0
    assert t["signal"].notna().all() and (t["signal"].str.strip() != "").all()
    assert t["vid"].tolist() == expected["vid"].tolist()
    assert t["mrr"].to_numpy() == pytest.approx(ref["inputs"].mrr.reindex(t["customer_id"]).to_numpy(), abs=1e-4)
    ci = churn_inputs(core.make_engine(url))
    frame = h.measure_frame(ci, ci.end())[0]
    today = h.score(h.default_config(frame), frame).set_index("customer_id")
    assert t["health"].to_numpy() == pytest.approx(today["score"].reindex(t["customer_id"]).to_numpy(), abs=1e-4,
                                                   nan_ok=True)
    assert t["band"].fillna("").tolist() == today["band"].reindex(t["customer_id"]).fillna("").tolist()

    # health that cannot be computed is left out, not an error
    def no_health(*args, **kwargs):
        raise InsufficientDataError("no signup dates")

    monkeypatch.setattr(hm, "snapshots", no_health)
    assert main(["--db", url, "themes", "--signals"]) == 0
    out = capsys.readouterr()
    t2 = pd.read_csv(io.StringIO(out.out))
    assert len(t2) == len(t) and "health" not in t2 and "band" not in t2
    assert "health scores left out: no signup dates" in out.err


def test_backlog_per_team_equals_core(url, ref, tmp_path, capsys):
    assert main(["--db", url, "themes", "--backlog"]) == 0
    out = capsys.readouterr().out
    b = backlog(items(ref["prepared"], ref["tags"], ref["book"]), ref["book"])
    teams = b.groupby("team")[["items", "open", "in_progress", "closed"]].sum()
    printed = [ln for ln in out.splitlines() if not ln.startswith(" ")][1:]
    assert len(printed) == len(teams)
    for team, t in teams.iterrows():
        line = (f"{team}: {units.count(t['items'])} items, {units.count(t['open'])} open, "
                f"{units.count(t['in_progress'])} in progress, {units.count(t['closed'])} closed "
                f"({units.percent(t['closed'] / t['items'])} closed)")
        assert line in printed
    path = tmp_path / "backlog.csv"
    assert main(["--db", url, "themes", "--backlog", "--start", "2026-01-01", "--out", str(path)]) == 0
    got = pd.read_csv(path)
    want = backlog(items(ref["prepared"], ref["tags"], ref["book"]), ref["book"], start="2026-01-01")
    assert got[["team", "theme_id", "items", "open", "closed"]].values.tolist() == \
           want[["team", "theme_id", "items", "open", "closed"]].values.tolist()
    engine = core.make_engine(url)
    times = loop_times(engine)
    engine.dispose()
    since = backlog(items(ref["prepared"], ref["tags"], ref["book"]), ref["book"], start="2026-01-01", loop=times)
    np.testing.assert_allclose(got[["median_days_to_close", "reopen_rate"]].to_numpy(float),
                               since[["median_days_to_close", "reopen_rate"]].to_numpy(float), rtol=0, atol=5e-5)
    full = backlog(items(ref["prepared"], ref["tags"], ref["book"]), ref["book"], loop=times)
    assert any(ln.split()[-4:] == ["days", "to", "close", "reopened"] for ln in out.splitlines())
    for r in full.itertuples(index=False):
        row = next(ln.split() for ln in out.splitlines() if ln.startswith(" ") and ln.split()[0] == str(r.theme_id))
        assert row[-2:] == [f"{r.median_days_to_close:g}", units.percent(r.reopen_rate)], r.theme


def test_codebook_changes_are_saved_and_logged(copy_url, tmp_path, capsys):
    eng = core.make_engine(copy_url)
    start = ts.load_codebook(eng)
    n_log = len(ts.change_log(eng))

    def run(*args):
        assert main(["--db", copy_url, "themes", *args, "--author", "Dana"]) == 0
        return capsys.readouterr().out, ts.load_codebook(eng)

    def unchanged(before, after, ids):
        assert {i: t for i, t in after.themes.items() if i not in ids} == \
               {i: t for i, t in before.themes.items() if i not in ids}

    out, b1 = run("--rename", "2", "Price & value", "--reason", "shorter")
    assert "Renamed 'Pricing & value' to 'Price & value'" in out
    assert b1.get(2).name == "Price & value" and b1.get(2).keywords == start.get(2).keywords
    unchanged(start, b1, {2})
    out, b2 = run("--merge", "8,7", "--into", "1")
    assert {b2.get(7).status, b2.get(8).status} == {"merged"} and b2.get(7).merged_into == b2.get(8).merged_into == 1
    assert b2.get(1).rules() == start.get(1).rules() + start.get(8).rules() + start.get(7).rules()
    unchanged(b1, b2, {1, 7, 8})
    out, b3 = run("--create", "Performance", "--keywords", "slow, loading times, performance", "--team",
                  "Engineering")
    new = b3.get(start.next_id)
    assert new.name == "Performance" and new.keywords == ("slow", "loading times", "performance")
    assert new.team == "Engineering" and f"new theme {new.id}" in out
    unchanged(b2, b3, {new.id})
    out, b4 = run("--split", str(new.id), "Loading", "--keywords", "loading times")
    assert b4.get(new.id).keywords == ("slow", "performance") and b4.get(new.id + 1).keywords == ("loading times",)
    unchanged(b3, b4, {new.id, new.id + 1})
    log = ts.change_log(eng)
    assert len(log) == n_log + 4
    assert log["action"].head(4).tolist() == ["split", "create", "merge", "rename"]
    assert set(log["author"].head(4)) == {"Dana"} and log["reason"].iloc[3] == "shorter"
    assert main(["--db", copy_url, "themes", "--log"]) == 0
    assert "Merged 'Documentation', 'Usability' into 'Onboarding & setup'" in capsys.readouterr().out
    assert main(["--db", copy_url, "themes", "--codebook"]) == 0
    assert "Price & value" in capsys.readouterr().out
    path = tmp_path / "codebook.json"
    assert main(["--db", copy_url, "themes", "--export-codebook", str(path)]) == 0
    assert Codebook.from_dict(json.loads(path.read_text())) == b4


def test_missing_author_unknown_ids_and_bad_options_are_one_line_errors(url, capsys):
    eng = core.make_engine(url)
    book, n_log = ts.load_codebook(eng), len(ts.change_log(eng))
    assert main(["--db", url, "themes", "--rename", "2", "Price"]) == 2
    assert "--author" in _one_error_line(capsys)
    assert main(["--db", url, "themes", "--merge", "7", "--into", "1", "--author", " "]) == 2
    assert "--author" in _one_error_line(capsys)
    assert main(["--db", url, "themes", "--rename", "99", "Price", "--author", "Dana"]) == 2
    assert "no theme with id 99" in _one_error_line(capsys)
    assert main(["--db", url, "themes", "--merge", "7,99", "--into", "1", "--author", "Dana"]) == 2
    assert "no theme with id 99" in _one_error_line(capsys)
    assert main(["--db", url, "themes", "--split", "x", "New", "--keywords", "a", "--author", "Dana"]) == 2
    assert "not a theme id" in _one_error_line(capsys)
    assert main(["--db", url, "themes", "--scores", "--signals"]) == 2
    _one_error_line(capsys)
    assert main(["--db", url, "themes", "--start", "2025-02-30"]) == 2
    assert "YYYY-MM-DD" in _one_error_line(capsys)
    assert ts.load_codebook(eng) == book and len(ts.change_log(eng)) == n_log


def test_export_writes_every_sheet_with_the_table_first(url, ref, tmp_path, capsys):
    path = tmp_path / "themes.xlsx"
    assert main(["--db", url, "themes", "--export", str(path)]) == 0
    capsys.readouterr()
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Themes", "Scores", "Signals", "Backlog", "Codebook", "Change log", "Definitions"]
    imp = theme_impact(ref["prepared"], ref["tags"], ref["book"], ref["inputs"])
    ws = wb["Themes"]
    head = [c.value for c in ws[1]]
    first = dict(zip(head, [c.value for c in ws[2]]))
    assert ws.max_row - 1 == len(imp)
    assert (first["theme_id"], first["theme"], first["mentions"]) == (imp["theme_id"][0], "Pricing & value",
                                                                     imp["mentions"][0])
    assert first["churn_diff"] == pytest.approx(imp["churn_diff"][0])
    assert first["mrr_at_risk"] == pytest.approx(imp["mrr_at_risk"][0])
    assert wb["Signals"].max_row - 1 == len(signals(ref["prepared"], ref["inputs"]))


def test_discover_prints_candidates(url, ref, capsys):
    assert main(["--db", url, "themes", "--discover", "5"]) == 0
    out = capsys.readouterr().out
    cands = discover(untagged(ref["prepared"], ref["tags"])["text"], k=5)
    assert 1 <= len(cands) <= 5
    for c in cands:
        assert f"candidate {c.number}: {units.count(c.size)} verbatims ({units.percent(c.share)})" in out
        assert f"  top terms: {', '.join(c.terms)}" in out
        assert f"  suggested keywords: {', '.join(c.keywords)}" in out
    assert out.count("  example: ") == len(cands)


def test_an_empty_store_or_one_without_texts_is_a_clear_error(db_url, capsys):
    assert main(["--db", db_url, "themes"]) == 2
    assert "load the demo" in _one_error_line(capsys)
    eng = core.make_engine(db_url)
    customers = b"customer_id,signup_date\nC1,2024-01-31\nC2,2024-02-15\n"
    core.commit_import(eng, core.prepare_import(eng, customers, "c.csv", "customers"))
    scores = b"customer_id,date,channel,score\nC1,2024-03-01,nps,9\nC2,2024-03-02,nps,3\n"
    core.commit_import(eng, core.prepare_import(eng, scores, "f.csv", "feedback"))
    assert main(["--db", db_url, "themes", "--signals"]) == 2
    assert "no verbatims" in _one_error_line(capsys)
