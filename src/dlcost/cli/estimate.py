"""`dlcost estimate`, `predict-error`, `architectures`, `hardware`: the model and the catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.cli._common import (
    DEFAULTS,
    InputError,
    BaselineClassesOption, ClassesOption, ConfigOption, CountsOption, JsonOption, ModelOption, PretrainedOption, TaskOption,
    app, class_counts_option, emit, run, workspace,
)

IntervalLevelOption = Annotated[Optional[float], typer.Option(help=f"Central probability of the ranges [default: {DEFAULTS['interval_level']}].")]
IntervalMethodOption = Annotated[
    Optional[str], typer.Option(help=f"conformal (calibrated on observed outcomes) or ols (a fitted model's) [default: {DEFAULTS['interval_method']}].")
]


#: Flags of `dlcost estimate` that are Scenario fields of the same name (the others are converted below).
_SCENARIO_FLAGS = (
    "task", "target_accuracy", "data_present", "data_max", "cost_per_datapoint", "classes", "baseline_classes", "pretrained",
    "cost_per_flop", "epochs", "top", "cost_mode", "gpu", "gpus", "precision", "utilization", "runs", "scaling_efficiency",
    "price_per_hour", "provider", "country", "region", "pue", "power_w", "price_per_kwh", "loader_cores", "stack", "decode",
    "node_overhead_w", "deploy_hardware", "deploy_precision", "deploy_batch_size", "deploy_price_per_hour", "pruning",
    "quantization_speedup", "interval_level", "interval_method", "tau", "collection_rounds", "missed_target_penalty",
)


@app.command()
def estimate(
    task: TaskOption = None,
    target_accuracy: Annotated[Optional[str], typer.Option(help="Accuracy to reach: 0.965 or 96.5%.")] = None,
    data_present: Annotated[Optional[float], typer.Option(help="Labelled images at hand [default: sum of class counts, else 0].")] = None,
    data_max: Annotated[Optional[float], typer.Option(help="Most labelled images that could be had (data limit).")] = None,
    cost_per_datapoint: Annotated[Optional[float], typer.Option(help="USD to label one more image.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    baseline_classes: BaselineClassesOption = None,
    baseline_class_counts: Annotated[Optional[str], typer.Option(help="Baseline examples per class, instead of --baseline-classes.")] = None,
    pretrained: PretrainedOption = None,
    architecture: Annotated[
        Optional[list[str]], typer.Option("--architecture", help="Candidate architecture (repeatable) [default: whole catalog].")
    ] = None,
    cost_per_flop: Annotated[Optional[float], typer.Option(help=f"USD per FLOP in paper mode [default: {DEFAULTS['cost_per_flop']}].")] = None,
    epochs: Annotated[Optional[float], typer.Option(help=f"Passes over the training data [default: {DEFAULTS['epochs']}].")] = None,
    top: Annotated[Optional[int], typer.Option(help=f"How many recommendations [default: {DEFAULTS['top']}].")] = None,
    cost_mode: Annotated[
        Optional[str],
        typer.Option(help="paper (eq. 4 of seed 000), flops (counted FLOPs x measured utilization) or measured (measured images/s) [default: measured where available, else flops]."),
    ] = None,
    gpu: Annotated[Optional[str], typer.Option(help=f"Accelerator name or alias from `dlcost hardware` [default: {DEFAULTS['gpu']}].")] = None,
    gpus: Annotated[Optional[int], typer.Option(help=f"GPUs training in parallel [default: {DEFAULTS['gpus']}].")] = None,
    precision: Annotated[Optional[str], typer.Option(help=f"bf16, fp16, tf32 or fp32 [default: {DEFAULTS['precision']}].")] = None,
    utilization: Annotated[Optional[float], typer.Option(help="Fraction of peak FLOP/s in flops mode [default: measured, docs/utilization.md].")] = None,
    runs: Annotated[Optional[float], typer.Option(help=f"Training runs incl. hyper-parameter search [default: {DEFAULTS['runs']}].")] = None,
    scaling_efficiency: Annotated[Optional[float], typer.Option(help=f"Multi-GPU scaling efficiency [default: {DEFAULTS['scaling_efficiency']}].")] = None,
    price_per_hour: Annotated[Optional[float], typer.Option(help="USD per GPU-hour [default: median listed on-demand price].")] = None,
    provider: Annotated[Optional[str], typer.Option(help="Cloud provider: its cheapest listed instance sets price and CPU cores.")] = None,
    country: Annotated[Optional[str], typer.Option(help="ISO3 country code for grid carbon intensity [default: world average].")] = None,
    region: Annotated[Optional[str], typer.Option(help="PROVIDER:REGION, e.g. aws:us-east-1, for grid intensity and PUE.")] = None,
    pue: Annotated[Optional[float], typer.Option(help=f"Power usage effectiveness [default: the region's; {DEFAULTS['hyperscale_pue']} on AWS, Azure, GCP prices; else {DEFAULTS['pue']}].")] = None,
    power_w: Annotated[Optional[float], typer.Option(help="Average power per GPU in watts [default: 0.75 x TDP (0.80 for RTX cards)].")] = None,
    price_per_kwh: Annotated[Optional[float], typer.Option(help="USD per kWh: adds electricity cost (owned hardware).")] = None,
    loader_cores: Annotated[Optional[float], typer.Option(help="CPU cores decoding JPEGs per GPU; 0 = no loader bound [default: the instance's vCPUs per GPU].")] = None,
    stack: Annotated[Optional[str], typer.Option(help="Software stack: typical, tuned or research [default: typical] (docs/throughput.md).")] = None,
    decode: Annotated[Optional[str], typer.Option(help="Where JPEGs are decoded: cpu (loader bound) or gpu [default: cpu].")] = None,
    node_overhead_w: Annotated[Optional[float], typer.Option(help="Watts per GPU of the rest of the server, added to the GPU's [default: none].")] = None,
    deploy_hardware: Annotated[Optional[str], typer.Option(help="Accelerator or CPU serving predictions [default: the training GPU].")] = None,
    deploy_precision: Annotated[Optional[str], typer.Option(help="Serving precision: bf16, fp16, tf32, fp32 or int8 [default: --precision].")] = None,
    deploy_batch_size: Annotated[Optional[int], typer.Option(help="Images per inference batch [default: 32].")] = None,
    deploy_price_per_hour: Annotated[Optional[float], typer.Option(help="USD per hour of the serving hardware [default: median listed].")] = None,
    pruning: Annotated[Optional[float], typer.Option(help="Share of the work structured pruning removes at serving [default: 0].")] = None,
    quantization_speedup: Annotated[Optional[float], typer.Option(help="int8 over 16-bit serving throughput [default: 1.6].")] = None,
    config: ConfigOption = None,
    model: ModelOption = None,
    interval_level: IntervalLevelOption = None,
    interval_method: IntervalMethodOption = None,
    pilot: Annotated[
        Optional[Path], typer.Option(help="CSV of pilot points (n_train,error): size the data from their learning curve.")
    ] = None,
    tau: Annotated[Optional[float], typer.Option(help=f"With --pilot: aim this much accuracy above the target [default: {DEFAULTS['tau']}].")] = None,
    collection_rounds: Annotated[Optional[int], typer.Option(help="With --pilot: most rounds of the cost-optimal collection plan [default: 3; 1 to 20].")] = None,
    missed_target_penalty: Annotated[Optional[float], typer.Option(
        help="With --pilot: what ending without the target costs, USD [default: the data cost of the upper end of the data-needed range].")] = None,
    save: Annotated[Optional[str], typer.Option(help="Also save the scenario and its result under this name.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="With --save: overwrite a saved scenario of that name.")] = False,
    scenario: Annotated[Optional[Path], typer.Option(help="TOML file with the same keys; flags override it.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Data needed, costs and the cheapest architectures for a target accuracy (Figure 2 of seed 000); flags override --scenario FILE.toml."""
    given = locals()
    flags = {name: given[name] for name in _SCENARIO_FLAGS}
    flags.update(class_counts=class_counts_option(class_counts), architectures=architecture or None,
                 baseline_class_counts=class_counts_option(baseline_class_counts, "baseline_class_counts"))
    if replace and save is None:
        raise InputError("replace", "replace: give --save NAME to say which saved scenario to replace.")
    parsed = _scenario(scenario, flags, pilot)
    context = workspace(config)
    if save is not None:
        _, result = run(lambda: context.save_estimate(save, parsed, model, replace))
    else:
        result = run(lambda: context.estimate(parsed, model))
    if json_output:
        emit(result.to_dict())
    else:
        from dlcost.cli._views import estimate_view, print_view

        print_view(estimate_view(result))


def _scenario(scenario_file: Path | None, flags: dict, pilot: Path | None):
    """The Scenario of a file's keys overridden by the flags given (a class input replaces the file's)."""
    from dlcost.iotools.scenario_file import read_scenario_file
    from dlcost.schemas import Scenario

    values = run(lambda: read_scenario_file(scenario_file)) if scenario_file is not None else {}
    given = {key: value for key, value in flags.items() if value is not None}
    for pair in (("classes", "class_counts"), ("baseline_classes", "baseline_class_counts")):
        if set(pair) & given.keys():
            for key in pair:
                values.pop(key, None)
    values.update(given)
    if pilot is not None:
        from dlcost.iotools.points import read_points_csv

        values["pilot_points"] = run(lambda: read_points_csv(pilot, "pilot file"))
    return run(lambda: Scenario.model_validate(values))


@app.command("predict-error")
def predict_error(
    data: Annotated[float, typer.Option(help="Training images.")],
    rc: Annotated[Optional[float], typer.Option("--rc", help="Relative complexity, instead of --classes or --class-counts.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    baseline_classes: BaselineClassesOption = None,
    pretrained: PretrainedOption = None,
    task: TaskOption = None,
    model: ModelOption = None,
    interval_level: IntervalLevelOption = None,
    interval_method: IntervalMethodOption = None,
    json_output: JsonOption = False,
) -> None:
    """Predicted error and accuracy after training on a given number of images (equation 1 of seed 000)."""
    from dlcost.schemas import ErrorQuery

    values = dict(
        data=data, relative_complexity=rc, classes=classes, class_counts=class_counts_option(class_counts),
        baseline_classes=baseline_classes, pretrained=pretrained, task=task, interval_level=interval_level,
        interval_method=interval_method,
    )
    query = run(lambda: ErrorQuery.model_validate({k: v for k, v in values.items() if v is not None}))
    result = run(lambda: workspace().predict_error(query, model))
    if json_output:
        emit(result.to_dict())
    else:
        from dlcost.cli._views import prediction_view, print_view

        print_view(prediction_view(result))


@app.command()
def architectures(json_output: JsonOption = False) -> None:
    """The architecture catalog: parameters, FLOPs, resolution, ImageNet top-1 and sources."""
    from dlcost import catalog

    rows = catalog.architectures()
    if json_output:
        emit({"architectures": [row.to_dict() for row in rows]})
    else:
        from dlcost.cli._views import architectures_view, print_view

        print_view(architectures_view(rows))


@app.command()
def hardware(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """The hardware catalog: peak FLOP/s per precision, memory, power, and listed prices."""
    from dlcost.iotools.user_files import load_user_hardware

    catalog = run(lambda: load_user_hardware(config))
    if json_output:
        from dlcost.service.documents import hardware_document

        emit(hardware_document(catalog))
    else:
        from dlcost.cli._views import hardware_view, print_view

        print_view(hardware_view(catalog))
