"""Building blocks of the printed review report: escaping, dates, tables, inline SVG charts and the print
stylesheet (A4). Every text that goes into the document passes through :func:`esc`."""

from __future__ import annotations

import html
import math
import re
from importlib import metadata

import pandas as pd

from core.export.units import format_value
from core.review import charts as rc

#: widest a chart may be drawn, in CSS pixels: an A4 page less 14 mm margins (182 mm at 96 px per inch)
CHART_WIDTH = 680


CSS = """
@page { size: A4; margin: 14mm;
  @bottom-left { content: "%(footer)s"; font: 8pt "Liberation Sans", Arial, sans-serif; color: #000; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "Liberation Sans", Arial,
                  sans-serif; color: #000; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font: 10pt/1.4 "Liberation Sans", Arial, Helvetica, sans-serif; color: #000; background: #fff; }
h1 { font-size: 26pt; line-height: 1.15; margin: 0 0 2mm; }
h2 { font-size: 17pt; margin: 0 0 3mm; padding-bottom: 1.5mm; border-bottom: 1.5pt solid #000;
     break-after: avoid; }
h3 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2.5mm; }
.kicker { font-size: 10pt; text-transform: uppercase; letter-spacing: 0.08em; margin: 0 0 3mm; }
.lede { font-size: 13pt; margin: 0 0 6mm; }
.intro { font-size: 10.5pt; margin: 0 0 4mm; }
.note { font-size: 9pt; }
code { font-family: "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 9pt; }
table { width: 100%%; border-collapse: collapse; margin: 0 0 4mm; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.6mm; border-bottom: 0.5pt solid #555; }
th { background: #e0e0e0; border-bottom: 1pt solid #000; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.shown, td.val { font-weight: bold; }
td.val { white-space: nowrap; }
tr.group th { background: none; border-bottom: 1pt solid #000; padding-top: 3mm; font-size: 9.5pt;
              break-after: avoid; page-break-after: avoid; }
table.narrow { width: auto; min-width: 55%%; }
table.meta { font-size: 10pt; width: auto; min-width: 60%%; }
table.meta th { background: none; border-bottom: 0.5pt solid #555; width: 48mm; font-weight: bold; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin: 0 0 4mm; }
.tile { border: 1pt solid #000; padding: 2.5mm 3mm; break-inside: avoid; }
.tile .label { font-size: 8.5pt; text-transform: uppercase; letter-spacing: 0.04em; }
.tile .value { font-size: 17pt; font-weight: bold; line-height: 1.2; }
.tile .detail { font-size: 8pt; }
ul.glance { margin: 0 0 4mm; padding-left: 5mm; }
ul.glance li { margin-bottom: 1.2mm; }
nav ol { margin: 0; padding-left: 6mm; columns: 2; font-size: 9.5pt; }
a { color: #000; text-decoration: none; }
figure.chart { margin: 0 0 5mm; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; max-width: 100%%; height: auto; }
dl.defs { margin: 0 0 4mm; font-size: 9pt; }
dl.defs dt { font-weight: bold; margin-top: 1.6mm; break-after: avoid; }
dl.defs dd { margin: 0 0 0 5mm; break-inside: avoid; }
.major { break-before: page; page-break-before: always; }
.empty { font-style: italic; border-left: 2pt solid #000; padding-left: 3mm; }
@media screen {
  html, body { background: #d5d5d5; }
  body { width: 210mm; margin: 0 auto; }
  .sheet { background: #fff; padding: 14mm; min-height: 297mm; margin-bottom: 6mm; }
}
@media print {
  .sheet { padding: 0; min-height: 0; margin: 0; }
}
"""


def esc(value) -> str:
    """Text escaped for HTML (None and NaN as empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def date_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    try:
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    except (ValueError, TypeError):
        return str(value)


def long_date(value) -> str:
    try:
        d = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    return f"{d.day} {d:%B %Y}"


def stamp(value) -> str:
    """A saved time as ``2026-11-22 12:41 UTC`` (a time without zone is UTC, as the store writes it)."""
    t = pd.Timestamp(value)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    return f"{t:%Y-%m-%d %H:%M} UTC"


def version_text(v, none: str = "none saved") -> str:
    return none if v is None or (isinstance(v, float) and math.isnan(v)) else f"v{v}"


def table(head: list[tuple[str, str]], rows: list[list[tuple[str, str]]], cls: str = "") -> str:
    """``head``: (label, css class); ``rows``: cells as (escaped html, css class)."""
    th = "".join(f'<th class="{c}">{esc(h)}</th>' if c else f"<th>{esc(h)}</th>" for h, c in head)
    body = "".join(f'<tr class="group"><th colspan="{len(head)}">{r[0][0]}</th></tr>' if r[0][1] == "group" else
                   "<tr>" + "".join(f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for v, c in r) + "</tr>"
                   for r in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def grouped(head: list[tuple[str, str]], rows: list[list[tuple[str, str]]], groups: list[str],
             cls: str = "") -> str:
    """:func:`table` whose second column holds each row's group: a run of two or more rows of one group gets
    a heading row instead, and the column goes when no row needs it."""
    runs, i = [], 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and groups[j + 1] == groups[i]:
            j += 1
        runs.append((i, j))
        i = j + 1
    column = any(groups[i] and i == j for i, j in runs)
    body = []
    for i, j in runs:
        heading = bool(groups[i]) and j > i
        if heading:
            body.append([(esc(groups[i]), "group")])
        for r in rows[i:j + 1]:
            cells = list(r)
            if heading:
                cells[1] = ("", "")
            body.append(cells if column else cells[:1] + cells[2:])
    return table(head if column else head[:1] + head[2:], body, cls)


def chart_figure(chart) -> str:
    """A chart as inline SVG in a figure (the SVG's namespace declarations dropped: HTML needs none)."""
    svg = rc.to_svg(chart, fit=CHART_WIDTH)
    svg = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", svg, count=2)
    svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return f'<figure class="chart">{svg}</figure>'


def css_string(text: str) -> str:
    return re.sub(r'[\\"<>\n\r]', " ", text)


def installed_version(package: str) -> str:
    """The installed version of ``package`` (``'missing'`` when it is not installed)."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def red_green(rows: pd.DataFrame) -> str:
    """The back-test's red against green, as a clause of the health sentence (words where there is no ratio)."""
    r = rows.iloc[0] if len(rows) else {"value": None, "text": ""}
    if pd.notna(r["value"]):
        return f"; in the back-test, red customers churned {format_value(r['value'], 'ratio')} as often as green ones"
    return f"; in the back-test, red against green: {r['text']}" if r["text"] else ""
