"""AppTest of the Data page on a line-item log shaped like the public online-retail export: the kind is detected,
the amount is derived from quantity x unit price, and the returns (count and total) are said on the page."""

import io
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.export import units
from tests.core.ingest.test_line_items import _expected, make_line_items

ROOT = Path(__file__).resolve().parents[2]


def test_the_page_says_how_many_returns_and_how_much(store_url):
    log = make_line_items()
    buf = io.StringIO()
    log.to_csv(buf, index=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    at.file_uploader[0].upload("Online Retail.csv", buf.getvalue().encode(), "text/csv").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="data_kind").value == "transactions"
    exp = _expected(log)
    n, total = int(exp["is_return"].sum()), float(exp.loc[exp["is_return"], "amount"].sum())
    captions = [c.value for c in at.caption]
    want = f"{units.count(n)} return lines (negative, cancelled or refunded), {units.money(total, decimals=2)} in total"
    # the caption is escaped for Markdown ($ and the like): compare with the escapes removed
    assert any(want in c.replace("\\", "") for c in captions), captions
    assert any("amount derived as quantity x unit price" in c.replace("\\", "") for c in captions), captions
