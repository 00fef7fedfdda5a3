"""Your own project on seed 003's curve (issue 14): the compute and cost of each further halving of error.

The scenario's target error, then half of it, a quarter, ...: each priced by the one estimate
function (eq. (1) inverted, or the pilot's learning curve; eqs. (3)-(5)) with the data limit
lifted, so the figure is what the halving would need, not what the limit allows. Each step's
computation is given as the seed measures it, hardware burden (GPUs x peak x time), and as
eq. (4)'s FLOPs, beside the benchmark curves of Figure 4.
"""

from __future__ import annotations

import math
from typing import Callable

from dlcost.core import limits
from dlcost.engine import limits as published
from dlcost.schemas import Estimate, Scenario
from dlcost.schemas.limits import MAX_IMAGES

__all__ = ["own_curve", "THEORY_EXPONENT"]

#: The best a flexible regularized model can do: computation = O(performance^4) (seed 003, section 2).
THEORY_EXPONENT = 4.0


def _step(scenario: Scenario, target_error: float, estimate: Callable[[Scenario], Estimate]) -> dict | str:
    """The priced step, or why the target cannot be priced (a note)."""
    values = scenario.model_dump(exclude_none=True)
    values.update(target_accuracy=1.0 - target_error, data_max=MAX_IMAGES)
    answer = estimate(Scenario.model_validate(values))
    top = answer.recommendations[0] if answer.recommendations else None
    if top is None or top.data_needed is None:
        return f"error {target_error:.3g} is not reachable at any data size with this model (its floor): the curve stops there"
    if not top.feasible:
        return (f"error {target_error:.3g} needs {top.data_needed:.3g} images, more than the {MAX_IMAGES:.0e} dlcost prices: "
                "the curve stops there")
    gpu_seconds = top.gpu_hours * 3600.0  # times the peak FLOP/s: the hardware burden (_annotate)
    return {"target_error": target_error, "architecture": top.architecture, "data_needed": top.data_needed,
            "beyond_data_max": top.data_needed > scenario.data_max, "training_flops": top.training_flops,
            "gpu_hours": top.gpu_hours, "gpu_seconds": gpu_seconds, "total_cost_usd": top.total_cost,
            "training_cost_usd": top.training_cost, "data_cost_usd": top.data_cost, "co2_kg": top.co2_kg,
            "gpu": top.gpu, "data_need_source": answer.data_need_source}


def _annotate(steps: list[dict], peak_flops_per_s: float, budget_usd: float | None) -> None:
    for k, step in enumerate(steps):
        step["hardware_burden_gflops"] = step.pop("gpu_seconds") * peak_flops_per_s / 1e9
        step["flags"] = []
        if step["beyond_data_max"]:
            step["flags"].append(f"needs {step['data_needed']:,.0f} images, beyond data_max")
        if budget_usd is not None and step["total_cost_usd"] > budget_usd:
            step["flags"].append(f"over the budget of ${budget_usd:,.0f}")
        step["cost_multiple"] = None
        step["local_exponent"] = None
        if k:
            previous = steps[k - 1]
            multiple = step["total_cost_usd"] / previous["total_cost_usd"] if previous["total_cost_usd"] > 0 else None
            step["cost_multiple"] = multiple
            burden = step["hardware_burden_gflops"] / previous["hardware_burden_gflops"]
            step["local_exponent"] = math.log2(burden) if burden > 0 else None  # computation ~ performance^alpha, per halving


def own_curve(scenario: Scenario, estimate: Callable[[Scenario], Estimate], peak_flops_per_s: float,
              halvings: int = 5, budget_usd: float | None = None) -> dict:
    """The scenario's target error and ``halvings - 1`` further halvings, each priced; flags and the benchmark curves.

    ``estimate`` is the one estimate function (the workspace's); ``peak_flops_per_s`` the GPU's
    peak at the scenario's precision, which turns its GPU-hours into the seed's hardware burden.
    """
    steps, stop = [], None
    for target in limits.halvings(1.0 - scenario.target_accuracy, halvings):
        step = _step(scenario, target, estimate)
        if isinstance(step, str):
            stop = step
            break
        steps.append(step)
    _annotate(steps, peak_flops_per_s, budget_usd)
    unreachable = None if len(steps) == halvings else limits.halvings(1.0 - scenario.target_accuracy, halvings)[len(steps)]
    first_over = next((s["target_error"] for s in steps if budget_usd is not None and s["total_cost_usd"] > budget_usd), None)
    exponents = [s["local_exponent"] for s in steps if s["local_exponent"] is not None]
    notes = [stop] if stop is not None else []
    if first_over is not None:
        notes.append(f"from error {first_over:.3g} on, the cost is over the budget: economically unsustainable for this project")
    if exponents and max(exponents) > 2 * THEORY_EXPONENT:
        notes.append(f"a halving multiplies the computation by up to 2^{max(exponents):.1f}: steeper than twice the theory's "
                     f"O(performance^{THEORY_EXPONENT:g})")
    return {"target_accuracy": scenario.target_accuracy, "halvings": halvings, "budget_usd": budget_usd, "steps": steps,
            "first_over_budget_error": first_over, "unreachable_error": unreachable, "notes": notes,
            "theory_exponent": THEORY_EXPONENT, "benchmarks": published.benchmark_curves()}

