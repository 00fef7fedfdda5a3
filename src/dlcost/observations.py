"""Observed project outcomes: validation, relative complexity, and CSV import.

An observation is one trained model: the dataset, the task, how many images it
was trained on, its classes, whether it was fine-tuned, and the accuracy (or
mean IoU) it reached. They calibrate and refit eq. (1) of seed 000.

CSV columns (``dlcost observation import``) are those of
``shared/data/transfer/vtab_calibration.csv``: ``dataset, task, n_train,
n_classes, pretrained, metric_name, metric_value`` are required; ``source,
architecture, epochs, class_counts (a;b;c), relative_complexity, gpu_hours,
cost_usd, observed_on, notes, balanced`` are optional, other columns are ignored.
A metric is read as percent when its name contains "%" or "percent".
``pretrained`` is yes/no (text after yes/no is ignored: "yes (ImageNet-1k)").
"""

from __future__ import annotations

import csv
import io
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dlcost.core import checks
from dlcost.models import describe_error

__all__ = ["Observation", "parse_observations_csv", "observation_relative_complexity"]


class Observation(BaseModel):
    """One observed outcome of training a vision model."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(min_length=1, max_length=300, description="Dataset or project name; validation groups by it.")
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

    @field_validator("n_train")
    @classmethod
    def _n_train(cls, value):
        return checks.check_positive(value, "n_train")

    @field_validator("n_classes")
    @classmethod
    def _n_classes(cls, value):
        return None if value is None else checks.check_whole_count(value, "n_classes", minimum=2)

    @field_validator("class_counts")
    @classmethod
    def _class_counts(cls, value):
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
            raise ValueError("give n_classes, class_counts or relative_complexity.")
        return self

    @property
    def error(self) -> float:
        """1 - accuracy, or 1 - mean IoU. [fraction]"""
        return 1.0 - self.metric_value


def observation_relative_complexity(observation: Observation, baseline_entropy_nats: float) -> float:
    """RC of an observation: given directly, else from its class counts or class count."""
    from dlcost.core.complexity import class_entropy, relative_complexity, uniform_class_entropy

    if observation.relative_complexity is not None:
        return observation.relative_complexity
    if observation.class_counts is not None:
        return relative_complexity(class_entropy(observation.class_counts), baseline_entropy_nats)
    return relative_complexity(uniform_class_entropy(observation.n_classes), baseline_entropy_nats)


_REQUIRED = ("dataset", "task", "n_train", "pretrained", "metric_name", "metric_value")
_OPTIONAL = ("n_classes", "class_counts", "relative_complexity", "source", "architecture", "epochs",
             "gpu_hours", "cost_usd", "observed_on", "notes")


def _yes_no(text: str, line: int) -> bool:
    word = text.strip().lower().split(" ", 1)[0].strip("(),;")
    if word in {"yes", "true", "1", "y"}:
        return True
    if word in {"no", "false", "0", "n"}:
        return False
    raise ValueError(f"line {line}: pretrained must be yes or no; got {text!r}.")


def _number(text: str, name: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"line {line}: {name} must be a number; got {text!r}.") from None


def parse_observations_csv(text: str) -> list[Observation]:
    """Observations from CSV text; the first bad row raises ``ValueError`` naming its line and field.

    Line numbers count the header as line 1, as an editor shows them.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in _REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"line 1: missing column(s) {', '.join(missing)}; required: {', '.join(_REQUIRED)}.")
    observations = []
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values()):
            continue
        record: dict = {key: (row.get(key) or "").strip() for key in (*_REQUIRED, *_OPTIONAL) if key in row}
        record = {key: value for key, value in record.items() if value != ""}
        for name in ("n_train", "metric_value", "relative_complexity", "epochs", "gpu_hours", "cost_usd"):
            if name in record:
                record[name] = _number(record[name], name, line)
        if "n_classes" in record:
            record["n_classes"] = _number(record["n_classes"], "n_classes", line)
        if "class_counts" in record:
            record["class_counts"] = [_number(part, "class_counts", line) for part in record["class_counts"].split(";")]
        if "pretrained" in record:
            record["pretrained"] = _yes_no(record["pretrained"], line)
        metric_name = record.get("metric_name", "").lower()
        if "metric_value" in record and ("%" in metric_name or "percent" in metric_name):
            record["metric_value"] = record["metric_value"] / 100.0
        try:
            observations.append(Observation.model_validate(record))
        except ValidationError as error:
            raise ValueError(f"line {line}: {describe_error(error.errors(include_url=False)[0])}") from None
    return observations
