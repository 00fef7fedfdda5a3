"""The inputs of an estimate (a Scenario) and of eq. (1) alone (an ErrorQuery).

Field names are the CLI's option names in snake_case; defaults come from
``catalog/defaults.toml``. Accuracy and error are fractions in [0, 1]; a string
such as ``"96.5%"`` is accepted for ``target_accuracy`` and read as 0.965. Money
is in USD, data in images.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._common import (
    DEFAULTS, MAX_ARCHITECTURES, MAX_EPOCHS, MAX_IMAGES, MAX_PRICE_USD, ClassInputs, CostMode, IntervalMethod, PilotPoint,
    Precision, Task, check_level, check_pilot_points, check_tau, counts_list, parse_fraction, pilot_points_as_dicts,
)

__all__ = ["Scenario", "ErrorQuery"]

_LIMITS = {"data_max": MAX_IMAGES, "cost_per_datapoint": MAX_PRICE_USD, "cost_per_flop": 1.0, "epochs": MAX_EPOCHS,
           "runs": MAX_EPOCHS, "price_per_hour": MAX_PRICE_USD, "power_w": 1e6, "price_per_kwh": MAX_PRICE_USD}


class Scenario(ClassInputs):
    """A project to price: the inputs of Figure 2 in seed 000, and how to price its compute."""

    task: Task = Field(DEFAULTS["task"], description="classification (error = 1 - accuracy) or segmentation (error = 1 - mean IoU).")
    target_accuracy: float = Field(description="Accuracy (or mean IoU) to reach, a fraction in (0, 1).")
    data_present: float | None = Field(None, description="Labelled images already at hand; default: the sum of class_counts, else 0. [images]")
    data_max: float = Field(description="Most labelled images that could be had (the data limit). [images]")
    cost_per_datapoint: float = Field(description="Cost of labelling one more image; 0 for data labelled in house at no extra cost. [USD]")
    classes: int | None = Field(None, description="Number of equally likely classes (>= 2).")
    class_counts: list[float] | dict[str, float] | None = Field(None, description="Examples per class, a list or a label-to-count object.")
    baseline_classes: int | None = Field(None, description=f"Baseline class count for relative complexity; default {DEFAULTS['baseline_classes']} (ImageNet-1000).")
    baseline_class_counts: list[float] | dict[str, float] | None = Field(None, description="Baseline examples per class, instead of baseline_classes.")
    pretrained: bool = Field(DEFAULTS["pretrained"], description="Fine-tuned from a pretrained checkpoint (else trained from scratch).")
    architectures: list[str] | None = Field(None, description="Candidate architectures (catalog names or aliases); default: every default candidate for the task.")
    cost_per_flop: float = Field(DEFAULTS["cost_per_flop"], description="Price of one FLOP in paper mode. [USD/FLOP]")
    epochs: float = Field(DEFAULTS["epochs"], description="Passes over the training data.")
    top: int = Field(DEFAULTS["top"], description="How many recommendations to return.")
    cost_mode: CostMode | None = Field(
        None,
        description="How training is priced: paper = eq. (4) of seed 000; flops = counted FLOPs at a measured "
        "utilization; measured = measured images/s. Default: measured where a measurement exists, else flops.",
    )
    gpu: str = Field(DEFAULTS["gpu"], description="Accelerator: a hardware catalog name or alias (`dlcost hardware`).")
    gpus: int = Field(DEFAULTS["gpus"], description="GPUs training in parallel.")
    precision: Precision = Field(DEFAULTS["precision"], description="Training precision (bf16/fp16 mixed precision, tf32 or fp32).")
    utilization: float | None = Field(None, description="Fraction of peak FLOP/s reached in flops mode; default: measured (docs/utilization.md).")
    runs: float = Field(DEFAULTS["runs"], description="Training runs, hyper-parameter search included; multiplies compute.")
    scaling_efficiency: float = Field(DEFAULTS["scaling_efficiency"], description="Multi-GPU scaling efficiency, used when gpus > 1.")
    price_per_hour: float | None = Field(None, description="USD per GPU-hour; default: the catalog's median on-demand price.")
    provider: str | None = Field(None, description="Cloud provider whose cheapest listed instance sets price and CPU cores.")
    country: str | None = Field(None, description="ISO 3166 alpha-3 code for grid carbon intensity.")
    region: str | None = Field(None, description="PROVIDER:REGION (e.g. aws:us-east-1) for grid carbon intensity, PUE and price.")
    pue: float | None = Field(None, description=f"Power usage effectiveness; default: the region's, else {DEFAULTS['pue']}.")
    power_w: float | None = Field(None, description="Average power draw per GPU in watts; default: TDP.")
    price_per_kwh: float | None = Field(None, description="USD per kWh: adds electricity cost (for owned hardware).")
    loader_cores: float | None = Field(
        None, description="CPU cores decoding images per GPU; default: the instance's vCPUs per GPU; 0 = no loader bound."
    )
    interval_level: float = Field(DEFAULTS["interval_level"], description="Central probability of the reported intervals.")
    interval_method: IntervalMethod = Field(
        DEFAULTS["interval_method"], description="conformal (calibrated on observed outcomes) or ols (a fitted model's prediction interval)."
    )
    pilot_points: list[PilotPoint] | None = Field(
        None, description="Measured (n_train, error) points of a pilot: when given, its learning curve sizes the data."
    )
    tau: float = Field(DEFAULTS["tau"], description="With a pilot: aim this much accuracy above the target for the next round. [fraction]")

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
        return check_level(value)

    @field_validator("utilization", "scaling_efficiency")
    @classmethod
    def _share(cls, value, info):
        if value is None:
            return value
        number = checks.check_positive(value, info.field_name)
        if not 0.001 <= number <= 1:
            raise InputError(info.field_name, f"{info.field_name} must be a fraction in [0.001, 1]; got {value!r}.")
        return number

    @field_validator("runs", "price_per_hour", "power_w", "price_per_kwh")
    @classmethod
    def _positive_optional(cls, value, info):
        name = info.field_name
        return None if value is None else checks.check_at_most(checks.check_positive(value, name), name, _LIMITS[name])

    @field_validator("gpus")
    @classmethod
    def _gpus(cls, value):
        return checks.check_at_most(checks.check_whole_count(value, "gpus", minimum=1), "gpus", 100_000)

    @field_validator("pue")
    @classmethod
    def _pue(cls, value):
        if value is not None and checks.check_positive(value, "pue") < 1.0:
            raise InputError("pue", f"pue must be 1 or more (facility energy / IT energy); got {value!r}.")
        return value

    @field_validator("loader_cores")
    @classmethod
    def _cores(cls, value):
        if value is None:
            return None
        cores = checks.check_non_negative(value, "loader_cores")
        if 0 < cores < 0.1 or cores > 100_000:
            raise InputError("loader_cores", f"loader_cores must be 0 (no loader bound) or from 0.1 to 100000; got {value!r}.")
        return cores

    @field_validator("target_accuracy", mode="before")
    @classmethod
    def _target(cls, value):
        return parse_fraction(value, "target_accuracy")

    @field_validator("data_max", "cost_per_flop", "epochs")
    @classmethod
    def _positive(cls, value, info):
        return checks.check_at_most(checks.check_positive(value, info.field_name), info.field_name, _LIMITS[info.field_name])

    @field_validator("cost_per_datapoint")
    @classmethod
    def _datapoint_price(cls, value):
        return checks.check_at_most(checks.check_non_negative(value, "cost_per_datapoint"), "cost_per_datapoint", MAX_PRICE_USD)

    @field_validator("data_present")
    @classmethod
    def _present(cls, value):
        return None if value is None else checks.check_at_most(checks.check_non_negative(value, "data_present"), "data_present", MAX_IMAGES)

    @field_validator("top")
    @classmethod
    def _top(cls, value):
        return checks.check_whole_count(value, "top", minimum=1)

    @field_validator("architectures")
    @classmethod
    def _architectures(cls, value):
        if value is not None and not value:
            raise InputError("architectures", "architectures must name at least one architecture, or be left out for the whole catalog.")
        if value is not None and len(value) > MAX_ARCHITECTURES:
            raise InputError("architectures", f"architectures must name at most {MAX_ARCHITECTURES}; got {len(value)}.")
        return value

    @model_validator(mode="after")
    def _consistent(self):
        self._one_class_input("classes", "class_counts", required=True)
        self._one_class_input("baseline_classes", "baseline_class_counts", required=False)
        if self.country is not None and self.region is not None:
            raise InputError("region", "give either country or region for the grid's carbon intensity, not both.")
        if self.data_present is None:
            self.data_present = float(sum(counts_list(self.class_counts) or [0.0]))
        if self.data_max < self.data_present:
            raise InputError("data_max", f"data_max must be at least data_present ({self.data_present:g}); got {self.data_max:g}.")
        return self


class ErrorQuery(ClassInputs):
    """Inputs of eq. (1): predict the error after training on ``data`` images."""

    data: float = Field(description="Training images. [images]")
    relative_complexity: float | None = Field(None, description="RC directly, instead of classes or class_counts.")
    classes: int | None = None
    class_counts: list[float] | dict[str, float] | None = None
    baseline_classes: int | None = None
    baseline_class_counts: list[float] | dict[str, float] | None = None
    pretrained: bool = DEFAULTS["pretrained"]
    task: Task = DEFAULTS["task"]
    interval_level: float = Field(DEFAULTS["interval_level"], description="Central probability of the error interval.")
    interval_method: IntervalMethod = DEFAULTS["interval_method"]

    @field_validator("interval_level")
    @classmethod
    def _level(cls, value):
        return check_level(value)

    @field_validator("data")
    @classmethod
    def _data(cls, value):
        return checks.check_at_most(checks.check_positive(value, "data"), "data", MAX_IMAGES)

    @model_validator(mode="after")
    def _consistent(self):
        given = [n for n in ("relative_complexity", "classes", "class_counts") if getattr(self, n) is not None]
        if len(given) != 1:
            raise InputError(given[-1] if given else "classes",
                             "give exactly one of relative_complexity, classes or class_counts" + (f"; got {', '.join(given)}." if given else "."))
        self._one_class_input("baseline_classes", "baseline_class_counts", required=False)
        return self
