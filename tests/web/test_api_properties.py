"""Property: for any valid scenario, POST /api/estimate answers the library's document.

The app and the library share one hardware catalog (the shipped one), so a
developer's config cannot make them differ. A scenario the library rejects (e.g.
``cost_mode`` measured on a GPU with no measurement) must be a 422 with the
library's message.
"""

import json
import math

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

import dlcost
from dlcost.catalog.hardware import load_hardware
from dlcost.web.app import create_app

HARDWARE = load_hardware()
CLIENT = TestClient(create_app(hardware=HARDWARE), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")
GPUS = ["H100", "A100-80GB", "L4", "T4", "RTX3090", "V100"]


@st.composite
def scenarios(draw) -> dict:
    counts_kind = draw(st.sampled_from(["classes", "list", "labels"]))
    body: dict = {}
    if counts_kind == "classes":
        body["classes"] = draw(st.integers(2, 20_000))
        floor = 1.0
    else:
        counts = draw(st.lists(st.floats(1, 100_000, allow_nan=False), min_size=2, max_size=30))
        body["class_counts"] = counts if counts_kind == "list" else {f"class {i}": n for i, n in enumerate(counts)}
        floor = sum(counts)
    body["data_max"] = draw(st.floats(max(floor, 1_000), 5e7, allow_nan=False))
    if counts_kind == "classes" or draw(st.booleans()):  # else data_present defaults to the counts' sum
        body["data_present"] = draw(st.floats(0, 1, allow_nan=False)) * body["data_max"]
    body["target_accuracy"] = draw(st.floats(0.5, 0.999, exclude_min=True, exclude_max=True))
    if draw(st.booleans()):
        body["target_accuracy"] = f"{body['target_accuracy'] * 100!r}%"
    body["cost_per_datapoint"] = draw(st.floats(0.001, 100, allow_nan=False))
    body["task"] = draw(st.sampled_from(["classification", "segmentation"]))
    body["pretrained"] = draw(st.booleans())
    body["epochs"] = draw(st.floats(1, 300, allow_nan=False))
    body["top"] = draw(st.integers(1, 6))
    cost_mode = draw(st.sampled_from([None, "paper", "flops", "measured"]))
    if cost_mode is not None:
        body["cost_mode"] = cost_mode
    body["gpu"] = draw(st.sampled_from(GPUS))
    body["precision"] = draw(st.sampled_from(["bf16", "fp16", "tf32", "fp32"]))
    # 0 = no loader bound; tiny positive values are test_api.py's (they overflowed to inf).
    loader_cores = draw(st.none() | st.just(0.0) | st.floats(0.25, 64))
    if loader_cores is not None:
        body["loader_cores"] = loader_cores
    return body


def non_finite(document, path="$") -> list[str]:
    """Paths of inf/nan numbers: JSON has none, so the API would answer null for them."""
    if isinstance(document, float):
        return [] if math.isfinite(document) else [f"{path} = {document!r}"]
    if isinstance(document, dict):
        return [p for key, value in document.items() for p in non_finite(value, f"{path}.{key}")]
    if isinstance(document, list):
        return [p for index, value in enumerate(document) for p in non_finite(value, f"{path}[{index}]")]
    return []


def assert_same(api, library, path="$"):
    """Equal JSON documents; floats equal or within 1e-12 relative (serialization only)."""
    if isinstance(library, float) and isinstance(api, (int, float)):
        assert api == library or math.isclose(api, library, rel_tol=1e-12), f"{path}: {api!r} != {library!r}"
    elif isinstance(library, dict):
        assert isinstance(api, dict) and api.keys() == library.keys(), path
        for key in library:
            assert_same(api[key], library[key], f"{path}.{key}")
    elif isinstance(library, list):
        assert isinstance(api, list) and len(api) == len(library), path
        for index, (a, b) in enumerate(zip(api, library)):
            assert_same(a, b, f"{path}[{index}]")
    else:
        assert api == library, f"{path}: {api!r} != {library!r}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=scenarios())
def test_api_estimate_is_the_library_estimate(body):
    note(f"body = {body!r}")
    scenario = dlcost.Scenario(**body)  # the strategy draws valid scenarios only
    response = CLIENT.post("/api/estimate", json=body)
    try:
        expected = dlcost.estimate(scenario, hardware=HARDWARE).to_dict()
    except ValueError as error:  # a valid input the library still rejects: the API says the same
        event("library rejects the scenario")
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["msg"] == str(error)
        return
    event(f"estimate, cost mode {expected['cost_mode']}")
    assert response.status_code == 200, response.text
    assert not non_finite(expected), f"valid inputs, non-finite outputs: {non_finite(expected)[:4]}"
    assert_same(response.json(), json.loads(json.dumps(expected)))
