"""Series behind the estimate's charts: cost against target accuracy, the learning
curve eq. (1) implies, and each recommendation's cost breakdown. With pilot points
the cost curve follows the pilot's learning curve instead of eq. (1).

Training cost is linear in the images trained on in every cost mode (eq. (4);
GPU-hours are images x epochs / images/s), so one estimate gives each
architecture's cost per training image and the curves follow without re-running it.

Every error in the series is reported as results report it, within (0, 1]
(:func:`~dlcost.engine.uncertainty.reported_error`: eq. (1) exceeds 1 outside its
range), so every accuracy lies in [0, 1).
"""

from __future__ import annotations

import numpy as np

from dlcost import catalog
from dlcost.core import cost
from dlcost.engine.complexity import relative_complexity_of
from dlcost.engine.data_need import error_and_need_functions
from dlcost.engine.estimate import architecture_top1
from dlcost.engine.uncertainty import reported_error
from dlcost.schemas import Estimate

__all__ = ["chart_series"]


def chart_series(result: Estimate, n_points: int = 40, model: catalog.ErrorModel | None = None) -> dict:
    """Plot data for an estimate (plain lists, JSON-ready).

    Returns
    -------
    dict with
      ``cost_vs_accuracy``: target accuracies and, per recommended architecture,
      the total cost [USD] of reaching each (capped at the data limit, marked by
      ``data_limit_accuracy``);
      ``learning_curve``: data sizes [images] and the accuracy eq. (1) predicts;
      ``pilot``: with pilot points, the points and the chosen curve's error on a size grid;
      ``breakdown``: training and data cost per recommendation [USD].
    """
    scenario = result.inputs
    rc = relative_complexity_of(scenario)
    best = next((catalog.find_architecture(r.architecture) for r in result.recommendations[:1]), None)
    error_of, needed_of = error_and_need_functions(model or catalog.error_model(result.model), scenario, rc,
                                                   None if best is None else architecture_top1(best))
    pilot_curve = result.pilot["curve"] if result.pilot else None
    if pilot_curve is None:
        limit_error = float(error_of(scenario.data_max))
    else:
        limit_error = float(np.interp(np.log10(scenario.data_max), np.log10(pilot_curve["n_train"]), pilot_curve["error"]))
    limit_accuracy = 1.0 - reported_error(limit_error)

    low = max(0.5, min(scenario.target_accuracy, limit_accuracy) - 0.1)
    high = min(0.9995, max(scenario.target_accuracy, limit_accuracy) + 0.02)
    accuracies = np.linspace(low, high, n_points)
    if pilot_curve is None:
        needed = needed_of(1.0 - accuracies)
    else:  # the pilot's curve sized the data: invert it on its grid (errors fall along it)
        sizes_log = np.log10(pilot_curve["n_train"])
        errors = np.asarray(pilot_curve["error"])
        needed = 10.0 ** np.interp(1.0 - accuracies, errors[::-1], sizes_log[::-1], right=-np.inf, left=np.inf)
        needed = np.where(1.0 - accuracies < errors.min(), np.inf, needed)
    collected = cost.training_images(needed, scenario.data_max)
    data_cost = cost.data_cost_usd(scenario.cost_per_datapoint, collected, scenario.data_present)  # Eq. (5)
    series = []
    for rec in result.recommendations:
        per_image = rec.training_cost / rec.training_images if rec.training_images > 0 else 0.0
        trained = cost.images_trained_on(needed, np.full_like(needed, scenario.data_present), scenario.data_max,
                                         rec.cost_mode == "paper")
        series.append({"architecture": rec.architecture, "total_cost": (data_cost + per_image * trained).tolist()})  # Eq. (3)

    sizes = np.logspace(2, np.log10(max(scenario.data_max, result.data_needed or scenario.data_max, 1e3) * 10), n_points)
    curve = 1.0 - _reported(error_of(sizes))
    return {
        "cost_vs_accuracy": {
            "accuracy": accuracies.tolist(),
            "series": series,
            "target_accuracy": scenario.target_accuracy,
            "data_limit_accuracy": limit_accuracy,
        },
        "learning_curve": {
            "label": "dlcost-2026" if result.model == "dlcost-2026" else "eq. (1)",
            "data": sizes.tolist(),
            "accuracy": curve.tolist(),
            "data_present": scenario.data_present,
            "data_max": scenario.data_max,
            "data_needed": result.data_needed,
            "target_accuracy": scenario.target_accuracy,
        },
        "pilot": None if result.pilot is None else {
            "points": result.pilot["points"],
            "curve": {**pilot_curve, "error": _reported(pilot_curve["error"]).tolist()},
            "family": result.pilot["family_label"],
            "next_round_size": result.pilot["next_round_size"],
        },
        "breakdown": [
            {"architecture": rec.architecture, "training_cost": rec.training_cost, "data_cost": rec.data_cost}
            for rec in result.recommendations
        ],
    }


def _reported(errors) -> np.ndarray:
    """Errors within (0, 1], each as :func:`~dlcost.engine.uncertainty.reported_error` reports it. [fraction]"""
    return np.array([reported_error(float(error)) for error in np.ravel(errors)])
