"""`dlcost bench`: measuring training and data-loader throughput on this machine (torch extra)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlcost.catalog.hardware import MAX_RESOLUTION_PX
from dlcost.cli._common import ConfigOption, InputError, JsonOption, app, emit, measured, name_or_none, run, whole_in_range
from dlcost.cli._progress import ProgressBar
from dlcost.core import checks

#: Bounds on a measurement's settings, checked before anything is measured: far beyond a useful
#: benchmark, small enough that a typing slip does not run for days or start a thousand processes.
#: Timed and warm-up steps of a training benchmark.
MAX_STEPS = 100_000
#: Images per training step (a batch that does not fit in memory is reported as such). [images]
MAX_BATCH_SIZE = 65_536
#: DataLoader worker processes.
MAX_WORKERS = 256
#: JPEGs generated for the loader benchmark (about 100 kB each). [images]
MAX_LOADER_IMAGES = 100_000
#: What dlcost.bench measures on (its own checks say the same).
DEVICES = ("cuda", "cpu")
PRECISIONS = ("bf16", "fp16", "tf32", "fp32")


def _check_options(steps, warmup_steps, batch_size, resolution, workers, images, gpu, device, precision) -> None:
    whole_in_range(steps, "steps", 1, MAX_STEPS)
    whole_in_range(warmup_steps, "warmup_steps", 0, MAX_STEPS)
    whole_in_range(batch_size, "batch_size", 1, MAX_BATCH_SIZE)
    whole_in_range(resolution, "resolution", 1, MAX_RESOLUTION_PX)
    whole_in_range(workers, "workers", 0, MAX_WORKERS)
    whole_in_range(images, "images", 1, MAX_LOADER_IMAGES)
    name_or_none(gpu, "gpu", "an accelerator of the hardware catalog (`dlcost hardware` lists them)", "to match the device's name")
    for value, name, choices in ((device, "device", DEVICES), (precision, "precision", PRECISIONS)):
        if value is not None:
            checks.check_choice(value, name, choices)


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
    precision: Annotated[Optional[str], typer.Option(help="bf16, fp16, tf32 or fp32 [default: bf16 on cuda, fp32 on cpu].")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Images per step [default: 64 on cuda, 8 on cpu].")] = None,
    resolution: Annotated[Optional[int], typer.Option(help="Input size in px [default: the architecture's native].")] = None,
    steps: Annotated[int, typer.Option(help="Timed training steps (after warm-up).")] = 30,
    warmup_steps: Annotated[int, typer.Option(help="Untimed warm-up steps.")] = 10,
    gpu: Annotated[Optional[str], typer.Option(help="Hardware catalog name of this device, for peak and --save [default: matched from the device name].")] = None,
    loader: Annotated[bool, typer.Option("--loader", help="Measure JPEG decode + augmentation images/s per CPU core instead.")] = False,
    inference: Annotated[bool, typer.Option("--inference", help="Time forward passes (eval mode, no autograd) instead of training steps.")] = False,
    workers: Annotated[int, typer.Option(help="DataLoader workers for --loader (0 = main process).")] = 1,
    images: Annotated[int, typer.Option(help="Generated JPEGs for --loader.")] = 256,
    save: Annotated[bool, typer.Option("--save", help="Store the figures so later estimates on this GPU use them.")] = False,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Measure training or inference images/s (random weights, synthetic data), or data-loader images/s per core.

    Needs the optional PyTorch extra: pip install 'dlcost[torch]'.
    """
    from dlcost import bench as bench_engine
    from dlcost.iotools.user_files import load_user_hardware, writable_data_dir

    _check_options(steps, warmup_steps, batch_size, resolution, workers, images, gpu, device, precision)
    folder = writable_data_dir() if save else None  # before measuring, not after
    if loader:
        with ProgressBar("loader") as bar:
            result = measured(lambda: bench_engine.run_loader_bench(n_images=images, workers=workers, progress=bar.update),
                              "loader benchmark")
        document = {"loader": result.to_dict()}
        if save:
            document["saved_to"] = str(run(lambda: bench_engine.save_loader_result(result, folder / "loader_throughput.csv")))
        if json_output:
            emit(document)
        else:
            typer.echo(f"{result.images_per_s_per_core:,.1f} images/s per core ({result.images_per_s:,.1f} images/s with "
                       f"{result.workers} worker(s)) on {result.cpu_model}" + (f"; saved to {document['saved_to']}" if save else ""))
        return
    if not architectures:
        raise InputError("architectures", "architectures: name at least one catalog architecture to measure (or use --loader).")
    hardware = run(lambda: load_user_hardware(config))
    accelerator = run(lambda: hardware.find_accelerator(gpu)) if gpu is not None else None
    results = []
    for name in architectures:
        peak = None
        if accelerator is not None:
            peak = accelerator.peak_flops_per_s(precision or "bf16")[0] / 1e12
        with ProgressBar(name) as bar:
            result = measured(
                lambda: bench_engine.run_training_bench(
                    name, device=device, precision=precision, batch_size=batch_size, resolution_px=resolution,
                    steps=steps, warmup_steps=warmup_steps, peak_tflops=peak, progress=bar.update, inference=inference,
                ),
                "inference benchmark" if inference else "training benchmark",
            )
        record = result.to_dict()
        if save:
            gpu_name = accelerator.name if accelerator else _catalog_gpu_for(result.device_name, hardware)
            if gpu_name is None:
                raise InputError("gpu", f"gpu: {result.device_name!r} is not in the hardware catalog; give --gpu NAME to save.")
            save_result = bench_engine.save_inference_result if inference else bench_engine.save_training_result
            target = folder / ("inference_throughput.csv" if inference else "throughput.csv")
            record["saved_to"] = str(run(lambda: save_result(result, gpu_name, target)))
        results.append(record)
        if not json_output:
            utilization = "" if result.utilization is None else f", {result.utilization:.1%} of peak"
            typer.echo(
                f"{result.architecture}: {result.images_per_s:,.1f} {'inference ' if inference else ''}images/s on "
                f"{result.device_name} {result.precision} "
                f"at {result.resolution_px} px, batch {result.batch_size}; {result.forward_gflops_per_image:.3f} GFLOP/image, "
                f"{result.achieved_tflops:.2f} TFLOP/s{utilization}; peak memory {result.peak_memory_gb:.2f} GB"
                + (f"; saved to {record['saved_to']}" if save else "")
            )
    if json_output:
        emit({"results": results})
