"""How long one estimate with a 3-point pilot takes, and how often it fits the learning curve.

Issue 9: the pilot was fitted twice per estimate (0.39 s for one 3-point estimate). Run:
    .venv/bin/python benchmarks/bench_pilot_estimate.py
"""

import statistics
import time
from unittest import mock

import dlcost
from dlcost.core import learning_curves

SCENARIO = dlcost.Scenario(target_accuracy=0.98, data_max=100_000, cost_per_datapoint=0.5, classes=10, cost_mode="flops",
                           pilot_points=[[144, 0.0752], [288, 0.0418], [575, 0.0223]])


def main() -> None:
    dlcost.estimate(SCENARIO)  # warm caches (catalog, hardware)
    with mock.patch.object(learning_curves, "fit_learning_curve", wraps=learning_curves.fit_learning_curve) as fit:
        dlcost.estimate(SCENARIO)
    times = []
    for _ in range(10):
        start = time.perf_counter()
        dlcost.estimate(SCENARIO)
        times.append(time.perf_counter() - start)
    print(f"learning-curve fits per estimate: {fit.call_count}")
    print(f"one 3-point pilot estimate: median {statistics.median(times):.3f} s, min {min(times):.3f} s (10 runs)")


if __name__ == "__main__":
    main()
