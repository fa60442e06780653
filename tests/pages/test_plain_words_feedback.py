"""Plain words for leaders (issue 21) on the Feedback themes page: on the demo, the CDNOW purchase log (its 1/10 sample)
and the telco snapshot (the two have no verbatims: the page says what to import) and a reviews-only store, every tab
(AppTest renders them all at once) and the main selectors (split by segment / plan / region, the survey score, a theme
and a tone of the verbatims) show no code word (snake_case, None, NaN, Infinity, midnight times, long decimals) in text,
widgets, option labels, table headers or chart titles, beyond the short reviewed allow-list below
(tests/pages/plain_words.py is the walker). Also: the chi-square sentence rules (core.feedback.plain) read the figures
of a test computed here by hand in pandas."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from core.feedback import plain
from tests.pages import plain_pages
from tests.pages import plain_words as pw

#: reviewed exceptions, each with its reason (verbatim texts, ids and theme names are typed by customers and
#: analysts: data, shown as plain text, never as Markdown)
ALLOW = (
    pw.Allow(r".+", "verbatims are customers' own words", where="dataframe cell [Verbatim]"),
    pw.Allow(r".+", "customer ids are the store's own values", where="dataframe cell [Customer]"),
    pw.Allow(r".+", "a discovery candidate's top terms are words found in the verbatims",
             where="dataframe cell [Top terms]"),
    pw.Allow(r".+", "the codebook's keywords and exclusions are the analyst's own terms",
             where="dataframe cell [Keywords]"),
)
STORES = ("demo", "cdnow_sample", "telco", "reviews")
#: (widget kind, key, how many other choices to walk)
WALK = (("button_group", "themes_by", 2), ("button_group", "scores_by", 1), ("button_group", "scores_metric", 2),
        ("selectbox", "verb_theme", 2), ("selectbox", "verb_tone", 1))


#: the stores of each kind, built on first use
stores = plain_pages.stores_fixture("plain_feedback")


def _walk(at, kind: str, key: str, limit: int, found: list[str]) -> None:
    """Up to ``limit`` other choices of the widget ``key`` (when the page shows it) in turn, then back."""
    widgets = [w for w in at.get(kind) if getattr(w, "key", None) == key]
    if not widgets:
        return
    w = widgets[0]
    first = w.value
    options = [o if isinstance(o, str) else getattr(o, "content", str(o)) for o in w.options]
    for value in [o for o in options if o != first][:limit] + [first]:
        next(x for x in at.get(kind) if x.key == key).set_value(value).run()
        plain_pages.add_findings(at, found, ALLOW)


@pytest.mark.parametrize("kind", STORES)
def test_the_feedback_themes_page_speaks_plain_words(stores, kind):
    with plain_pages.opened(stores.url(kind), "feedback_themes", timeout=400) as at:
        texts = pw.collect(at)
        assert texts and {t.label for t in at.tabs} <= {t.text for t in texts}
        if kind in ("demo", "reviews"):
            assert any(t.where.startswith("chart") for t in texts) and any(t.where == "dataframe header"
                                                                            for t in texts)
        found: list[str] = []
        plain_pages.add_findings(at, found, ALLOW)
        for widget, key, limit in WALK:
            _walk(at, widget, key, limit, found)
    assert not found, f"{kind}:\n" + "\n".join(found)


# -- the chi-square sentences against a test computed by hand ------------------------------------------------------
def _by_group(seed: int, rates: dict[str, dict[str, float]], n: int = 400) -> pd.DataFrame:
    """A by-group table (core.feedback.mentions.by_group's columns) of seeded verbatims: each group's ``n``
    verbatims name each theme with the given rate."""
    rng = np.random.default_rng(seed)
    rows = []
    for theme, by in rates.items():
        for group, rate in by.items():
            k = int(rng.binomial(n, rate))
            rows.append({"group": group, "theme": theme, "mentions": k, "verbatims": n, "share": k / n})
    return pd.DataFrame(rows)


def _chi2_by_hand(t: pd.DataFrame) -> tuple[float, float]:
    """Pearson's chi-square of mentioned / not mentioned across groups, written out in pandas."""
    obs = pd.DataFrame({"yes": t["mentions"], "no": t["verbatims"] - t["mentions"]}).astype(float)
    exp = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.to_numpy().sum()
    chi2 = float(((obs.to_numpy() - exp) ** 2 / exp).sum())
    return chi2, float(stats.chi2.sf(chi2, (len(obs) - 1) * (obs.shape[1] - 1)))


def test_group_tests_equal_a_chi_square_by_hand_and_the_sentence_reads_them():
    bg = _by_group(1, {"Pricing": {"Enterprise": 0.30, "SMB": 0.10, "Mid-Market": 0.20},
                       "Support": {"Enterprise": 0.15, "SMB": 0.15, "Mid-Market": 0.16},
                       "Bugs": {"Enterprise": 0.08, "SMB": 0.11, "Mid-Market": 0.09}})
    tests = plain.group_tests(bg).set_index("theme")
    for theme, t in bg.groupby("theme"):
        chi2, p = _chi2_by_hand(t)
        assert tests.loc[theme, "chi_square"] == pytest.approx(chi2) and tests.loc[theme, "p_value"] == pytest.approx(p)
        assert tests.loc[theme, "p_adjusted"] == pytest.approx(min(1.0, 3 * p))
        assert tests.loc[theme, "high_share"] == t["share"].max() and tests.loc[theme, "low_share"] == t["share"].min()
    pricing = tests.loc["Pricing"]
    assert pricing["high_group"] == "Enterprise" and pricing["low_group"] == "SMB" and pricing["p_value"] < 0.001
    said = plain.groups_sentence(tests.reset_index(), "segment")
    hits = [th for th in tests.index if tests.loc[th, "p_adjusted"] < 0.05]
    assert said.startswith(f"{len(hits)} of 3 themes differ between segments more than chance would make them")
    assert (f"The clearest: Pricing: {100 * pricing['high_share']:.1f}% of Enterprise verbatims name it against "
            f"{100 * pricing['low_share']:.1f}% of SMB; a gap this large would arise by chance less than 1 time in "
            "1,000 (p < 0.001).") in said


def test_alike_groups_read_as_alike_and_a_middling_p_in_words():
    bg = _by_group(2, {"Pricing": {"A": 0.2, "B": 0.2}, "Support": {"A": 0.1, "B": 0.1}})
    tests = plain.group_tests(bg)
    assert (tests["p_adjusted"] >= 0.05).all()  # seeded: the same rates in both plans
    assert plain.groups_sentence(tests, "plan") == ("No theme differs between plans more than chance would make "
                                                    "it: the plans raise the same themes about as often (2 themes "
                                                    "tested).")
    row = tests.iloc[0].copy()
    row["p_value"] = 0.025
    assert plain.theme_sentence(row, "plan").endswith("by chance about 1 time in 40 (p = 0.025).")
    empty = plain.group_tests(_by_group(3, {"Pricing": {"A": 0.0, "B": 0.0}}))
    assert plain.groups_sentence(empty, "region") == ("Too few verbatims in the regions to tell whether the themes "
                                                      "differ between them.")
