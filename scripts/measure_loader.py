"""Measure this machine's data-loader throughput per CPU core and store it in the catalog.

Writes src/dlcost/catalog/loader_throughput.csv (replacing it) with one row per worker
count: JPEG decode + ImageNet training augmentation (RandomResizedCrop 224,
RandomHorizontalFlip, ToTensor, Normalize) of 500 x 375 px, quality-90 JPEGs.

    .venv/bin/python scripts/measure_loader.py
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from dlcost.bench import run_loader_bench, save_loader_result

CATALOG_FILE = Path(__file__).resolve().parents[1] / "src" / "dlcost" / "catalog" / "loader_throughput.csv"
N_IMAGES = 512
EPOCHS = 2
WORKER_COUNTS = (1, 2)
REPEATS = 3  # cloud vCPUs vary run to run: the median of 3 runs is stored


def _cpu_description() -> str:
    """Family/model/vCPU details /proc/cpuinfo gives beyond the model name."""
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        return ""
    hypervisor = " under a hypervisor (cloud vCPU)" if "hypervisor" in fields.get("flags", "").split() else ""
    return (
        f"{fields.get('vendor_id', '?')} family {fields.get('cpu family', '?')} model {fields.get('model', '?')} "
        f"at {fields.get('cpu MHz', '?')} MHz{hypervisor}; {os.cpu_count()} logical CPUs on the machine"
    )


def main() -> None:
    command = shlex.join(["python", "scripts/measure_loader.py", *sys.argv[1:]])
    description = _cpu_description()
    staged = CATALOG_FILE.with_name(f".{CATALOG_FILE.stem}.staging.csv")  # same folder: os.replace is atomic
    staged.unlink(missing_ok=True)
    try:
        for workers in WORKER_COUNTS:
            runs = sorted(
                (run_loader_bench(n_images=N_IMAGES, workers=workers, epochs=EPOCHS) for _ in range(REPEATS)),
                key=lambda run: run.images_per_s,
            )
            result = runs[len(runs) // 2]
            rates = ", ".join(f"{run.images_per_s_per_core:.1f}" for run in runs)
            notes = (
                f"source: dlcost bench --loader; median of {REPEATS} runs ({rates} images/s per core); "
                f"{workers} DataLoader worker(s), batch {result.batch_size}, {result.n_images} images x "
                f"{result.epochs} epochs, {result.n_images_timed} images timed in {result.elapsed_s:.2f} s "
                f"({result.images_per_s:.1f} images/s in all); synthetic smooth-noise JPEGs, mean "
                f"{result.mean_jpeg_kb:.0f} kB; {description}"
            )
            save_loader_result(result, staged, command=command, notes=notes)
            print(f"workers={workers}: {result.images_per_s_per_core:.1f} images/s per core "
                  f"(runs: {rates}) on {result.cpu_model}")
        os.replace(staged, CATALOG_FILE)
    finally:
        staged.unlink(missing_ok=True)
    print(f"wrote {CATALOG_FILE}")


if __name__ == "__main__":
    main()
