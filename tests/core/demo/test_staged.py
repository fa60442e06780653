"""The first start's demo in two steps (core.demo.staged): the Overview's tables first, exactly the Overview a whole
demo gives, figures that need the rest say it is loading, and the two steps end where one load_demo ends."""

import pandas as pd
import pytest

import core
from core.buyers import overview as core_overview
from core.demo import staged
from core.demo.load import DATA_TABLES
from core.demo.synthetic import make_demo
from core.ingest import bulk
from core.review import at_risk
from core.store import columnar
from core.store.profile import profile
from core.store.version import data_loading

N, SEED = 300, 4


def _engine(tmp_path, name):
    return core.make_engine(f"sqlite:///{tmp_path / name / 'store.db'}")


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """A store with the demo loaded in one step (load_demo)."""
    eng = _engine(tmp_path_factory.mktemp("whole"), "s")
    core.load_demo(eng, n_customers=N, seed=SEED)
    return eng


def _overview(eng):
    customers, revenue = core.load_table(eng, "customer"), core.load_table(eng, "revenue")
    ov = core_overview.build(profile(eng), customers, revenue)
    return ov, customers, revenue


def _figures(ov) -> list:
    return [(s.key, s.as_of, repr(s)) for s in ov.sections], ov.notes


def _log(eng) -> pd.DataFrame:
    cols = ["file_name", "sha256", "kind", "mode", "rows_read", "rows_loaded", "mapping", "tables"]
    return core.import_history(eng)[cols]


def test_step_one_gives_the_whole_overview_and_marks_the_rest_as_loading(tmp_path, whole):
    eng = _engine(tmp_path, "two")
    seen = []
    pending = staged.load_first(eng, n_customers=N, seed=SEED, progress=lambda f, m: seen.append(f))
    counts = core.table_counts(eng)
    whole_counts = core.table_counts(whole)
    assert {t: counts[t] for t in DATA_TABLES} == {t: whole_counts[t] if t in staged.FIRST else 0 for t in DATA_TABLES}
    assert data_loading(eng) and not data_loading(whole)
    ov, customers, revenue = _overview(eng)
    ov_whole, customers_whole, revenue_whole = _overview(whole)
    assert len(ov.sections) and _figures(ov) == _figures(ov_whole)
    # MRR in red needs usage: while it loads, no figure (a part of the data gave a wrong one), a note saying so
    as_of = ov.sections[0].as_of
    red = at_risk.health_risk(eng, customers, revenue, as_of)
    assert red.value is None and "still loading" in red.note
    assert at_risk.health_risk(whole, customers_whole, revenue_whole, as_of).value is not None
    assert seen == [0.0]

    staged.load_rest(eng, pending, progress=lambda f, m: seen.append(f))
    assert seen[1] > pending.first / sum(whole_counts[t] for t in DATA_TABLES) > 0
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert not data_loading(eng)
    for name in DATA_TABLES:
        pd.testing.assert_frame_equal(core.load_table(eng, name), core.load_table(whole, name), check_like=True)
    pd.testing.assert_frame_equal(_log(eng), _log(whole))
    pairs, pairs_whole = columnar.activity_pairs(eng), columnar.activity_pairs(whole)
    assert len(pairs) == len(pairs_whole) == core.table_counts(whole)["activity"]
    assert columnar.folder(eng).joinpath(columnar.file_name(pending.import_id)).exists()
    assert at_risk.health_risk(eng, *_overview(eng)[1:], as_of).value == \
        at_risk.health_risk(whole, customers_whole, revenue_whole, as_of).value


def test_a_failing_second_step_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    eng = _engine(tmp_path, "fail")
    before = core.store_version(eng)
    pending = staged.load_first(eng, n_customers=N, seed=SEED)
    real = bulk.bulk_insert

    def broken(conn, table, *args):
        if table == "ticket":
            raise RuntimeError("disk on fire")
        return real(conn, table, *args)

    monkeypatch.setattr(staged, "_insert", lambda *a: _insert_with(broken, *a))
    with pytest.raises(RuntimeError, match="disk on fire"):
        staged.load_rest(eng, pending)
    counts = core.table_counts(eng)
    assert all(counts[t] == 0 for t in DATA_TABLES) and counts["importlog"] == 0
    assert not data_loading(eng) and core.store_version(eng) != before
    assert not list(columnar.folder(eng).glob("import_*"))


def _insert_with(insert_one, conn, stage, frames, import_id, progress, done, total):
    for name in DATA_TABLES:
        if name in frames:
            done = insert_one(conn, name, frames[name], import_id, progress, done, total)
            if name == "activity":
                stage.add(import_id, frames[name])
    return done


def test_a_step_one_left_by_a_stopped_server_is_resumed(tmp_path, whole):
    eng = _engine(tmp_path, "resume")
    assert staged.resume(eng) is None
    staged.load_first(eng, n_customers=N, seed=SEED)  # the server stops here: its pending rest is lost
    rest = staged.resume(eng)
    assert rest is not None and (rest.n_customers, rest.seed) == (N, SEED)
    staged.load_rest(eng, rest)
    assert staged.resume(eng) is None and not data_loading(eng)
    for name in DATA_TABLES:
        pd.testing.assert_frame_equal(core.load_table(eng, name), core.load_table(whole, name), check_like=True)


def test_data_loading_reads_only_the_newest_import(engine):
    assert not data_loading(engine)
    staged.load_first(engine, n_customers=60, seed=1)
    assert data_loading(engine)
    core.load_demo(engine, n_customers=60, seed=1)  # a whole load after it: nothing is loading any more
    assert not data_loading(engine)


def test_a_rest_that_cannot_be_generated_takes_step_one_back(tmp_path, monkeypatch):
    eng = _engine(tmp_path, "regen")
    staged.load_first(eng, n_customers=60, seed=1)
    rest = staged.resume(eng)

    def broken(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(staged, "generate", broken)
    with pytest.raises(MemoryError):
        staged.load_rest(eng, rest)
    counts = core.table_counts(eng)
    assert all(counts[t] == 0 for t in DATA_TABLES) and counts["importlog"] == 0 and not data_loading(eng)


@pytest.mark.parametrize(("n", "seed"), [(60, 1), (N, SEED)])
def test_step_one_makes_the_customers_and_revenue_make_demo_makes(n, seed):
    first, demo = staged.first_frames(n, seed), make_demo(n, seed=seed)
    pd.testing.assert_frame_equal(first["customer"], demo.customers)
    pd.testing.assert_frame_equal(first["revenue"], demo.revenue)
