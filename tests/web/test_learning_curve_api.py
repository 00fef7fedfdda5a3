"""POST /api/learning-curve: the same document as `dlcost learning-curve fit --json`."""

from fastapi.testclient import TestClient

from dlcost.catalog.hardware import load_hardware
from dlcost.engine.pilot import fit_pilot
from dlcost.schemas import LearningCurveQuery
from dlcost.web.app import create_app

client = TestClient(create_app(hardware=load_hardware()), base_url="http://127.0.0.1:8000")
PILOT = {"points": [[144, 0.0752], [288, 0.0418], [575, 0.0223]], "target_accuracy": 0.98, "classes": 10}


def test_matches_the_library():
    response = client.post("/api/learning-curve", json=PILOT)
    assert response.status_code == 200
    assert response.json() == fit_pilot(LearningCurveQuery.model_validate(PILOT)).to_dict()
    for key in ("data_needed", "data_needed_low", "data_needed_high", "next_round_size", "family", "parameters"):
        assert key in response.json()


def test_bad_points_name_the_field():
    response = client.post("/api/learning-curve", json={**PILOT, "points": [[288, 0.04], [144, 0.07]]})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "points"


def test_target_below_the_floor_is_422_with_the_floor():
    points = [[1000, 0.20], [2000, 0.12], [4000, 0.08], [8000, 0.062], [16000, 0.055], [32000, 0.052]]
    response = client.post("/api/learning-curve", json={"points": points, "target_accuracy": 0.99, "classes": 10})
    problem = response.json()["detail"][0]
    assert response.status_code == 422 and problem["field"] == "target_accuracy" and "levels off at error" in problem["msg"]
