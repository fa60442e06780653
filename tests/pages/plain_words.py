"""A walker of a rendered page (an AppTest) that finds code words a leader should never read (issue 21).

It collects what the page shows as text: markdown, captions, titles and headings, alerts, metric labels, values and
help, tab labels, widget labels, help and option labels, dataframe column headers (the column configuration's label
when there is one) and text cells, and, from each Vega-Lite spec, the axis, legend and tooltip titles (a field's name
when it has no title) and the values a nominal axis or legend shows, and each chart's text alternative (its
accessible name, which must stand in a caption too). :func:`findings` flags a raw identifier in any of
it (:data:`RULES`: snake_case words, ``None``, ``NaN``, ``nan``, ``Infinity``, a midnight time ``00:00:00``, a number
with more than four decimals), except what an allow-list forgives (each entry with its reason).

Reusable over every page and store: ``findings(collect(at), allow)``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

#: what a leader should not read, by name
RULES = {
    "snake_case word": re.compile(r"(?<![\w/.?=&-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w/])"),
    "None": re.compile(r"\bNone\b"),
    "NaN": re.compile(r"\b(?:NaN|nan|NaT)\b"),
    "Infinity": re.compile(r"\b-?Infinity\b|\binf\b"),
    "midnight time": re.compile(r"00:00:00"),
    "more than four decimals": re.compile(r"(?<![\d.])\d+\.\d{5,}(?![\d.])"),
    "chart without a text alternative": re.compile(r"^<no text alternative>$"),
    "text alternative not in a caption": re.compile(r"^<not in a caption>"),
}
#: channels whose title a chart shows (an axis or a legend); x2, offsets, detail and order have none of their own
TITLED = ("x", "y", "color", "fill", "stroke", "shape", "size", "opacity", "row", "column", "facet", "theta")
#: channels whose nominal values a chart writes out (axis labels, legend entries)
LABELLED = ("x", "y", "color", "fill", "stroke", "shape", "row", "column", "facet")


@dataclass(frozen=True)
class Text:
    """One piece of shown text and where it was found (``"caption"``, ``"chart 3 y title"`` ...)."""

    where: str
    text: str


@dataclass(frozen=True)
class Allow:
    """A reviewed exception: text matching ``pattern`` (a regular expression) at a place whose name contains
    ``where`` is fine, because of ``reason``."""

    pattern: str
    reason: str
    where: str = ""


def _element_texts(node) -> list[Text]:
    kind = getattr(node, "type", "")
    out = []
    if kind in ("markdown", "caption", "title", "header", "subheader", "text", "latex", "info", "warning", "error",
                "success", "toast"):
        out.append(Text(kind, str(node.value)))
    if kind == "metric":
        out += [Text("metric label", node.label), Text("metric value", str(node.value)),
                Text("metric delta", str(node.proto.delta or ""))]
    if kind == "tab":
        out.append(Text("tab", node.label))
    return out


def _widget_texts(node) -> list[Text]:
    """Labels, help and option labels of a widget (or of anything with a label, like a download button)."""
    kind = getattr(node, "type", "")
    if kind in ("tab", "metric", "dataframe", "arrow_vega_lite_chart", "vega_lite_chart", "expander"):
        return []
    out = []
    for part in ("label", "help", "placeholder"):
        text = getattr(node, part, None) if hasattr(node, "proto") else None
        if isinstance(text, str) and text:
            out.append(Text(f"{kind} {part}", text))
    options = getattr(node, "options", None) if hasattr(node, "proto") else None
    for o in options or []:
        out.append(Text(f"{kind} option", o if isinstance(o, str) else getattr(o, "content", str(o))))
    return out


def dataframe_texts(node) -> list[Text]:
    """The column headers a dataframe shows (each column's configured label, else its name; hidden columns and a
    hidden index left out) and the cells of its text columns (``dataframe cell [header]``; not a link column's,
    which shows its display text)."""
    config = json.loads(node.proto.columns or "{}")
    frame = node.value
    out = []
    for name in frame.columns:
        c = config.get(f"col:{name}") or config.get(str(name)) or {}
        if c.get("hidden"):
            continue
        head = str(c.get("label") or name)
        out.append(Text("dataframe header", head))
        if frame[name].dtype == object and (c.get("type_config") or {}).get("type") != "link":
            out += [Text(f"dataframe cell [{head}]", str(v)) for v in frame[name].unique()]
    return out


def _layers(spec: dict) -> list[dict]:
    """Every unit spec of a chart (layers, concatenations and the top level)."""
    out, todo = [], [spec]
    while todo:
        s = todo.pop()
        out.append(s)
        for key in ("layer", "hconcat", "vconcat", "concat"):
            todo += s.get(key, [])
        if isinstance(s.get("spec"), dict):
            todo.append(s["spec"])
    return out


def _encodings(spec: dict) -> list[tuple[dict, dict]]:
    """(unit spec, encoding) of every unit, with the encodings a layer inherits from its parent merged in."""
    out = []

    def walk(s, inherited):
        enc = {**inherited, **s.get("encoding", {})}
        out.append((s, enc))
        for child in s.get("layer", []):
            walk(child, enc)
        for key in ("hconcat", "vconcat", "concat"):
            for child in s.get(key, []):
                walk(child, {})

    walk(spec, {})
    return out


def _data_name(unit: dict, spec: dict) -> str | None:
    data = unit.get("data") or spec.get("data") or {}
    return data.get("name")


def chart_texts(spec: dict, datasets: dict, n: int) -> list[Text]:
    """Titles (axis, legend, chart, tooltip) and nominal axis values of chart ``n``."""
    out = []
    title = spec.get("title")
    if title:
        out.append(Text(f"chart {n} title", title if isinstance(title, str) else json.dumps(title)))
    explicit = {ch for _, enc in _encodings(spec) for ch, e in enc.items()
                if isinstance(e, dict) and "title" in e}
    for unit, enc in _encodings(spec):
        for ch, e in enc.items():
            if ch == "tooltip":
                out += [Text(f"chart {n} tooltip title", str(t.get("title") or t["field"]))
                        for t in (e if isinstance(e, list) else [e]) if isinstance(t, dict) and "field" in t]
                continue
            if not isinstance(e, dict):
                continue
            if ch in TITLED and "field" in e and e.get("axis", {}) is not None and e.get("legend", {}) is not None:
                if "title" in e and e["title"]:
                    title = e["title"]  # a list: one line each (ui.chart_style.wrapped)
                    title = " ".join(title) if isinstance(title, list) else str(title)
                    out.append(Text(f"chart {n} {ch} title", title))
                elif "title" not in e and ch not in explicit:
                    out.append(Text(f"chart {n} {ch} title (its field)", str(e["field"])))
            if ch in LABELLED and "field" in e and e.get("type") in ("nominal", "ordinal"):
                frame = datasets.get(_data_name(unit, spec))
                if frame is not None and e["field"] in frame:
                    out += [Text(f"chart {n} {ch} value", str(v)) for v in frame[e["field"]].dropna().unique()]
    return out


def _chart(node, n: int) -> list[Text]:
    spec = json.loads(node.proto.spec)
    datasets = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in node.proto.datasets}
    if len(node.proto.datasets) == 1 and not node.proto.datasets[0].name:
        datasets[None] = next(iter(datasets.values()))
    return chart_texts(spec, datasets, n)


def collect(at) -> list[Text]:
    """Every piece of text the page at ``at`` shows (see the module's docstring), and each chart's text
    alternative: its accessible name, which must also stand in a caption (else a text the rules flag)."""
    out, alts = [], []
    for node in at._tree:
        kind = getattr(node, "type", "")
        out += _element_texts(node)
        if kind == "dataframe":
            out += dataframe_texts(node)
        elif kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
            out += _chart(node, len(alts))
            alts.append(node.proto.alt)
        else:
            out += _widget_texts(node)
    captions = {re.sub(r"\\(.)", r"\1", t.text) for t in out if t.where == "caption"}  # Markdown escapes undone
    for n, alt in enumerate(alts):
        if not alt.strip():
            out.append(Text(f"chart {n} text alternative", "<no text alternative>"))
        else:
            out.append(Text(f"chart {n} text alternative", alt if alt in captions else f"<not in a caption> {alt}"))
    return out


def _clean(text: str) -> str:
    """Text as a reader sees it: Markdown's backslash escapes and a link's address removed."""
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return re.sub(r"\\(.)", r"\1", text)


def findings(texts: list[Text], allow: tuple[Allow, ...] = ()) -> list[str]:
    """``"where: rule: 'match' in 'text'"`` for every raw identifier not forgiven by ``allow``, each once."""
    out = []
    for t in texts:
        clean = _clean(t.text)
        for rule, pattern in RULES.items():
            for m in pattern.finditer(clean):
                if any(a.where in t.where and re.fullmatch(a.pattern, m.group(0)) for a in allow):
                    continue
                line = f"{t.where}: {rule}: {m.group(0)!r} in {clean[max(0, m.start() - 60):m.end() + 60]!r}"
                if line not in out:
                    out.append(line)
    return out
