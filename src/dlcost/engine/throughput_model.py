"""Training and inference images/s of a catalog architecture on a catalog accelerator.

Joins the architecture catalog (forward FLOPs and activations per image), the hardware
catalog (peaks per precision, bandwidth), the fitted parameters of
``catalog/throughput_model.toml`` and the formulas of :mod:`dlcost.core.throughput`.

Sources of a figure, as every output names them:

``measured``
    A measurement on the same accelerator and precision (group); another resolution scales it by pixels.
``extrapolated from GPU PRECISION``
    A measurement elsewhere, scaled by the roofline: rate x t_model(reference) / t_model(target).
    The measurement carries what the model misses about the architecture; the model carries
    how peak, bandwidth and precision change between the two.
``flops``
    No measurement (or ``cost_mode flops``): the roofline alone, from counted FLOPs and activations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dlcost.catalog import Architecture
from dlcost.catalog.hardware import Accelerator, HardwareCatalog
from dlcost.core import throughput
from dlcost.core.checks import InputError

__all__ = ["Workload", "workload", "precision_peak", "model_seconds_per_image", "stack_factor", "STACKS",
           "training_images_per_s", "InferenceFigures", "inference_figures", "INFERENCE_PRECISIONS"]

#: Software-stack presets (throughput factors in ``throughput_model.toml`` [stacks]).
STACKS = ("typical", "tuned", "research")
#: Precisions an inference may run at.
INFERENCE_PRECISIONS = ("bf16", "fp16", "tf32", "fp32", "int8")
_HALF = {"bf16", "fp16"}


@dataclass(frozen=True)
class Workload:
    """What the roofline needs of one image: forward FLOPs and activation elements."""

    forward_flops: float
    activations: float
    resolution_px: int
    activations_source: str


def workload(architecture: Architecture, model: dict, resolution_px: int | None = None) -> Workload:
    """Forward FLOPs and activations per image at ``resolution_px`` (both scale with pixels).

    An architecture with no activation count takes the median activations per FLOP of its
    family class (``throughput_model.toml`` [activations_per_flop]).
    """
    resolution = resolution_px or architecture.resolution_px
    scale = (resolution / architecture.resolution_px) ** 2
    flops = architecture.forward_gflops * 1e9 * scale
    if architecture.forward_activations_m:
        return Workload(flops, architecture.forward_activations_m * 1e6 * scale, resolution, architecture.source_activations)
    ratio = model["activations_per_flop"]["dense"]
    return Workload(flops, flops * ratio, resolution, f"activations = forward FLOPs x {ratio:.2e} (dense convnet median)")


def precision_peak(accelerator: Accelerator, precision: str) -> tuple[float, str]:
    """Dense peak FLOP/s the precision runs at on ``accelerator`` and the precision used.

    bf16 and fp16 stand in for each other (16-bit mixed precision; V100 and T4 have only fp16);
    a GPU without TF32 or int8 tensor cores is an error, not a silent fallback.
    """
    if precision == "int8":
        if not accelerator.supports_int8:
            raise InputError("precision", f"precision int8: {accelerator.name} has no int8 tensor cores "
                                          "(they came with Turing, 2018); use fp16 or fp32.")
        peak, _ = accelerator.peak_flops_per_s("fp16")  # int8 runs at the 16-bit rate x quantization_speedup
        return peak, "int8"
    if precision == "tf32" and accelerator.kind == "gpu" and not accelerator.tf32_tflops:
        raise InputError("precision", f"precision tf32: {accelerator.name} has no TF32 tensor cores (Ampere and later); "
                                      "use fp32, or bf16/fp16 mixed precision.")
    return accelerator.peak_flops_per_s(precision)


def _efficiency(model: dict, accelerator: Accelerator, used: str) -> float:
    efficiency = model["efficiency"]
    if accelerator.kind != "gpu" or used == "fp32":
        return efficiency["fp32"]
    if used == "tf32":
        return efficiency["tf32"]
    return efficiency["tensor"]


def model_seconds_per_image(model: dict, load: Workload, accelerator: Accelerator, precision: str, training: bool) -> float:
    """Roofline time of one image (one training step's share, or one forward pass). [s]

    TF32 is allowed, not forced: cuBLAS and cuDNN take it only where it is faster, so its
    time is the lesser of the TF32 and the fp32 roofline (on an L4 or a GeForce card the
    TF32 peak is at most twice fp32's, and fp32's CUDA cores can win).
    """
    if precision == "tf32":
        precision_peak(accelerator, "tf32")  # the GPU must have it
        return min(_roofline(model, load, accelerator, "tf32", training), _roofline(model, load, accelerator, "fp32", training))
    return _roofline(model, load, accelerator, precision, training)


def _roofline(model: dict, load: Workload, accelerator: Accelerator, precision: str, training: bool) -> float:
    peak, used = precision_peak(accelerator, precision)
    bandwidth = (accelerator.memory_bandwidth_gbs or 1.0) * 1e9
    element = throughput.BYTES_PER_ELEMENT["fp16" if used == "int8" else used]
    seconds = throughput.roofline_seconds_per_image(
        load.forward_flops, load.activations,
        throughput.TRAINING_PASSES if training else throughput.INFERENCE_PASSES,
        peak, _efficiency(model, accelerator, used), element,
        model["memory"]["k_train" if training else "k_infer"], bandwidth)
    return seconds


def stack_factor(model: dict, stack: str) -> float:
    factors = model["stacks"]
    if stack not in factors:
        raise InputError("stack", f"stack must be one of {', '.join(STACKS)}; got {stack!r}.")
    return float(factors[stack])


def _same_precision(a: str, b: str) -> bool:
    return a == b or (a in _HALF and b in _HALF)


def _pick(rows: list, accelerator: Accelerator, precision: str, gpu_of, precision_of):
    """Prefer the chosen accelerator, then the same precision group, then a dlcost bench row."""
    def key(row):
        return (gpu_of(row).lower() != accelerator.name.lower(), not _same_precision(precision_of(row), precision),
                "dlcost bench" not in str(getattr(row, "source", "") or (row.get("source", "") if isinstance(row, dict) else "")))

    return min(rows, key=key) if rows else None


def _scaled(model: dict, architecture: Architecture, catalog: HardwareCatalog, rate: float, reference: tuple,
            target: tuple, training: bool) -> tuple[float, bool]:
    """``rate`` measured at reference (gpu, precision, px) moved to target (accelerator, precision, px)."""
    ref_gpu, ref_precision, ref_px = reference
    accelerator, precision, px = target
    ref_accelerator = catalog.find_accelerator(ref_gpu)
    if ref_accelerator.name == accelerator.name and _same_precision(ref_precision, precision):
        return rate * (ref_px / px) ** 2, True  # work per image scales with its pixels (F and A alike)
    t_reference = model_seconds_per_image(model, workload(architecture, model, ref_px), ref_accelerator, ref_precision, training)
    t_target = model_seconds_per_image(model, workload(architecture, model, px), accelerator, precision, training)
    return rate * t_reference / t_target, False


def training_images_per_s(architecture: Architecture, accelerator: Accelerator, precision: str, catalog: HardwareCatalog,
                          mode: str, stack: str, utilization: float | None = None) -> tuple[float, str, str]:
    """Training images/s one GPU sustains (before the loader bound), its source and a note on it."""
    model = catalog.throughput_model
    factor = stack_factor(model, stack)
    peak, used = precision_peak(accelerator, precision)
    load = workload(architecture, model)
    if mode == "flops" and utilization is not None:
        rate = peak * utilization / (throughput.TRAINING_PASSES * load.forward_flops)  # eq. (4)'s 3 x forward
        # The given utilization already describes the user's stack: no stack factor on top.
        return rate, "flops", f"{peak / 1e12:,.0f} TFLOP/s {used} peak x utilization {utilization:.2f} (given, the stack included)"
    measurement = None if mode == "flops" else _pick(catalog.measurements(architecture.name), accelerator, precision,
                                                      lambda t: t.gpu, lambda t: t.precision)
    if measurement is None:
        rate = 1.0 / model_seconds_per_image(model, load, accelerator, precision, training=True)
        why = "" if mode == "flops" else f"no measurement of {architecture.name}; "
        return rate * factor, "flops", (f"{why}roofline: {load.forward_flops / 1e9:,.2f} GFLOP and "
                                        f"{load.activations / 1e6:,.1f} M activations per image on {accelerator.name} {used}; stack {stack}")
    rate, exact = _scaled(model, architecture, catalog, measurement.train_images_per_s,
                          (measurement.gpu, measurement.precision, measurement.resolution_px),
                          (accelerator, precision, architecture.resolution_px), training=True)
    source = "measured" if exact else f"extrapolated from {measurement.gpu} {measurement.precision}"
    note = (f"{measurement.train_images_per_s:,.0f} img/s measured on {measurement.gpu} {measurement.precision} at "
            f"{measurement.resolution_px} px ({measurement.source}, {measurement.measured_on})"
            + ("" if exact else f"; scaled to {accelerator.name} {used} at {architecture.resolution_px} px by the roofline")
            + f"; stack {stack}")
    return rate * factor, source, note


@dataclass(frozen=True)
class InferenceFigures:
    """Serving one architecture: throughput, latency and the price of 1,000 predictions."""

    architecture: str
    hardware: str
    precision: str
    precision_used: str
    batch_size: int
    stack: str
    pruning: float
    quantization_speedup: float | None
    saturated_images_per_s: float
    images_per_s: float
    latency_ms: float
    throughput_source: str
    reference: str
    price_per_hour_usd: float | None
    price_source: str
    cost_per_1000_predictions: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def _saturated_inference_rate(architecture, accelerator, precision, catalog, mode) -> tuple[float, str, str]:
    model = catalog.throughput_model
    compute_precision = "fp16" if precision == "int8" else precision
    rows = [] if mode == "flops" else [r for r in catalog.inference_measurements if r["architecture"] == architecture.name]
    row = _pick(rows, accelerator, compute_precision, lambda r: r["hardware"], lambda r: r["precision"])
    if row is None:
        load = workload(architecture, model)
        rate = 1.0 / model_seconds_per_image(model, load, accelerator, compute_precision, training=False)
        why = "" if mode == "flops" else f"no inference measurement of {architecture.name}; "
        return rate, "flops", f"{why}roofline: {load.forward_flops / 1e9:,.2f} GFLOP and {load.activations / 1e6:,.1f} M activations per image"
    overhead_s = float(model["batch"]["launch_overhead_ms"]) / 1000.0
    batch_time_s = float(row["batch_size"]) / float(row["images_per_s"])
    measured = float(row["batch_size"]) / (batch_time_s - overhead_s) if batch_time_s > 2 * overhead_s else float(row["images_per_s"])
    rate, exact = _scaled(model, architecture, catalog, measured,
                          (row["hardware"], row["precision"], int(row["resolution_px"])),
                          (accelerator, compute_precision, architecture.resolution_px), training=False)
    source = "measured" if exact else f"extrapolated from {row['hardware']} {row['precision']}"
    note = f"{float(row['images_per_s']):,.0f} img/s at batch {row['batch_size']} on {row['hardware']} ({row['source']})"
    return rate, source, note


def inference_figures(architecture: Architecture, accelerator: Accelerator, precision: str, batch_size: int,
                      catalog: HardwareCatalog, *, mode: str = "measured", stack: str = "typical", pruning: float = 0.0,
                      quantization_speedup: float | None = None, price: tuple[float | None, str] = (None, "none listed")
                      ) -> InferenceFigures:
    """Images/s, latency and cost per 1,000 predictions of ``architecture`` served on ``accelerator``.

    int8 runs at the 16-bit rate x ``quantization_speedup`` (default in throughput_model.toml);
    structured pruning of a fraction ``pruning`` removes that share of the FLOPs and activations.
    """
    model = catalog.throughput_model
    _, used = precision_peak(accelerator, precision)
    saturated, source, note = _saturated_inference_rate(architecture, accelerator, precision, catalog, mode)
    speedup = None
    if precision == "int8":
        speedup = quantization_speedup if quantization_speedup is not None else float(model["quantization"]["int8_speedup"])
        saturated *= speedup
    saturated = saturated * stack_factor(model, stack) / throughput.pruned(1.0, pruning)
    overhead_s = float(model["batch"]["launch_overhead_ms"]) / 1000.0
    rate = float(throughput.images_per_s_at_batch(saturated, batch_size, overhead_s))
    price_per_hour, price_source = price
    cost = None if price_per_hour is None else float(throughput.cost_per_1000_predictions_usd(price_per_hour, rate))
    return InferenceFigures(
        architecture=architecture.name, hardware=accelerator.name, precision=precision, precision_used=used,
        batch_size=batch_size, stack=stack, pruning=pruning, quantization_speedup=speedup,
        saturated_images_per_s=float(saturated), images_per_s=rate,
        latency_ms=float(throughput.batch_latency_s(saturated, batch_size, overhead_s)) * 1000.0,
        throughput_source=source, reference=note, price_per_hour_usd=price_per_hour, price_source=price_source,
        cost_per_1000_predictions=cost)
