"""AppTest of the Data page with hostile workbooks: the refusal is shown as one message, nothing is written, and
the app goes on to serve the next page (the server is not taken down)."""

from __future__ import annotations

import pytest

import core
from tests.core.ingest import hostile_files as H
from tests.pages.conftest import data_page

FILES = {
    "far_cell.xlsx": (H.far_cell_xlsx, "spans A1:XFD1048576"),
    "shared_strings.xlsx": (H.shared_string_bomb_xlsx, "of text once its shared strings are copied"),
    "zip_bomb.xlsx": (H.zip_bomb_xlsx, "zip bomb"),
}


@pytest.mark.parametrize("name", list(FILES))
def test_the_page_shows_the_refusal_and_the_app_serves_the_next_page(store_url, name):
    make, words = FILES[name]
    at = data_page(timeout=180)
    at.file_uploader[0].upload(name, make(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and words in at.error[0].value
    assert "save the sheet as CSV" in at.error[0].value
    assert "data_import" not in [b.key for b in at.button]  # nothing to import
    assert core.table_counts(core.make_engine(store_url))["importlog"] == 0

    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    at.switch_page("pages/data.py").run()
    assert not at.exception, at.exception
