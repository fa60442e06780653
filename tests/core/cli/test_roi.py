"""``python -m core roi``: every printed figure is core.export.units' string of core.roi's figure on the same store,
the workbook keeps the raw numbers, clear errors."""

import io
import re

import openpyxl
import pandas as pd
import pytest

import core
from core.cli.main import main
from core.demo.campaign import make_campaign
from core.export import units
from core.roi import setup
from core.roi.defaults import PRE_REVENUE, PRE_USAGE, RETAINED, REVENUE
from core.roi.estimates import compare
from core.roi.inputs import load_inputs
from core.roi.money import money as arm_money
from core.roi.outcomes import arms, outcomes, store_outcomes_apply
from core.roi.planning import detectable_effect, monthly_contacts, sample_size
from core.roi.plays import plays_table
from core.roi.sample_ratio import srm as srm_check
from core.roi.time_to_impact import time_to_impact
from tests.conftest import copy_store

PLAY = "Renewal save offer"


@pytest.fixture(scope="module")
def store(small_demo_store, tmp_path_factory):
    """A private copy of the session's small demo store (1,000 customers, seed 0)."""
    return copy_store(small_demo_store, tmp_path_factory.mktemp("cli_roi"))


@pytest.fixture(scope="module")
def url(store):
    return f"sqlite:///{store}"


@pytest.fixture(scope="module")
def inputs(url):
    return load_inputs(core.make_engine(url))


@pytest.fixture(scope="module")
def frames(inputs):
    """Outcomes of each play over 90 days (the default window), computed with core directly."""
    return {p: outcomes(inputs, p, window=90) for p in inputs.plays()}


@pytest.fixture(scope="module")
def campaign_url(tmp_path_factory):
    """A store holding only a randomised three-arm e-mail campaign, imported from its spreadsheet."""
    u = f"sqlite:///{tmp_path_factory.mktemp('cli_roi_campaign') / 'c.db'}"
    engine = core.make_engine(u)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        make_campaign(1500, seed=4).to_excel(xw, sheet_name="Spring test", index=False)
    plan = core.prepare_import(engine, buf.getvalue(), "spring.xlsx", "interventions", sheet="Spring test",
                               constants={"play": "Spring e-mail test"}, mapping={"date": "Sent On"},
                               create_customers=True)
    core.commit_import(engine, plan)
    return u


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a file named without a folder lands in the test's own


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out.splitlines()


def _one_error_line(capsys):
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


def _cells(line):
    return re.split(r"\s{2,}", line.strip())


def _money(x, signed=False):
    return units.format_value(x, "currency", signed=signed)


def _points_ci(d, lo, hi):
    """A difference of rates with its interval, as the review writes the play effect: ``+5.0 pts [-3.0 pts, ...]``."""
    return f"{units.points(d)} {units.interval(lo, hi, 'points')}"


def _money_ci(d, lo, hi):
    """A difference of amounts with its interval: ``+$12 [-$3, +$27]``."""
    return f"{_money(d, True)} [{_money(lo, True)}, {_money(hi, True)}]"


# -- the plays table -------------------------------------------------------------------------------


def test_plays_table_prints_core_figures(url, inputs, capsys, tmp_path):
    for window in (90, 180):
        lines = _run(capsys, "--db", url, "roi", "--window", str(window))
        assert lines[0].startswith(f"4 plays; retention {window} days after the contact")
        t = plays_table(inputs, window=window)
        rows = [_cells(ln) for ln in lines[2:]]
        assert [r[0] for r in rows] == t["play"].tolist() == inputs.plays()
        assert _cells(lines[1])[-1] == "difference [95% CI]"
        for cells, r in zip(rows, t.itertuples(index=False)):
            assert cells[1] == r.channel
            assert [cells[2], cells[3], cells[4], cells[7]] == [units.count(x) for x in (r.arms, r.contacts,
                                                                                         r.held_out, r.eligible)]
            assert (cells[5], cells[6]) == (f"{r.first:%Y-%m-%d}", f"{r.last:%Y-%m-%d}")
            assert cells[8:] == [_money(r.cost), units.percent(r.retention_treated),
                                 units.percent(r.retention_control), _points_ci(r.difference, r.low, r.high)]
    # --out writes the unrounded table
    path = tmp_path / "plays.xlsx"
    assert _run(capsys, "--db", url, "roi", "--out", str(path)) == [f"wrote 4 plays to {path}"]
    got, want = pd.read_excel(path), plays_table(inputs)
    assert got.columns.tolist() == want.columns.tolist() and got["play"].tolist() == want["play"].tolist()
    cols = ["contacts", "held_out", "eligible", "cost", "retention_treated", "difference", "low", "high"]
    assert got[cols].to_numpy(float) == pytest.approx(want[cols].to_numpy(float))


# -- one play --------------------------------------------------------------------------------------


def _comparison_rows(lines):
    i = next(i for i, ln in enumerate(lines) if ln.startswith("arm "))
    j = next(i for i, ln in enumerate(lines) if ln.startswith("sample ratio: "))
    return _cells(lines[i]), [_cells(ln) for ln in lines[i + 1:j]], lines[j]


def _check_comparison(rows, comp, binary):
    """Rates and differences of a yes/no outcome as shares and points, an amount's as money (as the page)."""
    mean, ci = (units.percent, _points_ci) if binary else (_money, _money_ci)
    assert [r[0] for r in rows] == comp["arm"].tolist()
    for cells, r in zip(rows, comp.to_dict("records")):
        want = [units.count(r["n"]), units.count(r["n_control"]), mean(r["treatment"]), mean(r["control"]),
                ci(r["difference"], r["low"], r["high"]), units.p_value(r["p_value"])]
        if "cuped_difference" in r:
            want += [ci(r["cuped_difference"], r["cuped_low"], r["cuped_high"]), units.p_value(r["cuped_p_value"]),
                     units.percent(r["variance_reduction"])]
        assert cells[1:] == want


def _check_srm(line, check):
    counts = ", ".join(f"{a} {units.count(n)}" for a, n in check["counts"].items())
    assert line.startswith(f"sample ratio: {counts}; planned ")
    expected = ", ".join(units.count(v) for v in check["expected"].values())
    assert (f": {expected} expected; chi-square {units.score(check['chi2'], digits=2)}, "
            f"p {units.p_value(check['p_value'])}") in line
    assert ("MISMATCH" in line) == check["mismatch"]


def test_comparison_prints_plain_and_cuped_per_arm_and_the_sample_ratio(url, frames, capsys):
    f = frames[PLAY]
    lines = _run(capsys, "--db", url, "roi", "--play", PLAY, "--window", "90")
    assert lines[0] == (f"{PLAY}: 303 contacts from 2024-10-15 to 2026-07-26 (email); arms treatment 258, holdout 45; "
                        "control arm 'holdout'")
    assert lines[1].startswith("outcome: retained over 90 days after the contact; 303 of 303 contacts eligible")
    assert lines[1].endswith("CUPED on usage before contact (log)")
    head, rows, srm_line = _comparison_rows(lines)
    assert head[5] == "difference [95% CI]" and head[7] == "CUPED difference [95% CI]"
    _check_comparison(rows, compare(f, RETAINED, covariate=PRE_USAGE), binary=True)
    # two arms: the planned split defaults to 15 % held out, as on the page
    _check_srm(srm_line, srm_check(f, holdout_share=0.15))
    assert "planned 15% held out (default)" in srm_line and srm_line.endswith("fit the plan")

    # revenue kept (an amount, CUPED on revenue before contact), another window and a planned split
    f60 = outcomes(load_inputs(core.make_engine(url)), PLAY, window=60)
    lines = _run(capsys, "--db", url, "roi", "--play", PLAY, "--window", "60", "--outcome", "revenue_kept",
                 "--holdout-share", "0.5")
    assert lines[1].startswith("outcome: revenue kept over 60 days") and lines[1].endswith("revenue before contact")
    head, rows, srm_line = _comparison_rows(lines)
    assert head[5] == "difference [95% CI]" and head[3] == "arm mean"
    _check_comparison(rows, compare(f60, REVENUE, covariate=PRE_REVENUE), binary=False)
    _check_srm(srm_line, srm_check(f60, holdout_share=0.5))
    assert "MISMATCH" in srm_line and "--holdout-share" not in srm_line  # the plan was given

    # no covariate, and another control arm
    lines = _run(capsys, "--db", url, "roi", "--play", PLAY, "--covariate", "none", "--control", "treatment")
    assert lines[0].endswith("control arm 'treatment'") and lines[1].endswith("no CUPED covariate")
    _, rows, srm_line = _comparison_rows(lines)
    _check_comparison(rows, compare(f, RETAINED, control="treatment"), binary=True)
    _check_srm(srm_line, srm_check(f, control="treatment", holdout_share=0.15))
    assert "give the control arm's planned share with --holdout-share" in srm_line + "".join(lines)


def test_money_table_per_arm_equals_core(url, frames, capsys, tmp_path):
    f = frames["Onboarding call"]
    lines = _run(capsys, "--db", url, "roi", "--play", "Onboarding call", "--money", "--margin", "0.7",
                 "--value-months", "24")
    assert "margin 70%; a saved customer worth 24 months" in lines[1]
    assert lines[3] == "treatment vs holdout" and _cells(lines[4]) == ["measure", "value", "95% CI", "definition"]
    m = arm_money(f, "treatment", margin=0.7, value_months=24)
    rows = [_cells(ln) for ln in lines[5:]]
    assert [r[0] for r in rows] == m["measure"].tolist()
    for cells, r in zip(rows, m.itertuples(index=False)):
        assert cells[1] == units.format_value(r.value, r.unit)  # as the page's money table and the review
        assert cells[-1] == r.definition
        if r.measure in ("Contacts treated", "Cost"):
            assert len(cells) == 3  # known, not estimated: no interval
        else:
            assert cells[2] == units.interval(r.low, r.high, r.unit)
    shown = dict(zip([r[0] for r in rows], [r[1] for r in rows]))
    assert shown["Cost"].startswith("$") and shown["ROI (window)"].endswith("%")
    # the plain estimates, written as CSV
    csv = tmp_path / "money.csv"
    out = _run(capsys, "--db", url, "roi", "--play", "Onboarding call", "--money", "--covariate", "none",
               "--out", str(csv))
    assert out[-1] == f"wrote 9 money rows to {csv}"
    got = pd.read_csv(csv)
    want = arm_money(f, "treatment", retention_covariate=None, revenue_covariate=None)
    assert got["measure"].tolist() == want["measure"].tolist() and set(got["arm"]) == {"treatment"}
    assert got[["value", "low", "high"]].to_numpy() == pytest.approx(want[["value", "low", "high"]].to_numpy())


def test_time_to_impact_every_seven_days_and_the_last(url, inputs, capsys):
    f = outcomes(inputs, PLAY, window=45)
    lines = _run(capsys, "--db", url, "roi", "--play", PLAY, "--impact", "--window", "45")
    assert lines[2].startswith("treatment vs holdout: share still a customer each day after the contact (258 and 45 ")
    assert _cells(lines[3]) == ["day", "treatment", "holdout", "difference [95% CI]"]
    t = time_to_impact(f, "treatment", window=45).set_index("day")
    rows = [_cells(ln) for ln in lines[4:]]
    assert [int(r[0]) for r in rows] == [7, 14, 21, 28, 35, 42, 45]
    for cells in rows:
        r = t.loc[int(cells[0])]
        assert cells[1:] == [units.percent(r["treatment"]), units.percent(r["control"]),
                             _points_ci(r["difference"], r["low"], r["high"])]
    # on the last day the difference is the comparison's plain retention difference
    assert t.loc[45, "difference"] == pytest.approx(compare(f, RETAINED)["difference"][0])


def test_plan_sample_size_months_and_detectable_effect(url, frames, capsys):
    lines = _run(capsys, "--db", url, "roi", "--plan", "--p-control", "0.87", "--effect", "0.05")
    r = sample_size(0.87, 0.05)
    assert lines[0] == ("plan: detect +5.0 pts over 87.0% retention with 80% power at a two-sided alpha of 0.05, "
                        "15% of contacts held out")
    assert lines[1] == (f"contacts needed: {units.count(r['n_treatment'])} treated + {units.count(r['n_holdout'])} "
                        f"held out = {units.count(r['n_total'])}")
    assert lines[2].startswith("duration: give --per-month")
    # with a play: its pace, its control arm's retention by default, and what its arms detect now
    f = frames[PLAY]
    e = f[f["eligible"]]
    p0 = e.loc[e["arm"] == "holdout", "retained"].mean()
    lines = _run(capsys, "--db", url, "roi", "--plan", "--play", PLAY, "--effect", "0.08", "--holdout-share", "0.2",
                 "--power", "0.9", "--alpha", "0.1")
    r = sample_size(p0, 0.08, holdout_share=0.2, power_target=0.9, alpha=0.1,
                    contacts_per_month=monthly_contacts(f))
    assert lines[0].startswith(f"plan: detect +8.0 pts over {units.percent(p0)} retention ('{PLAY}' holdout")
    assert "90% power at a two-sided alpha of 0.1, 20% of contacts held out" in lines[0]
    assert lines[1] == (f"contacts needed: {units.count(r['n_treatment'])} treated + {units.count(r['n_holdout'])} "
                        f"held out = {units.count(r['n_total'])}")
    assert lines[2].startswith(f"duration: {units.count(r['months'])} months at {units.count(monthly_contacts(f))} "
                               "contacts a month (the average of")
    d = detectable_effect(p0, 258, 45, alpha=0.1, power_target=0.9)
    assert lines[3].startswith("detectable now: 'treatment' with 258 and 'holdout' with 45 eligible contacts")
    assert f"detect {units.points(d)} or more" in lines[3]
    # --per-month wins over the play's pace
    lines = _run(capsys, "--db", url, "roi", "--plan", "--play", PLAY, "--p-control", "0.87", "--effect", "0.05",
                 "--per-month", "40")
    assert lines[2] == (f"duration: {units.count(sample_size(0.87, 0.05, contacts_per_month=40)['months'])} months "
                        "at 40 contacts a month")


def test_export_workbook_equals_core(url, frames, capsys, tmp_path):
    path = tmp_path / "roi.xlsx"
    lines = _run(capsys, "--db", url, "roi", "--play", PLAY, "--export", str(path), "--margin", "0.6")
    assert lines == [f"wrote Comparison (2 rows), Money (9 rows), Time to impact (91 rows), SRM (2 rows) to {path}"]
    f = frames[PLAY]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Comparison", "Money", "Time to impact", "SRM", "Definitions"]

    def sheet(name):
        rows = list(wb[name].values)
        return pd.DataFrame(rows[1:], columns=rows[0])

    comp = sheet("Comparison")
    assert comp["outcome"].tolist() == ["retained", "revenue_kept"]
    assert comp["covariate"].tolist() == ["pre_usage", "pre_revenue"]
    for i, (outcome, cov) in enumerate([(RETAINED, PRE_USAGE), (REVENUE, PRE_REVENUE)]):
        want = compare(f, outcome, covariate=cov).iloc[0]
        got = comp.iloc[i]
        assert got["arm"] == want["arm"] and got["n"] == want["n"] and got["n_control"] == want["n_control"]
        for c in ("treatment", "control", "difference", "low", "high", "p_value", "theta", "cuped_difference",
                  "cuped_low", "cuped_high", "variance_reduction"):
            assert got[c] == pytest.approx(want[c], rel=1e-12), c
    money = sheet("Money")
    want = arm_money(f, "treatment", margin=0.6)
    assert money["measure"].tolist() == want["measure"].tolist() and set(money["arm"]) == {"treatment"}
    assert money[["value", "low", "high"]].to_numpy(float) == pytest.approx(want[["value", "low", "high"]].to_numpy())
    assert money["definition"].tolist() == want["definition"].tolist()
    tti = sheet("Time to impact")
    want = time_to_impact(f, "treatment", window=90)
    assert tti["day"].tolist() == want["day"].tolist()
    assert tti[["treatment", "control", "difference", "low", "high"]].to_numpy(float) == pytest.approx(
        want[["treatment", "control", "difference", "low", "high"]].to_numpy())
    srm = sheet("SRM")
    check = srm_check(f, holdout_share=0.15)
    assert dict(zip(srm["arm"], srm["contacts"])) == check["counts"]
    assert srm["expected"].tolist() == pytest.approx(list(check["expected"].values()))
    assert srm["chi2"][0] == pytest.approx(check["chi2"]) and srm["p_value"][0] == pytest.approx(check["p_value"])
    assert srm["mismatch"].tolist() == [check["mismatch"]] * 2


# -- an imported campaign --------------------------------------------------------------------------


def test_a_campaign_is_measured_by_its_own_columns(campaign_url, capsys, tmp_path):
    play = "Spring e-mail test"
    f = outcomes(load_inputs(core.make_engine(campaign_url)), play)
    assert not store_outcomes_apply(f)
    lines = _run(capsys, "--db", campaign_url, "roi", "--play", play)
    assert lines[1].startswith("outcome: Visited (imported with the play)")  # the first imported column, as the page
    _, rows, srm_line = _comparison_rows(lines)
    _check_comparison(rows, compare(f, "Visited"), binary=True)
    _check_srm(srm_line, srm_check(f))  # three arms: planned equal by default
    assert "planned equal arms (default)" in srm_line
    lines = _run(capsys, "--db", campaign_url, "roi", "--play", play, "--outcome", "Spend", "--covariate",
                 "Spend Last Year")
    _, rows, _ = _comparison_rows(lines)
    _check_comparison(rows, compare(f, "Spend", covariate="Spend Last Year"), binary=False)
    # money values the campaign's spend (no customers saved)
    lines = _run(capsys, "--db", campaign_url, "roi", "--play", play, "--money")
    assert "Customers saved" not in "\n".join(lines)
    arm = arms(f)[0]
    m = arm_money(f, arm, revenue="Spend", retention=None, revenue_covariate=None)
    i = lines.index(f"{arm} vs holdout")
    rows = [_cells(ln) for ln in lines[i + 2:i + 2 + len(m)]]
    for cells, r in zip(rows, m.itertuples(index=False), strict=True):
        assert cells[0] == r.measure
        assert cells[1] == units.format_value(r.value, r.unit)
    # time to impact needs the store's churn dates; the workbook leaves it out
    assert main(["--db", campaign_url, "roi", "--play", play, "--impact"]) == 2
    assert "churn dates" in _one_error_line(capsys)
    assert main(["--db", campaign_url, "roi", "--play", play, "--outcome", "retained"]) == 2
    assert "own columns instead: Visited, Converted, Spend, Spend Last Year" in _one_error_line(capsys)
    path = tmp_path / "c.xlsx"
    _run(capsys, "--db", campaign_url, "roi", "--play", play, "--export", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Comparison", "Money", "SRM", "Definitions"]


# -- errors ----------------------------------------------------------------------------------------


def test_unknown_play_bad_settings_and_options_are_one_line_errors(url, capsys):
    assert main(["--db", url, "roi", "--play", "Nope"]) == 2
    plays = "Onboarding call, Renewal save offer, Usage drop check-in, Usage nudge e-mail"
    assert f"There is no play 'Nope'. Plays: {plays}." in _one_error_line(capsys)
    assert main(["--db", url, "roi", "--play", PLAY, "--money", "--margin", "80"]) == 2
    assert "margin must be between 0 and 1" in _one_error_line(capsys)
    assert main(["--db", url, "roi", "--play", PLAY, "--export", "roi.xlsx", "--margin", "-0.1"]) == 2
    assert "margin must be between 0 and 1" in _one_error_line(capsys)
    cases = [
        (["--margin", "0.5"], "--margin goes with --money, --export or --next-wave"),
        (["--play", PLAY, "--money", "--impact"], "one action at a time"),
        (["--money"], "--play NAME"),
        (["--holdout-share", "0.2"], "--holdout-share goes with --play NAME alone, --export or --plan"),
        (["--play", PLAY, "--export", "roi.xlsx", "--out", "roi.csv"], "--out goes with the plays table"),
        (["--play", PLAY, "--control", "nobody"], "no arm 'nobody'. Arms: treatment (258), holdout (45)"),
        (["--play", PLAY, "--outcome", "spend"], "no outcome 'spend'. Outcomes: retained, revenue_kept"),
        (["--play", PLAY, "--covariate", "spend"], "choose pre_usage, pre_revenue, none"),
        (["--play", PLAY, "--export", "roi.csv"], "ending in .xlsx"),
        (["--plan", "--effect", "0.05"], "--p-control"),
        (["--plan", "--p-control", "0.9", "--effect", "0.2"], "between 0 and 1"),
        (["--window", "0"], "--window must be at least 1 day"),
        (["--play", PLAY, "--window", "1000"], "Choose a shorter window"),
        (["--play", PLAY, "--next-wave"], "--next-wave needs --budget MONEY"),
        (["--next-wave", "--budget", "100"], "name it with --play NAME"),
        (["--play", PLAY, "--budget", "100"], "--budget goes with --next-wave"),
        (["--play", PLAY, "--next-wave", "--budget", "100", "--value-per-save", "5", "--value-months", "6"],
         "not both"),
        (["--play", PLAY, "--next-wave", "--budget", "100", "--rest-days", "-1"], "--rest-days must be 0 days"),
        (["--play", PLAY, "--next-wave", "--budget", "-5"], "must be zero or more"),
        (["--play", "Usage nudge e-mail", "--next-wave", "--budget", "10", "--outcome", "responded"],
         "Give --value-per-save MONEY"),
    ]
    for args, message in cases:
        assert main(["--db", url, "roi", *args]) == 2, args
        assert message in _one_error_line(capsys), args


# -- the next wave ---------------------------------------------------------------------------------


def test_next_wave_prints_the_funnel_and_the_list_of_core(url, inputs, frames, capsys, tmp_path):
    from core.roi import wave as rw
    from core.roi.uplift_model import fit_uplift

    f = frames[PLAY]
    res = fit_uplift(f, ["segment", "plan", "mrr_before", "pre_usage"])  # no churn model in this store
    cost = setup.contact_cost(f, "holdout")  # the play's average cost of a treated contact, to the cent
    assert cost == round(f.loc[f["arm"] != "holdout", "cost"].mean(), 2)
    # a save worth 36 months of MRR: on the 1,000-customer demo 6 months left nobody worth a contact of about $4,600;
    # at 36 more customers are worth one than the budget buys, so the list is cut by the budget
    want = rw.next_wave(inputs, f, res, rw.WaveSettings(budget=40000, cost_per_contact=cost, value_months=36,
                                                                margin=0.7))
    worth = want.funnel.set_index("step")["customers"]["Worth contacting"]
    assert 2 <= len(want.targets) < worth
    lines = _run(capsys, "--db", url, "roi", "--play", PLAY, "--next-wave", "--budget", "40000", "--value-months", "36",
                 "--margin", "0.7")
    assert lines[1].startswith("uplift model on segment, plan, mrr_before, pre_usage (retained over 90 days)")
    assert lines[1].endswith(f"Qini coefficient {units.points(res.qini_coefficient)} (cross-fitted)")
    # the budget, the cost of a contact, the wave's cost and net value as the page writes them (ui/roi/wave.py)
    assert lines[2].startswith(f"budget $40,000; a contact costs {units.format_value(cost, 'currency')}; ")
    assert "MRR x 36 months x 70% margin" in lines[2]
    funnel = [_cells(ln) for ln in lines[4:4 + len(want.funnel)]]
    assert [c[0] for c in funnel] == want.funnel["step"].tolist()
    assert [c[1] for c in funnel] == [units.count(n) for n in want.funnel["customers"]]
    summary = lines[4 + len(want.funnel)]
    assert summary == (f"next wave: {units.count(len(want.targets))} customers, cost "
                       f"{units.format_value(want.spend, 'currency')}; expected {units.count(want.expected_gain)} more "
                       f"customers kept, net value {units.money(want.expected_value)}")
    head = next(i for i, ln in enumerate(lines) if ln.startswith("customer  "))
    assert all(ln.startswith("caution: ") for ln in lines[4 + len(want.funnel) + 1:head])
    rows = [_cells(ln) for ln in lines[head + 1:] if not ln.startswith("...")]
    assert [r[0] for r in rows] == want.targets["customer_id"].head(20).tolist()
    for cells, r in zip(rows, want.targets.itertuples(index=False)):
        assert cells[4:] == [units.percent(r.risk), _money(r.mrr_before), units.points(r.predicted_uplift),
                             _money(r.expected_value), units.format_value(r.cost, "currency"),
                             _money(r.cumulative_cost)]
    assert want.targets["cumulative_cost"].max() <= 40000
    # --out writes every listed customer, unrounded
    path = tmp_path / "wave.csv"
    out = _run(capsys, "--db", url, "roi", "--play", PLAY, "--next-wave", "--budget", "40000", "--value-months",
               "36", "--margin", "0.7", "--out", str(path))
    assert out[-1] == f"wrote {len(want.targets):,} customers to {path}"
    got = pd.read_csv(path)
    assert got["customer_id"].tolist() == want.targets["customer_id"].tolist()
    assert got["expected_value"].to_numpy() == pytest.approx(want.targets["expected_value"].to_numpy())


def test_next_wave_on_an_imported_outcome_values_each_unit_and_cautions(url, inputs, frames, capsys):
    from core.roi import wave as rw
    from core.roi.uplift_model import fit_uplift

    play = "Usage nudge e-mail"
    f = frames[play]
    res = fit_uplift(f, ["segment", "plan", "mrr_before", "pre_usage"], outcome="responded")
    want = rw.next_wave(inputs, f, res, rw.WaveSettings(budget=5, cost_per_contact=0.05, value_per_save=2.0,
                                                                outcome="responded"))
    lines = _run(capsys, "--db", url, "roi", "--play", play, "--next-wave", "--budget", "5", "--outcome", "responded",
                 "--value-per-save", "2")
    assert "budget $5; a contact costs $0.05; one more responded worth $2" in lines[2]
    summary = next(ln for ln in lines if ln.startswith("next wave:"))
    assert summary.startswith(f"next wave: {len(want.targets):,} customers") and "more responded" in summary
    assert len(want.targets) == 100  # 5 / 0.05: the budget binds
    cautions = [ln[len("caution: "):] for ln in lines if ln.startswith("caution: ")]
    assert cautions == rw.cautions(res, f, "responded")


def test_an_empty_store_says_how_to_get_plays(db_url, capsys):
    assert main(["--db", db_url, "roi"]) == 2
    err = _one_error_line(capsys)
    assert "import interventions" in err and "load the demo" in err
    assert main(["--db", db_url, "roi", "--play", PLAY]) == 2
    assert "load the demo" in _one_error_line(capsys)
    # planning needs no data
    assert main(["--db", db_url, "roi", "--plan", "--p-control", "0.8", "--effect", "0.1"]) == 0
    assert f"{sample_size(0.8, 0.1)['n_total']:,}" in capsys.readouterr().out
