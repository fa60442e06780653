"""AppTest: on the Data page, a file whose customer ids match another source's customers asks whether they are
the same customers before anything can be imported; "Keep them separate" loads them as new, prefixed customers."""

import core
from tests.core.ingest.test_id_spaces import A, B, as_csv
from tests.pages.conftest import data_page


def test_matching_ids_ask_same_or_separate_before_import(store_url):
    engine = core.make_engine(store_url)
    core.commit_import(engine, core.prepare_import(engine, as_csv(A), "cdnow.txt", "transactions"))
    at = data_page()
    data = as_csv(B)
    at.file_uploader[0].upload("retail.csv", data, "text/csv").run()
    at.selectbox(key="data_kind").set_value("transactions").run()
    assert not at.exception, at.exception
    key = f"data_id_space_{hash(data)}"
    assert at.radio(key=key).value is None
    assert any("51 of 101 ids match customers created by import #1 (cdnow.txt)" in m.value for m in at.markdown)
    assert "data_import" not in [b.key for b in at.button]  # no import until the choice is made
    at.radio(key=key).set_value("Keep them separate").run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    assert core.table_counts(engine)["customer"] == 201
