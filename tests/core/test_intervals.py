"""Prediction intervals: split-conformal reaches its nominal coverage; OLS interval by hand."""

import math

import numpy as np
import pytest

from dlcost.core.intervals import conformal_log10_bounds, ols_log10_bounds


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9])
@pytest.mark.parametrize("distribution", ["normal", "skewed"])
def test_conformal_reaches_nominal_coverage_on_synthetic_data(level, distribution):
    # Exchangeable residuals: calibrate on 40, test on a fresh draw, repeat. Split conformal
    # guarantees coverage >= level and at most level + 2/(n + 1) on average.
    rng = np.random.default_rng(7)
    draw = (lambda size: rng.normal(0.1, 0.3, size)) if distribution == "normal" else (lambda size: rng.lognormal(0.0, 0.6, size) - 1.0)
    covered = []
    for _ in range(2000):
        low, high = conformal_log10_bounds(draw(40), level)
        new = draw(1)[0]
        covered.append(low <= new <= high)
    coverage = float(np.mean(covered))
    assert level - 0.02 <= coverage <= level + 2 / 41 + 0.02


def test_too_few_residuals_give_an_unbounded_interval():
    assert conformal_log10_bounds([0.1, -0.2, 0.3], 0.9) == (-math.inf, math.inf)


def test_groups_weight_each_group_once():
    residuals = [0.0] * 50 + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    groups = ["big"] * 50 + [f"g{i}" for i in range(9)]
    _, high_ungrouped = conformal_log10_bounds(residuals, 0.8)
    _, high_grouped = conformal_log10_bounds(residuals, 0.8, groups=groups)
    assert high_ungrouped < high_grouped  # 50 identical residuals of one dataset no longer dominate


def test_ols_interval_by_hand():
    # half-width = t(df=10, 0.95) x sqrt(x' C x + s^2), C = 0.01 I, x = (1, 2), s^2 = 0.04
    low, high = ols_log10_bounds([1.0, 2.0], np.eye(2) * 0.01, 0.04, 10, 0.9)
    assert high == pytest.approx(1.812461 * math.sqrt(0.05 + 0.04), rel=1e-5) and low == -high
