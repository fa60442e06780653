"""Accessibility of every page and tab on the demo store, checked by axe-core (axe-playwright-python) against
WCAG 2.1 A/AA in a real browser. Run by tests/e2e/test_demo_pages.py, on its server and store.

One server and one browser page serve all pages (the module's fixtures); each page's axe results, tab by tab, are
written as JSON next to the screenshots (screenshots/axe_<page>.json). Each tab is also photographed, the whole
page at 1280 px and the first screen at 390 px (a phone), as the review record
(screenshots/page_<page>__<tab>__<width>.png); at 390 px no page scrolls sideways and every chart takes the column's
width (none squeezed to a sliver, none wider than the screen).
A page fails on any serious or critical violation, listed with rule id, impact, target selectors and help text,
unless the rule and the flagged element match an entry of ALLOWED below: violations from inside Streamlit's own
frontend that our code cannot change, each with its reason (the JSON marks those nodes with it).

Keyboard (issue 21, WCAG 2.1.1 and 2.4.3), on the same server and browser page, so the pages' figures are the
server's cached ones: every control reachable and operable by keyboard, in visual order. On each page the test
presses Tab until focus comes back round (or a bound of presses), recording each focused element. It fails when
* a visible control of the page (a button, link, input, select, text area, an expander's title, a tab, a checkbox,
  a slider, a data grid; one radio per group, as the arrow keys move within a group) never receives focus (what
  a closed expander holds is not visible, nor a file input behind its "Browse files" button);
* focus lands on something a sighted keyboard user cannot see (no size, or hidden);
* in the main area, focus jumps back up the page other than to the next column on the right (the reading order of
  a multi-column layout).
The tab bar is operated with the arrow keys (the WAI-ARIA tabs pattern Streamlit follows), and a select box opens
from the keyboard.
"""

from __future__ import annotations

import json
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, layout_still, open_on_metric, wait_for_app_idle
from tests.e2e.walk_health_scores import health_figures
from tests.e2e.walk_quarterly_review import active_customers, figure_shown

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations", "incomplete"]}
BLOCKING = {"serious", "critical"}

# (axe rule id, CSS selector the flagged element itself must match) -> why it is Streamlit's frontend, not our code.
# Never a rule on its own: any other element breaking the same rule still fails. axe's own target selectors carry
# Streamlit's generated class names (st-emotion-cache-...), so the match is by data-testid and structure instead.
ALLOWED: dict[tuple[str, str], str] = {
    ("list", 'ul[data-testid="stSidebarNavItems"]'):
        "Streamlit's sidebar navigation with sections (app.py gives st.navigation a dict) puts each section as a "
        "<div> (a <header> and the <li> items) directly inside the <ul>; the markup is Streamlit's, no option "
        "changes it. A flat page list renders valid <ul><li> (checked on Streamlit 1.67) but drops the section "
        "headings.",
    ("listitem", 'ul[data-testid="stSidebarNavItems"] > div > li'):
        "The same navigation markup: the page links' <li> sit inside Streamlit's section <div>, not directly in "
        "the <ul>.",
    ("svg-img-alt", '[data-testid="stMetric"] g.role-mark[class*="metric_chart_"][class$="_highlighted_points_marks"]'):
        "st.metric(chart_data=...) draws its sparkline with Streamlit's own Vega spec, whose (empty) hover-highlight "
        "point layer has a graphics-symbol role and no label; the spec is not reachable from Python. The figure "
        "itself is the metric's value and label, read as text.",
}

COUNT = re.compile(r"\d,\d{3}")


def _scored(store_url: str) -> re.Pattern:
    """The Health scores page's customers scored today, computed from the store (783 on the small demo)."""
    return figure_shown(health_figures(store_url)["scored"])


def _active(store_url: str) -> re.Pattern:
    """The Quarterly review's active customers on its quarter's as-of day, counted from the store (752 on the small
    demo)."""
    return figure_shown(active_customers(store_url))


#: the widths every page and tab is photographed at: a laptop and a phone
WIDTHS = (1280, 390)
#: a chart at phone width spans at least this share of the main column
MIN_CHART_SHARE = 0.6
# (slug, url path, heading, metric to wait for and its pattern, or a function of the store's URL giving the pattern
# of the figure computed from the store, or None for a page without one)
PAGES = [
    ("overview", "", "Overview", None),
    ("data", "data", "Data", None),
    ("cohort_curves", "cohort_curves", "Cohort curves", None),
    ("churn_drivers", "churn_drivers", "Churn drivers", ("Held-out ROC-AUC", re.compile(r"0\.\d{3}"))),
    ("health_scores", "health_scores", "Health scores", ("Customers scored", _scored)),
    ("feedback_themes", "feedback_themes", "Feedback themes", ("Verbatims", COUNT)),
    ("intervention_roi", "intervention_roi", "Intervention ROI", ("Play effect", re.compile(r"[+-]\d+\.\d pts"))),
    ("playbooks", "playbooks", "Playbooks", ("Actions queued", re.compile(r"\d"))),
    ("service_operations", "service_operations", "Service operations", None),
    ("quarterly_review", "quarterly_review", "Quarterly review", ("Active customers", _active)),
]


@pytest.fixture(scope="module")
def shared_page(browser, browser_context_args):
    """One browser page for every page of the app (pytest-playwright's ``page`` is per test)."""
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": WIDTHS[0], "height": 900}})
    yield context.new_page()
    context.close()


def _open(page, url: str, heading: str, metric, store_url: str) -> None:
    if metric is None:
        page.goto(url)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=120_000)
        wait_for_app_idle(page, timeout=120_000)
    else:
        label, pattern = metric
        open_on_metric(page, url, heading, label, pattern(store_url) if callable(pattern) else pattern)
    _settle(page)


def _settle(page) -> None:
    """Charts drawn and no exception on screen before axe looks."""
    charts = page.locator('[data-testid="stVegaLiteChart"]:visible')
    if charts.count():
        expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    layout_still(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


_MATCHES = """([target, selectors]) => {
    const el = document.querySelector(target);
    return el ? selectors.filter((s) => el.matches(s)) : [];
}"""


def _allowed(page, rule: str, target: list) -> list[str]:
    """The ALLOWED selectors of ``rule`` that the flagged element matches (none for a target inside a frame)."""
    selectors = [sel for (r, sel) in ALLOWED if r == rule]
    if not selectors or len(target) != 1 or not isinstance(target[0], str):
        return []
    return page.evaluate(_MATCHES, [target[0], selectors])


def blocking(page, response: dict, where: str) -> list[str]:
    """One line per serious/critical violation node not in ALLOWED (rule, impact, target, html, help); an allowed
    node is marked with its reason. Runs while the page still shows what axe looked at."""
    out = []
    for v in response["violations"]:
        if v["impact"] not in BLOCKING:
            continue
        for node in v["nodes"]:
            hits = _allowed(page, v["id"], node["target"])
            if hits:
                node["allowed"] = ALLOWED[(v["id"], hits[0])]
                continue
            target = " ".join(map(str, node["target"]))
            out.append(f"{where}: {v['id']} ({v['impact']}) at {target} [{node['html'][:120]}]: {v['help']} "
                       f"[{v['helpUrl']}]")
    return out


_LAYOUT = """() => {
    const main = document.querySelector('[data-testid="stMainBlockContainer"]') || document.body;
    const column = main.getBoundingClientRect().width;
    const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter((c) => c.offsetParent !== null)
        .map((c) => Math.round(c.getBoundingClientRect().width));
    return {scroll: document.documentElement.scrollWidth, view: window.innerWidth, column, charts};
}"""


_HEIGHT = """() => Math.max(document.documentElement.scrollHeight,
    ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"] section')]
        .map((e) => e.scrollHeight))"""
#: the tallest screenshot taken (a page longer than this is cut at the bottom)
MAX_HEIGHT = 12_000


def whole_page(page, path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main section, so a full-page screenshot of the
    document shows one screen only; the viewport grows to the section's height for the shot instead."""
    width = page.viewport_size["width"]
    height = min(page.evaluate(_HEIGHT), MAX_HEIGHT)
    page.set_viewport_size({"width": width, "height": max(height, 900)})
    layout_still(page)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def photograph(page, slug: str, tab: str | None) -> list[str]:
    """Screenshots of what the page shows at each of :data:`WIDTHS` (the whole page at a laptop's width, the first
    screen at a phone's: a whole page at 390 px runs to many thousand pixels, and rendering them cost 21 of this
    module's 146 CPU seconds), and the layout problems found at a phone's width over the whole page (a sideways
    scroll, a chart squeezed or overflowing). Leaves the page at the first width."""
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        layout_still(page)  # charts and columns lay themselves out again
        path = SCREENSHOTS / f"page_{slug}__{_slug(tab or 'page')}__{width}.png"
        if width == min(WIDTHS):
            page.screenshot(path=str(path))
            problems += _layout_problems(page.evaluate(_LAYOUT), f"{slug}" + (f" / {tab}" if tab else ""), width)
        else:
            whole_page(page, path)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


def _layout_problems(layout: dict, where: str, width: int) -> list[str]:
    out = []
    if layout["scroll"] > layout["view"] + 1:
        out.append(f"{where} at {width} px: the page scrolls sideways ({layout['scroll']} px wide)")
    out += [f"{where} at {width} px: chart {i + 1} is {w} px wide in a {layout['column']:.0f} px column"
            for i, w in enumerate(layout["charts"]) if w < MIN_CHART_SHARE * layout["column"] or w > layout["view"]]
    return out


def _summary(response: dict) -> dict:
    keep = ("id", "impact", "help", "helpUrl", "tags")
    return {
        "url": response.get("url"),
        "testEngine": response.get("testEngine"),
        "violations": [{**{k: v.get(k) for k in keep},
                        "nodes": [{"target": n["target"], "html": n["html"], "failureSummary": n.get("failureSummary"),
                                   "allowed": n.get("allowed")}
                                  for n in v["nodes"]]} for v in response["violations"]],
        "incomplete": [{**{k: v.get(k) for k in keep}, "nodes": [n["target"] for n in v["nodes"]]}
                       for v in response["incomplete"]],
    }


@pytest.mark.parametrize(("slug", "path", "heading", "metric"), PAGES, ids=[p[0] for p in PAGES])
def test_page_and_tabs_have_no_serious_wcag_violation(shared_page, streamlit_server, store_url, slug, path, heading,
                                                      metric):
    page, axe = shared_page, Axe()
    for old in SCREENSHOTS.glob(f"page_{slug}__*.png"):  # a tab that no longer exists leaves no stale picture
        old.unlink()
    _open(page, f"{streamlit_server}/{path}", heading, metric, store_url)
    results, problems = {}, []
    tabs = page.get_by_test_id("stMain").get_by_test_id("stTabs").first.get_by_role("tab")
    names = [t.inner_text().strip() for t in tabs.all()] or [None]
    for name in names:
        if name is not None:
            tabs.and_(page.get_by_role("tab", name=name, exact=True)).first.click()
            wait_for_app_idle(page, timeout=120_000)
            _settle(page)
        where = f"{heading}" + (f" / {name}" if name else "")
        response = axe.run(page, options=WCAG_21_AA).response
        problems += blocking(page, response, where)
        results[name or heading] = _summary(response)
        problems += photograph(page, slug, name)
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"axe_{slug}.json").write_text(json.dumps(results, indent=1))
    page.screenshot(path=str(SCREENSHOTS / f"axe_{slug}.png"), full_page=True)
    assert not problems, f"{len(problems)} serious/critical WCAG 2.1 AA violation(s):\n" + "\n".join(problems)


# Keyboard

#: (url path, heading) of every page
KEYBOARD_PAGES = [(path, heading) for _, path, heading, _ in PAGES]
#: Tab presses before giving up on focus coming round (the longest page has about 120 stops)
MAX_PRESSES = 400
#: what counts as a control: the focusable elements a page shows
#: (an element with tabindex -1 is left out of the tab order on purpose: a select box's chevron, an unselected tab)
CONTROLS = ", ".join(f"{c}:not([tabindex='-1'])" for c in (
    "button", "a[href]", "input:not([type='hidden']):not([type='file'])", "select", "textarea", "summary",
    "[role='tab']", "[role='checkbox']", "[role='slider']", "[data-testid='stDataFrameResizable'] [tabindex='0']"))

_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    if (!el.dataset.kbId) el.dataset.kbId = String(window.__kbCount = (window.__kbCount || 0) + 1);
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const main = document.querySelector('[data-testid="stMain"]');
    return {id: el.dataset.kbId, key: el.dataset.kbKey || null, tag: el.tagName.toLowerCase(),
            role: el.getAttribute('role'),
            label: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 60),
            top: r.top + (main ? main.scrollTop : 0), left: r.left, right: r.right,
            width: r.width, height: r.height, hidden: style.visibility === 'hidden' || style.display === 'none',
            inMain: !!(main && main !== el && main.contains(el))};  // the main area's own scroller is no control
}"""

_MARK = """(selector) => {
    const out = [];
    document.querySelectorAll(selector).forEach((el, i) => {
        const r = el.getBoundingClientRect();
        const visible = r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
            && !el.disabled && el.getAttribute('aria-disabled') !== 'true' && el.offsetParent !== null
            && !el.closest('details:not([open]) > :not(summary)');
        if (!visible) return;
        // one stop per radio group (the arrow keys move within it): any of its radios reached reaches it
        const group = el.getAttribute('role') === 'radio' ? el.closest('[role="radiogroup"]') : null;
        const key = group ? 'group-' + (group.dataset.kbGroup = group.dataset.kbGroup || String(i)) : String(i);
        el.dataset.kbKey = key;
        if (out.some((c) => c.key === key)) return;
        out.push({key, tag: el.tagName.toLowerCase(),
                  label: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 60)});
    });
    return out;
}"""


def _open_for_keys(page, url: str, heading: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=180_000)
    wait_for_app_idle(page, timeout=180_000)
    page.wait_for_timeout(500)


def walk(page) -> list[dict]:
    """The elements focus visits, each once, pressing Tab from the top of the document until it comes round to the
    first (a data grid keeps focus for a press per column, moving from cell to cell)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    seen, stops = set(), []
    for _ in range(MAX_PRESSES):
        page.keyboard.press("Tab")
        f = page.evaluate(_FOCUSED)
        if f is None:
            continue
        if stops and f["id"] == stops[0]["id"]:
            break  # round again at the first stop
        if f["id"] not in seen:
            seen.add(f["id"])
            stops.append(f)
    return stops


def order_problems(stops: list[dict]) -> list[str]:
    """Focus jumping back up the main area, unless to a column on the right of the previous stop."""
    out = []
    main = [s for s in stops if s["inMain"] and s["width"] > 0]
    for prev, cur in zip(main, main[1:], strict=False):
        if cur["top"] < prev["top"] - 8 and cur["left"] < prev["right"] - 8:
            out.append(f"focus goes up from {prev['tag']} {prev['label']!r} to {cur['tag']} {cur['label']!r}")
    return out


def test_order_rule_allows_columns_and_flags_a_jump_back():
    stop = {"inMain": True, "width": 10, "tag": "button"}
    left_low = {**stop, "top": 500, "left": 0, "right": 100, "label": "a"}
    right_high = {**stop, "top": 100, "left": 300, "right": 400, "label": "b"}
    left_high = {**stop, "top": 100, "left": 0, "right": 100, "label": "c"}
    assert order_problems([left_low, right_high]) == []
    assert len(order_problems([left_low, left_high])) == 1


def _tour(page) -> tuple[list[dict], list[dict], list[str], list[str]]:
    """(the controls marked, the stops focus visits, the controls it never reached, the stops that cannot be seen)."""
    controls = page.evaluate(_MARK, CONTROLS)
    stops = walk(page)
    reached = {s["key"] for s in stops if s["key"] is not None}
    missed = [f"{c['tag']} {c['label']!r}" for c in controls if c["key"] not in reached]
    unseen = [f"{s['tag']} {s['label']!r}" for s in stops if s["hidden"] or s["width"] == 0 or s["height"] == 0]
    return controls, stops, missed, unseen


@pytest.mark.parametrize(("path", "heading"), KEYBOARD_PAGES, ids=[h for _, h in KEYBOARD_PAGES])
def test_every_control_is_reached_by_tab_in_reading_order(shared_page, streamlit_server, path, heading):
    page = shared_page
    _open_for_keys(page, f"{streamlit_server}/{path}", heading)
    controls, stops, missed, unseen = _tour(page)
    if missed or unseen or order_problems(stops):
        # under load a late chart or table can replace, resize or move an element while focus walks: once more, on
        # the settled page (a real fault stays)
        wait_for_app_idle(page, timeout=180_000)
        page.wait_for_timeout(1_000)
        controls, stops, missed, unseen = _tour(page)
    assert len(stops) < MAX_PRESSES, "focus never came back round"
    assert controls and not missed, f"{heading}: never reached by Tab: {missed}"
    assert not unseen, f"{heading}: focus lands on what cannot be seen: {unseen}"
    assert not order_problems(stops), f"{heading}: " + "; ".join(order_problems(stops))


def test_tabs_switch_with_arrow_keys_and_a_select_box_opens_from_the_keyboard(shared_page, streamlit_server):
    page = shared_page
    _open_for_keys(page, f"{streamlit_server}/health_scores", "Health scores")
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    first, second = tabs.nth(0), tabs.nth(1)
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(second).to_be_focused()
    page.keyboard.press("Enter")
    expect(second).to_have_attribute("aria-selected", "true")
    wait_for_app_idle(page, timeout=120_000)
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Segment")
    box.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
