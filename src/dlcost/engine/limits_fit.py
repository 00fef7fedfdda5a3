"""Refit the regressions of "The Computational Limits of Deep Learning" (seed 003) on a user's data.

With error and compute (section 3.2, supplement section 7.1):

1. polynomial form, OLS: log10(error) = b0 + b1 log10(compute) (Table 1 column (2)); then
   compute ~ Performance^alpha with Performance = 1/error and alpha = -1/b1 (the seed's
   slope -0.11 gives O(Performance^9), 95% interval 7 to 13.9);
2. exponential form, OLS: error = b0 + b1 log10(compute) (Table 1 column (1));
3. the 10% quantile regression of the polynomial form (Figure 8): the best error reached
   for a given compute (the seed: O(Performance^11));
4. with a year, the time trend: log10(error) = b0 + b1 log10(compute) + b2 (year - origin)
   (Table 2 column (2), the year a proxy for algorithmic progress).

With compute and year only (section 3.1): log10(compute) = b0 + b1 (year - origin), the
growth of compute: a factor 10^b1 per year (the seed quotes about 10x a year, 2012 to 2019).

The fits take arrays and return a JSON-ready dict in which every number is finite and inside
its own range (None where a value does not exist, or where a float cannot hold it): an R² in
[0, 1], a p-value in [0, 1], a standard error, F statistic, alpha, growth factor or doubling
time not below 0. alpha and the projections are given only where the slope on compute is
significantly negative at ``level`` (its interval below 0), the doubling time only where the
growth is significantly positive; otherwise they are None and a note says why. Compute may be in any one unit (GFLOPs per pass, training
FLOP): the slopes and alpha do not depend on it, the constants and projections are in it.
statsmodels is imported when a fit runs (``pip install statsmodels``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from dlcost.catalog.limits import EXAMPLES, example_csv
from dlcost.core.checks import InputError, check_whole_count, shown
from dlcost.iotools.limits_csv import MIN_ROWS, YEAR_RANGE, parse_limits_csv

__all__ = ["fit_limits", "fit_example", "EXAMPLE_COLUMNS", "DEFAULT_TARGETS", "DEFAULT_QUANTILE", "MIN_ROWS", "YEAR_RANGE"]

#: Target errors projected by default: the seed's Figure 4 targets for ImageNet (5% and 1%).
DEFAULT_TARGETS = (0.05, 0.01)
#: The quantile of the seed's Figure 8: the best error reached for a given compute.
DEFAULT_QUANTILE = 0.1
#: The columns each shipped example is fitted on (catalog/limits_examples/SOURCES.md).
EXAMPLE_COLUMNS = {"timm_imagenet.csv": {"error_col": "top1_error", "compute_col": "gflops_per_pass"},
                   "epoch_vision_compute.csv": {"compute_col": "training_compute_flop", "year_col": "year"}}
#: Largest log10 of a number a float holds (above it only the log10 is given).
_MAX_LOG10 = 307.0


def fit_limits(error=None, compute=None, year=None, *, targets=DEFAULT_TARGETS, quantile=DEFAULT_QUANTILE,
               year_origin=None, level=0.95, n_skipped=0) -> dict:
    """The seed 003 regressions of ``error`` on ``compute`` (and ``year``), or of ``compute`` on ``year``.

    Parameters
    ----------
    error : array or None
        Error of each model: 1 - accuracy. [fraction, in (0, 1)] None for the growth fit.
    compute : array
        Computation of each model, in one unit throughout (GFLOPs per pass, FLOP). [> 0]
    year : array or None
        Publication year of each model, from 1900 to 2100 (``YEAR_RANGE``). [decimal years]
    targets : sequence of float
        Errors whose compute need is projected. [fraction]
    quantile : float
        Quantile of the best-error regression. [fraction] The seed's 0.1.
    year_origin : float or None
        Year counted as 0 in the fits with a year (their constant is the value then). [year]
        By default the first whole year of the data (the seed does not state its origin).
    level : float
        Confidence level of the intervals, and of the significance alpha needs. [fraction]
    n_skipped : int
        Rows the caller left out before the fit (the CSV reader's blank cells): reported as
        ``n_skipped`` and in a note. [rows]

    Returns
    -------
    limits_fit : dict
        ``kind`` ("error_vs_compute" or "compute_growth"), ``n``, ``n_skipped``, the inputs, ``models``
        (one dict per fitted column: terms with coef, se, t, p and interval; n, R², adjusted
        R², residual std. error and df, F statistic; ``derived`` and ``projections``) and
        ``notes``.

    References
    ----------
    .. [1] N. C. Thompson, K. Greenewald, K. Lee, G. F. Manso, "The Computational Limits of
       Deep Learning," arXiv:2007.05558 (seed 003): section 3, supplement section 7.1,
       Tables 1 and 2, Figure 8.
    """
    compute = _array(compute, "compute")
    n = compute.size
    error = None if error is None else _array(error, "error", n)
    year = None if year is None else _array(year, "year", n)
    if error is None and year is None:
        raise InputError("error", "fit_limits needs error (the error-against-compute fits) or year (the growth of "
                                  "compute by year); got neither.")
    _check_inputs(error, compute, year, targets, quantile, level)
    n_skipped = check_whole_count(n_skipped, "n_skipped")
    sm = _statsmodels()
    log_compute = np.log10(compute)
    origin = None
    if year is not None:
        origin = float(math.floor(year.min())) if year_origin is None else _year_number(year_origin, "year_origin")
    result = {"kind": "error_vs_compute" if error is not None else "compute_growth", "n": int(n), "n_skipped": n_skipped,
              "targets": [float(t) for t in targets], "quantile": float(quantile), "level": float(level),
              "year_origin": origin, "compute_range": [float(compute.min()), float(compute.max())],
              "error_range": None if error is None else [float(error.min()), float(error.max())],
              "year_range": None if year is None else [float(year.min()), float(year.max())], "models": [],
              "notes": [f"{n_skipped:,} row(s) with a blank cell were skipped (n_skipped); the fit uses the other {n:,}."]
              if n_skipped else []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if error is None:
            result["models"].append(_growth(sm, log_compute, year - origin, origin, level, result["notes"]))
        else:
            result["models"].extend(_error_models(sm, error, log_compute, year, origin, result))
    result["notes"].extend(sorted({f"statsmodels: {w.message}" for w in caught}))
    if origin is not None:
        result["notes"].append(f"Year is counted from {origin:g} (year_origin): the constant of a fit with a year is its "
                               "value then.")
    return result


def fit_example(name: str, **options) -> dict:
    """:func:`fit_limits` on a shipped example (``EXAMPLES``) and its :data:`EXAMPLE_COLUMNS`, every row.

    ``options`` go to :func:`fit_limits` (``targets``, ``quantile``, ...). The result adds
    ``example`` (the file name) and ``columns`` (the column of each option).
    """
    if name not in EXAMPLE_COLUMNS or name not in EXAMPLES:
        raise InputError("name", f"name must be one of {', '.join(EXAMPLE_COLUMNS)}; got {name!r}.")
    columns = parse_limits_csv(example_csv(name), where=repr(name), **EXAMPLE_COLUMNS[name])
    result = fit_limits(columns["error"], columns["compute"], columns["year"], n_skipped=columns["n_skipped"], **options)
    return {"example": name, "columns": columns["columns"], **result}


def _error_models(sm, error, log_compute, year, origin, result) -> list[dict]:
    """The fits of seed Tables 1 and 2 and Figure 8, in that order."""
    level, targets, q = result["level"], result["targets"], result["quantile"]
    compute_term = ("log10_compute", "log10(Computation)", log_compute)
    log_error = np.log10(error)
    models = [
        _ols(sm, log_error, [compute_term], "polynomial", "log10(Error rate)", level),
        _ols(sm, error, [compute_term], "exponential", "Error rate", level),
        _quantile_fit(sm, log_error, compute_term, q, level),
    ]
    if year is not None:
        year_term = ("year", f"Year (since {origin:g})", year - origin)
        if log_compute.size < 4 or np.linalg.matrix_rank(np.column_stack([np.ones_like(year), log_compute, year])) < 3:
            result["notes"].append("The time trend is left out: it needs at least 4 rows whose compute and year are "
                                   "not collinear.")
        else:
            models.append(_ols(sm, log_error, [compute_term, year_term], "time_trend", "log10(Error rate)", level))
    max_log = float(log_compute.max())
    for model in models:
        model["derived"] = _error_derived(model, level)
        significant = model["derived"].pop("significant")
        if model["name"] != "time_trend":
            model["projections"] = [_projection(model, target, max_log, significant) for target in targets]
        for text in model["derived"].pop("notes"):
            result["notes"].append(f"{model['name']}: {text}")
    return models


def _ols(sm, y, terms, name, dependent, level) -> dict:
    """An OLS fit with the columns of seed Tables 1-2 (stargazer's layout)."""
    x = sm.add_constant(np.column_stack([values for _, _, values in terms]), has_constant="add")
    fit = sm.OLS(y, x).fit()
    model = _model(fit, terms, name, dependent, "OLS", level)
    r2 = _finite(fit.rsquared, 0.0, 1.0)
    model.update({"r2": r2, "adj_r2": None if r2 is None else _finite(fit.rsquared_adj, high=1.0),
                  "resid_se": _finite(math.sqrt(fit.scale)) if fit.scale >= 0 else None,
                  "df_model": int(round(fit.df_model)), "df_resid": int(round(fit.df_resid)),
                  "f_stat": _finite(fit.fvalue, 0.0), "f_p": _finite(fit.f_pvalue, 0.0, 1.0)})
    return model


def _quantile_fit(sm, y, term, quantile, level) -> dict:
    """The quantile regression of Figure 8: the ``quantile`` of log10(error) given log10(compute)."""
    x = sm.add_constant(term[2][:, None], has_constant="add")
    fit = sm.QuantReg(y, x).fit(q=quantile)
    model = _model(fit, [term], "quantile", "log10(Error rate)", f"QR q={quantile:g}", level)
    model.update({"pseudo_r2": _finite(fit.prsquared, 0.0, 1.0), "df_resid": int(round(fit.df_resid)),
                  "df_model": int(round(fit.df_model))})
    return model


def _model(fit, terms, name, dependent, method, level) -> dict:
    interval = np.asarray(fit.conf_int(alpha=1.0 - level))
    labels = [("const", "Constant")] + [(term_name, label) for term_name, label, _ in terms]
    rows = []
    for i, (term_name, label) in enumerate(labels):
        coef, low, high = _finite(fit.params[i]), _finite(interval[i, 0]), _finite(interval[i, 1])
        if coef is None or low is None or high is None or not low <= coef <= high:
            low = high = None  # an interval that does not hold its estimate is not shown
        rows.append({"name": term_name, "label": label, "coef": coef, "se": _finite(fit.bse[i], 0.0),
                     "t": _finite(fit.tvalues[i]), "p": _finite(fit.pvalues[i], 0.0, 1.0), "low": low, "high": high})
    return {"name": name, "dependent": dependent, "method": method, "n": int(fit.nobs), "terms": rows,
            "r2": None, "adj_r2": None, "pseudo_r2": None, "resid_se": None, "df_model": None, "df_resid": None,
            "f_stat": None, "f_p": None}


def _term(model: dict, name: str) -> dict:
    return next(term for term in model["terms"] if term["name"] == name)


def _slope_problem(slope: dict, level: float, what: str = "log10(compute)", sign: int = -1) -> str | None:
    """Why ``slope`` is not significantly negative (``sign`` -1) or positive (+1) at ``level``; None if it is."""
    coef, low, high = slope["coef"], slope["low"], slope["high"]
    word = "negative" if sign < 0 else "positive"
    if coef is None:
        return f"the slope on {what} could not be estimated"
    if sign * coef <= 0:
        return f"the slope on {what} ({coef:.3g}) is not {word}"
    if low is None or high is None:
        return (f"the slope on {what} is not shown to be {word}: its {level:.0%} interval is not available "
                "(statsmodels gave no standard errors, as it can with few rows)")
    if sign * (high if sign < 0 else low) <= 0:
        return f"the slope on {what} is not significantly {word}: its {level:.0%} interval, {low:.3g} to {high:.3g}, reaches 0"
    return None


def _error_derived(model: dict, level: float) -> dict:
    """alpha of compute ~ Performance^alpha (log forms), or the error drop per 10x compute (exponential form).

    ``significant`` (popped by the caller) says whether the slope on compute is significantly
    negative: without it alpha, the trend's equivalence and the projections are None.
    """
    slope = _term(model, "log10_compute")
    problem = _slope_problem(slope, level)
    derived = {"notes": [], "significant": problem is None}
    if model["name"] == "exponential":
        derived["error_drop_per_10x_compute"] = None if slope["coef"] is None else -slope["coef"]
    else:
        derived["alpha"] = _alpha(slope) if problem is None else {"value": None, "low": None, "high": None}
    if model["name"] == "time_trend":
        year_problem = None if problem else _slope_problem(_term(model, "year"), level, "year")
        derived.update(_trend_equivalence(slope["coef"], _term(model, "year")["coef"], problem or year_problem))
        if year_problem:
            derived["notes"].append(f"{year_problem}, so years_per_10x_compute and compute_factor_per_year are left out (None).")
    if problem:
        left = {"exponential": "the projections are", "time_trend": "alpha and years_per_10x_compute are"}
        derived["notes"].append(f"{problem}, so {left.get(model['name'], 'alpha and the projections are')} left out (None).")
    return derived


def _alpha(slope: dict) -> dict:
    """alpha = -1 / slope and its interval, from the slope's interval, all below 0 (seed section 3.2)."""
    return {"value": _finite(-1.0 / slope["coef"], 0.0), "low": _finite(-1.0 / slope["low"], 0.0),
            "high": _finite(-1.0 / slope["high"], 0.0)}


def _trend_equivalence(compute_coef, year_coef, problem) -> dict:
    """Years of the time trend worth 10x compute (the seed: 3 years, from -0.04 / -0.11 of Table 2)."""
    if problem:
        return {"years_per_10x_compute": None, "compute_factor_per_year": None}
    return {"years_per_10x_compute": _finite(compute_coef / year_coef, 0.0),
            "compute_factor_per_year": _power_of_ten(year_coef / compute_coef)}


def _projection(model: dict, target: float, max_log_compute: float, significant: bool) -> dict:
    """The compute at which the fit reaches ``target`` error (seed Figure 4): log10 and, when a float holds it, the number."""
    const, slope = _term(model, "const")["coef"], _term(model, "log10_compute")["coef"]
    level = target if model["name"] == "exponential" else math.log10(target)
    log_compute = None if not significant or const is None else _finite((level - const) / slope)
    return {"target_error": float(target), "log10_compute": log_compute, "compute": _power_of_ten(log_compute),
            "log10_times_max_observed": None if log_compute is None else _finite(log_compute - max_log_compute)}


def _growth(sm, log_compute, years, origin, level, notes) -> dict:
    """log10(compute) on year: growth factor per year and doubling time (seed section 3.1)."""
    if np.ptp(years) <= 0:
        raise InputError("year", f"year must vary for the growth fit; all {years.size} rows are {years[0] + origin:g}.")
    model = _ols(sm, log_compute, [("year", f"Year (since {origin:g})", years)], "growth", "log10(Computation)", level)
    slope = _term(model, "year")
    factor = {key: _power_of_ten(slope[key]) for key in ("coef", "low", "high")}
    problem = _slope_problem(slope, level, "year", sign=1)
    if slope["coef"] is not None and factor["coef"] is None:
        notes.append(f"growth: the factor per year, 10^{slope['coef']:.3g}, is beyond a float, so it is left out (None).")
    if problem:
        notes.append(f"growth: {problem}, so compute is not shown to grow and the doubling time is left out (None).")
    months = 12.0 * math.log10(2.0)
    model["derived"] = {
        "growth_factor_per_year": {"value": factor["coef"], "low": factor["low"], "high": factor["high"]},
        "doubling_months": {key: None if problem else _finite(months / slope[source], 0.0)
                            for key, source in (("value", "coef"), ("low", "high"), ("high", "low"))},
    }
    return model


def _power_of_ten(log10_value) -> float | None:
    """10 ** ``log10_value`` when a float holds it without overflow or underflow, else None."""
    if log10_value is None or not -_MAX_LOG10 <= log10_value <= _MAX_LOG10:
        return None
    return 10.0 ** log10_value


def _array(values, name: str, n: int | None = None) -> np.ndarray:
    if values is None:
        raise InputError(name, f"{name} is needed: an array of numbers.")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(name, f"{name} must be an array of numbers; got {type(values).__name__}.") from None
    if array.ndim != 1:
        raise InputError(name, f"{name} must be one-dimensional; got shape {array.shape}.")
    if n is not None and array.size != n:
        raise InputError(name, f"{name} must have one value per compute value ({n}); got {array.size}.")
    if array.size < MIN_ROWS:
        raise InputError(name, f"{name} has {array.size} value(s); the fit needs at least {MIN_ROWS}.")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise InputError(name, f"{name} must be finite numbers; got {shown(float(array[bad[0]]))} at index {bad[0]}.")
    return array


def _first_bad(values: np.ndarray, bad: np.ndarray, name: str, rule: str) -> None:
    """Raise naming ``name`` and the first value where ``bad`` holds."""
    where = np.flatnonzero(bad)
    if where.size:
        raise InputError(name, f"{name} must be {rule}; got {shown(float(values[where[0]]))} at index {where[0]}.")


def _check_inputs(error, compute, year, targets, quantile, level) -> None:
    _first_bad(compute, compute <= 0, "compute", "greater than 0")
    if np.ptp(np.log10(compute)) <= 0:
        raise InputError("compute", f"compute must vary for a fit; all {compute.size} values are {shown(float(compute[0]))}.")
    if error is not None:
        _first_bad(error, (error <= 0) | (error >= 1), "error", "fractions in (0, 1)")
        if np.ptp(np.log10(error)) <= 0:
            raise InputError("error", f"error must vary for a fit; all {error.size} values are {shown(float(error[0]))}.")
    if year is not None:
        _first_bad(year, (year < YEAR_RANGE[0]) | (year > YEAR_RANGE[1]), "year",
                   f"years from {YEAR_RANGE[0]:g} to {YEAR_RANGE[1]:g}")
    for target in targets:
        if not 0.0 < _finite_number(target, "targets") < 1.0:
            raise InputError("targets", f"targets must be fractions in (0, 1); got {shown(target)}.")
    for value, name in ((quantile, "quantile"), (level, "level")):
        if not 0.0 < _finite_number(value, name) < 1.0:
            raise InputError(name, f"{name} must be a fraction in (0, 1); got {shown(value)}.")


def _year_number(value, name: str) -> float:
    number = _finite_number(value, name)
    if not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
        raise InputError(name, f"{name} must be a year from {YEAR_RANGE[0]:g} to {YEAR_RANGE[1]:g}; got {shown(value)}.")
    return number


def _finite_number(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(name, f"{name} must be a number; got {shown(value)}.") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise InputError(name, f"{name} must be a finite number; got {shown(value)}.")
    return number


def _finite(value, low: float = -math.inf, high: float = math.inf) -> float | None:
    """``value`` as a float when it is finite and in [``low``, ``high``] (its range); None otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _statsmodels():
    try:
        import statsmodels.api as sm
    except ImportError:
        raise InputError("fit", "the fit needs statsmodels: pip install statsmodels") from None
    return sm
