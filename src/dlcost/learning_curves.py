"""Learning curves from a pilot: validated inputs, the eq. (1) prior, the fit and its plot.

A team measures the error of its own model on a few nested subsets of its data
(``dlcost learning-curve run`` does it) and asks how much data a target accuracy
needs. :func:`fit_pilot` joins the numeric core (:mod:`dlcost.core.learning_curves`)
with the catalog: eq. (1) of seed 000 at the task's relative complexity, task type
and pretraining is the prior that one or two points lean on.

>>> from dlcost.learning_curves import LearningCurveQuery, fit_pilot
>>> result = fit_pilot(LearningCurveQuery(points=[{"n_train": 1000, "error": 0.2}],
...                                       target_accuracy=0.9, classes=10))
>>> result.family, result.method
('power_law_prior', 'prior')
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, field_validator, model_validator

from dlcost import catalog
from dlcost.core import checks, complexity
from dlcost.core import learning_curves as core
from dlcost.models import (
    JSON_SCHEMA_VERSION, MAX_POINTS, PilotPoint, Task, _check_level, _counts_list, _Input, check_pilot_points, check_tau, parse_fraction,
    pilot_points_as_dicts,
)

__all__ = ["PilotPoint", "LearningCurveQuery", "LearningCurveResult", "fit_pilot", "read_points_csv",
           "plot_learning_curve", "MAX_POINTS"]

#: Most pilot points one query may hold.


class LearningCurveQuery(_Input):
    """Inputs of :func:`fit_pilot`. Give the points from the smallest subset to the largest."""

    points: list[PilotPoint] = Field(description="Measured (n_train, error) points, sizes increasing.")
    target_accuracy: float = Field(description="Accuracy (or mean IoU) to reach, a fraction in (0, 1).")
    task: Task = Field("classification", description="classification or segmentation (sets eq. (1)'s Type in the prior).")
    classes: int | None = Field(None, description="Equally likely classes (>= 2), for the prior's relative complexity.")
    class_counts: list[float] | dict[str, float] | None = Field(None, description="Examples per class, instead of classes.")
    relative_complexity: float | None = Field(None, description="RC directly, instead of classes or class_counts.")
    pretrained: bool = Field(True, description="Fine-tuned from a pretrained checkpoint (sets the prior's slope).")
    tau: float = Field(core.DEFAULT_TAU, description="Aim this much accuracy above the target when sizing the next round. [fraction]")
    interval_level: float = Field(0.8, description="Central probability of the data-needed interval.")
    data_max: float | None = Field(None, description="Most images that could be had; caps the next round. [images]")
    noise_sd_log10: float = Field(core.NOISE_SD_LOG10, description="Measurement noise of one point, sd of log10(error).")
    predict_n_train: float | None = Field(None, description="Also predict the error at this many images (e.g. the full data set).")

    @field_validator("points", mode="before")
    @classmethod
    def _pairs(cls, value):
        return pilot_points_as_dicts(value)

    @field_validator("points")
    @classmethod
    def _points(cls, points):
        return check_pilot_points(points, "points")

    @field_validator("target_accuracy", mode="before")
    @classmethod
    def _target(cls, value):
        return parse_fraction(value, "target_accuracy")

    @field_validator("interval_level")
    @classmethod
    def _level(cls, value):
        return _check_level(value)

    @field_validator("tau")
    @classmethod
    def _tau(cls, value):
        return check_tau(value)

    @field_validator("noise_sd_log10", "data_max", "predict_n_train")
    @classmethod
    def _positive(cls, value, info):
        return None if value is None else checks.check_positive(value, info.field_name)

    @field_validator("relative_complexity")
    @classmethod
    def _rc(cls, value):
        return None if value is None else checks.check_non_negative(value, "relative_complexity")

    @model_validator(mode="after")
    def _consistent(self):
        given = [n for n in ("relative_complexity", "classes", "class_counts") if getattr(self, n) is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one of relative_complexity, classes or class_counts; got {', '.join(given)}.")
        largest = self.points[-1].n_train
        if self.data_max is not None and self.data_max < largest:
            raise ValueError(f"data_max must be at least the largest pilot subset ({largest:g}); got {self.data_max:g}.")
        return self

    def resolved_relative_complexity(self) -> float | None:
        """RC of the target classes over ImageNet-1000 (uniform), or None when no classes are given."""
        if self.relative_complexity is not None:
            return self.relative_complexity
        counts = _counts_list(self.class_counts)
        if counts is None and self.classes is None:
            return None
        target = complexity.class_entropy(counts) if counts is not None else complexity.uniform_class_entropy(self.classes)
        return complexity.relative_complexity(target, complexity.uniform_class_entropy(catalog.defaults()["baseline_classes"]))


def _number(value) -> float | None:
    """JSON-safe: None for inf and nan."""
    return float(value) if value is not None and math.isfinite(value) else None


class LearningCurveResult(BaseModel):
    """The fitted learning curve, the data a target needs and the next collection round.

    Data are in images and errors in fractions; ``None`` means unbounded (or not asked).
    """

    schema_version: int = JSON_SCHEMA_VERSION
    model: str = Field(description="Coefficient set of eq. (1) used for the prior.")
    inputs: LearningCurveQuery
    relative_complexity: float | None
    target_error: float = Field(description="1 - target_accuracy. [fraction]")
    aim_accuracy: float = Field(description="target_accuracy + tau: what the next round aims at. [fraction]")
    method: str = Field(description="selection (leave-last-point-out over the families) or prior (eq. (1)-prior power law).")
    family: str
    family_label: str
    equation: str
    parameters: dict[str, float]
    floor: float = Field(description="Error the chosen curve levels off at (0: none). [fraction]")
    reachable: bool = Field(description="The target is above the fitted floor.")
    data_needed: float | None = Field(description="Images for the target on the chosen curve. [images]")
    data_needed_low: float | None
    data_needed_high: float | None = Field(description="Upper bound; null when unbounded.")
    data_needed_aim: float | None = Field(description="Images for target + tau. [images]")
    next_round_size: float | None = Field(description="Images to add now: max(0, data_needed_aim - largest point), within data_max.")
    next_round_total: float | None = Field(description="Images in all after the next round. [images]")
    interval: dict
    prior: dict
    candidates: list[dict]
    prediction: dict | None = Field(description="Error predicted at predict_n_train, with its interval.")
    points: list[dict]
    curves: dict = Field(description="Plot series: a size grid and each fitted curve's error on it.")
    notes: list[str]

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")

    @property
    def unreachable_message(self) -> str | None:
        if self.reachable:
            return None
        if self.floor < self.target_error:
            return (
                f"target_accuracy {self.inputs.target_accuracy:.4g} is unreachable: the fitted {self.family_label} does not "
                f"fall to error {self.target_error:.4g} within 10^15 images (the points show little or no gain from "
                "more data). Check the points, or add larger subsets to the pilot."
            )
        return (
            f"target_accuracy {self.inputs.target_accuracy:.4g} is unreachable: the fitted {self.family_label} levels "
            f"off at error {self.floor:.4g} (accuracy {1 - self.floor:.2%}). Lower the target, or add larger subsets "
            "to the pilot to test the floor."
        )


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


def fit_pilot(query: LearningCurveQuery, model: catalog.ErrorModel | str | None = None) -> LearningCurveResult:
    """Fit the pilot's learning curve and size the data for ``query.target_accuracy``.

    Parameters
    ----------
    query : LearningCurveQuery
    model : ErrorModel or str, optional
        Coefficient set of eq. (1) for the prior; default the published one (Table 1 of seed 000).

    Returns
    -------
    LearningCurveResult
        ``reachable`` is False when the target is at or below the fitted floor
        (see ``unreachable_message``); the CLI reports that as an error.
    """
    model = catalog.error_model(model or catalog.DEFAULT_MODEL) if not isinstance(model, catalog.ErrorModel) else model
    coef = model.coefficients
    rc = query.resolved_relative_complexity()
    segmentation = query.task == "segmentation"
    prior_slope = float(coef.data_slope(query.pretrained))
    prior_intercept = None if rc is None else float(coef.offset(rc, segmentation))
    n = np.array([p.n_train for p in query.points])
    e = np.array([p.error for p in query.points])
    target_error = 1.0 - query.target_accuracy
    aim_error = target_error - query.tau
    fit = core.fit_learning_curve(
        n, e, target_error, prior_slope=prior_slope, prior_intercept=prior_intercept, aim_error=aim_error,
        level=query.interval_level, noise_sd_log10=query.noise_sd_log10, predict_n=query.predict_n_train,
    )
    notes = list(fit.notes)
    if fit.method == "prior":
        notes.append(
            f"with {len(n)} point(s) the slope leans on the prior from eq. (1) ({model.name}), {prior_slope:.3f} +/- "
            f"{core.PRIOR_SLOPE_SD}; every further point (3 or more allow choosing a curve family) narrows the interval."
        )
    needed_aim = fit.data_needed_aim
    if fit.reachable and not math.isfinite(needed_aim):
        notes.append(f"target + tau ({query.target_accuracy + query.tau:.2%}) is beyond the fitted floor; the next round aims at the target.")
        needed_aim = fit.data_needed
    next_round = core.next_round_size(needed_aim, n[-1], query.data_max) if fit.reachable else math.inf
    if fit.reachable and query.data_max is not None and fit.data_needed > query.data_max:
        notes.append(f"the target needs {fit.data_needed:,.0f} images, more than data_max ({query.data_max:,.0f}).")
    if fit.reachable and fit.data_needed <= n[-1]:
        notes.append("the fitted curve reaches the target within the largest pilot subset already.")
    chosen_family = core.FAMILIES.get(fit.family)
    label = chosen_family.label if chosen_family else "power law with eq. (1) prior"
    equation = chosen_family.equation if chosen_family else "e = a n^-b (log-log Gaussian posterior, b > 0)"
    posterior = fit.posterior
    prediction = None
    if query.predict_n_train is not None:
        prediction = {"n_train": query.predict_n_train, "error": _number(fit.predicted_error),
                      "error_low": _number(fit.predicted_error_low), "error_high": _number(fit.predicted_error_high),
                      "accuracy": _number(1 - fit.predicted_error) if fit.predicted_error is not None else None}
    result = LearningCurveResult(
        model=model.name, inputs=query, relative_complexity=rc, target_error=target_error,
        aim_accuracy=query.target_accuracy + query.tau, method=fit.method, family=fit.family, family_label=label,
        equation=equation, parameters=fit.curve.parameters, floor=fit.floor, reachable=fit.reachable,
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
        prediction=prediction,
        points=[{"n_train": float(a), "error": float(b)} for a, b in zip(n, e)],
        curves=_curves(fit, n, fit.data_needed_high), notes=notes,
    )
    if not fit.reachable:
        result.notes.append(result.unreachable_message)
    return result


_SIZE_COLUMNS = ("n", "n_train", "n_images", "images")
_VALUE_COLUMNS = ("error", "accuracy")


def read_points_csv(path: str | Path) -> list[dict]:
    """Pilot points from a CSV file with a header: ``n,error``, ``n_train,error`` or ``n_train,accuracy``.

    Blank lines and lines starting with ``#`` are skipped; accuracy is turned into
    error = 1 - accuracy. Returns ``[{"n_train": ..., "error": ...}, ...]`` in file order.
    """
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            rows = [(number, row) for number, row in enumerate(csv.reader(handle), start=1)
                    if row and "".join(row).strip() and not row[0].lstrip().startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ValueError(f"points file {str(path)!r} cannot be read: {reason}.") from None
    if not rows:
        raise ValueError(f"points file {str(path)!r} is empty; expected a header n_train,error and one row per point.")
    header = [name.strip().lower() for name in rows[0][1]]
    size = next((header.index(name) for name in _SIZE_COLUMNS if name in header), None)
    value_name = next((name for name in _VALUE_COLUMNS if name in header), None)
    if size is None or value_name is None:
        raise ValueError(f"points file {str(path)!r} must have a header with columns n,error, n_train,error or "
                         f"n_train,accuracy; got {','.join(rows[0][1])!r}.")
    value = header.index(value_name)
    points = []
    for line, row in rows[1:]:
        where = f"points file {str(path)!r} line {line}"
        try:
            n_train, measured = float(row[size]), float(row[value])
        except (ValueError, IndexError):
            raise ValueError(f"{where}: expected numbers in columns {header[size]} and {value_name}; got {','.join(row)!r}.") from None
        try:
            measured = checks.check_fraction(measured, value_name)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        points.append({"n_train": n_train, "error": measured if value_name == "error" else 1.0 - measured})
    return points


def plot_learning_curve(result: LearningCurveResult, path: str | Path) -> Path:
    """Write a PNG: the points, every fitted curve (chosen one bold), the target and the interval band.

    Log-log axes: error against training images. Needs matplotlib (imported here).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ValueError("plotting needs matplotlib: pip install matplotlib") from None
    path = Path(path)
    figure, axes = plt.subplots(figsize=(7.5, 5.0), dpi=120)
    grid = result.curves["n_train"]
    for series in result.curves["series"]:
        style = {"linewidth": 3.0, "zorder": 3} if series["chosen"] else {"linewidth": 1.0, "alpha": 0.7}
        if series["family"] == "power_law_prior" and not series["chosen"]:
            style["linestyle"] = "--"
        label = series["label"] + (" (chosen)" if series["chosen"] else "")
        axes.plot(grid, np.clip(series["error"], 1e-6, None), label=label, **style)
    points = result.points
    axes.scatter([p["n_train"] for p in points], [p["error"] for p in points], color="black", zorder=4, label="pilot points")
    axes.axhline(result.target_error, color="crimson", linestyle="--", linewidth=1.2,
                 label=f"target {result.inputs.target_accuracy:.2%}")
    if result.inputs.tau > 0 and result.target_error - result.inputs.tau > 0:
        axes.axhline(result.target_error - result.inputs.tau, color="crimson", linestyle=":", linewidth=1.0,
                     label=f"aim (+tau) {result.aim_accuracy:.2%}")
    if result.floor > 0:
        axes.axhline(result.floor, color="gray", linestyle=":", linewidth=1.0, label=f"fitted floor {result.floor:.3g}")
    if result.data_needed is not None:
        high = result.data_needed_high if result.data_needed_high is not None else grid[-1]
        axes.axvspan(result.data_needed_low, min(high, grid[-1]), color="crimson", alpha=0.12,
                     label=f"data needed, {result.interval['level']:.0%} interval")
        axes.axvline(result.data_needed, color="crimson", linewidth=1.0)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(grid[0], grid[-1])
    axes.set_xlabel("training images")
    axes.set_ylabel("error (1 - accuracy)")
    needed = f"{result.data_needed:,.0f} images" if result.data_needed is not None else "unreachable"
    axes.set_title(f"Learning curve: {result.family_label}; target {result.inputs.target_accuracy:.2%}: {needed}", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
