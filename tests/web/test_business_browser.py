"""The business-case page in a real browser (Playwright + Debian's Chromium) against a real uvicorn server."""

import pytest


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/business")
    page.wait_for_function("() => document.getElementById('case').value.length > 0")
    yield page
    context.close()
    assert not errors, errors


def settled(page, state="done"):
    page.wait_for_function("state => document.getElementById('results').dataset.state === state", arg=state, timeout=30_000)


def test_the_supermarket_case_shows_the_bill_the_decision_and_charts(page):
    page.get_by_label("Start from an example").select_option("business-supermarket")
    page.get_by_role("button", name="Compute the case").click()
    settled(page)
    assert page.locator("#decision").inner_text().startswith("Supermarket demand forecasting (seed 002): GO")
    rows = page.locator("#bill tbody tr")
    assert rows.count() >= 10
    assert "operating: prediction" in page.locator("#bill").inner_text()
    assert page.locator("#waterfall .js-plotly-plot, #waterfall.js-plotly-plot").count() == 1
    assert page.locator("#npv-time.js-plotly-plot").count() == 1


def test_the_accuracy_sweep_of_the_mammography_case(page):
    page.get_by_label("Start from an example").select_option("business-mammography")
    page.get_by_role("button", name="Sweep the target accuracy").click()
    settled(page)
    assert "Target accuracy worth paying for:" in page.locator("#optimum").inner_text()
    assert page.locator("#sweep-chart.js-plotly-plot").count() == 1


def test_a_bad_case_names_the_field_and_shows_no_decision(page):
    page.locator("#case").fill('{"discount_rate": -2}')
    page.get_by_role("button", name="Compute the case").click()
    settled(page, "error")
    assert page.locator("#case-error").inner_text().startswith("discount_rate:")
    assert page.locator("#decision").inner_text() == ""


def test_saving_a_case_from_the_page(page, live_server):
    page.get_by_label("Start from an example").select_option("business-supermarket")
    page.get_by_label("Save as").fill("from the page")
    page.get_by_role("button", name="Save the case").click()
    settled(page)
    assert page.locator("#saved").inner_text().startswith("Saved as from the page")
    listed = page.request.get(live_server + "/api/business/cases").json()["cases"]
    assert any(row["name"] == "from the page" and row["decision"] == "go" for row in listed)
