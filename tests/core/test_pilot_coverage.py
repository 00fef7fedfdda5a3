"""Pilot intervals reach their nominal coverage on synthetic curves drawn from the prior they assume.

Curves: log10 e = a + b log10 n, with b drawn from the prior N(prior slope, prior sd) (truncated
to b < 0) and each point measured with noise N(0, noise sd). A one- or two-point pilot then
predicts the error 30x beyond its largest subset; its 80% interval must hold the true error
for 80% of the curves (a calibrated Bayesian interval does, up to Monte Carlo error).
"""

import math

import numpy as np
import pytest

from dlcost.core.learning_curves import fit_learning_curve

PRIOR_SLOPE, PRIOR_SD, NOISE = -0.36, 0.24, 0.03  # dlcost-2026's 1-point prior for a 10-class task (learning-curve fit)


def coverage(points: list[float], n_curves: int = 300, seed: int = 7) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    predict_n = points[-1] * 30
    for _ in range(n_curves):
        slope = PRIOR_SLOPE + PRIOR_SD * rng.standard_normal()
        while slope >= 0:
            slope = PRIOR_SLOPE + PRIOR_SD * rng.standard_normal()
        level = math.log10(0.2) - slope * math.log10(points[0])  # every curve has 20% error at the first subset
        errors = [10 ** (level + slope * math.log10(n) + NOISE * rng.standard_normal()) for n in points]
        fit = fit_learning_curve(np.array(points), np.array(errors), 0.01, prior_slope=PRIOR_SLOPE, prior_slope_sd=PRIOR_SD,
                                 noise_sd_log10=NOISE, predict_n=predict_n, n_samples=2000, seed=int(rng.integers(1 << 30)))
        truth = 10 ** (level + slope * math.log10(predict_n))
        hits += fit.predicted_error_low <= truth <= fit.predicted_error_high
    return hits / n_curves


@pytest.mark.parametrize("points", [[1000.0], [1000.0, 3000.0]])
def test_pilot_interval_reaches_nominal_coverage(points):
    share = coverage(points)
    # 300 curves: the binomial sd of an 80% share is 2.3 points; 0.72-0.88 is +-3.5 sd
    assert 0.72 <= share <= 0.88, share


def test_a_too_confident_prior_undercovers():
    """The check can fail: the same curves fitted with a prior sd 4x too small miss far more often."""
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(200):
        slope = min(-0.01, PRIOR_SLOPE + PRIOR_SD * rng.standard_normal())
        level = math.log10(0.2) - slope * 3.0
        fit = fit_learning_curve(np.array([1000.0]), np.array([0.2]), 0.01, prior_slope=PRIOR_SLOPE, prior_slope_sd=PRIOR_SD / 4,
                                 noise_sd_log10=NOISE, predict_n=30_000, n_samples=2000)
        hits += fit.predicted_error_low <= 10 ** (level + slope * math.log10(30_000)) <= fit.predicted_error_high
    assert hits / 200 < 0.5
