"""In-process time of one estimate per error model (issue 10: dlcost-2026 under 20 ms).

    .venv/bin/python benchmarks/bench_estimate_model.py [--repeat 200]

Prints the median and p95 of `dlcost.engine.estimate.estimate` for the Figure 2 scenario
and a 5-class defect classifier, with paper-2024 and with dlcost-2026 (each candidate
its own data need), after one warm-up call.
"""

from __future__ import annotations

import argparse
import statistics
import time

from dlcost.catalog.hardware import load_hardware
from dlcost.engine.estimate import estimate
from dlcost.schemas import Scenario

SCENARIOS = {
    "100 classes at 96.5%": dict(target_accuracy=0.965, classes=100, pretrained=True, data_max=1e6, cost_per_datapoint=0.63),
    "5-class defects at 98%": dict(target_accuracy=0.98, classes=5, pretrained=True, data_max=1e6, cost_per_datapoint=0.1),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    hardware = load_hardware()
    for label, values in SCENARIOS.items():
        scenario = Scenario(**values)
        for model in ("paper-2024", "dlcost-2026"):
            estimate(scenario, model=model, hardware=hardware)
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = estimate(scenario, model=model, hardware=hardware)
                times.append(time.perf_counter() - start)
            times.sort()
            print(f"{label:24s} {model:12s} median {statistics.median(times) * 1e3:6.2f} ms  p95 {times[int(0.95 * len(times))] * 1e3:6.2f} ms"
                  f"  best {result.recommendations[0].architecture}, data needed {result.data_needed:,.0f}")


if __name__ == "__main__":
    main()
