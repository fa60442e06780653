"""Theme discovery (core.feedback.discovery) on the demo's untagged verbatims: it finds the generator's hidden
theme, is reproducible, and its candidates are consistent with the texts they came from."""

import re

import pandas as pd
import pytest

from core.demo.synthetic import HIDDEN_THEME
from core.errors import InsufficientDataError
from core.feedback.discovery import MIN_VERBATIMS, candidates_table, discover
from core.feedback.inputs import inputs_from_frames
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag, untagged

HIDDEN_TERMS = {"performance", "slow", "load", "loading", "lag", "lags"}


@pytest.fixture(scope="module")
def setup(demo):
    inp = inputs_from_frames(demo.customers, demo.feedback, demo.tickets, demo.revenue)
    prepared = prepare(inp)
    book = starter_codebook()
    tags = tag(prepared["text"], book)
    return prepared, book, tags


@pytest.fixture(scope="module")
def texts(setup):
    prepared, _, tags = setup
    return untagged(prepared, tags)["text"]


@pytest.fixture(scope="module")
def cands(texts):
    return discover(texts, 6, seed=0)


def _nonempty(texts: pd.Series) -> pd.Series:
    s = texts.dropna().astype(str)
    return s[s.str.strip() != ""].reset_index(drop=True)


def test_untagged_are_the_verbatims_no_theme_names(setup, texts):
    prepared, _, tags = setup
    tagged_rows = set(tags["row"])
    expected = [i for i in range(len(prepared)) if i not in tagged_rows]
    assert texts.index.tolist() == prepared.index[expected].tolist()
    assert 1000 < len(texts) < len(prepared)


def test_discovery_finds_the_hidden_theme(cands):
    assert HIDDEN_THEME == "performance"
    for c in cands:
        print(c.number, c.size, c.terms)
    top3 = cands[:3]
    assert any(set(c.terms) & HIDDEN_TERMS for c in top3), [c.terms for c in top3]


def test_candidates_are_largest_first_and_consistent_with_the_texts(texts, cands):
    assert 2 <= len(cands) <= 6
    sizes = [c.size for c in cands]
    assert sizes == sorted(sizes, reverse=True)
    assert [c.number for c in cands] == list(range(1, len(cands) + 1))
    base = _nonempty(texts)
    assert sum(sizes) <= len(base)
    seen: set[int] = set()
    for c in cands:
        assert c.size == len(c.rows) > 0
        assert all(0 <= r < len(base) for r in c.rows)
        assert not seen & set(c.rows)  # each verbatim joins one candidate
        seen |= set(c.rows)
        assert c.share == pytest.approx(c.size / len(base))
        members = set(base.iloc[list(c.rows)])
        assert 1 <= len(c.examples) <= 4
        assert len(set(c.examples)) == len(c.examples)
        assert set(c.examples) <= members
        assert 1 <= len(c.keywords) <= 4 and all(" " not in k for k in c.keywords)
        assert set(c.keywords) <= set(c.terms)


def test_the_same_seed_gives_the_same_candidates(texts, cands):
    again = discover(texts, 6, seed=0)
    assert again == cands
    assert [c.rows for c in again] == [c.rows for c in cands]


def test_too_few_texts_raise():
    few = pd.Series(["The app is so slow today."] * (MIN_VERBATIMS - 1) + [None, "", "   "])
    with pytest.raises(InsufficientDataError):
        discover(few, 3)
    enough = pd.Series(["The app is slow", "Pages load slowly", "Exports time out", "Exports are slow",
                        "Reports load slowly", "The app lags"] * 4)
    assert len(enough) == 24 and discover(enough, 2)  # enough texts: candidates come back


def test_candidates_table_has_one_row_per_candidate(cands):
    tab = candidates_table(cands)
    assert len(tab) == len(cands)
    assert tab["candidate"].tolist() == [c.number for c in cands]
    assert tab["size"].tolist() == [c.size for c in cands]
    assert tab["top_terms"].tolist() == [", ".join(c.terms) for c in cands]
    assert tab["example"].tolist() == [c.examples[0] for c in cands]
    assert candidates_table([]).empty


def test_adding_a_candidate_to_the_codebook_tags_what_it_found(setup, texts, cands):
    prepared, book, tags = setup
    cand = next(c for c in cands[:3] if set(c.terms) & HIDDEN_TERMS)
    new_book, _ = book.create(cand.title, cand.keywords)
    new_tags = tag(prepared["text"], new_book)
    after = untagged(prepared, new_tags)
    # independent count: untagged texts that contain a keyword as a whole word (case-insensitive)
    rx = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in cand.keywords) + r")\b", re.I)
    matched = texts.map(lambda t: bool(rx.search(t)))
    assert matched.sum() > 100
    assert len(after) == len(texts) - matched.sum()
    assert len(after) < len(texts)
    # the themes that were there tag exactly what they tagged before
    old = new_tags[new_tags["theme_id"] != new_book.next_id - 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(old, tags.reset_index(drop=True))
