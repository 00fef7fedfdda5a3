"""Pieces every input schema shares: bounds, the fraction parser, class inputs, pilot points."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dlcost import catalog
from dlcost.core import checks
from dlcost.core.checks import InputError

__all__ = [
    "DEFAULTS", "JSON_SCHEMA_VERSION", "MAX_CLASSES", "MAX_ARCHITECTURES", "MAX_IMAGES", "MAX_PRICE_USD", "MAX_EPOCHS",
    "MAX_RELATIVE_COMPLEXITY", "MAX_POINTS", "Task", "CostMode", "Precision", "IntervalMethod", "ClassInputs",
    "PilotPoint", "parse_fraction", "check_level", "check_tau", "check_pilot_points", "pilot_points_as_dicts",
    "counts_list",
]

JSON_SCHEMA_VERSION = 1
#: Every default input, with its source (catalog/defaults.toml).
DEFAULTS = catalog.defaults()
#: Bounds on list inputs, so one request cannot ask for unbounded work.
MAX_CLASSES = 100_000
MAX_ARCHITECTURES = 100
MAX_POINTS = 1_000
#: Largest accepted magnitudes: far beyond any real project, small enough that no result overflows.
MAX_IMAGES = 1e12
MAX_PRICE_USD = 1e6
MAX_EPOCHS = 1e5
MAX_RELATIVE_COMPLEXITY = 10.0

Task = Literal["classification", "segmentation"]
CostMode = Literal["paper", "flops", "measured"]
Precision = Literal["bf16", "fp16", "tf32", "fp32"]
IntervalMethod = Literal["conformal", "ols"]


def parse_fraction(value, name: str) -> float:
    """A fraction from 0.965, "0.965" or "96.5%". Raises InputError naming ``name``."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            raise InputError(name, f"{name} must be a fraction such as 0.965 or a percentage such as 96.5%; got {text!r}.") from None
    return checks.check_fraction(value, name)


def check_level(value) -> float:
    return checks.check_fraction(value, "interval_level")


def check_tau(value) -> float:
    """tau, the accuracy margin a next collection round aims above the target: a fraction in [0, 1)."""
    number = checks.check_non_negative(value, "tau")
    if number >= 1.0:
        hint = f" For {number:g} points of accuracy pass {number / 100:g}." if number < 100 else ""
        raise InputError("tau", f"tau must be a fraction of accuracy in [0, 1); got {value!r}.{hint}")
    return number


class PilotPoint(BaseModel):
    """One measured point of a pilot: the error after training on ``n_train`` images."""

    model_config = ConfigDict(extra="forbid")

    n_train: float = Field(description="Training images in the subset. [images]")
    error: float = Field(description="Validation error after training on it: 1 - accuracy (or 1 - mean IoU). [fraction]")


def pilot_points_as_dicts(value):
    """Accept (n_train, error) pairs as well as objects."""
    if isinstance(value, (list, tuple)):
        return [dict(zip(("n_train", "error"), item)) if isinstance(item, (list, tuple)) else item for item in value]
    return value


def check_pilot_points(points, name: str):
    """At least one point, at most MAX_POINTS, sizes > 0 and increasing, errors in (0, 1)."""
    if not points:
        raise InputError(name, f"{name} must list at least one (n_train, error) pair, e.g. 1000:0.25; got none.")
    if len(points) > MAX_POINTS:
        raise InputError(name, f"{name} must list at most {MAX_POINTS:,}; got {len(points):,}.")
    for index, point in enumerate(points):
        checks.check_positive(point.n_train, f"{name}[{index}].n_train")
        checks.check_fraction(point.error, f"{name}[{index}].error")
    for index in range(1, len(points)):
        if points[index].n_train <= points[index - 1].n_train:
            raise InputError(name, 
                f"{name} must have increasing sizes; {name}[{index}].n_train is {points[index].n_train:g} after "
                f"{points[index - 1].n_train:g}. List them from the smallest subset to the largest, one per size."
            )
    return points


def counts_list(counts: list[float] | dict[str, float] | None) -> list[float] | None:
    if counts is None:
        return None
    return list(counts.values()) if isinstance(counts, dict) else list(counts)


class ClassInputs(BaseModel):
    """The class inputs of relative complexity: the target's classes and the baseline's.

    Subclasses declare the fields they take (``classes``, ``class_counts``,
    ``baseline_classes``, ``baseline_class_counts``, ``relative_complexity``);
    :func:`dlcost.engine.complexity.relative_complexity_of` turns them into RC.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("class_counts", "baseline_class_counts", mode="after", check_fields=False)
    @classmethod
    def _counts(cls, value, info):
        if value is None:
            return value
        counts = list(value.values()) if isinstance(value, dict) else value
        if len(counts) > MAX_CLASSES:
            raise InputError(info.field_name, f"{info.field_name} must list at most {MAX_CLASSES:,} classes; got {len(counts):,}.")
        checks.check_class_counts(counts, info.field_name)
        return value

    @field_validator("classes", "baseline_classes", mode="after", check_fields=False)
    @classmethod
    def _classes(cls, value, info):
        if value is None:
            return None
        count = checks.check_whole_count(value, info.field_name, minimum=2)
        return checks.check_at_most(count, info.field_name, MAX_CLASSES)

    @field_validator("relative_complexity", mode="after", check_fields=False)
    @classmethod
    def _rc(cls, value):
        if value is None:
            return None
        return checks.check_at_most(checks.check_non_negative(value, "relative_complexity"), "relative_complexity",
                                    MAX_RELATIVE_COMPLEXITY)

    def _one_class_input(self, classes_field: str, counts_field: str, required: bool) -> None:
        given = [name for name in (classes_field, counts_field) if getattr(self, name, None) is not None]
        if len(given) == 2:
            raise InputError(counts_field, f"give either {classes_field} or {counts_field}, not both.")
        if required and not given:
            raise InputError(classes_field, f"give {classes_field} (a number of classes >= 2) or {counts_field} (examples per class).")

    def target_class_counts(self) -> list[float] | None:
        return counts_list(getattr(self, "class_counts", None))

    def baseline_counts(self) -> list[float] | None:
        return counts_list(getattr(self, "baseline_class_counts", None))
