"""Plain words for leaders (issue 21) on the Health scores, Overview and Data pages: on the demo, the CDNOW purchase log
(its 1/10 sample) and the telco snapshot, every tab (AppTest renders them all at once) and the main selectors show no
code word (snake_case, None, NaN, Infinity, midnight times, long decimals) in text, widgets, table headers or chart
titles, beyond the short reviewed allow-list below (tests/pages/plain_words.py is the walker)."""

import pytest

from tests.pages import plain_words as pw
from tests.pages import store_kinds as sk
from tests.pages.conftest import open_page

#: the snake_case words in the names of the files the test stores import (CDNOW_sample.txt, WA_Fn-UseC_-Telco-...)
FILE_WORDS = "|".join(sorted({m.group(0) for name in (sk.CDNOW_SAMPLE.name, sk.TELCO.name)
                              for m in pw.RULES["snake_case word"].finditer(name)}))
#: reviewed exceptions, each with its reason
ALLOW = (
    pw.Allow(FILE_WORDS, "an import's file name is the analyst's own, shown as uploaded in the history and in the "
             "undo picker", where="selectbox option"),
    pw.Allow(FILE_WORDS, "the same file names in the import history's file column", where="dataframe cell [file]"),
)
STORES = ("demo", "cdnow_sample", "telco")
PAGES = ("health_scores", "overview", "data")


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_demo_store):
    return sk.Stores(lambda kind: tmp_path_factory.mktemp(f"plain_hod_{kind}"), small_demo_store)


def _walk(at, key: str, found: list[str]) -> None:
    """Every other choice of the selectbox ``key`` (when the page has it), its findings added to ``found``."""
    boxes = [b for b in at.selectbox if b.key == key]
    if not boxes:
        return
    for option in list(boxes[0].options)[1:4]:
        at.selectbox(key=key).select(option).run()
        assert not at.exception, at.exception
        found += [f for f in pw.findings(pw.collect(at), ALLOW) if f not in found]


@pytest.mark.parametrize("kind", STORES)
@pytest.mark.parametrize("page", PAGES)
def test_the_page_speaks_plain_words(stores, kind, page):
    mp = pytest.MonkeyPatch()
    try:
        at = open_page(mp, stores.url(kind), page)
        texts = pw.collect(at)
        assert texts and {t.label for t in at.tabs} <= {t.text for t in texts}
        found = pw.findings(texts, ALLOW)
        if page == "health_scores":
            _walk(at, "health_pick", found)
        if page == "overview":  # a tile names the period it compares with only beside a change
            found += [f"metric {m.label}: {m.proto.delta_description!r} without a change" for m in at.metric
                      if m.proto.delta_description.startswith("vs.") and not m.proto.delta]
    finally:
        mp.undo()
    assert not found, "\n".join(found)
