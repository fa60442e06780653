"""AppTest of the Data page on a line-item log shaped like the public online-retail export: the kind is detected,
the amount is derived from quantity x unit price, and the returns (count and total) are said on the page."""

import io

from core.export import units
from tests.core.ingest.test_line_items import _expected, make_line_items
from tests.pages.conftest import data_page


def test_the_page_says_how_many_returns_and_how_much(store_url):
    log = make_line_items()
    buf = io.StringIO()
    log.to_csv(buf, index=False)
    at = data_page()
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
