"""The dashboard in a real browser with demo data: every chart is drawn by Chart.js (an instance
exists and its canvas has painted pixels) and its table is filled; a screenshot is kept."""
from __future__ import annotations

import pytest

from platform_support.database import write_intent
from tests.support.clock import NOW

CHARTS = ("satisfaction", "recovery", "volume", "open", "sla_priority", "sla_owner", "resolve_time", "pareto",
          "segments", "transitions", "revenue", "time_revenue")

PAINTED = """(figure) => {
  const canvas = figure.querySelector('canvas');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { painted++; } }
  return painted;
}"""


@pytest.fixture
def demo_server(live_server):
    from demo.seed import seed_demo
    from extensions import db

    with live_server.app.app_context(), write_intent():
        seed_demo(now=NOW, seed=11, customers=200)
        db.session.remove()
    return live_server


def test_every_chart_renders_with_demo_data(page, demo_server, artifacts):
    url, staff = demo_server.url, demo_server.staff
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    # Failed loads are checked by URL instead (the browser's own /favicon.ico probe is not ours).
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico") else None)
    page.goto(f"{url}/staff/login")
    page.fill("#email", staff.manager.email)
    page.fill("#password", staff.PASSWORD)
    with page.expect_navigation():
        page.click("button:has-text('Sign in')")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{url}/staff/reports/?from=2025-07-01&to=2027-01-15&period=month")
    for name in CHARTS:
        figure = page.locator(f"figure[data-chart='{name}']")
        page.locator(f"figure[data-chart='{name}'][data-rendered]").wait_for()
        assert figure.get_attribute("data-rendered") == "1", (name, figure.locator(".chart-note").inner_text())
        assert page.evaluate(f"!!window.dashboardCharts['{name}']"), name
        assert figure.evaluate(PAINTED) > 500, f"{name}: canvas is blank"
        assert figure.locator(".chart-table table tbody tr").count() > 0, name
    assert page.locator(".alerts li").count() > 0  # the demo's trends were found
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    assert errors == []

    # Click-through from the root-cause Pareto: the first bar lists its complaints.
    point = page.evaluate("""() => { const c = window.dashboardCharts['pareto'];
        const bar = c.getDatasetMeta(0).data[0]; return {x: bar.x, y: bar.y + (bar.base - bar.y) / 2}; }""")
    with page.expect_navigation():
        page.locator("figure[data-chart='pareto'] canvas").click(position=point)
    assert "/staff/reports/root-causes/" in page.url
    assert page.locator("tbody tr").count() > 0
