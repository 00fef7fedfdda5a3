"""Is it worth it: the operating cost per prediction unit, the benefit, and the decision.

Pure functions, numbers in and numbers out (floats or numpy arrays).

- Operating cost per unit (seed 002, "Annual cost per SKU-store combination"): an activity
  used ``units`` (hours, GB-months, ...) at ``cost_per_unit`` in a pilot that covered
  ``pilot_prediction_units`` (SKU-store combinations); it recurs ``runs_per_year`` times.
- Benefit of a better demand forecast: the newsvendor model with normal forecast errors
  [1]: the order is forecast + sigma x z*, z* = Phi^-1(critical ratio); lost sales,
  leftovers ("spoilage", seed 002) and profit follow from the standard normal loss function.
- Decision: net present value, payback, break-even volume and deployments (seed 000's
  "amortization over many deployments").

.. [1] G. Cachon and C. Terwiesch, "Matching Supply with Demand", ch. 14 (the newsvendor
   model); E. L. Porteus, "Stochastic Inventory Theory", 1990.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

__all__ = [
    "cost_per_unit_per_run", "annual_cost_per_unit", "total_annual_cost",
    "critical_ratio", "standard_normal_loss", "newsvendor", "net_present_value", "discounted_cash_flows",
    "payback_years", "annuity_factor", "break_even_deployments", "refined_maximum",
]


def cost_per_unit_per_run(units_used, cost_per_unit_usd, pilot_prediction_units):
    """One run of an activity, per prediction unit: units x cost per unit / prediction units covered (seed 002). [USD]"""
    return units_used * cost_per_unit_usd / pilot_prediction_units


def annual_cost_per_unit(cost_per_run_usd, runs_per_year):
    """An activity's cost per prediction unit per year: per run x runs a year (seed 002). [USD/year]"""
    return cost_per_run_usd * runs_per_year


def total_annual_cost(annual_cost_per_unit_usd, prediction_units):
    """An activity's annual cost at the deployment's scale: per unit x units deployed. [USD/year]"""
    return annual_cost_per_unit_usd * prediction_units


def critical_ratio(unit_price, unit_cost, salvage_value):
    """Underage cost / (underage + overage cost) = (p - c) / (p - s): the newsvendor's service level. [fraction]"""
    return (unit_price - unit_cost) / (unit_price - salvage_value)


def standard_normal_loss(z):
    """L(z) = E[(Z - z)+] = phi(z) - z (1 - Phi(z)) for a standard normal Z."""
    return norm.pdf(z) - z * norm.sf(z)


def newsvendor(mean_demand, forecast_error_sd, unit_price, unit_cost, salvage_value) -> dict:
    """Expected outcome of one period when the order is the forecast plus the optimal safety stock.

    Demand = forecast + error, error ~ Normal(0, forecast_error_sd); the order is
    q = forecast + sd x z*, z* = Phi^-1((p - c) / (p - s)). Then, per period (units, USD):

    - lost sales E[(D - q)+] = sd x L(z*), leftovers E[(q - D)+] = sd x (z* + L(z*));
    - profit = p E[min(q, D)] + s E[(q - D)+] - c q = (p - c) mean - sd (p - s) phi(z*).

    A forecast with a smaller error sd loses less; at sd = 0 the profit is (p - c) x mean.
    """
    z = norm.ppf(critical_ratio(unit_price, unit_cost, salvage_value))
    lost = forecast_error_sd * standard_normal_loss(z)
    leftover = forecast_error_sd * (z + standard_normal_loss(z))
    order = mean_demand + forecast_error_sd * z
    profit = unit_price * (mean_demand - lost) + salvage_value * leftover - unit_cost * order
    return {"order": order, "safety_z": z, "expected_lost_sales": lost, "expected_leftover": leftover,
            "expected_profit": profit, "lost_sales_usd": (unit_price - unit_cost) * lost,
            "spoilage_usd": (unit_cost - salvage_value) * leftover}


def discounted_cash_flows(annual_net_usd, years: int, discount_rate):
    """Net cash of years 1..``years`` discounted to today: net / (1 + r)^t. [USD each]"""
    t = np.arange(1, years + 1, dtype=float)
    return np.asarray(annual_net_usd, dtype=float)[..., None] / (1.0 + np.asarray(discount_rate, dtype=float)[..., None]) ** t


def annuity_factor(years: int, discount_rate):
    """Sum over t = 1..years of 1 / (1 + r)^t (= years when r = 0)."""
    if discount_rate == 0:
        return float(years)
    return (1.0 - (1.0 + discount_rate) ** -years) / discount_rate


def net_present_value(one_off_usd, annual_net_usd, years: int, discount_rate):
    """NPV = -one-off + annual net x annuity factor (cash at the end of each year). [USD]"""
    return -np.asarray(one_off_usd, dtype=float) + np.asarray(annual_net_usd, dtype=float) * annuity_factor(years, discount_rate)


def payback_years(one_off_usd, annual_net_usd, discount_rate=0.0, horizon_years: int = 100) -> float:
    """Years until the discounted net cash repays the one-off cost; inf when it never does within the horizon.

    Cash comes evenly through each year, so the answer is fractional: a $100 build repaid by
    $40 a year, undiscounted, pays back in 2.5 years.
    """
    if one_off_usd <= 0 and annual_net_usd >= 0:
        return 0.0
    if annual_net_usd <= 0:
        return math.inf
    remaining = float(one_off_usd)
    for year in range(1, horizon_years + 1):
        cash = annual_net_usd / (1.0 + discount_rate) ** year
        if cash >= remaining:
            return year - 1 + remaining / cash
        remaining -= cash
    return math.inf


def break_even_deployments(shared_build_usd, net_per_deployment_per_year_usd, years: int, discount_rate) -> float:
    """Deployments (stores, product lines, client firms) whose discounted net repays a shared build. [deployments]

    N* = build / (net per deployment per year x annuity factor); inf when a deployment does not pay for itself.
    """
    value = net_per_deployment_per_year_usd * annuity_factor(years, discount_rate)
    return math.inf if value <= 0 else shared_build_usd / value


def refined_maximum(value_at, grid) -> tuple[float, float]:
    """The argument and value of the maximum of ``value_at`` over ``grid``, refined between the best point's neighbours.

    A sweep finds the best grid point; a bounded scalar search (Brent's method) between its
    neighbours then places the maximum to 1e-4 of the argument, for a function with one peak there.
    """
    from scipy.optimize import minimize_scalar

    points = sorted(float(x) for x in grid)
    values = [value_at(x) for x in points]
    best = int(np.argmax(values))
    low, high = points[max(best - 1, 0)], points[min(best + 1, len(points) - 1)]
    if high <= low:
        return points[best], values[best]
    found = minimize_scalar(lambda x: -value_at(x), bounds=(low, high), method="bounded", options={"xatol": 1e-4})
    if -found.fun >= values[best]:
        return float(found.x), float(-found.fun)
    return points[best], values[best]
