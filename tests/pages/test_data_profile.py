"""The Data page's "What the store holds": the sentence and the table of core.store.profile, on the demo and on an
empty store."""

import core
from core.export import units
from core.store.profile import profile
from tests.pages.conftest import data_page, open_page


def test_the_demo_store_shows_what_it_holds_as_core_reads_it(monkeypatch, small_demo_store):
    url = f"sqlite:///{small_demo_store}"
    engine = core.make_engine(url)
    found = profile(engine)
    engine.dispose()
    at = open_page(monkeypatch, url, "data")
    assert "What the store holds" in [h.value for h in at.subheader]
    assert any(m.value == found.summary for m in at.markdown)
    shown = next(d.value for d in at.dataframe if "Data" in d.value.columns)
    assert shown["Data"].tolist() == [h.label for h in found.holdings]
    assert shown["Rows"].tolist() == [units.count(h.rows) for h in found.holdings]
    assert shown["From"].tolist() == [h.first.isoformat() for h in found.holdings]
    assert "This store is a recurring-revenue book" in found.summary
    assert any(b.label == "Download this table (CSV)" for b in at.get("download_button"))


def test_an_empty_store_shows_no_profile_only_what_to_import(store_url):
    at = data_page()
    assert "What the store holds" not in [h.value for h in at.subheader]
    assert "The store is empty" in at.info[0].value
