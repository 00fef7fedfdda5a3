"""The inputs of ``dlcost inference`` (an InferenceQuery) and its answer (an InferenceResult)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.schemas._common import (
    DEFAULTS, JSON_SCHEMA_VERSION, MAX_BATCH_SIZE, MAX_NAME, MAX_PRICE_USD, MAX_PRUNING, MAX_QUANTIZATION_SPEEDUP, InferencePrecision, Stack,
    Inputs, check_name, check_serving_factors, stated,
)

__all__ = ["InferenceQuery", "InferenceResult"]

_NAME = stated(text={"minLength": 1, "maxLength": MAX_NAME})


class InferenceQuery(Inputs):
    """Serve one architecture: on which hardware, batch size, precision and stack."""

    architecture: str = Field(description="A catalog architecture or alias (`dlcost architectures`).", json_schema_extra=_NAME)
    hardware: str = Field(description="A catalog accelerator or CPU (`dlcost hardware`).", json_schema_extra=_NAME)
    batch_size: int = Field(DEFAULTS["inference_batch_size"], description="Images per batch (1 = lowest latency).", json_schema_extra=stated({"minimum": 1, "maximum": MAX_BATCH_SIZE}))
    precision: InferencePrecision = Field(DEFAULTS["inference_precision"], description="bf16, fp16, tf32, fp32 or int8 (int8: 16-bit rate x quantization_speedup).")
    stack: Stack = Field(DEFAULTS["stack"], description="typical (eager PyTorch), tuned (compiled, x1.53) or research (x0.5).")
    cost_mode: str = Field("measured", description="measured (timm's measurements scaled by the roofline where held) or flops (the roofline alone).",
                           json_schema_extra={"enum": ["measured", "flops"]})
    pruning: float = Field(0.0, description="Share of the work structured pruning removes. [fraction]",
                           json_schema_extra=stated({"minimum": 0, "maximum": MAX_PRUNING}))
    quantization_speedup: float | None = Field(None, description="int8 over 16-bit; default 1.6.",
                                               json_schema_extra=stated({"minimum": 1, "maximum": MAX_QUANTIZATION_SPEEDUP}))
    price_per_hour: float | None = Field(None, description="USD per hour of the hardware; default: its median listed on-demand price.",
                                         json_schema_extra=stated({"exclusiveMinimum": 0, "maximum": MAX_PRICE_USD}))

    @field_validator("architecture", "hardware")
    @classmethod
    def _names(cls, value, info):
        return check_name(value, info.field_name, "a catalog entry (`dlcost architectures`, `dlcost hardware`)")

    @field_validator("batch_size")
    @classmethod
    def _batch(cls, value):
        return checks.check_at_most(checks.check_whole_count(value, "batch_size", minimum=1), "batch_size", MAX_BATCH_SIZE)

    @field_validator("cost_mode")
    @classmethod
    def _mode(cls, value):
        if value not in ("measured", "flops"):
            raise InputError("cost_mode", f"cost_mode must be measured or flops; got {value!r}.")
        return value

    @field_validator("pruning", "quantization_speedup")
    @classmethod
    def _serving_factors(cls, value, info):
        return check_serving_factors(value, info.field_name)

    @field_validator("price_per_hour")
    @classmethod
    def _price(cls, value):
        return None if value is None else checks.check_at_most(checks.check_positive(value, "price_per_hour"), "price_per_hour", MAX_PRICE_USD)


class InferenceResult(BaseModel):
    """Throughput, latency and cost of serving one architecture."""

    schema_version: int = JSON_SCHEMA_VERSION
    inputs: InferenceQuery
    architecture: str
    hardware: str
    precision_used: str = Field(description="The precision the figures are for (bf16 and fp16 stand in for each other).")
    images_per_s: float = Field(description="Predictions per second at batch_size. [images/s]")
    saturated_images_per_s: float = Field(description="Predictions per second at a large batch. [images/s]")
    latency_ms: float = Field(description="Time for one batch. [ms]")
    throughput_source: str = Field(description="measured, 'extrapolated from GPU PRECISION' or flops.")
    reference: str = Field(description="What the figure rests on.")
    quantization_speedup: float | None
    price_per_hour_usd: float | None
    price_source: str
    cost_per_1000_predictions: float | None = Field(description="Rental cost of 1,000 predictions on busy hardware; null without a price. [USD]")
    notes: list[str]

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")
