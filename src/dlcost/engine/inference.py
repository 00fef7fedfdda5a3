"""InferenceQuery in, InferenceResult out: the one function serving questions go through."""

from __future__ import annotations

from dlcost import catalog
from dlcost.catalog.hardware import HardwareCatalog, load_hardware
from dlcost.engine.throughput_model import inference_figures
from dlcost.schemas.inference import InferenceQuery, InferenceResult

__all__ = ["inference"]


def inference(query: InferenceQuery, hardware: HardwareCatalog | None = None) -> InferenceResult:
    """Images/s, latency and cost per 1,000 predictions of one architecture on one device."""
    hardware = hardware if hardware is not None else load_hardware()
    architecture = catalog.find_architecture(query.architecture, field="architecture")
    accelerator = hardware.find_accelerator(query.hardware, field="hardware")
    if query.price_per_hour is not None:
        price = (query.price_per_hour, "given")
    else:
        listed = hardware.default_price(accelerator, None, 1)
        price = (None, "none listed") if listed is None else (
            listed.on_demand_usd_per_gpu_hour, f"{listed.provider} {listed.instance} on-demand, {listed.price_date}")
    figures = inference_figures(architecture, accelerator, query.precision, query.batch_size, hardware, mode=query.cost_mode,
                                stack=query.stack, pruning=query.pruning, quantization_speedup=query.quantization_speedup,
                                price=price)
    notes = []
    if figures.cost_per_1000_predictions is None:
        notes.append(f"no listed price for {accelerator.name}: give price_per_hour for the cost of predictions.")
    if figures.precision_used != query.precision:
        notes.append(f"{accelerator.name} has no {query.precision}: the figures are for {figures.precision_used}.")
    return InferenceResult(
        inputs=query, architecture=figures.architecture, hardware=figures.hardware, precision_used=figures.precision_used,
        images_per_s=figures.images_per_s, saturated_images_per_s=figures.saturated_images_per_s, latency_ms=figures.latency_ms,
        throughput_source=figures.throughput_source, reference=figures.reference, quantization_speedup=figures.quantization_speedup,
        price_per_hour_usd=figures.price_per_hour_usd, price_source=figures.price_source,
        cost_per_1000_predictions=figures.cost_per_1000_predictions, notes=notes)
