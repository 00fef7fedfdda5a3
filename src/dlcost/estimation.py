"""Joins the numeric core with the catalog: Scenario in, Estimate out.

The regression of seed 000 does not depend on the architecture, so in ``paper``
cost mode every candidate needs the same data and reaches the same accuracy; they
differ in training cost (eq. (4): 2 x parameters per image) and are ranked by
total cost (eq. (3)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from dlcost import catalog
from dlcost.catalog import Architecture
from dlcost.catalog.hardware import HardwareCatalog
from dlcost.core import accuracy, complexity, cost, recommend
from dlcost.models import ErrorPrediction, ErrorQuery, Estimate, Recommendation, Scenario
from dlcost.training_compute import has_measurement, resolve_settings, training_compute
from dlcost.uncertainty import Calibration, data_needed_bounds, default_calibration, error_bounds

__all__ = ["estimate", "predict_error", "candidate_architectures", "scenario_relative_complexity"]


def scenario_relative_complexity(inputs: Scenario | ErrorQuery) -> float:
    """RC of the inputs' target classes over their baseline (ImageNet-1000 by default)."""
    counts = inputs.target_class_counts()
    target = complexity.class_entropy(counts) if counts is not None else complexity.uniform_class_entropy(inputs.classes)
    baseline_counts = inputs.baseline_counts()
    if baseline_counts is not None:
        baseline = complexity.class_entropy(baseline_counts)
    else:
        baseline = complexity.uniform_class_entropy(inputs.baseline_classes or catalog.defaults()["baseline_classes"])
    return complexity.relative_complexity(target, baseline)


def candidate_architectures(names: list[str] | None) -> list[Architecture]:
    """Catalog rows for the named architectures, or every default candidate."""
    if names is None:
        return [row for row in catalog.architectures() if row.default_candidate]
    found = [catalog.find_architecture(name) for name in names]
    return list({row.name: row for row in found}.values())


def _range_warnings(relative_complexity: float, n_images: float, error: float) -> list[str]:
    """Notes for inputs outside the range eq. (1) was fitted on (seed 000, "Limitations")."""
    fitted = catalog.fitted_range()
    warnings = []
    if relative_complexity > fitted["max_relative_complexity"]:
        warnings.append(
            f"relative complexity {relative_complexity:.3f} is above 1: the target is harder than "
            "the baseline, outside the range the regression was fitted on."
        )
    if not fitted["min_images"] <= n_images <= fitted["max_images"]:
        warnings.append(
            f"{n_images:,.0f} training images is outside the 1,000 to 10,000,000 the regression "
            "was fitted on: the prediction is an extrapolation."
        )
    if not 0.0 < error < 1.0:
        warnings.append(
            f"the predicted error {error:.3g} is outside (0, 1): the inputs are outside the range "
            "where eq. (1) is meaningful."
        )
    return warnings


def _resolve_model(model: str | catalog.ErrorModel) -> catalog.ErrorModel:
    return catalog.error_model(model) if isinstance(model, str) else model


def _calibration(model: catalog.ErrorModel, level: float, method: str, calibration: Calibration | None) -> Calibration:
    if calibration is not None and calibration.level == level and calibration.method == method:
        return calibration
    if method == "ols":
        from dlcost.uncertainty import calibrate

        return calibrate(model, [], level, "ols")
    return default_calibration(model, level)


def estimate(
    scenario: Scenario,
    model: str | catalog.ErrorModel = catalog.DEFAULT_MODEL,
    hardware: HardwareCatalog | None = None,
    calibration: Calibration | None = None,
) -> Estimate:
    """Data needed, costs and the ``top`` cheapest architectures for a scenario.

    Eq. (1) inverted gives the images needed for the target; training on
    min(needed, data_max) images is priced by the cost mode (``paper``: eq. (4);
    ``flops``/``measured``: GPU-hours x $/GPU-hour, see :mod:`dlcost.training_compute`)
    and collecting what is missing by eq. (5). When the target is out of reach,
    costs are those of reaching the best reachable accuracy (training on
    data_max) and a warning says so. GPU-hours, energy and CO2 are reported in
    every mode.
    """
    if hardware is None:
        from dlcost.config import load_user_hardware

        hardware = load_user_hardware()
    model = _resolve_model(model)
    rc = scenario_relative_complexity(scenario)
    target_error = 1.0 - scenario.target_accuracy
    need = (_need_from_pilot(scenario, model) if scenario.pilot_points
            else _need_from_eq1(scenario, model, rc, _calibration(model, scenario.interval_level, scenario.interval_method, calibration)))
    data_needed, n_training, reached_error = need.data_needed, need.n_training, need.reached_error
    error_low, error_high, needed_low, needed_high = need.error_low, need.error_high, need.needed_low, need.needed_high
    pilot_result = need.pilot
    reachable = data_needed <= scenario.data_max
    max_accuracy = scenario.target_accuracy if reachable else 1.0 - reached_error
    data_cost = float(cost.data_cost_usd(scenario.cost_per_datapoint, n_training, scenario.data_present))
    additional = float(cost.additional_images(n_training, scenario.data_present))
    bounded_low = float(cost.training_images(needed_low, scenario.data_max))
    bounded_high = float(cost.training_images(needed_high, scenario.data_max))

    def total_at(n_images: float, training_cost_per_image: float) -> float:
        """Eq. (3) at another data need: training cost is linear in images trained on."""
        data = float(cost.data_cost_usd(scenario.cost_per_datapoint, n_images, scenario.data_present))
        return training_cost_per_image * n_images + data

    requested_mode = scenario.cost_mode
    settings = resolve_settings(scenario, hardware, need_price=requested_mode != "paper")
    rows, unmeasured = [], []
    for architecture in candidate_architectures(scenario.architectures):
        measured = has_measurement(hardware, architecture)
        if requested_mode == "measured" and not measured:
            unmeasured.append(architecture.name)
            continue
        physical_mode = "measured" if measured and requested_mode != "flops" else "flops"
        job = training_compute(architecture, n_training, scenario.epochs, settings, hardware, physical_mode)
        if requested_mode == "paper":
            mode = "paper"
            flops = float(cost.training_flops(cost.paper_forward_flops(architecture.n_parameters), n_training, scenario.epochs, scenario.runs))
            training_cost = float(cost.training_cost_usd(flops, scenario.cost_per_flop))
        else:
            mode = physical_mode
            flops = float(cost.training_flops(architecture.forward_gflops * 1e9, n_training, scenario.epochs, scenario.runs))
            training_cost = job.training_cost
        rows.append(
            dict(
                architecture=architecture.name, cost_mode=mode, n_parameters=architecture.n_parameters,
                max_achievable_accuracy=max_accuracy, data_needed=None if math.isinf(data_needed) else data_needed,
                training_images=n_training,
                additional_data=additional, training_flops=flops, training_cost=training_cost, data_cost=data_cost,
                total_cost=float(cost.total_cost_usd(training_cost, data_cost)), feasible=reachable,
                data_needed_low=needed_low, data_needed_high=None if math.isinf(needed_high) else needed_high,
                total_cost_low=total_at(bounded_low, training_cost / n_training),
                total_cost_high=None if math.isinf(needed_high) and math.isinf(scenario.data_max)
                else total_at(bounded_high, training_cost / n_training),
                gpu=settings.accelerator.name, throughput_source=job.throughput_source, images_per_s=job.images_per_s,
                bound=job.bound, gpu_hours=job.gpu_hours, wall_clock_hours=job.wall_clock_hours,
                compute_cost=job.compute_cost, energy_kwh=job.energy_kwh, co2_kg=job.co2_kg,
                electricity_cost=job.electricity_cost,
            )
        )
    if not rows:
        raise ValueError(
            f"cost_mode measured needs a measured throughput; none for {', '.join(unmeasured)}. "
            "Use cost_mode flops, or measure with `dlcost bench --save`."
        )
    ranked = recommend.rank_by_total_cost([r["total_cost"] for r in rows], [r["architecture"] for r in rows], scenario.top)
    recommendations = [Recommendation(rank=rank, **rows[index]) for rank, index in enumerate(ranked, start=1)]

    warnings = _range_warnings(rc, n_training, reached_error)
    if not reachable:
        warnings.append(
            f"target accuracy {scenario.target_accuracy:.2%} is not reachable within data_max "
            + (f"({scenario.data_max:,.0f} images): it needs {data_needed:,.0f}. " if not math.isinf(data_needed)
               else f"({scenario.data_max:,.0f} images): {pilot_result.unreachable_message} ")
            + f"Costs are for the best reachable accuracy, {max_accuracy:.2%}."
        )
    if unmeasured:
        warnings.append(f"not ranked in measured mode (no measured throughput): {', '.join(unmeasured)}.")
    extrapolated = [r.architecture for r in recommendations if r.throughput_source == "extrapolated"]
    if extrapolated and requested_mode != "paper":
        warnings.append(
            f"throughput of {', '.join(extrapolated)} on {settings.accelerator.name} is extrapolated from another GPU "
            "(roofline scaling, docs/cost-modes.md)."
        )
    hardware_inputs = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "accelerator"}
    hardware_inputs["gpu"] = settings.accelerator.name
    return Estimate(
        model=model.name,
        cost_mode=requested_mode or "auto",
        inputs=scenario,
        relative_complexity=rc,
        target_error=target_error,
        data_needed=None if math.isinf(data_needed) else data_needed,
        data_need_source=need.source,
        target_reachable=reachable,
        max_achievable_accuracy=max_accuracy,
        predicted_error=reached_error,
        predicted_error_low=error_low,
        predicted_error_high=error_high,
        interval=need.interval,
        pilot=None if pilot_result is None else _pilot_summary(pilot_result),
        hardware=hardware_inputs,
        recommendations=recommendations,
        warnings=warnings,
    )


@dataclass(frozen=True)
class _DataNeed:
    """Images needed for the target, the error reached, and their intervals."""

    data_needed: float  # inf: no size reaches the target
    n_training: float
    reached_error: float
    error_low: float
    error_high: float
    needed_low: float
    needed_high: float  # inf: unbounded
    interval: dict
    source: str
    pilot: object = None


def _need_from_eq1(scenario: Scenario, model: catalog.ErrorModel, rc: float, calibration: Calibration) -> _DataNeed:
    """Eq. (1) inverted, with the calibrated interval carried through its monotone relation."""
    coef, segmentation, target_error = model.coefficients, scenario.task == "segmentation", 1.0 - scenario.target_accuracy
    data_needed = float(accuracy.images_needed(target_error, rc, scenario.pretrained, segmentation, coef))
    n_training = float(cost.training_images(data_needed, scenario.data_max))
    error_low, error_high = error_bounds(calibration, n_training, rc, scenario.pretrained, segmentation)
    needed_low, needed_high = data_needed_bounds(calibration, target_error, rc, scenario.pretrained, segmentation, data_needed)
    return _DataNeed(
        data_needed, n_training, float(accuracy.predicted_error(n_training, rc, scenario.pretrained, segmentation, coef)),
        error_low, error_high, needed_low, needed_high, calibration.describe(), f"eq. (1), {model.name}",
    )


def _need_from_pilot(scenario: Scenario, model: catalog.ErrorModel) -> _DataNeed:
    """The pilot's learning curve sizes the data (eq. (1) only as its prior)."""
    result, fit_at_training = _fit_pilot(scenario, model)
    data_needed = result.data_needed if result.reachable and result.data_needed else math.inf
    prediction = fit_at_training.prediction
    interval = {"level": scenario.interval_level, "method": f"pilot learning curve: {result.interval['method']}",
                "n_observations": len(result.points), "n_datasets": 1,
                "calibration": f"{len(result.points)} pilot points; {result.family_label}",
                "low_log10": None, "high_log10": None}
    return _DataNeed(
        data_needed, float(cost.training_images(data_needed, scenario.data_max)),
        1.0 - scenario.target_accuracy if data_needed <= scenario.data_max else prediction["error"],
        prediction["error_low"], prediction["error_high"], result.data_needed_low or 1.0,
        result.data_needed_high if result.data_needed_high is not None else math.inf,
        interval, f"pilot: {result.family_label}", result,
    )


def _fit_pilot(scenario: Scenario, model: catalog.ErrorModel):
    """The learning curve of the scenario's pilot points, and its prediction at the images trained on.

    The curve is fitted once to size the data (prediction at data_max), and again for
    the prediction at the images actually trained on when that is fewer.
    """
    from dlcost.learning_curves import LearningCurveQuery, fit_pilot

    def query(predict_n_train: float) -> LearningCurveQuery:
        return LearningCurveQuery(
            points=scenario.pilot_points, target_accuracy=scenario.target_accuracy, task=scenario.task,
            classes=scenario.classes, class_counts=scenario.class_counts, pretrained=scenario.pretrained,
            tau=scenario.tau, interval_level=scenario.interval_level, data_max=scenario.data_max,
            predict_n_train=predict_n_train,
        )

    result = fit_pilot(query(scenario.data_max), model)
    needed = result.data_needed if result.reachable and result.data_needed else math.inf
    if needed >= scenario.data_max:
        return result, result
    return result, fit_pilot(query(needed), model)


def _pilot_summary(result) -> dict:
    keys = ("method", "family", "family_label", "equation", "parameters", "floor", "reachable", "data_needed",
            "data_needed_low", "data_needed_high", "data_needed_aim", "next_round_size", "next_round_total", "points", "notes")
    document = result.to_dict()
    chosen = next((series for series in result.curves["series"] if series["chosen"]), None)
    curve = None if chosen is None else {"n_train": result.curves["n_train"], "error": chosen["error"], "label": chosen["label"]}
    return {key: document[key] for key in keys} | {"tau": result.inputs.tau, "curve": curve}


def predict_error(
    query: ErrorQuery, model: str | catalog.ErrorModel = catalog.DEFAULT_MODEL, calibration: Calibration | None = None
) -> ErrorPrediction:
    """Eq. (1): the error predicted after training on ``query.data`` images, with its interval."""
    model = _resolve_model(model)
    coef = model.coefficients
    rc = query.relative_complexity if query.relative_complexity is not None else scenario_relative_complexity(query)
    segmentation = query.task == "segmentation"
    error = float(accuracy.predicted_error(query.data, rc, query.pretrained, segmentation, coef))
    calibration = _calibration(model, query.interval_level, query.interval_method, calibration)
    low, high = error_bounds(calibration, query.data, rc, query.pretrained, segmentation)
    return ErrorPrediction(
        model=model.name,
        data=query.data,
        relative_complexity=rc,
        pretrained=query.pretrained,
        task=query.task,
        error=error,
        error_low=low,
        error_high=high,
        accuracy=1.0 - error,
        interval=calibration.describe(),
        warnings=_range_warnings(rc, query.data, error),
    )
