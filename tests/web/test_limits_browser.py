"""The Outlook page (issue 14) in a real browser (Playwright + Debian's Chromium) against a real uvicorn server."""

import pytest


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/outlook")
    settled(page)
    yield page
    context.close()
    assert not errors, errors


def settled(page, state="done"):
    page.wait_for_function("state => document.getElementById('results').dataset.state === state", arg=state, timeout=30_000)


def test_figure_4_the_projection_and_its_chart(page):
    assert page.locator("#figure4 tbody tr").count() == 30
    assert "× 10^" in page.locator("#computation").inner_text() and "Gflops" in page.locator("#computation").inner_text()
    assert "paper-2020" in page.locator("#conversion-detail").inner_text()
    assert page.locator("#chart-benchmarks.js-plotly-plot").count() == 1


def test_the_slider_moves_the_target_and_flags_a_meaningless_one(page):
    before = page.locator("#computation").inner_text()
    page.get_by_label("Form", exact=True).select_option("exponential")
    page.locator("#target-slider").fill("-2")  # 1% error on ImageNet, exponential form: 10^120 Gflops
    page.wait_for_function("() => document.getElementById('target-value').textContent === '1.00%'")
    settled(page)
    page.wait_for_function("() => document.getElementById('flags').textContent.includes('physically meaningless')")
    assert page.locator("#computation").inner_text() != before
    page.get_by_label("Dollars and CO2").select_option("today")
    page.wait_for_function("() => document.getElementById('conversion-detail').textContent.startsWith('today: H100')")


def test_a_target_beyond_any_float_names_the_field(page):
    page.get_by_label("Benchmark", exact=True).select_option("conll-2003")
    page.get_by_label("Form", exact=True).select_option("exponential")
    page.locator("#target-slider").fill("-3")
    settled(page, "error")
    assert page.locator("#projection-error").inner_text().startswith("target_error: ")
    assert page.locator("#computation").inner_text() == "–"


def test_pricing_the_halvings_of_the_figure_2_scenario(page):
    page.get_by_label("Budget, USD").fill("1000000")
    page.get_by_role("button", name="Price each halving").click()
    page.wait_for_function("() => document.getElementById('curve-box').dataset.state === 'done'", timeout=30_000)
    rows = page.locator("#curve tbody tr")
    assert rows.count() >= 2
    assert "over the budget" in page.locator("#curve").inner_text()
    assert page.locator("#chart-curve.js-plotly-plot").count() == 1


def test_the_estimator_links_its_scenario_to_the_outlook(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="Load the Figure 2 example").click()
    page.wait_for_function("() => document.getElementById('outlook-link').href.includes('target_accuracy=')", timeout=30_000)
    page.locator("#outlook-link").click()
    page.wait_for_url("**/outlook?**")
    assert "estimator link you came from" in page.locator("#scenario-source").inner_text()
    page.get_by_role("button", name="Price each halving").click()
    page.wait_for_function("() => document.getElementById('curve-box').dataset.state === 'done'", timeout=30_000)
    assert page.locator("#curve tbody tr").count() >= 1
    context.close()


def test_the_simulation_of_section_2(page):
    page.get_by_label("Simulations per case").fill("5")
    page.get_by_role("button", name="Run the simulation").click()
    page.wait_for_function("() => document.getElementById('simulation-summary').dataset.state === 'done'", timeout=60_000)
    summary = page.locator("#simulation-summary").inner_text()
    assert "flexible: matches the oracle's 15 at" in summary and "regularized: matches" in summary
    assert page.locator("#chart-simulation.js-plotly-plot").count() == 1
    page.get_by_label("Simulations per case").fill("5000")
    page.get_by_role("button", name="Run the simulation").click()
    page.wait_for_function("() => document.getElementById('simulation-summary').dataset.state === 'error'")
    assert page.locator("#simulation-summary").inner_text().startswith("reps: reps must be a whole number from 1 to 100")
