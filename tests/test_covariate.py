"""Seed 000's dataset distance tested as a covariate of eq. (1) (issue 15): ``dlcost.engine.covariate``.

Synthetic observations drawn from eq. (1) plus ``beta * distance``: a strong effect must be
reported significant at 0.05, no effect (beta = 0) not significant, and too few observations
or datasets with a distance give the reason instead of a test. Seeds are fixed; the
no-effect case is also checked over 40 seeds, where OLS's t test rejects about 5% of the time.
"""

import math

import numpy as np
import pytest

from dlcost.engine.complexity import relative_complexity_of
from dlcost.engine.covariate import ALPHA, MIN_DATASETS, MIN_OBSERVATIONS, distance_test
from dlcost.schemas import Observation

# eq. (1) with Table 1's slopes; the intercept lower so that every drawn error stays below 1
TRUE = {"intercept": -1.2, "log_data": -0.07, "pretrain_log_data": -0.05, "complexity": 0.6}


def synthetic(beta: float, seed: int, n_datasets: int = 10, per_dataset: int = 6, noise: float = 0.05) -> list[Observation]:
    """Observations of ``n_datasets`` datasets, each with one distance in [0, 1], log10(error) = eq. (1) + beta * distance."""
    rng = np.random.default_rng(seed)
    observations = []
    for d in range(n_datasets):
        distance, classes = float(rng.uniform(0, 1)), int(rng.integers(2, 500))
        for i in range(per_dataset):
            n_train, pretrained = float(10 ** rng.uniform(2, 5)), bool(i % 2)
            shell = Observation(dataset=f"set {d}", task="classification", n_train=n_train, n_classes=classes,
                                pretrained=pretrained, metric_value=0.5, dataset_distance=distance)
            log10_error = (TRUE["intercept"] + (TRUE["log_data"] + TRUE["pretrain_log_data"] * pretrained) * math.log10(n_train)
                           + TRUE["complexity"] * relative_complexity_of(shell) + beta * distance + rng.normal(0, noise))
            observations.append(shell.model_copy(update={"metric_value": 1 - 10 ** log10_error}))
    return observations


def test_a_distance_that_matters_is_significant():
    test = distance_test(synthetic(beta=0.5, seed=20261201))
    assert test["tested"] and test["reason"] is None
    assert (test["n"], test["n_datasets"]) == (60, 10)
    assert test["significant"] and test["p"] < 1e-3 and test["alpha"] == ALPHA == 0.05
    assert test["df"] == 8 and test["test"].startswith("dataset level")  # 10 datasets, a slope and a constant
    assert test["ci_low"] < 0.5 < test["ci_high"] and abs(test["coef"] - 0.5) < 3 * test["std_err"]
    assert test["r2"] > test["r2_without"]
    names = [row["name"] for row in test["coefficients"]]
    assert names == ["intercept", "log_data", "pretrain_log_data", "complexity", "dataset_distance", "segmentation"]
    held = test["coefficients"][-1]
    assert held["held"] and held["coef"] == 0.622  # one task: Type held at Table 1's value, as the main fit does
    assert abs(test["coefficients"][4]["coef"] - 0.5) < 3 * test["coefficients"][4]["std_err"]  # the row-level fit agrees


def test_a_distance_that_is_noise_is_not_significant():
    test = distance_test(synthetic(beta=0.0, seed=20261201))
    assert test["tested"] and not test["significant"]
    assert test["p"] > 0.2 and test["ci_low"] < 0 < test["ci_high"]
    # over many draws the t test rejects at about its level (5%): 40 draws, at most 6 (P(more) < 0.3%)
    rejected = sum(distance_test(synthetic(beta=0.0, seed=seed))["significant"] for seed in range(40))
    assert rejected <= 6


def test_only_observations_with_a_distance_enter_the_test():
    observations = synthetic(beta=0.5, seed=7)
    without = [o.model_copy(update={"dataset_distance": None, "dataset": o.dataset + " b"}) for o in observations[:12]]
    test = distance_test(observations + without)
    assert test["tested"] and (test["n"], test["n_datasets"]) == (60, 10)


@pytest.mark.parametrize("n_datasets, per_dataset, words", [
    (3, 2, f"6 fitted observations have a dataset_distance, from 3 datasets; the test needs at least {MIN_OBSERVATIONS} "
           f"from at least {MIN_DATASETS} datasets"),
    (2, 6, "12 fitted observations have a dataset_distance, from 2 datasets;"),
    (1, 1, "1 fitted observation has a dataset_distance, from 1 dataset;"),
])
def test_too_few_observations_or_datasets_give_the_reason(n_datasets, per_dataset, words):
    test = distance_test(synthetic(beta=0.5, seed=3, n_datasets=n_datasets, per_dataset=per_dataset))
    assert not test["tested"] and words in test["reason"]
    assert "coef" not in test and test["n"] == n_datasets * per_dataset


def test_no_distance_and_a_distance_the_design_determines():
    plain = [o.model_copy(update={"dataset_distance": None}) for o in synthetic(beta=0.0, seed=5)]
    assert distance_test(plain) == {"covariate": "dataset_distance", "regressor": "Dataset distance (seed 000)", "n": 0,
                                    "n_datasets": 0, "min_observations": MIN_OBSERVATIONS, "min_datasets": MIN_DATASETS,
                                    "alpha": ALPHA, "tested": False, "reason": "no fitted observation has a dataset_distance"}
    same = [o.model_copy(update={"dataset_distance": 0.25}) for o in plain]  # one value: the intercept's column again
    assert "a linear function of eq. (1)'s regressors" in distance_test(same)["reason"]
