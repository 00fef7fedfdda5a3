"""Issue 13: dlcost business (the whole bill, the benefit, NPV, payback, break-even, probabilities, go/no-go)."""

import json
import math
from pathlib import Path

import pytest
from scipy.stats import norm

from dlcost.cli import main
from dlcost.core import business
from dlcost.engine.business import business_case, optimal_accuracy, unit_costs
from dlcost.iotools.scenario_file import read_case_file
from dlcost.schemas.business import BusinessCase

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def case_of(name: str) -> BusinessCase:
    return BusinessCase.model_validate(read_case_file(EXAMPLES / name))


def cli_json(capsys, *args) -> dict:
    capsys.readouterr()
    assert main([str(a) for a in args]) == 0
    return json.loads(capsys.readouterr().out)


def test_unit_cost_reproduces_the_slide(capsys):
    result = cli_json(capsys, "business", "unit-cost", EXAMPLES / "business-supermarket.toml", "--json")
    rows = {row["activity"]: row for row in result["activities"]}
    assert round(rows["training"]["cost_per_unit_per_run"], 4) == 0.0084 and round(rows["training"]["annual_cost_per_unit"], 2) == 0.23
    assert round(rows["prediction"]["cost_per_unit_per_run"], 4) == 0.0021 and round(rows["prediction"]["annual_cost_per_unit"], 2) == 0.77
    # The slide's storage: $0.00076 is the annual figure, not the per-run one (tests/business/test_business_core.py).
    assert rows["storage"]["annual_cost_per_unit"] == pytest.approx(0.00076, rel=0.01)
    assert round(result["annual_cost_per_unit"]) == 1 and result["total_annual_cost"] == pytest.approx(result["annual_cost_per_unit"] * 15000)


def test_a_case_without_an_estimate_by_hand():
    case = case_of("business-supermarket.toml")
    result = business_case(case)
    assert result["one_off_cost"] == pytest.approx((2 * 6 * 15000 + 50000) * 1.15)  # engineering + infrastructure, +15%
    operating = unit_costs(case)["total_annual_cost"]
    assert result["annual_recurring_cost"] == pytest.approx(operating + 20000 + 0.5 * 12 * 15000)
    per_unit_day = (business.newsvendor(5, 1.8, 3.0, 2.4, 0.0)["expected_profit"]
                    - business.newsvendor(5, 2.0, 3.0, 2.4, 0.0)["expected_profit"])
    assert result["annual_benefit"] == pytest.approx(per_unit_day * 365 * 15000)
    net = result["annual_benefit"] - result["annual_recurring_cost"]
    factor = sum(1 / 1.08 ** t for t in range(1, 6))
    assert result["npv"] == pytest.approx(-result["one_off_cost"] + net * factor)
    assert result["payback_years"] == pytest.approx(result["one_off_cost"] / (net / 1.08))  # repaid within year 1
    assert result["npv_by_year"][0] == -result["one_off_cost"] and result["npv_by_year"][-1] == pytest.approx(result["npv"])
    assert result["decision"] == "go" and result["p_npv_positive"] == 1.0


def test_amortization_over_deployments_by_hand():
    # A build shared by N deployments, each netting the same: N* = (one-off + fixed recurring x AF) / (net per deployment x AF).
    case = BusinessCase(horizon_years=4, discount_rate=0.0, deployments=10, prediction_units=1000, contingency=0.0,
                        infrastructure_usd=100_000, monitoring_per_year_usd=5_000,
                        benefit={"kind": "automation", "workers": 2, "annual_wage": 50_000, "task_share": 0.1})
    result = business_case(case)
    per_deployment = 2 * 50_000 * 0.1  # $10,000 a year each
    assert result["annual_benefit"] == pytest.approx(10 * per_deployment)
    assert result["break_even_deployments"] == pytest.approx((100_000 + 5_000 * 4) / (per_deployment * 4))  # 3.0
    assert result["npv"] == pytest.approx(-100_000 + (100_000 - 5_000) * 4)


def test_an_optimal_accuracy_derivable_by_hand():
    # NPV(a) = -k / (1 - a) + V a has its maximum at a* = 1 - sqrt(k / V).
    k, v = 1_000.0, 1_000_000.0
    target, value = business.refined_maximum(lambda a: -k / (1 - a) + v * a, [0.5 + 0.015 * i for i in range(34)])
    assert target == pytest.approx(1 - math.sqrt(k / v), abs=2e-4)
    assert value == pytest.approx(-k / math.sqrt(k / v) + v * (1 - math.sqrt(k / v)), rel=1e-6)


def test_optimal_accuracy_sweep_of_the_mammography_case():
    result = optimal_accuracy(case_of("business-mammography.toml"), targets=[0.9, 0.93, 0.96, 0.99])
    assert [row["target_accuracy"] for row in result["sweep"]] == [0.9, 0.93, 0.96, 0.99]
    best = max(row["npv"] for row in result["sweep"])
    assert result["optimal_npv"] >= best - 1e-6 and 0.9 <= result["optimal_target_accuracy"] <= 0.99


def test_probability_of_reaching_the_target_matches_the_lognormal_it_samples():
    case = case_of("business-mammography.toml")
    case = case.model_copy(update={"scenario": case.scenario.model_copy(update={"data_max": 8000.0})})
    result = business_case(case)
    estimate = result["estimate"]
    sigma = (math.log(estimate["data_needed_high"]) - math.log(estimate["data_needed_low"])) / (2 * norm.ppf(0.9))
    expected = norm.cdf((math.log(8000.0) - math.log(estimate["data_needed"])) / sigma)
    assert result["p_reach_target"] == pytest.approx(expected, abs=3 * math.sqrt(expected * (1 - expected) / 4000) + 1e-9)


def test_json_keys_of_every_command(capsys):
    path = EXAMPLES / "business-mammography.toml"
    case = cli_json(capsys, "business", "case", path, "--json")
    assert {"annual_cost_per_unit", "total_annual_cost", "one_off_cost", "npv", "payback_years", "p_npv_positive"} <= set(case)
    assert all(math.isfinite(line["amount_usd"]) and line["source"] for line in case["one_off_lines"] + case["recurring_lines"])
    assert "optimal_target_accuracy" in cli_json(capsys, "business", "optimal-accuracy", path, "--json")
    bought = cli_json(capsys, "business", "budget", path, "--budget", "1500000", "--json")
    assert bought["one_off_cost"] <= 1_500_000 and bought["architecture"]


@pytest.mark.parametrize("text, field", [
    ("prediction_units = -5", "prediction_units"),
    ("discount_rate = -1.0", "discount_rate"),
    ("horizon_years = 0", "horizon_years"),
    ("[benefit]\nkind = 'newsvendor'\nmean_demand = 5\nforecast_error_sd_current = 2\nforecast_error_sd_model = 1\n"
     "unit_price = 3\nunit_cost = 2\nsalvage_value = 2.5", "salvage_value"),
    ("[[activities]]\nname = 'training'\nunits_used = 1\ncost_per_unit = -1\nruns_per_year = 1\n", "cost_per_unit"),
    ("[benefit]\nkind = 'classification'\npredictions_per_year = -1\nbenefit_per_correct = 1", "predictions_per_year"),
    ("[benefit]\nkind = 'magic'", "benefit"),
])
def test_bad_cases_give_one_line_errors(capsys, tmp_path, text, field):
    path = tmp_path / "case.toml"
    path.write_text(text + "\n")
    assert main(["business", "case", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: ") and field in err


def test_a_budget_below_the_cheapest_build_is_an_error(capsys):
    assert main(["business", "budget", str(EXAMPLES / "business-mammography.toml"), "--budget", "1000"]) == 2
    assert "budget must cover the cheapest build" in capsys.readouterr().err
