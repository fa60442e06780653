"""Features by label outside the page (issue 21): the CLI prints each top driver's label with its column name in
brackets, and the review's top-driver rows carry labels, on a copy of the small demo store."""

import contextlib
import io
import re

import pytest
from sqlalchemy import select

import core
from core.cli.main import main
from core.history.feature_labels import FEATURE_LABELS, feature_label
from core.review.figures import churn as churn_figures
from core.store.tables import ChurnRun
from tests.conftest import copy_store


@pytest.fixture(scope="module")
def saved(tmp_path_factory, small_demo_store):
    """(url, what ``python -m core churn --save --drivers 8`` printed) on a copy of the demo store."""
    url = f"sqlite:///{copy_store(small_demo_store, tmp_path_factory.mktemp('labels'))}"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", url, "churn", "--save", "--drivers", "8"]) == 0
    return url, out.getvalue()


def test_the_cli_prints_labels_with_the_column_in_brackets(saved):
    _, text = saved
    lines = text.split("top drivers (mean |SHAP|, log-odds):\n")[1].splitlines()[:8]
    pairs = [re.match(r"  (.+?) \[(\w+)\] +\d\.\d{3}  (controllable|fixed)", line) for line in lines]
    assert all(pairs), lines
    for m in pairs:
        label, code = m.group(1), m.group(2)
        assert label == FEATURE_LABELS.get(code, label) != code and "_" not in label


def test_the_review_names_the_top_drivers_by_label(saved):
    url, _ = saved
    engine = core.make_engine(url)
    rows, version = churn_figures(engine)
    with engine.connect() as conn:
        card = conn.execute(select(ChurnRun.card).where(ChurnRun.version == version)).scalar()
    engine.dispose()
    texts = [r["text"] for r in rows if r["metric"] == "Top driver"]
    assert len(texts) == 5 and texts == [FEATURE_LABELS.get(n, n) for n in card["top_drivers"]]
    assert not any("_" in t for t in texts)


def test_an_uploaded_column_reads_as_words_and_other_names_are_kept():
    assert feature_label("contract_type") == "Contract type"
    assert feature_label("seats") == "Seats"
    assert feature_label("NumOfProducts") == "NumOfProducts"
    assert feature_label("Monthly Charges") == "Monthly Charges"
