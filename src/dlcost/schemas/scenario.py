"""The inputs of an estimate (a Scenario) and of eq. (1) alone (an ErrorQuery).

Field names are the CLI's option names in snake_case; defaults come from
``catalog/defaults.toml``. Accuracy and error are fractions in [0, 1]; a string
such as ``"96.5%"`` is accepted for ``target_accuracy`` and read as 0.965. Money
is in USD, data in images.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, field_validator, model_validator

from dlcost.catalog.hardware import MAX_POWER_W, MAX_VCPUS
from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._common import (
    CLASS_COUNTS, DEFAULTS, FRACTION, MAX_ARCHITECTURES, MAX_CLASSES, MAX_EPOCHS, MAX_IMAGES, MAX_NAME, MAX_POINTS,
    MAX_PRICE_USD, MAX_RELATIVE_COMPLEXITY, ClassInputs, CostMode, IntervalMethod, PilotPoint, Precision, Task, check_level,
    MAX_BATCH_SIZE, MAX_PRUNING, MAX_QUANTIZATION_SPEEDUP, Decode, InferencePrecision, Stack, check_serving_factors,
    check_name, check_pilot_points, check_tau, counts_list, parse_fraction, pilot_points_as_dicts, stated, stated_rules,
)

__all__ = ["Scenario", "ErrorQuery"]

#: Largest power usage effectiveness: far above any surveyed facility (industry average 1.58). [unitless]
MAX_PUE = 10.0
MAX_GPUS = 100_000
_LIMITS = {"data_max": MAX_IMAGES, "cost_per_datapoint": MAX_PRICE_USD, "cost_per_flop": 1.0, "epochs": MAX_EPOCHS,
           "runs": MAX_EPOCHS, "price_per_hour": MAX_PRICE_USD, "power_w": MAX_POWER_W, "price_per_kwh": MAX_PRICE_USD}
#: Largest cost of ending without the target a collection plan weighs: a trillion dollars. [USD]
MAX_PENALTY_USD = 1e12
#: Most collection rounds a plan may take (dlcost.core.collection_plan.MAX_ROUNDS).
MAX_COLLECTION_ROUNDS = 20
#: What a name input must name, for its message.
_NAMES = {"gpu": "an accelerator (`dlcost hardware` lists them)", "deploy_hardware": "an accelerator or CPU (`dlcost hardware` lists them)", "provider": "a cloud provider (`dlcost hardware` lists them)",
          "country": "a country by its ISO 3166 alpha-3 code, such as USA",
          "region": "a cloud region as PROVIDER:REGION, such as aws:us-east-1"}


def _positive_up_to(name: str):
    """json_schema_extra of a number in (0, _LIMITS[name]]."""
    return stated({"exclusiveMinimum": 0, "maximum": _LIMITS[name]})


_CLASSES = stated({"minimum": 2, "maximum": MAX_CLASSES})
_NAME = stated(text={"minLength": 1, "maxLength": MAX_NAME})
_SHARE = stated({"minimum": 0.001, "maximum": 1})
_LEVEL = stated(FRACTION)
_TAU = stated({"minimum": 0, "exclusiveMaximum": 1})


class Scenario(ClassInputs):
    """A project to price: the inputs of Figure 2 in seed 000, and how to price its compute."""

    model_config = ConfigDict(json_schema_extra=stated_rules(
        exactly_one=[("classes", "class_counts")],
        at_most_one=[("baseline_classes", "baseline_class_counts"), ("country", "region")]))

    task: Task = Field(DEFAULTS["task"], description="classification (error = 1 - accuracy) or segmentation (error = 1 - mean IoU).")
    target_accuracy: float = Field(description="Accuracy (or mean IoU) to reach, a fraction in (0, 1).", json_schema_extra=_LEVEL)
    data_present: float | None = Field(None, description="Labelled images already at hand; default: the sum of class_counts, else 0. [images]",
                                       json_schema_extra=stated({"minimum": 0, "maximum": MAX_IMAGES}))
    data_max: float = Field(description="Most labelled images that could be had (the data limit). [images]",
                            json_schema_extra=_positive_up_to("data_max"))
    cost_per_datapoint: float = Field(description="Cost of labelling one more image; 0 for data labelled in house at no extra cost. [USD]",
                                      json_schema_extra=stated({"minimum": 0, "maximum": MAX_PRICE_USD}))
    classes: int | None = Field(None, description="Number of equally likely classes (>= 2).", json_schema_extra=_CLASSES)
    class_counts: list[float] | dict[str, float] | None = Field(None, description="Examples per class, a list or a label-to-count object.",
                                                                json_schema_extra=CLASS_COUNTS)
    baseline_classes: int | None = Field(None, description=f"Baseline class count for relative complexity; default {DEFAULTS['baseline_classes']} (ImageNet-1000).",
                                         json_schema_extra=_CLASSES)
    baseline_class_counts: list[float] | dict[str, float] | None = Field(None, description="Baseline examples per class, instead of baseline_classes.",
                                                                         json_schema_extra=CLASS_COUNTS)
    pretrained: bool = Field(DEFAULTS["pretrained"], description="Fine-tuned from a pretrained checkpoint (else trained from scratch).")
    architectures: list[str] | None = Field(None, description="Candidate architectures (catalog names or aliases); default: every default candidate for the task.",
                                            json_schema_extra=stated(array={"minItems": 1, "maxItems": MAX_ARCHITECTURES},
                                                                     items={"minLength": 1, "maxLength": MAX_NAME}))
    cost_per_flop: float = Field(DEFAULTS["cost_per_flop"], description="Price of one FLOP in paper mode. [USD/FLOP]",
                                 json_schema_extra=_positive_up_to("cost_per_flop"))
    epochs: float = Field(DEFAULTS["epochs"], description="Passes over the training data.", json_schema_extra=_positive_up_to("epochs"))
    top: int = Field(DEFAULTS["top"], description="How many recommendations to return.",
                     json_schema_extra=stated({"minimum": 1, "maximum": MAX_ARCHITECTURES}))
    cost_mode: CostMode | None = Field(
        None,
        description="How training is priced: paper = eq. (4) of seed 000; flops = counted FLOPs at a measured "
        "utilization; measured = measured images/s. Default: measured where a measurement exists, else flops.",
    )
    gpu: str = Field(DEFAULTS["gpu"], description="Accelerator: a hardware catalog name or alias (`dlcost hardware`).", json_schema_extra=_NAME)
    gpus: int = Field(DEFAULTS["gpus"], description="GPUs training in parallel.", json_schema_extra=stated({"minimum": 1, "maximum": MAX_GPUS}))
    precision: Precision = Field(DEFAULTS["precision"], description="Training precision (bf16/fp16 mixed precision, tf32 or fp32).")
    utilization: float | None = Field(None, description="Fraction of peak FLOP/s reached in flops mode; default: measured (docs/utilization.md).",
                                      json_schema_extra=_SHARE)
    runs: float = Field(DEFAULTS["runs"], description="Training runs, hyper-parameter search included; multiplies compute.",
                        json_schema_extra=_positive_up_to("runs"))
    scaling_efficiency: float = Field(DEFAULTS["scaling_efficiency"], description="Multi-GPU scaling efficiency, used when gpus > 1.",
                                      json_schema_extra=_SHARE)
    price_per_hour: float | None = Field(None, description="USD per GPU-hour; default: the catalog's median on-demand price.",
                                         json_schema_extra=_positive_up_to("price_per_hour"))
    provider: str | None = Field(None, description="Cloud provider whose cheapest listed instance sets price and CPU cores.", json_schema_extra=_NAME)
    country: str | None = Field(None, description="ISO 3166 alpha-3 code for grid carbon intensity.", json_schema_extra=_NAME)
    region: str | None = Field(None, description="PROVIDER:REGION (e.g. aws:us-east-1) for grid carbon intensity, PUE and price.",
                               json_schema_extra=_NAME)
    pue: float | None = Field(None, description=f"Power usage effectiveness; default: the region's, else {DEFAULTS['hyperscale_pue']} "
                                                f"for a job priced on AWS, Azure or GCP, else {DEFAULTS['pue']}.",
                              json_schema_extra=stated({"minimum": 1, "maximum": MAX_PUE}))
    power_w: float | None = Field(None, description="Average power draw per GPU in watts; default: 0.75 x TDP (0.80 for RTX cards). "
                                                    "Power = TDP with pue 1 is the ML CO2 Impact formula.", json_schema_extra=_positive_up_to("power_w"))
    price_per_kwh: float | None = Field(None, description="USD per kWh: adds electricity cost (for owned hardware).",
                                        json_schema_extra=_positive_up_to("price_per_kwh"))
    loader_cores: float | None = Field(
        None, description="CPU cores decoding images per GPU; default: the instance's vCPUs per GPU; 0 = no loader bound.",
        json_schema_extra=stated({"minimum": 0, "maximum": MAX_VCPUS, "not": {"exclusiveMinimum": 0, "exclusiveMaximum": 0.1}}),
    )
    stack: Stack = Field(DEFAULTS["stack"], description="Software stack: typical (eager PyTorch, AMP, as timm's benchmarks), tuned "
                                                        "(compiled, x1.53: torch.compile bf16 over eager AMP in timm's inference runs) or "
                                                        "research (full recipe with heavy augmentation and evaluation every epoch: x0.5) "
                                                        "(docs/throughput.md).")
    decode: Decode = Field(DEFAULTS["decode"], description="Where JPEGs are decoded: cpu (loader workers bound images/s) or gpu "
                                                          "(no loader bound; decoding takes GPU time).")
    node_overhead_w: float | None = Field(None, description="Power per GPU of the rest of the server (CPUs, memory, fans, network), added "
                                                            "to the GPU's; default none (GPU only). [W]",
                                          json_schema_extra=stated({"minimum": 0, "maximum": MAX_POWER_W}))
    deploy_hardware: str | None = Field(None, description="Accelerator or CPU serving predictions; default: the training GPU.",
                                        json_schema_extra=_NAME)
    deploy_precision: InferencePrecision | None = Field(None, description="Serving precision (int8 adds quantization_speedup); "
                                                                          "default: the training precision.")
    deploy_batch_size: int = Field(DEFAULTS["deploy_batch_size"], description="Images per inference batch (1 = lowest latency).",
                                   json_schema_extra=stated({"minimum": 1, "maximum": MAX_BATCH_SIZE}))
    deploy_price_per_hour: float | None = Field(None, description="USD per hour of the serving hardware; default: its median listed price.",
                                                json_schema_extra=_positive_up_to("price_per_hour"))
    pruning: float = Field(0.0, description="Share of the network's work structured pruning removes at serving time. [fraction]",
                           json_schema_extra=stated({"minimum": 0, "maximum": MAX_PRUNING}))
    quantization_speedup: float | None = Field(None, description="int8 throughput over 16-bit; default 1.6 (docs/throughput.md).",
                                               json_schema_extra=stated({"minimum": 1, "maximum": MAX_QUANTIZATION_SPEEDUP}))
    interval_level: float = Field(DEFAULTS["interval_level"], description="Central probability of the reported intervals.", json_schema_extra=_LEVEL)
    interval_method: IntervalMethod = Field(
        DEFAULTS["interval_method"], description="conformal (calibrated on observed outcomes) or ols (a fitted model's prediction interval)."
    )
    pilot_points: list[PilotPoint] | None = Field(
        None, description="Measured (n_train, error) points of a pilot, sizes increasing: when given, its learning curve sizes the data.",
        json_schema_extra=stated(array={"minItems": 1, "maxItems": MAX_POINTS}),
    )
    tau: float = Field(DEFAULTS["tau"], description="With a pilot: aim this much accuracy above the target for the next round. [fraction]",
                       json_schema_extra=_TAU)
    collection_rounds: int = Field(3, description="With a pilot: most rounds the cost-optimal collection plan may take "
                                                  "(Mahmood et al., NeurIPS 2022).",
                                   json_schema_extra=stated({"minimum": 1, "maximum": MAX_COLLECTION_ROUNDS}))
    missed_target_penalty: float | None = Field(None, description="With a pilot: what ending without the target costs the project "
                                                                  "[USD; default: the data cost of the upper end of the data-needed range].",
                                                json_schema_extra=stated({"minimum": 0, "maximum": MAX_PENALTY_USD}))

    @field_validator("pilot_points", mode="before")
    @classmethod
    def _pairs(cls, value):
        return pilot_points_as_dicts(value)

    @field_validator("pilot_points")
    @classmethod
    def _pilot(cls, points):
        return None if points is None else check_pilot_points(points, "pilot_points")

    @field_validator("collection_rounds")
    @classmethod
    def _rounds(cls, value):
        rounds = checks.check_whole_count(value, "collection_rounds", minimum=1)
        return checks.check_at_most(rounds, "collection_rounds", MAX_COLLECTION_ROUNDS)

    @field_validator("missed_target_penalty")
    @classmethod
    def _penalty(cls, value):
        if value is None:
            return None
        return checks.check_at_most(checks.check_non_negative(value, "missed_target_penalty"), "missed_target_penalty", MAX_PENALTY_USD)

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
        return checks.check_at_most(checks.check_whole_count(value, "gpus", minimum=1), "gpus", MAX_GPUS)

    @field_validator("pue")
    @classmethod
    def _pue(cls, value):
        if value is not None and checks.check_positive(value, "pue") < 1.0:
            raise InputError("pue", f"pue must be 1 or more (facility energy / IT energy); got {value!r}.")
        return checks.check_at_most(value, "pue", MAX_PUE)

    @field_validator("node_overhead_w")
    @classmethod
    def _overhead(cls, value):
        return None if value is None else checks.check_at_most(checks.check_non_negative(value, "node_overhead_w"), "node_overhead_w", MAX_POWER_W)

    @field_validator("deploy_batch_size")
    @classmethod
    def _batch(cls, value):
        return checks.check_at_most(checks.check_whole_count(value, "deploy_batch_size", minimum=1), "deploy_batch_size", MAX_BATCH_SIZE)

    @field_validator("deploy_price_per_hour")
    @classmethod
    def _deploy_price(cls, value):
        return None if value is None else checks.check_at_most(checks.check_positive(value, "deploy_price_per_hour"),
                                                               "deploy_price_per_hour", MAX_PRICE_USD)

    @field_validator("pruning", "quantization_speedup")
    @classmethod
    def _serving_factors(cls, value, info):
        return check_serving_factors(value, info.field_name)

    @field_validator("gpu", "provider", "country", "region", "deploy_hardware")
    @classmethod
    def _names(cls, value, info):
        return check_name(value, info.field_name, _NAMES[info.field_name])

    @field_validator("loader_cores")
    @classmethod
    def _cores(cls, value):
        if value is None:
            return None
        cores = checks.check_non_negative(value, "loader_cores")
        if 0 < cores < 0.1 or cores > MAX_VCPUS:
            raise InputError("loader_cores", f"loader_cores must be 0 (no loader bound) or from 0.1 to {MAX_VCPUS}; got {value!r}.")
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
        return checks.check_at_most(checks.check_whole_count(value, "top", minimum=1), "top", MAX_ARCHITECTURES)

    @field_validator("architectures")
    @classmethod
    def _architectures(cls, value):
        if value is not None and not value:
            raise InputError("architectures", "architectures must name at least one architecture, or be left out for the whole catalog.")
        if value is not None and len(value) > MAX_ARCHITECTURES:
            raise InputError("architectures", f"architectures must name at most {MAX_ARCHITECTURES}; got {len(value)}.")
        for index, name in enumerate(value or []):
            check_name(name, f"architectures[{index}]", "an architecture (`dlcost architectures` lists them)")
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
        largest = self.pilot_points[-1].n_train if self.pilot_points else 0.0
        if self.data_max < largest:  # the pilot's own rule (LearningCurveQuery), checked before its fit
            raise InputError("data_max", f"data_max must be at least the largest pilot subset ({largest:g}); got {self.data_max:g}.")
        return self


class ErrorQuery(ClassInputs):
    """Inputs of eq. (1): predict the error after training on ``data`` images."""

    model_config = ConfigDict(json_schema_extra=stated_rules(
        exactly_one=[("relative_complexity", "classes", "class_counts")],
        at_most_one=[("baseline_classes", "baseline_class_counts")]))

    data: float = Field(description="Training images. [images]", json_schema_extra=stated({"exclusiveMinimum": 0, "maximum": MAX_IMAGES}))
    relative_complexity: float | None = Field(None, description="RC directly, instead of classes or class_counts.",
                                              json_schema_extra=stated({"minimum": 0, "maximum": MAX_RELATIVE_COMPLEXITY}))
    classes: int | None = Field(None, json_schema_extra=_CLASSES)
    class_counts: list[float] | dict[str, float] | None = Field(None, json_schema_extra=CLASS_COUNTS)
    baseline_classes: int | None = Field(None, json_schema_extra=_CLASSES)
    baseline_class_counts: list[float] | dict[str, float] | None = Field(None, json_schema_extra=CLASS_COUNTS)
    pretrained: bool = DEFAULTS["pretrained"]
    task: Task = DEFAULTS["task"]
    interval_level: float = Field(DEFAULTS["interval_level"], description="Central probability of the error interval.", json_schema_extra=_LEVEL)
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
