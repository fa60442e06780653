"""The core suite's figures on both stores (issue 22, Deliver 3): the same small demo business (200 customers, seed 0)
loaded once into SQLite and once into PostgreSQL (a real server, tests/pg.py), and the CDNOW sample imported into
each as a purchase log; the main result of every domain must be identical (floats exactly, or within 1e-12).

Already compared by tests/core/store/test_postgres.py (a 60-customer demo, not repeated here): every stored row,
the headline figures, the review snapshot's figures and the ``status``, ``overview`` and ``cohorts`` outputs. Here:
activity read through the column files, cohort tables, churn model scores and AUC, health scores, feedback themes,
ROI effects, buyer metrics on a purchase log, and the output of every other read-only ``python -m core`` command.
Each comparison also checks one figure against pandas written here, so identical-but-empty cannot pass.
"""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import psycopg
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

import core
from core.access import audit
from core.buyers.metrics import buyer_figures, buyer_trend
from core.buyers.purchases import load_purchase_log
from core.churn.pipeline import fit_churn
from core.cli import themes_read
from core.cli.main import main as cli
from core.cohorts.table import cohort_table
from core.demo.load import load_demo
from core.health import monitor as hm
from core.health import store as hs
from core.history.inputs import load_inputs
from core.roi.inputs import load_inputs as load_roi_inputs
from core.roi.plays import plays_table
from core.store import columnar
from tests.conftest import SHARED

N_CUSTOMERS, SEED = 200, 0
AS_OF = "2026-09-30"
CDNOW_SAMPLE = SHARED / "cdnow/CDNOW_sample.txt"
SAMPLE_MAP = {"customer_id": "column_1", "date": "column_3", "quantity": "column_4", "amount": "column_5"}
KINDS = ("postgresql", "sqlite")


def _equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Identical frames: same labels, dtypes and values (floats within 1e-12, relative and absolute)."""
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def demo(pg_server, tmp_path_factory) -> dict:
    """kind -> engine of a store holding the small demo business."""
    engines = {"postgresql": core.make_engine(pg_server.new_database()),
               "sqlite": core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('both') / 'store.db'}")}
    for eng in engines.values():
        load_demo(eng, n_customers=N_CUSTOMERS, seed=SEED)
    yield engines
    for eng in engines.values():
        eng.dispose()


@pytest.fixture(scope="module")
def log(pg_server, tmp_path_factory) -> dict:
    """kind -> engine of a store holding the headerless CDNOW sample as a purchase log."""
    engines = {"postgresql": core.make_engine(pg_server.new_database()),
               "sqlite": core.make_engine(f"sqlite:///{tmp_path_factory.mktemp('log') / 'store.db'}")}
    data = CDNOW_SAMPLE.read_bytes()
    for eng in engines.values():
        core.commit_import(eng, core.prepare_import(eng, data, CDNOW_SAMPLE.name, "transactions", header=False,
                                                    mapping=SAMPLE_MAP, ignore=("column_2",)))
    yield engines
    for eng in engines.values():
        eng.dispose()


def _both(stores: dict, fn) -> tuple:
    return tuple(fn(stores[k]) for k in KINDS)


# --------------------------------------------------------------------------- activity and cohorts
def _pairs_frame(eng) -> pd.DataFrame:
    p = columnar.activity_pairs(eng, values=True)
    out = pd.DataFrame({"customer_id": p.ids[p.codes].to_numpy(dtype=object), "day": p.days.astype(np.int64),
                        "value": p.value})
    return out.sort_values(list(out.columns), ignore_index=True)


def test_activity_read_through_the_column_files_is_identical(demo):
    a, b = _both(demo, _pairs_frame)
    assert columnar.folder(demo["postgresql"]).joinpath(columnar.file_name(1)).exists()  # PostgreSQL's own files
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    rows = core.load_table(demo["sqlite"], "activity")  # independently: the rows as pandas reads them
    assert len(a) == len(rows) > 10_000
    assert a["value"].sum() == pytest.approx(rows["value"].sum(), rel=1e-12)
    shutil.rmtree(columnar.folder(demo["postgresql"]))  # another server's cold cache: rebuilt from PostgreSQL (COPY)
    pd.testing.assert_frame_equal(_pairs_frame(demo["postgresql"]), b, check_exact=True)


@pytest.mark.parametrize("opts", [dict(cohort_by="signup", retained_by="activity", definition="on"),
                                  dict(cohort_by="first_activity", retained_by="activity", definition="on_or_after"),
                                  dict(cohort_by="signup", retained_by="subscription", definition="on")])
def test_cohort_tables_are_identical(demo, opts):
    def table(eng):
        return cohort_table(core.load_table(eng, "customer"), columnar.activity_pairs(eng), as_of=AS_OF, **opts)

    a, b = _both(demo, table)
    _equal(a.values, b.values)
    pd.testing.assert_series_equal(a.sizes, b.sizes, check_exact=True)
    if opts["cohort_by"] == "signup":  # independently: customers per signup month
        cust = core.load_table(demo["sqlite"], "customer")
        want = pd.to_datetime(cust["signup_date"]).dt.to_period("M").value_counts()
        got = a.sizes[a.sizes > 0]
        assert {str(k): int(v) for k, v in got.items()} == {str(k): int(v) for k, v in want.items()}


# --------------------------------------------------------------------------- churn, health, themes, ROI
@pytest.fixture(scope="module")
def churn(demo) -> dict:
    return {k: fit_churn(load_inputs(demo[k]), horizon_days=90, n_cutoffs=6, seed=0) for k in KINDS}


def test_churn_scores_and_auc_are_identical(churn):
    a, b = churn["postgresql"], churn["sqlite"]
    assert a.best == b.best and a.scored_at == b.scored_at and a.train_cutoffs == b.train_cutoffs
    assert a.metrics == b.metrics
    np.testing.assert_allclose(a.p_test, b.p_test, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.p_current, b.p_current, rtol=1e-12, atol=1e-12)
    _equal(a.drivers.reset_index(drop=True), b.drivers.reset_index(drop=True))
    # independently: the held-out ROC-AUC of the kept model, from its raw probabilities
    assert a.metrics[a.best]["roc_auc"] == pytest.approx(roc_auc_score(a.test.y, a.p_test_raw), abs=1e-12)
    assert len(a.p_current) > 50


def test_health_scores_are_identical(demo):
    def history(eng):
        snaps = hm.snapshots(load_inputs(eng), months=13)
        config, _ = hs.current_config(eng, snaps[-1][1])
        return hm.history(config, snaps)

    a, b = _both(demo, history)
    _equal(a, b)
    assert a["day"].nunique() == 13 and a["score"].notna().sum() > 100
    # independently: the latest snapshot scores every customer active on its day
    last = a[a["day"] == a["day"].max()]
    cust = core.load_table(demo["sqlite"], "customer")
    day = pd.Timestamp(a["day"].max())
    active = cust[(pd.to_datetime(cust["signup_date"]) <= day)
                  & ~(pd.to_datetime(cust["churn_date"]) <= day)]
    assert set(last["customer_id"]) == set(active["customer_id"])


def test_feedback_themes_are_identical(demo):
    def impact(eng):
        d = themes_read.load(eng)
        return d.tags, themes_read.impact(d, 90)

    (tags_a, a), (tags_b, b) = _both(demo, impact)
    _equal(tags_a.reset_index(drop=True), tags_b.reset_index(drop=True))
    _equal(a, b)
    assert len(tags_a) > 100 and a["mentions"].sum() > 0


def test_roi_effects_are_identical(demo):
    a, b = _both(demo, lambda eng: plays_table(load_roi_inputs(eng), window=90))
    _equal(a, b)
    iv = core.load_table(demo["sqlite"], "intervention")  # independently: contacts per play
    assert dict(zip(a["play"], a["contacts"], strict=True)) == iv.groupby("play").size().to_dict()
    assert a["difference"].notna().any()


# --------------------------------------------------------------------------- buyers on a purchase log
def test_buyer_metrics_are_identical_on_a_purchase_log(log):
    logs = _both(log, load_purchase_log)
    a, b = (buyer_figures(x) for x in logs)
    assert a == b
    _equal(*(buyer_trend(x) for x in logs))
    raw = pd.read_csv(CDNOW_SAMPLE, sep=r"\s+", header=None, dtype={0: str, 2: str})  # independently
    raw["date"] = pd.to_datetime(raw[2], format="%Y%m%d")
    start, end = pd.Timestamp(a.start), pd.Timestamp(a.as_of)
    window = raw[(raw["date"] >= start) & (raw["date"] <= end)]
    assert a.active_buyers == window[0].nunique() > 0


# --------------------------------------------------------------------------- the command line
def _cli(capsys, eng, argv) -> str:
    url = eng.url.render_as_string(hide_password=False)
    assert cli(["--db", url, *argv]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    # when each was loaded, or fitted (the churn model's card gives the minute: a run can cross one between stores)
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00| UTC)?", "<time>", out)


@pytest.mark.parametrize("argv", [["churn", "--seed", "0"], ["health", "--backtest", "--suggest"], ["themes"],
                                  ["roi"], ["roi", "--play", "Renewal save offer"],
                                  ["report", "--quarter", "2026-Q3"]], ids=" ".join)
def test_every_command_says_the_same_on_both_stores(capsys, demo, argv):
    a, b = (_cli(capsys, demo[k], argv) for k in KINDS)
    assert len(a.splitlines()) > 3
    assert a == b


@pytest.mark.parametrize("argv", [["overview"], ["cohorts"], ["health"], ["status"]], ids=" ".join)
def test_every_command_says_the_same_on_a_purchase_log(capsys, log, argv):
    a, b = (_cli(capsys, log[k], argv) for k in KINDS)
    assert re.search(r"\d", a)
    assert a == b


# --------------------------------------------------------------------------- the audit trail's 64-bit ids
def _refused(eng, sql: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), eng.begin() as conn:
        conn.execute(text(sql))


def _id_type(eng) -> str:
    kind = {c["name"]: c["type"] for c in inspect(eng).get_columns("auditentry")}["id"]
    return kind.compile(dialect=eng.dialect)


def test_audit_ids_are_64_bit_and_the_trail_stays_append_only(demo):
    for kind, eng in demo.items():
        first = audit.record(eng, "ann", "admin", "test", "ids")
        with eng.begin() as conn:  # an id past 2^31 is stored and read back
            conn.execute(text("INSERT INTO auditentry (id, at, \"user\", role, action, target) "
                              "VALUES (3000000000, '2026-12-04 00:00:00', 'bob', 'admin', 'test', 'big')"))
        assert audit.entries(eng)["id"].tolist()[:2] == [3_000_000_000, first]
        assert _id_type(eng) == ("BIGINT" if kind == "postgresql" else "INTEGER")  # SQLite's INTEGER is 64-bit
        _refused(eng, "UPDATE auditentry SET \"user\" = 'mallory' WHERE id = 3000000000")
        _refused(eng, f"DELETE FROM auditentry WHERE id = {first}")
        assert audit.entries(eng)["user"].tolist()[:2] == ["bob", "ann"]


def test_a_32_bit_audit_id_of_an_older_store_is_widened_and_stays_append_only(pg_server):
    url = pg_server.new_database()
    with psycopg.connect(url, autocommit=True) as conn:  # the table as the schema before 64-bit audit ids made it
        conn.execute('CREATE TABLE auditentry (id SERIAL PRIMARY KEY, at TIMESTAMP NOT NULL, "user" VARCHAR NOT NULL, '
                     "role VARCHAR NOT NULL, action VARCHAR NOT NULL, target VARCHAR NOT NULL, detail JSON)")
    eng = core.make_engine(url)
    try:
        audit.record(eng, "ann", "admin", "test")
        with eng.connect() as conn:
            seq = conn.execute(text("SELECT data_type FROM information_schema.sequences "
                                    "WHERE sequence_name = 'auditentry_id_seq'")).scalar_one()
        assert (_id_type(eng), seq) == ("BIGINT", "bigint")
        _refused(eng, "UPDATE auditentry SET role = 'viewer'")
        _refused(eng, "TRUNCATE auditentry")
        assert audit.entries(eng)["user"].tolist() == ["ann"]
    finally:
        eng.dispose()
