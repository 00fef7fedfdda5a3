"""Embedding throughput of `dlcost distance` (issue 15): dlcost's pipeline against a plain one and the model-only ceiling.

Generates N JPEGs of 500 x 375 px (photo-like: smooth random fields with grain, about 60 kB each),
then measures images/s of Inception-V3 embedding on each device (the CPU, and CUDA when there is a GPU):

- dlcost: ``dlcost.bench.embedding.embed_images`` (CPU: DataLoader workers decoding with PIL, fp32,
  channels_last; CUDA: bytes read by workers, batched nvJPEG decoding and resizing on the GPU, bf16,
  channels_last);
- plain: what most users write: an ImageFolder-style dataset decoding with PIL and torchvision's
  Resize(342)/CenterCrop(299)/ToTensor/Normalize, a DataLoader with workers, fp32, embeddings
  gathered on the host;
- ceiling: the network alone on pre-decoded tensors already on the device, in dlcost's precision
  and memory format (fp32 on the CPU, bf16 on CUDA).

The weights are random (throughput does not depend on their values; no download) unless
--weights names a file. Each measurement is preceded by one untimed batch (warm-up); with
--repeat R the three pipelines run R times in turn and the best of each is shown (a machine
shared with other jobs slows some runs).

    python benchmarks/bench_embedding.py [--images 10000] [--batch-size 64] [--devices cpu,cuda] [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np


def make_images(folder: Path, n_images: int, seed: int = 0) -> list[Path]:
    """``n_images`` photo-like JPEGs of 500 x 375 px (quality 90)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    paths = []
    for index in range(n_images):
        field = rng.uniform(0, 255, size=(12, 16, 3)).astype(np.uint8)  # smooth colour field ...
        image = np.asarray(Image.fromarray(field).resize((500, 375), Image.BICUBIC), dtype=np.int16)
        image = np.clip(image + rng.normal(0, 6, size=image.shape), 0, 255).astype(np.uint8)  # ... with grain
        path = folder / f"{index // 1000:03d}" / f"image-{index:05d}.jpg"
        path.parent.mkdir(exist_ok=True)
        Image.fromarray(image).save(path, quality=90)
        paths.append(path)
    return paths


def plain_pipeline(torch, torchvision, paths, weights: Path, device: str, batch_size: int, workers: int) -> float:
    """Images/s of the pipeline most users write (PIL, torchvision transforms, fp32)."""
    from PIL import Image
    from torchvision import transforms

    transform = transforms.Compose([transforms.Resize(342), transforms.CenterCrop(299), transforms.ToTensor(),
                                    transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

    class Images(torch.utils.data.Dataset):
        def __len__(self):
            return len(paths)

        def __getitem__(self, index):
            return transform(Image.open(paths[index]).convert("RGB"))

    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False, transform_input=True)
    state = torch.load(weights, map_location="cpu", weights_only=True)
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith("AuxLogits.")})
    model.fc = torch.nn.Identity()
    model = model.to(device).eval()
    loader = torch.utils.data.DataLoader(Images(), batch_size=batch_size, num_workers=workers)
    with torch.no_grad():
        model(torch.randn(batch_size, 3, 299, 299, device=device))  # warm-up
        _synchronize(torch, device)
        started, embeddings = time.perf_counter(), []
        for batch in loader:
            embeddings.append(model(batch.to(device)).cpu().numpy())
        np.concatenate(embeddings).mean(axis=0)
    return len(paths) / (time.perf_counter() - started)


def dlcost_pipeline(paths, weights: Path, device: str, batch_size: int) -> float:
    from dlcost.bench.embedding import embed_images

    embed_images(paths[:batch_size], weights=weights, device=device, batch_size=batch_size, workers=0)  # warm-up
    result = embed_images(paths, weights=weights, device=device, batch_size=batch_size)
    assert result.skipped == 0, result.skipped_examples
    return result.images_per_s


def ceiling(torch, n_images: int, weights: Path, device: str, batch_size: int) -> float:
    """Images/s of the network alone on a pre-decoded batch on the device, in dlcost's precision."""
    from dlcost.bench.embedding import load_inception_v3

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = load_inception_v3(weights, device).to(dtype=dtype, memory_format=torch.channels_last)
    batch = torch.randn(batch_size, 3, 299, 299, device=device).to(dtype=dtype, memory_format=torch.channels_last)
    n_batches = max(1, round(n_images / batch_size))
    with torch.inference_mode():
        model(batch)  # warm-up
        _synchronize(torch, device)
        started = time.perf_counter()
        for _ in range(n_batches):
            model(batch)
        _synchronize(torch, device)
    return n_batches * batch_size / (time.perf_counter() - started)


def _synchronize(torch, device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def _machine(torch, device: str) -> str:
    if device == "cuda":
        return torch.cuda.get_device_name()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10_000, help="JPEGs generated and embedded per measurement")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--devices", default=None, help="comma-separated: cpu,cuda [default: cpu, and cuda if available]")
    parser.add_argument("--plain-workers", type=int, default=None, help="DataLoader workers of the plain pipeline [default: cores]")
    parser.add_argument("--weights", type=Path, default=None, help="an Inception-V3 state_dict [default: random weights]")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each pipeline, in turn; the best is shown")
    args = parser.parse_args()

    import PIL
    import torch
    import torchvision

    from dlcost import __version__
    from dlcost.bench.embedding import save_random_weights

    load_before = " ".join(f"{value:.2f}" for value in os.getloadavg())
    devices = args.devices.split(",") if args.devices else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    workers = args.plain_workers if args.plain_workers is not None else min(8, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="dlcost-bench-embedding-") as folder:
        started = time.perf_counter()
        paths = make_images(Path(folder), args.images)
        size_kb = sum(p.stat().st_size for p in paths) / len(paths) / 1e3
        print(f"generated {len(paths):,} JPEGs of 500 x 375 px ({size_kb:.0f} kB each) in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        weights = args.weights or save_random_weights(Path(folder) / "inception_v3_random.pth")
        rows = []
        for device in devices:
            measures = {"dlcost": lambda: dlcost_pipeline(paths, weights, device, args.batch_size),
                        "plain": lambda: plain_pipeline(torch, torchvision, paths, weights, device, args.batch_size, workers),
                        "ceiling": lambda: ceiling(torch, len(paths), weights, device, args.batch_size)}
            figures = {name: 0.0 for name in measures}
            for _ in range(args.repeat):  # in turn, so that a busy spell of the machine falls on each alike
                for name, measure in measures.items():
                    figures[name] = max(figures[name], measure())
            rows.append((device, "bf16" if device == "cuda" else "fp32", _machine(torch, device), figures))
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {shlex.join(['python', *sys.argv])}")
    print(f"# dlcost {__version__}; python {platform.python_version()}; torch {torch.__version__}; "
          f"torchvision {torchvision.__version__}; pillow {PIL.__version__}; {len(paths):,} images of 500 x 375 px, "
          f"batch {args.batch_size}; best of {args.repeat}; plain pipeline: {workers} workers, fp32; "
          f"weights: {args.weights or 'random'}; load average before {load_before}")
    print(f"{'device':7s} {'pipeline':9s} {'precision':9s} {'images/s':>10s} {'x plain':>8s} {'of ceiling':>11s}  machine")
    for device, precision, machine, figures in rows:
        for name in ("dlcost", "plain", "ceiling"):
            shown_precision = "fp32" if name == "plain" else precision
            value = figures[name]
            print(f"{device:7s} {name:9s} {shown_precision:9s} {value:10.1f} {value / figures['plain']:8.2f} "
                  f"{value / figures['ceiling']:11.0%}  {machine}")


if __name__ == "__main__":
    main()
