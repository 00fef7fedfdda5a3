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
    detail = result["newsvendor"]  # lost sales, spoilage and profit per unit-day under each forecast
    assert detail["profit_gain_per_unit_period"] == pytest.approx(per_unit_day)
    assert detail["model"]["expected_lost_sales"] < detail["current"]["expected_lost_sales"]
    assert detail["model"]["spoilage_usd"] < detail["current"]["spoilage_usd"]
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


def _mammography(**scenario_changes) -> BusinessCase:
    case = case_of("business-mammography.toml")
    return case.model_copy(update={"scenario": case.scenario.model_copy(update=scenario_changes)})


def _mc(p: float) -> float:
    """Three standard errors of a share estimated from 4,000 draws."""
    return 3 * math.sqrt(p * (1 - p) / 4000) + 1e-9


def test_probability_of_reaching_the_target_is_the_split_lognormal_at_data_max():
    result = business_case(_mammography(data_present=0.0, data_max=3000.0))
    estimate = result["estimate"]
    point, low, high = estimate["data_needed"], estimate["data_needed_low"], estimate["data_needed_high"]
    side = (math.log(3000.0) - math.log(point))
    sigma = (math.log(high) - math.log(point) if side > 0 else math.log(point) - math.log(low)) / norm.ppf(0.9)
    expected = norm.cdf(side / sigma)
    assert 0.05 < expected < 0.95
    assert result["p_reach_target"] == pytest.approx(expected, abs=_mc(expected))


def test_half_the_draws_build_for_less_than_the_point_estimate():
    # The build cost rises with the data need, and the point need is the draws' median: P(build <= point build) = 1/2.
    case = _mammography(data_present=0.0)
    point = business_case(case)
    result = business_case(case.model_copy(update={"budget_usd": point["one_off_cost"]}))
    assert result["p_build_under_budget"] == pytest.approx(0.5, abs=_mc(0.5))


def test_p_npv_positive_is_one_half_when_the_point_npv_is_zero():
    # Shift the point NPV to 0 with a one-off line; every draw reaches the target (data_max far above the need),
    # so NPV falls with the need and P(NPV > 0) = P(need < median) = 1/2.
    case = _mammography(data_present=0.0, data_max=1e9)
    shift = business_case(case)["npv"] / (1 + case.contingency)
    result = business_case(case.model_copy(update={"other_one_off_usd": case.other_one_off_usd + shift}))
    assert result["npv"] == pytest.approx(0.0, abs=1e-3)
    assert result["p_reach_target"] > 0.99  # a draw far up the tail still misses; it lies above the median anyway
    assert result["p_npv_positive"] == pytest.approx(0.5, abs=_mc(0.5))


def test_break_even_volume_by_hand():
    # No estimate: the model's accuracy is given. Value per prediction 0.95 x $1 - 0.05 x $10 = $0.45 against the
    # current process's 0 x $1 - 1 x $10 = -$10 (it gets nothing right): a gain of $10.45. Fixed costs $20,000 a year,
    # one-off $100,000, 3 years at 0%: V* = (100,000/3 + 20,000) / 10.45.
    case = BusinessCase(horizon_years=3, discount_rate=0.0, contingency=0.0, infrastructure_usd=100_000,
                        monitoring_per_year_usd=20_000,
                        benefit={"kind": "classification", "predictions_per_year": 1e6, "benefit_per_correct": 1.0,
                                 "cost_false_negative": 10.0, "cost_false_positive": 10.0, "model_accuracy": 0.95})
    result = business_case(case)
    expected = (100_000 / 3 + 20_000) / 10.45
    assert result["break_even_volume"] == pytest.approx(expected) and result["break_even_volume_unit"] == "predictions a year"
    at_break_even = case.model_copy(update={"benefit": case.benefit.model_copy(update={"predictions_per_year": expected})})
    assert business_case(at_break_even)["npv"] == pytest.approx(0.0, abs=1e-6)


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
    ("[benefit]\nkind = 'classification'\npredictions_per_year = 10\nbenefit_per_correct = 1", "model_accuracy"),
    ("discount_rate = -0.9999999\nhorizon_years = 100", "discount_rate"),
    ("pilot_prediction_units = 1e-300\n[[activities]]\nname = 'x'\nunits_used = 1\ncost_per_unit = 1\nruns_per_year = 1",
     "pilot_prediction_units"),
    ("[benefit]\nkind = 'newsvendor'\nmean_demand = 5\nforecast_error_sd_current = 2\nforecast_error_sd_model = 1\n"
     "unit_price = 3\nunit_cost = 2", "prediction_units"),
])
def test_bad_cases_give_one_line_errors(capsys, tmp_path, text, field):
    path = tmp_path / "case.toml"
    path.write_text(text + "\n")
    assert main(["business", "case", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: ") and field in err


def test_payback_with_no_build_needs_a_positive_net():
    assert business.payback_years(0, 10) == 0.0 and business.payback_years(0, -10) == math.inf


def test_boundary_shares_are_accepted():
    case = BusinessCase(benefit={"kind": "automation", "workers": 1, "annual_wage": 1, "task_share": 1, "automated_share": 1})
    assert business_case(case)["annual_benefit"] == 1.0
    BusinessCase(benefit={"kind": "classification", "predictions_per_year": 1, "benefit_per_correct": 1, "positive_share": 0,
                          "current_accuracy": 0, "model_accuracy": 1})


def test_a_budget_below_the_cheapest_build_is_an_error(capsys):
    assert main(["business", "budget", str(EXAMPLES / "business-mammography.toml"), "--budget", "1000"]) == 2
    assert "budget must cover the cheapest build" in capsys.readouterr().err


def test_optimal_accuracy_of_a_case_derivable_by_hand():
    # A pilot on an exact power law, error = 0.5 (n / 100)^-0.5, sizes the data: n(a) = 25 / (1 - a)^2 (tau 0).
    # The build is (data $1 + training t) per image x n(a); the benefit V (b + e) a a year against a current
    # process that gets nothing right. NPV(a) = -K 25 (1 - a)^-2 + V (b + e) a over one year at 0%, whose
    # maximum is at 1 - a* = (50 K / (V (b + e)))^(1/3): 0.97 for K = 1, V = 1e6, b + e = 50 / 0.03^3 / 1e6.
    points = [[n, 0.5 * (n / 100) ** -0.5] for n in (100, 200, 400, 800, 1600)]
    scenario = {"target_accuracy": 0.9, "data_max": 1e7, "cost_per_datapoint": 1.0, "classes": 2, "pilot_points": points,
                "tau": 0.0, "cost_mode": "flops", "architectures": ["ResNet-18"]}
    e = 50 / 0.03 ** 3 / 1e6 - 1.0
    case = BusinessCase(horizon_years=1, discount_rate=0.0, contingency=0.0, scenario=scenario,
                        benefit={"kind": "classification", "predictions_per_year": 1e6, "benefit_per_correct": 1.0,
                                 "cost_false_negative": e, "cost_false_positive": e})
    estimate = business_case(case)["estimate"]
    assert estimate["data_needed"] == pytest.approx(25 / 0.1 ** 2)  # the power law recovered at 90%
    per_image = estimate["training_cost"] / estimate["data_needed"]  # flops mode trains on the need (nothing at hand)
    k = 1.0 + per_image
    expected = 1 - (50 * k / (1e6 * (1.0 + e))) ** (1 / 3)
    result = optimal_accuracy(case, targets=[0.94, 0.955, 0.97, 0.985])
    assert expected == pytest.approx(0.97, abs=1e-4)
    assert result["optimal_target_accuracy"] == pytest.approx(expected, abs=5e-4)
