"""The board pack workbook of a review snapshot (core.review.workbook), read back with openpyxl: the sheets and
their order; each page sheet holds the snapshot's exact figures (numbers, not text) with number formats by unit;
the definitions are core.metrics' glossary; the decision log, the assumptions register and the comparison are
core.review.log's and core.review.snapshot's own tables; the summary names the quarter, the data and the versions."""

import datetime as dt
import io
import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from core import metrics
from core.errors import DataValidationError
from core.export import units
from core.review import compare as review_compare
from core.review import log as review_log
from core.review import saved as review_saved
from core.review import snapshot as review
from core.review import workbook as rx

PAGE_HEADER = ["Metric", "Group", "Value", "Low", "High", "Unit", "As shown", "Note", "Definition"]


@pytest.fixture(scope="module")
def engine(engine_on_small_demo):
    return engine_on_small_demo


@pytest.fixture(scope="module")
def saved(engine):
    """2026-Q3, saved, with two decisions (the first revised once) and a board assumption."""
    snap = review.build(engine, "2026-Q3")
    review_saved.save(engine, snap)
    n = review_log.add_decision(engine, snap.id, decision="Offer the renewal save offer to every plan",
                                owner="Head of CS", rationale="ROI above 5x", due="2026-12-31", author="board")
    review_log.update_decision(engine, snap.id, n, status="in progress", due="2027-01-31", author="CS ops")
    review_log.add_decision(engine, snap.id, decision="=SUM(A1:A2) is text, not a formula", owner="Finance")
    review_log.add_assumption(engine, snap.id, name="Target gross margin", value=0.82, unit="share", owner="CFO",
                              source="FY27 plan")
    return snap


@pytest.fixture(scope="module")
def narrower(engine):
    """2026-Q3 with a 60-day play window, never saved."""
    return review.build(engine, "2026-Q3", review.ReviewParams(roi_window=60))


@pytest.fixture(scope="module")
def log(engine, saved):
    return review_log.decisions(engine, saved.id), review_log.assumptions(engine, saved)


@pytest.fixture(scope="module")
def pack(saved, log):
    return load_workbook(io.BytesIO(rx.to_xlsx(saved, *log)))


@pytest.fixture(scope="module")
def compared(saved, narrower):
    comparison = review_compare.compare(saved, narrower)
    return comparison, load_workbook(io.BytesIO(rx.to_xlsx(narrower, comparison=comparison)))


def _rows(ws, max_col=None):
    """(header, body rows) of a sheet's table, as values."""
    rows = list(ws.iter_rows(values_only=True, max_col=max_col))
    return list(rows[0]), rows[1:]


def _same(cell, want) -> bool:
    """An empty cell for NaN, None or empty text; else the value (a number stays a number, equal to the 16
    significant digits a workbook stores)."""
    if want is None or want == "" or (isinstance(want, float) and math.isnan(want)):
        return cell is None
    if isinstance(want, str):
        return cell == want
    return isinstance(cell, int | float) and not isinstance(cell, bool) and cell == pytest.approx(want, rel=1e-15)


def _summary(ws) -> dict:
    """Column A -> column B of the Summary sheet (first occurrence)."""
    out = {}
    for a, b, *_ in ws.iter_rows(values_only=True):
        if a is not None and a not in out:
            out[a] = b
    return out


def test_the_sheets_and_their_order(saved, narrower, pack, compared):
    pages = ["Overview", "Health scores", "Feedback themes", "Intervention ROI"]
    assert pack.sheetnames == ["Summary", *pages, "Decisions", "Assumptions", "Definitions"]
    assert pack.sheetnames == rx.sheet_names(saved)
    assert compared[1].sheetnames == ["Summary", *pages, "Comparison", "Definitions"]
    assert compared[1].sheetnames == rx.sheet_names(narrower, with_comparison=True, with_log=False)
    # the demo store has no churn model: a page without figures gets no sheet
    assert "Churn drivers" not in set(saved.figures["page"])


def test_page_sheets_hold_the_snapshot_figures(saved, pack):
    for page in rx.sheet_names(saved)[1:-3]:
        want = review.page_table(saved, page)
        ws = pack[page]
        header, body = _rows(ws)
        assert header == PAGE_HEADER
        assert len(body) == len(want) == int((saved.figures["page"] == page).sum())
        for got, w in zip(body, want.itertuples(index=False), strict=True):
            for cell, value in zip(got, w, strict=True):
                assert _same(cell, value), (page, w.metric, w.group, cell, value)
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:I{len(want) + 1}"
        assert ws["A1"].font.b and ws["I2"].alignment.wrap_text and ws["H2"].alignment.wrap_text


def test_number_formats_follow_the_unit(saved, pack):
    def fmt(page, metric, group="", col="C"):
        t = review.page_table(saved, page)
        i = t.index[(t["metric"] == metric) & (t["group"] == group)][0]
        return pack[page][f"{col}{i + 2}"].number_format

    assert fmt("Overview", "Logo churn rate") == "0.0%" and fmt("Overview", "NRR").endswith("%")
    assert fmt("Overview", "MRR") == '"$"#,##0;-"$"#,##0;"$"0' and fmt("Overview", "Customers") == "#,##0"
    assert fmt("Health scores", "Health band", "red") == "0.0%"
    assert fmt("Health scores", "Health back-test AUC") == "0.000"
    assert fmt("Health scores", "Red/green churn ratio") == '0.00"x"'
    assert fmt("Feedback themes", "NPS") == fmt("Feedback themes", "NPS", col="D") == "+0.0;-0.0;0.0"
    assert fmt("Feedback themes", "CSAT", col="E") == "0.0%"
    effect = review.page_table(saved, "Intervention ROI").query("metric == 'Play effect'")["group"].iloc[0]
    assert fmt("Intervention ROI", "Play effect", effect) == "+0.0%;-0.0%;0.0%"
    # text columns keep Excel's General format
    assert pack["Overview"]["A2"].number_format == "General"


def test_the_definitions_sheet_is_the_glossary(saved, pack):
    ws = pack["Definitions"]
    header, body = _rows(ws, max_col=2)
    body = [r for r in body if r != (None, None)]
    assert header == ["Metric", "Definition"]
    assert body == list(metrics.GLOSSARY.items())
    assert body == list(metrics.definitions_table().itertuples(index=False, name=None))
    rows = list(ws.iter_rows(min_row=1, max_row=len(units.UNITS) + 1, min_col=4, max_col=6, values_only=True))
    assert rows[0] == ("Unit", "Meaning", "Number format")
    assert [u[:2] for u in rows[1:]] == list(units.UNITS.items())
    assert dict((u[0], u[2]) for u in rows[1:])["share"] == "0.0%"
    # every figure on a page sheet is defined there, and its Definition cell is that definition
    defined = dict(body)
    for page in rx.sheet_names(saved)[1:-3]:
        for metric, *_, definition in pack[page].iter_rows(min_row=2, values_only=True):
            assert metrics.definition(metric) and metrics.definition(metric) in defined.values(), metric
            assert definition == metrics.definition(metric)


def test_decisions_and_assumptions_are_the_logs_latest_rows(saved, log, pack):
    decisions, assumptions = log
    header, body = _rows(pack["Decisions"])
    assert header == ["Number", "Decision", "Owner", "Rationale", "Due", "Status", "Revision", "Recorded at (UTC)",
                      "Author"]
    assert len(body) == len(decisions) == 2
    for got, want in zip(body, decisions.itertuples(index=False), strict=True):
        assert got[:4] == (want.number, want.decision, want.owner, want.rationale or None)
        assert (got[4].date() if got[4] else None) == want.due
        assert got[5:7] == (want.status, want.revision)
        utc = pd.Timestamp(want.recorded_at)
        utc = utc.tz_convert("UTC").tz_localize(None) if utc.tzinfo else utc
        assert got[7] == utc.to_pydatetime().replace(microsecond=0)  # to the second, without the zone
        assert got[8] == (want.author or None)
    # the latest revision of decision 1, a date cell; formula-like text stays text
    assert body[0][4] == dt.datetime(2027, 1, 31) and body[0][5:7] == ("in progress", 2)
    assert pack["Decisions"]["E2"].number_format == "yyyy-mm-dd"
    assert pack["Decisions"]["B3"].data_type == "s" and body[1][4] is None
    header, body = _rows(pack["Assumptions"])
    assert header == ["Assumption", "Value", "Unit", "Owner", "Source", "Used in figures"]
    assert len(body) == len(assumptions) and body[-1][0] == "Target gross margin"
    for got, want in zip(body, assumptions.itertuples(index=False), strict=True):
        assert all(_same(c, w) for c, w in zip(got[:5], want[:5], strict=True)), (got, want)
        assert got[5] is bool(want.used_in_figures)
    assert pack["Assumptions"][f"B{len(body) + 1}"].number_format == "0.0%"


def test_an_empty_log_writes_its_header_and_a_note(saved, log):
    wb = load_workbook(io.BytesIO(rx.to_xlsx(saved, log[0].iloc[:0], log[1].iloc[:0])))
    for sheet, headers, note in (("Decisions", rx.DECISION_HEADERS, rx.NO_DECISIONS),
                                 ("Assumptions", rx.ASSUMPTION_HEADERS, rx.NO_ASSUMPTIONS)):
        header, body = _rows(wb[sheet])
        assert header == list(headers.values()) and body[0][0] == note and len(body) == 1


def test_the_comparison_sheet_is_compare(saved, narrower, compared):
    comparison, wb = compared
    ws = wb["Comparison"]
    header, body = _rows(ws)
    assert header == ["Page", "Metric", "Group", "Unit", "Before", "After", "Change", "Text before", "Text after",
                      "Cause"]
    assert len(body) == len(comparison)
    cols = ["page", "metric", "group", "before", "after", "change", "text_before", "text_after", "cause"]
    for got, want in zip(body, comparison[cols].itertuples(index=False), strict=True):
        cells = got[:3] + got[4:]
        assert all(_same(c, w) for c, w in zip(cells, want, strict=True)), (got, want)
    units = narrower.figures.set_index(["page", "metric", "group"])["unit"].to_dict()
    assert [r[3] for r in body] == [units.get((r[0], r[1], r[2] or "")) for r in body]
    moved = [r for r in body if r[0] == "Intervention ROI" and r[1] == "Play effect"]
    assert moved and all(r[-1] == "parameter roi_window 90 -> 60" for r in moved)
    assert any(r[6] != 0 for r in moved)
    row = next(i for i, r in enumerate(body, start=2) if r[1] == "Logo churn rate")
    assert ws[f"E{row}"].number_format == "0.0%" and ws[f"G{row}"].number_format == "+0.0%;-0.0%;0.0%"


def test_the_summary_names_the_quarter_the_data_and_the_versions(saved, narrower, log, pack, compared):
    s = _summary(pack["Summary"])
    assert pack["Summary"]["A1"].value == "Quarterly review 2026-Q3" and pack["Summary"]["A1"].font.b
    assert s["Quarter"] == "2026-Q3" and s["As of"].date() == saved.as_of == dt.date(2026, 9, 30)
    assert s["Data fingerprint"] == saved.data_hash and len(saved.data_hash) == 64
    assert s["Snapshot id"] == saved.id
    assert s["Saved (UTC)"] == saved.created_at.replace(tzinfo=None, microsecond=0)
    assert (s["Churn model"], s["Health configuration"], s["Codebook"]) == (
        "none", "default", f"v{saved.versions['codebook']}")
    assert {k: s[k] for k in saved.params} == saved.params
    assert {k: s[k] for k in saved.versions["libraries"]} == saved.versions["libraries"]
    counts = saved.figures["page"].value_counts()
    assert {p: s[p] for p in review.PAGES} == {p: int(counts.get(p, 0)) for p in review.PAGES}
    assert s["Churn drivers"] == 0 and s["Overview"] == 7
    assert (s["Figures"], s["Decisions"], s["Assumptions"]) == (len(saved.figures), 2, len(log[1]))
    # a snapshot never saved has no id and no saved time
    u = _summary(compared[1]["Summary"])
    assert narrower.id is None and (u["Snapshot id"], u["Saved (UTC)"]) == ("not saved", "not saved")
    assert u["roi_window"] == 60 and u["Data fingerprint"] == saved.data_hash
    assert u["Compared figures"] == len(compared[0]) and "Decisions" not in u


def test_a_churn_model_page_and_odd_values(saved):
    extra = pd.DataFrame([
        {"page": "Churn drivers", "metric": "ROC-AUC", "group": "", "value": 0.81, "low": 0.78, "high": 0.84,
         "unit": "score", "text": ""},
        {"page": "Churn drivers", "metric": "Top driver", "group": "#1", "value": 1.0, "low": math.nan,
         "high": math.nan, "unit": "rank", "text": "usage_trend"},
        {"page": "Health scores", "metric": "Red/green churn ratio", "group": "x", "value": math.inf,
         "low": math.nan, "high": math.nan, "unit": "ratio", "text": ""}])
    snap = review.Snapshot(saved.quarter, saved.as_of, saved.data_hash, saved.params,
                           {**saved.versions, "churn_model": 2, "health_config": 3},
                           pd.concat([saved.figures, extra], ignore_index=True))
    wb = load_workbook(io.BytesIO(rx.to_xlsx(snap)))
    assert wb.sheetnames == ["Summary", "Overview", "Churn drivers", "Health scores", "Feedback themes",
                             "Intervention ROI", "Definitions"]
    _, body = _rows(wb["Churn drivers"])
    assert body[0][:5] == ("ROC-AUC", None, 0.81, 0.78, 0.84) and wb["Churn drivers"]["C2"].number_format == "0.000"
    assert body[1][:7] == ("Top driver", "#1", 1, None, None, "rank", "usage_trend")
    assert wb["Health scores"].cell(len(_rows(wb["Health scores"])[1]) + 1, 3).value == "inf"
    s = _summary(wb["Summary"])
    assert (s["Churn model"], s["Health configuration"], s["Churn drivers"]) == ("v2", "v3", 2)


def test_the_content_does_not_depend_on_the_run_or_on_saving(engine, saved, log, pack):
    again = load_workbook(io.BytesIO(rx.to_xlsx(review_saved.load(engine, saved.id), *log)))
    assert again.sheetnames == pack.sheetnames
    for name in pack.sheetnames:
        assert list(again[name].iter_rows(values_only=True)) == list(pack[name].iter_rows(values_only=True)), name


def test_a_table_without_its_columns_is_a_clear_error(saved):
    with pytest.raises(DataValidationError, match="decision log has no column"):
        rx.to_xlsx(saved, decisions=pd.DataFrame({"decision": ["x"]}))
    with pytest.raises(DataValidationError, match="comparison has no column"):
        rx.to_xlsx(saved, comparison=pd.DataFrame({"page": []}))
