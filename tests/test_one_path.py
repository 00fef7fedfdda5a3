"""One engine, one path (issue 9): the library, the CLI and the web give the same answer.

Bugs A-D were each reproduced on the parallel code paths before the redesign; each has a
test here that failed then. The parity test runs a set of scenarios through every path
that answers an estimate and checks they give the same document.
"""

import json
import math
from urllib.parse import parse_qsl

import pytest
from fastapi.testclient import TestClient

import dlcost
from dlcost.catalog.hardware import load_hardware
from dlcost.cli import main
from dlcost.schemas import LearningCurveQuery, Scenario
from dlcost.store import Store
from dlcost.web.app import create_app

PILOT = [[144, 0.0752], [288, 0.0418], [575, 0.0223]]
BASE = {"target_accuracy": 0.9, "data_max": 100_000, "cost_per_datapoint": 0.5, "classes": 10, "cost_mode": "flops"}

#: How a calibration names the detection rows it leaves out (eq. (1) has no detection term).
DETECTION = "; {} detection observations left out: eq. (1) has no detection term"


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    """An empty SQLite store that the CLI (DLCOST_DATABASE_URL) and the web app both use."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    monkeypatch.setenv("DLCOST_DATABASE_URL", url)
    Store(url).close()
    return url


@pytest.fixture
def client(store_url):
    app = create_app()
    with TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client
    app.state.workspace.close()


def cli_json(capsys, *args) -> dict:
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    return json.loads(out)


def write_toml(path, values: dict):
    lines = []
    for key, value in values.items():
        if isinstance(value, dict):
            lines.append(f"{key} = {{ " + ", ".join(f'"{k}" = {v!r}' for k, v in value.items()) + " }")
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----- bug A: the pilot's eq. (1) prior ignored a custom baseline -------------------------------
def test_pilot_prior_uses_the_scenarios_baseline():
    """classes 10 over a 100-class baseline: RC = ln 10 / ln 100 = 0.5, for the estimate and its pilot.

    Before: the estimate used RC 0.5 but the pilot's prior RC 0.333 (ImageNet-1000), so one
    pilot point sized the data as if the task were easier.
    """
    scenario = Scenario(**BASE, baseline_classes=100, pilot_points=[[1000, 0.2]])
    result = dlcost.estimate(scenario)
    assert result.relative_complexity == pytest.approx(0.5)
    # the same classes over the same baseline (dlcost-2026's chance error needs the classes, not RC alone)
    alone = dlcost.fit_pilot(LearningCurveQuery(points=[[1000, 0.2]], target_accuracy=0.9, classes=10, baseline_classes=100,
                                                data_max=100_000))
    assert result.data_needed == pytest.approx(alone.data_needed, rel=1e-12)
    assert result.pilot["data_needed"] == pytest.approx(alone.data_needed, rel=1e-12)
    imagenet = dlcost.fit_pilot(LearningCurveQuery(points=[[1000, 0.2]], target_accuracy=0.9, classes=10, data_max=100_000))
    assert not math.isclose(imagenet.data_needed, alone.data_needed, rel_tol=1e-3)  # the baseline matters


# ----- bug B: a scenario saved over HTTP had the shipped calibration ------------------------------
def test_saved_scenario_has_the_ranges_the_page_showed(client, capsys):
    cli_json(capsys, "observation", "import", "--examples", "--json")
    assert main(["model", "use", "paper-2024"]) == 0  # an eq. (1) model: the store's observations calibrate it
    client.post("/api/observations", json={"dataset": "parts", "task": "classification", "n_train": 4000,
                                           "n_classes": 5, "pretrained": True, "metric_value": 0.97})
    shown = client.post("/api/estimate", json=BASE).json()
    saved = client.post("/api/scenarios", json={"name": "b", "scenario": BASE}).json()["result"]
    assert shown["interval"]["calibration"] == "the store's 658 observations" + DETECTION.format(38)
    assert saved["interval"] == shown["interval"]
    assert saved == shown


# ----- bug C: a saved scenario with pilot points linked to a page that could not load it --------
def test_saved_pilot_scenario_links_to_a_loadable_page(client):
    body = {**BASE, "pilot_points": PILOT, "baseline_classes": 100}
    assert client.post("/api/scenarios", json={"name": "c", "scenario": body}).status_code == 200
    page = client.get("/scenarios/c").text
    link = page.split('href="/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert dict(parse_qsl(link))["pilot_points"] == "144:0.0752,288:0.0418,575:0.0223"
    answer = client.get("/estimate.json?" + link)
    assert answer.status_code == 200, answer.text
    assert answer.json() == client.get("/api/scenarios/c").json()["result"]


# ----- bug D: the CLI's pilot fit ignored the active model -----------------------------------------
def test_learning_curve_fit_uses_the_active_model(client, capsys):
    cli_json(capsys, "observation", "import", "--examples", "--json")
    cli_json(capsys, "model", "fit", "ours", "--with-paper-cases", "--json")
    capsys.readouterr()
    assert main(["model", "use", "ours"]) == 0
    cli = cli_json(capsys, "learning-curve", "fit", "--point", "1000:0.2", "--target-accuracy", "0.9", "--classes", "10", "--json")
    web = client.post("/api/learning-curve", json={"points": [[1000, 0.2]], "target_accuracy": 0.9, "classes": 10}).json()
    assert cli["model"] == web["model"] == cli["prior"]["model"] == "ours"
    assert cli["prior"]["slope"] != pytest.approx(-0.123, abs=1e-3)  # not paper-2024's pretrained slope
    assert cli == web


# ----- parity: every path that answers an estimate gives the same document -----------------------
SCENARIOS = {
    "plain (Figure 2, paper mode)": {"target_accuracy": 0.965, "data_max": 200_000, "cost_per_datapoint": 0.63,
                                     "class_counts": {"Positive": 50_000, "Negative": 1_000}, "cost_mode": "paper"},
    "pilot": {**BASE, "pilot_points": PILOT, "collection_rounds": 2, "missed_target_penalty": 50_000},
    "custom baseline": {**BASE, "baseline_classes": 100, "gpu": "A100", "gpus": 8},
    "refit active": {**BASE, "task": "segmentation", "target_accuracy": 0.7},
    "store calibration": {**BASE, "interval_level": 0.9, "pretrained": False},
    "compute and serving (issue 12)": {**BASE, "cost_mode": "measured", "gpu": "A100-80GB", "precision": "tf32", "stack": "tuned",
                                       "decode": "gpu", "node_overhead_w": 150, "deploy_hardware": "L4", "deploy_precision": "int8",
                                       "deploy_batch_size": 8, "deploy_price_per_hour": 0.8, "pruning": 0.25,
                                       "quantization_speedup": 1.8},
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_path_gives_the_same_document(name, client, capsys, tmp_path, store_url):
    values = SCENARIOS[name]
    if name in {"refit active", "store calibration"}:
        cli_json(capsys, "observation", "import", "--examples", "--json")
    if name == "refit active":
        cli_json(capsys, "model", "fit", "ours", "--with-paper-cases", "--json")
        assert main(["model", "use", "ours"]) == 0
    if name == "store calibration":  # the store's observations calibrate eq. (1) models (dlcost-2026 carries its own spread)
        assert main(["model", "use", "paper-2024"]) == 0
    scenario = Scenario.model_validate(values)
    store = Store(store_url)
    try:
        library = dlcost.Workspace(load_hardware(), store=store).estimate(scenario).to_dict()
    finally:
        store.close()
    cli = cli_json(capsys, "estimate", "--scenario", write_toml(tmp_path / "s.toml", values), "--json")
    api = client.post("/api/estimate", json=values).json()
    saved_cli = cli_json(capsys, "estimate", "--scenario", tmp_path / "s.toml", "--save", "by-cli", "--json")
    shown_cli = cli_json(capsys, "scenario", "show", "by-cli", "--json")["result"]
    saved_api = client.post("/api/scenarios", json={"name": "by-api", "scenario": values}).json()["result"]
    page = client.get("/scenarios/by-api").text
    link = page.split('href="/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    shared = client.get("/estimate.json?" + link).json()
    expected_model = {"refit active": "ours", "store calibration": "paper-2024", "plain (Figure 2, paper mode)": "paper-2024"}.get(
        name, "dlcost-2026")
    assert library["model"] == expected_model
    if name == "store calibration":
        assert library["interval"]["calibration"] == "the store's 657 observations" + DETECTION.format(38)
    for other in (cli, api, saved_cli, shown_cli, saved_api, shared):
        assert other == library
    if name == "plain (Figure 2, paper mode)":
        assert dlcost.estimate(scenario).to_dict() == library  # no store: the library alone agrees


# ----- parity: a delete of observations is planned and done by one service function ----------------
def test_cli_and_api_deletes_select_the_same_observations(client, capsys, store_url):
    """`observation delete` and DELETE /api/observations both count with service.plan_deletion: the same filter
    selects the same rows, and what remains calibrates every path's interval alike."""
    from dlcost.service.observations import plan_deletion

    cli_json(capsys, "observation", "import", "--examples", "--json")
    assert main(["model", "use", "paper-2024"]) == 0  # an eq. (1) model: what remains calibrates it
    store = Store(store_url)
    try:
        planned = plan_deletion(store, filters={"pretrained": "no"})["count"]
    finally:
        store.close()
    capsys.readouterr()
    assert main(["observation", "delete", "--where", "pretrained=no", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith(f"{planned} observation(s) match: pretrained=no\n")
    answer = client.delete("/api/observations", params={"pretrained": "no", "expected_count": planned})
    assert answer.status_code == 200 and answer.json()["deleted"] == planned > 0
    remaining = cli_json(capsys, "observation", "list", "--json")["observations"]
    assert len(remaining) == 657 - planned and all(row["pretrained"] for row in remaining)
    detection = sum(row["task"] == "detection" for row in remaining)
    scenario = {**BASE, "interval_level": 0.9}
    api = client.post("/api/estimate", json=scenario).json()
    assert api["interval"]["calibration"] == f"the store's {657 - planned} observations" + DETECTION.format(detection)


@pytest.mark.parametrize("hardware", [
    {"gpu": "A100-80GB", "precision": "tf32", "region": "gcp:europe-west1"},
    {"gpu": "V100", "precision": "fp32", "country": "FRA", "price_per_hour": 2.5, "pue": 1.2, "power_w": 250},
])
def test_the_long_views_today_conversion_is_the_estimators_hardware(hardware, client, capsys):
    """Issue 14: `limits project --conversion today` takes the estimator's hardware fields and its one resolver."""
    from dlcost.engine.limits import today_conversion
    from dlcost.engine.training_compute import resolve_settings
    from dlcost.schemas.limits import HARDWARE_FIELDS, LimitsQuery

    query = LimitsQuery(benchmark="imagenet", target_error=0.05, conversion="today", **hardware)
    for name in HARDWARE_FIELDS:  # the same field definitions: bounds, descriptions
        assert LimitsQuery.model_json_schema()["properties"][name] == Scenario.model_json_schema()["properties"][name]
    estimate = Scenario.model_validate({**BASE, **hardware, "cost_mode": "measured"})
    settings = resolve_settings(estimate, load_hardware(), need_price=True)
    today = today_conversion(query, load_hardware())
    assert (today["price_per_gpu_hour_usd"], today["pue"], today["power_w"], today["grid_gco2_per_kwh"]) == (
        settings.price_per_gpu_hour_usd, settings.pue, settings.power_w, settings.grid_gco2_per_kwh)
    api = client.post("/api/limits/project", json=query.model_dump(exclude_none=True)).json()
    argv = [part for key, value in query.model_dump(exclude_none=True).items() for part in (f"--{key.replace('_', '-')}", str(value))]
    assert main(["limits", "project", *argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == api
