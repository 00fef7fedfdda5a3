"""The store's JSON API and pages, in-process (TestClient), on SQLite and on a real PostgreSQL server.

Wiring, status codes and error fields: the numbers are the library's (tests/store, tests/core).
Each test gets an empty store from ``store_url`` (tests/store/conftest.py); bad input answers
422 naming the field, an unknown name in the path 404, never 500.
"""

import importlib.util
import json
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dlcost.catalog.hardware import load_hardware
from dlcost.store import CATALOG_VERSION, Store
from dlcost.web.app import MAX_BODY_BYTES, create_app
from dlcost.web.store_access import MAX_COMPARE

# The store tests' fixture: a fresh database on each backend (sqlite, postgresql).
_spec = importlib.util.spec_from_file_location("dlcost_store_conftest", Path(__file__).parents[1] / "store" / "conftest.py")
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)
store_url = _store_conftest.store_url

# Figure 2 of seed 000 (Thompson et al., AAAI 2024).
FIGURE_2 = {"target_accuracy": "96.5%", "data_max": 200_000, "cost_per_datapoint": 0.63,
            "class_counts": {"Positive": 50_000, "Negative": 1_000}, "cost_mode": "paper"}
CHEAPER_LINK = "http://127.0.0.1:8000/?task=classification&target_accuracy=90%25&data_max=100000&cost_per_datapoint=1&classes=10&cost_mode=paper"
HEADER = "dataset,task,n_train,n_classes,pretrained,metric_name,metric_value\n"
EXAMPLES = resources.files("dlcost.catalog").joinpath("vtab_calibration.csv").read_text(encoding="utf-8")
CSV = {"content-type": "text/csv"}


def _client(store_url, **options):
    store = Store(store_url)
    app = create_app(hardware=load_hardware(), store=store, **options)
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000"), store


@pytest.fixture
def client(store_url):
    """The app on loopback without a token (writes allowed), on a fresh store."""
    test_client, store = _client(store_url)
    try:
        yield test_client
    finally:
        store.close()


@pytest.fixture
def shared(store_url):
    """The app bound to 0.0.0.0: writes need the token "s3cret"."""
    test_client, store = _client(store_url, host="0.0.0.0", write_token="s3cret")
    try:
        yield test_client
    finally:
        store.close()


def unauthorized(response) -> bool:
    assert response.status_code == 401, response.text
    (problem,) = response.json()["detail"]  # the documented problem list, naming the header
    return problem["field"] == "authorization" and "Authorization: Bearer" in problem["msg"]


def problem(response, status=422) -> dict:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail and all({"loc", "field", "msg", "type"} <= p.keys() for p in detail)
    return detail[0]


def save(client, name, **body):
    return client.post("/api/scenarios", json={"name": name, **({"scenario": FIGURE_2} if not body else body)})


def import_examples(client) -> dict:
    response = client.post("/api/observations/import?examples=true", headers=CSV)
    assert response.status_code == 200, response.text
    return response.json()


# ----- scenarios -------------------------------------------------------------------
def test_scenarios_save_list_show_compare_delete(client):
    saved = save(client, "figure 2")
    assert saved.status_code == 200, saved.text
    assert saved.json()["model"] == "paper-2024"
    assert saved.json()["result"]["recommendations"][0]["architecture"] == "EfficientNet-B0"
    by_link = save(client, "cheaper", query=CHEAPER_LINK)
    assert by_link.status_code == 200, by_link.text
    assert by_link.json()["result"]["inputs"]["target_accuracy"] == pytest.approx(0.9)

    listed = client.get("/api/scenarios").json()["scenarios"]
    assert [s["name"] for s in listed] == ["figure 2", "cheaper"]
    assert listed[0]["best_architecture"] == "EfficientNet-B0" and listed[0]["catalog_version"] == CATALOG_VERSION
    shown = client.get("/api/scenarios/figure 2").json()
    assert set(shown) == {"name", "created_at", "model", "catalog_version", "result"}
    assert shown["result"] == saved.json()["result"]

    for query in ({"names": "figure 2,cheaper"}, [("names", "figure 2"), ("names", "cheaper")]):
        compared = client.get("/api/scenarios-compare", params=query)
        assert compared.status_code == 200, compared.text
        assert compared.json()["scenarios"] == ["figure 2", "cheaper"]
        rows = {row["label"]: row["values"] for row in compared.json()["rows"]}
        assert rows["Target accuracy"] == ["96.50%", "90.00%"] and rows["Best model"][0] == "EfficientNet-B0"

    assert save(client, "figure 2", scenario={**FIGURE_2, "target_accuracy": 0.9}, replace=True).status_code == 200
    assert client.get("/api/scenarios/figure 2").json()["result"]["inputs"]["target_accuracy"] == 0.9
    assert client.delete("/api/scenarios/cheaper").json() == {"deleted": "cheaper"}
    assert problem(client.get("/api/scenarios/cheaper"), 404)["field"] == "name"
    assert problem(client.delete("/api/scenarios/cheaper"), 404)["field"] == "name"


def test_scenario_with_a_fitted_model(client):
    import_examples(client)
    assert client.post("/api/models", json={"name": "vtab", "with_paper_cases": True}).status_code == 200
    assert save(client, "mine", scenario=FIGURE_2, model="vtab").json()["model"] == "vtab"
    assert client.post("/api/models/vtab/use", json={}).status_code == 200
    assert save(client, "active", scenario=FIGURE_2).json()["model"] == "vtab"  # default: the active model


BAD_SAVES = {
    "name taken": ({"name": "taken", "scenario": FIGURE_2}, "name", "already a saved scenario"),
    "empty name": ({"name": "", "scenario": FIGURE_2}, "name", ""),
    "NUL in name": ({"name": "a\x00b", "scenario": FIGURE_2}, "name", "NUL"),
    "long name": ({"name": "x" * 201, "scenario": FIGURE_2}, "name", ""),
    "no scenario": ({"name": "a"}, "scenario", "give scenario"),
    "both": ({"name": "a", "scenario": FIGURE_2, "query": CHEAPER_LINK}, "scenario", "not both"),
    "bad target": ({"name": "a", "scenario": {**FIGURE_2, "target_accuracy": 95}}, "target_accuracy", "For 95% pass 0.95"),
    "missing input": ({"name": "a", "scenario": {"target_accuracy": 0.9}}, "data_max", "is required"),
    "unknown input": ({"name": "a", "scenario": {**FIGURE_2, "data_maxx": 1}}, "data_maxx", "not an input"),
    "unknown architecture": ({"name": "a", "scenario": {**FIGURE_2, "architectures": ["NoSuchNet"]}}, "architectures", "NoSuchNet"),
    "bad link": ({"name": "a", "query": "target_accuracy=lots"}, "target_accuracy", "lots"),
    "unknown model": ({"name": "a", "scenario": FIGURE_2, "model": "nope"}, "model", "model must be one of dlcost-2026, paper-2024"),
    "unknown key": ({"name": "a", "scenario": FIGURE_2, "replce": True}, "replce", ""),
}


@pytest.mark.parametrize("body, field, words", BAD_SAVES.values(), ids=BAD_SAVES.keys())
def test_bad_saves_name_the_field(client, body, field, words):
    assert save(client, "taken").status_code == 200
    found = problem(client.post("/api/scenarios", json=body))
    assert found["field"] == field and words in found["msg"]
    assert [s["name"] for s in client.get("/api/scenarios").json()["scenarios"]] == ["taken"]


def test_bad_comparisons(client):
    save(client, "a")
    save(client, "b")
    assert "at least 2" in problem(client.get("/api/scenarios-compare", params={"names": "a"}))["msg"]
    assert "'c'" in problem(client.get("/api/scenarios-compare", params={"names": "a,c"}))["msg"]
    many = ",".join(["a"] * (MAX_COMPARE + 1))
    assert problem(client.get("/api/scenarios-compare", params={"names": many}))["field"] == "names"
    assert problem(client.get("/api/scenarios-compare"))["field"] == "names"


# ----- observations ----------------------------------------------------------------
def test_observations_add_import_list(client):
    added = client.post("/api/observations", json={"dataset": "Bolts", "task": "classification", "n_train": 1000,
                                                   "n_classes": 10, "pretrained": True, "metric_value": 0.9})
    assert added.status_code == 200, added.text
    assert added.json()["dataset"] == "Bolts" and isinstance(added.json()["id"], int)
    imported = client.post("/api/observations/import", content=EXAMPLES.encode(), headers=CSV)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == 36 == len(imported.json()["ids"])

    everything = client.get("/api/observations").json()["observations"]
    assert len(everything) == 37 and everything[0]["dataset"] == "Bolts"
    pretrained = client.get("/api/observations", params={"pretrained": "yes", "task": "classification"}).json()["observations"]
    assert pretrained and all(o["pretrained"] for o in pretrained) and len(pretrained) < 37
    assert len(client.get("/api/observations", params={"dataset": "Bolts", "task": ""}).json()["observations"]) == 1


BAD_OBSERVATIONS = {
    "metric as percent": ({"metric_value": 90}, "metric_value"),
    "no classes": ({"n_classes": None}, "n_classes"),  # a cross-field rule names the field its InputError carries
    "unknown task": ({"task": "captioning"}, "task"),
    "unknown key": ({"colour": "red"}, "colour"),
    "too many classes": ({"n_classes": 10**12}, "n_classes"),
    "long architecture": ({"architecture": "x" * 201}, "architecture"),
    "NUL in dataset": ({"dataset": "a\x00"}, "dataset"),
    "negative distance": ({"dataset_distance": -0.1}, "dataset_distance"),
    "huge distance": ({"dataset_distance": 1e7}, "dataset_distance"),
    "distance as text": ({"dataset_distance": "far"}, "dataset_distance"),
    "distance as a flag": ({"dataset_distance": True}, "dataset_distance"),
}


@pytest.mark.parametrize("change, field", BAD_OBSERVATIONS.values(), ids=BAD_OBSERVATIONS.keys())
def test_bad_observations_name_the_field(client, change, field):
    body = {"dataset": "Bolts", "task": "classification", "n_train": 1000, "n_classes": 10, "pretrained": True,
            "metric_value": 0.9, **change}
    assert problem(client.post("/api/observations", json={k: v for k, v in body.items() if v is not None}))["field"] == field
    assert client.get("/api/observations").json()["observations"] == []


def test_observations_carry_a_dataset_distance(client):
    body = {"dataset": "Bolts", "task": "classification", "n_train": 1000, "n_classes": 10, "pretrained": True,
            "metric_value": 0.9, "dataset_distance": 0.0731}
    added = client.post("/api/observations", json=body)
    assert added.status_code == 200, added.text
    assert added.json()["dataset_distance"] == 0.0731
    text = HEADER.rstrip("\n") + ",dataset_distance\nNuts,classification,1000,10,yes,accuracy,0.9,0.5\n"
    assert client.post("/api/observations/import", content=text.encode(), headers=CSV).json()["imported"] == 1
    listed = client.get("/api/observations").json()["observations"]
    assert [o["dataset_distance"] for o in listed] == [0.0731, 0.5]
    matching = client.get("/api/observations", params={"dataset_distance": "0.5"}).json()["observations"]
    assert [o["dataset"] for o in matching] == ["Nuts"]
    for value in ("NaN", "Infinity", "-1"):  # what a JSON parser may read as a number, refused like the rest
        found = problem(client.post("/api/observations", content=json.dumps(body).replace("0.0731", value).encode(),
                                    headers={"content-type": "application/json"}))
        assert found["field"] == "dataset_distance" and found["msg"].startswith("dataset_distance must be ")
    bad = HEADER.rstrip("\n") + ",dataset_distance\nNuts,classification,1000,10,yes,accuracy,0.9,-2\n"
    found = problem(client.post("/api/observations/import", content=bad.encode(), headers=CSV))
    assert (found["field"], found["line"]) == ("dataset_distance", 2)
    assert found["msg"] == "line 2: dataset_distance must be 0 or more; got -2.0."
    assert len(client.get("/api/observations").json()["observations"]) == 2


def test_bad_filters(client):
    assert problem(client.get("/api/observations", params={"colour": "red"}))["field"] == "colour"
    found = problem(client.get("/api/observations", params={"pretrained": "maybe"}))
    assert found["field"] == "pretrained" and "yes or no" in found["msg"]
    assert problem(client.get("/api/observations", params={"n_train": "many"}))["field"] == "n_train"


BAD_IMPORTS = {
    "bad yes/no on line 3": (HEADER + "A,classification,1000,10,yes,accuracy,0.9\nB,classification,1000,10,maybe,accuracy,0.9\n", 3, "pretrained"),
    "percent as fraction": (HEADER + "A,classification,1000,10,yes,accuracy,93\n", 2, "metric_value"),
    "not a number": (HEADER + "A,classification,lots,10,yes,accuracy,0.9\n", 2, "n_train"),
    "missing column": ("dataset,task\nA,classification\n", 1, "columns"),
    "too many classes": (HEADER + "A,classification,1000,1e12,yes,accuracy,0.9\n", 2, "n_classes"),
}


@pytest.mark.parametrize("text, line, field", BAD_IMPORTS.values(), ids=BAD_IMPORTS.keys())
def test_an_import_with_a_bad_line_changes_nothing(client, text, line, field):
    import_examples(client)
    before = len(client.get("/api/observations").json()["observations"])
    found = problem(client.post("/api/observations/import", content=text.encode(), headers=CSV))
    assert found["field"] == field and found.get("line") == line
    if line:
        assert found["msg"].startswith(f"line {line}: ") and found["loc"] == ["body", line, field]
    assert len(client.get("/api/observations").json()["observations"]) == before


def test_import_bodies(client):
    assert problem(client.post("/api/observations/import", headers=CSV))["field"] == "body"  # nothing to import
    assert problem(client.post("/api/observations/import?examples=maybe", headers=CSV))["field"] == "examples"
    assert "not both" in problem(client.post("/api/observations/import?examples=true", content=EXAMPLES.encode(), headers=CSV))["msg"]
    assert "UTF-8" in problem(client.post("/api/observations/import", content=b"\xff\xfe\x00bad", headers=CSV))["msg"]
    too_big = (HEADER + "A,classification,1000,10,yes,accuracy,0.9\n" * (MAX_BODY_BYTES // 40)).encode()
    assert client.post("/api/observations/import", content=too_big, headers=CSV).status_code == 413
    assert client.get("/api/observations").json()["observations"] == []


# ----- models ----------------------------------------------------------------------
def test_models_fit_show_validate_plot_use(client):
    import_examples(client)
    fitted = client.post("/api/models", json={"name": "vtab", "with_paper_cases": True})
    assert fitted.status_code == 200, fitted.text
    # examples=true holds the six Table 2 cases already (they count once); its 38 detection rows are left out
    assert fitted.json()["n"] == 657 - 38 and [c["name"] for c in fitted.json()["coefficients"]][:2] == ["intercept", "log_data"]
    assert fitted.json()["notes"][-1] == "38 detection observations left out: eq. (1) has no detection term"

    models = client.get("/api/models").json()["models"]
    assert [(m["name"], m["active"]) for m in models] == [("paper-2024", False), ("dlcost-2026", True), ("vtab", False)]
    shown = client.get("/api/models/vtab").json()
    assert shown["name"] == "vtab" and shown["n"] == 619 and len(shown["coefficients"]) == 5
    # no observation has a dataset distance: the covariate test says so, in the fit and in the saved model
    assert fitted.json()["covariate_test"]["reason"] == "no fitted observation has a dataset_distance"
    assert shown["covariate_test"] == fitted.json()["covariate_test"]
    assert client.get("/api/models/paper-2024").json()["covariate_test"] is None
    assert client.get("/api/models/paper-2024").json()["n"] == 56
    corpus = client.get("/api/models/dlcost-2026").json()
    assert corpus["form"] == "bounded" and corpus["r2"] is None and len(corpus["coefficients"]) == 12
    held_out = client.get("/api/models/dlcost-2026/validation").json()
    assert held_out["comparison"]["dataset"]["dlcost-2026"]["all"]["n"] == held_out["n"] == 581
    page = client.get("/models/dlcost-2026")
    assert page.status_code == 200 and "Held out by dataset" in page.text and "2,431x" in page.text
    assert problem(client.get("/models/dlcost-2026/plot.png"))["field"] == "name"

    validation = client.get("/api/models/vtab/validation").json()
    assert validation["n"] == 619 == len(validation["cases"]) and 0 <= validation["share_within_2x"] <= 1
    assert "leave-one-dataset-out" in validation["method"]
    published = client.get("/api/models/paper-2024/validation").json()
    assert published["n"] == 619 and published["notes"] == ["38 detection observations left out: eq. (1) has no detection term"]

    plot = client.get("/models/vtab/plot.png")
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
    assert plot.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert problem(client.get("/models/paper-2024/plot.png"))["field"] == "name"

    assert client.post("/api/models/vtab/use", json={}).json() == {"active": "vtab"}
    assert [m["name"] for m in client.get("/api/models").json()["models"] if m["active"]] == ["vtab"]
    assert client.post("/api/models/paper-2024/use", json={}).status_code == 200


def test_bad_fits_and_unknown_models(client):
    found = problem(client.post("/api/models", json={"name": "empty"}))
    assert found["field"] == "observations" and "needs more than 5 observations; got 0" in found["msg"]
    import_examples(client)
    found = problem(client.post("/api/models", json={"name": "pre", "observations": {"pretrained": True}}))
    assert found["field"] == "observations" and "singular design" in found["msg"]
    assert problem(client.post("/api/models", json={"name": "paper-2024"}))["field"] == "name"
    assert problem(client.post("/api/models", json={"name": "x", "observations": {"colour": "red"}}))["field"] == "colour"
    assert problem(client.post("/api/models", json={"name": "x", "observations": {"pretrained": "maybe"}}))["field"] == "pretrained"
    assert problem(client.post("/api/models", json={"name": "x", "observations": {"pretrained": {"a": 1}}}))["field"] == "observations"
    for response in (client.get("/api/models/nope"), client.get("/api/models/nope/validation"),
                     client.get("/models/nope/plot.png"), client.post("/api/models/nope/use", json={})):
        assert problem(response, 404)["field"] == "name"
    assert [m["name"] for m in client.get("/api/models").json()["models"]] == ["paper-2024", "dlcost-2026"]


# ----- the write token -------------------------------------------------------------
def test_writes_need_the_token_off_loopback(shared):
    body = {"name": "figure 2", "scenario": FIGURE_2}
    assert unauthorized(shared.post("/api/scenarios", json=body))
    assert unauthorized(shared.post("/api/scenarios", json=body, headers={"Authorization": "Bearer wrong"}))
    assert unauthorized(shared.post("/api/scenarios", json=body, headers={"Authorization": "s3cret"}))
    assert shared.get("/api/scenarios").json() == {"scenarios": []}
    right = shared.post("/api/scenarios", json=body, headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200, right.text
    for write in (lambda **h: shared.delete("/api/scenarios/figure 2", **h),
                  lambda **h: shared.post("/api/observations/import?examples=true", headers=CSV, **h),
                  lambda **h: shared.post("/api/models", json={"name": "m"}, **h),
                  lambda **h: shared.post("/api/models/paper-2024/use", json={}, **h)):
        assert unauthorized(write())
    # Reads need no token.
    for path in ("/api/scenarios", "/api/scenarios/figure 2", "/api/observations", "/api/models", "/api/models/paper-2024",
                 "/scenarios", "/scenarios/figure 2", "/observations", "/models", "/models/paper-2024"):
        assert shared.get(path).status_code == 200, path
    assert 'id="token-box" class="token-box panel">' in shared.get("/scenarios").text  # shown: writes need it


def test_loopback_writes_need_no_token(client):
    assert save(client, "figure 2").status_code == 200
    assert 'id="token-box" class="token-box panel" hidden' in client.get("/scenarios").text


def test_openapi_documents_the_error_answers(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [("/api/scenarios", "post"), ("/api/scenarios/{name}", "delete"), ("/api/observations", "post"),
                         ("/api/observations/import", "post"), ("/api/models", "post"), ("/api/models/{name}/use", "post")]:
        assert {"401", "413", "422"} <= paths[path][method]["responses"].keys(), (path, method)
    assert "text/csv" in paths["/api/observations/import"]["post"]["requestBody"]["content"]
    assert "image/png" in paths["/models/{name}/plot.png"]["get"]["responses"]["200"]["content"]
    assert "404" in paths["/api/models/{name}"]["get"]["responses"]


# ----- pages -----------------------------------------------------------------------
def test_pages(client):
    import_examples(client)
    client.post("/api/models", json={"name": "vtab <b>", "with_paper_cases": True})
    save(client, "figure <2>")
    save(client, "cheaper", query=CHEAPER_LINK)
    pages = {
        "/scenarios": ["Saved scenarios", "figure &lt;2&gt;", 'href="/scenarios/figure%20%3C2%3E"'],
        "/scenarios?query=target_accuracy%3D0.9": ['value="target_accuracy=0.9"'],
        "/scenarios/figure <2>": ["EfficientNet-B0", "paper-2024", CATALOG_VERSION, "Open in the estimator"],
        "/scenarios/compare?names=figure <2>,cheaper": ["Scenarios compared", "figure &lt;2&gt;", "cheaper", "Total cost"],
        "/observations": ["CIFAR-100 (VTAB-1k)", "657 shown of 657"],
        "/observations?pretrained=yes": ["588 shown of 657"],
        "/observations?task=detection": ["38 shown of 657", '<option value="detection" selected>'],
        "/models": ["vtab &lt;b&gt;", "paper-2024", "active"],
        "/models/vtab <b>": ["Coefficients", "R² = ", "n = 619", "/models/vtab%20%3Cb%3E/plot.png", "Within a factor of 2"],
        "/models/paper-2024": ["Table 1", "no plot", "Within a factor of 2"],
    }
    for path, words in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert "vtab <b>" not in response.text and "figure <2>" not in response.text, path  # escaped
        for word in words:
            assert word in response.text, (path, word)
    for path, status in [("/scenarios/nope", 404), ("/models/nope", 404), ("/scenarios/compare?names=cheaper", 422),
                         ("/observations?pretrained=maybe", 422)]:
        response = client.get(path)
        assert response.status_code == status and response.headers["content-type"].startswith("text/html"), path
        assert 'class="messages" role="alert"' in response.text


def test_saved_scenario_links_back_to_the_estimator(client):
    save(client, "figure 2")
    page = client.get("/scenarios/figure 2").text
    link = page.split('href="/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    from urllib.parse import parse_qsl

    from dlcost.web.query import decode_query

    values = decode_query(parse_qsl(link))
    assert json.loads(json.dumps(values["class_counts"])) == {"Positive": 50000, "Negative": 1000}
    assert float(values["target_accuracy"]) == 0.965 and values["cost_mode"] == "paper"
