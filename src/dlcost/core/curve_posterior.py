"""The Bayesian power law a pilot of one or two points leans on (see :mod:`dlcost.core.learning_curves`).

log10 e = alpha + beta (log10 n - log10 n_ref), with a Gaussian prior centred on eq. (1)
of seed 000 (Thompson et al., AAAI 2024, Table 1) and beta truncated to beta < 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from dlcost.core.checks import InputError

__all__ = ["PosteriorPowerLaw", "posterior_power_law", "PRIOR_SLOPE_SD", "PRIOR_LEVEL_SD", "NOISE_SD_LOG10"]

#: Prior sd of the slope d log10(error) / d log10(n): RMS difference between eq. (1)'s
#: slope and the slope between VTAB-1k and full data of the 14 shipped VTAB ResNet-50
#: pairs (7 data sets, scratch and pretrained; observed slopes -0.03 to -0.73, on
#: average 0.17 steeper than eq. (1)). [log10 error per log10 image]
PRIOR_SLOPE_SD = 0.24
#: Prior sd of log10(error) at the pilot's sizes: RMS of log10(observed / eq. (1)) over
#: the 42 shipped observations (seed 000 Table 2 and VTAB). [log10]
PRIOR_LEVEL_SD = 0.41
#: Measurement noise of one pilot point: 0.03 in log10 is 7% of the error, the binomial
#: noise of e = 0.1 on about 2,000 validation images plus seed-to-seed variation. [log10]
NOISE_SD_LOG10 = 0.03
_MAX_LOG10_N = 15.0  # data needed beyond 1e15 images is reported as unbounded


@dataclass(frozen=True)
class PosteriorPowerLaw:
    """Posterior of log10 e = alpha + beta (log10 n - log10 n_ref), beta < 0.

    ``mean`` and ``covariance`` are those of the untruncated Gaussian posterior of
    (alpha, beta); the truncation to beta < 0 (more data never raises the expected
    error) is applied when sampling and in :attr:`theta`, the point curve: beta at
    its truncated posterior median, alpha at its conditional mean given that beta.
    """

    log10_n_ref: float
    mean: tuple
    covariance: tuple
    prior_mean: tuple
    prior_sd: tuple
    noise_sd_log10: float

    def _conditional_alpha(self, beta):
        (s_aa, s_ab), (_, s_bb) = self.covariance
        return self.mean[0] + s_ab / s_bb * (beta - self.mean[1]), math.sqrt(max(s_aa - s_ab**2 / s_bb, 0.0))

    def _beta_quantile(self, u):
        """Quantile ``u`` of beta truncated to (-inf, 0), computed in log space."""
        mu, sd = self.mean[1], math.sqrt(self.covariance[1][1])
        with np.errstate(divide="ignore"):
            z = special.ndtri_exp(np.log(u) + special.log_ndtr(-mu / sd))
        return np.minimum(mu + sd * z, -1e-9)

    @property
    def theta(self) -> tuple:
        beta = float(self._beta_quantile(0.5))
        return float(self._conditional_alpha(beta)[0]), beta

    def sample(self, size: int, seed: int = 0) -> np.ndarray:
        """``size`` draws of (alpha, beta) from the truncated posterior, shape (size, 2)."""
        rng = np.random.default_rng(seed)
        beta = self._beta_quantile(rng.uniform(1e-12, 1.0, size))
        alpha, sd = self._conditional_alpha(beta)
        return np.column_stack([alpha + sd * rng.standard_normal(size), beta])

    def error(self, n_images, theta=None):
        alpha, beta = self.theta if theta is None else theta
        return 10.0 ** (alpha + beta * (np.log10(np.asarray(n_images, dtype=float)) - self.log10_n_ref))

    def data_needed(self, target_error: float, theta=None) -> float:
        alpha, beta = self.theta if theta is None else theta
        log_n = self.log10_n_ref + (math.log10(target_error) - alpha) / beta
        return max(10.0**log_n, 1.0) if log_n <= _MAX_LOG10_N else math.inf

    @property
    def parameters(self) -> dict[str, float]:
        """error = a x n^-b; a curve so steep that a is beyond any float (10^308) is refused, naming the pilot points."""
        alpha, beta = self.theta
        log10_a = alpha - beta * self.log10_n_ref
        if not log10_a < 300:
            raise InputError("pilot_points", f"pilot_points give a curve of slope {-beta:.3g} in log-log, so steep that its "
                                             f"scale is 10^{log10_a:.0f}: check the points (error against images).")
        return {"a": 10.0**log10_a, "b": -beta}


def posterior_power_law(n_images, error, prior_slope: float, prior_intercept: float | None = None, *,
                        prior_slope_sd: float = PRIOR_SLOPE_SD, prior_level_sd: float = PRIOR_LEVEL_SD,
                        noise_sd_log10: float = NOISE_SD_LOG10) -> PosteriorPowerLaw:
    """Bayesian power law in log-log space with a prior centred on eq. (1) of [2].

    Model: log10 e_i = alpha + beta (log10 n_i - log10 n_ref) + eps_i,
    eps_i ~ N(0, noise_sd_log10^2), n_ref the geometric mean of the pilot sizes (so
    that level and slope are nearly independent a posteriori). Prior:

    - beta ~ N(prior_slope, prior_slope_sd^2), truncated to beta < 0; prior_slope is
      eq. (1)'s b1 + b2 Pretrain (-0.070 from scratch, -0.123 pretrained, Table 1 of [2]);
    - alpha ~ N(prior_intercept + prior_slope log10 n_ref, prior_level_sd^2), eq. (1)'s
      error at n_ref (prior_intercept = b0 + b3 RC + b4 Type); flat when
      ``prior_intercept`` is None (class counts unknown).

    Defaults: prior_slope_sd 0.24 (:data:`PRIOR_SLOPE_SD`), prior_level_sd 0.41
    (:data:`PRIOR_LEVEL_SD`), noise_sd_log10 0.03 (:data:`NOISE_SD_LOG10`); their
    sources are in the constants' comments.

    Parameters
    ----------
    n_images, error : array
        Pilot points, at least one. [images], [fraction]
    prior_slope : float
        [log10 error per log10 image]
    prior_intercept : float, optional
        [log10 error]

    Returns
    -------
    PosteriorPowerLaw
    """
    x = np.log10(np.asarray(n_images, dtype=float))
    y = np.log10(np.asarray(error, dtype=float))
    log_ref = float(x.mean())
    design = np.column_stack([np.ones_like(x), x - log_ref])
    prior_mean = np.array([0.0 if prior_intercept is None else prior_intercept + prior_slope * log_ref, prior_slope])
    prior_precision = np.diag([0.0 if prior_intercept is None else prior_level_sd**-2, prior_slope_sd**-2])
    precision = prior_precision + design.T @ design / noise_sd_log10**2
    covariance = np.linalg.inv(precision)
    mean = covariance @ (prior_precision @ prior_mean + design.T @ y / noise_sd_log10**2)
    return PosteriorPowerLaw(log_ref, tuple(map(float, mean)), tuple(tuple(map(float, row)) for row in covariance),
                             tuple(map(float, prior_mean)), (prior_level_sd if prior_intercept is not None else math.inf,
                                                             prior_slope_sd), noise_sd_log10)
