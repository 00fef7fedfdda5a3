"""The JSON API and downloads, in-process (TestClient): wiring, status codes, error fields.

Exact numbers are the library's business (tests/core, tests/published): here the API
must answer with the same document the library builds, and bad input must answer 422
naming the field, never 500.
"""

import csv
import io
import json
from pathlib import Path

import plotly
import pytest
from fastapi.testclient import TestClient

import dlcost
from dlcost import catalog
from dlcost.reports.documents import CSV_COLUMNS
from dlcost.web.app import MAX_BODY_BYTES, create_app

# Figure 2 of seed 000 (Thompson et al., AAAI 2024).
FIGURE_2 = {
    "target_accuracy": "96.5%",
    "data_max": 200_000,
    "cost_per_datapoint": 0.63,
    "class_counts": {"Positive": 50_000, "Negative": 1_000},
    "cost_mode": "paper",
}
FIGURE_2_QUERY = {"target_accuracy": "96.5%", "data_max": "200000", "cost_per_datapoint": "0.63", "cost_mode": "paper"}
DOWNLOADS = ["/estimate.json", "/estimate.csv", "/report.md", "/report.html"]


@pytest.fixture
def client():
    # raise_server_exceptions=False: a server error shows as a 500 answer, which the tests reject.
    return TestClient(create_app(), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")


def library_document(**inputs) -> dict:
    return dlcost.estimate(dlcost.Scenario(**inputs)).to_dict()


def post_raw(client, path, body: bytes, **headers):
    return client.post(path, content=body, headers={"content-type": "application/json", **headers})


def first_problem(response) -> dict:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail and all({"loc", "field", "msg", "type"} <= problem.keys() for problem in detail)
    return detail[0]


# ----- JSON endpoints ----------------------------------------------------------


def test_estimate_is_the_library_document(client):
    response = client.post("/api/estimate", json=FIGURE_2)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document == json.loads(json.dumps(library_document(**FIGURE_2)))
    assert [r["architecture"] for r in document["recommendations"]][0] == "EfficientNet-B0"
    assert len(document["recommendations"]) == 3


def test_predict_error_is_the_library_document(client):
    query = {"data": 3000, "relative_complexity": 0.403}
    response = client.post("/api/predict-error", json=query)
    assert response.status_code == 200
    assert response.json() == dlcost.predict_error(dlcost.ErrorQuery(**query)).to_dict()


def test_predict_error_from_class_counts(client):
    response = client.post("/api/predict-error", json={"data": 3000, "class_counts": [50_000, 1_000], "pretrained": False})
    assert response.status_code == 200
    document = response.json()
    assert document["pretrained"] is False
    assert 0 < document["error"] < 1 and document["accuracy"] == pytest.approx(1 - document["error"])


def test_architectures_is_the_catalog(client):
    response = client.get("/api/architectures")
    assert response.status_code == 200
    rows = response.json()["architectures"]
    assert [row["name"] for row in rows] == [row.name for row in catalog.architectures()]
    assert {"name", "aliases", "n_parameters", "forward_gflops"} <= rows[0].keys()


def test_hardware_lists_accelerators_with_prices(client):
    response = client.get("/api/hardware")
    assert response.status_code == 200
    accelerators = {row["name"]: row for row in response.json()["accelerators"]}
    assert "H100" in accelerators
    assert all(isinstance(row["prices"], list) for row in accelerators.values())
    assert accelerators["H100"]["prices"], "H100 has listed prices"


def test_grid_lists_countries_and_regions(client):
    response = client.get("/api/grid")
    assert response.status_code == 200
    grid = response.json()
    assert grid["countries"] and grid["regions"]
    assert set(grid["countries"][0]) == {"iso3", "gco2_per_kwh", "year"}
    assert set(grid["regions"][0]) == {"region", "gco2_per_kwh", "pue"}
    assert all(":" in row["region"] for row in grid["regions"])


def test_charts_series(client):
    response = client.post("/api/charts", json=FIGURE_2)
    assert response.status_code == 200
    charts = response.json()
    assert set(charts) == {"cost_vs_accuracy", "learning_curve", "pilot", "breakdown"} and charts["pilot"] is None
    cost = charts["cost_vs_accuracy"]
    assert {"accuracy", "series", "target_accuracy", "data_limit_accuracy"} <= cost.keys()
    assert len(cost["series"]) == 3 and cost["series"][0]["architecture"] == "EfficientNet-B0"
    assert all(len(series["total_cost"]) == len(cost["accuracy"]) for series in cost["series"])
    curve = charts["learning_curve"]
    assert {"data", "accuracy", "data_present", "data_max", "data_needed", "target_accuracy"} <= curve.keys()
    assert len(curve["data"]) == len(curve["accuracy"]) > 1
    assert [row["architecture"] for row in charts["breakdown"]] == [s["architecture"] for s in cost["series"]]
    assert {"training_cost", "data_cost"} <= charts["breakdown"][0].keys()


# ----- bad input: 422 naming the field, never 500 -------------------------------

BAD_ESTIMATES = {
    "target accuracy 2": ({**FIGURE_2, "target_accuracy": 2}, "target_accuracy"),
    "data_max below data_present": ({**FIGURE_2, "data_max": 10_000}, "data_max"),
    "unknown gpu": ({**FIGURE_2, "gpu": "Z80"}, "gpu"),
    "unknown architecture": ({**FIGURE_2, "architectures": ["ResNet-50", "NoSuchNet"]}, "architectures"),
    "unknown key": ({**FIGURE_2, "data_maxx": 1}, "data_maxx"),
    "missing key": ({k: v for k, v in FIGURE_2.items() if k != "cost_per_datapoint"}, "cost_per_datapoint"),
    "wrong type": ({**FIGURE_2, "data_max": "lots"}, "data_max"),
    "one class": ({**FIGURE_2, "class_counts": {"Positive": 50_000}}, "class_counts"),
    "unknown cost mode": ({**FIGURE_2, "cost_mode": "cheap"}, "cost_mode"),
}


@pytest.mark.parametrize("body, field", BAD_ESTIMATES.values(), ids=BAD_ESTIMATES.keys())
def test_bad_estimate_input_names_the_field(client, body, field):
    problem = first_problem(client.post("/api/estimate", json=body))
    assert problem["field"] == field
    assert problem["loc"][-1] == field
    assert field in problem["msg"]


@pytest.mark.parametrize("path", ["/api/estimate", "/api/charts", "/api/predict-error"])
def test_invalid_json_body(client, path):
    problem = first_problem(post_raw(client, path, b'{"target_accuracy": 0.9,'))
    assert problem["field"] == "body"
    assert problem["type"] == "json_invalid"


@pytest.mark.parametrize("path", ["/api/estimate", "/api/predict-error"])
def test_body_that_is_not_utf8_is_invalid_json(client, path):
    # Found by schemathesis: bytes that do not decode answered 400 "There was an error parsing the body".
    problem = first_problem(post_raw(client, path, b"\xff\xfe\xfd"))
    assert problem["field"] == "body"


def test_bad_predict_error_input(client):
    assert first_problem(client.post("/api/predict-error", json={"data": -5, "classes": 3}))["field"] == "data"
    both = first_problem(client.post("/api/predict-error", json={"data": 5000, "classes": 3, "relative_complexity": 0.2}))
    assert "exactly one" in both["msg"]


@pytest.mark.parametrize("path, body", [
    ("/api/estimate", {**FIGURE_2, "class_counts": None, "classes": 10**20}),
    ("/api/predict-error", {"data": 5000, "classes": 10**20}),
])
def test_huge_class_number_is_not_a_server_error(client, path, body):
    # 10**20 passes validation (a whole number >= 2) but np.log(int) fails past 2**64.
    assert client.post(path, json=body).status_code in (200, 422)


@pytest.mark.parametrize("path, body", [
    ("/api/predict-error", {"data": 3e-11, "relative_complexity": 1.3e15}),
    ("/api/estimate", {**FIGURE_2, "data_max": 1e308, "cost_per_datapoint": 1e308}),
    ("/api/estimate", {**FIGURE_2, "epochs": 1e308}),
    ("/api/estimate", {**FIGURE_2, "cost_mode": "flops", "loader_cores": 1e-310}),  # found by test_api_properties
    ("/api/estimate", {**FIGURE_2, "cost_mode": "flops", "utilization": 1e-320}),
    ("/api/estimate", {**FIGURE_2, "cost_mode": "flops", "gpus": 2, "scaling_efficiency": 1e-320}),
])
def test_accepted_inputs_give_numbers_not_nulls(client, path, body):
    """A 200 answer matches the response schema: declared numbers are never null (inf/nan)."""
    response = client.post(path, json=body)
    if response.status_code == 422:
        return
    assert response.status_code == 200
    document = response.json()
    if path == "/api/predict-error":
        assert document["error"] is not None and document["accuracy"] is not None
    else:
        for rec in document["recommendations"]:
            assert None not in (rec["training_cost"], rec["data_cost"], rec["total_cost"], rec["training_flops"],
                                rec["gpu_hours"], rec["energy_kwh"], rec["co2_kg"])


# ----- body size ---------------------------------------------------------------


def oversized_body() -> bytes:
    body = json.dumps({**FIGURE_2, "architectures": ["ResNet-50"] * (MAX_BODY_BYTES // 10)}).encode()
    assert len(body) > MAX_BODY_BYTES
    return body


def test_oversized_body_with_content_length(client):
    response = post_raw(client, "/api/estimate", oversized_body())
    assert response.status_code == 413
    assert response.json()["detail"][0]["field"] == "body"


def test_oversized_body_streamed_without_content_length(client):
    body = oversized_body()

    def chunks():
        for start in range(0, len(body), 16 * 1024):
            yield body[start:start + 16 * 1024]

    response = post_raw(client, "/api/estimate", chunks())
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text


def test_streamed_body_under_the_limit_is_read(client):
    body = json.dumps(FIGURE_2).encode()
    response = post_raw(client, "/api/estimate", iter([body[:20], body[20:]]))
    assert response.status_code == 200


def test_too_many_classes_in_a_body_under_the_limit(client):
    body = json.dumps({**FIGURE_2, "class_counts": [1] * 100_001, "data_max": 1e9}, separators=(",", ":")).encode()
    assert len(body) < MAX_BODY_BYTES
    problem = first_problem(post_raw(client, "/api/estimate", body))
    assert problem["field"] == "class_counts"
    assert "100,000" in problem["msg"]


# ----- downloads: the scenario in the URL query ------------------------------------

QUERIES = {
    "comma-separated counts": {**FIGURE_2_QUERY, "class_counts": "50000,1000"},
    "JSON object counts": {**FIGURE_2_QUERY, "class_counts": json.dumps(FIGURE_2["class_counts"])},
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_estimate_json_download(client, query):
    response = client.get("/estimate.json", params=query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    counts = json.loads(query["class_counts"]) if query["class_counts"].startswith("{") else [50_000, 1_000]
    assert response.json() == library_document(**{**FIGURE_2, "class_counts": counts})


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_estimate_csv_download(client, query):
    response = client.get("/estimate.csv", params=query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 3
    assert [row[1] for row in rows[1:]][0] == "EfficientNet-B0"
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_reports(client, query):
    markdown = client.get("/report.md", params=query)
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# dlcost estimate") and "| 1 | EfficientNet-B0 |" in markdown.text
    page = client.get("/report.html", params=query)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<table>" in page.text and "<td>EfficientNet-B0</td>" in page.text


def test_query_with_architectures_and_top(client):
    query = {**QUERIES["comma-separated counts"], "architectures": "ResNet-50,VGG-16", "top": "1"}
    document = client.get("/estimate.json", params=query).json()
    assert [rec["architecture"] for rec in document["recommendations"]] == ["ResNet-50"]


BAD_QUERIES = {
    "target accuracy 2": ({**QUERIES["comma-separated counts"], "target_accuracy": "2"}, "target_accuracy"),
    "counts not numbers": ({**QUERIES["comma-separated counts"], "class_counts": "a,b"}, "class_counts"),
    "counts bad JSON": ({**QUERIES["comma-separated counts"], "class_counts": "{bad"}, "class_counts"),
    "unknown key": ({**QUERIES["comma-separated counts"], "colour": "red"}, "colour"),
    "missing key": ({"class_counts": "50000,1000", "target_accuracy": "0.9", "cost_per_datapoint": "1"}, "data_max"),
}


@pytest.mark.parametrize("path", DOWNLOADS)
@pytest.mark.parametrize("query, field", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_query_names_the_field(client, path, query, field):
    assert first_problem(client.get(path, params=query))["field"] == field


def test_html_report_escapes_labels(client):
    label = "<script>alert(1)</script>"
    query = {**FIGURE_2_QUERY, "class_counts": json.dumps({label: 50_000, "Negative": 1_000})}
    response = client.get("/report.html", params=query)
    assert response.status_code == 200
    assert label not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


# ----- the page and its assets ----------------------------------------------


def test_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert dlcost.__version__ in response.text


def test_plotly_is_served_from_the_installed_package(client):
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert len(response.content) > 1_000_000
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert response.content == shipped.read_bytes()


def test_static_css(client):
    assert client.get("/static/app.css").status_code == 200


# ----- binding ---------------------------------------------------------------


def test_non_loopback_host_needs_a_token():
    with pytest.raises(ValueError, match="write_token"):
        create_app(host="0.0.0.0")
    assert create_app(host="0.0.0.0", write_token="s3cret") is not None
    assert create_app(host="::1") is not None
    assert create_app(host="localhost") is not None


# ----- issue 9: downloads carry the ranges; the API docs work offline -----------------------------
def test_downloads_carry_the_ranges(client):
    query = "target_accuracy=96.5%25&data_max=200000&cost_per_datapoint=0.63&class_counts=50000,1000&cost_mode=paper"
    csv_text = client.get("/estimate.csv?" + query).text
    header, first = csv_text.splitlines()[:2]
    columns = dict(zip(header.split(","), first.split(",")))
    for column in ("data_needed_low", "data_needed_high", "total_cost_low", "total_cost_high"):
        assert columns[column] != ""
    markdown = client.get("/report.md?" + query).text
    assert "Data needed, 80% range" in markdown and "Total, 80% range" in markdown
    assert "| 1 | EfficientNet-B0 | 96.50% | 197,817 | 120 – " in markdown
    report = client.get("/report.html?" + query).text
    assert "<th>Data needed, 80% range</th>" in report and "<th>Total, 80% range</th>" in report


def test_api_docs_need_no_cdn(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text and "unpkg" not in page.text and "jsdelivr" not in page.text
    scripts = [part.split('"', 1)[0] for part in page.text.split('src="')[1:]]
    styles = [part.split('"', 1)[0] for part in page.text.split('href="')[1:] if ".css" in part.split('"', 1)[0]]
    assert scripts and styles
    for asset in scripts + styles:
        assert asset.startswith("/"), asset  # served by this app
        answer = client.get(asset)
        assert answer.status_code == 200 and len(answer.content) > 1000, asset
