"""Pieces every input schema shares: bounds, the fraction parser, class inputs, pilot points.

Every bound a validator enforces is also stated in the JSON schema (:func:`stated`), so
``/openapi.json`` and generated clients see the same ranges; the validators keep the
one-line messages.
"""

from __future__ import annotations

import types
from numbers import Real
from typing import Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dlcost import catalog
from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.core.complexity import MAX_RELATIVE_COMPLEXITY

__all__ = [
    "DEFAULTS", "JSON_SCHEMA_VERSION", "MAX_CLASSES", "MAX_ARCHITECTURES", "MAX_IMAGES", "MAX_PRICE_USD", "MAX_EPOCHS",
    "MAX_RELATIVE_COMPLEXITY", "MAX_POINTS", "MAX_NAME", "MIN_POINT_ERROR", "Task", "CostMode", "Precision", "InferencePrecision", "Stack", "Decode",
    "MAX_BATCH_SIZE", "MAX_PRUNING", "MAX_QUANTIZATION_SPEEDUP", "check_serving_factors",
    "IntervalMethod", "Inputs", "ClassInputs", "PilotPoint", "parse_fraction", "check_level", "check_tau",
    "check_pilot_points", "check_name", "pilot_points_as_dicts", "counts_list", "stated", "stated_rules", "FRACTION",
    "CLASS_COUNTS",
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
#: Smallest error a pilot point can measure: one wrong in MAX_IMAGES validation images. [fraction]
MIN_POINT_ERROR = 1e-12
#: Longest name (GPU, provider, region, architecture) an input may give. [characters]
MAX_NAME = 200

Task = Literal["classification", "segmentation"]
CostMode = Literal["paper", "flops", "measured"]
Precision = Literal["bf16", "fp16", "tf32", "fp32"]
InferencePrecision = Literal["bf16", "fp16", "tf32", "fp32", "int8"]
Stack = Literal["typical", "tuned", "research"]
Decode = Literal["cpu", "gpu"]
#: Largest inference batch an input may ask for. [images]
MAX_BATCH_SIZE = 1_000_000
#: Largest share of a network structured pruning may remove. [fraction]
MAX_PRUNING = 0.95
#: Largest int8 speedup over 16-bit a user may state. [x]
MAX_QUANTIZATION_SPEEDUP = 16.0
IntervalMethod = Literal["conformal", "ols"]


def stated(number: dict | None = None, *, items: dict | None = None, array: dict | None = None,
           mapping: dict | None = None, text: dict | None = None):
    """``json_schema_extra`` stating in the JSON schema the bounds a field's validators enforce.

    Each dict holds JSON Schema keywords for one branch of the field's schema: ``number``
    for a number (or integer), ``array`` for a list and ``mapping`` for an object (their
    sizes), ``items`` for what a list or an object holds, ``text`` for a string. Only the
    schema changes: pydantic's own constraints would fire before the validators and
    change their messages.
    """

    def extra(schema: dict) -> None:
        for branch in schema.get("anyOf", [schema]):
            kind = branch.get("type")
            if kind in ("number", "integer") and number:
                branch.update(number)
            elif kind == "array":
                branch.update(array or {})
                if items and "type" in branch.get("items", {}):
                    branch["items"].update(items)
            elif kind == "object":
                branch.update(mapping or {})
                if items and isinstance(branch.get("additionalProperties"), dict):
                    branch["additionalProperties"].update(items)
            elif kind == "string" and text:
                branch.update(text)

    return extra


def _given(name: str) -> dict:
    return {"properties": {name: {"not": {"type": "null"}}}, "required": [name]}


def stated_rules(*, exactly_one: tuple = (), at_most_one: tuple = (), at_least_one: tuple = ()) -> dict:
    """Model ``json_schema_extra`` stating which inputs exclude or need each other: each tuple a group of field names.

    ``exactly_one`` groups need one input given (not null), ``at_most_one`` groups allow
    none, ``at_least_one`` groups allow several. Rules between values (data_max >=
    data_present, increasing pilot sizes) have no JSON Schema form: the validators alone
    enforce them.
    """
    rules = [{"oneOf": [_given(name) for name in group]} for group in exactly_one]
    rules += [{"anyOf": [_given(name) for name in group]} for group in at_least_one]
    rules += [{"not": {"anyOf": [{"allOf": [_given(a), _given(b)]} for i, a in enumerate(group) for b in group[i + 1:]]}}
              for group in at_most_one]
    return {"allOf": rules}


#: A fraction strictly between 0 and 1, as the schema states it.
FRACTION = {"exclusiveMinimum": 0, "exclusiveMaximum": 1}
#: Class counts, as the schema states them: 2 to MAX_CLASSES counts, each in (0, MAX_IMAGES].
CLASS_COUNTS = stated(items={"exclusiveMinimum": 0, "maximum": MAX_IMAGES}, array={"minItems": 2, "maxItems": MAX_CLASSES},
                      mapping={"minProperties": 2, "maxProperties": MAX_CLASSES})


def _number_shape(annotation) -> str | None:
    """"number" for an int or float field, "items" for a list or mapping of them, "bool" for a flag, else None."""
    union = get_origin(annotation) in (Union, types.UnionType)
    for kind in get_args(annotation) if union else (annotation,):
        if kind is bool:
            return "bool"
        if kind in (int, float):
            return "number"
        if get_origin(kind) in (list, dict) and get_args(kind)[-1] in (int, float):
            return "items"
    return None


class Inputs(BaseModel):
    """An input schema: unknown keys refused; no boolean taken for a number, nor a number for a flag.

    pydantic would read ``true`` as 1 (and 0 as false), and fail on an integer of hundreds
    of digits with an ``OverflowError``; this check, before conversion, names the field
    instead. Text passes on: links and CSV files give ``"0.63"`` and ``"true"``.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers(cls, value, info):
        name = info.field_name
        shape = _number_shape(cls.model_fields[name].annotation)
        if shape == "number":
            checks.check_number_input(value, name)
        elif shape == "bool" and isinstance(value, Real) and not isinstance(value, bool):
            raise InputError(name, f"{name} must be true or false; got {checks.shown(value)}.")
        elif shape == "items" and isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                checks.check_number_input(item, f"{name}[{index}]")
        elif shape == "items" and isinstance(value, dict):
            for key, item in value.items():
                checks.check_number_input(item, f"{name}[{key!r}]")
        return value


def check_name(value, name: str, what: str):
    """Return ``value`` (None passes) if it is a name: not empty, at most MAX_NAME characters."""
    if value is None:
        return None
    if not value:
        raise InputError(name, f"{name} must name {what}; got {value!r}. Leave it out for the default.")
    if len(value) > MAX_NAME:
        raise InputError(name, f"{name} must be at most {MAX_NAME} characters; got {len(value):,}.")
    return value


def parse_fraction(value, name: str) -> float:
    """A fraction from 0.965, "0.965" or "96.5%". Raises InputError naming ``name``."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            raise InputError(name, f"{name} must be a fraction such as 0.965 or a percentage such as 96.5%; got {text!r}.") from None
    return checks.check_fraction(value, name)


def check_serving_factors(value, name: str):
    """``pruning`` in [0, MAX_PRUNING], or ``quantization_speedup`` (None passes) in [1, MAX_QUANTIZATION_SPEEDUP]."""
    if name == "pruning":
        return checks.check_at_most(checks.check_non_negative(value, name), name, MAX_PRUNING)
    if value is None:
        return None
    if checks.check_positive(value, name) < 1:
        raise InputError(name, f"{name} must be from 1 to {MAX_QUANTIZATION_SPEEDUP:g}; got {value!r}.")
    return checks.check_at_most(value, name, MAX_QUANTIZATION_SPEEDUP)


def check_level(value) -> float:
    return checks.check_fraction(value, "interval_level")


def check_tau(value) -> float:
    """tau, the accuracy margin a next collection round aims above the target: a fraction in [0, 1)."""
    number = checks.check_non_negative(value, "tau")
    if number >= 1.0:
        hint = f" For {number:g} points of accuracy pass {number / 100:g}." if number < 100 else ""
        raise InputError("tau", f"tau must be a fraction of accuracy in [0, 1); got {value!r}.{hint}")
    return number


class PilotPoint(Inputs):
    """One measured point of a pilot: the error after training on ``n_train`` images."""

    n_train: float = Field(description="Training images in the subset. [images]",
                           json_schema_extra=stated({"minimum": 1, "maximum": MAX_IMAGES}))
    error: float = Field(description="Validation error after training on it: 1 - accuracy (or 1 - mean IoU). [fraction]",
                         json_schema_extra=stated({"minimum": MIN_POINT_ERROR, "exclusiveMaximum": 1}))


def pilot_points_as_dicts(value):
    """Accept (n_train, error) pairs as well as objects."""
    if isinstance(value, (list, tuple)):
        return [dict(zip(("n_train", "error"), item)) if isinstance(item, (list, tuple)) else item for item in value]
    return value


def check_pilot_points(points, name: str):
    """At least one point, at most MAX_POINTS, sizes from 1 to MAX_IMAGES and increasing, errors in [MIN_POINT_ERROR, 1)."""
    if not points:
        raise InputError(name, f"{name} must list at least one (n_train, error) pair, e.g. 1000:0.25; got none.")
    if len(points) > MAX_POINTS:
        raise InputError(name, f"{name} must list at most {MAX_POINTS:,}; got {len(points):,}.")
    for index, point in enumerate(points):
        size = f"{name}[{index}].n_train"
        if checks.check_at_most(checks.check_positive(point.n_train, size), size, MAX_IMAGES) < 1:
            raise InputError(name, f"{size} must be at least 1 (a subset of whole images); got {point.n_train!r}.")
        if checks.check_fraction(point.error, f"{name}[{index}].error") < MIN_POINT_ERROR:
            raise InputError(name, f"{name}[{index}].error must be at least {MIN_POINT_ERROR:g} (one wrong in "
                                   f"{MAX_IMAGES:g} validation images); got {point.error!r}.")
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


class ClassInputs(Inputs):
    """The class inputs of relative complexity: the target's classes and the baseline's.

    Subclasses declare the fields they take (``classes``, ``class_counts``,
    ``baseline_classes``, ``baseline_class_counts``, ``relative_complexity``);
    :func:`dlcost.engine.complexity.relative_complexity_of` turns them into RC.
    """

    @field_validator("class_counts", "baseline_class_counts", mode="after", check_fields=False)
    @classmethod
    def _counts(cls, value, info):
        if value is None:
            return value
        counts = list(value.values()) if isinstance(value, dict) else value
        if len(counts) > MAX_CLASSES:
            raise InputError(info.field_name, f"{info.field_name} must list at most {MAX_CLASSES:,} classes; got {len(counts):,}.")
        checks.check_class_counts(counts, info.field_name, maximum=MAX_IMAGES)
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
