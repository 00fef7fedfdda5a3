"""Honest ranges: intervals for the error, the data needed and the costs.

The interval is calibrated on observed outcomes (the store's observations, by
default the shipped Table 2 cases of seed 000 and 36 published VTAB results):

- ``conformal`` (default): split-conformal on log10(observed / predicted error)
  (:func:`dlcost.core.intervals.conformal_log10_bounds`).
  For the published model the residuals are out of sample already; for a model
  fitted on the same observations they are leave-one-dataset-out residuals.
- ``ols``: the classical prediction interval of a fitted model with a covariance
  and residual variance (not available for ``paper-2024``, whose residual
  variance is not published).

Eq. (1) is monotone, so the other intervals follow from the error interval. If
the true error is the prediction times 10^r, the data needed for a target error
e* is n(r) = images_needed(e* x 10^-r): the lower error bound gives the lower
data bound and the upper the upper. Costs are monotone in the images trained on
(min(n, data_max)), so the cost bounds are the costs at those two data sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dlcost import catalog
from dlcost.catalog import ErrorModel
from dlcost.core import accuracy
from dlcost.core.checks import InputError
from dlcost.core.intervals import conformal_log10_bounds, ols_log10_bounds
from dlcost.engine.refit import dataset_group, eq1_observations, example_observations, validation_predictions

__all__ = ["Calibration", "calibrate", "default_calibration", "shipped_calibration", "error_bounds", "data_needed_bounds", "reported_error",
           "MIN_ERROR", "CALIBRATION_FIELDS"]

#: The fields of an observation a calibration reads (the regressors of eq. (1), the outcome and the dataset).
CALIBRATION_FIELDS = ("dataset", "task", "n_train", "n_classes", "class_counts", "relative_complexity", "pretrained",
                      "metric_value")

#: Smallest error a result reports: eq. (1) never reaches 0 (an underflow is shown as this). [fraction]
MIN_ERROR = 1e-300


@dataclass(frozen=True)
class Calibration:
    """Where an interval comes from, and its log10 offsets (conformal)."""

    level: float
    method: str
    low_log10: float
    high_log10: float
    n_observations: int
    n_datasets: int
    source: str
    model: ErrorModel

    def describe(self) -> dict:
        return {
            "level": self.level,
            "method": self.method,
            "n_observations": self.n_observations,
            "n_datasets": self.n_datasets,
            "calibration": self.source,
            "low_log10": None if self.method == "ols" else self.low_log10,
            "high_log10": None if self.method == "ols" else self.high_log10,
        }


def calibrate(model: ErrorModel, observations, level: float, method: str = "conformal", refit: bool | None = None,
              source: str = "") -> Calibration:
    """Calibrate an interval for ``model`` on ``observations`` (Observations, or store rows with their fields).

    ``refit`` (default: True unless ``model`` is the published one) uses
    leave-one-dataset-out residuals, since the model was fitted on them. Detection
    observations are left out (eq. (1) has no term for them); ``source`` then says how many.
    """
    if not 0.0 < level < 1.0:
        raise InputError("interval_level", f"interval_level must be a fraction in (0, 1); got {level!r}.")
    observations, left_out = eq1_observations(observations)
    if left_out:
        source = f"{source}; {left_out}" if source else left_out
    groups = {dataset_group(name) for name in {o.dataset for o in observations}}
    if method == "ols":
        if model.residual_variance is None or model.df_resid is None:
            raise InputError("interval_method",
                f"interval_method 'ols' needs a fitted model with a residual variance; {model.name} has none. Use 'conformal'."
            )
        return Calibration(level, "ols", math.nan, math.nan, model.n, len(set(groups)), source or "OLS fit", model)
    if method != "conformal":
        raise InputError("interval_method", f"interval_method must be one of 'conformal' or 'ols'; got {method!r}.")
    if refit is None:
        refit = model.name != catalog.DEFAULT_MODEL
    order, predicted, _, log10_observed = validation_predictions(observations, model, refit=refit,
                                                                 hold=_held(model) if refit else None)
    residuals = log10_observed[order] - np.log10(predicted)  # log10(observed / predicted)
    # Every observation counts once in the quantiles; the grouping by dataset is in
    # the residuals (leave-one-dataset-out for a refit) and in the coverage check
    # (docs/validation.md), where weighting datasets equally over-covered (95% at 80%).
    low, high = conformal_log10_bounds(residuals, level)
    return Calibration(level, "conformal", low, high, len(residuals), len(set(groups)), source, model)


def _held(model: ErrorModel) -> dict:
    return {row.name: row.coef for row in model.table if row.regressor.endswith("(held)")}


@lru_cache(maxsize=32)
def _default(model_name: str, level: float) -> Calibration:
    return calibrate(catalog.error_model(model_name), example_observations(), level,
                     source="shipped: seed 000 Table 2 (6) + VTAB ResNet-50 results (36)")


def shipped_calibration(model: ErrorModel, level: float, method: str) -> Calibration:
    """The calibration an answer uses without observations of its own: OLS from the fit, else
    conformal on the shipped observations."""
    return calibrate(model, [], level, "ols") if method == "ols" else default_calibration(model, level)


def default_calibration(model: ErrorModel, level: float = 0.8) -> Calibration:
    """The conformal calibration on the shipped observations (cached for the published model)."""
    if model.name == catalog.DEFAULT_MODEL:
        return _default(model.name, float(level))
    return calibrate(model, example_observations(), level, source="shipped: seed 000 Table 2 (6) + VTAB ResNet-50 results (36)")


def _offsets(calibration: Calibration, n_images, relative_complexity, pretrained, segmentation) -> tuple[float, float]:
    if calibration.method != "ols":
        return calibration.low_log10, calibration.high_log10
    model = calibration.model
    log_n = math.log10(n_images)
    x = np.array([1.0, log_n, log_n * float(pretrained), relative_complexity, float(segmentation)])
    return ols_log10_bounds(x, model.covariance, model.residual_variance, model.df_resid, calibration.level)


def reported_error(error: float) -> float:
    """An error as results report it: within (0, 1]. Eq. (1) exceeds 1 outside its range. [fraction]"""
    return 1.0 if math.isnan(error) else min(1.0, max(MIN_ERROR, error))


def _scaled(predicted: float, offset: float) -> float:
    """``predicted x 10^offset`` within [0, 1]; an infinite offset is an unbounded side."""
    if math.isinf(offset):
        return 0.0 if offset < 0 else 1.0
    if not predicted < math.inf:  # inf or nan: eq. (1) far above 1
        return 1.0
    try:
        return min(1.0, predicted * 10.0**offset)
    except OverflowError:
        return 1.0


def error_bounds(calibration: Calibration, n_images, relative_complexity, pretrained, segmentation) -> tuple[float, float]:
    """Lower and upper error after training on ``n_images`` [fraction, in [0, 1]].

    The interval holds the reported point, :func:`reported_error` of eq. (1): where the
    calibrated offsets both lie on one side of 0 (a narrow level on biased residuals), the
    near side is widened to the point.
    """
    predicted = float(accuracy.predicted_error(n_images, relative_complexity, pretrained, segmentation, calibration.model.coefficients))
    point = reported_error(predicted)
    low, high = _offsets(calibration, n_images, relative_complexity, pretrained, segmentation)
    return min(point, _scaled(predicted, low)), max(point, _scaled(predicted, high))


def data_needed_bounds(calibration: Calibration, target_error, relative_complexity, pretrained, segmentation,
                       n_point: float) -> tuple[float, float]:
    """Lower and upper images needed for ``target_error`` [images]; may be inf.

    n(r) = images_needed(target x 10^-r) at the lower and upper offsets (OLS: the
    offsets at the point estimate ``n_point``).
    """
    coef = calibration.model.coefficients
    low, high = _offsets(calibration, n_point, relative_complexity, pretrained, segmentation)
    bound = []
    for offset in (low, high):
        if math.isinf(offset):
            bound.append(0.0 if offset < 0 else math.inf)
        else:
            bound.append(float(accuracy.images_needed(target_error * 10.0**-offset, relative_complexity, pretrained, segmentation, coef)))
    return max(1.0, bound[0]), max(1.0, bound[1])  # at least one image

