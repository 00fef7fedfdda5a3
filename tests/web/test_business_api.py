"""The business endpoints: the same documents as `dlcost business ... --json`, and 422 naming the field."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dlcost.cli import main
from dlcost.iotools.scenario_file import read_case_file
from dlcost.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def client():
    return TestClient(create_app(), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize("command", ["unit-cost", "case"])
def test_api_is_the_cli_document(client, capsys, command):
    path = EXAMPLES / "business-supermarket.toml"
    response = client.post(f"/api/business/{command}", json=read_case_file(path))
    assert response.status_code == 200, response.text
    assert main(["business", command, str(path), "--json"]) == 0
    assert response.json() == json.loads(capsys.readouterr().out)


def test_examples_are_served_and_valid(client):
    examples = client.get("/api/business/examples").json()
    assert set(examples) == {"business-supermarket", "business-mammography"}
    for case in examples.values():
        assert client.post("/api/business/unit-cost", json=case).status_code == 200


@pytest.mark.parametrize("change, field", [
    ({"discount_rate": -1}, "discount_rate"), ({"horizon_years": 0}, "horizon_years"), ({"prediction_units": -1}, "prediction_units"),
    ({"benefit": {"kind": "newsvendor", "mean_demand": 5, "forecast_error_sd_current": 2, "forecast_error_sd_model": 1,
                  "unit_price": 3, "unit_cost": 2, "salvage_value": 2.5}}, "benefit"),
    ({"budget_usd": -5}, "budget_usd"),
])
def test_bad_case_is_422_naming_the_field(client, change, field):
    case = {**read_case_file(EXAMPLES / "business-supermarket.toml"), **change}
    response = client.post("/api/business/case", json=case)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == field
    if field == "benefit":  # a benefit's own field is named in the message
        assert "salvage_value must be below unit_cost" in response.json()["detail"][0]["msg"]


def test_a_budget_below_the_cheapest_build_is_422(client):
    case = read_case_file(EXAMPLES / "business-mammography.toml")
    response = client.post("/api/business/budget?budget=1000", json=case)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "budget"
