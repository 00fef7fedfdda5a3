"""Your own project on seed 003's curve (issue 14): each halving of error priced by the one estimate function."""

import json
import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from dlcost.catalog.hardware import load_hardware
from dlcost.cli import main
from dlcost.iotools.scenario_file import read_scenario_file
from dlcost.schemas import Scenario
from dlcost.schemas.errors import input_problems
from dlcost.schemas.limits import CurveQuery
from dlcost.service.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIGURE2 = read_scenario_file(EXAMPLES / "figure2.toml")


@pytest.fixture(scope="module")
def workspace():
    return Workspace(load_hardware())


def test_each_step_is_the_estimate_of_that_target_with_the_data_limit_lifted(workspace):
    result = workspace.limits_curve(CurveQuery.model_validate({"scenario": FIGURE2, "halvings": 3}))
    targets = [step["target_error"] for step in result["steps"]]
    assert targets == pytest.approx([0.035, 0.0175, 0.00875])
    for step in result["steps"]:
        alone = workspace.estimate(Scenario.model_validate({**FIGURE2, "target_accuracy": 1 - step["target_error"], "data_max": 1e12}))
        top = alone.recommendations[0]
        assert step["architecture"] == top.architecture
        assert step["total_cost_usd"] == pytest.approx(top.total_cost)
        assert step["data_needed"] == pytest.approx(top.data_needed)
        peak = 989.4e12  # the scenario's H100 at bf16: burden = GPU-hours x peak
        assert step["hardware_burden_gflops"] == pytest.approx(top.gpu_hours * 3600 * peak / 1e9)
    # eq. (1)'s slope makes each halving cost far more: the seed's "economically unsustainable"
    assert result["steps"][1]["cost_multiple"] > 100
    assert result["steps"][1]["local_exponent"] > 2 * result["theory_exponent"]
    assert result["steps"][1]["beyond_data_max"] and "beyond data_max" in result["steps"][1]["flags"][0]


def test_a_budget_flags_the_first_halving_it_cannot_pay_for(workspace):
    result = workspace.limits_curve(CurveQuery.model_validate({"scenario": FIGURE2, "halvings": 3, "budget_usd": 1e6}))
    assert result["first_over_budget_error"] == pytest.approx(0.0175)
    assert [any("budget" in f for f in s["flags"]) for s in result["steps"]] == [False, True, True]
    assert any("over the budget" in note for note in result["notes"])


def test_a_pilot_curve_prices_the_halvings_from_the_pilot(workspace):
    scenario = {**FIGURE2, "cost_mode": "measured", "target_accuracy": 0.8,
                "pilot_points": [{"n_train": 500, "error": 0.4}, {"n_train": 1000, "error": 0.33},
                                 {"n_train": 2000, "error": 0.27}, {"n_train": 4000, "error": 0.225}]}
    result = workspace.limits_curve(CurveQuery.model_validate({"scenario": scenario, "halvings": 4}))
    assert result["steps"], result["notes"]
    assert all("pilot" in step["data_need_source"] for step in result["steps"])
    needed = [step["data_needed"] for step in result["steps"]]
    assert needed == sorted(needed) and len(set(needed)) == len(needed)
    assert all(math.isfinite(v) for s in result["steps"] for v in s.values() if isinstance(v, float))


def test_the_benchmark_curves_come_with_it(workspace):
    result = workspace.limits_curve(CurveQuery.model_validate({"scenario": FIGURE2, "halvings": 1}))
    assert {c["benchmark"] for c in result["benchmarks"]} == {"imagenet", "ms-coco", "squad-1.1", "conll-2003", "wmt-2014-en-fr"}


@pytest.mark.parametrize("change, field", [
    ({"halvings": 0}, "halvings"), ({"halvings": 13}, "halvings"), ({"halvings": 2.5}, "halvings"),
    ({"budget_usd": -1}, "budget_usd"), ({"budget_usd": 0}, "budget_usd"),
    ({"scenario": {**FIGURE2, "target_accuracy": 1.5}}, "target_accuracy"),
])
def test_bad_curve_queries_name_the_field(change, field):
    with pytest.raises(ValidationError) as caught:
        CurveQuery.model_validate({"scenario": FIGURE2, **change})
    problem = input_problems(caught.value)[0]
    assert field in (problem["field"], *map(str, problem["loc"])), problem


def test_the_cli_curve_is_the_workspace_document_and_plots(capsys, tmp_path, workspace):
    png = tmp_path / "curve.png"
    argv = ["limits", "curve", "--scenario", str(EXAMPLES / "figure2.toml"), "--halvings", "3", "--budget", "1e6"]
    assert main([*argv, "--json", "--plot", str(png)]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = workspace.limits_curve(CurveQuery.model_validate({"scenario": FIGURE2, "halvings": 3, "budget_usd": 1e6}))
    assert printed == json.loads(json.dumps(expected))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert main(argv) == 0
    assert "over the budget" in capsys.readouterr().out
    assert main(["limits", "curve", "--scenario", str(EXAMPLES / "figure2.toml"), "--halvings", "0"]) == 2
    assert capsys.readouterr().err.startswith("Error: halvings")
