"""Plain words for leaders (issue 21) on the Cohort curves page: on the demo, the CDNOW purchase log (its 1/10 sample)
and the telco snapshot, everything the page shows (AppTest renders every section at once) and what its main choices
change (each measure, the active and base radios, a breakdown and the survival comparison by segment) holds no code word
(snake_case, None, NaN, Infinity, midnight times, long decimals) in text, widgets, option labels, table headers or chart
titles, beyond the short reviewed allow-list below (tests/pages/plain_words.py is the walker)."""

import math

import numpy as np
import pytest
from lifelines.statistics import logrank_test

from core.cohorts import plain
from core.cohorts.defaults import LABELS
from tests.pages import plain_pages
from tests.pages import plain_words as pw

#: reviewed exceptions, each with its reason
ALLOW = (
    pw.Allow(r".+", "customer ids are the store's own values, shown as the data holds them",
             where="dataframe cell [customer"),
)
STORES = ("demo", "cdnow_sample", "telco")
#: (widget kind, key, how many other choices to walk)
WALK = (("selectbox", "cohorts_measure", 3), ("radio", "cohorts_definition", 1), ("radio", "cohorts_base", 1),
        ("selectbox", "cohorts_group", 1), ("selectbox", "cohorts_km_group", 2), ("selectbox", "cohorts_by", 1))


#: the stores of each kind, built on first use
stores = plain_pages.stores_fixture("plain_cohorts")


def _walk(at, kind: str, key: str, limit: int, found: list[str]) -> None:
    """Up to ``limit`` other choices of the widget ``key`` (when the page shows it) in turn, then back to the one
    it had; a choice is set by its value, read back from its label through the widget's format function."""
    widgets = [w for w in getattr(at, kind) if w.key == key]
    if not widgets:
        return
    first = widgets[0].value
    values = [v for v in _codes(widgets[0]) if v != first][:limit]
    for value in values + [first]:
        getattr(at, kind)(key=key).set_value(value).run()
        plain_pages.add_findings(at, found, ALLOW)


def _codes(widget) -> list:
    """The values behind a widget's option labels: the cohort settings' codes, or the labels themselves."""
    known = [code for codes in LABELS.values() for code in codes]
    out = []
    for shown in widget.options:
        out.append(next((c for c in known if widget.format_func(c) == shown), shown))
    return out


@pytest.mark.parametrize("kind", STORES)
def test_the_cohort_curves_page_speaks_plain_words(stores, kind):
    with plain_pages.opened(stores.url(kind), "cohort_curves", timeout=400) as at:
        if kind == "telco":  # a snapshot leads with survival: show the cohort table too
            at.toggle(key="cohorts_snapshot_table").set_value(True).run()
        texts = pw.collect(at)
        assert any(t.where.startswith("chart") for t in texts) and any(t.where == "dataframe header" for t in texts)
        found: list[str] = []
        plain_pages.add_findings(at, found, ALLOW)
        for widget, key, limit in WALK:
            _walk(at, widget, key, limit, found)
    assert not found, f"{kind}:\n" + "\n".join(found)


def test_the_logrank_sentence_reads_its_own_figure():
    """The sentence's words follow the p-value a direct lifelines test gives (seeded lifetimes): a clear gap is
    called a difference with its chance in words, a small one is not, and the figures stay in the detail."""
    rng = np.random.default_rng(3)
    a, b = rng.exponential(10, 400), rng.exponential(20, 400)
    clear = logrank_test(a, b, np.ones(400), np.ones(400))
    lr = {"p_value": float(clear.p_value), "statistic": float(clear.test_statistic), "degrees_of_freedom": 1}
    assert clear.p_value < 0.001
    assert plain.logrank_sentence(lr, "segment") == (
        "Customers of different segments stay for different lengths of time: a gap this large would arise by chance "
        "less than 1 time in 1,000 (p < 0.001).")
    assert plain.logrank_detail(lr) == f"Log-rank test: chi-square {clear.test_statistic:.2f} on 1 degrees of " \
        "freedom, p < 0.001."
    for p, words in ((0.025, "about 1 time in 40 (p = 0.025)"), (0.0123, "about 1 time in 81 (p = 0.012)")):
        assert plain.logrank_sentence({**lr, "p_value": p}, "plan").endswith(f"by chance {words}.")
    near = logrank_test(a[:50], rng.exponential(10, 50), np.ones(50), np.ones(50))
    assert near.p_value > 0.05
    said = plain.logrank_sentence({**lr, "p_value": float(near.p_value)}, "region")
    assert said.startswith("Customers of different regions stay about as long as each other")
    assert f"about 1 time in {round(1 / near.p_value):,}, p = {near.p_value:.3f})" in said
    assert plain.logrank_sentence({"p_value": math.nan, "plain": "Only one group."}, "plan") == "Only one group."


def test_the_survival_summary_headers_name_their_units():
    headers = plain.summary_headers(24.0)
    assert headers["rmst"] == "Average lifetime within 24 months (months)"
    assert headers["median_text"] == "Median lifetime (months)" and headers["censored"] == "Still customers"
    assert headers["median_lifetime"] is None and headers["horizon"] is None  # kept in the data, not shown


def test_every_choice_has_its_definition_in_its_help():
    """Each cohort choice's help defines the options in the words the widget shows (never a code)."""
    for name, codes in LABELS.items():
        said = plain.CHOICE_HELP[name]
        assert pw.findings([pw.Text("help", said)]) == [], (name, said)
        if name not in ("period",):
            assert all(f'"{label}"' in said for label in codes.values()), (name, said)
