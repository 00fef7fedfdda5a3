"""Scenario in, Estimate out: the one function every interface calls to price a project.

With dlcost-2026 (the default) each candidate's backbone (its ImageNet top-1) sets
its own data need and predicted error, so a better backbone can win by needing less
data. The regression of seed 000 (paper-2024, paper mode) does not depend on the
architecture: there every candidate needs the same data and they differ in training
cost (eq. (4), or GPU-hours in the realistic modes). Either way candidates that reach
the target rank first, by total cost (eq. (3)), ties broken by accuracy, then inference cost.
"""

from __future__ import annotations

import math
from dataclasses import fields

from dlcost import catalog
from dlcost.catalog import Architecture
from dlcost.catalog.hardware import HardwareCatalog, load_hardware
from dlcost.core import accuracy, cost, recommend
from dlcost.core.checks import InputError
from dlcost.engine.complexity import relative_complexity_of
from dlcost.engine.data_need import DataNeed, need_from_bounded, need_from_eq1, need_from_pilot, pilot_recommendation
from dlcost.engine.throughput_model import inference_figures, precision_peak
from dlcost.engine.training_compute import ComputeSettings, resolve_settings, training_compute
from dlcost.engine.uncertainty import Calibration, error_bounds, reported_error, shipped_calibration
from dlcost.schemas import ErrorPrediction, ErrorQuery, Estimate, Recommendation, Scenario

__all__ = ["estimate", "predict_error", "candidate_architectures", "range_warnings", "TASK_ARCHITECTURES"]

#: Catalog tasks an architecture must have to be ranked for a scenario's task.
TASK_ARCHITECTURES = {"classification": ("classification",), "segmentation": ("semantic_segmentation",)}


def candidate_architectures(names: list[str] | None, task: str = "classification") -> tuple[list[Architecture], list[str]]:
    """Catalog rows that can do ``task``: the named ones, or every default candidate; and the named ones that cannot."""
    allowed = TASK_ARCHITECTURES[task]
    if names is None:
        return [row for row in catalog.architectures() if row.default_candidate and row.task in allowed], []
    found = list({row.name: row for row in (catalog.find_architecture(name) for name in names)}.values())
    able = [row for row in found if row.task in allowed]
    unable = [f"{row.name} ({row.task.replace('_', ' ')})" for row in found if row.task not in allowed]
    if not able:
        raise InputError("architectures", f"architectures must include one that does {task} "
                                          f"({' or '.join(a.replace('_', ' ') for a in allowed)}); got {', '.join(unable)}.")
    return able, unable


def range_warnings(relative_complexity: float, n_images: float, error: float) -> list[str]:
    """Notes for inputs outside the range eq. (1) was fitted on (seed 000, "Limitations").

    ``error`` is eq. (1)'s own value: above 1, results report 1 (accuracy 0) and the note says so.
    """
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
    if not error < 1.0:  # nan included
        warnings.append(
            f"the predicted error {error:.3g} is above 1: the inputs are outside the range where eq. (1) is "
            "meaningful. It is reported as 100% error (accuracy 0%)."
        )
    elif not error > 0.0:
        warnings.append(f"the predicted error {error:.3g} is outside (0, 1): the inputs are outside the range "
                        "where eq. (1) is meaningful.")
    return warnings


def architecture_top1(architecture: Architecture) -> float | None:
    """ImageNet top-1 of a candidate's backbone: its own, or (segmentation) its backbone's; None: unknown. [fraction]"""
    if architecture.imagenet_top1 is not None:
        return architecture.imagenet_top1
    from dlcost.engine.bounded_fit import backbone_top1

    try:
        return backbone_top1(architecture.name)
    except InputError:
        return None


def _resolve_model(model: str | catalog.ErrorModel) -> catalog.ErrorModel:
    return catalog.error_model(model) if isinstance(model, str) else model


def _calibration(model: catalog.ErrorModel, level: float, method: str, calibration: Calibration | None) -> Calibration:
    if calibration is not None and calibration.level == level and calibration.method == method:
        return calibration
    return shipped_calibration(model, level, method)


def deployment(scenario: Scenario, settings: ComputeSettings, hardware: HardwareCatalog) -> dict:
    """The serving side of a scenario: hardware, precision, batch and price (defaults: the training GPU's)."""
    accelerator = settings.accelerator if scenario.deploy_hardware is None else hardware.find_accelerator(scenario.deploy_hardware, field="deploy_hardware")
    if scenario.deploy_price_per_hour is not None:
        price = (scenario.deploy_price_per_hour, "given")
    elif accelerator.name == settings.accelerator.name and settings.price_per_gpu_hour_usd is not None:
        price = (settings.price_per_gpu_hour_usd, settings.price_source)
    else:
        listed = hardware.default_price(accelerator, None, 1)
        price = (None, "none listed") if listed is None else (
            listed.on_demand_usd_per_gpu_hour, f"{listed.provider} {listed.instance} on-demand, {listed.price_date}")
    precision, notes = scenario.deploy_precision or scenario.precision, []
    if scenario.deploy_precision is None:  # the training precision, unless the serving hardware lacks it
        try:
            precision_peak(accelerator, precision)
        except InputError:
            precision = "fp16" if accelerator.fp16_tflops else "fp32"
            notes.append(f"serving on {accelerator.name} in {precision}: it has no {scenario.precision} (the training precision).")
    if scenario.quantization_speedup is not None and precision != "int8":
        notes.append(f"quantization_speedup applies to int8 serving only; serving runs {precision}.")
    return dict(accelerator=accelerator, precision=precision, batch_size=scenario.deploy_batch_size, price=price, notes=notes)


def _serving(architecture: Architecture, scenario: Scenario, serving: dict, hardware: HardwareCatalog, mode: str):
    try:
        return inference_figures(architecture, serving["accelerator"], serving["precision"], serving["batch_size"], hardware,
                                 mode=mode, stack=scenario.stack, pruning=scenario.pruning,
                                 quantization_speedup=scenario.quantization_speedup, price=serving["price"])
    except InputError as why:
        if why.field == "precision":
            raise InputError("deploy_precision", str(why).replace("precision ", "deploy_precision ", 1)) from None
        raise


def _row(architecture: Architecture, scenario: Scenario, need: DataNeed, settings: ComputeSettings,
         hardware: HardwareCatalog, serving: dict) -> dict:
    """One candidate priced: Figure 2's outputs plus GPU-hours, energy, CO2 and the cost of serving it."""
    requested = scenario.cost_mode
    physical_mode = "flops" if requested == "flops" else "measured"

    def trained_on(n_needed: float) -> float:
        return float(cost.images_trained_on(n_needed, scenario.data_present, scenario.data_max, requested == "paper"))

    n_training = trained_on(need.data_needed)
    job = training_compute(architecture, n_training, scenario.epochs, settings, hardware, physical_mode)
    if requested == "paper":
        flops = float(cost.training_flops(cost.paper_forward_flops(architecture.n_parameters), n_training, scenario.epochs, scenario.runs))
        training_cost = float(cost.training_cost_usd(flops, scenario.cost_per_flop))  # Eq. (4)
    else:
        flops = float(cost.training_flops(architecture.forward_gflops * 1e9, n_training, scenario.epochs, scenario.runs))
        training_cost = job.training_cost
    per_image = training_cost / n_training if n_training > 0 else 0.0

    def total_at(n_needed: float) -> float:
        """Eq. (3) at another data need: training cost is linear in the images trained on."""
        collected = cost.training_images(n_needed, scenario.data_max)
        return per_image * trained_on(n_needed) + float(cost.data_cost_usd(scenario.cost_per_datapoint, collected, scenario.data_present))

    data_cost = float(cost.data_cost_usd(scenario.cost_per_datapoint, need.n_sized, scenario.data_present))  # Eq. (5)
    total = float(cost.total_cost_usd(training_cost, data_cost))  # Eq. (3)
    unbounded = math.isinf(need.needed_high) and math.isinf(scenario.data_max)
    return dict(
        architecture=architecture.name, cost_mode=requested or ('flops' if job.throughput_source == 'flops' else 'measured'), n_parameters=architecture.n_parameters,
        inference_gflops=architecture.forward_gflops, data_needed=None if math.isinf(need.data_needed) else need.data_needed,
        training_images=n_training, additional_data=float(cost.additional_images(need.n_sized, scenario.data_present)),
        training_flops=flops, training_cost=training_cost, data_cost=data_cost, total_cost=total,
        data_needed_low=None if math.isinf(need.needed_low) else need.needed_low, data_needed_high=None if math.isinf(need.needed_high) else need.needed_high,
        # min/max: the bounds are monotone in the images, and hold the point despite rounding
        total_cost_low=min(total, total_at(need.needed_low)),
        total_cost_high=None if unbounded else max(total, total_at(need.needed_high)),
        gpu=settings.accelerator.name, throughput_source=job.throughput_source, images_per_s=job.images_per_s,
        bound=job.bound, gpu_hours=job.gpu_hours, wall_clock_hours=job.wall_clock_hours, compute_cost=job.compute_cost,
        energy_kwh=job.energy_kwh, co2_kg=job.co2_kg, electricity_cost=job.electricity_cost,
        **_serving_fields(_serving(architecture, scenario, serving, hardware, physical_mode)),
    )


def _serving_fields(figures) -> dict:
    return dict(deploy_hardware=figures.hardware, inference_images_per_s=figures.images_per_s,
                inference_latency_ms=figures.latency_ms, inference_source=figures.throughput_source,
                cost_per_1000_predictions=figures.cost_per_1000_predictions)


def _priced_rows(scenario: Scenario, need_of, hardware: HardwareCatalog) -> tuple[list[dict], list[str], ComputeSettings]:
    """Every candidate priced at its own data need (``need_of(architecture)``: one need for all under eq. (1))."""
    settings = resolve_settings(scenario, hardware, need_price=scenario.cost_mode != "paper")
    serving = deployment(scenario, settings, hardware)
    architectures, unable = candidate_architectures(scenario.architectures, scenario.task)
    rows = []
    for architecture in architectures:
        need = need_of(architecture)
        row = _row(architecture, scenario, need, settings, hardware, serving)
        row["_need"] = need
        rows.append(row)
    notes = list(serving["notes"])
    _, used = precision_peak(settings.accelerator, scenario.precision)
    if used != scenario.precision:
        notes.append(f"{settings.accelerator.name} has no {scenario.precision}: training is priced in {used}.")
    if unable:
        notes.append(f"not ranked: {', '.join(unable)} cannot do {scenario.task}.")
    unmeasured = [r["architecture"] for r in rows if r["throughput_source"] == "flops"]
    if unmeasured and scenario.cost_mode == "measured":
        notes.append(f"no measured throughput for {', '.join(unmeasured)}: their training figures come from the roofline (flops).")
    return rows, notes, settings


def _reach(scenario: Scenario, need: DataNeed) -> tuple[float, bool]:
    """The best accuracy reachable within data_max, and whether the target is."""
    reachable = need.data_needed <= scenario.data_max
    return (scenario.target_accuracy if reachable else 1.0 - need.reached_error), reachable


def _ranked(rows: list[dict], scenario: Scenario) -> tuple[list[Recommendation], list[str]]:
    """Cheapest first (eq. (3)); a candidate that cannot reach the target ranks after those that can."""
    tolerance = catalog.defaults()["tie_tolerance"]
    reach = [_reach(scenario, row["_need"]) for row in rows]
    ranked, tied = recommend.rank_candidates(
        [(r["training_cost"], r["data_cost"]) for r in rows], [accuracy for accuracy, _ in reach],
        [r["inference_gflops"] for r in rows], [r["architecture"] for r in rows], scenario.top, tolerance,
        feasible=[ok for _, ok in reach])
    recommendations = [Recommendation(rank=rank, max_achievable_accuracy=reach[index][0], feasible=reach[index][1],
                                      predicted_error=rows[index]["_need"].reached_error, tied_on_cost=index in tied,
                                      **{k: v for k, v in rows[index].items() if k != "_need"})
                       for rank, index in enumerate(ranked, start=1)]
    names = [rows[index]["architecture"] for index in sorted(tied)]
    notes = [f"{', '.join(names)} tie on cost (within {tolerance:.0%}): ranked by predicted accuracy, then inference "
             "cost (forward FLOPs per image)."] if tied else []
    return recommendations, notes


def estimate(
    scenario: Scenario,
    model: str | catalog.ErrorModel | None = None,
    hardware: HardwareCatalog | None = None,
    calibration: Calibration | None = None,
) -> Estimate:
    """Data needed, costs and the ``top`` cheapest architectures for a scenario.

    Eq. (1) inverted (or the scenario's pilot curve) gives the images needed for the
    target; training is priced by the cost mode (``paper``: eq. (4) on
    min(needed, data_max) images; ``flops``/``measured``: GPU-hours x $/GPU-hour on
    all the data the team will hold, see :mod:`dlcost.engine.training_compute`) and
    collecting what is missing by eq. (5). When the target is out of reach, costs are
    those of the best reachable accuracy and a warning says so.

    Computes from its arguments only: ``hardware`` defaults to the shipped catalog
    (pass :func:`dlcost.iotools.user_files.load_user_hardware` for a user's config and
    saved measurements) and ``calibration`` to the shipped observations.
    """
    hardware = hardware if hardware is not None else load_hardware()
    model = _resolve_model(catalog.default_model(scenario.cost_mode) if model is None else model)
    rc = relative_complexity_of(scenario)
    if scenario.pilot_points:
        shared = need_from_pilot(scenario, model)
    elif model.form == "eq1":
        shared = need_from_eq1(scenario, model, rc, _calibration(model, scenario.interval_level, scenario.interval_method, calibration))
    else:
        shared = None  # dlcost-2026: each backbone has its own need
    rows, notes, settings = _priced_rows(
        scenario, (lambda _: shared) if shared is not None else (lambda a: need_from_bounded(scenario, model, rc, architecture_top1(a))),
        hardware)
    recommendations, tie_notes = _ranked(rows, scenario)
    need = shared if shared is not None else next(r["_need"] for r in rows if r["architecture"] == recommendations[0].architecture)
    max_accuracy, reachable = _reach(scenario, need)
    raw_error = need.reached_error if need.error_clamped is None else need.error_clamped
    warnings = range_warnings(rc, need.n_sized, raw_error) + _reach_warnings(scenario, need, max_accuracy)
    warnings += notes + tie_notes
    extrapolated = [r.architecture for r in recommendations if r.throughput_source.startswith("extrapolated")]
    if extrapolated and scenario.cost_mode != "paper":
        warnings.append(f"throughput of {', '.join(extrapolated)} on {settings.accelerator.name} is extrapolated from another GPU "
                        "(roofline scaling, docs/throughput.md).")
    hardware_inputs = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name != "accelerator"}
    return Estimate(
        model=model.name, cost_mode=scenario.cost_mode or "auto", inputs=scenario, relative_complexity=rc,
        target_error=1.0 - scenario.target_accuracy, data_needed=None if math.isinf(need.data_needed) else need.data_needed,
        data_need_source=need.source, target_reachable=reachable, max_achievable_accuracy=max_accuracy,
        accuracy_at_data_max=1.0 - need.error_at_data_max, predicted_error=need.reached_error,
        predicted_error_low=need.error_low, predicted_error_high=need.error_high, interval=need.interval,
        pilot=None if need.pilot is None else _pilot_summary(need.pilot, need.collection_plan),
        pilot_recommendation=pilot_recommendation(scenario, model, need, _per_image(recommendations[0])),
        hardware={**hardware_inputs, "gpu": settings.accelerator.name}, recommendations=recommendations, warnings=warnings,
    )


def _per_image(recommendation: Recommendation) -> float:
    """Training cost per image trained on of a candidate (linear in the images). [USD per image]"""
    return recommendation.training_cost / recommendation.training_images if recommendation.training_images > 0 else 0.0


def _reach_warnings(scenario: Scenario, need: DataNeed, max_accuracy: float) -> list[str]:
    if need.data_needed <= scenario.data_max:
        return []
    if not math.isinf(need.data_needed):
        reason = f"({scenario.data_max:,.0f} images): it needs {_count(need.data_needed)}. "
    elif need.pilot is not None and need.pilot.unreachable_message:
        reason = f"({scenario.data_max:,.0f} images): {need.pilot.unreachable_message} "
    else:
        reason = f"({scenario.data_max:,.0f} images): no finite number of images reaches it. "
    metric = "mean IoU" if scenario.task == "segmentation" else "accuracy"
    return [f"target {metric} {scenario.target_accuracy:.2%} is not reachable within data_max {reason}"
            f"Costs are for the best reachable {metric}, {max_accuracy:.2%}."]


def _count(n_images: float) -> str:
    """Images in a message: whole numbers, or 3 significant digits beyond a million billion."""
    return f"{n_images:,.0f}" if n_images < 1e15 else f"{n_images:.3g}"


def _pilot_summary(result, plan: dict | None = None) -> dict:
    keys = ("method", "family", "family_label", "equation", "parameters", "floor", "reachable", "data_needed",
            "data_needed_low", "data_needed_high", "data_needed_aim", "next_round_size", "next_round_total", "points", "notes")
    document = result.to_dict()
    chosen = next((series for series in result.curves["series"] if series["chosen"]), None)
    curve = None if chosen is None else {"n_train": result.curves["n_train"], "error": chosen["error"], "label": chosen["label"]}
    summary = {key: document[key] for key in keys} | {"tau": result.inputs.tau, "curve": curve, "collection_plan": plan}
    if plan is not None:  # the plan's first round replaces the aim-at-target+tau heuristic
        first = plan["round_totals_images"][0] if plan["round_totals_images"] else plan["n_held"]
        summary["next_round_total"] = first
        summary["next_round_size"] = max(0.0, first - plan["n_held"])
    return summary


def predict_error(
    query: ErrorQuery, model: str | catalog.ErrorModel | None = None, calibration: Calibration | None = None
) -> ErrorPrediction:
    """Eq. (1): the error predicted after training on ``query.data`` images, with its interval."""
    model = _resolve_model(catalog.default_model() if model is None else model)
    rc = relative_complexity_of(query)
    segmentation = query.task == "segmentation"
    if model.form == "bounded":
        return _predict_bounded(query, model, rc)
    raw_error = float(accuracy.predicted_error(query.data, rc, query.pretrained, segmentation, model.coefficients))  # Eq. (1)
    error = reported_error(raw_error)  # within (0, 1]; range_warnings notes a clamp
    calibration = _calibration(model, query.interval_level, query.interval_method, calibration)
    low, high = error_bounds(calibration, query.data, rc, query.pretrained, segmentation)
    return ErrorPrediction(
        model=model.name, data=query.data, relative_complexity=rc, pretrained=query.pretrained, task=query.task,
        error=error, error_low=low, error_high=high, accuracy=1.0 - error, interval=calibration.describe(),
        warnings=range_warnings(rc, query.data, raw_error),
    )


def _predict_bounded(query: ErrorQuery, model: catalog.ErrorModel, rc: float) -> ErrorPrediction:
    """dlcost-2026's error after ``query.data`` images, for a backbone at the reference (ResNet-50)."""
    from dlcost.engine.complexity import baseline_entropy_nats
    from dlcost.core.bounded_error import LineInLogData
    from dlcost.engine.data_need import bounded_inputs, bounded_interval, z_quantile

    baseline = baseline_entropy_nats(query.baseline_classes, query.baseline_class_counts)
    x_centre, chance = bounded_inputs(query.task, rc, query.pretrained, None, baseline)
    error, low, high = LineInLogData.of(model.bounded, x_centre, chance).interval(query.data, z_quantile(query.interval_level))
    error = reported_error(error)
    interval = bounded_interval(model, query.interval_level)
    return ErrorPrediction(
        model=model.name, data=query.data, relative_complexity=rc, pretrained=query.pretrained, task=query.task,
        error=error, error_low=min(low, error), error_high=max(high, error), accuracy=1.0 - error, interval=interval,
        warnings=[f"chance error is {chance:.1%}: dlcost-2026 never predicts worse than a guess."] if error > 0.9 * chance else [],
    )
