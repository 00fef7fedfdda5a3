"""The inputs and the answer of a pilot's learning-curve fit (``dlcost learning-curve fit``)."""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.core.curve_posterior import NOISE_SD_LOG10
from dlcost.schemas._common import (
    CLASS_COUNTS, DEFAULTS, FRACTION, JSON_SCHEMA_VERSION, MAX_CLASSES, MAX_IMAGES, MAX_POINTS, MAX_RELATIVE_COMPLEXITY,
    ClassInputs, PilotPoint, Task, check_level, check_pilot_points, check_tau, parse_fraction, pilot_points_as_dicts, stated,
    stated_rules,
)

__all__ = ["PilotPoint", "LearningCurveQuery", "LearningCurveResult", "json_number", "MAX_NOISE_SD_LOG10", "MIN_NOISE_SD_LOG10"]

#: Largest measurement noise of a point: a whole decade of error (a binomial point has at most 0.43). [log10]
MAX_NOISE_SD_LOG10 = 1.0
#: Smallest measurement noise of a point: a 1% error measured on 10^8 held-out images has a
#: binomial sd of 0.0004 in log10; below 1e-4 the posterior's precision (1 / sd^2) overflows. [log10]
MIN_NOISE_SD_LOG10 = 1e-4
_IMAGES = stated({"exclusiveMinimum": 0, "maximum": MAX_IMAGES})
_CLASSES = stated({"minimum": 2, "maximum": MAX_CLASSES})


class LearningCurveQuery(ClassInputs):
    """Inputs of :func:`fit_pilot`. Give the points from the smallest subset to the largest."""

    model_config = ConfigDict(json_schema_extra=stated_rules(
        at_most_one=[("relative_complexity", "classes", "class_counts"), ("baseline_classes", "baseline_class_counts")]))

    points: list[PilotPoint] = Field(description="Measured (n_train, error) points, sizes increasing.",
                                     json_schema_extra=stated(array={"minItems": 1, "maxItems": MAX_POINTS}))
    target_accuracy: float = Field(description="Accuracy (or mean IoU) to reach, a fraction in (0, 1).", json_schema_extra=stated(FRACTION))
    task: Task = Field(DEFAULTS["task"], description="classification or segmentation (sets eq. (1)'s Type in the prior).")
    classes: int | None = Field(None, description="Equally likely classes (>= 2), for the prior's relative complexity.",
                                json_schema_extra=_CLASSES)
    class_counts: list[float] | dict[str, float] | None = Field(None, description="Examples per class, instead of classes.",
                                                                json_schema_extra=CLASS_COUNTS)
    relative_complexity: float | None = Field(None, description="RC directly, instead of classes or class_counts.",
                                              json_schema_extra=stated({"minimum": 0, "maximum": MAX_RELATIVE_COMPLEXITY}))
    baseline_classes: int | None = Field(None, description=f"Baseline class count for RC; default {DEFAULTS['baseline_classes']} (ImageNet-1000).",
                                         json_schema_extra=_CLASSES)
    baseline_class_counts: list[float] | dict[str, float] | None = Field(None, description="Baseline examples per class, instead of baseline_classes.",
                                                                         json_schema_extra=CLASS_COUNTS)
    pretrained: bool = Field(DEFAULTS["pretrained"], description="Fine-tuned from a pretrained checkpoint (sets the prior's slope).")
    tau: float = Field(DEFAULTS["tau"], description="Aim this much accuracy above the target when sizing the next round. [fraction]",
                       json_schema_extra=stated({"minimum": 0, "exclusiveMaximum": 1}))
    interval_level: float = Field(DEFAULTS["interval_level"], description="Central probability of the data-needed interval.",
                                  json_schema_extra=stated(FRACTION))
    data_max: float | None = Field(None, description="Most images that could be had, at least the largest point; caps the next round. [images]",
                                   json_schema_extra=stated({"minimum": 1, "maximum": MAX_IMAGES}))  # points have n_train >= 1
    noise_sd_log10: float = Field(NOISE_SD_LOG10, description="Measurement noise of one point, sd of log10(error).",
                                  json_schema_extra=stated({"minimum": MIN_NOISE_SD_LOG10, "maximum": MAX_NOISE_SD_LOG10}))
    predict_n_train: float | None = Field(None, description="Also predict the error at this many images (e.g. the full data set).",
                                          json_schema_extra=_IMAGES)

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
        return check_level(value)

    @field_validator("tau")
    @classmethod
    def _tau(cls, value):
        return check_tau(value)

    @field_validator("noise_sd_log10", "data_max", "predict_n_train")
    @classmethod
    def _positive(cls, value, info):
        name = info.field_name
        if name == "noise_sd_log10":
            number = checks.check_positive(value, name)
            if not MIN_NOISE_SD_LOG10 <= number <= MAX_NOISE_SD_LOG10:
                raise InputError(name, f"{name} must be in [{MIN_NOISE_SD_LOG10:g}, {MAX_NOISE_SD_LOG10:g}]; got {checks.shown(value)}.")
            return number
        return None if value is None else checks.check_at_most(checks.check_positive(value, name), name, MAX_IMAGES)

    @model_validator(mode="after")
    def _consistent(self):
        given = [n for n in ("relative_complexity", "classes", "class_counts") if getattr(self, n) is not None]
        if len(given) > 1:
            raise InputError(given[-1], f"give at most one of relative_complexity, classes or class_counts; got {', '.join(given)}.")
        largest = self.points[-1].n_train
        if self.data_max is not None and self.data_max < largest:
            raise InputError("data_max", f"data_max must be at least the largest pilot subset ({largest:g}); got {self.data_max:g}.")
        self._one_class_input("baseline_classes", "baseline_class_counts", required=False)
        return self


def json_number(value) -> float | None:
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
