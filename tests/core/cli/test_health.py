"""``python -m core health``: the page's figures on the command line, saving versions, clear errors."""

import json

import openpyxl
import pytest

import core
from core.cli.main import main
from core.demo.load import load_demo
from core.export import units
from core.health import backtest as hb
from core.health import score as h
from core.health import store as hs
from core.history.inputs import load_inputs


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    u = f"sqlite:///{tmp_path_factory.mktemp('cli_health') / 'store.db'}"
    load_demo(core.make_engine(u), n_customers=1500, seed=2)
    return u


def test_backtest_and_suggestion_print_the_same_figures_as_core(url, capsys):
    assert main(["--db", url, "health", "--backtest", "--suggest"]) == 0
    out = capsys.readouterr().out
    inputs = load_inputs(core.make_engine(url))
    cfg = h.default_config(h.measure_frame(inputs, inputs.end())[0])
    data = hb.backtest_data(inputs, months=12)
    r, s = hb.evaluate(cfg, data), hb.suggest_weights(cfg, data)
    assert "configuration default (not saved yet)" in out
    # the review's units: the back-test AUC a score, the red/green churn ratio a multiple, band churn rates shares
    assert (f"ROC-AUC {units.format_value(r.auc, 'score')}; red churns {units.format_value(r.red_green_ratio, 'ratio')}"
            " as often as green") in out
    assert f"ROC-AUC {units.score(s.auc_suggested)} vs {units.score(s.auc_current)} now" in out
    lines = out.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.split() == r.bands.columns.tolist())
    for ln, b in zip(lines[head + 1:], r.bands.itertuples(index=False), strict=False):
        assert ln.split() == [b.band, units.count(b.customers), units.percent(b.share), units.count(b.churners),
                              units.percent(b.churn_rate), units.percent(b.predicted), units.multiple(b.lift)]


def test_alerts_scores_and_config_files(url, tmp_path, capsys):
    xlsx, csv, cfg = tmp_path / "a.xlsx", tmp_path / "s.csv", tmp_path / "c.json"
    assert main(["--db", url, "health", "--alerts", str(xlsx), "--scores", str(csv), "--export-config", str(cfg)]) == 0
    out = capsys.readouterr().out
    n = int(out.split("wrote ")[3].split(" customers with alerts")[0].replace(",", ""))
    ws = openpyxl.load_workbook(xlsx).active
    assert ws.max_row - 1 == n and ws.cell(1, 1).value == "customer_id"
    assert h.HealthConfig.from_dict(json.loads(cfg.read_text())).validate()
    assert csv.read_text().splitlines()[0].startswith("customer_id,segment,mrr")


def test_accept_and_save_create_versions_with_author_and_reason(url, tmp_path, capsys):
    assert main(["--db", url, "health", "--accept", "--author", "Dana", "--reason", "fitted weights"]) == 0
    eng = core.make_engine(url)
    v = hs.versions(eng)
    assert v["author"].iloc[0] == "Dana" and v["reason"].iloc[0] == "fitted weights"
    # a configuration file whose weights do not add up to 100 is refused with one line, nothing saved
    bad = hs.load_config(eng).to_dict()
    bad["weights"]["adoption"]["usage"] += 7
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert main(["--db", url, "health", "--config", str(path), "--save", "--author", "x", "--reason", "y"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The adoption weights add up to 107, not 100")
    assert len(hs.versions(eng)) == len(v)
    assert main(["--db", url, "health", "--accept"]) == 2  # no author
    assert "author field is empty" in capsys.readouterr().err
    assert main(["--db", url, "health", "--versions"]) == 0
    assert "Dana" in capsys.readouterr().out


def test_an_empty_store_is_a_clear_error(db_url, capsys):
    assert main(["--db", db_url, "health"]) == 2
    assert "import a customer file or load the demo" in capsys.readouterr().err


def test_a_store_with_too_few_measures_says_what_is_missing_not_band_shares(tmp_path, shared, capsys):
    """The telco snapshot: only renewal proximity has data, under the minimum of 3 measures nobody is banded."""
    telco = shared / "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert main(["--db", url, "import", str(telco), "--kind", "customers", "--as-of", "2024-01-31", "--lenient"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "health"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("health on 2024-01-31, configuration default (not saved yet): No customer has the 3 "
                           "measures a health band needs")
    assert "data for 1 of the 12 measures" in line and "support tickets" in line and "survey answers" in line
    assert "%" not in line and "red" not in line
    # a minimum of 1 (a saved configuration) bands them on renewal proximity alone
    cfg = tmp_path / "one.json"
    one = h.default_config()
    one.min_measures = 1
    cfg.write_text(json.dumps(one.to_dict()))
    assert main(["--db", url, "health", "--config", str(cfg)]) == 0
    inputs = load_inputs(core.make_engine(url))
    scored = h.score(one, h.measure_frame(inputs, inputs.end())[0])
    banded = scored["band"].value_counts()
    out = capsys.readouterr().out
    assert f": {units.count(banded.sum())} customers, mean score" in out and banded.sum() > 4000
    assert f"red {units.count(banded['red'])} ({units.percent(banded['red'] / banded.sum())})" in out
