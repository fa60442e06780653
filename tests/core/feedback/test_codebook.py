"""The feedback codebook (core.feedback.codebook, rules, tagging, starter): rule syntax, negation, tagging,
validation, and stable ids across changes."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from core.errors import DataValidationError
from core.feedback.codebook import Change, Codebook
from core.feedback.rules import clean_terms, find_mentions, matched_terms, negated_at, term_pattern
from core.feedback.starter import STARTER, STARTER_SUB, starter_codebook
from core.feedback.tagging import tag


def _hits(texts, terms, negation="ignore"):
    return find_mentions(pd.Series(texts, dtype=object), terms, negation).tolist()


def _rows(tags, theme_id, direct_only=True):
    sub = tags[tags["theme_id"] == theme_id]
    if direct_only:
        sub = sub[sub["direct"]]
    return set(sub["row"].tolist())


def _counts(tags):
    return tags.groupby("theme_id").size().to_dict()


def _tag_dedup(texts, book):
    """Tag each distinct text once, then spread the tags back to every row (relies on tag() being per-text)."""
    codes, uniq = pd.factorize(texts)
    u = tag(pd.Series(uniq, dtype=object), book).rename(columns={"row": "u"})
    rows = pd.DataFrame({"row": np.arange(len(codes)), "u": codes})
    out = rows.merge(u, on="u")[["row", "theme_id", "direct"]]
    return out.sort_values(["row", "theme_id"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def verbatims(demo):
    return pd.concat([demo.feedback.text, demo.tickets.text], ignore_index=True)


@pytest.fixture(scope="module")
def base(verbatims):
    book = starter_codebook()
    return book, tag(verbatims, book)


# -- rule syntax ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, term, hit", [
    ("The price is high", "price", True),
    ("PRICE went up", "price", True),
    ("Everything is priced per seat", "price", False),
    ("spriced", "price", False),
    ("a costume party", "cost", False),
    ("cost, again", "cost", True),
    ("It crashed twice", "crash*", True),
    ("crash", "crash*", True),
    ("Crashes every day", "crash*", True),
    ("a scrash", "crash*", False),
    ("response  time is slow", "response time", True),
    ("Response-time is slow", "response time", True),
    ("responsetime", "response time", False),
    ("We need SSO support", "need _ support", True),
    ("We need support", "need _ support", False),
    ("We need more SSO support", "need _ support", False),
])
def test_term_matching(text, term, hit):
    """Whole words, case-insensitive; trailing * as a stem; phrases with any spacing/hyphen; _ as one word."""
    assert _hits([text], [term]) == [hit]
    assert bool(re.search(term_pattern(term), text, re.I)) is hit


def test_missing_texts_never_match():
    """None and NaN are never tagged, and an empty term list matches nothing."""
    texts = pd.Series([None, math.nan, "price"], dtype=object)
    assert find_mentions(texts, ["price"]).tolist() == [False, False, True]
    assert find_mentions(texts, []).tolist() == [False, False, False]
    assert find_mentions(pd.Series([], dtype=object), ["price"]).tolist() == []


@pytest.mark.parametrize("term", ["***", "a*b", "_", "_ _", "", "  ", "*"])
def test_bad_term_raises(term):
    """Terms without letters, with an inner * or only wildcards are refused with a clear error."""
    with pytest.raises(DataValidationError, match="rule term"):
        term_pattern(term)
    with pytest.raises(DataValidationError):
        Codebook({}, 1).create("X", ["ok", term] if term.strip() else [term])


def test_clean_terms_normalises_splits_and_drops_repeats():
    """A typed string splits at commas, semicolons and line breaks; terms are lower-cased with single spaces,
    blanks and repeats dropped, first occurrence order kept."""
    assert clean_terms("Price, price ;  Response   time\n\nCRASH*,") == ("price", "response time", "crash*")
    assert clean_terms(["Price", " price ", ""]) == ("price",)
    assert clean_terms(None) == ()
    with pytest.raises(DataValidationError, match="rule term"):
        clean_terms("ok, a*b")


def test_matched_terms_in_order_without_repeats():
    """matched_terms gives the matching words lower-cased, in text order, each once."""
    text = "Crashes, then a crash. It CRASHED and crashes again; no crash now."
    assert matched_terms(text, ["crash*"]) == ["crashes", "crash", "crashed"]
    assert matched_terms(text, ["crash*"], "exclude") == ["crashes", "crash", "crashed"]
    assert matched_terms("no crash at all", ["crash*"], "exclude") == []
    assert matched_terms(None, ["crash*"]) == []


# -- negation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, word, negated", [
    ("no crash in months", "crash", True),
    ("We will not cancel", "cancel", True),
    ("I won't cancel", "cancel", True),
    ("I wont cancel", "cancel", True),
    ("Not once did the editor crash", "crash", False),  # four words back: outside the window
    ("never a crash", "crash", True),
    ("If this is not fixed we will cancel.", "cancel", False),
    ("Too many bugs, but we will cancel", "cancel", False),
    ("Not great; we cancel", "cancel", False),
    ("We will cancel", "cancel", False),
])
def test_negation(text, word, negated):
    """A negation word up to three words before the mention, in the same clause, negates it."""
    term = word + "*"
    assert negated_at(text, text.lower().index(word)) is negated
    assert _hits([text], [term], "exclude") == [not negated]
    assert _hits([text], [term], "ignore") == [True]


def test_negation_needs_every_mention_negated():
    """With negation='exclude' a text counts if at least one mention is not negated."""
    texts = ["no crash last week, but it crashed today", "no crash, no crash", "not a crash"]
    assert _hits(texts, ["crash*"], "exclude") == [True, False, False]


# -- tagging -------------------------------------------------------------------------------------

def _small_book():
    book, _ = Codebook({}, 1).create("Bugs", ["bug*"])
    book, _ = book.create("Crashes", ["crash*"], parent=1)
    book, _ = book.create("Support", ["support"], exclude=["need _ support"])
    book, _ = book.create("Outages", ["outage*"], negation="exclude")
    return book


def test_tag_rollup_exclude_and_order():
    """Child tags roll up to the parent (direct=False if only the child matched); exclude vetoes; sorted."""
    texts = pd.Series(["support is slow, the app crashed", "a bug", "bug then a crash", None,
                       "We need SSO support", "no outage this month", "another outage", "nothing here"],
                      index=[10, 11, 12, 13, 14, 15, 16, 17], dtype=object)
    got = tag(texts, _small_book())
    expected = pd.DataFrame([(0, 1, False), (0, 2, True), (0, 3, True), (1, 1, True), (2, 1, True), (2, 2, True),
                             (6, 4, True)], columns=["row", "theme_id", "direct"])
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_tag_empty_inputs():
    """No texts, or no active themes, give an empty frame with the three columns."""
    book = _small_book()
    empty = tag(pd.Series([], dtype=object), book)
    assert list(empty.columns) == ["row", "theme_id", "direct"] and empty.empty
    none = tag(pd.Series(["bug"]), Codebook({}, 1))
    assert list(none.columns) == ["row", "theme_id", "direct"] and none.empty


def test_tag_deterministic_and_subset_invariant(verbatims, base):
    """Same texts give the same tags twice, and a subset gets the same tags as in the whole (rows re-indexed)."""
    book, full = base
    rng = np.random.default_rng(7)
    pos = np.sort(rng.choice(len(verbatims), size=4000, replace=False))
    sub = verbatims.iloc[pos]
    first, second = tag(sub, book), tag(sub, book)
    pd.testing.assert_frame_equal(first, second)
    mapping = pd.Series(np.arange(len(pos)), index=pos)
    from_full = full[full["row"].isin(pos)].assign(row=lambda f: mapping.loc[f["row"]].to_numpy())
    pd.testing.assert_frame_equal(first, from_full.reset_index(drop=True), check_dtype=False)
    # tagging the distinct texts and spreading back gives the full result (used below for speed)
    pd.testing.assert_frame_equal(_tag_dedup(verbatims, book), full, check_dtype=False)


def test_starter_codebook_shape():
    """The starter codebook: ids 1..n in STARTER then STARTER_SUB order; sub-themes under their parents."""
    book = starter_codebook()
    names = [n for n, _, _ in STARTER] + [n for _, n, _, _ in STARTER_SUB]
    assert [book.get(i).name for i in range(1, len(names) + 1)] == names
    assert book.next_id == len(names) + 1
    ids = {t.name: t.id for t in book.active()}
    for parent, name, _, _ in STARTER_SUB:
        assert book.get(ids[name]).parent == ids[parent]
        assert book.label(ids[name]) == f"{parent} / {name}"
    order = [t.id for t in book.active()]
    for t in book.active():
        if t.parent is not None:
            assert order.index(t.parent) < order.index(t.id)


# -- validation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (lambda b: b.create("pricing  &  VALUE", ["x"]), "Two active themes"),
    (lambda b: b.rename(1, "Usability"), "Two active themes"),
    (lambda b: b.create("Empty", []), "no keywords"),
    (lambda b: b.create("Empty", " , ;"), "no keywords"),
    (lambda b: b.edit(1, keywords=[]), "no keywords"),
    (lambda b: b.create("Deep", ["x"], parent=9), "one level deep"),
    (lambda b: b.edit(1, parent=9), "one level deep"),
    (lambda b: b.edit(3, parent=1), "has sub-themes"),
    (lambda b: b.get(99), "no theme with id 99"),
    (lambda b: b.rename(99, "New"), "no theme with id 99"),
    (lambda b: b.merge([3], 3), "merged into itself"),
    (lambda b: b.merge([], 3), "at least one"),
    (lambda b: b.split(8, "Docs 2", list(b.get(8).keywords)), "without keywords"),
    (lambda b: b.split(8, "Docs 2", []), "Name the keywords"),
    (lambda b: b.retire(8)[0].rename(8, "x"), "retired"),
    (lambda b: b.edit(1, negation="sometimes"), "negation"),
])
def test_validation_errors(change, message):
    """Invalid changes raise DataValidationError with a message saying what is wrong."""
    with pytest.raises(DataValidationError, match=message):
        change(starter_codebook())


@pytest.mark.parametrize("data, message", [
    ([{"id": 1, "name": "A", "keywords": ["a"]}], "JSON object"),
    ("themes", "JSON object"),
    ({"themes": "A"}, "JSON object"),
    ({"next_id": 2, "themes": [{"id": 1}]}, "incomplete or malformed"),
    ({"next_id": 2, "themes": [{"name": "A", "keywords": ["a"]}]}, "incomplete or malformed"),
    ({"next_id": 2, "themes": [{"id": "one", "name": "A", "keywords": ["a"]}]}, "incomplete or malformed"),
    ({"next_id": 2, "themes": [3]}, "incomplete or malformed"),
    ({"next_id": 2, "themes": [{"id": 1, "name": "A", "keywords": ["a*b"]}]}, "rule term"),
    ({"next_id": 3, "themes": [{"id": 1, "name": "A", "keywords": ["a"]},
                               {"id": 2, "name": "a", "keywords": ["b"]}]}, "Two active themes"),
    ({"next_id": 2, "themes": [{"id": 1, "name": "A", "keywords": ["a"], "status": "gone"}]}, "status"),
])
def test_from_dict_errors(data, message):
    """from_dict refuses anything that is not a valid codebook."""
    with pytest.raises(DataValidationError, match=message):
        Codebook.from_dict(data)


def test_round_trip_after_changes():
    """to_dict/from_dict (through JSON) gives back an equal codebook, merged and retired themes included."""
    book = starter_codebook()
    book, _ = book.merge([8], 7)
    book, _ = book.retire(11)
    book, _ = book.split(2, "Discounts", ["discount*"], as_child=True)
    book, _ = book.edit(4, negation="exclude", team="Support EMEA", description="How fast we answer")
    again = Codebook.from_dict(json.loads(json.dumps(book.to_dict())))
    assert again == book
    assert again.to_dict() == book.to_dict()


# -- changes and stable ids (acceptance) ---------------------------------------------------------

def test_rename_keeps_ids_and_counts(verbatims, base):
    """Renaming a theme keeps every theme id and every tag count; only that theme's name changes."""
    book, before = base
    new, change = book.rename(3, "  Quality   and reliability ")
    after = _tag_dedup(verbatims, new)
    assert change.action == "rename" and change.theme_ids == (3,)
    assert set(new.themes) == set(book.themes) and new.next_id == book.next_id
    assert _counts(after) == _counts(before)
    pd.testing.assert_frame_equal(after, before, check_dtype=False)
    assert new.get(3).name == "Quality and reliability"
    assert {i: t.name for i, t in new.themes.items() if i != 3} == {i: t.name for i, t in book.themes.items() if i != 3}
    assert new.get(3).keywords == book.get(3).keywords


@pytest.mark.parametrize("source, target", [(8, 7), (2, 6), (5, 7), (9, 10)])
def test_merge_keeps_other_ids_and_counts(verbatims, base, source, target):
    """Merging A into B: other themes keep ids and exact counts; B tags the union of A's and B's rows."""
    book, before = base
    new, change = book.merge([source], target)
    after = _tag_dedup(verbatims, new)
    assert change.action == "merge" and change.theme_ids == (target, source)
    assert set(new.themes) == set(book.themes) and new.next_id == book.next_id
    a = new.get(source)
    assert a.status == "merged" and a.merged_into == target
    assert source not in {t.id for t in new.active()}
    assert _rows(after, source, direct_only=False) == set()
    assert _rows(after, target) == _rows(before, source) | _rows(before, target)
    assert _rows(after, target, False) == _rows(before, source, False) | _rows(before, target, False)
    cb, ca = _counts(before), _counts(after)
    family = {source, target, book.get(source).parent, book.get(target).parent}   # roll-ups may move
    for tid in cb:
        if tid not in family:
            assert ca.get(tid) == cb[tid], f"theme {tid} changed count"
    for child in (t.id for t in book.active() if t.parent == source):   # A's sub-themes move under B
        assert new.get(child).parent == (target if book.get(target).parent is None else None)


def test_merge_keeps_each_source_rule(verbatims, base):
    """Merging a theme with exclude terms (Support responsiveness) still tags the union of the two themes' rows.

    Expected to hold by the codebook's contract (merge folds A's rules into B); currently the pooled
    exclude terms ("need _ support") also veto B's own keywords, so B loses rows it had before.
    """
    book, before = base
    new, _ = book.merge([4], 5)
    after = _tag_dedup(verbatims, new)
    union = _rows(before, 4) | _rows(before, 5)
    assert _rows(after, 5) == union, f"{len(union - _rows(after, 5))} rows lost, {len(_rows(after, 5) - union)} gained"


def test_merge_keeps_source_negation_mode():
    """A source with negation='exclude' merged into an 'ignore' theme still does not count negated mentions."""
    book, _ = Codebook({}, 1).create("Outages", ["outage*"], negation="exclude")
    book, _ = book.create("Slowness", ["slow"])
    texts = pd.Series(["no outage this year", "pages are slow", "another outage", "nothing"])
    before = tag(texts, book)
    new, _ = book.merge([1], 2)
    after = tag(texts, new)
    assert _rows(after, 2) == _rows(before, 1) | _rows(before, 2) == {1, 2}


@pytest.mark.parametrize("theme_id, moved, as_child", [(2, ["discount*", "cost"], False),
                                                       (1, ["training", "guided"], True),
                                                       (3, ["outage*", "stable"], False)])
def test_split_keeps_id_and_partitions_rows(verbatims, base, theme_id, moved, as_child):
    """Split: the original keeps its id, the new theme gets next_id; together they tag the original's rows."""
    book, before = base
    new, change = book.split(theme_id, "Split out", moved, as_child=as_child)
    after = _tag_dedup(verbatims, new)
    nid = book.next_id
    assert change.action == "split" and change.theme_ids == (theme_id, nid)
    assert new.next_id == nid + 1 and set(new.themes) == set(book.themes) | {nid}
    assert new.get(theme_id).name == book.get(theme_id).name
    assert set(new.get(theme_id).keywords) | set(new.get(nid).keywords) == set(book.get(theme_id).keywords)
    assert new.get(nid).parent == (theme_id if as_child else book.get(theme_id).parent)
    assert _rows(after, theme_id) | _rows(after, nid) == _rows(before, theme_id)
    assert len(_rows(after, nid)) > 0
    cb, ca = _counts(before), _counts(after)
    for tid in cb:
        if tid != theme_id:
            assert ca.get(tid) == cb[tid], f"theme {tid} changed count"
    if as_child:   # the new sub-theme rolls up, so the original's rows overall are unchanged
        assert _rows(after, theme_id, False) == _rows(before, theme_id, False)


def test_split_keeps_exclude_rules(verbatims, base):
    """Splitting 'support' out of Support responsiveness: the two themes together tag the original's rows.

    Expected by the codebook's contract; currently the new theme does not inherit the original's exclude
    terms ("need _ support"), so it also tags "We need SSO support ..." feature requests.
    """
    book, before = base
    new, change = book.split(4, "Support team", ["support"])
    after = _tag_dedup(verbatims, new)
    nid = change.theme_ids[1]
    together, original = _rows(after, 4) | _rows(after, nid), _rows(before, 4)
    assert together == original, f"{len(together - original)} rows gained, {len(original - together)} lost"


def test_ids_never_reused():
    """Create after retire, merge or split gets a fresh id; ids survive a round trip through to_dict."""
    book = starter_codebook()
    first_free = book.next_id
    book, ch = book.retire(first_free - 1)
    assert ch.action == "retire" and ch.theme_ids == (first_free - 1,)
    assert book.get(first_free - 1).status == "retired"
    book, ch = book.create("Performance", ["slow", "lag*"])
    assert ch.action == "create" and ch.theme_ids == (first_free,)
    book, ch = book.merge([first_free], 3)
    assert ch.theme_ids == (3, first_free)
    book = Codebook.from_dict(book.to_dict())
    book, ch = book.create("Speed", ["speed"])
    assert ch.theme_ids == (first_free + 1,)
    # a name of a retired or merged theme can be used again, with a new id
    book, ch = book.create("Performance", ["performance"])
    assert ch.theme_ids == (first_free + 2,)
    assert len({t.id for t in book.themes.values()}) == len(book.themes)


def test_retire_and_edit_changes():
    """Retire stops tagging and lifts sub-themes to top level; edit returns an 'edit' Change and keeps the id."""
    book = starter_codebook()
    texts = pd.Series(["the app crashed", "a bug"])
    new, ch = book.retire(3)
    assert isinstance(ch, Change) and ch.action == "retire"
    assert new.get(9).parent is None
    got = tag(texts, new)
    assert got[["row", "theme_id"]].values.tolist() == [[0, 9]]
    new, ch = book.edit(2, keywords="price, fee*", team="Revenue")
    assert ch.action == "edit" and ch.theme_ids == (2,)
    assert new.get(2).keywords == ("price", "fee*") and new.get(2).team == "Revenue"
    assert set(new.themes) == set(book.themes) and new.next_id == book.next_id
    d = ch.to_dict()
    assert d["action"] == "edit" and d["theme_ids"] == [2] and "T" in d["at"]
