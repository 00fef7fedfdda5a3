"""An observed project outcome: one trained model and the accuracy it reached.

An observation records the dataset, the task, how many images the model was
trained on, its classes, whether it was fine-tuned, and the accuracy (or mean
IoU) reached. Observations calibrate the intervals and refit eq. (1) of seed 000.
The bounds here are the store's columns, so every interface rejects what the
database could not hold, with the same message.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._common import MAX_CLASSES

__all__ = ["Observation", "TEXT_LIMITS"]

#: Longest text each field may hold (the store's column sizes). [characters]
TEXT_LIMITS = {"dataset": 300, "architecture": 200, "metric_name": 100, "observed_on": 40, "source": 20_000, "notes": 20_000}


class Observation(BaseModel):
    """One observed outcome of training a vision model."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(description="Dataset or project name; validation groups by it.")
    task: Literal["classification", "segmentation"]
    n_train: float = Field(description="Training images. [images]")
    n_classes: int | None = Field(None, description="Number of classes (uniform when class_counts is absent).")
    class_counts: list[float] | None = Field(None, description="Examples per class.")
    relative_complexity: float | None = Field(None, description="RC directly, when the classes are not known.")
    pretrained: bool
    architecture: str | None = None
    epochs: float | None = None
    metric_name: str = "accuracy"
    metric_value: float = Field(description="Accuracy or mean IoU reached, a fraction in (0, 1).")
    gpu_hours: float | None = None
    cost_usd: float | None = None
    source: str = ""
    observed_on: str | None = None
    notes: str = ""

    @field_validator("dataset", "architecture", "metric_name", "source", "observed_on", "notes")
    @classmethod
    def _text(cls, value, info):
        name = info.field_name
        if value is None:
            return None
        if name == "dataset" and not value.strip():
            raise InputError(name, "dataset must be 1 to 300 characters; got an empty name.")
        if len(value) > TEXT_LIMITS[name]:
            raise InputError(name, f"{name} must be at most {TEXT_LIMITS[name]} characters; got {len(value)}.")
        if "\x00" in value:
            raise InputError(name, f"{name} must not contain NUL characters.")
        return value

    @field_validator("n_train")
    @classmethod
    def _n_train(cls, value):
        return checks.check_positive(value, "n_train")

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
        return None if value is None else checks.check_class_counts(value, "class_counts")

    @field_validator("relative_complexity")
    @classmethod
    def _rc(cls, value):
        return None if value is None else checks.check_non_negative(value, "relative_complexity")

    @field_validator("metric_value")
    @classmethod
    def _metric(cls, value):
        return checks.check_fraction(value, "metric_value")

    @field_validator("epochs", "gpu_hours", "cost_usd")
    @classmethod
    def _optional_positive(cls, value, info):
        return None if value is None else checks.check_positive(value, info.field_name)

    @model_validator(mode="after")
    def _has_classes(self):
        if self.n_classes is None and self.class_counts is None and self.relative_complexity is None:
            raise InputError("n_classes", "give n_classes, class_counts or relative_complexity.")
        return self

    @property
    def error(self) -> float:
        """1 - accuracy, or 1 - mean IoU. [fraction]"""
        return 1.0 - self.metric_value
