"""A pilot's learning curve: the fit, the data a target needs and the next collection round.

A team measures the error of its own model on a few nested subsets of its data
(``dlcost learning-curve run`` does it) and asks how much data a target accuracy
needs. :func:`fit_pilot` joins the numeric core (:mod:`dlcost.core.learning_curves`)
with the error model: eq. (1) of seed 000 at the task's relative complexity, task
type and pretraining is the prior that one or two points lean on.

>>> from dlcost.engine.pilot import fit_pilot
>>> from dlcost.schemas import LearningCurveQuery
>>> result = fit_pilot(LearningCurveQuery(points=[{"n_train": 1000, "error": 0.2}],
...                                       target_accuracy=0.9, classes=10))
>>> result.family, result.method
('power_law_prior', 'prior')
"""

from __future__ import annotations

import math

import numpy as np

from dlcost import catalog
from dlcost.core import learning_curves as core
from dlcost.engine.complexity import relative_complexity_of
from dlcost.schemas.pilot import LearningCurveQuery, LearningCurveResult, json_number

__all__ = ["fit_pilot"]

_number = json_number


def _candidate_dict(candidate: core.Candidate) -> dict:
    family = core.FAMILIES[candidate.family]
    fit = candidate.fit
    return {
        "family": candidate.family, "label": family.label, "equation": family.equation,
        "n_parameters": family.n_parameters, "status": candidate.status,
        "parameters": fit.parameters if fit is not None and fit.ok else {},
        "floor": _number(fit.floor) if fit is not None and fit.ok else None,
        "rmse_log10": _number(fit.rmse_log10) if fit is not None and fit.ok else None,
        "llo_log10_error": _number(candidate.llo_log10_error),
        "llo_predicted_error": _number(candidate.llo_predicted_error),
        "reason": candidate.reason,
    }


def _curves(fit: core.LearningCurveFit, n, needed_high: float | None) -> dict:
    top = 4.0 * n[-1]
    for value in (fit.data_needed, needed_high, fit.data_needed_aim):
        if value is not None and math.isfinite(value):
            top = max(top, 1.5 * value)
    grid = np.logspace(math.log10(n[0] / 2.0), math.log10(min(top, n[-1] * 1e4)), 80)
    series = []
    for candidate in fit.candidates:
        if candidate.fit is not None and candidate.fit.ok:
            with np.errstate(all="ignore"):
                error = np.clip(candidate.fit.error(grid), 0.0, 1.0)
            series.append({"family": candidate.family, "label": core.FAMILIES[candidate.family].label,
                           "chosen": fit.method == "selection" and candidate.family == fit.family, "error": error.tolist()})
    series.append({"family": "power_law_prior", "label": "power law, eq. (1) prior",
                   "chosen": fit.method == "prior", "error": np.clip(fit.posterior.error(grid), 0.0, 1.0).tolist()})
    return {"n_train": grid.tolist(), "series": series}


def pilot_prior(model: catalog.ErrorModel, query: LearningCurveQuery, rc: float | None,
           n_largest: float) -> tuple[float, float | None, float]:
    """The power law's prior slope, level (log10 error at 1 image) and slope sd from the error model.

    Eq. (1) is a power law already; its slope sd is :data:`PRIOR_SLOPE_SD`. dlcost-2026 is not:
    its prior is its tangent in log-log at the largest pilot subset (the slope flattens towards
    chance), with the backbone at the reference (the pilot measures its own), and the slope sd
    is the spread of the data slope between datasets (its random slope plus the fixed slope's
    standard error), carried to log10 error by the same tangent factor.
    """
    if model.form == "eq1":
        coef = model.coefficients
        return (float(coef.data_slope(query.pretrained)), None if rc is None else float(coef.offset(rc, query.task == "segmentation")),
                core.PRIOR_SLOPE_SD)
    from dlcost.core import bounded_error as be
    from dlcost.engine.complexity import baseline_entropy_nats

    rc_known = 1.0 if rc is None else rc  # classes not given: ImageNet-like difficulty, and the level is left free
    chance = be.chance_error(query.task, rc_known * baseline_entropy_nats(query.baseline_classes, query.baseline_class_counts))
    x = be.regressors(n_largest, rc_known, query.pretrained, query.task, None)
    slope = be.local_log_slope(model.bounded, x)
    level = math.log10(float(be.predicted_error(model.bounded, x, chance))) - slope * math.log10(n_largest)
    line = be.LineInLogData.of(model.bounded, x, chance)  # its c: the data slope's variance, fixed plus between datasets
    tangent = slope / line.slope if line.slope != 0 else 0.0  # (1 - expit(z)) / ln 10
    slope_sd = abs(tangent) * math.sqrt(max(0.0, line.c))
    return slope, None if rc is None else level, max(0.05, slope_sd)


def fit_pilot(query: LearningCurveQuery, model: catalog.ErrorModel | str | None = None,
              predict_needed_within: float | None = None, samples: list | None = None) -> LearningCurveResult:
    """Fit the pilot's learning curve and size the data for ``query.target_accuracy``.

    Parameters
    ----------
    query : LearningCurveQuery
    model : ErrorModel or str, optional
        Coefficient set of eq. (1) for the prior; default the published one (Table 1 of seed 000).
    predict_needed_within : float, optional
        Predict the error at min(data needed, this) instead of ``query.predict_n_train``:
        an estimate asks for the images it trains on, from the same single fit. [images]

    Returns
    -------
    LearningCurveResult
        ``reachable`` is False when the target is at or below the fitted floor
        (see ``unreachable_message``); the CLI reports that as an error.
    """
    model = catalog.error_model(model or catalog.default_model()) if not isinstance(model, catalog.ErrorModel) else model
    rc = relative_complexity_of(query)
    n = np.array([p.n_train for p in query.points])
    prior_slope, prior_intercept, prior_slope_sd = pilot_prior(model, query, rc, float(n[-1]))
    e = np.array([p.error for p in query.points])
    target_error = 1.0 - query.target_accuracy
    fit = core.fit_learning_curve(
        n, e, target_error, prior_slope=prior_slope, prior_intercept=prior_intercept, prior_slope_sd=prior_slope_sd,
        aim_error=target_error - query.tau,
        level=query.interval_level, noise_sd_log10=query.noise_sd_log10, predict_n=query.predict_n_train,
        predict_needed_within=predict_needed_within,
    )
    notes, needed_aim = _notes(fit, query, n, model.name, prior_slope, prior_slope_sd)
    next_round = core.next_round_size(needed_aim, n[-1], query.data_max) if fit.reachable else math.inf
    chosen_family = core.FAMILIES.get(fit.family)
    posterior = fit.posterior
    result = LearningCurveResult(
        model=model.name, inputs=query, relative_complexity=rc, target_error=target_error,
        aim_accuracy=query.target_accuracy + query.tau, method=fit.method, family=fit.family,
        family_label=chosen_family.label if chosen_family else "power law with eq. (1) prior",
        equation=chosen_family.equation if chosen_family else "e = a n^-b (log-log Gaussian posterior, b > 0)",
        parameters=fit.curve.parameters, floor=fit.floor, reachable=fit.reachable,
        data_needed=_number(fit.data_needed), data_needed_low=_number(fit.data_needed_low),
        data_needed_high=_number(fit.data_needed_high), data_needed_aim=_number(needed_aim) if fit.reachable else None,
        next_round_size=_number(next_round), next_round_total=_number(n[-1] + next_round),
        interval={"level": query.interval_level,
                  "method": "parametric bootstrap (200 refits)" if fit.method == "selection" else "posterior (4,000 draws)",
                  "sigma_log10": fit.sigma_log10},
        prior={"model": model.name, "slope": prior_slope, "slope_sd": posterior.prior_sd[1],
               "level_log10": None if prior_intercept is None else posterior.prior_mean[0],
               "level_sd": None if prior_intercept is None else posterior.prior_sd[0],
               "n_ref": 10.0**posterior.log10_n_ref, "noise_sd_log10": query.noise_sd_log10,
               "posterior_slope": posterior.theta[1]},
        candidates=[_candidate_dict(c) for c in fit.candidates],
        prediction=_prediction(fit),
        points=[{"n_train": float(a), "error": float(b)} for a, b in zip(n, e)],
        curves=_curves(fit, n, fit.data_needed_high), notes=notes,
    )
    if not fit.reachable:
        result.notes.append(result.unreachable_message)
    if samples is not None and fit.needed_samples is not None:
        samples.extend(np.asarray(fit.needed_samples, dtype=float).tolist())  # the draws of the images needed, for a plan
    return result


def _notes(fit: core.LearningCurveFit, query: LearningCurveQuery, n, model_name: str, prior_slope: float,
           prior_slope_sd: float) -> tuple[list, float]:
    """What the reader should know about the fit, and the images the next round aims at."""
    notes = list(fit.notes)
    if fit.method == "prior":
        notes.append(
            f"with {len(n)} point(s) the slope leans on the prior from {model_name}, {prior_slope:.3f} +/- "
            f"{prior_slope_sd:.3f}; every further point (3 or more allow choosing a curve family) narrows the interval."
        )
    needed_aim = fit.data_needed_aim
    if fit.reachable and not math.isfinite(needed_aim):
        notes.append(f"target + tau ({query.target_accuracy + query.tau:.2%}) is beyond the fitted floor; the next round aims at the target.")
        needed_aim = fit.data_needed
    if fit.reachable and query.data_max is not None and fit.data_needed > query.data_max:
        notes.append(f"the target needs {fit.data_needed:,.0f} images, more than data_max ({query.data_max:,.0f}).")
    if fit.reachable and fit.data_needed <= n[-1]:
        notes.append("the fitted curve reaches the target within the largest pilot subset already.")
    return notes, needed_aim


def _prediction(fit: core.LearningCurveFit) -> dict | None:
    if fit.predicted_n is None:
        return None
    return {"n_train": fit.predicted_n, "error": _number(fit.predicted_error),
            "error_low": _number(fit.predicted_error_low), "error_high": _number(fit.predicted_error_high),
            "accuracy": _number(1 - fit.predicted_error) if fit.predicted_error is not None else None,
            **({} if fit.error_at_limit is None else {"error_at_data_max": _number(fit.error_at_limit)})}
