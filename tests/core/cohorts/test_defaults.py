"""The cohort choices per kind of store (core/cohorts/defaults.py): a purchase log gets cohorts by first purchase and
"retained = purchased in the period", a book keeps the usual choices, a snapshot leads with survival and says why;
on the stores the importer builds from the public CDNOW and telco files."""

import datetime as dt

import pytest

import core
from core.cohorts import settings as cs
from core.cohorts.defaults import LABELS, LAPSE_NOTE, cohort_basis, cohort_defaults, label
from core.cohorts.settings import CohortSettings
from core.store.profile import Holding, StoreProfile, profile

DAY = dt.date(2024, 1, 31)


def _store(*keys, snapshot_day=DAY) -> StoreProfile:
    holdings = [Holding(k, 10, dt.date(2020, 1, 1), DAY) for k in keys]
    return StoreProfile(tuple(Holding(h.key, h.rows, snapshot_day, snapshot_day) if h.key == "snapshot" else h
                              for h in holdings))


def test_a_recurring_revenue_book_keeps_the_usual_choices():
    d = cohort_defaults(_store("customers", "recurring_revenue", "churn_dates"))
    assert d.settings == CohortSettings() and d.lead == "table" and d.note == "" and d.survival
    assert (d.settings.cohort_by, d.settings.retained_by) == ("signup", "subscription")


def test_a_purchase_log_is_cohorted_by_first_purchase_and_retained_when_purchasing():
    d = cohort_defaults(_store("customers", "one_off_revenue", "purchases"))
    s = d.settings
    assert (s.cohort_by, s.retained_by, s.definition, s.measure) == ("first_activity", "activity", "on", "logo")
    assert d.lead == "table" and "purchase log" in d.note  # no churn dates of its own: survival by the lapse rule
    assert d.survival and d.survival_note == LAPSE_NOTE and "within the lapse period" in LAPSE_NOTE
    # a purchase log beside a snapshot (a mix) keeps the purchases' choices; its churn dates allow survival
    mix = cohort_defaults(_store("customers", "purchases", "churn_dates", "snapshot"))
    assert mix.settings == s and mix.survival


def test_a_snapshot_leads_with_survival_and_says_why_naming_its_day():
    d = cohort_defaults(_store("customers", "churn_dates", "snapshot"))
    assert d.lead == "survival" and d.survival
    assert "snapshot cannot give cohort retention" in d.note and "(2024-01-31)" in d.note
    two = cohort_defaults(StoreProfile((Holding("customers", 5), Holding("snapshot", 5, DAY, dt.date(2024, 6, 30)))))
    assert "(2024-01-31 to 2024-06-30)" in two.note


def test_a_usage_log_without_churn_dates_is_retained_when_active():
    d = cohort_defaults(_store("customers", "usage"))
    assert (d.settings.cohort_by, d.settings.retained_by) == ("signup", "activity") and not d.survival
    undated = StoreProfile((Holding("customers", 5), Holding("usage", 9, DAY, DAY)))
    assert cohort_defaults(undated).settings.cohort_by == "first_activity"


@pytest.mark.parametrize("keys", [(), ("customers",), ("feedback_dated",), ("tickets", "customers")])
def test_other_stores_keep_the_usual_choices(keys):
    assert cohort_defaults(_store(*keys)).settings == CohortSettings()


@pytest.fixture(scope="module")
def stores(tmp_path_factory, shared):
    """The CDNOW purchase log and the telco snapshot, imported with the project's importer."""
    out = {}
    for name, rel, kind, opts in (("cdnow", "cdnow/CDNOW_master.txt", "transactions", {}),
                                  ("telco", "telco_churn/WA_Fn-UseC_-Telco-Customer-Churn.csv", "customers",
                                   {"as_of": DAY.isoformat()})):
        engine = core.make_engine(f"sqlite:///{tmp_path_factory.mktemp(name) / 'store.db'}")
        path = shared / rel
        core.commit_import(engine, core.prepare_import(engine, path.read_bytes(), path.name, kind, **opts),
                           strict=False)
        out[name] = engine
    yield out
    for engine in out.values():
        engine.dispose()


def test_the_imported_stores_get_their_kind_s_choices(stores):
    log = cohort_defaults(profile(stores["cdnow"]))
    assert (log.settings.cohort_by, log.settings.retained_by, log.lead) == ("first_activity", "activity", "table")
    snap = cohort_defaults(profile(stores["telco"]))
    assert snap.lead == "survival" and "(2024-01-31)" in snap.note


def test_a_mix_of_a_book_and_a_purchase_log_takes_the_purchases_choices_and_says_why():
    d = cohort_defaults(_store("customers", "recurring_revenue", "one_off_revenue", "purchases", "churn_dates",
                               "feedback_undated"))
    s = d.settings
    assert (s.cohort_by, s.retained_by, s.definition, s.measure) == ("first_activity", "activity", "on", "logo")
    assert d.lead == "table" and d.survival and d.note.startswith("This store is a mix")
    assert "100 %" in d.note and "Revenue retention" in d.note  # why, and where the book's customers are read
    book = cohort_defaults(_store("customers", "recurring_revenue", "usage", "churn_dates"))
    assert book.settings == CohortSettings() and book.note == ""  # usage beside a book is no mix


def test_every_choice_has_plain_words_and_no_code_shows_through():
    choices = {"cohort_by": cs.COHORT_BY, "measure": cs.MEASURES, "definition": cs.DEFINITIONS,
               "retained_by": cs.RETAINED_BY, "base": cs.BASES, "weighting": cs.WEIGHTINGS}
    for setting, codes in choices.items():
        assert set(LABELS[setting]) == set(codes), setting
        words = [label(setting, c) for c in codes]
        assert len(set(words)) == len(words) and not set(words) & set(codes), words
        assert all("_" not in w and w[0].isupper() for w in words), words
    assert label("period", "quarter") == "Quarter" and label("nowhere", "x") == "x"


def test_the_cohort_basis_names_first_purchase_on_a_purchase_log():
    log = StoreProfile((Holding("customers", 3), Holding("purchases", 9)))
    usage = StoreProfile((Holding("customers", 3), Holding("usage", 9)))
    assert cohort_basis("first_activity", log) == "First-purchase"
    assert cohort_basis("first_activity", usage) == "First-activity"
    assert cohort_basis("signup", log) == "Signup"
