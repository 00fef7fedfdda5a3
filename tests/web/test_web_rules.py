"""Issue 11, web: the method a path takes (405 before 415), the downloads' query in /openapi.json,
and chart series that never leave their range."""

import math
import re
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlcost.catalog.hardware import load_hardware
from dlcost.store import Store
from dlcost.web.app import create_app
from dlcost.web.query import FIELDS, encode_query, query_parameters

FIGURE_2_QUERY = {"target_accuracy": "96.5%", "data_max": "200000", "cost_per_datapoint": "0.63",
                  "class_counts": "50000,1000", "cost_mode": "paper"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('store') / 'store.sqlite3'}")
    yield TestClient(create_app(hardware=load_hardware(), store=store), base_url="http://127.0.0.1:8000",
                     raise_server_exceptions=False)
    store.close()


def method_refused(response, allow: str) -> bool:
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    assert response.headers["x-content-type-options"] == "nosniff"  # marked like every answer
    (problem,) = response.json()["detail"]
    return problem["field"] == "method" and problem["loc"] == ["method"] and problem["msg"].startswith("method must be one of")


# ----- 405 before 415 ----------------------------------------------------------------
@pytest.mark.parametrize("content_type", [None, "text/plain", "application/json"])
def test_a_method_the_path_does_not_take_is_405_with_allow(client, content_type):
    """Whatever the body type: the guard's 415 is for a path that takes the POST."""
    headers = {} if content_type is None else {"content-type": content_type}
    assert method_refused(client.post("/api/architectures", content=b"{}", headers=headers), "GET, OPTIONS")
    assert method_refused(client.post("/estimate.json", headers=headers), "GET, OPTIONS")
    assert method_refused(client.post("/api/scenarios/fig2", headers=headers), "DELETE, GET, OPTIONS")
    assert method_refused(client.post("/static/app.js", headers=headers), "GET, HEAD, OPTIONS")


def test_every_method_not_taken_is_405(client):
    assert method_refused(client.get("/api/estimate"), "OPTIONS, POST")
    assert method_refused(client.put("/api/estimate", json={}), "OPTIONS, POST")
    assert method_refused(client.delete("/api/architectures"), "GET, OPTIONS")
    assert method_refused(client.patch("/api/models/paper-2024/use", json={}), "OPTIONS, POST")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_post_of_the_wrong_type_to_a_post_path_is_still_415(client, content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    for path in ("/api/estimate", "/api/models/paper-2024/use", "/api/observations/import"):
        answer = client.post(path, content=b"{}", headers=headers)
        assert answer.status_code == 415, (path, answer.text)
        assert answer.json()["detail"][0]["field"] == "content-type"


def test_a_path_no_route_has_is_404_for_every_method(client):
    assert client.post("/not-a-page", json={}).status_code == 404
    assert client.put("/api/nothing-here", json={}).status_code == 404
    assert client.options("/not-a-page").status_code == 404


def test_allow_names_the_documented_resource(client):
    """A model name may hold '/': GET /api/models/x/use still shows the model 'x/use', but the
    resource the document names there is POST .../use, and OPTIONS says so."""
    answer = client.options("/api/models/x/use")
    assert answer.status_code == 204 and answer.headers["allow"] == "OPTIONS, POST"
    assert client.get("/api/models/x/use").status_code == 404  # routed to the model "x/use": none such
    assert client.options("/static/app.js").headers["allow"] == "GET, HEAD, OPTIONS"


def test_every_post_declares_the_body_the_guard_requires(client):
    """The request guard refuses a POST without a JSON (or CSV) body: the document says so."""
    paths = client.get("/openapi.json").json()["paths"]
    posts = {path: operations["post"] for path, operations in paths.items() if "post" in operations}
    assert "/api/models/{name}/use" in posts and "/api/observations/import" in posts
    for path, post in posts.items():
        body = post["requestBody"]
        assert body["required"] is True, path
        assert set(body["content"]) <= {"application/json", "text/csv"}, path
    assert client.post("/api/models/paper-2024/use", json={}).status_code == 200


# ----- the downloads' query ---------------------------------------------------------
def test_the_downloads_declare_the_codecs_fields(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/estimate.json", "/estimate.csv", "/report.md", "/report.html"):
        names = [parameter["name"] for parameter in paths[path]["get"]["parameters"]]
        assert tuple(names) == FIELDS, path
    assert query_parameters()[FIELDS.index("gpus")]["schema"]["anyOf"][0] == {"type": "integer", "minimum": 1,
                                                                               "maximum": 100000}


def test_a_download_locates_bad_input_in_the_query(client):
    answer = client.get("/estimate.json", params={**FIGURE_2_QUERY, "epochs": "-1"})
    assert answer.status_code == 422
    assert [problem["loc"] for problem in answer.json()["detail"]] == [["query", "epochs"]]
    answer = client.get("/report.md", params={"target_accuracy": "0.9", "data_max": "1e5", "cost_per_datapoint": "1"})
    assert answer.json()["detail"][0]["loc"] == ["query", "classes"]


def test_a_query_written_as_declared_is_answered(client):
    """Lists comma-separated (style form, explode false), as the parameters declare; empty values left out."""
    query = {"target_accuracy": "0.9", "data_max": "100000", "cost_per_datapoint": "0.5", "class_counts": "500,400,300",
             "architectures": "ResNet-50,VGG-16", "pilot_points": "1000:0.4,2000:0.3,4000:0.22", "gpu": "", "top": "2"}
    for path in ("/estimate.json", "/estimate.csv", "/report.md", "/report.html"):
        assert client.get(path, params=query).status_code == 200, path


POINT_PATTERN = query_parameters()[FIELDS.index("pilot_points")]["schema"]["items"]["pattern"]


@given(st.lists(st.tuples(st.floats(1, 1e12), st.floats(1e-12, 1, exclude_max=True)), min_size=1, max_size=5))
def test_links_write_pilot_points_as_declared(points):
    """Every pilot point a link writes matches the pattern /openapi.json declares for one."""
    text = parse_qs(encode_query({"pilot_points": points}))["pilot_points"][0]
    assert all(re.match(POINT_PATTERN, point) for point in text.split(","))


# ----- /api/charts: every number finite and in range ------------------------------------
def numbers(value, key=""):
    """(key, number) for every number in a JSON document; the key of a list item is its list's."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from numbers(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item, key)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield key, value


def assert_in_range(document: dict) -> None:
    for key, number in numbers(document):
        assert math.isfinite(number), (key, number)
        if key.endswith("accuracy"):
            assert 0.0 <= number <= 1.0, (key, number)
        elif key == "error":
            assert 0.0 < number <= 1.0, (key, number)
        else:
            assert number >= 0.0, (key, number)  # costs, sizes, counts


@pytest.mark.parametrize("scenario", [
    {"classes": 100_000, "baseline_classes": 2, "data_max": 1},  # eq. (1) far above 1 everywhere
    {"classes": 100_000, "baseline_classes": 2, "data_max": 1e5, "task": "segmentation", "pretrained": False},
    {"classes": 2, "baseline_classes": 100_000, "data_max": 1e12, "target_accuracy": 0.999999},
    {"class_counts": [1, 1e-300], "data_max": 1e12},  # a near-degenerate class balance
    {"classes": 10, "data_max": 10, "pilot_points": [[1, 0.9], [2, 0.5], [3, 0.1]]},
])
def test_chart_series_stay_in_range_at_the_extremes(client, scenario):
    answer = client.post("/api/charts", json={"target_accuracy": 0.9, "cost_per_datapoint": 1, **scenario})
    assert answer.status_code == 200, answer.text
    assert_in_range(answer.json())


def test_a_hopeless_scenario_charts_accuracy_zero(client):
    """classes = 100000 against a 2-class baseline: eq. (1) gives errors of 10^9; the chart shows accuracy 0, not -10^9."""
    series = client.post("/api/charts", json={"target_accuracy": 0.9, "cost_per_datapoint": 1, "classes": 100_000,
                                              "baseline_classes": 2, "data_max": 1}).json()
    curve = series["learning_curve"]
    assert curve["accuracy"][0] == 0.0 and all(0.0 <= value <= 1.0 for value in curve["accuracy"])
    assert series["cost_vs_accuracy"]["data_limit_accuracy"] == 0.0


chart_scenarios = st.fixed_dictionaries({
    "target_accuracy": st.floats(1e-6, 1 - 1e-6),
    "data_max": st.floats(1, 1e12),
    "cost_per_datapoint": st.floats(0, 1e6),
    "classes": st.integers(2, 100_000),
    "baseline_classes": st.integers(2, 100_000),
    "task": st.sampled_from(["classification", "segmentation"]),
    "pretrained": st.booleans(),
    "epochs": st.floats(1e-3, 1e5),
}, optional={"pilot_points": st.lists(st.floats(1e-12, 0.999), min_size=1, max_size=4).map(
    lambda errors: [[10 ** (2 + index), error] for index, error in enumerate(errors)])})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=chart_scenarios)
def test_every_chart_number_is_finite_and_in_range(client, scenario):
    answer = client.post("/api/charts", json=scenario)
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 200:
        assert_in_range(answer.json())
