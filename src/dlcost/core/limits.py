"""The long view of seed 003: computation against error, its inverse, and what computation costs.

Pure numbers, in log10 throughout: Figure 4's projections run to 10^181 Gflops, and an
exponential form at a small target error passes any float, so every quantity is carried as
its base-10 logarithm and turned into a number only where one fits.

Forms (seed 003, section 3 and supplement section 7; ``catalog/limits_regressions.toml``):

- ``polynomial``: log10(error) = constant + slope * log10(C)           (Tables 1(2), 3)
- ``exponential``: 1 / error = constant + slope * log10(C)               (Table 4)
- ``exponential-error``: error = constant + slope * log10(C)             (Table 1(1))

C is the computation: Gflops of hardware burden (processors x peak rate x time, Tables 3-4)
or per network pass (Tables 1-2).

References
----------
.. [1] N. C. Thompson, K. Greenewald, K. Lee, G. F. Manso, "The Computational Limits of
   Deep Learning", arXiv:2007.05558 (2020) (seed 003).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["FORMS", "performance_term", "log10_computation", "error_at", "recover_coefficients",
           "recover_log10_conversion", "polynomial_exponent", "today_log10_costs", "LBS_PER_KG",
           "halvings"]

#: The functional forms the seed fits, by the name dlcost gives them.
FORMS = ("polynomial", "exponential", "exponential-error")
#: Pounds in a kilogram (the seed reports CO2 in lbs, after its reference [82]).
LBS_PER_KG = 2.20462262


def performance_term(error, form: str):
    """The dependent variable of ``form`` at ``error``: log10(error), 1/error or error itself."""
    error = np.asarray(error, dtype=float)
    if form == "polynomial":
        return np.log10(error)
    if form == "exponential":
        with np.errstate(over="ignore", divide="ignore"):  # a tiny error gives inf: the caller refuses it
            return 1.0 / error
    if form == "exponential-error":
        return error
    raise ValueError(f"form must be one of {', '.join(FORMS)}; got {form!r}.")


def log10_computation(error, constant: float, slope: float, form: str):
    """log10 of the computation a form needs for ``error``: its regression solved for log10(C).

    Parameters
    ----------
    error : float or array
        Target error. [fraction, 0..1 exclusive]
    constant, slope : float
        The regression's coefficients, in the seed's parameterisation (Tables 1, 3, 4).
    form : str
        ``polynomial``, ``exponential`` or ``exponential-error``.

    Returns
    -------
    log10_computation : float or array
        log10 of the computation. [log10 Gflops]
    """
    return (performance_term(error, form) - constant) / slope                        # Tables 3-4, inverted


def error_at(log10_computation_gflops, constant: float, slope: float, form: str):
    """The error a form predicts at a computation (the regression itself). [fraction]"""
    if form not in FORMS:
        raise ValueError(f"form must be one of {', '.join(FORMS)}; got {form!r}.")
    term = constant + slope * np.asarray(log10_computation_gflops, dtype=float)      # Tables 1, 3, 4
    if form == "polynomial":
        return 10.0 ** term
    if form == "exponential":
        return 1.0 / term
    return term


def recover_coefficients(errors, log10_gflops, form: str) -> tuple[float, float, float]:
    """The coefficients a table of projections implies: least squares of log10(C) on the form's term.

    Figure 4 prints computation only to the nearest power of ten, so the fit is of
    log10(C) = (term - constant) / slope over its rows; returns ``(constant, slope,
    largest_residual)``, the residual in orders of magnitude.
    """
    term = performance_term(errors, form)
    log10_c = np.asarray(log10_gflops, dtype=float)
    inverse_slope, offset = np.polyfit(term, log10_c, 1)
    slope = 1.0 / inverse_slope
    constant = -offset * slope
    residual = float(np.max(np.abs(log10_c - (term - constant) / slope)))
    return float(constant), float(slope), residual


def recover_log10_conversion(log10_gflops, log10_values) -> float:
    """log10 of a constant per-Gflop conversion (CO2 or dollars) behind a table of rounded powers of ten.

    The mean difference of the logarithms: each printed power is rounded, so the mean is the
    least-squares estimate of the one constant factor behind all of them.
    """
    return float(np.mean(np.asarray(log10_values, dtype=float) - np.asarray(log10_gflops, dtype=float)))


def polynomial_exponent(slope: float) -> float:
    """alpha in computation = O(performance^alpha), performance = 1/error: -1/slope (seed 003, section 3.2)."""
    return -1.0 / slope


def today_log10_costs(log10_gflops, peak_tflops: float, price_usd_per_hour: float, power_w: float,
                      pue: float, gco2_per_kwh: float) -> dict:
    """log10 GPU-hours, dollars, energy and CO2 of a hardware burden run on one of today's GPUs.

    Hardware burden is processors x peak rate x time (seed 003, section 3.2), so the GPU-hours
    are the burden over the GPU's peak: gpu_hours = C * 1e9 / (peak * 1e12 * 3600). Energy is
    GPU-hours x average power x PUE; CO2 is energy x grid carbon intensity.

    Returns
    -------
    dict
        ``log10_gpu_hours``, ``log10_usd``, ``log10_kwh``, ``log10_co2_kg`` (array or float).
    """
    log10_c = np.asarray(log10_gflops, dtype=float)
    log10_gpu_hours = log10_c + 9.0 - math.log10(peak_tflops * 1e12 * 3600.0)
    log10_kwh = log10_gpu_hours + math.log10(power_w / 1000.0 * pue)
    return {"log10_gpu_hours": log10_gpu_hours,
            "log10_usd": log10_gpu_hours + math.log10(price_usd_per_hour),
            "log10_kwh": log10_kwh,
            "log10_co2_kg": log10_kwh + math.log10(gco2_per_kwh / 1000.0)}


def halvings(error: float, count: int) -> list[float]:
    """``error``, then each further halving of it: ``count`` targets in all. [fraction]"""
    return [error / 2.0 ** k for k in range(count)]
