"""The board pack workbook of a review snapshot (core.review.workbook, core.review.workbook_sheets), read back with
openpyxl: the sheets and their order; the summary opens with the headline figures as the printed report shows them
and the assumptions behind them, then names the quarter, the data and the versions; each page sheet holds the
snapshot's exact figures (numbers, not text) with number formats by unit; the definitions are one table of
core.metrics' glossary (with each metric's unit) and the units; the decision log, the assumptions register and the
comparison are core.review.log's and core.review.snapshot's own tables; text from data is never a formula."""

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
from core.review.report import HEADLINE_FIGURES

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
    assert pack.sheetnames == ["Summary", *pages, "MRR at risk", "Decisions", "Assumptions", "Definitions"]
    assert pack.sheetnames == rx.sheet_names(saved)
    assert compared[1].sheetnames == ["Summary", *pages, "MRR at risk", "Comparison", "Definitions"]
    assert compared[1].sheetnames == rx.sheet_names(narrower, with_comparison=True, with_log=False)
    # the demo store has no churn model: a page without figures gets no sheet
    assert "Churn drivers" not in set(saved.figures["page"])


def test_page_sheets_hold_the_snapshot_figures(saved, pack):
    for page in rx.sheet_names(saved)[1:-4]:
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


def test_the_definitions_sheet_is_one_table_of_terms_with_their_units(saved, pack):
    ws = pack["Definitions"]
    rows = list(ws.iter_rows(values_only=True))
    # one table: one header row, three columns, no blank row, nothing beside it
    assert ws.max_column == 3 and rows[0] == ("Term", "Definition", "Unit")
    body = rows[1:]
    assert len(body) == len(metrics.GLOSSARY) + len(units.UNITS)
    assert all(r[0] and r[1] for r in body) and len({r[0] for r in body}) == len(body)
    assert not any(r[0] in ("Term", "Unit", "Meaning", "Metric") for r in body)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:C{len(body) + 1}" and ws["A1"].font.b
    # the glossary, each metric with the unit(s) of its figures in the snapshot (empty when it has none)
    glossary = body[:len(metrics.GLOSSARY)]
    assert [r[:2] for r in glossary] == list(metrics.GLOSSARY.items())
    f = saved.figures
    for term, _, unit in glossary:
        mine = (f["metric"] == term) | f["metric"].str.startswith(f"{term} (")  # "ROI (window)" is an ROI
        want = list(dict.fromkeys(f.loc[mine, "unit"]))
        assert (unit.split(", ") if unit else []) == want, term
    unit_of = {r[0]: r[2] for r in glossary}
    assert (unit_of["Logo churn rate"], unit_of["MRR"], unit_of["Health back-test AUC"]) == ("share", "currency",
                                                                                             "score")
    assert unit_of["ROC-AUC"] is None  # the demo store has no churn model
    # then every unit, named as the page sheets' Unit column names it
    assert body[len(metrics.GLOSSARY):] == [(f"Unit: {u}", meaning, None) for u, meaning in units.UNITS.items()]
    # every figure on a page sheet is defined there, with its unit, and its Definition cell is that definition
    for page in rx.sheet_names(saved)[1:-4]:  # the page sheets (then MRR at risk, the logs and Definitions)
        for metric, _, _, _, _, unit, *_, definition in pack[page].iter_rows(min_row=2, values_only=True):
            term = metric if metric in unit_of else metric.rsplit(" (", 1)[0]
            assert definition == metrics.definition(metric) == metrics.GLOSSARY[term], metric
            assert unit in unit_of[term].split(", ") and f"Unit: {unit}" in {r[0] for r in body}


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
    assert moved and all(r[-1] == "play measurement window 90 -> 60 days" for r in moved)
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
    # the parameters by their plain names, with their units (no option code)
    assert "roi_window" not in s and s["Play measurement window"] == f"{saved.params['roi_window']} days"
    assert s["Gross margin"] == f"{100 * saved.params['margin']:.1f}%"
    assert {k: s[k] for k in saved.versions["libraries"]} == saved.versions["libraries"]
    counts = saved.figures["page"].value_counts()
    assert {p: s[p] for p in review.PAGES} == {p: int(counts.get(p, 0)) for p in review.PAGES}
    # the Overview's nine tiles, MRR in red (no churn model is saved: no MRR at high churn risk) and the quarter's
    # five MRR movements
    assert s["Churn drivers"] == 0 and s["Overview"] == 15
    assert (s["Figures"], s["Decisions"], s["Assumptions"]) == (len(saved.figures), 2, len(log[1]))
    # a snapshot never saved has no id and no saved time
    u = _summary(compared[1]["Summary"])
    assert narrower.id is None and (u["Snapshot id"], u["Saved (UTC)"]) == ("not saved", "not saved")
    assert u["Play measurement window"] == "60 days" and u["Data fingerprint"] == saved.data_hash
    assert u["Compared figures"] == len(compared[0]) and "Decisions" not in u


def _headline_want(snap) -> list[tuple]:
    """(label, value, interval or note) of each headline figure, from the figures with pandas, formatted by the
    report's formatter (an interval only where the figure has one)."""
    f = snap.figures.set_index(["page", "metric", "group"])
    out = []
    for label, *key in HEADLINE_FIGURES:
        if tuple(key) not in f.index or pd.isna(f.loc[tuple(key), "value"]):
            continue
        r = f.loc[tuple(key)]
        low, value, high = (units.format_value(r[c], r["unit"]) for c in ("low", "value", "high"))
        both = pd.notna(r["low"]) and pd.notna(r["high"]) and r["low"] != r["high"]
        out.append((label, value, f"{low} to {high}" if both else (r["text"] or None)))
    return out


def test_the_summary_opens_with_the_headline_figures_as_the_report_shows_them(saved, pack):
    ws = pack["Summary"]
    rows = [r[:3] for r in ws.iter_rows(values_only=True)]
    want = _headline_want(saved)
    assert rows[3] == ("Headline", "Value", "95 % interval or note") and ws["A4"].font.b
    # first thing below the title: every headline figure the snapshot has, in the report's order
    assert rows[4:4 + len(want)] == want and rows[4 + len(want)] == (None, None, None)
    labels = [w[0] for w in want]
    assert labels == ["NRR", "GRR", "Logo churn", "MRR", "Active customers", "Red health band", "MRR in red",
                      "NPS this quarter"]  # a subscription store: no buyers' figures
    assert all(ws.cell(5 + i, 2).data_type == "s" for i in range(len(want)))
    # written out independently: a share with one decimal, money to the dollar, NPS signed
    f = saved.figures.set_index(["page", "metric", "group"])["value"]
    shown = {w[0]: w[1] for w in want}
    assert shown["NRR"] == f"{100 * f['Overview', 'NRR', '']:.1f}%"
    assert shown["MRR"] == f"${f['Overview', 'MRR', '']:,.0f}"
    assert shown["NPS this quarter"] == f"{f['Feedback themes', 'NPS', '']:+.1f}"
    assert shown["Active customers"] == f"{f['Overview', 'Active customers', '']:,.0f}"
    # the metadata comes after the headline and the assumptions
    col_a = [r[0] for r in rows]
    assert col_a.index("Headline") < col_a.index("Assumptions behind the figures") < col_a.index("Quarter") \
        < col_a.index("Library versions")


def test_the_summary_shows_the_assumptions_behind_the_figures(saved, narrower, log, pack, compared):
    def section(ws):
        rows = [r[:3] for r in ws.iter_rows(values_only=True)]
        i = [r[0] for r in rows].index("Assumptions behind the figures")
        assert rows[i] == ("Assumptions behind the figures", "Value", "Source")
        end = [r[0] for r in rows].index("Snapshot")
        return [r for r in rows[i + 1:end] if r != (None, None, None)]

    def shown(value, unit):  # the assumption with its unit, written out independently
        if unit == "share":
            return f"{100 * value:.1f}%"
        if unit == "currency":
            return f"${value:,.2f}" if value < 100 and not float(value).is_integer() else f"${value:,.0f}"
        return f"{value:,.0f} {unit}"

    register = log[1]
    got = section(pack["Summary"])
    assert [(r[0], r[1]) for r in got] == [(n, shown(v, u)) for n, v, u in
                                           register[["name", "value", "unit"]].itertuples(index=False)]
    assert got[-1] == ("Target gross margin", "82.0%", "FY27 plan; owner CFO; added by the board, not used in the "
                                                       "figures")
    assert all("not used" not in (r[2] or "") for r in got[:-1])
    # without a register: the assumptions the figures were built on
    got = section(compared[1]["Summary"])
    assert ("Play measurement window", "60 days") in [(r[0], r[1]) for r in got]
    assert [r[0] for r in got] == list(review_log.used_assumptions(narrower)["name"])


def test_text_from_data_is_never_a_formula(saved, log):
    evil = log[1].copy()
    evil.loc[len(evil)] = ["=HYPERLINK(\"http://x\",\"y\")", 1.0, "share", "+cmd", "@SUM(A1)", False]
    wb = load_workbook(io.BytesIO(rx.to_xlsx(saved, log[0], evil)))
    for ws in (wb["Summary"], wb["Assumptions"], wb["Decisions"]):
        cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert all(c.data_type == "s" for c in cells), ws.title
    s = _summary(wb["Summary"])
    assert s['=HYPERLINK("http://x","y")'] == "100.0%"
    assert _rows(wb["Assumptions"])[1][-1][:5] == ('=HYPERLINK("http://x","y")', 1, "share", "+cmd", "@SUM(A1)")


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
                             "Intervention ROI", "MRR at risk", "Definitions"]
    _, body = _rows(wb["Churn drivers"])
    assert body[0][:5] == ("ROC-AUC", None, 0.81, 0.78, 0.84) and wb["Churn drivers"]["C2"].number_format == "0.000"
    assert body[1][:7] == ("Top driver", "#1", 1, None, None, "rank", "Usage trend")  # by its label (issue 21)
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
