"""The Figure 2 job of seed 000 (200,000 images, 50 epochs) per architecture on an H100:
paper-mode cost, flops-mode cost, measured-mode GPU-hours and cost. Prints a Markdown table.

    python scripts/figure2_cost_table.py [--gpu H100] [--loader-cores 0]
"""

from __future__ import annotations

import argparse

import dlcost
from dlcost.catalog.hardware import load_hardware

JOB = dict(target_accuracy=0.999, data_max=200_000, data_present=200_000, cost_per_datapoint=0.63,
           class_counts=[50_000, 1_000], epochs=50, top=50)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gpu", default="H100")
    parser.add_argument("--loader-cores", type=float, default=None)
    args = parser.parse_args()
    hardware = load_hardware()
    extra = {"gpu": args.gpu, "loader_cores": args.loader_cores}

    def by_mode(mode):
        result = dlcost.estimate(dlcost.Scenario(**JOB, cost_mode=mode, **extra), hardware=hardware)
        return {rec.architecture: rec for rec in result.recommendations}, result

    paper, result = by_mode("paper")
    flops, _ = by_mode("flops")
    measured, _ = by_mode("measured")
    print(f"{result.recommendations[0].training_images:,.0f} images x 50 epochs on {result.hardware['gpu']} "
          f"{result.hardware['precision']} at ${result.hardware['price_per_gpu_hour_usd']:.2f}/GPU-h; loader cores per GPU: "
          f"{result.hardware['loader_cores_per_gpu']}\n")
    print("| architecture | paper-mode cost | flops-mode GPU-h | flops-mode cost | measured-mode GPU-h | measured-mode cost | throughput source | bound |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name in sorted(paper, key=lambda n: paper[n].training_cost):
        m = measured.get(name)
        print(
            f"| {name} | ${paper[name].training_cost:,.0f} | {flops[name].gpu_hours:,.2f} | ${flops[name].training_cost:,.2f} | "
            + (f"{m.gpu_hours:,.2f} | ${m.training_cost:,.2f} | {m.throughput_source} | {m.bound} |" if m else "- | - | no measurement | - |")
        )


if __name__ == "__main__":
    main()
