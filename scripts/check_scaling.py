"""Check the roofline-style GPU scaling of `measured` mode against public measurements.

timm publishes inference throughput of the same models on an RTX 4090 (PyTorch
2.4, CUDA 12.4) and an RTX 5090 (PyTorch 2.9.1, CUDA 13.0), both AMP, NCHW. We
predict every model's RTX 5090 images/s from its RTX 4090 images/s with
`dlcost.core.compute.extrapolated_images_per_s` and compare, next to the two
naive alternatives (scale by peak FLOP/s only; by memory bandwidth only).

The compute-bound fraction of a model is f = u / u_ceiling, u its utilization on
the reference GPU and u_ceiling the 90th percentile of u over all models on that
GPU (the utilization the most compute-bound models reach). The same rule, on
the RTX 3090 training benchmark, gives `compute_bound_utilization` in
src/dlcost/catalog/utilization.toml.

    python scripts/check_scaling.py [--data-dir ../shared/data] [--write-toml]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
from pathlib import Path

import numpy as np

from dlcost.catalog.hardware import load_hardware
from dlcost.core.compute import extrapolated_images_per_s

REPO = Path(__file__).resolve().parents[1]


def read(path: Path) -> dict:
    with path.open(newline="") as handle:
        return {(row["model"], row["infer_img_size"]): row for row in csv.DictReader(handle)}


def training_ceiling(data_dir: Path, peak: float) -> float:
    infer = {row["model"]: row for row in csv.DictReader((data_dir / "timm/benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv").open())}
    utilizations = []
    for row in csv.DictReader((data_dir / "timm/benchmark-train-amp-nchw-pt112-cu113-rtx3090.csv").open()):
        match = infer.get(row["model"])
        if match and match["infer_img_size"] == row["train_img_size"] and float(match["infer_gmacs"]) > 0:
            utilizations.append(float(row["train_samples_per_sec"]) * 3 * 2 * float(match["infer_gmacs"]) * 1e9 / peak)
    return float(np.percentile(utilizations, 90))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    hardware = load_hardware()
    ref, target = hardware.find_accelerator("RTX4090"), hardware.find_accelerator("RTX5090")
    ref_peak, _ = ref.peak_flops_per_s("fp16")
    target_peak, _ = target.peak_flops_per_s("fp16")
    a = read(args.data_dir / "timm/benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv")
    b = read(args.data_dir / "timm/benchmark-infer-amp-nchw-pt291-cu130-5090.csv")
    pairs = []
    for key, row in a.items():
        if key in b and float(row["infer_gmacs"]) > 0 and not key[0].startswith("test_"):
            rate = float(row["infer_samples_per_sec"])
            utilization = rate * 2 * float(row["infer_gmacs"]) * 1e9 / ref_peak
            pairs.append((key[0], rate, utilization, float(b[key]["infer_samples_per_sec"])))
    ceiling = float(np.percentile([u for _, _, u, _ in pairs], 90))
    bandwidth_ratio = target.memory_bandwidth_gbs / ref.memory_bandwidth_gbs
    methods = {
        "roofline (dlcost)": lambda rate, u: extrapolated_images_per_s(
            rate, ref_peak, target_peak, ref.memory_bandwidth_gbs, target.memory_bandwidth_gbs, u / ceiling),
        "peak FLOP/s ratio": lambda rate, u: rate * target_peak / ref_peak,
        "bandwidth ratio": lambda rate, u: rate * bandwidth_ratio,
    }
    print(f"{len(pairs)} models in both benchmarks; RTX4090 -> RTX5090; u_ceiling (p90) = {ceiling:.3f}")
    print(f"{'method':20s} {'median |err|':>12s} {'within 15%':>10s} {'within 25%':>10s} {'median ratio':>12s}")
    for name, predict in methods.items():
        ratios = [predict(rate, u) / observed for _, rate, u, observed in pairs]
        errors = [abs(math.log(r)) for r in ratios]
        within = lambda tol: sum(abs(r - 1) <= tol for r in ratios) / len(ratios)
        print(f"{name:20s} {math.exp(statistics.median(errors)) - 1:12.1%} {within(0.15):10.1%} {within(0.25):10.1%} {statistics.median(ratios):12.3f}")
    train_peak, _ = hardware.find_accelerator("RTX3090").peak_flops_per_s("fp16")
    print(f"compute_bound_utilization for RTX 3090 training (p90 of training utilization): {training_ceiling(args.data_dir, train_peak):.3f}")


if __name__ == "__main__":
    main()
