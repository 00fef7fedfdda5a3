"""The five learning-curve families of Mahmood et al. [1] and the fit of one of them.

Each family gives error e(n) (fraction) after n training images, its inverse
(images needed for an error), and starting points; :func:`fit_family` fits it by
``scipy.optimize.least_squares`` on log10(error). The table of families and the
selection between them are in :mod:`dlcost.core.learning_curves`.

References
----------
.. [1] R. Mahmood et al., "How Much More Data Do I Need? Estimating Requirements for
   Downstream Tasks," CVPR 2022 (Table 1: the regression functions).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

__all__ = ["FAMILIES", "Family", "CurveFit", "fit_family"]

_TINY = 1e-12
_MAX_LOG10_N = 15.0  # data needed beyond 1e15 images is reported as unbounded


def _clip(theta, lower, upper):
    span = np.asarray(upper, float) - np.asarray(lower, float)
    margin = np.where(np.isfinite(span), span * 1e-6, 1e-6)
    return np.clip(np.asarray(theta, float), np.asarray(lower) + margin, np.asarray(upper) - margin)


def _loglog_line(n, e):
    """(log10 a, b) of the least-squares line log10 e = log10 a - b log10 n."""
    x, y = np.log10(n), np.log10(e)
    if len(x) < 2 or np.ptp(x) == 0:
        return float(y.mean() + 0.3 * x.mean()), 0.3
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(-slope)


# ---- the five families -------------------------------------------------------------
# Each works on an internal vector theta (log10 of scale parameters, for conditioning).


def _power_law_error(n, t):
    return 10.0 ** t[0] * n ** -t[1]


def _power_law_needed(target, t):
    return 10.0 ** ((t[0] - math.log10(target)) / t[1]) if t[1] > 0 else math.inf


def _floor_error(n, t):
    return 10.0 ** t[0] * n ** -t[1] + t[2]


def _floor_needed(target, t):
    if target <= t[2] or t[1] <= 0:
        return math.inf
    return 10.0 ** ((t[0] - math.log10(target - t[2])) / t[1])


def _arctan_error(n, t):
    z = 10.0 ** t[0] * (np.pi / 2) * n + t[1]
    with np.errstate(divide="ignore"):
        tail = (2 / np.pi) * np.arctan(1.0 / np.where(z > 0, z, 1.0))  # 1 - (2/pi) arctan z, precise for large z
    return np.where(z > 0, tail, 1.0 - (2 / np.pi) * np.arctan(z)) - t[2]


def _arctan_needed(target, t):
    if target <= -t[2]:
        return math.inf
    z = math.tan(math.pi / 2 * (1.0 - t[2] - target))
    return (z - t[1]) / (10.0 ** t[0] * math.pi / 2)


def _log_error(n, t):
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - t[2] - t[0] * np.log(n + t[1])


def _log_needed(target, t):
    if t[0] <= 0:
        return math.inf
    exponent = (1.0 - t[2] - target) / t[0]
    return math.inf if exponent > 700 else math.exp(exponent) - t[1]


def _root_error(n, t):
    p = 10.0 ** t[1]
    power = np.exp(np.clip(-p * np.log(n / 10.0 ** t[0]), -700, 700))  # x^-p
    return (1.0 - t[2]) - t[2] * np.expm1(-np.log1p(power) / p)


def _root_needed(target, t):
    p, ceiling = 10.0 ** t[1], t[2]
    if target <= 1.0 - ceiling:
        return math.inf
    ratio = (1.0 - target) / ceiling
    if ratio <= 0:
        return 0.0
    return 10.0 ** t[0] * ratio / (1.0 - ratio**p) ** (1.0 / p)


def _floor_starts(e):
    low = float(np.min(e))
    return (0.0, 0.5 * low, 0.85 * low)


def _power_law_setup(n, e):
    start = _loglog_line(n, e)
    return [start], ([-10.0, 0.0], [10.0, 5.0])


def _floor_setup(n, e):
    starts = [(*_loglog_line(n, e - c), c) for c in _floor_starts(e)]
    return starts, ([-10.0, 0.01, 0.0], [10.0, 5.0, float(np.min(e))])


def _arctan_setup(n, e):
    middle = len(n) // 2
    starts = []
    for c in _floor_starts(e)[:2]:
        scale = 4.0 / (np.pi**2 * max(e[middle] - c, _TINY) * n[middle])
        starts += [(math.log10(scale), 0.0, -c), (math.log10(scale), 1.0, -c)]
    return starts, ([-12.0, -50.0, -float(np.min(e))], [3.0, 50.0, 0.0])


def _log_setup(n, e):
    starts = []
    for shift in (0.0, -0.5 * n[0], n[0], 5.0 * n[0]):
        slope, intercept = np.polyfit(np.log(n + shift), e, 1) if len(n) > 1 else (-0.05, e[0] + 0.05 * np.log(n[0]))
        starts.append((max(-slope, 1e-4), shift, 1.0 - intercept))
    return starts, ([1e-6, -0.999 * float(n[0]), -100.0], [5.0, 1e3 * float(n[-1]), 1.0])


def _root_setup(n, e):
    starts = []
    for c in _floor_starts(e):
        log_a, b = _loglog_line(n, e - c)
        p = float(np.clip(b, 0.05, 19.0))
        ceiling = 1.0 - c
        starts.append(((log_a + math.log10(p / ceiling)) / p, math.log10(p), ceiling))
    log_n = np.log10(n)
    return starts, ([log_n[0] - 8.0, -1.5, 1.0 - float(np.min(e))], [log_n[-1] + 8.0, 1.3, 1.0])


@dataclass(frozen=True)
class Family:
    """One learning-curve family: its equation, parameters and fitting set-up."""

    name: str
    label: str
    equation: str
    parameter_names: tuple[str, ...]
    error: Callable  # (n, theta) -> error
    needed: Callable  # (target_error, theta) -> images
    floor: Callable  # theta -> error as n -> infinity
    parameters: Callable  # theta -> named parameters
    setup: Callable  # (n, e) -> (starting thetas, (lower, upper))

    @property
    def n_parameters(self) -> int:
        return len(self.parameter_names)


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("power_law", "power law", "e = a n^-b", ("a", "b"), _power_law_error, _power_law_needed,
               lambda t: 0.0, lambda t: {"a": 10.0 ** t[0], "b": t[1]}, _power_law_setup),
        Family("power_law_floor", "power law with floor", "e = a n^-b + c", ("a", "b", "c"), _floor_error,
               _floor_needed, lambda t: t[2], lambda t: {"a": 10.0 ** t[0], "b": t[1], "c": t[2]}, _floor_setup),
        Family("arctan", "arctan", "e = 1 - (2/pi) arctan(theta0 pi/2 n + theta1) - theta2", ("theta0", "theta1", "theta2"),
               _arctan_error, _arctan_needed, lambda t: -t[2],
               lambda t: {"theta0": 10.0 ** t[0], "theta1": t[1], "theta2": t[2]}, _arctan_setup),
        Family("logarithmic", "logarithmic", "e = 1 - theta0 ln(n + theta1) - theta2", ("theta0", "theta1", "theta2"),
               _log_error, _log_needed, lambda t: 0.0,
               lambda t: {"theta0": t[0], "theta1": t[1], "theta2": t[2]}, _log_setup),
        Family("algebraic_root", "algebraic root", "e = 1 - theta2 x / (1 + x^theta1)^(1/theta1), x = n / theta0",
               ("theta0", "theta1", "theta2"), _root_error, _root_needed, lambda t: 1.0 - t[2],
               lambda t: {"theta0": 10.0 ** t[0], "theta1": 10.0 ** t[1], "theta2": t[2]}, _root_setup),
    )
}


@dataclass(frozen=True)
class CurveFit:
    """A family fitted to points: ``status`` is ``ok`` or ``failed`` (``reason`` says why)."""

    family: str
    status: str
    theta: tuple = ()
    rmse_log10: float = math.nan
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def error(self, n_images):
        """Error of the fitted curve at ``n_images``. [fraction]"""
        return FAMILIES[self.family].error(np.asarray(n_images, dtype=float), np.asarray(self.theta))

    def data_needed(self, target_error: float) -> float:
        """Images to reach ``target_error`` (at least 1; inf when below the floor). [images]"""
        family = FAMILIES[self.family]
        if target_error <= family.floor(self.theta):
            return math.inf
        with np.errstate(all="ignore"):
            try:
                n = float(family.needed(target_error, self.theta))
            except (OverflowError, ZeroDivisionError, ValueError):
                return math.inf
        if not math.isfinite(n) or n > 10.0**_MAX_LOG10_N:
            return math.inf
        return max(n, 1.0)

    @property
    def floor(self) -> float:
        """Error the curve levels off at as n grows (0 when it has none). [fraction]"""
        return float(FAMILIES[self.family].floor(self.theta)) if self.ok else math.nan

    @property
    def parameters(self) -> dict[str, float]:
        return {k: float(v) for k, v in FAMILIES[self.family].parameters(self.theta).items()} if self.ok else {}


def _residuals(family: Family, n, log_e):
    def residual(theta):
        with np.errstate(all="ignore"):
            model = family.error(n, theta)
        out = np.log10(np.clip(model, _TINY, None)) - log_e
        return np.where(np.isfinite(out), out, 12.0)

    return residual


def fit_family(name: str, n_images, error, starts=None) -> CurveFit:
    """Fit one family on log10(error) by least squares; never raises.

    Parameters
    ----------
    name : str
        A key of :data:`FAMILIES`.
    n_images : array
        Training images of each point, increasing. [images]
    error : array
        Measured error of each point. [fraction, in (0, 1)]
    starts : list of array, optional
        Starting vectors (internal parametrisation); default: the family's own.

    Returns
    -------
    CurveFit
        ``status`` ``failed`` with a reason when there are fewer points than
        parameters or no start converges to a finite fit.
    """
    family = FAMILIES[name]
    n, e = np.asarray(n_images, dtype=float), np.asarray(error, dtype=float)
    if len(n) < family.n_parameters:
        return CurveFit(name, "failed", reason=f"needs at least {family.n_parameters} points; got {len(n)}")
    try:
        default_starts, (lower, upper) = family.setup(n, e)
        residual = _residuals(family, n, np.log10(e))
        best = None
        for start in starts if starts is not None else default_starts:
            if not np.all(np.isfinite(start)):
                continue
            result = optimize.least_squares(residual, _clip(start, lower, upper), bounds=(lower, upper),
                                            x_scale="jac", max_nfev=400 * family.n_parameters)
            if np.all(np.isfinite(result.x)) and (best is None or result.cost < best.cost):
                best = result
    except Exception as exc:  # noqa: BLE001 - a bad fit is reported, never raised
        return CurveFit(name, "failed", reason=f"{type(exc).__name__}: {exc}")
    if best is None or not np.all(np.isfinite(best.fun)) or np.max(np.abs(best.fun)) >= 12.0:
        return CurveFit(name, "failed", reason="no starting point converged to a finite fit")
    return CurveFit(name, "ok", tuple(float(v) for v in best.x), float(np.sqrt(np.mean(best.fun**2))))
