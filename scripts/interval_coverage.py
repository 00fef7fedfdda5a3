"""Empirical coverage of dlcost's prediction intervals, leaving one dataset out at a time.

For each dataset of the shipped observations (seed 000 Table 2 + 36 VTAB results),
the interval is calibrated on the other datasets only and checked on the held-out
one. For the refit model the refit is also made without the held-out dataset
(and its calibration uses leave-one-dataset-out residuals within the rest).

    python scripts/interval_coverage.py [--levels 0.5,0.8,0.9]
"""

from __future__ import annotations

import argparse

from dlcost import catalog
from dlcost.engine.refit import dataset_group, example_observations, fit_error_model
from dlcost.engine.uncertainty import calibrate, error_bounds


def coverage(observations, level: float, refit: bool) -> tuple[float, int, int]:
    groups = sorted({dataset_group(o.dataset) for o in observations})
    covered = total = 0
    for group in groups:
        rest = [o for o in observations if dataset_group(o.dataset) != group]
        held_out = [o for o in observations if dataset_group(o.dataset) == group]
        model = fit_error_model(rest, "refit").model if refit else catalog.error_model()
        calibration = calibrate(model, rest, level, refit=refit)
        for obs in held_out:
            from dlcost.engine.complexity import relative_complexity_of

            rc = relative_complexity_of(obs)
            low, high = error_bounds(calibration, obs.n_train, rc, obs.pretrained, obs.task == "segmentation")
            covered += low <= obs.error <= high
            total += 1
    return covered / total, covered, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="0.5,0.8,0.9")
    args = parser.parse_args()
    observations = example_observations()
    print(f"{len(observations)} observations, {len({dataset_group(o.dataset) for o in observations})} datasets")
    print("| model | nominal | covered (leave-one-dataset-out) |")
    print("|---|---:|---:|")
    for refit, label in ((False, "paper-2024"), (True, "refit on the other datasets")):
        for level in (float(x) for x in args.levels.split(",")):
            share, covered, total = coverage(observations, level, refit)
            print(f"| {label} | {level:.0%} | {share:.1%} ({covered}/{total}) |")


if __name__ == "__main__":
    main()
