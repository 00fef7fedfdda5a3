"""Validated inputs and outputs (pydantic v2), shared by the library, CLI and web API.

Field names are the CLI's option names in snake_case. Accuracy and error are
fractions in [0, 1]; a string such as ``"96.5%"`` is accepted for
``target_accuracy`` and read as 0.965. Money is in USD, data in images.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dlcost.core import checks

__all__ = [
    "Scenario",
    "ErrorQuery",
    "Recommendation",
    "Estimate",
    "ErrorPrediction",
    "describe_validation_error",
    "describe_error",
    "ordered_problems",
    "parse_fraction",
    "JSON_SCHEMA_VERSION",
]

JSON_SCHEMA_VERSION = 1
#: Bounds on list inputs, so one request cannot ask for unbounded work.
MAX_CLASSES = 100_000
MAX_ARCHITECTURES = 100
#: Largest accepted magnitudes: far beyond any real project, small enough that no result overflows.
MAX_IMAGES = 1e12
MAX_PRICE_USD = 1e6
MAX_EPOCHS = 1e5
MAX_RELATIVE_COMPLEXITY = 10.0


def _at_most(value, name: str, maximum: float):
    if value is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}; got {value!r}.")
    return value

Task = Literal["classification", "segmentation"]
CostMode = Literal["paper", "flops", "measured"]
Precision = Literal["bf16", "fp16", "tf32", "fp32"]
IntervalMethod = Literal["conformal", "ols"]


def _check_level(value):
    number = checks.check_fraction(value, "interval_level")
    return number


def parse_fraction(value, name: str) -> float:
    """A fraction from 0.965, "0.965" or "96.5%". Raises ValueError naming ``name``."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
        except ValueError:
            raise ValueError(f"{name} must be a fraction such as 0.965 or a percentage such as 96.5%; got {text!r}.") from None
    return checks.check_fraction(value, name)


MAX_POINTS = 1_000


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


def check_tau(value) -> float:
    """tau, the accuracy margin a next collection round aims above the target: a fraction in [0, 1)."""
    number = checks.check_non_negative(value, "tau")
    if number >= 1.0:
        hint = f" For {number:g} points of accuracy pass {number / 100:g}." if number < 100 else ""
        raise ValueError(f"tau must be a fraction of accuracy in [0, 1); got {value!r}.{hint}")
    return number


def check_pilot_points(points, name: str):
    """At least one point, at most MAX_POINTS, sizes > 0 and increasing, errors in (0, 1)."""
    if not points:
        raise ValueError(f"{name} must list at least one (n_train, error) pair, e.g. 1000:0.25; got none.")
    if len(points) > MAX_POINTS:
        raise ValueError(f"{name} must list at most {MAX_POINTS:,}; got {len(points):,}.")
    for index, point in enumerate(points):
        checks.check_positive(point.n_train, f"{name}[{index}].n_train")
        checks.check_fraction(point.error, f"{name}[{index}].error")
    for index in range(1, len(points)):
        if points[index].n_train <= points[index - 1].n_train:
            raise ValueError(
                f"{name} must have increasing sizes; {name}[{index}].n_train is {points[index].n_train:g} after "
                f"{points[index - 1].n_train:g}. List them from the smallest subset to the largest, one per size."
            )
    return points


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("class_counts", "baseline_class_counts", mode="after", check_fields=False)
    @classmethod
    def _counts(cls, value, info):
        if value is None:
            return value
        counts = list(value.values()) if isinstance(value, dict) else value
        if len(counts) > MAX_CLASSES:
            raise ValueError(f"{info.field_name} must list at most {MAX_CLASSES:,} classes; got {len(counts):,}.")
        checks.check_class_counts(counts, info.field_name)
        return value

    @field_validator("classes", "baseline_classes", mode="after", check_fields=False)
    @classmethod
    def _classes(cls, value, info):
        if value is None:
            return None
        count = checks.check_whole_count(value, info.field_name, minimum=2)
        if count > MAX_CLASSES:
            raise ValueError(f"{info.field_name} must be at most {MAX_CLASSES:,}; got {value!r}.")
        return count

    def _one_class_input(self, classes_field: str, counts_field: str, required: bool) -> None:
        given = [name for name in (classes_field, counts_field) if getattr(self, name) is not None]
        if len(given) == 2:
            raise ValueError(f"give either {classes_field} or {counts_field}, not both.")
        if required and not given:
            raise ValueError(f"give {classes_field} (a number of classes >= 2) or {counts_field} (examples per class).")


def _counts_list(counts: list[float] | dict[str, float] | None) -> list[float] | None:
    if counts is None:
        return None
    return list(counts.values()) if isinstance(counts, dict) else list(counts)


class Scenario(_Input):
    """A project to price: the inputs of Figure 2 in seed 000."""

    task: Task = Field("classification", description="classification (error = 1 - accuracy) or segmentation (error = 1 - mean IoU).")
    target_accuracy: float = Field(description="Accuracy (or mean IoU) to reach, a fraction in (0, 1).")
    data_present: float | None = Field(None, description="Labelled images already at hand; default: the sum of class_counts, else 0. [images]")
    data_max: float = Field(description="Most labelled images that could be had (the data limit). [images]")
    cost_per_datapoint: float = Field(description="Cost of labelling one more image. [USD]")
    classes: int | None = Field(None, description="Number of equally likely classes (>= 2).")
    class_counts: list[float] | dict[str, float] | None = Field(None, description="Examples per class, a list or a label-to-count object.")
    baseline_classes: int | None = Field(None, description="Baseline class count for relative complexity; default 1000 (ImageNet-1000).")
    baseline_class_counts: list[float] | dict[str, float] | None = Field(None, description="Baseline examples per class, instead of baseline_classes.")
    pretrained: bool = Field(True, description="Fine-tuned from a pretrained checkpoint (else trained from scratch).")
    architectures: list[str] | None = Field(None, description="Candidate architectures (catalog names or aliases); default: every default candidate.")
    cost_per_flop: float = Field(3e-11, description="Price of one FLOP in paper mode. [USD/FLOP]")
    epochs: float = Field(50, description="Passes over the training data.")
    top: int = Field(3, description="How many recommendations to return.")
    cost_mode: CostMode | None = Field(
        None,
        description="How training is priced: paper = eq. (4) of seed 000; flops = counted FLOPs at a measured "
        "utilization; measured = measured images/s. Default: measured where a measurement exists, else flops.",
    )
    gpu: str = Field("H100", description="Accelerator: a hardware catalog name or alias (`dlcost hardware`).")
    gpus: int = Field(1, description="GPUs training in parallel.")
    precision: Precision = Field("bf16", description="Training precision (bf16/fp16 mixed precision, tf32 or fp32).")
    utilization: float | None = Field(None, description="Fraction of peak FLOP/s reached in flops mode; default: measured (docs/utilization.md).")
    runs: float = Field(1, description="Training runs, hyper-parameter search included; multiplies compute.")
    scaling_efficiency: float = Field(0.9, description="Multi-GPU scaling efficiency, used when gpus > 1.")
    price_per_hour: float | None = Field(None, description="USD per GPU-hour; default: the catalog's median on-demand price.")
    provider: str | None = Field(None, description="Cloud provider whose cheapest listed instance sets price and CPU cores.")
    country: str | None = Field(None, description="ISO 3166 alpha-3 code for grid carbon intensity.")
    region: str | None = Field(None, description="PROVIDER:REGION (e.g. aws:us-east-1) for grid carbon intensity and PUE.")
    pue: float | None = Field(None, description="Power usage effectiveness; default: the region's, else 1.58.")
    power_w: float | None = Field(None, description="Average power draw per GPU in watts; default: TDP.")
    price_per_kwh: float | None = Field(None, description="USD per kWh: adds electricity cost (for owned hardware).")
    loader_cores: float | None = Field(
        None, description="CPU cores decoding images per GPU; default: the instance's vCPUs per GPU; 0 = no loader bound."
    )
    interval_level: float = Field(0.8, description="Central probability of the reported intervals.")
    interval_method: IntervalMethod = Field(
        "conformal", description="conformal (calibrated on observed outcomes) or ols (a fitted model's prediction interval)."
    )
    pilot_points: list[PilotPoint] | None = Field(
        None, description="Measured (n_train, error) points of a pilot: when given, its learning curve sizes the data."
    )
    tau: float = Field(0.01, description="With a pilot: aim this much accuracy above the target for the next round. [fraction]")

    @field_validator("pilot_points", mode="before")
    @classmethod
    def _pairs(cls, value):
        return pilot_points_as_dicts(value)

    @field_validator("pilot_points")
    @classmethod
    def _pilot(cls, points):
        return None if points is None else check_pilot_points(points, "pilot_points")

    @field_validator("tau")
    @classmethod
    def _tau(cls, value):
        return check_tau(value)

    @field_validator("interval_level")
    @classmethod
    def _level(cls, value):
        return _check_level(value)

    @field_validator("utilization", "scaling_efficiency")
    @classmethod
    def _share(cls, value, info):
        if value is None:
            return value
        number = checks.check_positive(value, info.field_name)
        if not 0.001 <= number <= 1:
            raise ValueError(f"{info.field_name} must be a fraction in [0.001, 1]; got {value!r}.")
        return number

    @field_validator("runs", "price_per_hour", "power_w", "price_per_kwh")
    @classmethod
    def _positive_optional(cls, value, info):
        limits = {"runs": MAX_EPOCHS, "price_per_hour": MAX_PRICE_USD, "power_w": 1e6, "price_per_kwh": MAX_PRICE_USD}
        return None if value is None else _at_most(checks.check_positive(value, info.field_name), info.field_name, limits[info.field_name])

    @field_validator("gpus")
    @classmethod
    def _gpus(cls, value):
        return _at_most(checks.check_whole_count(value, "gpus", minimum=1), "gpus", 100_000)

    @field_validator("pue")
    @classmethod
    def _pue(cls, value):
        if value is not None and checks.check_positive(value, "pue") < 1.0:
            raise ValueError(f"pue must be 1 or more (facility energy / IT energy); got {value!r}.")
        return value

    @field_validator("loader_cores")
    @classmethod
    def _cores(cls, value):
        if value is None:
            return None
        cores = checks.check_non_negative(value, "loader_cores")
        if 0 < cores < 0.1 or cores > 100_000:
            raise ValueError(f"loader_cores must be 0 (no loader bound) or from 0.1 to 100000; got {value!r}.")
        return cores

    @field_validator("target_accuracy", mode="before")
    @classmethod
    def _target(cls, value):
        return parse_fraction(value, "target_accuracy")

    @field_validator("data_max", "cost_per_datapoint", "cost_per_flop", "epochs")
    @classmethod
    def _positive(cls, value, info):
        limits = {"data_max": MAX_IMAGES, "cost_per_datapoint": MAX_PRICE_USD, "cost_per_flop": 1.0, "epochs": MAX_EPOCHS}
        return _at_most(checks.check_positive(value, info.field_name), info.field_name, limits[info.field_name])

    @field_validator("data_present")
    @classmethod
    def _present(cls, value):
        return None if value is None else _at_most(checks.check_non_negative(value, "data_present"), "data_present", MAX_IMAGES)

    @field_validator("top")
    @classmethod
    def _top(cls, value):
        return checks.check_whole_count(value, "top", minimum=1)

    @field_validator("architectures")
    @classmethod
    def _architectures(cls, value):
        if value is not None and not value:
            raise ValueError("architectures must name at least one architecture, or be left out for the whole catalog.")
        if value is not None and len(value) > MAX_ARCHITECTURES:
            raise ValueError(f"architectures must name at most {MAX_ARCHITECTURES}; got {len(value)}.")
        return value

    @model_validator(mode="after")
    def _consistent(self):
        self._one_class_input("classes", "class_counts", required=True)
        self._one_class_input("baseline_classes", "baseline_class_counts", required=False)
        if self.country is not None and self.region is not None:
            raise ValueError("give either country or region for the grid's carbon intensity, not both.")
        if self.data_present is None:
            self.data_present = float(sum(_counts_list(self.class_counts) or [0.0]))
        if self.data_max < self.data_present:
            raise ValueError(
                f"data_max must be at least data_present ({self.data_present:g}); got {self.data_max:g}."
            )
        return self

    def target_class_counts(self) -> list[float] | None:
        return _counts_list(self.class_counts)

    def baseline_counts(self) -> list[float] | None:
        return _counts_list(self.baseline_class_counts)


class ErrorQuery(_Input):
    """Inputs of eq. (1): predict the error after training on ``data`` images."""

    data: float = Field(description="Training images. [images]")
    relative_complexity: float | None = Field(None, description="RC directly, instead of classes or class_counts.")
    classes: int | None = None
    class_counts: list[float] | dict[str, float] | None = None
    baseline_classes: int | None = None
    baseline_class_counts: list[float] | dict[str, float] | None = None
    pretrained: bool = True
    task: Task = "classification"
    interval_level: float = Field(0.8, description="Central probability of the error interval.")
    interval_method: IntervalMethod = "conformal"

    @field_validator("interval_level")
    @classmethod
    def _level(cls, value):
        return _check_level(value)

    @field_validator("data")
    @classmethod
    def _data(cls, value):
        return _at_most(checks.check_positive(value, "data"), "data", MAX_IMAGES)

    @field_validator("relative_complexity")
    @classmethod
    def _rc(cls, value):
        if value is None:
            return None
        return _at_most(checks.check_non_negative(value, "relative_complexity"), "relative_complexity", MAX_RELATIVE_COMPLEXITY)

    @model_validator(mode="after")
    def _consistent(self):
        given = [n for n in ("relative_complexity", "classes", "class_counts") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of relative_complexity, classes or class_counts" + (f"; got {', '.join(given)}." if given else "."))
        self._one_class_input("baseline_classes", "baseline_class_counts", required=False)
        return self

    def target_class_counts(self) -> list[float] | None:
        return _counts_list(self.class_counts)

    def baseline_counts(self) -> list[float] | None:
        return _counts_list(self.baseline_class_counts)


class Recommendation(BaseModel):
    """One ranked architecture with every output of Figure 2 (seed 000)."""

    rank: int
    architecture: str
    cost_mode: str
    n_parameters: int = Field(description="Trainable parameters.")
    max_achievable_accuracy: float = Field(description="Accuracy reached: the target if feasible, else the best within data_max. [fraction]")
    data_needed: float | None = Field(description="Images needed for the target, eq. (1) inverted (or the pilot's curve); may exceed data_max; null when unreachable at any size. [images]")
    data_needed_low: float = Field(description="Lower bound of data_needed at the interval level (at least 1). [images]")
    data_needed_high: float | None = Field(description="Upper bound of data_needed; null when unbounded (too few calibration datasets for the level). [images]")
    training_images: float = Field(description="Images per epoch actually trained on: min(data_needed, data_max). [images]")
    additional_data: float = Field(description="Images still to collect: max(0, training_images - data_present). [images]")
    training_flops: float = Field(description="3 x forward FLOPs x images x epochs, eq. (4). [FLOP]")
    training_cost: float = Field(description="Eq. (4). [USD]")
    data_cost: float = Field(description="Eq. (5). [USD]")
    total_cost: float = Field(description="Eq. (3). [USD]")
    total_cost_low: float = Field(description="Total cost at data_needed_low (capped at data_max). [USD]")
    total_cost_high: float | None = Field(description="Total cost at data_needed_high (capped at data_max); null when unbounded. [USD]")
    feasible: bool = Field(description="The target is reachable within data_max.")
    gpu: str = Field(description="Accelerator the compute figures are for.")
    throughput_source: str = Field(description="measured, extrapolated (scaled from another GPU) or flops.")
    images_per_s: float = Field(description="Training images/s per GPU after the loader bound. [images/s]")
    bound: str = Field(description="gpu or loader: what limits images/s.")
    gpu_hours: float = Field(description="GPU-hours billed, all runs. [GPU-h]")
    wall_clock_hours: float = Field(description="Elapsed time on `gpus` GPUs. [h]")
    compute_cost: float | None = Field(description="GPU-hours x $/GPU-hour. [USD]")
    energy_kwh: float = Field(description="GPU-hours x power x PUE. [kWh]")
    co2_kg: float = Field(description="Energy x grid intensity. [kg CO2eq]")
    electricity_cost: float | None = Field(description="Energy x price per kWh, when given. [USD]")


class Estimate(BaseModel):
    """The answer to a Scenario: relative complexity, data need and ranked recommendations."""

    schema_version: int = JSON_SCHEMA_VERSION
    model: str = Field(description="Coefficient set of eq. (1) that produced the estimate.")
    cost_mode: str
    inputs: Scenario
    relative_complexity: float
    target_error: float = Field(description="1 - target_accuracy. [fraction]")
    data_needed: float | None = Field(description="Images needed for the target; null when no data size reaches it (a pilot's floor). [images]")
    data_need_source: str = Field("eq. (1)", description="What sized the data: eq. (1) with the model, or a pilot's learning curve.")
    target_reachable: bool
    max_achievable_accuracy: float = Field(description="Best accuracy within data_max, capped at the target. [fraction]")
    predicted_error: float = Field(description="Error eq. (1) predicts at the images trained on. [fraction]")
    predicted_error_low: float = Field(description="Lower bound of predicted_error at the interval level. [fraction]")
    predicted_error_high: float = Field(description="Upper bound of predicted_error at the interval level. [fraction]")
    interval: dict = Field(description="The intervals' level, method and calibration set (stated once).")
    pilot: dict | None = Field(None, description="The pilot learning curve that sized the data (estimate --pilot), or null.")
    hardware: dict = Field(description="Resolved hardware inputs: GPU, price and its source, loader, power, PUE, grid.")
    recommendations: list[Recommendation]
    warnings: list[str]

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")


class ErrorPrediction(BaseModel):
    """Eq. (1) evaluated for one data size."""

    schema_version: int = JSON_SCHEMA_VERSION
    model: str
    data: float
    relative_complexity: float
    pretrained: bool
    task: Task
    error: float = Field(description="Predicted error. [fraction]")
    error_low: float = Field(description="Lower bound of the error at the interval level. [fraction]")
    error_high: float = Field(description="Upper bound of the error at the interval level. [fraction]")
    accuracy: float = Field(description="1 - error (accuracy or mean IoU). [fraction]")
    interval: dict = Field(description="The interval's level, method and calibration set.")
    warnings: list[str]

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")


_TYPE_WORDS = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "string_type": "a string",
}


def describe_error(problem: dict) -> str:
    """One line for one entry of ``ValidationError.errors()``, naming the field."""
    location = [part for part in problem["loc"] if part != "body"]
    field = (str(location[0]) if location else "input") + "".join(
        f"[{part}]" for part in location[1:] if isinstance(part, int)
    )
    kind = problem["type"]
    if kind == "json_invalid":
        return f"request body must be valid JSON ({problem.get('ctx', {}).get('error', problem['msg'])})."
    if kind == "value_error":
        return str(problem["ctx"]["error"])
    if kind == "missing":
        return f"{field} is required."
    if kind == "extra_forbidden":
        return f"{field} is not an input this command knows; check its spelling."
    if kind == "literal_error":
        return f"{field} must be one of {problem['ctx']['expected']}; got {problem['input']!r}."
    if kind in _TYPE_WORDS:
        return f"{field} must be {_TYPE_WORDS[kind]}; got {problem['input']!r}."
    return f"{field}: {problem['msg']}; got {problem.get('input')!r}."


def ordered_problems(error: ValidationError) -> list[dict]:
    """The problems of a ``ValidationError``, unknown keys first and missing ones last.

    A misspelt key explains a "missing" one, so it is reported first.
    """
    problems = error.errors(include_url=False)
    return sorted(problems, key=lambda p: {"extra_forbidden": 0, "missing": 2}.get(p["type"], 1))


def describe_validation_error(error: ValidationError) -> str:
    """One line for the first problem in a pydantic ``ValidationError``, naming the field."""
    return describe_error(ordered_problems(error)[0])
