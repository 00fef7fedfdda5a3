"""Issue 11 in a real browser: a page of another origin cannot write, and the estimator runs under its CSP."""

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

CSV_ROW = "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\\nforged,classification,1000,5,yes,accuracy,0.9\\n"


def attacker_app(target: str) -> FastAPI:
    """A page on another port that tries every write a browser allows it without a CORS preflight."""
    app = FastAPI()
    page = f"""<!doctype html><html><body>
<form id="f" method="post" action="{target}/api/observations/import" enctype="text/plain" target="sink">
  <input name="dataset,task,n_train,n_classes,pretrained,metric_name,metric_value&#10;forged2,classification,1000,5,yes,accuracy,0.9&#10;x" value="y">
</form>
<form id="g" method="post" action="{target}/api/models/paper-2024/use" target="sink2"></form>
<iframe name="sink"></iframe><iframe name="sink2"></iframe>
<script>
  fetch("{target}/api/observations/import", {{method: "POST", mode: "no-cors", body: "{CSV_ROW}",
        headers: {{"Content-Type": "text/plain"}}}}).catch(function () {{}});
  fetch("{target}/api/observations", {{method: "POST", mode: "no-cors",
        body: JSON.stringify({{dataset: "forged3", task: "classification", n_train: 1000, n_classes: 5, pretrained: true,
                               metric_value: 0.9}})}}).catch(function () {{}});
  fetch("{target}/api/observations", {{method: "POST", headers: {{"Content-Type": "application/json"}},
        body: "{{}}"}}).catch(function () {{ document.title = "blocked"; }});
  document.getElementById("f").submit();
  document.getElementById("g").submit();
  setTimeout(function () {{ document.body.dataset.done = "yes"; }}, 1500);
</script></body></html>"""

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    return app


def test_a_page_of_another_origin_cannot_write(browser, live_server, serve_app):
    before = httpx.get(f"{live_server}/api/observations").json()["observations"]
    with serve_app(attacker_app(live_server)) as attacker:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(attacker + "/")
            page.wait_for_function("() => document.body.dataset.done === 'yes'", timeout=15_000)
        finally:
            context.close()
    after = httpx.get(f"{live_server}/api/observations").json()["observations"]
    assert after == before
    active = [m["name"] for m in httpx.get(f"{live_server}/api/models").json()["models"] if m["active"]]
    assert active == ["dlcost-2026"]  # the default still active: the attacker's `use` did not land


def test_the_estimator_runs_under_its_content_security_policy(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.add_init_script("window.__violations = [];"
                             "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        response = page.goto(live_server + "/?target_accuracy=96.5%25&data_max=200000&cost_per_datapoint=0.63"
                                           "&class_counts=50000,1000&cost_mode=paper")
        assert "script-src 'self';" in response.headers["content-security-policy"]
        page.wait_for_function("() => document.getElementById('results').dataset.state === 'done'", timeout=15_000)
        page.wait_for_function("() => document.querySelector('#chart-cost .main-svg') !== null", timeout=15_000)
        assert page.evaluate("() => window.__violations") == [] and errors == []
    finally:
        context.close()
