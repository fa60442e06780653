"""The verbatims a reader lists (core.feedback.verbatim_list): each choice against a plain row-by-row reading of
the same demo verbatims."""

import pandas as pd
import pytest

from core.feedback.inputs import inputs_from_frames
from core.feedback.prepared import prepare
from core.feedback.starter import starter_codebook
from core.feedback.tagging import tag, theme_labels
from core.feedback.verbatim_list import ALL, COLUMNS, UNTAGGED, matching


@pytest.fixture(scope="module")
def parts(demo):
    prep = prepare(inputs_from_frames(demo.customers, demo.feedback, demo.tickets, demo.revenue))
    book = starter_codebook()
    tags = tag(prep["text"], book)
    return prep, theme_labels(tags, book, len(prep)), tags, book


def _expected(prep, labels, tags, book, start, end, theme, tone, channels, search) -> list:
    """The verbatim ids that match, read one row at a time."""
    named = {}
    for r, tid in zip(tags["row"], tags["theme_id"]):
        named.setdefault(r, set()).add(book.label(tid))
    out = []
    for i, row in enumerate(prep.to_dict("records")):  # plain dicts: a pandas row per verbatim took 6 s a test
        if pd.isna(row["date"]) or not start <= row["date"] <= end:
            continue
        if theme == UNTAGGED and labels.iloc[i] != "" or theme not in (ALL, UNTAGGED) and theme not in named.get(i, ()):
            continue
        if tone != ALL and row["tone"] != tone or channels and row["channel"] not in channels:
            continue
        if search and search.lower() not in str(row["text"]).lower() and str(row["customer_id"]) != search:
            continue
        out.append((row["date"], row["vid"]))
    return [v for _, v in sorted(out, key=lambda x: x[0], reverse=True)]


@pytest.mark.parametrize("theme, tone, channels, search", [
    (ALL, ALL, (), ""), (UNTAGGED, ALL, (), ""), ("Pricing & value", "negative", (), ""),
    ("Bugs & reliability", ALL, ("nps", "ces"), ""), (ALL, ALL, (), "price"), (ALL, "positive", (), "PRICE")])
def test_each_choice_lists_what_a_row_by_row_reading_lists(parts, theme, tone, channels, search):
    prep, labels, tags, book = parts
    start, end = pd.Timestamp("2024-06-01"), pd.Timestamp("2025-06-30")
    got = matching(prep, labels, tags, book, start=start, end=end, theme=theme, tone=tone, channels=channels,
                   search=search)
    assert list(got.columns) == COLUMNS
    expected = _expected(prep, labels, tags, book, start, end, theme, tone, channels, search)
    assert sorted(got["vid"]) == sorted(expected) and len(expected) > 0
    assert got["date"].is_monotonic_decreasing
    assert (got["themes"] == labels.loc[got.index]).all()


def test_a_customer_id_finds_that_customers_verbatims(parts):
    prep, labels, tags, book = parts
    who = str(prep["customer_id"].iloc[0])
    got = matching(prep, labels, tags, book, search=who)
    assert set(got["customer_id"].astype(str)) == {who}
    assert len(got) == int((prep["customer_id"].astype(str) == who).sum())
