"""BusinessCase in, the bill, the benefit and the decision out (issue 13): one function per question.

- :func:`unit_costs`: seed 002's table, the annual cost per prediction unit of each activity;
- :func:`business_case`: the whole bill (one-off and recurring, each line with its source),
  the benefit, NPV, payback, break-even volume and deployments, and a go/no-go stated as
  probabilities by sampling the estimate's data range;
- :func:`optimal_accuracy`: the target accuracy that maximizes net present value;
- :func:`budget_first`: the best accuracy (and architecture) a budget buys.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from dlcost.catalog.hardware import HardwareCatalog, load_hardware
from dlcost.core import business
from dlcost.core.checks import InputError
from dlcost.engine.estimate import estimate as run_estimate
from dlcost.schemas import Estimate
from dlcost.schemas.business import BusinessCase

__all__ = ["unit_costs", "business_case", "optimal_accuracy", "budget_first", "SAMPLES"]

#: Draws of the estimate's data range behind each probability.
SAMPLES = 4000


def _line(item: str, amount: float, source: str) -> dict:
    return {"item": item, "amount_usd": float(amount), "source": source}


def unit_costs(case: BusinessCase) -> dict:
    """Per activity: cost per prediction unit per run and per year, and the total a year at the deployment's scale."""
    rows = []
    units = case.prediction_units * case.deployments
    for activity in case.activities:
        per_run = float(business.cost_per_unit_per_run(activity.units_used, activity.cost_per_unit, case.pilot_prediction_units))
        per_year = float(business.annual_cost_per_unit(per_run, activity.runs_per_year))
        rows.append({"activity": activity.name, "units_used": activity.units_used, "unit": activity.unit,
                     "cost_per_unit": activity.cost_per_unit, "runs_per_year": activity.runs_per_year,
                     "cost_per_unit_per_run": per_run, "annual_cost_per_unit": per_year,
                     "total_annual_cost": float(business.total_annual_cost(per_year, units))})
    return {"activities": rows, "annual_cost_per_unit": sum(r["annual_cost_per_unit"] for r in rows),
            "total_annual_cost": sum(r["total_annual_cost"] for r in rows), "prediction_units": units}


def _people(roles, per: str) -> tuple[float, str]:
    total = sum(r.people * r.months * r.monthly_cost for r in roles)
    return total, "; ".join(f"{r.role}: {r.people:g} x {r.months:g} months{per} x ${r.monthly_cost:,.0f}" for r in roles) or "none given"


def _build_lines(case: BusinessCase, estimate: Estimate | None) -> list[dict]:
    lines = []
    if estimate is not None:
        top = estimate.recommendations[0]
        lines.append(_line("data", top.data_cost, f"estimate: {top.additional_data:,.0f} images to label (eq. (5))"))
        lines.append(_line("training", top.training_cost * case.hyperparameter_search_multiplier,
                           f"estimate: {top.architecture}, ${top.training_cost:,.2f} a run x {case.hyperparameter_search_multiplier:g} "
                           f"(hyper-parameter search), {top.cost_mode} mode"))
    engineering, who = _people(case.engineering, "")
    lines += [_line("engineering", engineering, who), _line("infrastructure", case.infrastructure_usd, "input"),
              _line("other one-off", case.other_one_off_usd, "input")]
    subtotal = sum(line["amount_usd"] for line in lines)
    lines.append(_line("contingency", subtotal * case.contingency, f"{case.contingency:.0%} of the one-off lines above"))
    return lines


def _recurring_lines(case: BusinessCase, estimate: Estimate | None, operating: dict) -> list[dict]:
    lines = [_line(f"operating: {row['activity']}", row["total_annual_cost"],
                   f"seed 002 unit cost: ${row['annual_cost_per_unit']:.4g} per unit a year x {operating['prediction_units']:,.0f} units")
             for row in operating["activities"]]
    if estimate is not None:
        top = estimate.recommendations[0]
        if case.serving_predictions_per_year and top.cost_per_1000_predictions is not None:
            volume = case.serving_predictions_per_year * case.deployments
            lines.append(_line("serving", volume * top.cost_per_1000_predictions / 1000,
                               f"estimate: ${top.cost_per_1000_predictions:.3g} per 1,000 on {top.deploy_hardware} x {volume:,.0f} a year"))
        if case.retraining_per_year:
            lines.append(_line("retraining", case.retraining_per_year * top.training_cost,
                               f"{case.retraining_per_year:g} a year x the estimate's training cost"))
    people, who = _people(case.operations, " a year")
    lines += [_line("monitoring", case.monitoring_per_year_usd, "input"), _line("relabelling", case.relabelling_per_year_usd, "input"),
              _line("operations people", people, who)]
    return lines


def _variable_recurring(lines: list[dict]) -> float:
    """The recurring lines that scale with volume (operating activities, serving)."""
    return sum(line["amount_usd"] for line in lines if line["item"].startswith("operating:") or line["item"] == "serving")


def _annual_benefit(case: BusinessCase, accuracy: float | np.ndarray) -> tuple[float | np.ndarray, str]:
    """Benefit a year, all deployments, at the model's ``accuracy`` (classification uses it). [USD/year]"""
    benefit = case.benefit
    if benefit is None:
        return 0.0, "no benefit given"
    if benefit.kind == "newsvendor":
        args = (benefit.mean_demand, benefit.unit_price, benefit.unit_cost, benefit.salvage_value)
        current = business.newsvendor(args[0], benefit.forecast_error_sd_current, *args[1:])["expected_profit"]
        model = business.newsvendor(args[0], benefit.forecast_error_sd_model, *args[1:])["expected_profit"]
        units = case.prediction_units * case.deployments
        return (model - current) * benefit.periods_per_year * units, (
            f"newsvendor: profit per unit-period ${current:.4g} -> ${model:.4g} (forecast error sd "
            f"{benefit.forecast_error_sd_current:g} -> {benefit.forecast_error_sd_model:g}) x {benefit.periods_per_year:g} periods x {units:,.0f} units")
    if benefit.kind == "classification":
        error_cost = benefit.positive_share * benefit.cost_false_negative + (1 - benefit.positive_share) * benefit.cost_false_positive
        def value(a):
            return a * benefit.benefit_per_correct - (1 - a) * error_cost
        volume = benefit.predictions_per_year * case.deployments
        # A model worse than the current process is not deployed: no gain, never a loss on top of its cost.
        return volume * np.maximum(0.0, value(accuracy) - value(benefit.current_accuracy)), (
            f"classification: {volume:,.0f} predictions a year x (accuracy x ${benefit.benefit_per_correct:g} - errors x "
            f"${error_cost:g}), against the current {benefit.current_accuracy:.1%}")
    wages = benefit.workers * benefit.annual_wage * benefit.task_share * benefit.automated_share * case.deployments
    return wages, (f"automation: {benefit.workers:g} workers x ${benefit.annual_wage:,.0f} x {benefit.task_share:.0%} of their time x "
                   f"{benefit.automated_share:.0%} automated x {case.deployments:g} deployments")


def _estimate(case: BusinessCase, hardware: HardwareCatalog) -> Estimate | None:
    return None if case.scenario is None else run_estimate(case.scenario, hardware=hardware)


def _accuracy(case: BusinessCase, estimate: Estimate | None) -> float:
    """The model's accuracy: the estimate's, else the benefit's own ``model_accuracy`` (required then for classification)."""
    if estimate is not None:
        return estimate.max_achievable_accuracy
    return getattr(case.benefit, "model_accuracy", None) or 1.0


def _volume(case: BusinessCase) -> tuple[float, str]:
    """The volume the benefit and the variable costs scale with, all deployments, and its unit."""
    kind = None if case.benefit is None else case.benefit.kind
    if kind == "classification":
        return case.benefit.predictions_per_year * case.deployments, "predictions a year"
    if kind == "automation":
        return case.benefit.workers * case.deployments, "workers whose task is automated"
    return case.prediction_units * case.deployments, "prediction units"


def _break_evens(case, one_off, recurring, benefit_per_year) -> dict:
    """Break-even volume (the benefit and the variable costs scaled together, the one-off and fixed costs not) and
    deployments (each with the per-deployment volume; the build and the fixed recurring costs shared)."""
    factor = business.annuity_factor(case.horizon_years, case.discount_rate)
    variable = _variable_recurring(recurring)
    fixed = sum(line["amount_usd"] for line in recurring) - variable
    margin = benefit_per_year - variable  # what the volume-proportional part nets a year
    scale = math.inf if margin <= 0 else (one_off / factor + fixed) / margin
    volume, unit = _volume(case)
    return {"break_even_volume": _finite(scale * volume) if volume else None, "break_even_volume_unit": unit,
            "break_even_deployments": _finite(business.break_even_deployments(one_off + fixed * factor, margin / case.deployments,
                                                                              case.horizon_years, case.discount_rate))}


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _need_draws(top, level: float, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Draws of the data need: a split lognormal whose median is the point need and whose quantiles at the
    interval's ends are its low and high (the interval is far from symmetric in log). None: no usable range."""
    low, high, point = top.data_needed_low, top.data_needed_high, top.data_needed
    if point is None or low is None or high is None or not low < point < high:
        return None
    z = norm.ppf(0.5 + level / 2)
    below, above = (math.log(point) - math.log(low)) / z, (math.log(high) - math.log(point)) / z
    u = np.random.default_rng(seed).standard_normal(SAMPLES)
    return np.exp(math.log(point) + u * np.where(u < 0, below, above)), u


def _accuracy_of_misses(scenario, estimate: Estimate, need: np.ndarray) -> np.ndarray:
    """Accuracy a draw reaches at data_max when it needs more: its own curve through (need, target error),
    with the data slope of the estimate's central curve, error ~ n^-b (b from the target and data_max errors)."""
    target_error = 1.0 - scenario.target_accuracy
    error_at_max = 1.0 - estimate.accuracy_at_data_max
    point = estimate.recommendations[0].data_needed
    slope = 0.3  # a typical data exponent, when the central curve gives none (point need at data_max)
    if point and point != scenario.data_max and 0 < error_at_max < 1:
        slope = max(1e-3, math.log(error_at_max / target_error) / math.log(point / scenario.data_max))
    return 1.0 - np.minimum(1.0, target_error * (need / scenario.data_max) ** slope)


def _sampled(case: BusinessCase, estimate: Estimate, fixed_one_off: float, recurring_lines: list[dict], seed: int) -> dict:
    """P(NPV > 0), P(reaching the target) and P(build under budget) over draws of the data need."""
    from dlcost.core import cost

    scenario, top = case.scenario, estimate.recommendations[0]
    level = estimate.interval["level"]
    drawn = _need_draws(top, level, seed)
    if drawn is None:
        return {"p_npv_positive": None, "p_reach_target": None, "p_build_under_budget": None, "npv_low": None, "npv_high": None,
                "probability_note": "the estimate's data range is unbounded or degenerate: no probabilities"}
    need, _ = drawn
    paper = scenario.cost_mode == "paper"
    per_image = top.training_cost / top.training_images if top.training_images > 0 else 0.0
    training_run = per_image * cost.images_trained_on(need, scenario.data_present, scenario.data_max, paper)
    collected = cost.additional_images(np.minimum(need, scenario.data_max), scenario.data_present)
    build = (training_run * case.hyperparameter_search_multiplier + collected * scenario.cost_per_datapoint + fixed_one_off) * (1 + case.contingency)
    reached = need <= scenario.data_max
    accuracy = np.where(reached, scenario.target_accuracy, _accuracy_of_misses(scenario, estimate, need))
    benefit, _ = _annual_benefit(case, accuracy)
    recurring = sum(line["amount_usd"] for line in recurring_lines if line["item"] != "retraining")
    recurring = recurring + case.retraining_per_year * training_run  # retraining re-priced with each draw's training
    npv = business.net_present_value(build, np.asarray(benefit) - recurring, case.horizon_years, case.discount_rate)
    return {"p_npv_positive": float(np.mean(npv > 0)), "p_reach_target": float(np.mean(reached)),
            "p_build_under_budget": None if case.budget_usd is None else float(np.mean(build <= case.budget_usd)),
            "npv_low": float(np.quantile(npv, 0.5 - level / 2)), "npv_high": float(np.quantile(npv, 0.5 + level / 2)),
            "probability_note": f"{SAMPLES:,} draws of the data need, a split lognormal through the estimate's {level:.0%} range"}


def business_case(case: BusinessCase, hardware: HardwareCatalog | None = None, seed: int = 0) -> dict:
    """The whole bill, the benefit and the decision of one case."""
    hardware = hardware if hardware is not None else load_hardware()
    estimate = _estimate(case, hardware)
    operating = unit_costs(case)
    one_off_lines = _build_lines(case, estimate)
    recurring_lines = _recurring_lines(case, estimate, operating)
    one_off = sum(line["amount_usd"] for line in one_off_lines)
    recurring = sum(line["amount_usd"] for line in recurring_lines)
    benefit, benefit_source = _annual_benefit(case, _accuracy(case, estimate))
    benefit = float(benefit)
    net = benefit - recurring
    npv = float(business.net_present_value(one_off, net, case.horizon_years, case.discount_rate))
    flows = business.discounted_cash_flows(net, case.horizon_years, case.discount_rate)
    cumulative = [-one_off, *(-one_off + np.cumsum(flows)).tolist()]
    result = {
        "name": case.name, "horizon_years": case.horizon_years, "discount_rate": case.discount_rate,
        "one_off_cost": one_off, "one_off_lines": one_off_lines, "annual_recurring_cost": recurring,
        "recurring_lines": recurring_lines, "annual_benefit": benefit, "benefit_source": benefit_source,
        "annual_net": net, "npv": npv, "npv_by_year": cumulative,
        "annuity_factor": float(business.annuity_factor(case.horizon_years, case.discount_rate)),
        "payback_years": _finite(business.payback_years(one_off, net, case.discount_rate, case.horizon_years)),
        "annual_cost_per_unit": operating["annual_cost_per_unit"], "total_annual_cost": operating["total_annual_cost"],
        "unit_costs": operating, **_break_evens(case, one_off, recurring_lines, benefit),
        "estimate": None if estimate is None else _estimate_summary(estimate),
    }
    result["newsvendor"] = _newsvendor_detail(case)
    if estimate is not None:
        fixed = sum(line["amount_usd"] for line in one_off_lines if line["item"] not in ("data", "training", "contingency"))
        result.update(_sampled(case, estimate, fixed, recurring_lines, seed))
    else:
        result.update(p_npv_positive=float(npv > 0), p_reach_target=None,
                      p_build_under_budget=None if case.budget_usd is None else float(one_off <= case.budget_usd),
                      probability_note="no estimate scenario: the figures are certain, the probabilities 0 or 1")
    result["decision"], result["reasons"] = _decision(result, case)
    if case.benefit is None:
        result["reasons"].append("no benefit given: the case can only cost")
    _check_finite(result)
    return result


def _check_finite(document) -> None:
    """Every number of a result is finite (an input far out of any real range would give inf)."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            raise InputError("case", "case: its inputs give a figure beyond any finite number; check the counts and prices.")


def _newsvendor_detail(case: BusinessCase) -> dict | None:
    """Per prediction unit and period, under each forecast: order, expected lost sales and leftovers (units and USD), profit."""
    benefit = case.benefit
    if benefit is None or benefit.kind != "newsvendor":
        return None
    args = (benefit.unit_price, benefit.unit_cost, benefit.salvage_value)
    current = business.newsvendor(benefit.mean_demand, benefit.forecast_error_sd_current, *args)
    model = business.newsvendor(benefit.mean_demand, benefit.forecast_error_sd_model, *args)
    return {"current": {k: float(v) for k, v in current.items()}, "model": {k: float(v) for k, v in model.items()},
            "profit_gain_per_unit_period": float(model["expected_profit"] - current["expected_profit"])}


def _estimate_summary(estimate: Estimate) -> dict:
    top = estimate.recommendations[0]
    return {"architecture": top.architecture, "target_accuracy": estimate.inputs.target_accuracy, "feasible": top.feasible,
            "wall_clock_hours": top.wall_clock_hours,
            "max_achievable_accuracy": estimate.max_achievable_accuracy, "data_needed": top.data_needed,
            "data_needed_low": top.data_needed_low, "data_needed_high": top.data_needed_high,
            "training_cost": top.training_cost, "data_cost": top.data_cost, "cost_per_1000_predictions": top.cost_per_1000_predictions}


def _decision(result: dict, case: BusinessCase) -> tuple[str, list[str]]:
    reasons = [f"NPV over {case.horizon_years} years at {case.discount_rate:.1%}: ${result['npv']:,.0f}"]
    if result["payback_years"] is None:
        reasons.append(f"the build does not pay back within {case.horizon_years} years")
    else:
        reasons.append(f"pays back in {result['payback_years']:.1f} years")
    probability = result.get("p_npv_positive")
    if probability is not None:
        reasons.append(f"P(NPV > 0) = {probability:.0%}")
    if result.get("p_reach_target") is not None:
        reasons.append(f"P(reaching the target within the data limit) = {result['p_reach_target']:.0%}")
    if result.get("p_build_under_budget") is not None:
        reasons.append(f"P(build under the ${case.budget_usd:,.0f} budget) = {result['p_build_under_budget']:.0%}")
    go = result["npv"] > 0 and (probability is None or probability >= 0.5)
    return ("go" if go else "no-go"), reasons


def optimal_accuracy(case: BusinessCase, hardware: HardwareCatalog | None = None, targets: list[float] | None = None) -> dict:
    """NPV at each target accuracy (build cost rises, the cost of errors falls); the target that maximizes it."""
    if case.scenario is None:
        raise InputError("scenario", "scenario: an optimal accuracy needs the estimate scenario the build cost comes from.")
    hardware = hardware if hardware is not None else load_hardware()
    grid = targets or [round(t, 4) for t in np.linspace(0.5, 0.995, 34)]

    def at(target: float) -> dict:
        scenario = case.scenario.model_copy(update={"target_accuracy": float(target)})
        return business_case(case.model_copy(update={"scenario": scenario}), hardware)

    rows = []
    for target in grid:
        result = at(target)
        rows.append({"target_accuracy": target, "max_achievable_accuracy": result["estimate"]["max_achievable_accuracy"],
                     "one_off_cost": result["one_off_cost"], "annual_benefit": result["annual_benefit"], "npv": result["npv"],
                     "npv_low": result.get("npv_low"), "npv_high": result.get("npv_high")})
    target, npv = business.refined_maximum(lambda t: at(t)["npv"], grid)
    best = at(target)
    return {"name": case.name, "sweep": rows, "optimal_target_accuracy": target, "optimal_npv": npv,
            "optimal_npv_low": best.get("npv_low"), "optimal_npv_high": best.get("npv_high"),
            "optimal_one_off_cost": best["one_off_cost"], "optimal_architecture": best["estimate"]["architecture"]}


def budget_first(case: BusinessCase, budget_usd: float, hardware: HardwareCatalog | None = None,
                 deadline_weeks: float | None = None) -> dict:
    """The best target accuracy whose build (one-off cost) fits the budget, and within a training deadline."""
    from dlcost.core import checks
    from dlcost.schemas.business import MAX_AMOUNT_USD, MAX_YEARS

    budget_usd = checks.check_at_most(checks.check_positive(budget_usd, "budget"), "budget", MAX_AMOUNT_USD)
    if deadline_weeks is not None:
        deadline_weeks = checks.check_at_most(checks.check_positive(deadline_weeks, "deadline_weeks"), "deadline_weeks", 52 * MAX_YEARS)
    if case.scenario is None:
        raise InputError("scenario", "scenario: a budget needs the estimate scenario the build cost comes from.")
    hardware = hardware if hardware is not None else load_hardware()
    fitting, cheapest, reachable, in_time_any = None, math.inf, False, False
    for target in [round(t, 4) for t in np.linspace(0.5, 0.995, 34)]:
        scenario = case.scenario.model_copy(update={"target_accuracy": target})
        result = business_case(case.model_copy(update={"scenario": scenario}), hardware)
        summary = result["estimate"]
        if not summary["feasible"]:
            continue
        reachable = True
        cheapest = min(cheapest, result["one_off_cost"])
        in_time = deadline_weeks is None or summary["wall_clock_hours"] <= deadline_weeks * 7 * 24
        in_time_any = in_time_any or in_time
        if result["one_off_cost"] <= budget_usd and in_time:
            fitting = {"target_accuracy": target, "architecture": summary["architecture"], "one_off_cost": result["one_off_cost"],
                       "wall_clock_hours": summary["wall_clock_hours"], "npv": result["npv"]}
    if not reachable:
        raise InputError("data_max", "data_max: no target from 50% to 99.5% is reachable within the data limit.")
    if not in_time_any:
        raise InputError("deadline_weeks", f"deadline_weeks: no reachable target trains within {deadline_weeks:g} weeks.")
    if fitting is None:
        raise InputError("budget", f"budget must cover the cheapest build (${cheapest:,.0f})"
                                   + (" within the deadline" if deadline_weeks is not None else "") + f"; got ${budget_usd:,.0f}.")
    return {"name": case.name, "budget_usd": budget_usd, "deadline_weeks": deadline_weeks, **fitting}
