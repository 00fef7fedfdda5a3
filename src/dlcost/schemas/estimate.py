"""The answers: an Estimate (ranked Recommendations) and an ErrorPrediction."""

from __future__ import annotations

from pydantic import BaseModel, Field

from dlcost.schemas._common import JSON_SCHEMA_VERSION, Task
from dlcost.schemas.scenario import Scenario

__all__ = ["Recommendation", "Estimate", "ErrorPrediction"]


class Recommendation(BaseModel):
    """One ranked architecture with every output of Figure 2 (seed 000)."""

    rank: int
    architecture: str
    cost_mode: str
    n_parameters: int = Field(description="Trainable parameters.")
    inference_gflops: float = Field(description="Forward GFLOPs per image: the inference cost that breaks ties on total cost. [GFLOP]")
    max_achievable_accuracy: float = Field(description="Accuracy reached: the target if feasible, else the best within data_max. [fraction]")
    predicted_error: float | None = Field(None, description="Error this candidate is predicted to reach on the images it is sized for "
                                                            "(dlcost-2026: its own backbone; eq. (1): the same for all). [fraction]")
    data_needed: float | None = Field(description="Images needed for the target, eq. (1) inverted (or the pilot's curve); may exceed data_max; null when unreachable at any size. [images]")
    data_needed_low: float | None = Field(description="Lower bound of data_needed at the interval level (at least 1); null when "
                                                      "even the interval's optimistic end never reaches the target. [images]")
    data_needed_high: float | None = Field(description="Upper bound of data_needed; null when unbounded (too few calibration datasets for the level). [images]")
    training_images: float = Field(description="Images per epoch trained on: min(data_needed, data_max) in paper mode (eq. (4)); min(max(data_present, data_needed), data_max) in the realistic modes. [images]")
    additional_data: float = Field(description="Images still to collect: max(0, min(data_needed, data_max) - data_present). [images]")
    training_flops: float = Field(description="3 x forward FLOPs x images x epochs x runs, eq. (4). [FLOP]")
    training_cost: float = Field(description="Eq. (4). [USD]")
    data_cost: float = Field(description="Eq. (5). [USD]")
    total_cost: float = Field(description="Eq. (3). [USD]")
    total_cost_low: float = Field(description="Total cost at data_needed_low (capped at data_max). [USD]")
    total_cost_high: float | None = Field(description="Total cost at data_needed_high (capped at data_max); null when unbounded. [USD]")
    feasible: bool = Field(description="The target is reachable within data_max.")
    tied_on_cost: bool = Field(False, description="Its total cost is within the tie tolerance (1%) of another candidate's; ties rank by accuracy, then inference cost.")
    gpu: str = Field(description="Accelerator the compute figures are for.")
    throughput_source: str = Field(description="measured, 'extrapolated from GPU PRECISION' (a measurement scaled by the roofline) or flops (the roofline alone).")
    images_per_s: float = Field(description="Training images/s per GPU after the loader bound. [images/s]")
    bound: str = Field(description="gpu or loader: what limits images/s.")
    gpu_hours: float = Field(description="GPU-hours billed, all runs. [GPU-h]")
    wall_clock_hours: float = Field(description="Elapsed time on `gpus` GPUs. [h]")
    compute_cost: float | None = Field(description="GPU-hours x $/GPU-hour. [USD]")
    energy_kwh: float = Field(description="GPU-hours x power x PUE. [kWh]")
    co2_kg: float = Field(description="Energy x grid intensity. [kg CO2eq]")
    electricity_cost: float | None = Field(description="Energy x price per kWh, when given. [USD]")
    deploy_hardware: str = Field(description="Hardware the serving figures are for (deploy_hardware, default the training GPU).")
    inference_images_per_s: float = Field(description="Predictions per second of one serving device at deploy_batch_size. [images/s]")
    inference_latency_ms: float = Field(description="Time for one batch of deploy_batch_size. [ms]")
    inference_source: str = Field(description="measured, 'extrapolated from GPU PRECISION' or flops, as throughput_source.")
    cost_per_1000_predictions: float | None = Field(description="Rental cost of 1,000 predictions on a busy serving device; null when "
                                                                "no price is listed or given. [USD]")


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
    max_achievable_accuracy: float = Field(description="Figure 2's output: the target when reachable within data_max, else the best reachable. [fraction]")
    accuracy_at_data_max: float = Field(description="Headroom: the best accuracy reachable at the data limit (eq. (1) or the pilot's curve at data_max). [fraction]")
    predicted_error: float = Field(description="Error predicted at the images the need is sized for, min(data_needed, data_max). [fraction]")
    predicted_error_low: float = Field(description="Lower bound of predicted_error at the interval level. [fraction]")
    predicted_error_high: float = Field(description="Upper bound of predicted_error at the interval level. [fraction]")
    interval: dict = Field(description="The intervals' level, method and calibration set (stated once).")
    pilot: dict | None = Field(None, description="The pilot learning curve that sized the data (estimate --pilot), or null.")
    pilot_recommendation: dict | None = Field(None, description="Without a pilot and with a wide data range: a three-point pilot's "
                                                                "sizes, cost and expected range (dlcost-2026), or null.")
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
