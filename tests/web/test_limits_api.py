"""The long-view endpoints (issue 14): the same documents as `dlcost limits ... --json`, and 422 naming the field."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dlcost.catalog import limits as data
from dlcost.cli import main
from dlcost.iotools.limits_csv import parse_limits_csv
from dlcost.iotools.scenario_file import read_scenario_file
from dlcost.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def client():
    return TestClient(create_app(), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")


def _cli(capsys, argv) -> dict:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_table_is_the_cli_document(client, capsys):
    response = client.get("/api/limits/table")
    assert response.status_code == 200
    assert response.json() == _cli(capsys, ["limits", "table"])


@pytest.mark.parametrize("body", [
    {"benchmark": "imagenet", "target_error": 0.05},
    {"benchmark": "ms-coco", "target_error": 0.1, "form": "exponential", "conversion": "today", "gpu": "A100-80GB", "country": "FRA"},
    {"benchmark": "squad-1.1", "target_error": 0.02, "coefficients": "table", "conversion": "today", "region": "gcp:europe-west1"},
])
def test_project_is_the_cli_document(client, capsys, body):
    response = client.post("/api/limits/project", json=body)
    assert response.status_code == 200, response.text
    argv = ["limits", "project"] + [part for key, value in body.items() for part in (f"--{key.replace('_', '-')}", str(value))]
    assert response.json() == _cli(capsys, argv)


def test_curve_is_the_cli_document(client, capsys):
    body = {"scenario": read_scenario_file(EXAMPLES / "figure2.toml"), "halvings": 3, "budget_usd": 1e6}
    response = client.post("/api/limits/curve", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == _cli(capsys, ["limits", "curve", "--scenario", str(EXAMPLES / "figure2.toml"), "--halvings", "3",
                                            "--budget", "1e6"])


def test_fit_is_the_cli_document_of_the_same_columns(client, capsys, tmp_path):
    text = data.example_csv("timm_imagenet.csv")
    columns = parse_limits_csv(text, compute_col="gflops_per_pass", error_col="top1_error")
    response = client.post("/api/limits/fit", json={"compute": columns["compute"], "error": columns["error"]})
    assert response.status_code == 200, response.text
    path = tmp_path / "timm.csv"
    path.write_text(text)
    assert response.json() == _cli(capsys, ["limits", "fit", str(path), "--error-col", "top1_error", "--compute-col", "gflops_per_pass"])
    example = client.get("/api/limits/examples/timm_imagenet.csv")
    assert example.status_code == 200
    described = example.json()
    assert described.pop("example") == "timm_imagenet.csv" and described.pop("columns")["error_col"] == "top1_error"
    assert described == response.json()


@pytest.mark.parametrize("path, body, field", [
    ("/api/limits/project", {"benchmark": "cifar", "target_error": 0.1}, "benchmark"),
    ("/api/limits/project", {"benchmark": "imagenet", "target_error": 1.0}, "target_error"),
    ("/api/limits/project", {"benchmark": "conll-2003", "target_error": 1e-4, "form": "exponential"}, "target_error"),
    ("/api/limits/project", {"benchmark": "imagenet", "target_error": 0.1, "conversion": "today", "gpu": "nope"}, "gpu"),
    ("/api/limits/project", {"benchmark": "imagenet", "target_error": 0.1, "pue": 0.2}, "pue"),
    ("/api/limits/curve", {"scenario": {"target_accuracy": 0.9}, "halvings": 2}, "data_max"),
    ("/api/limits/curve", {"scenario": read_scenario_file(EXAMPLES / "figure2.toml"), "halvings": 99}, "halvings"),
    ("/api/limits/simulate", {"reps": 5000}, "reps"),
    ("/api/limits/simulate", {"reps": 0}, "reps"),
    ("/api/limits/simulate", {"seed": -1}, "seed"),
    ("/api/limits/fit", {"compute": [1, 2, 3], "error": [0.1, 0.2, 1.5]}, "error"),
    ("/api/limits/fit", {"compute": [1, 2], "error": [0.2, 0.1]}, "compute"),
    ("/api/limits/fit", {"compute": [1, 2, 3]}, "error"),
])
def test_bad_input_is_422_naming_the_field(client, path, body, field):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert field in (problem["field"], *map(str, problem["loc"])), problem


def test_an_unknown_example_is_422(client):
    response = client.get("/api/limits/examples/secret.csv")
    assert response.status_code == 422


def test_the_outlook_page_embeds_the_linked_scenario(client):
    page = client.get("/outlook?target_accuracy=0.9&data_max=5000&cost_per_datapoint=1&classes=10")
    assert page.status_code == 200
    assert '"target_accuracy": "0.9"' in page.text and "estimator link you came from" in page.text
    default = client.get("/outlook")
    assert "Figure 2 example" in default.text and '"target_accuracy": 0.965' in default.text


def test_simulate_is_the_cli_document(client, capsys):
    response = client.post("/api/limits/simulate", json={"reps": 4, "seed": 7})
    assert response.status_code == 200, response.text
    assert response.json() == _cli(capsys, ["limits", "simulate", "--reps", "4", "--seed", "7"])


def test_the_outlook_page_says_which_scenario_it_holds(client):
    unrelated = client.get("/outlook?foo=1")
    assert "Figure 2 example" in unrelated.text and "link you came from" not in unrelated.text
    broken = client.get("/outlook?pilot_points=garbage&target_accuracy=0.9&data_max=5&cost_per_datapoint=1&classes=3")
    assert "link you came from" in broken.text and '"pilot_points": "garbage"' in broken.text
    # and pricing that scenario names the bad field
    response = client.post("/api/limits/curve", json={"scenario": {"pilot_points": "garbage", "target_accuracy": "0.9",
                                                                   "data_max": "5", "cost_per_datapoint": "1", "classes": "3"}})
    assert response.status_code == 422 and "pilot_points" in json.dumps(response.json()["detail"][0])
