"""Validate ``measured`` cost mode against a real training run over a real DataLoader.

For each architecture this script

1. writes ``--images`` realistic JPEGs (500 x 375 px smooth noise, quality 90, the
   generator of ``dlcost bench --loader``) in an ImageFolder layout of 10 classes
   (once, shared by every architecture);
2. predicts the training time with dlcost: ``training_compute`` in ``measured`` mode
   (what ``dlcost.estimate`` runs for each architecture) on ``--gpu`` for
   ``--images`` x ``--epochs`` images, 1 GPU, ``--workers`` loader cores; when the
   hardware catalog has no measurement for the architecture, ``flops`` mode, labelled;
3. trains for real: torchvision model with random weights, a DataLoader over the
   JPEGs (RandomResizedCrop, flip, ToTensor, Normalize; ``--workers`` processes,
   pinned memory and persistent workers on cuda), channels_last + autocast on cuda as
   in ``dlcost bench``, SGD with momentum; the wall time runs from the first
   iteration (worker start included) to the end of the last step (synchronized),
   and is also taken without the first batch;
4. reports predicted and measured seconds, their ratio, whether the prediction is
   within ``--tolerance`` (15%) of the measurement, the predicted bound (gpu or
   loader), images/s, and writes everything, with versions and the command, to
   ``--out`` (JSON).

``--bench-first`` measures this device first, exactly as a user would with
``dlcost bench ARCH --save`` and ``dlcost bench --loader --save``, into a temporary
data folder (the user's own files are not touched), so that the prediction uses a
throughput measured on this GPU (``throughput_source = "measured"``) and this
machine's loader rate per core. Without it the prediction uses the catalog (and the
user's saved measurements: DLCOST_DATA_DIR, DLCOST_CONFIG).

The prediction is made with ``resolve_settings`` + ``training_compute`` directly
(no pydantic), so the script needs only numpy, torch, torchvision and Pillow; it
finds ``dlcost`` in ``src/`` when it is not installed.

On an H100::

    python scripts/validate_training_time.py --device cuda --gpu H100 --precision bf16 \\
        --architectures ResNet-50,EfficientNet-B0,ViT-B/16 --images 4096 --epochs 2 \\
        --batch-size 128 --bench-first --out validation-h100.json --markdown

At a non-native ``--resolution`` the prediction takes the architecture's forward
FLOPs and measured images/s as scaling with the pixel count (the rule dlcost uses
between resolutions), and says so ("resolution-adjusted").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

try:
    import dlcost  # noqa: F401
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dlcost import catalog  # noqa: E402
from dlcost.bench._loader import IMAGENET_MEAN, IMAGENET_STD, JPEG_QUALITY, _realistic_image  # noqa: E402
from dlcost.bench._store import cpu_model, utc_now_iso  # noqa: E402
from dlcost.catalog.hardware import load_hardware  # noqa: E402
from dlcost.engine.training_compute import resolve_settings, training_compute  # noqa: E402

N_CLASSES = 10
IMAGE_SIZE_PX = (500, 375)  # width, height: a typical ImageNet photo, as dlcost bench --loader
DEFAULT_ARCHITECTURES = "ResNet-50,EfficientNet-B0,ViT-B/16"
TOLERANCE = 0.15


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------- arguments

def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Compare dlcost's measured-mode training time with a real training run.",
    )
    parser.add_argument("--architectures", default=DEFAULT_ARCHITECTURES,
                        help=f"comma-separated catalog names [default: {DEFAULT_ARCHITECTURES}]")
    parser.add_argument("--images", type=int, default=4096, help="JPEGs generated = images per epoch [4096]")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the images [1]")
    parser.add_argument("--batch-size", type=int, default=128, help="images per step [128]")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="DataLoader worker processes = loader cores of the prediction [os.cpu_count()]")
    parser.add_argument("--device", choices=("cuda", "cpu"), default=None,
                        help="[default: cuda when available, else cpu]")
    parser.add_argument("--precision", choices=("bf16", "fp16", "fp32"), default=None,
                        help="autocast dtype, and the prediction's precision [default: bf16 on cuda, fp32 on cpu]")
    parser.add_argument("--gpu", default="H100", help="hardware catalog name the prediction is for [H100]")
    parser.add_argument("--resolution", type=int, default=None,
                        help="crop side in px [default: the architecture's native resolution]")
    parser.add_argument("--warmup-steps", type=int, default=None,
                        help="untimed training steps on synthetic data before the timed run, so that one-time "
                             "CUDA/cuDNN initialisation is not timed [default: 3 on cuda, 1 on cpu]")
    parser.add_argument("--bench-first", action="store_true",
                        help="measure training images/s (dlcost bench) and loader images/s per core on this "
                             "machine first, into a temporary data folder, and predict from those")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE,
                        help=f"largest accepted |predicted - measured| / measured [{TOLERANCE}]")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where to write the JPEGs (kept); default: a temporary folder, removed at the end")
    parser.add_argument("--out", type=Path, default=None, help="JSON file for the results")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table row per architecture")
    args = parser.parse_args(argv)
    for name in ("images", "epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}")
    if args.workers < 0:
        parser.error(f"--workers must be >= 0; got {args.workers}")
    if args.resolution is not None and args.resolution < 16:
        parser.error(f"--resolution must be >= 16 px; got {args.resolution}")
    if args.warmup_steps is not None and args.warmup_steps < 0:
        parser.error(f"--warmup-steps must be >= 0; got {args.warmup_steps}")
    if not 0 < args.tolerance < 1:
        parser.error(f"--tolerance must be in (0, 1); got {args.tolerance}")
    args.architecture_names = [name.strip() for name in args.architectures.split(",") if name.strip()]
    if not args.architecture_names:
        parser.error("--architectures must name at least one catalog architecture")
    return args


# ---------------------------------------------------------------------------- the JPEGs

def _write_chunk(task: tuple[str, list[int]]) -> int:
    """Write the JPEGs ``indices`` under ``root``; their total size [bytes]."""
    import numpy as np

    root, indices = task
    total = 0
    for index in indices:
        generator = np.random.default_rng([0, index])
        path = Path(root) / f"class_{index % N_CLASSES}" / f"image_{index:06d}.jpg"
        _realistic_image(generator, *IMAGE_SIZE_PX).save(path, "JPEG", quality=JPEG_QUALITY)
        total += path.stat().st_size
    return total


def write_dataset(root: Path, n_images: int, processes: int) -> dict:
    """ImageFolder of ``n_images`` JPEGs in ``N_CLASSES`` class folders; what was written."""
    import multiprocessing

    for index in range(N_CLASSES):
        (root / f"class_{index}").mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    chunk = 64
    tasks = [(str(root), list(range(start, min(start + chunk, n_images)))) for start in range(0, n_images, chunk)]
    total_bytes = done = 0
    use_pool = processes > 1 and len(tasks) > 1 and "fork" in multiprocessing.get_all_start_methods()
    if use_pool:
        with multiprocessing.get_context("fork").Pool(min(processes, len(tasks))) as pool:
            for size, task in zip(pool.imap(_write_chunk, tasks), tasks):
                total_bytes += size
                done += len(task[1])
                if done % 1024 < chunk or done == n_images:
                    say(f"  JPEGs written: {done}/{n_images}")
    else:
        for task in tasks:
            total_bytes += _write_chunk(task)
            done += len(task[1])
            if done % 1024 < chunk or done == n_images:
                say(f"  JPEGs written: {done}/{n_images}")
    return {
        "n_images": n_images,
        "n_classes": N_CLASSES,
        "image_size_px": list(IMAGE_SIZE_PX),
        "jpeg_quality": JPEG_QUALITY,
        "mean_jpeg_kb": total_bytes / n_images / 1e3,
        "generation_s": time.perf_counter() - started,
    }


# ---------------------------------------------------------------------------- the prediction

def _user_files() -> tuple[Path | None, Path | None]:
    """The user's config file and data folder, as ``dlcost.config`` finds them (platformdirs optional)."""
    config = os.environ.get("DLCOST_CONFIG")
    config_path = Path(config) if config and Path(config).is_file() else None
    data = os.environ.get("DLCOST_DATA_DIR")
    if data:
        return config_path, Path(data)
    try:
        import platformdirs
    except ImportError:
        return config_path, None
    if config is None:
        default = Path(platformdirs.user_config_dir("dlcost")) / "config.toml"
        config_path = default if default.is_file() else None
    return config_path, Path(platformdirs.user_data_dir("dlcost"))


def load_catalog(data_dir: Path | None):
    config_path, user_data = _user_files()
    folder = data_dir or user_data
    if folder is None:
        return load_hardware(config_path, None, None)
    return load_hardware(config_path, folder / "throughput.csv", folder / "loader_throughput.csv")


def at_resolution(architecture, resolution_px: int):
    """The catalog row as trained at ``resolution_px``: FLOPs scale with the pixel count."""
    if resolution_px == architecture.resolution_px:
        return architecture
    return dataclasses.replace(
        architecture,
        resolution_px=resolution_px,
        forward_gflops=architecture.forward_gflops * (resolution_px / architecture.resolution_px) ** 2,
    )


def predict(architecture, args, hardware) -> dict:
    """Predicted training time of ``--images`` x ``--epochs`` on one ``--gpu``."""
    loader_cores = max(args.workers, 1)  # workers=0: the main process decodes, one core
    scenario = SimpleNamespace(
        gpu=args.gpu, provider=None, region=None, country=None, gpus=1, price_per_hour=None,
        loader_cores=loader_cores, precision=args.precision, utilization=None, runs=1,
        scaling_efficiency=catalog.defaults()["scaling_efficiency"], power_w=None, pue=None, price_per_kwh=None,
        stack=catalog.defaults()["stack"], decode="cpu", node_overhead_w=None,
    )
    settings = resolve_settings(scenario, hardware, need_price=False)
    trained = at_resolution(architecture, args.resolution_px)
    note = ""
    if hardware.measurements(architecture.name):
        mode = "measured"
    else:
        mode = "flops"
        note = f"no measured throughput for {architecture.name}: flops mode, NOT a measured-mode prediction"
    job = training_compute(trained, args.images, args.epochs, settings, hardware, mode)
    if trained is not architecture:
        resolution_note = (f"resolution-adjusted: trained at {args.resolution_px} px, catalog native "
                           f"{architecture.resolution_px} px; FLOPs, and a throughput measured at another size, "
                           "scaled by pixel count")
        note = "; ".join(part for part in (note, resolution_note) if part)
    return {
        "cost_mode": job.mode,
        "throughput_source": job.throughput_source,
        "gpu": settings.accelerator.name,
        "precision": args.precision,
        "precision_used": job.precision_used,
        "loader_cores": loader_cores,
        "loader_images_per_s_per_core": settings.loader_images_per_s_per_core,
        "loader_source": hardware.loader_source,
        "gpu_images_per_s": job.gpu_images_per_s,
        "loader_images_per_s": job.loader_images_per_s,
        "images_per_s": job.images_per_s,
        "bound": job.bound,
        "gpu_hours": job.gpu_hours,
        "seconds": job.gpu_hours * 3600.0,
        "reference": job.reference,
        "note": note,
    }


def bench_this_machine(architecture_names, args, folder: Path) -> list[str]:
    """``dlcost bench ARCH --save`` and ``dlcost bench --loader --save`` into ``folder``."""
    from dlcost.bench import run_loader_bench, run_training_bench, save_loader_result, save_training_result

    gpu_name = load_catalog(None).find_accelerator(args.gpu).name
    lines = []
    say(f"[bench] loader images/s per core (1 worker, crop {args.loader_crop_px} px) ...")
    loader = run_loader_bench(n_images=256, workers=1, epochs=2, batch_size=32, crop_px=args.loader_crop_px)
    save_loader_result(loader, folder / "loader_throughput.csv", command="validate_training_time.py --bench-first",
                       notes="measured by scripts/validate_training_time.py --bench-first")
    lines.append(f"loader: {loader.images_per_s_per_core:,.1f} images/s per core on {loader.cpu_model}")
    say(f"[bench] {lines[-1]}")
    for name in architecture_names:
        architecture = catalog.find_architecture(name)
        resolution = args.resolution or architecture.resolution_px
        say(f"[bench] {architecture.name}: training images/s on synthetic data ({args.device}, {args.precision}, "
            f"batch {args.batch_size}, {resolution} px) ...")
        result = run_training_bench(
            architecture.name, device=args.device, precision=args.precision, batch_size=args.batch_size,
            resolution_px=resolution, steps=30 if args.device == "cuda" else 3,
            warmup_steps=10 if args.device == "cuda" else 1,
        )
        save_training_result(result, gpu_name, folder / "throughput.csv",
                             command="validate_training_time.py --bench-first",
                             notes="measured by scripts/validate_training_time.py --bench-first")
        lines.append(f"{architecture.name}: {result.images_per_s:,.1f} images/s on {result.device_name} "
                     f"{result.precision} at {result.resolution_px} px (saved as {gpu_name})")
        say(f"[bench] {lines[-1]}")
    return lines


# ---------------------------------------------------------------------------- the real run

def _build_model(architecture, torchvision):
    try:
        from dlcost.bench._training import _build_model as build

        return build(architecture, N_CLASSES, torchvision)
    except ImportError:
        options = {"weights": None, "num_classes": N_CLASSES}
        model = torchvision.models.get_model(architecture.torchvision_builder, **options)
        return model, f"torchvision.models.{architecture.torchvision_builder}(weights=None, num_classes={N_CLASSES})"


def train(architecture, args, data_root: Path) -> dict:
    """Train ``architecture`` for ``--epochs`` over the JPEGs; the measured times."""
    import torch
    import torchvision
    from torchvision import transforms

    device = args.device
    on_cuda = device == "cuda"
    memory_format = torch.channels_last if on_cuda else torch.contiguous_format
    torch.manual_seed(0)
    model, builder = _build_model(architecture, torchvision)
    model = model.to(device=device, memory_format=memory_format)
    model.train()
    n_parameters = sum(parameter.numel() for parameter in model.parameters())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_function = torch.nn.CrossEntropyLoss()
    autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.precision)
    scaler = torch.amp.GradScaler("cuda") if args.precision == "fp16" else None

    def step(images, labels):
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device, dtype=autocast_dtype or torch.float32,
                            enabled=autocast_dtype is not None):
            loss = loss_function(model(images), labels)
        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        return loss.detach()

    def synchronize():
        if on_cuda:
            torch.cuda.synchronize()

    # One-time initialisation (cuDNN/cuBLAS handles, kernel selection, the allocator's
    # first blocks) on synthetic data: not part of a training run's steady cost.
    warmup_steps = args.warmup_steps if args.warmup_steps is not None else (3 if on_cuda else 1)
    warmup_started = time.perf_counter()
    if warmup_steps:
        fake = torch.randn(args.batch_size, 3, args.resolution_px, args.resolution_px, device=device)
        fake = fake.contiguous(memory_format=memory_format)
        fake_labels = torch.randint(0, N_CLASSES, (args.batch_size,), device=device)
        for _ in range(warmup_steps):
            step(fake, fake_labels)
        synchronize()
        del fake, fake_labels
    warmup_s = time.perf_counter() - warmup_started
    if on_cuda:
        torch.cuda.reset_peak_memory_stats()

    augment = transforms.Compose([
        transforms.RandomResizedCrop(args.resolution_px),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    dataset = torchvision.datasets.ImageFolder(str(data_root), transform=augment)
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=args.batch_size, shuffle=True, num_workers=args.workers,
        pin_memory=on_cuda, persistent_workers=args.workers > 0,
        generator=torch.Generator().manual_seed(0),
    )

    n_images = n_steps = 0
    first_batch_images = 0
    first_batch_done_s = None
    epoch_times_s = []
    loss_sum = None
    try:
        started_s = time.perf_counter()  # the first iteration starts here (worker start included)
        for epoch in range(args.epochs):
            epoch_started = time.perf_counter()
            for images, labels in loader:
                images = images.to(device, non_blocking=True).contiguous(memory_format=memory_format)
                labels = labels.to(device, non_blocking=True)
                loss = step(images, labels)
                loss_sum = loss if loss_sum is None else loss_sum + loss
                n_steps += 1
                n_images += images.shape[0]
                if first_batch_done_s is None:
                    synchronize()
                    first_batch_done_s = time.perf_counter()
                    first_batch_images = images.shape[0]
            synchronize()
            epoch_times_s.append(time.perf_counter() - epoch_started)
            say(f"  epoch {epoch + 1}/{args.epochs}: {epoch_times_s[-1]:.2f} s, {n_images} images so far")
        ended_s = time.perf_counter()
    finally:
        del loader  # shut persistent workers down

    elapsed_s = ended_s - started_s
    steady_s = ended_s - first_batch_done_s
    steady_images = n_images - first_batch_images
    mean_loss = float(loss_sum) / n_steps
    record = {
        "builder": builder,
        "n_parameters": n_parameters,
        "resolution_px": args.resolution_px,
        "images": n_images,
        "steps": n_steps,
        "warmup_steps": warmup_steps,
        "warmup_s": warmup_s,
        "seconds": elapsed_s,
        "images_per_s": n_images / elapsed_s,
        "first_batch_s": first_batch_done_s - started_s,
        "steady_seconds": steady_s,
        "steady_images": steady_images,
        "steady_images_per_s": steady_images / steady_s if steady_images else None,
        "epoch_seconds": epoch_times_s,
        "mean_loss": mean_loss,
        "loss_finite": math.isfinite(mean_loss),
        "channels_last": on_cuda,
        "pin_memory": on_cuda,
        "peak_memory_gb": torch.cuda.max_memory_allocated() / 1e9 if on_cuda else None,
    }
    model = optimizer = None  # free GPU memory before the next architecture (the closures hold these cells)
    if on_cuda:
        torch.cuda.empty_cache()
    return record


# ---------------------------------------------------------------------------- report

def environment(device: str) -> dict:
    import PIL
    import torch
    import torchvision

    from dlcost.bench._loader import _libjpeg_turbo

    on_cuda = device == "cuda"
    cudnn = torch.backends.cudnn.version() if on_cuda else None
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "pillow": PIL.__version__,
        "libjpeg_turbo": _libjpeg_turbo(),
        "cuda": torch.version.cuda if on_cuda else None,
        "cudnn": str(cudnn) if cudnn else None,
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
        "device": device,
        "device_name": torch.cuda.get_device_name(torch.cuda.current_device()) if on_cuda else cpu_model(),
        "cpu_model": cpu_model(),
        "n_cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "dlcost": getattr(sys.modules.get("dlcost"), "__version__", None),
        "platform": platform.platform(),
    }


def _error(predicted: float, measured: float) -> float:
    """(predicted - measured) / measured: negative when the prediction is too short."""
    return (predicted - measured) / measured


MARKDOWN_HEADER = (
    "| architecture | device | precision | images x epochs | workers | mode (source, bound) "
    "| predicted s | measured s | error | predicted s w/o 1st batch | measured s w/o 1st batch | error "
    "| measured img/s | within 15% (all / w/o 1st batch) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def markdown_row(row: dict, environment_info: dict, args) -> str:
    prediction, measured = row["prediction"], row["measured"]
    yes = {True: "yes", False: "no"}
    return (
        f"| {row['architecture']} | {environment_info['device_name']} | {args.precision} "
        f"| {args.images:,} x {args.epochs} | {args.workers} "
        f"| {prediction['cost_mode']} ({prediction['throughput_source']}, {prediction['bound']}) "
        f"| {row['predicted_s']:.2f} | {row['measured_s']:.2f} | {row['error']:+.1%} "
        f"| {row['predicted_steady_s']:.2f} | {row['measured_steady_s']:.2f} | {row['steady_error']:+.1%} "
        f"| {measured['images_per_s']:,.0f} | {yes[row['within_tolerance']]} / {yes[row['steady_within_tolerance']]} |"
    )


def write_json(path: Path | None, document: dict) -> None:
    if path is None:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def main(argv: list[str] | None = None) -> dict:
    """Run the validation; the JSON document (also written to ``--out``)."""
    args = parse_arguments(argv)
    import torch

    if args.device is None:
        args.device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("error: --device cuda needs a CUDA GPU visible to PyTorch; none is.")
    if args.precision is None:
        args.precision = "bf16" if args.device == "cuda" else "fp32"
    if args.precision == "fp16" and args.device == "cpu":
        raise SystemExit("error: --precision fp16 needs --device cuda.")
    architectures = [catalog.find_architecture(name) for name in args.architecture_names]
    for architecture in architectures:
        if architecture.task != "classification":
            raise SystemExit(f"error: {architecture.name} is not a classification network.")
    args.loader_crop_px = args.resolution or 224

    command = shlex.join(["python", "scripts/validate_training_time.py",
                          *(sys.argv[1:] if argv is None else argv)])
    environment_info = environment(args.device)
    document = {
        "script": "scripts/validate_training_time.py",
        "command": command,
        "date": utc_now_iso(),
        "tolerance": args.tolerance,
        "error_definition": "(predicted - measured) / measured",
        "settings": {
            "architectures": [architecture.name for architecture in architectures],
            "images": args.images, "epochs": args.epochs, "batch_size": args.batch_size,
            "workers": args.workers, "device": args.device, "precision": args.precision, "gpu": args.gpu,
            "resolution": args.resolution, "warmup_steps": args.warmup_steps, "bench_first": args.bench_first,
        },
        "environment": environment_info,
        "bench_first": None,
        "dataset": None,
        "results": [],
    }
    say(f"validate_training_time: {', '.join(a.name for a in architectures)} on {environment_info['device_name']} "
        f"({args.device}, {args.precision}); prediction for {args.gpu}; {args.images} images x {args.epochs} "
        f"epoch(s), batch {args.batch_size}, {args.workers} workers")
    say(f"  torch {environment_info['torch']}, torchvision {environment_info['torchvision']}, "
        f"cuda {environment_info['cuda']}, {environment_info['n_cpu_cores']} CPUs ({environment_info['cpu_model']})")

    with tempfile.TemporaryDirectory(prefix="dlcost-validate-") as scratch:
        scratch = Path(scratch)
        bench_dir = None
        if args.bench_first:
            bench_dir = scratch / "dlcost-data"
            bench_dir.mkdir()
            document["bench_first"] = {"data_dir": str(bench_dir),
                                       "lines": bench_this_machine(args.architecture_names, args, bench_dir)}
        hardware = load_catalog(bench_dir)

        data_root = args.data_dir or scratch / "images"
        say(f"[data] writing {args.images} JPEGs ({IMAGE_SIZE_PX[0]} x {IMAGE_SIZE_PX[1]} px, {N_CLASSES} classes) "
            f"to {data_root} ...")
        document["dataset"] = write_dataset(Path(data_root), args.images, max(args.workers, os.cpu_count() or 1))
        document["dataset"]["folder"] = str(data_root)
        say(f"[data] {args.images} JPEGs, mean {document['dataset']['mean_jpeg_kb']:.0f} kB, written in "
            f"{document['dataset']['generation_s']:.1f} s")
        write_json(args.out, document)

        rows = []
        for architecture in architectures:
            args.resolution_px = args.resolution or architecture.resolution_px
            prediction = predict(architecture, args, hardware)
            say(f"[{architecture.name}] predicted {prediction['seconds']:.2f} s "
                f"({prediction['cost_mode']} mode, {prediction['throughput_source']}, {prediction['bound']}-bound: "
                f"{prediction['images_per_s']:,.1f} images/s; gpu {prediction['gpu_images_per_s']:,.1f}, loader "
                + ("none" if prediction["loader_images_per_s"] is None else f"{prediction['loader_images_per_s']:,.1f}")
                + f") on {prediction['gpu']}; {prediction['reference']}"
                + (f"; {prediction['note']}" if prediction["note"] else ""))
            say(f"[{architecture.name}] training {args.epochs} epoch(s) at {args.resolution_px} px ...")
            measured = train(architecture, args, Path(data_root))
            fraction_after_first = measured["steady_images"] / measured["images"]
            predicted_steady_s = prediction["seconds"] * fraction_after_first
            row = {
                "architecture": architecture.name,
                "predicted_s": prediction["seconds"],
                "measured_s": measured["seconds"],
                "ratio": measured["seconds"] / prediction["seconds"],
                "error": _error(prediction["seconds"], measured["seconds"]),
                "predicted_steady_s": predicted_steady_s,
                "measured_steady_s": measured["steady_seconds"],
                "steady_ratio": measured["steady_seconds"] / predicted_steady_s if predicted_steady_s else None,
                "steady_error": _error(predicted_steady_s, measured["steady_seconds"]),
                "bound": prediction["bound"],
                "cost_mode": prediction["cost_mode"],
                "throughput_source": prediction["throughput_source"],
                "measured_images_per_s": measured["images_per_s"],
                "prediction": prediction,
                "measured": measured,
            }
            row["within_tolerance"] = abs(row["error"]) <= args.tolerance
            row["steady_within_tolerance"] = abs(row["steady_error"]) <= args.tolerance
            rows.append(row)
            document["results"] = rows
            write_json(args.out, document)
            say(f"[{architecture.name}] measured {measured['seconds']:.2f} s ({measured['images_per_s']:,.1f} images/s; "
                f"first batch {measured['first_batch_s']:.2f} s), predicted {prediction['seconds']:.2f} s: error "
                f"{row['error']:+.1%} ({'within' if row['within_tolerance'] else 'NOT within'} "
                f"{args.tolerance:.0%}); without the first batch {measured['steady_seconds']:.2f} s vs "
                f"{predicted_steady_s:.2f} s: {row['steady_error']:+.1%} "
                f"({'within' if row['steady_within_tolerance'] else 'NOT within'} {args.tolerance:.0%})")

    document["summary"] = {
        "n_architectures": len(rows),
        "n_within_tolerance": sum(row["within_tolerance"] for row in rows),
        "n_steady_within_tolerance": sum(row["steady_within_tolerance"] for row in rows),
        "all_measured_mode": all(row["cost_mode"] == "measured" for row in rows),
    }
    write_json(args.out, document)
    if args.markdown:
        say("")
        say(MARKDOWN_HEADER)
        for row in rows:
            say(markdown_row(row, environment_info, args))
    say(f"done: {document['summary']['n_within_tolerance']}/{len(rows)} within {args.tolerance:.0%} "
        f"(whole run), {document['summary']['n_steady_within_tolerance']}/{len(rows)} without the first batch"
        + (f"; written to {args.out}" if args.out else ""))
    return document


if __name__ == "__main__":
    main()
