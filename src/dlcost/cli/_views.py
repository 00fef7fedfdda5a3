"""Human-readable tables for the CLI (rich). Percent and rounding live only here."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table

from dlcost.schemas import ErrorPrediction, Estimate


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _images(value: float) -> str:
    return f"{value:,.0f}"


def _bound(value, show) -> str:
    return "unbounded" if value is None else show(value)  # None: no data size is enough


def _hours(value: float) -> str:
    return f"{value:,.1f} h" if value < 48 else f"{value / 24:,.1f} days"


def _percent(value: float) -> str:
    return f"{value:.2%}"


def _warnings(warnings: list[str]) -> list[str]:
    return [f"[yellow]Warning {number}:[/] {text}" for number, text in enumerate(warnings, start=1)]


def estimate_view(result: Estimate) -> Group:
    """Figure 2 of seed 000: the inputs, then the ranked recommendations."""
    scenario = result.inputs
    metric = "mean IoU" if scenario.task == "segmentation" else "accuracy"
    inputs = Table(title="Inputs", show_header=False, title_justify="left")
    inputs.add_column("input", style="bold")
    inputs.add_column("value", justify="right")
    inputs.add_row("Task", scenario.task.capitalize())
    inputs.add_row(f"Target {metric}", _percent(scenario.target_accuracy))
    inputs.add_row("Limit of datapoints", _images(scenario.data_max))
    inputs.add_row("$ per datapoint", _usd(scenario.cost_per_datapoint))
    inputs.add_row("Datapoints present", _images(scenario.data_present))
    counts = scenario.class_counts
    if counts is None:
        inputs.add_row("Number of classes", str(scenario.classes))
    else:
        labelled = counts.items() if isinstance(counts, dict) else ((f"class {i + 1}", c) for i, c in enumerate(counts))
        for label, count in list(labelled)[:12]:
            inputs.add_row(f"  {label}", _images(count))
        if len(counts) > 12:
            inputs.add_row("  ...", f"{len(counts)} classes")
    inputs.add_row("Relative complexity", f"{result.relative_complexity:.4f}")
    inputs.add_row("Pretrain", str(scenario.pretrained).upper())
    inputs.add_row("$ per FLOP", f"{scenario.cost_per_flop:.3g}")
    inputs.add_row("Epochs to train", f"{scenario.epochs:g}")
    inputs.add_row("Cost mode / model", f"{result.cost_mode} / {result.model}")

    # Figure 2 stacks each recommendation's outputs; here they stand side by side.
    outputs = Table(title="Recommendations (cheapest first)", title_justify="left")
    outputs.add_column("", style="bold")
    ordinal = {1: "Best model", 2: "2nd best", 3: "3rd best"}
    for rec in result.recommendations:
        outputs.add_column(ordinal.get(rec.rank, f"{rec.rank}th best"), justify="right")
    recs = result.recommendations
    outputs.add_row("Model", *(rec.architecture + (" (tie)" if rec.tied_on_cost else "") for rec in recs))
    outputs.add_row(f"Max achievable {metric}", *(_percent(rec.max_achievable_accuracy) for rec in recs))
    outputs.add_row(f"Best {metric} at the data limit", *(_percent(result.accuracy_at_data_max) for _ in recs))
    outputs.add_row("Model training cost", *(_usd(rec.training_cost) for rec in recs))
    outputs.add_row("Data cost", *(_usd(rec.data_cost) for rec in recs))
    outputs.add_row("Data needed (total)", *(_bound(rec.data_needed, _images) for rec in recs))
    level = f"{result.interval['level']:.0%}"
    outputs.add_row(f"  {level} range", *(f"{_bound(rec.data_needed_low, _images)}-{_bound(rec.data_needed_high, _images)}" for rec in recs))
    outputs.add_row("Additional data to collect", *(_images(rec.additional_data) for rec in recs))
    outputs.add_row("Total cost", *(_usd(rec.total_cost) for rec in recs))
    outputs.add_row(f"  {level} range", *(f"{_usd(rec.total_cost_low)}-{_bound(rec.total_cost_high, _usd)}" for rec in recs))
    outputs.add_row("Target reachable", *("yes" if rec.feasible else "no" for rec in recs))
    outputs.add_row("Cost mode", *(rec.cost_mode for rec in recs))
    outputs.add_row(f"GPU-hours ({result.hardware['gpu']})", *(f"{rec.gpu_hours:,.1f}" for rec in recs))
    outputs.add_row(f"Wall clock on {scenario.gpus} GPU(s)", *(_hours(rec.wall_clock_hours) for rec in recs))
    outputs.add_row("Images/s per GPU (source)", *(f"{rec.images_per_s:,.0f} ({rec.throughput_source})" for rec in recs))
    outputs.add_row("Bound by", *(rec.bound for rec in recs))
    outputs.add_row("Compute cost", *("-" if rec.compute_cost is None else _usd(rec.compute_cost) for rec in recs))
    outputs.add_row("Energy", *(f"{rec.energy_kwh:,.1f} kWh" for rec in recs))
    outputs.add_row("CO2", *(f"{rec.co2_kg:,.1f} kg" for rec in recs))
    if scenario.price_per_kwh is not None:
        outputs.add_row("Electricity cost", *(_usd(rec.electricity_cost or 0.0) for rec in recs))
    outputs.add_row(f"Serving images/s ({recs[0].deploy_hardware}, batch {scenario.deploy_batch_size})",
                    *(f"{rec.inference_images_per_s:,.0f} ({rec.inference_source})" for rec in recs))
    outputs.add_row("$ per 1,000 predictions", *("-" if rec.cost_per_1000_predictions is None else f"${rec.cost_per_1000_predictions:.3g}"
                                                  for rec in recs))
    hardware = result.hardware
    price = "-" if hardware["price_per_gpu_hour_usd"] is None else _usd(hardware["price_per_gpu_hour_usd"])
    outputs.caption = (
        f"{hardware['gpu']} {hardware['precision']}, {price}/GPU-h ({hardware['price_source']}); "
        f"grid {hardware['grid_gco2_per_kwh']:.0f} gCO2/kWh ({hardware['grid_source']}); PUE {hardware['pue']:g} ({hardware['pue_source']}); "
        f"{hardware['power_w']:,.0f} W per GPU ({hardware['power_source']}); stack {hardware['stack']}, decode on {hardware['decode']}"
    )
    note = _ranges_note(result)
    advice = pilot_advice(result.pilot_recommendation)
    return Group(inputs, outputs, note, *([advice] if advice else []), *_warnings(result.warnings))



def _ranges_note(result: Estimate) -> str:
    """Where the ranges come from, and with a pilot its collection plan (or next round)."""
    interval = result.interval
    if result.pilot is None and interval.get("n_datasets") is None:
        note = (f"Ranges: {interval['level']:.0%} {interval['method']} intervals of {result.model}, fitted on "
                f"{interval['n_observations']} published results ({interval['calibration']}); each backbone has its own data need.")
    elif result.pilot is None:
        note = (f"Ranges: {interval['level']:.0%} {interval['method']} intervals calibrated on {interval['n_observations']} "
                f"observed outcomes from {interval['n_datasets']} datasets ({interval['calibration']}).")
    else:
        pilot = result.pilot
        plan = pilot.get("collection_plan")
        if plan is not None:
            rounds = ", then ".join(f"{n:,.0f} (met with probability {p:.0%})"
                                    for n, p in zip(plan["round_totals_images"], plan["probability_met_by_round"]))
            step = (f"cost-optimal collection plan (at most {plan['rounds_allowed']} rounds): "
                    f"{'grow the data to ' + rounds if rounds else 'collect nothing more'}; expected cost ${plan['expected_cost_usd']:,.0f} "
                    f"with ${plan['missed_target_penalty']:,.0f} for missing the target ({plan['penalty_source']})")
        else:
            next_round = "-" if pilot["next_round_size"] is None else f"{pilot['next_round_size']:,.0f}"
            step = f"next collection round: {next_round} images (aiming {pilot['tau']:.1%} above the target)"
        note = (f"Data sized by the pilot: {pilot['family_label']} on {len(pilot['points'])} points "
                f"({interval['level']:.0%} range: {interval['method']}); {step}.")
    return note

def pilot_advice(recommendation: dict | None) -> str | None:
    """The recommended pilot of a wide estimate, in a sentence."""
    if not recommendation:
        return None
    sizes = ", ".join(f"{n:,.0f}" for n in recommendation["sizes_images"])
    now = recommendation["range_factor_now"]
    return (f"Recommended first: a pilot on {sizes} images (nested subsets; about ${recommendation['cost_usd']:,.0f} in data and training). "
            f"It is expected to narrow the {recommendation['level']:.0%} data range from "
            f"{'unbounded' if now is None else f'{now:,.0f}x' if now < 1e6 else f'{now:.1e}x'} (high/low) to about "
            f"{recommendation['range_factor_expected']:,.1f}x if its points fall near the model's curve; "
            "then rerun with --pilot.")


def prediction_view(result: ErrorPrediction) -> Group:
    table = Table(show_header=False, title=f"Predicted error, {'eq. (1), ' if result.model == 'paper-2024' else ''}{result.model}",
                  title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("value", justify="right")
    table.add_row("Training images", _images(result.data))
    table.add_row("Relative complexity", f"{result.relative_complexity:.4f}")
    table.add_row("Task / pretrained", f"{result.task} / {result.pretrained}")
    table.add_row("Predicted error", _percent(result.error))
    table.add_row(f"  {result.interval['level']:.0%} interval", f"{_percent(result.error_low)} to {_percent(result.error_high)}")
    table.add_row("Predicted accuracy" if result.task == "classification" else "Predicted mean IoU", _percent(result.accuracy))
    table.add_row("Model", result.model)
    return Group(table, *_warnings(result.warnings))


_SHORT_TASK = {
    "classification": "classify",
    "detection": "detect",
    "instance_segmentation": "inst. seg.",
    "semantic_segmentation": "sem. seg.",
}


def architectures_view(rows) -> Table:
    table = Table(title="Architecture catalog", title_justify="left")
    table.add_column("Name", no_wrap=True)
    table.add_column("Task", no_wrap=True)
    for column in ("Params M", "GFLOP/img", "px", "Top-1"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("Paper", no_wrap=True)
    for row in rows:
        table.add_row(
            row.name + ("" if row.default_candidate else " *"), _SHORT_TASK.get(row.task, row.task), f"{row.n_parameters / 1e6:.2f}",
            f"{row.forward_gflops:.3g}", str(row.resolution_px),
            _percent(row.imagenet_top1) if row.imagenet_top1 is not None else "-",
            "yes" if row.in_paper else "no",
        )
    table.caption = "* considered only when named with --architecture. Variants and sources: --json"
    return table


def hardware_view(catalog) -> Table:
    table = Table(title="Hardware catalog (dense peak TFLOP/s)", title_justify="left")
    table.add_column("Name", no_wrap=True)
    for column in ("FP32", "TF32", "BF16", "FP16", "GB/s", "TDP W", "$/GPU-h"):
        table.add_column(column, justify="right", no_wrap=True)

    def cell(value):
        return "-" if value is None else f"{value:,.4g}"

    for accelerator in catalog.accelerators:
        price = catalog.default_price(accelerator)  # the same default an estimate on one GPU uses
        table.add_row(
            accelerator.name, cell(accelerator.fp32_tflops), cell(accelerator.tf32_tflops), cell(accelerator.bf16_tflops),
            cell(accelerator.fp16_tflops), cell(accelerator.memory_bandwidth_gbs), cell(accelerator.tdp_w),
            "-" if price is None else f"{price.on_demand_usd_per_gpu_hour:.2f}",
        )
    table.caption = "$/GPU-h: median listed on-demand price of 1-GPU instances, the default of estimates (--json lists every provider)"
    return table


def print_view(view) -> None:
    Console().print(view)


def scenarios_view(summaries: list[dict]) -> Table:
    table = Table(title="Saved scenarios", title_justify="left")
    for column in ("Name", "Saved (UTC)", "Model", "Target", "Best", "Total cost"):
        table.add_column(column, justify="right" if column in {"Target", "Total cost"} else "left")
    for s in summaries:
        table.add_row(
            s["name"], s["created_at"][:16].replace("T", " "), s["model"],
            "-" if s["target_accuracy"] is None else _percent(s["target_accuracy"]),
            s["best_architecture"] or "-", "-" if s["total_cost"] is None else _usd(s["total_cost"]),
        )
    return table


def comparison_view(names: list[str], rows) -> Table:
    table = Table(title="Scenarios compared", title_justify="left")
    table.add_column("", style="bold")
    for name in names:
        table.add_column(name, justify="right")
    for label, values in rows:
        table.add_row(label, *values)
    return table


def observations_view(records: list[dict]) -> Table:
    table = Table(title=f"Observations ({len(records)})", title_justify="left")
    for column in ("id", "Dataset", "Task", "Images", "Classes", "Pretrained", "Metric"):
        table.add_column(column, justify="right" if column in {"id", "Images", "Classes", "Metric"} else "left")
    for r in records:
        classes = (str(r["n_classes"]) if r["n_classes"] else
                   f"{len(r['class_counts'])}*" if r["class_counts"] else f"RC {r['relative_complexity']:.3f}")
        table.add_row(str(r["id"]), r["dataset"], r["task"], f"{r['n_train']:,.0f}", classes,
                      "yes" if r["pretrained"] else "no", f"{r['metric_value']:.2%}")
    return table


def coefficient_view(model, notes: list[str]) -> Group:
    """A coefficient table laid out like Table 1 of seed 000."""
    form = "MixedLM on logit(error / chance)" if getattr(model, "form", "eq1") == "bounded" else "OLS on log10(error)"
    table = Table(title=f"{model.name}: {form}", title_justify="left")
    for column in ("Variable", "Coefficient", "Std. Err.", "t", "P>|t|", "[0.025", "0.975]"):
        table.add_column(column, justify="left" if column == "Variable" else "right")

    def number(value, digits=3):
        return "-" if value is None or value != value else f"{value:.{digits}f}"  # None: a held coefficient

    for row in model.table:
        table.add_row(row.regressor, number(row.coef), number(row.std_err), number(row.t), number(row.p),
                      number(row.ci_low), number(row.ci_high))
    if getattr(model, "form", "eq1") == "bounded":
        g = model.bounded.random_covariance
        table.caption = (f"n = {model.n}; dataset sd: intercept {g[0][0] ** 0.5:.3f}, data slope {g[1][1] ** 0.5:.3f}; "
                         f"residual sd {model.bounded.residual_variance ** 0.5:.3f} (logit)")
    else:
        table.caption = f"R2 = {model.r2:.3f}, n = {model.n}"
    return Group(table, *(f"Note: {note}" for note in notes))


def fit_view(model, notes: list[str], covariate_test: dict | None) -> Group:
    """A fit's coefficient table, then its dataset-distance test (when one was made)."""
    return Group(coefficient_view(model, notes), _covariate_view(covariate_test))


def _covariate_view(test: dict | None) -> Group:
    """The dataset-distance test of a fit (seed 000's covariate test); empty when it was not made."""
    if not test or not test["tested"]:
        return Group()  # why not, when some observations had a distance: a note of the fit says

    def number(value):
        return "-" if value is None else f"{value:.3g}"

    table = Table(title=f"Covariate test: dataset distance added to eq. (1), on the {test['n']} observations with one "
                        f"({test['n_datasets']} datasets)", title_justify="left")
    for column in ("Variable", "Coefficient", "Std. Err.", "t", "P>|t|", "[0.025", "0.975]"):
        table.add_column(column, justify="left" if column == "Variable" else "right")
    table.add_row(test["regressor"], *(number(test[key]) for key in ("coef", "std_err", "t", "p", "ci_low", "ci_high")))
    verdict = "significant" if test["significant"] else "not significant"
    table.caption = (f"{verdict} at {test['alpha']:g}, tested at the dataset level (each dataset's mean residual on its "
                     f"distance, {test.get('df', '-')} df); R2 = {number(test['r2'])} with it, {number(test['r2_without'])} "
                     "without it. The saved model is eq. (1) without it: estimates take no distance.")
    return Group(table)


def validation_view(report: dict) -> Group:
    table = Table(title=f"Validation of {report['model']} ({report['method']})", title_justify="left")
    for column in ("Case", "Data", "RC", "Obs. Err.", "Pred. Err.", "Pred/Obs"):
        table.add_column(column, justify="left" if column == "Case" else "right")
    for case in report["cases"]:
        table.add_row(case["case"], f"{case['data']:,.0f}", f"{case['relative_complexity']:.3f}",
                      _percent(case["observed_error"]), _percent(case["predicted_error"]),
                      f"{10 ** case['log10_ratio']:.2f}x")
    summary = (f"n = {report['n']}; median |log10(predicted/observed)| = {report['median_abs_log10_ratio']:.3f}; "
               f"within a factor of 2: {report['share_within_2x']:.0%}")
    from dlcost.service.corpus_model import range_factor

    parts = [table] if report["cases"] else []
    for by, scores in (report.get("comparison") or {}).items():
        comparison = Table(title=f"Held out by {by}", title_justify="left")
        for column in ("Model", "Rows", "Median |log10|", "Within 2x", "80% coverage", "80% data range"):
            comparison.add_column(column, justify="left" if column == "Model" else "right")
        for model_name, subsets in scores.items():
            for subset, s in subsets.items():
                factor = s["median_data_range_factor"]
                comparison.add_row(model_name + ("" if subset == "all" else " (supervised/none)"), str(s["n"]),
                                   f"{s['median_abs_log10_ratio']:.3f}", f"{s['share_within_2x']:.0%}", f"{s['coverage_80']:.0%}",
                                   range_factor(factor))
        parts.append(comparison)
    return Group(*parts, summary)
