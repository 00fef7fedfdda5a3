"""Learning curves fitted to a pilot: error against training-set size, and the data a target needs.

A pilot is a few (training images, error) points measured on nested subsets of one's
own data. Five function families are fitted to them, as studied by Mahmood et al. [1]:

==================  =================================================  ==========================
family              error e(n) (fraction; n training images)            floor (n -> infinity)
==================  =================================================  ==========================
``power_law``       e = a n^-b                                          0
``power_law_floor`` e = a n^-b + c                                      c
``arctan``          e = 1 - v,  v = (2/pi) arctan(theta0 pi/2 n + theta1) + theta2     -theta2
``logarithmic``     e = 1 - v,  v = theta0 ln(n + theta1) + theta2      none (reaches 0)
``algebraic_root``  e = 1 - v,  v = theta2 x / (1 + x^theta1)^(1/theta1), x = n/theta0   1 - theta2
==================  =================================================  ==========================

[1] writes the score v(n) in percent (``200/pi arctan(...)``, ``100 n / (1 + |n/theta0|^theta1)^(1/theta1)``);
here v is a fraction. For the algebraic root the paper's fixed slope at n -> 0 (100 per
unit of n) has no meaning for n counted in images, so the ceiling theta2 is fitted
instead of the paper's additive offset: still three parameters, and v -> theta2.

Each family is fitted by ``scipy.optimize.least_squares`` on log10(error) from a few
starting points, within bounds that keep the floor in [0, lowest measured error]; a
fit that fails is marked failed, never raised. The family is chosen by
leave-last-point-out extrapolation [1]: fit on all points but the largest, predict
the largest, keep the family with the smallest |log10(predicted / measured)|. This
needs at least 3 points, and a family with p parameters at least p + 1. The data
needed for a target comes with a seeded parametric bootstrap interval.

With one or two points (or when every family fails) :func:`posterior_power_law`
fits log10 e = alpha + beta (log10 n - log10 n_ref) with a Gaussian prior centred on
eq. (1) of [2]: one point still gives an answer, and more points narrow it.

Mahmood et al. [1] found that a one-shot estimate often under-collects and that
collecting in rounds while aiming a little above the target, by a correction tau,
avoids it; :func:`next_round_size` is the first such round.

References
----------
.. [1] R. Mahmood, J. Lucas, D. Acuna, D. Li, J. Philion, J. M. Alvarez, Z. Yu,
   S. Fidler, M. T. Law, "How Much More Data Do I Need? Estimating Requirements for
   Downstream Tasks," CVPR 2022, pp. 275-284 (Table 1: the regression functions).
.. [2] N. Thompson et al., "A Model for Estimating the Economic Costs of Computer
   Vision Systems That Use Deep Learning," AAAI 2024 (seed 000), eq. (1), Table 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from dlcost.core.curve_families import FAMILIES, CurveFit, Family, fit_family
from dlcost.core.curve_posterior import (
    _MAX_LOG10_N, NOISE_SD_LOG10, PRIOR_LEVEL_SD, PRIOR_SLOPE_SD, PosteriorPowerLaw, posterior_power_law,
)

__all__ = [
    "FAMILIES",
    "Family",
    "CurveFit",
    "Candidate",
    "PosteriorPowerLaw",
    "LearningCurveFit",
    "fit_family",
    "select_family",
    "posterior_power_law",
    "bootstrap_fit",
    "fit_learning_curve",
    "next_round_size",
    "PRIOR_SLOPE_SD",
    "PRIOR_LEVEL_SD",
    "NOISE_SD_LOG10",
    "PRIOR_NOISE_WEIGHT",
]

#: Weight, in points, of ``noise_sd_log10`` when pooled with a fit's residuals.
PRIOR_NOISE_WEIGHT = 2.0

_TINY = 1e-12


@dataclass(frozen=True)
class Candidate:
    """A family's place in leave-last-point-out selection.

    ``status``: ``ok``, ``failed`` or ``skipped`` (too few points for its parameters).
    ``llo_log10_error`` = |log10(predicted / measured)| at the largest point, fitting
    on the others; ``llo_predicted_error`` is that prediction [fraction].
    """

    family: str
    status: str
    fit: CurveFit | None
    llo_log10_error: float = math.nan
    llo_predicted_error: float = math.nan
    reason: str = ""


def _pooled_sigma(ssr: float, dof: int, noise_sd_log10: float) -> float:
    """Residual sd pooled with ``noise_sd_log10`` weighted as 2 points. [log10]"""
    return math.sqrt((ssr + PRIOR_NOISE_WEIGHT * noise_sd_log10**2) / (dof + PRIOR_NOISE_WEIGHT))


def select_family(n_images, error, families=tuple(FAMILIES), noise_sd_log10: float = NOISE_SD_LOG10) -> list[Candidate]:
    """Fit every family and score it by leave-last-point-out extrapolation [1].

    Needs at least 3 points; a family with p parameters needs p + 1 (else ``skipped``).
    A difference in held-out error smaller than the noise of one point is not taken as
    evidence: the chosen family is the one with the fewest parameters whose
    ``llo_log10_error`` is within sigma of the smallest (ties: the smaller error, then
    the order of :data:`FAMILIES`). sigma is the smallest residual sd of the full fits,
    pooled with ``noise_sd_log10`` (see :func:`bootstrap_fit`).

    Returns the candidates best first: the chosen one, the other ok ones by
    ``llo_log10_error``, then failed, then skipped.
    """
    n, e = np.asarray(n_images, dtype=float), np.asarray(error, dtype=float)
    candidates = []
    for name in families:
        family = FAMILIES[name]
        if len(n) - 1 < family.n_parameters or len(n) < 3:
            need = max(3, family.n_parameters + 1)
            candidates.append(Candidate(name, "skipped", None, reason=f"needs at least {need} points; got {len(n)}"))
            continue
        held_out = fit_family(name, n[:-1], e[:-1])
        full = fit_family(name, n, e)
        if not held_out.ok or not full.ok:
            reason = held_out.reason if not held_out.ok else full.reason
            candidates.append(Candidate(name, "failed", full if full.ok else None, reason=reason))
            continue
        predicted = float(held_out.error(n[-1]))
        score = abs(math.log10(predicted) - math.log10(e[-1])) if predicted > 0 and math.isfinite(predicted) else math.inf
        candidates.append(Candidate(name, "ok" if math.isfinite(score) else "failed", full, score, predicted,
                                    "" if math.isfinite(score) else "held-out prediction is not a positive error"))
    order = {name: index for index, name in enumerate(FAMILIES)}
    rank = {"ok": 0, "failed": 1, "skipped": 2}
    ranked = sorted(candidates, key=lambda c: (rank[c.status], c.llo_log10_error if c.status == "ok" else 0.0,
                                               FAMILIES[c.family].n_parameters, order[c.family]))
    ok = [c for c in ranked if c.status == "ok"]
    if ok:
        sigma = min(_pooled_sigma(len(n) * c.fit.rmse_log10**2, len(n) - FAMILIES[c.family].n_parameters,
                                  noise_sd_log10) for c in ok)
        close = [c for c in ok if c.llo_log10_error <= ok[0].llo_log10_error + sigma]
        chosen = min(close, key=lambda c: (FAMILIES[c.family].n_parameters, c.llo_log10_error, order[c.family]))
        ranked.remove(chosen)
        ranked.insert(0, chosen)
    return ranked


def _quantiles(values, level: float) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    return float(low), float(high)


def bootstrap_fit(fit: CurveFit, n_images, error, targets, level: float, *, noise_sd_log10: float = NOISE_SD_LOG10,
                  n_bootstrap: int = 200, seed: int = 0, predict_n: float | None = None) -> dict:
    """Parametric-bootstrap intervals of the data needed (and of the error at ``predict_n``).

    Each replicate redraws the points as fitted error x 10^(sigma z), z ~ N(0, 1), and
    refits the family. sigma pools the fit's residuals with the assumed noise,
    sigma^2 = (SSR + 2 noise_sd_log10^2) / (m - p + 2), so that with few spare points
    it leans on ``noise_sd_log10`` and with many on the residuals.

    Returns
    -------
    dict with ``data_needed`` (a (low, high) pair [images] per target; inf when
    unbounded), ``error_at`` ((low, high) [fraction] at ``predict_n`` or None),
    ``sigma_log10`` and ``replicates`` (the number that converged).
    """
    n, e = np.asarray(n_images, dtype=float), np.asarray(error, dtype=float)
    family = FAMILIES[fit.family]
    ssr = float(np.sum((np.log10(fit.error(n)) - np.log10(e)) ** 2))
    sigma = _pooled_sigma(ssr, len(n) - family.n_parameters, noise_sd_log10)
    rng = np.random.default_rng(seed)
    fitted = np.clip(fit.error(n), _TINY, None)
    needed, at = [], []
    for _ in range(n_bootstrap):
        redrawn = np.clip(fitted * 10.0 ** (sigma * rng.standard_normal(len(n))), _TINY, 1 - 1e-9)
        replicate = fit_family(fit.family, n, redrawn, starts=[np.array(fit.theta)])
        if not replicate.ok:
            continue
        needed.append([replicate.data_needed(t) for t in targets])
        if predict_n is not None:
            at.append(float(replicate.error(predict_n)))
    if len(needed) < n_bootstrap // 2:
        return {"data_needed": [(math.nan, math.nan)] * len(targets), "error_at": None, "sigma_log10": sigma,
                "replicates": len(needed)}
    columns = np.array(needed).T
    return {
        "needed_samples": columns[0],
        "data_needed": [_quantiles(column, level) for column in columns],
        "error_at": _quantiles(at, level) if at else None,
        "sigma_log10": sigma,
        "replicates": len(needed),
    }


def next_round_size(data_needed_aim: float, n_largest: float, data_max: float | None = None) -> float:
    """Images to collect now: enough to reach the target plus tau, in one round.

    next_round_size = max(0, n_needed(target_error - tau) - n_largest), capped so the
    total stays within ``data_max``. Collecting in rounds and aiming a little above the
    target avoids the costly under-collection that a one-shot estimate often gives
    (Mahmood et al. [1]); refit after each round.

    Parameters
    ----------
    data_needed_aim : float
        Images needed for the aim (target accuracy + tau); inf when unreachable. [images]
    n_largest : float
        Images in the largest pilot subset (already collected). [images]
    data_max : float, optional
        Most images that could be had. [images]

    Returns
    -------
    next_round_size : float
        [images]; inf when the aim is unreachable and there is no ``data_max``.
    """
    total = data_needed_aim if data_max is None else min(data_needed_aim, data_max)
    return max(0.0, total - n_largest)


@dataclass(frozen=True)
class LearningCurveFit:
    """Everything :func:`fit_learning_curve` found.

    ``method``: ``selection`` (leave-last-point-out over the families) or ``prior``
    (the Bayesian power law). ``curve`` is the chosen CurveFit or PosteriorPowerLaw.
    Data figures are in images, errors in fractions; inf means unbounded.
    """

    method: str
    family: str
    curve: CurveFit | PosteriorPowerLaw
    candidates: list
    posterior: PosteriorPowerLaw
    floor: float
    reachable: bool
    data_needed: float
    data_needed_low: float
    data_needed_high: float
    data_needed_aim: float
    sigma_log10: float
    predicted_error: float | None = None
    predicted_error_low: float | None = None
    predicted_error_high: float | None = None
    predicted_n: float | None = None
    error_at_limit: float | None = None  # the curve's error at predict_needed_within
    notes: list = field(default_factory=list)
    needed_samples: np.ndarray | None = None  # draws (posterior) or replicates (bootstrap) of the images needed; inf: never


def fit_learning_curve(n_images, error, target_error: float, *, prior_slope: float, prior_intercept: float | None = None,
                       aim_error: float | None = None, level: float = 0.8, prior_slope_sd: float = PRIOR_SLOPE_SD,
                       prior_level_sd: float = PRIOR_LEVEL_SD, noise_sd_log10: float = NOISE_SD_LOG10,
                       families=tuple(FAMILIES), n_bootstrap: int = 200, n_samples: int = 4000, seed: int = 0,
                       predict_n: float | None = None, predict_needed_within: float | None = None) -> LearningCurveFit:
    """Fit a pilot and give the data needed for ``target_error`` with an interval at ``level``.

    Three or more points: the family with the smallest leave-last-point-out error
    (:func:`select_family`), with a parametric-bootstrap interval (:func:`bootstrap_fit`).
    One or two points, or when every family fails: the Bayesian power law
    (:func:`posterior_power_law`), whose interval comes from ``n_samples`` posterior draws.

    Parameters
    ----------
    n_images, error : array
        Pilot points, sizes strictly increasing. [images], [fraction]
    target_error : float
        1 - target accuracy. [fraction]
    prior_slope, prior_intercept : float
        Eq. (1) of [2] at the task's RC, task type and pretraining (see
        :func:`posterior_power_law`).
    aim_error : float, optional
        target_error - tau, for the next round (default: ``target_error``). [fraction]
    level : float
        Central probability of the intervals. [fraction]
    predict_n : float, optional
        Also predict the error (with its interval) at this size. [images]
    predict_needed_within : float, optional
        Instead of ``predict_n``: predict at min(data needed, this), the images a
        project trains on when its data limit is this; one fit serves both. [images]

    Returns
    -------
    LearningCurveFit
        ``reachable`` is False, and the data figures inf, when the target is at or
        below the fitted curve's floor.
    """
    n, e = np.asarray(n_images, dtype=float), np.asarray(error, dtype=float)
    aim_error = target_error if aim_error is None else aim_error
    posterior = posterior_power_law(n, e, prior_slope, prior_intercept, prior_slope_sd=prior_slope_sd,
                                    prior_level_sd=prior_level_sd, noise_sd_log10=noise_sd_log10)
    candidates = select_family(n, e, families, noise_sd_log10) if len(n) >= 3 else []
    notes = []
    chosen = candidates[0] if candidates and candidates[0].status == "ok" else None

    def prediction_size(curve) -> float | None:
        if predict_needed_within is None:
            return predict_n
        needed = curve.data_needed(target_error)
        return min(needed, predict_needed_within) if math.isfinite(needed) else predict_needed_within

    if chosen is not None:
        curve, method, family = chosen.fit, "selection", chosen.family
        predict_n = prediction_size(curve)
        (low, high), sigma, predicted, samples = _selection_intervals(curve, n, e, target_error, level, noise_sd_log10,
                                                                      n_bootstrap, seed, predict_n)
    else:
        if len(n) >= 3:
            notes.append("every learning-curve family failed to fit; the prior-weighted power law is used instead.")
        curve, method, family, sigma = posterior, "prior", "power_law_prior", noise_sd_log10
        predict_n = prediction_size(curve)
        (low, high), predicted, samples = _posterior_intervals(posterior, target_error, level, n_samples, seed, predict_n)
    floor = curve.floor if chosen is not None else 0.0
    needed = curve.data_needed(target_error)
    reachable = math.isfinite(needed)
    if reachable:
        low, high = min(low, needed) if math.isfinite(low) else needed, max(high, needed) if not math.isnan(high) else math.inf
    else:
        low = high = math.inf
    needed_aim = curve.data_needed(aim_error) if aim_error > floor else math.inf
    return LearningCurveFit(
        method=method, family=family, curve=curve, candidates=candidates, posterior=posterior, floor=floor,
        reachable=reachable, data_needed=needed, data_needed_low=low, data_needed_high=high,
        data_needed_aim=needed_aim, sigma_log10=sigma,
        predicted_error=None if predicted is None else predicted[0],
        predicted_error_low=None if predicted is None else predicted[1],
        predicted_error_high=None if predicted is None else predicted[2], predicted_n=predict_n,
        error_at_limit=None if predict_needed_within is None else float(curve.error(predict_needed_within)), notes=notes,
        needed_samples=samples,
    )


def _selection_intervals(curve: CurveFit, n, e, target_error: float, level: float, noise_sd_log10: float,
                         n_bootstrap: int, seed: int, predict_n: float | None):
    """Bootstrap interval of the data needed and, at ``predict_n``, (error, low, high) of a chosen family."""
    boot = bootstrap_fit(curve, n, e, [target_error], level, noise_sd_log10=noise_sd_log10,
                         n_bootstrap=n_bootstrap, seed=seed, predict_n=predict_n)
    predicted = None
    if predict_n is not None:
        predicted = (float(curve.error(predict_n)), *(boot["error_at"] or (math.nan, math.nan)))
    return boot["data_needed"][0], boot["sigma_log10"], predicted, boot.get("needed_samples")


def _posterior_intervals(posterior: PosteriorPowerLaw, target_error: float, level: float, n_samples: int, seed: int,
                         predict_n: float | None):
    """Posterior-draw interval of the data needed and, at ``predict_n``, (error, low, high)."""
    draws = posterior.sample(n_samples, seed)
    with np.errstate(all="ignore"):
        log_n = posterior.log10_n_ref + (math.log10(target_error) - draws[:, 0]) / draws[:, 1]
        samples = np.where(log_n > _MAX_LOG10_N, np.inf, 10.0 ** np.minimum(log_n, _MAX_LOG10_N))
    needed = _quantiles(np.maximum(samples, 1.0), level)
    predicted = None
    if predict_n is not None:
        at = 10.0 ** (draws[:, 0] + draws[:, 1] * (math.log10(predict_n) - posterior.log10_n_ref))
        predicted = (float(posterior.error(predict_n)), *_quantiles(at, level))
    return needed, predicted, np.maximum(samples, 1.0)
