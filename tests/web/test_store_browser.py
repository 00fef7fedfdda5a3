"""The store's pages in a real browser (Playwright + Debian's Chromium) against a real uvicorn server.

One flow on a fresh SQLite store named by DLCOST_DATABASE_URL (so the app opens it lazily, as
``dlcost serve`` does): import the shipped observations, fit a model on /models, read its
coefficient table, plot and validation; save two scenarios from estimator links and compare them.
Numbers are the library's business (tests/store); here the pages' wiring is.
"""

from urllib.parse import quote

import pytest

# Figure 2 of seed 000 (Thompson et al., AAAI 2024) and a cheaper variant, as estimator links.
FIGURE_2 = "task=classification&target_accuracy=96.5%25&data_max=200000&cost_per_datapoint=0.63&class_counts=50000,1000&cost_mode=paper"
CHEAPER = "task=classification&target_accuracy=90%25&data_max=100000&cost_per_datapoint=1&classes=10&cost_mode=paper"


@pytest.fixture
def store_server(tmp_path, monkeypatch, serve_app):
    """Base URL of a uvicorn server whose store is a fresh SQLite file."""
    from dlcost.catalog.hardware import load_hardware
    from dlcost.web.app import create_app

    monkeypatch.setenv("DLCOST_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with serve_app(create_app(hardware=load_hardware())) as base:
        yield base


def no_sideways_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def save_scenario(page, base, name, link):
    page.goto(f"{base}/scenarios?query={quote(link)}")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Save scenario").click()
    page.wait_for_url(f"{base}/scenarios/{quote(name)}")
    assert page.locator("#flash").inner_text() == f'Saved scenario "{name}".'


def test_fit_a_model_and_compare_scenarios(browser, store_server):
    base = store_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        # A bad CSV line is reported by line and field, and imports nothing.
        page.goto(f"{base}/observations")
        page.get_by_label("Or paste CSV text").fill(
            "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\nA,classification,1000,10,maybe,accuracy,0.9\n")
        page.get_by_role("button", name="Import", exact=True).click()
        alert = page.locator("#import-errors li")
        alert.wait_for()
        assert alert.get_attribute("data-where") == "line 2, field pretrained"
        assert "line 2: pretrained must be yes or no" in alert.inner_text()

        imported = page.request.post(f"{base}/api/observations/import?examples=true", headers={"content-type": "text/csv"})
        assert imported.ok and imported.json()["imported"] == 657
        page.goto(f"{base}/observations")
        assert page.locator("#observations tbody tr").count() == 657

        # Fit on /models, then the model's page.
        page.goto(f"{base}/models")
        page.get_by_label("Name", exact=True).fill("vtab")
        page.get_by_label("Add the six Table 2 cases of the paper").check()
        page.get_by_role("button", name="Fit").click()
        page.wait_for_url(f"{base}/models/vtab", timeout=20_000)
        # the six Table 2 cases are stored already (they count once); the 38 detection rows are left out
        assert "Fitted \"vtab\" on 619 observations." == page.locator("#flash").inner_text()
        coefficients = page.locator("#coefficients tbody tr")
        assert coefficients.count() == 5
        assert coefficients.nth(1).locator("th").inner_text().startswith("log10")
        assert "n = 619" in page.locator("#fit-stats").inner_text()
        page.wait_for_function("() => { const i = document.getElementById('partial-regression'); return i.complete && i.naturalWidth > 0; }",
                               timeout=20_000)
        summary = page.locator("#validation-summary").inner_text()
        assert "Median |log10(predicted / observed)|" in summary and "Within a factor of 2" in summary
        assert page.locator("#validation tbody tr").count() == 619
        page.get_by_role("button", name="Use for estimates").click()
        page.locator("#flash").filter(has_text="Estimates now use vtab.").wait_for()
        assert page.locator("h1 .badge").inner_text() == "active"

        # Two saved scenarios, compared.
        save_scenario(page, base, "figure 2", f"{base}/?{FIGURE_2}")
        assert page.locator('#recommendations [data-rank="1"][data-field="architecture"]').inner_text().endswith("EfficientNet-B0")
        save_scenario(page, base, "cheaper", CHEAPER)
        page.goto(f"{base}/scenarios")
        page.get_by_label("Compare figure 2").check()
        page.get_by_label("Compare cheaper").check()
        page.get_by_role("button", name="Compare selected").click()
        page.wait_for_url(f"{base}/scenarios/compare?names=figure%202,cheaper")
        assert page.locator("#comparison thead th").all_inner_texts()[1:] == ["figure 2", "cheaper"]
        total = page.locator("#comparison tr.total td").all_inner_texts()
        assert len(total) == 2 and all(text.startswith("$") for text in total)
        assert page.locator("#comparison tbody tr", has_text="Error model").locator("td").all_inner_texts() == ["vtab", "vtab"]

        # Usable on a phone: nothing scrolls sideways but the tables inside their own boxes.
        page.set_viewport_size({"width": 390, "height": 844})
        for path in ("/scenarios/compare?names=figure%202,cheaper", "/scenarios", "/models/vtab", "/observations", "/models"):
            page.goto(base + path)
            no_sideways_scroll(page)
        assert errors == []
    finally:
        context.close()
