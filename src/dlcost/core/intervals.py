"""Prediction intervals for eq. (1): split-conformal on log10 residuals, and OLS.

Seed 000 gives point predictions; its Table 2 misses by up to a factor of 45.
An interval calibrated on observed outcomes says how far off a prediction may be.

References
----------
.. [1] J. Lei, M. G'Sell, A. Rinaldo, R. Tibshirani, L. Wasserman, "Distribution-Free
   Predictive Inference for Regression," JASA 2018 (split conformal).
.. [2] R. Barber, E. Candès, A. Ramdas, R. Tibshirani, "Predictive inference with the
   jackknife+," Annals of Statistics 2021 (grouped / leave-one-out variants).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["conformal_log10_bounds", "ols_log10_bounds"]


def conformal_log10_bounds(residuals_log10, level: float, groups=None) -> tuple[float, float]:
    """Lower and upper offsets [log10] for a central interval at ``level``.

    Split-conformal with two one-sided quantiles [1]: with residuals
    r = log10(observed / predicted), the interval is
    [predicted x 10^q_low, predicted x 10^q_high], q_low the
    floor((n + 1) alpha/2)-th smallest residual and q_high the
    ceil((n + 1)(1 - alpha/2))-th, alpha = 1 - level.
    With ``groups`` (e.g. dataset names) every group counts once: each residual is
    weighted 1 / (size of its group) and n is the number of groups, so a dataset
    with many observations cannot narrow the interval on its own.

    Returns ``(-inf, inf)`` when there are too few residuals for the level.
    """
    residuals = np.asarray(residuals_log10, dtype=float)
    if groups is None:
        weights = np.ones_like(residuals)
    else:
        labels = np.asarray(groups)
        _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        weights = 1.0 / counts[inverse]
    order = np.argsort(residuals)
    residuals, weights = residuals[order], weights[order]
    n_effective = weights.sum()
    alpha = 1.0 - level
    upper_rank = math.ceil((n_effective + 1.0) * (1.0 - alpha / 2.0))
    lower_rank = math.floor((n_effective + 1.0) * (alpha / 2.0))
    if upper_rank > n_effective or lower_rank < 1:
        return -math.inf, math.inf
    cumulative = np.cumsum(weights)
    high = residuals[np.searchsorted(cumulative, upper_rank - 1e-9)]
    low = residuals[np.searchsorted(cumulative, lower_rank - 1e-9)]
    return float(low), float(high)


def ols_log10_bounds(regressors, covariance, residual_variance: float, df_resid: float, level: float) -> tuple[float, float]:
    """Classical OLS prediction interval offsets [log10] around x'b for one new observation.

    half-width = t_{df, 1 - alpha/2} x sqrt(x' Cov(b) x + s^2).
    """
    from scipy.stats import t

    x = np.asarray(regressors, dtype=float)
    variance = float(x @ np.asarray(covariance, dtype=float) @ x) + residual_variance
    half = float(t.ppf(1.0 - (1.0 - level) / 2.0, df_resid)) * math.sqrt(variance)
    return -half, half
