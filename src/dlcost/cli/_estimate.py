"""`dlcost estimate`, `predict-error`, `architectures`, `hardware`: the model and the catalogs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.cli._common import (
    ClassesOption, ConfigOption, CountsOption, JsonOption, PretrainedOption, TaskOption, _class_counts,
    _emit, _run, app,
)

IntervalLevelOption = Annotated[Optional[float], typer.Option(help="Central probability of the ranges [default: 0.8].")]
IntervalMethodOption = Annotated[
    Optional[str], typer.Option(help="conformal (calibrated on observed outcomes) or ols (a fitted model's) [default: conformal].")
]


@app.command()
def estimate(
    task: TaskOption = None,
    target_accuracy: Annotated[Optional[str], typer.Option(help="Accuracy to reach: 0.965 or 96.5%.")] = None,
    data_present: Annotated[Optional[float], typer.Option(help="Labelled images at hand [default: sum of class counts, else 0].")] = None,
    data_max: Annotated[Optional[float], typer.Option(help="Most labelled images that could be had (data limit).")] = None,
    cost_per_datapoint: Annotated[Optional[float], typer.Option(help="USD to label one more image.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    pretrained: PretrainedOption = None,
    architecture: Annotated[
        Optional[list[str]], typer.Option("--architecture", help="Candidate architecture (repeatable) [default: whole catalog].")
    ] = None,
    cost_per_flop: Annotated[Optional[float], typer.Option(help="USD per FLOP in paper mode [default: 3e-11].")] = None,
    epochs: Annotated[Optional[float], typer.Option(help="Passes over the training data [default: 50].")] = None,
    top: Annotated[Optional[int], typer.Option(help="How many recommendations [default: 3].")] = None,
    cost_mode: Annotated[
        Optional[str],
        typer.Option(help="paper (eq. 4 of seed 000), flops (counted FLOPs x measured utilization) or measured (measured images/s) [default: measured where available, else flops]."),
    ] = None,
    gpu: Annotated[Optional[str], typer.Option(help="Accelerator name or alias from `dlcost hardware` [default: H100].")] = None,
    gpus: Annotated[Optional[int], typer.Option(help="GPUs training in parallel [default: 1].")] = None,
    precision: Annotated[Optional[str], typer.Option(help="bf16, fp16, tf32 or fp32 [default: bf16].")] = None,
    utilization: Annotated[Optional[float], typer.Option(help="Fraction of peak FLOP/s in flops mode [default: measured, docs/utilization.md].")] = None,
    runs: Annotated[Optional[float], typer.Option(help="Training runs incl. hyper-parameter search [default: 1].")] = None,
    scaling_efficiency: Annotated[Optional[float], typer.Option(help="Multi-GPU scaling efficiency [default: 0.9].")] = None,
    price_per_hour: Annotated[Optional[float], typer.Option(help="USD per GPU-hour [default: median listed on-demand price].")] = None,
    provider: Annotated[Optional[str], typer.Option(help="Cloud provider: its cheapest listed instance sets price and CPU cores.")] = None,
    country: Annotated[Optional[str], typer.Option(help="ISO3 country code for grid carbon intensity [default: world average].")] = None,
    region: Annotated[Optional[str], typer.Option(help="PROVIDER:REGION, e.g. aws:us-east-1, for grid intensity and PUE.")] = None,
    pue: Annotated[Optional[float], typer.Option(help="Power usage effectiveness [default: the region's, else 1.58].")] = None,
    power_w: Annotated[Optional[float], typer.Option(help="Average power per GPU in watts [default: TDP].")] = None,
    price_per_kwh: Annotated[Optional[float], typer.Option(help="USD per kWh: adds electricity cost (owned hardware).")] = None,
    loader_cores: Annotated[Optional[float], typer.Option(help="CPU cores decoding JPEGs per GPU; 0 = no loader bound [default: the instance's vCPUs per GPU].")] = None,
    config: ConfigOption = None,
    model: Annotated[Optional[str], typer.Option(help="Error model: paper-2024 or a fitted one [default: the active model].")] = None,
    interval_level: IntervalLevelOption = None,
    interval_method: IntervalMethodOption = None,
    pilot: Annotated[
        Optional[Path], typer.Option(help="CSV of pilot points (n_train,error): size the data from their learning curve.")
    ] = None,
    tau: Annotated[Optional[float], typer.Option(help="With --pilot: aim this much accuracy above the target [default: 0.01].")] = None,
    save: Annotated[Optional[str], typer.Option(help="Also save the scenario and its result under this name.")] = None,
    scenario: Annotated[Optional[Path], typer.Option(help="TOML file with the same keys; flags override it.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Data needed, costs and the cheapest architectures for a target accuracy (Figure 2 of seed 000).

    Inputs come from flags or from --scenario FILE.toml with the same keys (flags win).
    """
    from dlcost.config import load_user_hardware
    from dlcost.estimation import estimate as run_estimate
    from dlcost.inputs import read_scenario_file
    from dlcost.models import Estimate, Scenario
    from dlcost.store import resolve_model_and_calibration

    values = _run(lambda: read_scenario_file(scenario)) if scenario is not None else {}
    flags = dict(
        task=task, target_accuracy=target_accuracy, data_present=data_present, data_max=data_max,
        cost_per_datapoint=cost_per_datapoint, classes=classes, class_counts=_class_counts(class_counts),
        pretrained=pretrained, architectures=architecture or None, cost_per_flop=cost_per_flop, epochs=epochs,
        top=top, cost_mode=cost_mode, gpu=gpu, gpus=gpus, precision=precision, utilization=utilization, runs=runs,
        scaling_efficiency=scaling_efficiency, price_per_hour=price_per_hour, provider=provider, country=country,
        region=region, pue=pue, power_w=power_w, price_per_kwh=price_per_kwh, loader_cores=loader_cores,
        interval_level=interval_level, interval_method=interval_method, tau=tau,
    )
    given = {key: value for key, value in flags.items() if value is not None}
    if {"classes", "class_counts"} & given.keys():
        values.pop("classes", None)
        values.pop("class_counts", None)
    values.update(given)
    if pilot is not None:
        from dlcost.learning_curves import read_points_csv

        values["pilot_points"] = _run(lambda: read_points_csv(pilot))
    if save is not None:
        result = Estimate.model_validate(save_estimate(save, values, model, replace=False, config=config).result)
    else:
        hardware = _run(lambda: load_user_hardware(config))
        parsed = _run(lambda: Scenario.model_validate(values))
        error_model, calibration = _run(
            lambda: resolve_model_and_calibration(model, parsed.interval_level, parsed.interval_method)
        )
        result = _run(lambda: run_estimate(parsed, model=error_model, hardware=hardware, calibration=calibration))
    if json_output:
        _emit(result.to_dict())
    else:
        from dlcost._render import estimate_view, print_view

        print_view(estimate_view(result))


def save_estimate(name: str, values: dict, model: str | None, replace: bool, config: Path | None = None):
    """Price ``values`` (Scenario keys) with ``model`` (default: active) and save it; returns the stored row."""
    from dlcost.config import load_user_hardware
    from dlcost.estimation import estimate as run_estimate
    from dlcost.models import Scenario
    from dlcost.store import Store

    store = _run(Store)
    scenario = _run(lambda: Scenario.model_validate(values))
    from dlcost.registry import calibration_for

    error_model = _run(lambda: store.error_model(model or store.active_model()))
    calibration = _run(lambda: calibration_for(store, error_model, scenario.interval_level, scenario.interval_method))
    result = _run(lambda: run_estimate(scenario, model=error_model, hardware=load_user_hardware(config), calibration=calibration))
    return _run(lambda: store.save_scenario(name, scenario.model_dump(mode="json"), result.to_dict(), result.model, replace))


@app.command("predict-error")
def predict_error(
    data: Annotated[float, typer.Option(help="Training images.")],
    rc: Annotated[Optional[float], typer.Option("--rc", help="Relative complexity, instead of --classes or --class-counts.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    pretrained: PretrainedOption = None,
    task: TaskOption = None,
    model: Annotated[Optional[str], typer.Option(help="Error model [default: the active model].")] = None,
    interval_level: IntervalLevelOption = None,
    interval_method: IntervalMethodOption = None,
    json_output: JsonOption = False,
) -> None:
    """Predicted error and accuracy after training on a given number of images (equation 1 of seed 000)."""
    from dlcost.estimation import predict_error as run_prediction
    from dlcost.models import ErrorQuery
    from dlcost.store import resolve_model_and_calibration

    values = dict(
        data=data, relative_complexity=rc, classes=classes, class_counts=_class_counts(class_counts),
        pretrained=pretrained, task=task, interval_level=interval_level, interval_method=interval_method,
    )
    query = _run(lambda: ErrorQuery.model_validate({k: v for k, v in values.items() if v is not None}))
    error_model, calibration = _run(lambda: resolve_model_and_calibration(model, query.interval_level, query.interval_method))
    result = _run(lambda: run_prediction(query, model=error_model, calibration=calibration))
    if json_output:
        _emit(result.to_dict())
    else:
        from dlcost._render import prediction_view, print_view

        print_view(prediction_view(result))


@app.command()
def architectures(json_output: JsonOption = False) -> None:
    """The architecture catalog: parameters, FLOPs, resolution, ImageNet top-1 and sources."""
    from dlcost import catalog

    rows = catalog.architectures()
    if json_output:
        _emit({"architectures": [row.to_dict() for row in rows]})
    else:
        from dlcost._render import architectures_view, print_view

        print_view(architectures_view(rows))


@app.command()
def hardware(config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """The hardware catalog: peak FLOP/s per precision, memory, power, and listed prices."""
    from dlcost.config import load_user_hardware

    catalog = _run(lambda: load_user_hardware(config))
    if json_output:
        _emit(
            {
                "accelerators": [
                    {**a.to_dict(), "prices": [vars(p) for p in catalog.prices_for(a)]} for a in catalog.accelerators
                ]
            }
        )
    else:
        from dlcost._render import hardware_view, print_view

        print_view(hardware_view(catalog))
