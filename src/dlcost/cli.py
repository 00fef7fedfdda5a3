"""The ``dlcost`` command line: thin commands that parse, call the library, then format.

Heavy modules (numpy, pydantic, rich tables) are imported inside the commands so
that ``dlcost --help`` starts fast. Every bad input ends with one line
``Error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer on click
    from click.exceptions import UsageError

app = typer.Typer(
    help="Estimate what a deep-learning vision system will cost, how much data it needs and what accuracy it reaches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class InputError(Exception):
    """A bad input: printed as one line, exit 2."""


def _run(call):
    """Call the library, turning its input errors into :class:`InputError`."""
    from pydantic import ValidationError

    from dlcost.models import describe_validation_error

    try:
        return call()
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _emit(document: dict) -> None:
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def _class_counts(text: Optional[str]):
    if text is None:
        return None
    from dlcost.inputs import parse_class_counts

    return _run(lambda: parse_class_counts(text))


TaskOption = Annotated[Optional[str], typer.Option(help="classification (error = 1 - accuracy) or segmentation (error = 1 - mean IoU).")]
ClassesOption = Annotated[Optional[int], typer.Option(help="Number of equally likely classes (>= 2).")]
CountsOption = Annotated[
    Optional[str], typer.Option(help="Examples per class: 50000,1000 or a CSV file of label,count rows.")
]
PretrainedOption = Annotated[
    Optional[bool], typer.Option("--pretrained/--no-pretrained", help="Fine-tuned from a pretrained checkpoint [default: pretrained].")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (docs/json.md).")]
ConfigOption = Annotated[
    Optional[Path], typer.Option(help="TOML file adding or overriding hardware and prices [default: $DLCOST_CONFIG].")
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
    scenario: Annotated[Optional[Path], typer.Option(help="TOML file with the same keys; flags override it.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Data needed, costs and the cheapest architectures for a target accuracy (Figure 2 of seed 000).

    Inputs come from flags or from --scenario FILE.toml with the same keys (flags win).
    """
    from dlcost.config import load_user_hardware
    from dlcost.estimation import estimate as run_estimate
    from dlcost.inputs import read_scenario_file
    from dlcost.models import Scenario

    values = _run(lambda: read_scenario_file(scenario)) if scenario is not None else {}
    flags = dict(
        task=task, target_accuracy=target_accuracy, data_present=data_present, data_max=data_max,
        cost_per_datapoint=cost_per_datapoint, classes=classes, class_counts=_class_counts(class_counts),
        pretrained=pretrained, architectures=architecture or None, cost_per_flop=cost_per_flop, epochs=epochs,
        top=top, cost_mode=cost_mode, gpu=gpu, gpus=gpus, precision=precision, utilization=utilization, runs=runs,
        scaling_efficiency=scaling_efficiency, price_per_hour=price_per_hour, provider=provider, country=country,
        region=region, pue=pue, power_w=power_w, price_per_kwh=price_per_kwh, loader_cores=loader_cores,
    )
    given = {key: value for key, value in flags.items() if value is not None}
    if {"classes", "class_counts"} & given.keys():
        values.pop("classes", None)
        values.pop("class_counts", None)
    values.update(given)
    hardware = _run(lambda: load_user_hardware(config))
    result = _run(lambda: run_estimate(Scenario.model_validate(values), hardware=hardware))
    if json_output:
        _emit(result.to_dict())
    else:
        from dlcost._render import estimate_view, print_view

        print_view(estimate_view(result))


@app.command("predict-error")
def predict_error(
    data: Annotated[float, typer.Option(help="Training images.")],
    rc: Annotated[Optional[float], typer.Option("--rc", help="Relative complexity, instead of --classes or --class-counts.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    pretrained: PretrainedOption = None,
    task: TaskOption = None,
    json_output: JsonOption = False,
) -> None:
    """Predicted error and accuracy after training on a given number of images (equation 1 of seed 000)."""
    from dlcost.estimation import predict_error as run_prediction
    from dlcost.models import ErrorQuery

    values = dict(
        data=data, relative_complexity=rc, classes=classes, class_counts=_class_counts(class_counts),
        pretrained=pretrained, task=task,
    )
    result = _run(lambda: run_prediction(ErrorQuery.model_validate({k: v for k, v in values.items() if v is not None})))
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


class _ProgressBar:
    """A rich progress bar on stderr, shown from the first ``update(done, total)`` on.

    Starting it lazily keeps an input error before any work to a single line.
    """

    def __init__(self, label: str):
        self.label = label
        self.bar = None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )
            self.task = self.bar.add_task(self.label, total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done, total=total)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.bar is not None:
            self.bar.stop()


def _catalog_gpu_for(device_name: str, catalog) -> str | None:
    """The hardware catalog entry whose name or alias appears in a device name, longest first."""
    import re

    text = re.sub(r"[^a-z0-9]", "", device_name.lower())
    keys = sorted(
        ((re.sub(r"[^a-z0-9]", "", key.lower()), a.name) for a in catalog.accelerators for key in (a.name, *a.aliases)),
        key=lambda item: -len(item[0]),
    )
    return next((name for key, name in keys if key and key in text), None)


@app.command()
def bench(
    architectures: Annotated[Optional[list[str]], typer.Argument(help="Catalog architectures to measure.")] = None,
    device: Annotated[Optional[str], typer.Option(help="cuda or cpu [default: cuda if available].")] = None,
    precision: Annotated[Optional[str], typer.Option(help="bf16, fp16 or fp32 [default: bf16 on cuda, fp32 on cpu].")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Images per step [default: 64 on cuda, 8 on cpu].")] = None,
    resolution: Annotated[Optional[int], typer.Option(help="Input size in px [default: the architecture's native].")] = None,
    steps: Annotated[int, typer.Option(help="Timed training steps (after warm-up).")] = 30,
    warmup_steps: Annotated[int, typer.Option(help="Untimed warm-up steps.")] = 10,
    gpu: Annotated[Optional[str], typer.Option(help="Hardware catalog name of this device, for peak and --save [default: matched from the device name].")] = None,
    loader: Annotated[bool, typer.Option("--loader", help="Measure JPEG decode + augmentation images/s per CPU core instead.")] = False,
    workers: Annotated[int, typer.Option(help="DataLoader workers for --loader (0 = main process).")] = 1,
    images: Annotated[int, typer.Option(help="Generated JPEGs for --loader.")] = 256,
    save: Annotated[bool, typer.Option("--save", help="Store the figures so later estimates on this GPU use them.")] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Measure training images/s (random weights, synthetic data) or data-loader images/s per core.

    Needs the optional PyTorch extra: pip install 'dlcost[torch]'.
    """
    from dlcost import bench as bench_engine
    from dlcost.config import data_dir, load_user_hardware

    if loader:
        with _ProgressBar("loader") as bar:
            result = _run(lambda: bench_engine.run_loader_bench(n_images=images, workers=workers, progress=bar.update))
        document = {"loader": result.to_dict()}
        if save:
            document["saved_to"] = str(_run(lambda: bench_engine.save_loader_result(result, data_dir() / "loader_throughput.csv")))
        if json_output:
            _emit(document)
        else:
            typer.echo(f"{result.images_per_s_per_core:,.1f} images/s per core ({result.images_per_s:,.1f} images/s with "
                       f"{result.workers} worker(s)) on {result.cpu_model}" + (f"; saved to {document['saved_to']}" if save else ""))
        return
    if not architectures:
        raise InputError("architectures: name at least one catalog architecture to measure (or use --loader).")
    hardware = _run(lambda: load_user_hardware(config))
    accelerator = _run(lambda: hardware.find_accelerator(gpu)) if gpu else None
    results = []
    for name in architectures:
        peak = None
        if accelerator is not None:
            peak = accelerator.peak_flops_per_s(precision or "bf16")[0] / 1e12
        with _ProgressBar(name) as bar:
            result = _run(
                lambda: bench_engine.run_training_bench(
                    name, device=device, precision=precision, batch_size=batch_size, resolution_px=resolution,
                    steps=steps, warmup_steps=warmup_steps, peak_tflops=peak, progress=bar.update,
                )
            )
        record = result.to_dict()
        if save:
            gpu_name = accelerator.name if accelerator else _catalog_gpu_for(result.device_name, hardware)
            if gpu_name is None:
                raise InputError(f"gpu: {result.device_name!r} is not in the hardware catalog; give --gpu NAME to save.")
            record["saved_to"] = str(_run(lambda: bench_engine.save_training_result(result, gpu_name, data_dir() / "throughput.csv")))
        results.append(record)
        if not json_output:
            utilization = "" if result.utilization is None else f", {result.utilization:.1%} of peak"
            typer.echo(
                f"{result.architecture}: {result.images_per_s:,.1f} images/s on {result.device_name} {result.precision} "
                f"at {result.resolution_px} px, batch {result.batch_size}; {result.forward_gflops_per_image:.3f} GFLOP/image, "
                f"{result.achieved_tflops:.2f} TFLOP/s{utilization}; peak memory {result.peak_memory_gb:.2f} GB"
                + (f"; saved to {record['saved_to']}" if save else "")
            )
    if json_output:
        _emit({"results": results})


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; off loopback, writes need the token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    token: Annotated[
        Optional[str], typer.Option(envvar="DLCOST_TOKEN", help="Bearer token for writes [default: generated when off loopback].")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Serve the estimator web page and the JSON API (FastAPI + uvicorn)."""
    try:
        import uvicorn

        from dlcost.web.app import _is_loopback, create_app
    except ImportError:
        raise InputError("dlcost serve needs the web extra: pip install 'dlcost[web]'") from None
    from dlcost.config import load_user_hardware

    if not _is_loopback(host) and not token:
        import secrets

        token = secrets.token_urlsafe(24)
        typer.echo(f"writes need the header 'Authorization: Bearer {token}' (set DLCOST_TOKEN to choose it)")
    web_app = _run(lambda: create_app(host=host, write_token=token, hardware=load_user_hardware(config)))
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"dlcost {__import__('dlcost').__version__}: estimator page at http://{shown}:{port}/  (API docs: /docs; stop with Ctrl-C)")
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dlcost`` script; returns the exit code."""
    try:
        code = app(args=argv, prog_name="dlcost", standalone_mode=False)
    except InputError as exc:
        typer.echo(f"Error: {exc}", err=True)
        return 2
    except UsageError as exc:
        typer.echo(f"Error: {exc.format_message()}", err=True)
        return 2
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 1
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
