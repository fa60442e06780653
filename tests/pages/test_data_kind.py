"""AppTest of the Data page: an uploaded file pre-sets "What the file holds" to the detected kind, and says why."""


from tests.pages.conftest import data_page


def _purchase_log() -> bytes:
    rows = "".join(f"C{i % 30:03d},2024-{i % 12 + 1:02d}-{i % 27 + 2:02d},{10 + i % 40}.95,{1 + i % 3}\n"
                   for i in range(200))
    return ("Customer ID,Order Date,Order Total,Quantity\n" + rows).encode()


def test_uploading_a_purchase_log_presets_transactions(store_url):
    at = data_page()
    assert not [s for s in at.selectbox if s.key == "data_kind"]  # asked once a file is there
    at.file_uploader[0].upload("orders.csv", _purchase_log(), "text/csv").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="data_kind").value == "transactions"
    why = [c.value for c in at.caption if c.value.startswith("Detected from the columns: ")]
    assert why == ["Detected from the columns: a customer id, a date, an amount and a quantity per row, dates on "
                   "any day: purchases."]
    assert any(m.label == "Rows read" and m.value == "200" for m in at.metric)
    # the analyst's choice stays on the next run
    at.selectbox(key="data_kind").set_value("revenue").run()
    assert at.selectbox(key="data_kind").value == "revenue"


def test_an_ambiguous_upload_asks(store_url):
    at = data_page()
    data = b"customer_id,date\n" + b"".join(b"C%d,2024-01-%02d\n" % (i % 5, i % 28 + 1) for i in range(40))
    at.file_uploader[0].upload("visits.csv", data, "text/csv").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="data_kind").value == "customers"  # left as it was
    assert any(c.value.startswith("Could not tell what the file holds: ") for c in at.caption)
