"""Learning curves from a pilot (dlcost.core.learning_curves): the five families of
Mahmood et al. (CVPR 2022, Table 1), leave-last-point-out selection, the eq. (1)
prior and the next round. The curves below are synthetic: the truth is known."""

import math

import numpy as np
import pytest
from scipy import special

from dlcost.core import learning_curves as lc

# Eq. (1), Table 1 of seed 000: slope -0.070 - 0.053 (pretrained); offset -0.813 + 0.609 RC (RC 1/3: 10 classes).
PRETRAINED_SLOPE = -0.123
OFFSET_10_CLASSES = -0.813 + 0.609 / 3

# One curve of each family, in the families' internal parametrisation (log10 of scale parameters).
TRUTHS = {
    "power_law": (math.log10(2.0), 0.35),                      # e = 2 n^-0.35
    "power_law_floor": (math.log10(3.0), 0.5, 0.01),           # e = 3 n^-0.5 + 0.01
    "arctan": (math.log10(3e-4), 0.0, -0.01),                  # theta0 = 3e-4, floor 0.01
    "logarithmic": (0.06, 200.0, 0.25),                        # e = 0.75 - 0.06 ln(n + 200)
    "algebraic_root": (math.log10(300.0), math.log10(0.7), 0.97),  # theta0 300, theta1 0.7, ceiling 0.97
}
SIZES = 250 * 2.0 ** np.arange(8)  # 250 ... 32,000 images


def truth(name, n):
    return lc.FAMILIES[name].error(np.asarray(n, dtype=float), np.array(TRUTHS[name]))


@pytest.mark.parametrize("name", list(TRUTHS))
def test_each_family_decreases_and_its_inverse_round_trips(name):
    fit = lc.CurveFit(name, "ok", TRUTHS[name])
    errors = fit.error(SIZES)
    assert np.all(np.diff(errors) < 0) and np.all((errors > 0) & (errors < 1))
    for target in (errors[2], errors[-1] * 0.9):
        assert fit.error(fit.data_needed(target)) == pytest.approx(target, rel=1e-9)
    assert fit.data_needed(fit.floor) == math.inf


@pytest.mark.parametrize("name", list(TRUTHS))
def test_noise_free_curve_gives_its_parameters_and_is_chosen(name):
    fit = lc.fit_family(name, SIZES, truth(name, SIZES))
    expected = lc.FAMILIES[name].parameters(np.array(TRUTHS[name]))
    assert fit.ok and fit.rmse_log10 < 1e-9
    for key, value in expected.items():
        assert fit.parameters[key] == pytest.approx(value, rel=1e-6, abs=1e-9)
    assert lc.select_family(SIZES, truth(name, SIZES))[0].family == name


@pytest.mark.parametrize("name", list(TRUTHS))
def test_noisy_curves_are_recovered_within_15_percent(name):
    # 8 points, 1% multiplicative noise, target = the true error at twice the largest subset.
    n_true = 2 * SIZES[-1]
    target = float(truth(name, n_true))
    misses = []
    for seed in range(10):
        noise = 10 ** (math.log10(1.01) * np.random.default_rng(seed).standard_normal(len(SIZES)))
        result = lc.fit_learning_curve(SIZES, truth(name, SIZES) * noise, target, prior_slope=PRETRAINED_SLOPE,
                                       n_bootstrap=20, seed=seed)
        misses.append(abs(result.data_needed / n_true - 1))
    misses = np.array(misses)
    assert np.median(misses) < 0.10
    assert np.sum(misses < 0.15) >= 9, misses  # power law with floor: one seed in 20 misses by 16%


def test_one_then_more_points_move_from_the_prior_to_the_truth():
    # Truth: e = 2 n^-0.35, steeper than eq. (1)'s pretrained slope -0.123 (VTAB slopes are
    # 0.17 steeper on average). Pilot points at 500 ... 8,000, noise 0.03 in log10.
    sizes = np.array([500.0, 1000, 2000, 4000, 8000])
    n_true = 32_000
    target = 2.0 * n_true**-0.35
    errors, widths = {}, {}
    for k in (1, 2, 3, 5):
        miss, width = [], []
        for seed in range(15):
            measured = 2.0 * sizes**-0.35 * 10 ** (0.03 * np.random.default_rng(100 + seed).standard_normal(5))
            result = lc.fit_learning_curve(sizes[:k], measured[:k], target, prior_slope=PRETRAINED_SLOPE,
                                           prior_intercept=OFFSET_10_CLASSES, n_bootstrap=40, seed=seed)
            miss.append(abs(math.log10(result.data_needed / n_true)) if result.reachable else math.inf)
            width.append(math.log10(result.data_needed_high / result.data_needed_low) if result.reachable else math.inf)
        errors[k], widths[k] = np.median(miss), np.median(width)
    assert errors[1] > errors[2] > errors[3] > errors[5]
    assert widths[1] > widths[2] > widths[3] > widths[5]
    assert errors[5] < 0.15  # median miss within a factor 1.4 with 5 points (0.03 noise, 4x extrapolation)


def test_one_point_fixes_the_level_and_takes_the_prior_slope():
    posterior = lc.posterior_power_law([1000.0], [0.2], PRETRAINED_SLOPE, OFFSET_10_CLASSES)
    mu, sd = PRETRAINED_SLOPE, lc.PRIOR_SLOPE_SD
    # Median of N(mu, sd) truncated to (-inf, 0).
    median = mu + sd * special.ndtri(0.5 * special.ndtr(-mu / sd))
    alpha, beta = posterior.theta
    assert beta == pytest.approx(median, rel=1e-9)
    assert posterior.error(1000.0) == pytest.approx(0.2, rel=0.01)  # the point dominates the level prior
    draws = posterior.sample(4000, seed=1)
    assert np.all(draws[:, 1] < 0) and np.median(draws[:, 1]) == pytest.approx(median, abs=0.01)


def test_many_exact_points_override_the_prior():
    sizes = np.logspace(3, 5, 12)
    posterior = lc.posterior_power_law(sizes, 0.9 * sizes**-0.4, PRETRAINED_SLOPE, OFFSET_10_CLASSES)
    assert posterior.parameters["b"] == pytest.approx(0.4, abs=0.002)
    assert posterior.parameters["a"] == pytest.approx(0.9, rel=0.02)


def test_with_two_points_the_prior_is_used_and_without_classes_the_level_is_free():
    result = lc.fit_learning_curve([1000, 2000], [0.2, 0.16], 0.1, prior_slope=PRETRAINED_SLOPE)
    assert result.method == "prior" and result.family == "power_law_prior" and result.candidates == []
    assert result.posterior.prior_sd[0] == math.inf
    assert result.data_needed_low < result.data_needed < result.data_needed_high


def test_families_with_too_few_points_are_skipped_and_bad_data_never_raises():
    candidates = {c.family: c for c in lc.select_family([100, 200, 400], [0.3, 0.25, 0.2])}
    assert candidates["power_law"].status == "ok"
    assert {c.status for name, c in candidates.items() if name != "power_law"} == {"skipped"}
    assert candidates["arctan"].reason == "needs at least 4 points; got 3"
    rising = lc.select_family([100, 200, 400, 800, 1600], [0.1, 0.2, 0.4, 0.6, 0.8])
    assert all(c.status in {"ok", "failed"} for c in rising)
    assert lc.fit_family("arctan", [100, 200], [0.3, 0.2]).status == "failed"


def test_target_below_the_fitted_floor_is_unreachable():
    sizes = SIZES
    result = lc.fit_learning_curve(sizes, truth("power_law_floor", sizes), 0.009, prior_slope=PRETRAINED_SLOPE,
                                   n_bootstrap=20)
    assert result.family == "power_law_floor" and result.floor == pytest.approx(0.01, rel=1e-6)
    assert not result.reachable and result.data_needed == math.inf and result.data_needed_high == math.inf


def test_bootstrap_interval_brackets_the_estimate_and_the_prediction():
    noise = 10 ** (0.01 * np.random.default_rng(3).standard_normal(len(SIZES)))
    result = lc.fit_learning_curve(SIZES, truth("power_law", SIZES) * noise, 0.04, prior_slope=PRETRAINED_SLOPE,
                                   predict_n=64_000, n_bootstrap=100)
    assert result.data_needed_low < result.data_needed < result.data_needed_high
    assert result.predicted_error_low < result.predicted_error < result.predicted_error_high
    assert result.predicted_error == pytest.approx(float(truth("power_law", 64_000)), rel=0.03)


def test_next_round_size():
    assert lc.next_round_size(50_000, 8_000) == 42_000
    assert lc.next_round_size(5_000, 8_000) == 0
    assert lc.next_round_size(50_000, 8_000, data_max=20_000) == 12_000
    assert lc.next_round_size(math.inf, 8_000) == math.inf
    from dlcost import catalog

    assert catalog.defaults()["tau"] == 0.01  # Mahmood et al.'s idea, dlcost's value (catalog/defaults.toml)
