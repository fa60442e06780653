"""The Service operations page (pages/service_operations.py) in a real browser on demo data (run by
tests/e2e/test_demo_pages.py on its server): the tickets judged equal a count in SQL on the store, each service
level, chosen in the Service levels tab, draws its chart with its sentence (the effort score's with its definition),
the target tab prices a point at a cost, the leading indicators' tab flags at the last month end the customers a
ticket left open 14 days (counted in SQL), the closed loop's detractors followed up in time equal a count in SQL,
another churn window counts again, no exception."""

import re

from playwright.sync_api import expect

from tests.core.cli.test_service import DETRACTORS, JUDGED, OPEN_PAST, _end, _sql
from tests.e2e.conftest import layout_still, shot, show_tab, wait_for_app_idle

TITLES = ["Time to first response", "Time to resolve", "Escalated", "Effort score", "Ticket category",
          "Ticket channel"]


def _judged(store_url: str, days: int) -> int:
    return _sql(store_url, JUDGED, plus=f"+{days} days", end=_end(store_url))[0]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower())


def test_service_operations_on_demo(page, streamlit_server, store_url):
    page.goto(f"{streamlit_server}/service_operations")
    expect(page.get_by_role("heading", name="Service operations")).to_be_visible(timeout=90_000)
    wait_for_app_idle(page, timeout=90_000)
    judged = page.get_by_text(re.compile(rf"^{_judged(store_url, 90):,} of [\d,]+ tickets judged, data to "
                                         rf"{_end(store_url)}"))
    expect(judged).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile("associations, not experiments"))).to_be_visible()
    for i, title in enumerate(TITLES):
        sentence = page.get_by_text(re.compile(rf"^Adjusted churn within 90 days of a ticket, by {title.lower()}: "
                                               r"highest for .+, \d+\.\d%; lowest for .+, \d+\.\d%"))
        if i == 0:
            show_tab(page, "Service levels", sentence, f"service_operations_{_slug(title)}")
        else:
            page.get_by_test_id("stRadio").get_by_text(title, exact=True).click()
            expect(sentence).to_be_visible(timeout=60_000)
            layout_still(page)
            shot(page, f"service_operations_{_slug(title)}")
        expect(page.get_by_test_id("stVegaLiteChart").filter(visible=True)).to_have_count(1)
        if title == "Effort score":
            expect(page.get_by_text(re.compile(r"^The customer effort score \(CES\) the customer gave a ticket"))
                   ).to_be_visible()
    met = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Tickets that met it", exact=True))
    show_tab(page, "Target that pays", met, "service_operations_target")
    expect(met).to_contain_text(re.compile(r"\d+\.\d%"))
    expect(page.get_by_text("Target: resolve within 24 h", exact=True)).to_be_visible()
    cost = page.get_by_label("Cost of a point of attainment a year ($)", exact=True)
    cost.fill("5000")
    cost.press("Enter")
    wait_for_app_idle(page, timeout=60_000)
    expect(page.get_by_text(re.compile(r"^At \$5,000 a point, raising attainment (does not pay|pays) for itself"))
           ).to_be_visible()
    shot(page, "service_operations_target_priced")
    flagged = page.get_by_text(re.compile(r"^Customers each signal flagged at a month end: at (\d{4}-\d\d-\d\d), of "
                                          r"[\d,]+ active, a ticket open 14\+ days ([\d,]+);"))
    show_tab(page, "Leading indicators", flagged, "service_operations_leading_indicators")
    day, count = re.search(r"at (\S+), .* 14\+ days ([\d,]+);", flagged.inner_text()).groups()
    assert int(count.replace(",", "")) == _sql(store_url, OPEN_PAST, day=day, days=14)[0]
    expect(page.get_by_test_id("stVegaLiteChart").filter(visible=True)).to_have_count(2)
    n, in_time, *_ = _sql(store_url, DETRACTORS, target=2, plus="+90 days", end=_end(store_url))
    loop = page.get_by_text(f"{in_time:,} of {n:,} NPS detractors (0-6) followed up within 2 days: "
                            f"{100 * in_time / n:.1f}% [", exact=False)
    show_tab(page, "Closed loop", loop, "service_operations_closed_loop")
    window = page.get_by_label("Churn within this many days of a ticket", exact=True)
    window.fill("30")
    window.press("Enter")
    wait_for_app_idle(page, timeout=60_000)
    expect(page.get_by_text(re.compile(rf"^{_judged(store_url, 30):,} of [\d,]+ tickets judged"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "service_operations_30_days")
