"""The printable board pack of a quarterly review snapshot: one self-contained HTML document.

:func:`to_html` lays a :class:`core.review.snapshot.Snapshot` out for print (A4): a cover with what makes the figures
reproducible (quarter, as-of day, snapshot id, data fingerprint, model, configuration and codebook versions)
and the headline figures, then one section per page of the review (:data:`core.review.snapshot.PAGES`, in order) with
its chart and its figures as :func:`core.review.snapshot.page_table` shows them, then, when given, the comparison
with an
earlier snapshot and the causes of its moves, the decision log and the assumptions register
(:mod:`core.review.log`), and last every definition (:data:`core.metrics.GLOSSARY`), the units
(:data:`core.export.units.UNITS`), the parameters and the library versions.

The document needs nothing else: no script, no stylesheet or font to fetch, no URL; the charts are inline SVG
drawn by :func:`core.review.charts.to_svg`. Every text is escaped. Open it in a browser and print it, or turn it
into a PDF with a headless browser. The same snapshot gives the same document.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from core.errors import DataValidationError
from core.export.units import UNITS, format_value
from core.history.feature_labels import feature_label
from core.metrics import GLOSSARY
from core.review import charts as rc
from core.review.log import PARAM_ASSUMPTIONS
from core.review.report_blocks import (
    CHART_WIDTH,
    CSS,
    chart_figure,
    css_string,
    date_text,
    esc,
    grouped,
    installed_version,
    long_date,
    red_green,
    slug,
    stamp,
    table,
    version_text,
)
from core.review.snapshot import PAGES, Snapshot, churn_model_text, page_table

#: the charts of each page's section, in order (the comparison has :func:`core.review.charts.moves`)
PAGE_CHARTS = {"Overview": (rc.headline,), "Churn drivers": (), "Health scores": (rc.health_bands,),
               "Feedback themes": (rc.theme_impacts,), "Intervention ROI": (rc.play_effects,)}
#: the cover's headline figures: (label, page, metric, group)
HEADLINE_FIGURES = (("NRR", "Overview", "NRR", ""), ("GRR", "Overview", "GRR", ""),
                    ("Logo churn", "Overview", "Logo churn rate", ""), ("MRR", "Overview", "MRR", ""),
                    ("Active customers", "Overview", "Active customers", ""),
                    ("MRR at high churn risk", "Overview", "MRR at high churn risk", ""),
                    ("Active buyers", "Overview", "Active buyers", ""), ("Revenue", "Overview", "Revenue", ""),
                    ("Red health band", "Health scores", "Health band", "red"),
                    ("MRR in red", "Health scores", "MRR in red", ""),
                    ("NPS this quarter", "Feedback themes", "NPS", ""))
_INTRO = {
    "Overview": "Retention of the customer base over the 12 months to {as_of}.",
    "Churn drivers": "How well the saved churn model tells customers who left from those who stayed, on customers "
                     "it never saw, and what moves its predictions most.",
    "Health scores": "Customers by health band on {as_of}, and how well the bands picked out churners in a back-test "
                     "over earlier month ends.",
    "Feedback themes": "The quarter's survey scores, and the themes of the last 12 months' verbatims most linked to "
                       "churn.",
    "Intervention ROI": "Each retention play measured against customers held out of it at random, and its money.",
}


def page_id(page: str) -> str:
    """The HTML id of a page's section: ``'Churn drivers'`` -> ``'page-churn-drivers'``."""
    return f"page-{slug(page)}"


def _need(frame, columns: list[str], what: str, hint: str) -> None:
    missing = [c for c in columns if not isinstance(frame, pd.DataFrame) or c not in frame]
    if missing:
        raise DataValidationError(f"The {what} lacks the columns {', '.join(missing)}: pass {hint}.")


def _figure(snap: Snapshot, page: str, metric: str, group: str = "") -> pd.Series | None:
    f = snap.figures
    hit = f[(f["page"] == page) & (f["metric"] == metric) & (f["group"] == group) & f["value"].notna()]
    return None if hit.empty else hit.iloc[0]


# --------------------------------------------------------------------------- cover and headline
def _cover(snap: Snapshot, sections: list[tuple[str, str]]) -> str:
    v = snap.versions or {}
    saved = f"#{snap.id}, saved {stamp(snap.created_at)}" if snap.id is not None and snap.created_at is not None \
        else (f"#{snap.id}" if snap.id is not None else "not saved")
    health = version_text(v.get("health_config"), "none saved (the default settings)")
    rows = [("Snapshot", esc(saved)),
            ("Data fingerprint", f'<code>{esc(str(snap.data_hash)[:12])}</code>'),
            ("Churn model", esc(churn_model_text(v, "none saved"))), ("Health configuration", esc(health)),
            ("Codebook", esc(version_text(v.get("codebook"), "none")))]
    meta = "".join(f"<tr><th>{esc(k)}</th><td>{val}</td></tr>" for k, val in rows)
    toc = "".join(f'<li><a href="#{i}">{esc(t)}</a></li>' for i, t in sections)
    return (f'<header class="sheet cover" id="cover"><p class="kicker">Customer retention &middot; quarterly review'
            f'</p><h1>Retention review {esc(snap.quarter)}</h1>'
            f'<p class="lede">Figures as of {esc(long_date(snap.as_of))}</p>'
            f'<table class="meta">{meta}</table>{_headline(snap)}'
            f'<nav><h3>Contents</h3><ol>{toc}</ol></nav></header>')


def _tile(label: str, r: pd.Series) -> str:
    detail = ""
    if pd.notna(r["low"]) and pd.notna(r["high"]) and r["low"] != r["high"]:  # a known figure has no interval
        detail = f"95 % interval {format_value(r['low'], r['unit'])} to {format_value(r['high'], r['unit'])}"
    elif r["text"]:
        detail = r["text"]
    return (f'<div class="tile"><div class="label">{esc(label)}</div>'
            f'<div class="value">{esc(format_value(r["value"], r["unit"]))}</div>'
            f'<div class="detail">{esc(detail)}</div></div>')


def _glance(snap: Snapshot) -> list[str]:
    """A few plain sentences from the figures (escaped)."""
    f, out = snap.figures, []
    plays = f[(f["page"] == "Intervention ROI") & (f["metric"] == "Play effect") & f["value"].notna()]
    if len(plays):
        works, hurts = plays[plays["low"] > 0], plays[plays["high"] < 0]
        named = ", ".join(f"{g} ({format_value(v, 'points')})" for g, v in zip(works["group"], works["value"]))
        if len(works):
            text = f"Plays that clearly keep more customers: {named}"
        elif len(hurts):
            text = "No play clearly keeps more customers"
        else:
            text = f"No play clearly keeps more customers: the 95 % intervals of all {len(plays)} span zero"
        if len(hurts):
            text += f"; plays that clearly lose customers: {', '.join(hurts['group'])}"
        out.append(esc(text + "."))
    themes = f[(f["page"] == "Feedback themes") & (f["metric"] == "Churn impact") & f["value"].notna()]
    if len(themes):
        up = themes[themes["low"] > 0]
        out.append(esc("Feedback themes clearly linked to more churn: " + ", ".join(
            f"{g} ({format_value(v, 'points')})" for g, v in zip(up["group"], up["value"])) + "." if len(up) else
            f"None of the top {len(themes)} feedback themes is clearly linked to more churn."))
    red, mrr = _figure(snap, "Health scores", "Health band", "red"), _figure(snap, "Health scores", "MRR in red")
    if red is not None:
        text = f"{format_value(red['value'], 'share')} of scored customers are in the red health band"
        text += f" ({red['text']})" if red["text"] else ""
        text += f", holding {format_value(mrr['value'], 'currency')} of MRR" if mrr is not None else ""
        text += red_green(f[(f["page"] == "Health scores") & (f["metric"] == "Red/green churn ratio")])
        out.append(esc(text + "."))
    auc = _figure(snap, "Churn drivers", "ROC-AUC")
    driver = _figure(snap, "Churn drivers", "Top driver", "#1")
    if auc is not None:
        model = churn_model_text(snap.versions, "none saved")
        text = f"Churn model {model}: ROC-AUC {format_value(auc['value'], 'score')}"
        text += f"; strongest driver: {feature_label(driver['text'])}" if driver is not None else ""
        out.append(esc(text + "."))
    elif snap.versions.get("churn_model") is None:
        out.append(esc("No churn model had been saved when this snapshot was built, so it has no churn-model figures."))
    return out


def _headline(snap: Snapshot) -> str:
    tiles = [_tile(label, r) for label, page, metric, group in HEADLINE_FIGURES
             if (r := _figure(snap, page, metric, group)) is not None]
    glance = "".join(f"<li>{s}</li>" for s in _glance(snap))
    body = (f'<div class="tiles">{"".join(tiles)}</div>' if tiles else
            '<p class="empty">This snapshot has no headline figures.</p>')
    return f'<section id="headline"><h2>Headline</h2>{body}' + (f'<ul class="glance">{glance}</ul>' if glance
                                                                 else "") + "</section>"


# --------------------------------------------------------------------------- the pages
def _page(snap: Snapshot, page: str) -> tuple[str, bool]:
    """A page's section, and whether it has figures."""
    t = page_table(snap, page)
    intro = _INTRO.get(page, "").format(as_of=date_text(snap.as_of))
    head = f'<h2>{esc(page)}</h2>' + (f'<p class="intro">{esc(intro)}</p>' if intro else "")
    if t.empty:
        why = ("No churn model had been saved when this snapshot was built: train and save one on the Churn "
               "drivers page, then build a new snapshot." if page == "Churn drivers"
               and snap.versions.get("churn_model") is None else
               "This snapshot has no figures for this page: the data held none by the as-of day.")
        empty = f'<p class="empty">{esc(why)}</p>'
        return f'<section class="sheet page" id="{page_id(page)}">{head}{empty}</section>', False
    charts = "".join(chart_figure(c) for c in (fn(snap) for fn in PAGE_CHARTS.get(page, ())) if c is not None)
    table = grouped([("Figure", ""), ("For", ""), ("Value [95 % interval]", ""), ("Note", "")],
                     [[(esc(r.metric), ""), (esc(r.group), ""), (esc(r.shown), "val"), (esc(r.note), "")]
                      for r in t.itertuples(index=False)], t["group"].tolist(), "figures")
    defs = "".join(f"<dt>{esc(m)}</dt><dd>{esc(d)}</dd>" for m, d in dict(zip(t["metric"], t["definition"])).items()
                   if d)
    meaning = f'<h3>What the figures mean</h3><dl class="defs">{defs}</dl>' if defs else ""
    return (f'<section class="sheet page major" id="{page_id(page)}">{head}{charts}{table}{meaning}</section>',
            True)


# --------------------------------------------------------------------------- comparison, decisions, assumptions
def _comparison(snap: Snapshot, comparison: pd.DataFrame) -> str:
    c = comparison.reset_index(drop=True)
    unit = rc.units(c, snap)
    texts = {k: c[k].fillna("").astype(str) if k in c else pd.Series("", index=c.index)
             for k in ("text_before", "text_after")}
    driver = (c["metric"] == "Top driver") & (texts["text_before"] != texts["text_after"])
    one_sided = c["before"].isna() != c["after"].isna()
    moved = (c["change"].notna() & (c["change"] != 0)) | one_sided | driver
    causes = list(dict.fromkeys(x for x in c.loc[moved, "cause"].fillna("") if x))
    number = {x: i for i, x in enumerate(causes, start=1)}
    rows, pages = [], []
    for i in c.index[moved]:
        r, u = c.loc[i], unit[i]
        if r["metric"] == "Top driver":
            before, after, change = texts["text_before"][i], texts["text_after"][i], "changed"
        else:
            before, after = format_value(r["before"], u), format_value(r["after"], u)
            change = format_value(r["change"], u, signed=True) if pd.notna(r["change"]) else \
                ("new" if pd.isna(r["before"]) else "gone")
        name = f"{r['metric']} · {r['group']}" if r["group"] else r["metric"]
        rows.append([(esc(name), ""), (esc(before), "num"), (esc(after), "num"), (esc(change), "num shown"),
                      (esc(number.get(r["cause"] or "", "")), "num")])
        pages.append(str(r["page"]))
    intro = ("Each figure of this snapshot against the earlier one. A cause is what is known to differ between "
             "the two builds and could move a figure.")
    cause_list = ("<h3>Causes</h3><ol>" + "".join(f"<li>{esc(x)}</li>" for x in causes) + "</ol>") if causes else \
        '<p class="empty">Nothing differs between the two builds: no figure can have moved.</p>'
    chart = rc.moves(c, snap)
    table = _pages_table([("Figure", ""), ("Before", "num"), ("After", "num"), ("Change", "num"),
                          ("Cause", "num")], rows, pages) if rows else '<p class="empty">No figure moved.</p>'
    still = int((~moved).sum())
    return (f'<section class="sheet major" id="comparison"><h2>What moved since the earlier snapshot</h2>'
            f'<p class="intro">{esc(intro)}</p>{cause_list}{chart_figure(chart) if chart is not None else ""}'
            f'<h3>Figures that moved</h3>{table}<p class="note">{still:,} figures did not move.</p></section>')


def _pages_table(head: list[tuple[str, str]], rows: list[list[tuple[str, str]]], pages: list[str]) -> str:
    """:func:`table` with a heading row before each page's rows."""
    body, last = [], None
    for page, r in zip(pages, rows):
        if page != last:
            body.append([(esc(page), "group")])
            last = page
        body.append(r)
    return table(head, body, "compare")


def _decisions(decisions: pd.DataFrame) -> str:
    rows = []
    for r in decisions.to_dict("records"):
        recorded = " ".join(x for x in (date_text(r.get("recorded_at")), str(r.get("author") or "")) if x)
        rows.append([(esc(r["number"]), "num"), (esc(r["decision"]), "shown"), (esc(r["owner"]), ""),
                     (esc(r["rationale"]), ""), (esc(date_text(r["due"])), "num"), (esc(r["status"]), ""),
                     (esc(r.get("revision", "")), "num"), (esc(recorded), "")])
    body = table([("No.", "num"), ("Decision", ""), ("Owner", ""), ("Rationale", ""), ("Due", "num"),
                   ("Status", ""), ("Rev.", "num"), ("Recorded", "")], rows, "decisions") if rows else \
        '<p class="empty">No decision has been recorded on this snapshot.</p>'
    return (f'<section class="sheet major" id="decisions"><h2>Decision log</h2><p class="intro">What the board '
            f'decided on these figures; a later change is a new revision of the same number.</p>{body}</section>')


def _assumption_value(value, unit: str) -> str:
    if value is None or pd.isna(value):
        return ""
    if unit == "currency" and abs(float(value)) < 100:  # a cost per contact: cents matter
        return f"{float(value):,.2f}"
    if unit in ("share", "currency", "ratio", "score"):
        return format_value(float(value), unit)
    return f"{float(value):,.6g} {unit}".strip()


def _assumptions(assumptions: pd.DataFrame) -> str:
    rows = [[(esc(r["name"]), ""), (esc(_assumption_value(r["value"], str(r["unit"] or ""))), "num shown"),
             (esc(r["owner"]), ""), (esc(r["source"]), ""),
             (esc("yes" if r.get("used_in_figures", False) is True else "no"), "")]
            for r in assumptions.to_dict("records")]
    body = table([("Assumption", ""), ("Value", "num"), ("Owner", ""), ("Source", ""), ("In the figures", "")],
                  rows, "assumptions") if rows else '<p class="empty">The register is empty.</p>'
    return (f'<section class="sheet major" id="assumptions"><h2>Assumptions register</h2><p class="intro">First '
            f'the assumptions the figures were built on, then those the board added.</p>{body}</section>')


# --------------------------------------------------------------------------- appendix
def _appendix(snap: Snapshot) -> str:
    defs = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in GLOSSARY.items())
    units = table([("Unit", ""), ("Meaning", "")], [[(esc(k), "shown"), (esc(v), "")] for k, v in UNITS.items()])
    params = table([("Parameter", ""), ("Value", "num"), ("Used in", "")],
                    [[(esc(PARAM_ASSUMPTIONS.get(k, (k,))[0]), ""), (esc(v), "num"),
                      (esc(PARAM_ASSUMPTIONS[k][2] if k in PARAM_ASSUMPTIONS else ""), "")]
                     for k, v in (snap.params or {}).items()])
    v = snap.versions or {}
    settings = v.get("health_settings") or {}
    bands = (f"red below {settings['red_max']:g}, amber below {settings['amber_max']:g}, green from there"
             if "red_max" in settings and "amber_max" in settings else "")
    builds = [("Churn model", churn_model_text(v, "none saved")),
              ("Health configuration", version_text(v.get("health_config"), "none saved (the default settings)")),
              ("Health bands (score)", bands), ("Codebook", version_text(v.get("codebook"), "none")),
              ("Data fingerprint (SHA-256)", str(snap.data_hash))]
    builds_t = table([("What", ""), ("Version", "")], [[(esc(k), ""), (esc(x), "")] for k, x in builds if x], "narrow")
    libs = table([("Library", ""), ("Version", "")],
                  [[(esc(k), ""), (esc(x), "")] for k, x in (v.get("libraries") or {}).items()], "narrow")
    drawn = ", ".join(f"{p} {installed_version(p)}" for p in ("altair", "vl-convert-python"))
    return (f'<section class="sheet major" id="definitions"><h2>Definitions</h2><p class="intro">Every metric '
            f'of the workbench, defined once.</p><dl class="defs">{defs}</dl></section>'
            f'<section class="sheet major" id="units"><h2>Units</h2><p class="intro">How each figure is stored '
            f'and shown.</p>{units}</section>'
            f'<section class="sheet" id="versions"><h2>Parameters and versions</h2><p class="intro">What the '
            f'figures were built with: rebuilding from the same data, parameters and versions gives the same '
            f'figures.</p><h3>Parameters</h3>{params}<h3>Models and data</h3>{builds_t}'
            f'<h3>Library versions</h3>{libs}<p class="note">Charts drawn with {esc(drawn)}.</p></section>')


# --------------------------------------------------------------------------- the document
def to_html(snap: Snapshot, decisions: pd.DataFrame | None = None, assumptions: pd.DataFrame | None = None,
            comparison: pd.DataFrame | None = None) -> str:
    """The board pack of ``snap`` as one self-contained, print-ready HTML document (A4).

    Parameters
    ----------
    snap : core.review.snapshot.Snapshot
        Built (:func:`core.review.snapshot.build`) or saved (:func:`core.review.saved.load`).
    decisions : pandas.DataFrame, optional
        :func:`core.review.log.decisions` of the snapshot (with ``history=True`` for every revision).
    assumptions : pandas.DataFrame, optional
        :func:`core.review.log.assumptions` of the snapshot.
    comparison : pandas.DataFrame, optional
        :func:`core.review.compare.compare` of an earlier snapshot with ``snap``.

    Returns
    -------
    str
        ``<!DOCTYPE html>...``: no script, no URL; charts as inline SVG. A section left out (None) is not in
        the document; one given but empty says so.

    Raises
    ------
    DataValidationError
        ``snap`` is not a snapshot, or a table lacks the columns its function gives.
    """
    if not isinstance(snap, Snapshot):
        raise DataValidationError("The report needs a review snapshot: build one (core.review.snapshot.build) "
                                  "or load a "
                                  "saved one (core.review.saved.load).")
    rc._figures(snap)  # the figures' columns
    if comparison is not None:
        _need(comparison, ["page", "metric", "group", "before", "after", "change", "cause"], "comparison",
              "the output of core.review.compare.compare")
    if decisions is not None:
        _need(decisions, ["number", "decision", "owner", "rationale", "due", "status"], "decision log",
              "core.review.log.decisions(engine, snapshot_id)")
    if assumptions is not None:
        _need(assumptions, ["name", "value", "unit", "owner", "source"], "assumptions register",
              "core.review.log.assumptions(engine, snapshot)")
    parts, sections = [], [("headline", "Headline")]
    for page in PAGES:
        body, _ = _page(snap, page)
        parts.append(body)
        sections.append((page_id(page), page))
    if comparison is not None:
        parts.append(_comparison(snap, comparison))
        sections.append(("comparison", "What moved since the earlier snapshot"))
    if decisions is not None:
        parts.append(_decisions(decisions))
        sections.append(("decisions", "Decision log"))
    if assumptions is not None:
        parts.append(_assumptions(assumptions))
        sections.append(("assumptions", "Assumptions register"))
    parts.append(_appendix(snap))
    sections += [("definitions", "Definitions"), ("units", "Units"), ("versions", "Parameters and versions")]
    title = f"Retention review {snap.quarter}"
    footer = f"{title} · as of {date_text(snap.as_of)}" + (f" · snapshot #{snap.id}" if snap.id is not None else "")
    css = CSS % {"footer": css_string(footer)}
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)}</title><style>{css}</style></head>\n<body>\n{_cover(snap, sections)}\n'
            + "\n".join(parts) + "\n</body></html>\n")


def write(path: str | Path, snap: Snapshot, decisions: pd.DataFrame | None = None,
          assumptions: pd.DataFrame | None = None, comparison: pd.DataFrame | None = None) -> Path:
    """Write :func:`to_html` to ``path`` (UTF-8); returns the path."""
    path = Path(path)
    path.write_text(to_html(snap, decisions, assumptions, comparison), encoding="utf-8")
    return path


__all__ = ["CHART_WIDTH", "HEADLINE_FIGURES", "PAGE_CHARTS", "page_id", "to_html", "write"]
