"""``DELETE /api/observations``, in-process (TestClient), on SQLite and on a real PostgreSQL server.

The query takes the filters of ``GET /api/observations``, ``id`` (repeatable) or ``all=true``,
and ``expected_count``: the number that match, else 422 (missing) or 409 (different) with the
count, and nothing deleted. Bad input answers 422 naming the field. The estimate's interval
calibration follows the observations that remain.
"""

import importlib.util
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dlcost.catalog.hardware import load_hardware
from dlcost.store import Store
from dlcost.web.app import create_app

# The store tests' fixture: a fresh database on each backend (sqlite, postgresql).
_spec = importlib.util.spec_from_file_location("dlcost_store_conftest", Path(__file__).parents[1] / "store" / "conftest.py")
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)
store_url = _store_conftest.store_url

BASE = "http://127.0.0.1:8000"
# Figure 2 of seed 000 (Thompson et al., AAAI 2024).
FIGURE_2 = {"target_accuracy": "96.5%", "data_max": 200_000, "cost_per_datapoint": 0.63,
            "class_counts": {"Positive": 50_000, "Negative": 1_000}, "cost_mode": "paper"}
BOLTS = {"dataset": "Bolts", "task": "classification", "n_train": 1000, "n_classes": 10, "pretrained": True, "metric_value": 0.9}
SHIPPED = "shipped: seed 000 Table 2 (6) + VTAB ResNet-50 results (36)"
#: The calibration on a store of ``n`` observations holding the 38 detection rows of examples=true (eq. (1) leaves them out).
IN_STORE = "the store's {} observations; 38 detection observations left out: eq. (1) has no detection term"


def _client(store_url, **options):
    store = Store(store_url)
    app = create_app(hardware=load_hardware(), store=store, **options)
    return TestClient(app, raise_server_exceptions=False, base_url=BASE), store


@pytest.fixture
def client(store_url):
    """The app on loopback without a token, on a store of the 657 shipped observations and one of "Bolts"."""
    test_client, store = _client(store_url)
    try:
        assert test_client.post("/api/observations/import?examples=true", headers={"content-type": "text/csv"}).status_code == 200
        assert test_client.post("/api/observations", json=BOLTS).status_code == 200
        yield test_client
    finally:
        store.close()


def ids(client, **filters) -> list[int]:
    return [o["id"] for o in client.get("/api/observations", params=filters).json()["observations"]]


def calibration(client) -> str:
    response = client.post("/api/estimate", json=FIGURE_2)
    assert response.status_code == 200, response.text
    return response.json()["interval"]["calibration"]


def problem(response, status=422) -> dict:
    assert response.status_code == status, response.text
    (found,) = response.json()["detail"]
    assert {"loc", "field", "msg", "type"} <= found.keys()
    return found


def test_delete_by_id_confirmed_by_its_count(client):
    stored = ids(client)
    bolts = stored[-1]
    assert calibration(client) == IN_STORE.format(658)

    missing = problem(client.delete("/api/observations", params={"id": bolts}))
    assert (missing["field"], missing["loc"], missing["count"]) == ("expected_count", ["query", "expected_count"], 1)
    assert "expected_count=1" in missing["msg"]
    differs = problem(client.delete("/api/observations", params={"id": bolts, "expected_count": 2}), 409)
    assert (differs["field"], differs["count"], differs["type"]) == ("expected_count", 1, "count_differs")
    assert differs["msg"] == "expected_count must be the number of observations that match, 1; got 2. Nothing was deleted."
    assert ids(client) == stored

    deleted = client.delete("/api/observations", params={"id": bolts, "expected_count": 1})
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"deleted": 1, "ids": [bolts]}
    assert ids(client) == stored[:-1]
    assert calibration(client) == IN_STORE.format(657)  # the saved calibration was invalidated

    pair = [("id", stored[0]), ("id", stored[1]), ("expected_count", 2)]
    assert client.delete("/api/observations", params=pair).json() == {"deleted": 2, "ids": stored[:2]}
    assert calibration(client) == IN_STORE.format(655)


def test_delete_by_the_filters_of_the_listing(client):
    filters = {"pretrained": "no", "n_train": "1000"}
    scratch = ids(client, **filters)
    assert len(scratch) == 11  # the VTAB-1k rows trained from scratch
    assert problem(client.delete("/api/observations", params=filters))["count"] == 11
    assert problem(client.delete("/api/observations", params={**filters, "expected_count": 36}), 409)["count"] == 11
    deleted = client.delete("/api/observations", params={**filters, "expected_count": 11})
    assert deleted.json() == {"deleted": 11, "ids": None}
    assert ids(client, **filters) == [] and len(ids(client)) == 647
    assert calibration(client) == IN_STORE.format(647)

    # ids and filters together: every id must match the filters, else nothing goes
    bolts = ids(client, dataset="Bolts")
    found = problem(client.delete("/api/observations", params={"id": bolts, "dataset": "Caltech101", "expected_count": 1}))
    assert found["field"] == "id" and found["msg"] == (
        f"id must name a stored observation matching the filters; got {bolts[0]}. Nothing was deleted.")
    assert client.delete("/api/observations", params={"id": bolts, "dataset": "Bolts", "expected_count": 1}).json()["deleted"] == 1

    assert client.delete("/api/observations", params={"all": "true", "expected_count": 646}).json() == {"deleted": 646, "ids": None}
    assert ids(client) == []
    assert calibration(client) == SHIPPED  # no observations left: the shipped calibration


BAD_DELETES = {
    "nothing selected": ({"expected_count": 37}, "id", "choose all of them"),
    "empty filter ignored": ({"dataset": "", "expected_count": 37}, "id", "choose all of them"),
    "unknown id": ({"id": [1, 999_999], "expected_count": 2}, "id", "got 999999. Nothing was deleted."),
    "huge id": ({"id": "9" * 400, "expected_count": 1}, "id", "an integer of 400 digits"),
    "id not a number": ({"id": "seven", "expected_count": 1}, "id", "whole number"),
    "all with a filter": ({"all": "true", "dataset": "Bolts", "expected_count": 1}, "all", "without ids or filters"),
    "all not a flag": ({"all": "maybe", "expected_count": 37}, "all", "true or false"),
    "negative count": ({"id": 1, "expected_count": -1}, "expected_count", "greater than or equal to 0"),
    "unknown filter": ({"colour": "red", "expected_count": 1}, "colour", "filter field must be one of"),
    "bad yes/no": ({"pretrained": "maybe", "expected_count": 1}, "pretrained", "yes or no"),
    "filter not a number": ({"n_train": "many", "expected_count": 1}, "n_train", "must be a number"),
    "filter twice": ([("dataset", "a"), ("dataset", "b"), ("expected_count", 1)], "dataset", "given twice"),
    "NUL in a filter": ({"dataset": "a\x00", "expected_count": 1}, "dataset", "NUL"),
}


@pytest.mark.parametrize("params, field, words", BAD_DELETES.values(), ids=BAD_DELETES.keys())
def test_bad_deletes_name_the_field_and_delete_nothing(client, params, field, words):
    stored = ids(client)
    found = problem(client.delete("/api/observations", params=params))
    assert found["field"] == field and words in found["msg"], found
    assert ids(client) == stored


def test_delete_needs_the_token_off_loopback_and_its_own_origin(store_url):
    shared, store = _client(store_url, host="0.0.0.0", write_token="s3cret")
    try:
        assert shared.post("/api/observations", json=BOLTS, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        query = {"dataset": "Bolts", "expected_count": 1}
        refused = problem(shared.delete("/api/observations", params=query), 401)
        assert refused["field"] == "authorization"
        token = {"Authorization": "Bearer s3cret"}
        assert problem(shared.delete("/api/observations", params=query, headers={**token, "Origin": "http://evil.example"}),
                       403)["field"] == "origin"
        assert len(ids(shared)) == 1
        assert shared.delete("/api/observations", params=query, headers=token).json() == {"deleted": 1, "ids": None}
    finally:
        store.close()


def test_openapi_documents_the_delete(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/observations"]["delete"]
    assert {"200", "401", "403", "409", "422", "503"} <= operation["responses"].keys()
    assert "expected_count" in operation["responses"]["409"]["description"]
    assert {p["name"] for p in operation["parameters"]} >= {"id", "all", "expected_count"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert answer == "DeletedObservations"


def test_the_page_shows_how_to_delete(client):
    page = client.get("/observations")
    assert page.status_code == 200
    assert 'id="delete-hint"' in page.text and "dlcost observation delete ID" in page.text
