"""An observed project outcome: one trained model and the accuracy it reached.

An observation records the dataset, the task, how many images the model was
trained on, its classes, whether it was fine-tuned, and the accuracy (or mean
IoU, or mAP) reached, and optionally the dataset distance of seed 000 (tested as a
covariate by ``dlcost model fit``). Observations calibrate the intervals and refit eq. (1)
of seed 000 (which has terms for classification and segmentation only: detection
observations are stored, listed and exported, and left out of fits and calibrations).
The bounds here are the store's columns, so every interface rejects what the
database could not hold, with the same message.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._fast import columns_check
from dlcost.schemas._common import (
    CLASS_COUNTS, FRACTION, MAX_CLASSES, MAX_EPOCHS, MAX_IMAGES, MAX_RELATIVE_COMPLEXITY, Inputs, stated, stated_rules,
)

__all__ = ["Observation", "TEXT_LIMITS", "MAX_DATASET_DISTANCE", "validated_columns"]

#: Longest text each field may hold (the store's column sizes). [characters]
TEXT_LIMITS = {"dataset": 300, "architecture": 200, "metric_name": 100, "observed_on": 40, "source": 20_000, "notes": 20_000}
#: A character that is not blank (ASCII whitespace): the rule for a dataset name, in the schema and the check.
_NOT_BLANK = r"[^ \t\n\r\f\v]"
#: Largest dataset distance accepted. The paper's measure has no maximum, but the 1-D Wasserstein distance of two
#: mean Inception-V3 embeddings is at most the range of their values (a few units); 1e6 is far beyond any real
#: one and small enough that no fit overflows. [embedding units]
MAX_DATASET_DISTANCE = 1e6


def _text(name: str):
    """json_schema_extra of a text field: its length limit, no NUL, and for the dataset a non-blank name."""
    rules = {"maxLength": TEXT_LIMITS[name], "not": {"pattern": "\\x00"}}
    return stated(text=rules | ({"pattern": _NOT_BLANK} if name == "dataset" else {}))


class Observation(Inputs):
    """One observed outcome of training a vision model."""

    model_config = ConfigDict(json_schema_extra=stated_rules(at_least_one=[("n_classes", "class_counts", "relative_complexity")]))

    dataset: str = Field(description="Dataset or project name; validation groups by it.", json_schema_extra=_text("dataset"))
    task: Literal["classification", "segmentation", "detection"] = Field(
        description="classification (accuracy), segmentation (mean IoU or Dice) or detection (box or mask mAP); "
                    "eq. (1) has no detection term, so fits and interval calibrations leave detection out.")
    n_train: float = Field(description="Training images. [images]", json_schema_extra=stated({"exclusiveMinimum": 0, "maximum": MAX_IMAGES}))
    n_classes: int | None = Field(None, description="Number of classes (uniform when class_counts is absent).",
                                  json_schema_extra=stated({"minimum": 2, "maximum": MAX_CLASSES}))
    class_counts: list[float] | None = Field(None, description="Examples per class.", json_schema_extra=CLASS_COUNTS)
    relative_complexity: float | None = Field(None, description="RC directly, when the classes are not known.",
                                              json_schema_extra=stated({"minimum": 0, "maximum": MAX_RELATIVE_COMPLEXITY}))
    pretrained: bool
    architecture: str | None = Field(None, json_schema_extra=_text("architecture"))
    epochs: float | None = Field(None, json_schema_extra=stated({"exclusiveMinimum": 0, "maximum": MAX_EPOCHS}))
    metric_name: str = Field("accuracy", json_schema_extra=_text("metric_name"))
    metric_value: float = Field(description="Accuracy or mean IoU reached, a fraction in (0, 1).", json_schema_extra=stated(FRACTION))
    gpu_hours: float | None = Field(None, json_schema_extra=stated({"exclusiveMinimum": 0}))
    cost_usd: float | None = Field(None, json_schema_extra=stated({"exclusiveMinimum": 0}))
    source: str = Field("", json_schema_extra=_text("source"))
    observed_on: str | None = Field(None, json_schema_extra=_text("observed_on"))
    notes: str = Field("", json_schema_extra=_text("notes"))
    dataset_distance: float | None = Field(
        None, description="Seed 000's dataset distance of this dataset from the pre-training data (`dlcost distance`: "
                          "Wasserstein distance of the mean Inception-V3 embeddings; 0 = identical); `dlcost model fit` "
                          "tests it as a covariate. [embedding units]",
        json_schema_extra=stated({"minimum": 0, "maximum": MAX_DATASET_DISTANCE}))

    @field_validator("dataset", "architecture", "metric_name", "source", "observed_on", "notes")
    @classmethod
    def _text(cls, value, info):
        name = info.field_name
        if value is None:
            return None
        if name == "dataset" and not re.search(_NOT_BLANK, value):
            raise InputError(name, "dataset must be 1 to 300 characters; got an empty name.")
        if len(value) > TEXT_LIMITS[name]:
            raise InputError(name, f"{name} must be at most {TEXT_LIMITS[name]} characters; got {len(value)}.")
        if "\x00" in value:
            raise InputError(name, f"{name} must not contain NUL characters.")
        return value

    @field_validator("n_train")
    @classmethod
    def _n_train(cls, value):
        return checks.check_at_most(checks.check_positive(value, "n_train"), "n_train", MAX_IMAGES)

    @field_validator("n_classes")
    @classmethod
    def _n_classes(cls, value):
        return None if value is None else checks.check_at_most(checks.check_whole_count(value, "n_classes", minimum=2),
                                                               "n_classes", MAX_CLASSES)

    @field_validator("class_counts")
    @classmethod
    def _class_counts(cls, value):
        if value is not None and len(value) > MAX_CLASSES:
            raise InputError("class_counts", f"class_counts must list at most {MAX_CLASSES:,} classes; got {len(value):,}.")
        return None if value is None else checks.check_class_counts(value, "class_counts", maximum=MAX_IMAGES)

    @field_validator("relative_complexity")
    @classmethod
    def _rc(cls, value):
        if value is None:
            return None
        return checks.check_at_most(checks.check_non_negative(value, "relative_complexity"), "relative_complexity",
                                    MAX_RELATIVE_COMPLEXITY)

    @field_validator("metric_value")
    @classmethod
    def _metric(cls, value):
        return checks.check_fraction(value, "metric_value")

    @field_validator("dataset_distance")
    @classmethod
    def _distance(cls, value):
        if value is None:
            return None
        return checks.check_at_most(checks.check_non_negative(value, "dataset_distance"), "dataset_distance",
                                    MAX_DATASET_DISTANCE)

    @field_validator("epochs", "gpu_hours", "cost_usd")
    @classmethod
    def _optional_positive(cls, value, info):
        if value is None:
            return None
        number = checks.check_positive(value, info.field_name)
        return checks.check_at_most(number, "epochs", MAX_EPOCHS) if info.field_name == "epochs" else number

    @model_validator(mode="after")
    def _has_classes(self):
        if self.n_classes is None and self.class_counts is None and self.relative_complexity is None:
            raise InputError("n_classes", "give n_classes, class_counts or relative_complexity.")
        return self

    @property
    def error(self) -> float:
        """1 - accuracy, or 1 - mean IoU. [fraction]"""
        return 1.0 - self.metric_value


_CHECK: list = []  # the compiled table check, made on first use (it reads the JSON Schema)


def validated_columns(columns: dict, count: int) -> list[dict] | None:
    """The records (``Observation.model_dump()`` dicts) of a table given by columns (None: no value)
    when every row is plainly valid, else None.

    Bulk imports try this on a chunk first (see :mod:`dlcost.schemas._fast`); None sends them
    row by row through the model, which names the first bad row's field.
    """
    if not _CHECK:
        defaults = {name: field.get_default(call_default_factory=True)
                    for name, field in Observation.model_fields.items() if not field.is_required()}
        _CHECK.append(columns_check(Observation.model_json_schema(), defaults))
    return _CHECK[0](columns, count)
