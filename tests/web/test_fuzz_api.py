"""Fuzzing the JSON API from its declared bounds (issue 11): every answer is a 200 or a 422 naming a field.

Bodies start from a valid one and replace some inputs with values drawn from what
``/openapi.json`` declares for them: inside the range (half the time), at and beyond
its ends, and the nonsense of issue 11 (booleans for numbers, integers of hundreds of
digits, "NaN" and "Infinity" text, empty names, nested lists, unknown keys). No answer
may be a server error, and a 200 carries finite numbers only.
"""

import json
import math

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from dlcost.catalog.hardware import load_hardware
from dlcost.schemas import ErrorQuery, LearningCurveQuery, Scenario
from dlcost.web.app import create_app

CLIENT = TestClient(create_app(hardware=load_hardware()), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")
VALID = {
    "/api/estimate": (Scenario, {"target_accuracy": 0.9, "data_max": 200_000, "cost_per_datapoint": 0.63, "classes": 2}),
    "/api/predict-error": (ErrorQuery, {"data": 3000, "relative_complexity": 0.4}),
    "/api/learning-curve": (LearningCurveQuery, {"points": [[1000, 0.25], [2000, 0.19]], "target_accuracy": 0.8}),
}
NONSENSE = st.sampled_from([True, False, None, "NaN", "nan", "Infinity", "-Infinity", "1e400", "", " ", "abc", "96.5%",
                            [], {}, [[[[1]]]], {"a": {"b": 1}}, 0, -1, 1e308, -1e308, 5e-324])
HUGE = st.integers(300, 700).map(lambda digits: 10**digits) | st.integers(300, 700).map(lambda digits: -(10**digits))


def branches(model, field) -> list[dict]:
    schema = model.model_json_schema()["properties"][field]
    return schema.get("anyOf", [schema])


def inside(branch: dict):
    """Numbers across a declared range, its ends included."""
    low = branch.get("minimum", branch.get("exclusiveMinimum", -1e12))
    high = branch.get("maximum", branch.get("exclusiveMaximum", 1e12))
    return st.integers(low, high) if branch["type"] == "integer" else st.floats(low, high)


def around(branch: dict):
    """Numbers inside a declared range, at its ends and beyond them."""
    low = branch.get("minimum", branch.get("exclusiveMinimum", -1e12))
    high = branch.get("maximum", branch.get("exclusiveMaximum", 1e12))
    return inside(branch) | st.floats(high, 1e308) | st.floats(-1e308, low) | st.sampled_from([low - 1, high + 1])


def values_for(model, field):
    """Anything a client could send for ``field``: declared values (half the time), near misses and nonsense."""
    numbers = [inside(b) for b in branches(model, field) if b.get("type") in ("number", "integer") and "enum" not in b]
    options = [NONSENSE, HUGE]
    for branch in branches(model, field):
        kind = branch.get("type")
        items = branch.get("items", {})
        if "enum" in branch or "const" in branch:
            options.append(st.sampled_from(branch.get("enum", [branch.get("const")])))
        elif kind in ("number", "integer"):
            options.append(around(branch))
        elif kind == "string":
            options.append(st.text(max_size=12))
        elif kind == "array" and items.get("type") in ("number", "integer"):
            options.append(st.lists(around(items) | NONSENSE | HUGE, max_size=5))
        elif kind == "array" and items.get("type") == "string":
            options.append(st.lists(st.text(max_size=12) | NONSENSE, max_size=3))
        elif kind == "array":  # pilot points: pairs or objects
            pair = st.lists(st.floats(-10, 1e13) | NONSENSE | HUGE, max_size=3)
            point = pair | st.fixed_dictionaries({"n_train": st.floats(-10, 1e13) | NONSENSE, "error": st.floats(-1, 2) | NONSENSE})
            options.append(st.lists(point, max_size=3))
        elif kind == "object":
            options.append(st.dictionaries(st.text(max_size=4), around(branch["additionalProperties"]) | NONSENSE, max_size=4))
    return st.one_of(numbers[0], st.one_of(options)) if numbers else st.one_of(options)


@st.composite
def bodies(draw, path):
    model, valid = VALID[path]
    body = dict(valid)
    for field in draw(st.lists(st.sampled_from(sorted(model.model_fields)), max_size=4, unique=True)):
        body[field] = draw(values_for(model, field))
    if draw(st.integers(0, 9)) == 7:
        body[draw(st.text(min_size=1, max_size=8))] = 1  # an unknown key
    return body


def no_constants(name):
    raise AssertionError(f"the answer holds {name}, which is not JSON")


def finite_numbers(document) -> bool:
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return False
    return True


def check_answer(path: str, body: dict) -> None:
    response = CLIENT.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
    note(f"{response.status_code} {response.text[:500]}")
    assert response.status_code in (200, 422), response.text
    document = json.loads(response.text, parse_constant=no_constants)
    if response.status_code == 200:
        event("200")
        assert finite_numbers(document)
        return
    known = set(VALID[path][0].model_fields) | set(body) | {"body"}
    assert document["detail"], document
    for problem in document["detail"]:
        assert problem["field"] in known and problem["msg"], problem
        event(f"422: {problem['field']}")


@pytest.mark.parametrize("path, examples", [("/api/estimate", 200), ("/api/predict-error", 200), ("/api/learning-curve", 60)])
def test_every_answer_is_a_200_or_a_422_naming_a_field(path, examples):
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bodies(path))
    def fuzz(body):
        check_answer(path, body)

    fuzz()
