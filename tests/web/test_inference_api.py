"""POST /api/inference: the document `dlcost inference --json` prints, and 422 naming the field."""

import json

import pytest
from fastapi.testclient import TestClient

from dlcost.cli import main
from dlcost.web.app import create_app


@pytest.fixture
def client():
    return TestClient(create_app(), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")


def test_api_inference_is_the_cli_document(client, capsys):
    body = {"architecture": "ResNet-50", "hardware": "L4", "batch_size": 8, "precision": "int8"}
    response = client.post("/api/inference", json=body)
    assert response.status_code == 200, response.text
    assert main(["inference", "ResNet-50", "--hardware", "L4", "--batch-size", "8", "--precision", "int8", "--json"]) == 0
    assert response.json() == json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("body, field", [
    ({"architecture": "ResNet-50", "hardware": "L4", "batch_size": 0}, "batch_size"),
    ({"architecture": "ResNet-50", "hardware": "L4", "stack": "fast"}, "stack"),
    ({"architecture": "ResNet-50", "hardware": "V100", "precision": "int8"}, "precision"),
    ({"architecture": "ResNet-50", "hardware": "V100", "precision": "tf32"}, "precision"),
    ({"architecture": "ResNet-50", "hardware": "nope"}, "hardware"),
    ({"architecture": "ResNet-50", "hardware": "L4", "pruning": 1.0}, "pruning"),
    ({"architecture": "ResNet-50", "hardware": "L4", "quantization_speedup": 0.5}, "quantization_speedup"),
])
def test_api_inference_bad_input_is_422_naming_the_field(client, body, field):
    response = client.post("/api/inference", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["field"] == field
