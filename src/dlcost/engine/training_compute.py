"""GPU-hours, wall-clock, dollars, energy and CO2 of training one architecture.

Joins the hardware catalog (accelerators, prices, grid intensity, measured
throughput, utilization) with the formulas of :mod:`dlcost.core.compute`.

Modes
-----
``measured``
    Training images/s measured for the architecture: on the chosen GPU when a
    measurement exists (``throughput_source = "measured"``), else scaled from a
    GPU where it was measured (``"extrapolated"``, see ``_compute_bound_fraction``).
``flops``
    Images/s = peak FLOP/s x utilization / (3 x forward FLOPs per image); the
    utilization defaults to the one measured for the architecture on the
    reference GPU, else the median over measured architectures.

Both are then capped by the CPU data loader (cores per GPU x images/s per core).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dlcost.catalog import Architecture, defaults
from dlcost.catalog.hardware import Accelerator, HardwareCatalog, Throughput
from dlcost.core import compute
from dlcost.core.checks import InputError

__all__ = ["ComputeSettings", "TrainingCompute", "training_compute", "has_measurement", "resolve_settings"]


@dataclass(frozen=True)
class ComputeSettings:
    """The resolved hardware inputs of a scenario."""

    accelerator: Accelerator
    n_gpus: int
    precision: str
    utilization: float | None
    runs: float
    scaling_efficiency: float
    price_per_gpu_hour_usd: float | None
    price_source: str
    loader_cores_per_gpu: float | None
    loader_images_per_s_per_core: float
    power_w: float
    pue: float
    grid_gco2_per_kwh: float
    grid_source: str
    price_per_kwh_usd: float | None


@dataclass(frozen=True)
class TrainingCompute:
    """Compute of one training job (all runs)."""

    mode: str
    throughput_source: str
    precision_used: str
    utilization: float | None
    gpu_images_per_s: float
    loader_images_per_s: float | None
    images_per_s: float
    bound: str
    gpu_hours: float
    wall_clock_hours: float
    compute_cost: float | None
    energy_kwh: float
    co2_kg: float
    electricity_cost: float | None
    reference: str

    @property
    def training_cost(self) -> float | None:
        """Rental plus, when a price per kWh is given, electricity. [USD]"""
        if self.compute_cost is None:
            return None
        return self.compute_cost + (self.electricity_cost or 0.0)

    def to_dict(self) -> dict:
        return asdict(self)


def _same_precision_group(a: str, b: str) -> bool:
    half = {"bf16", "fp16"}
    return a == b or (a in half and b in half)


def _pick_measurement(measurements: list[Throughput], accelerator: Accelerator, precision: str) -> Throughput | None:
    """Prefer the chosen GPU, then the same precision group, then the newest source."""
    def key(t: Throughput):
        return (
            t.gpu.lower() != accelerator.name.lower(),
            not _same_precision_group(t.precision, precision),
            t.source != "dlcost bench",
        )

    return min(measurements, key=key) if measurements else None


def has_measurement(catalog: HardwareCatalog, architecture: Architecture) -> bool:
    return bool(catalog.measurements(architecture.name))


def _utilization_of(catalog: HardwareCatalog, architecture: Architecture) -> float:
    measured = catalog.utilization.get("architectures", {})
    return measured.get(architecture.name, catalog.utilization["default"]["value"])


def _compute_bound_fraction(catalog: HardwareCatalog, measured_utilization: float) -> float:
    """Share of the step time that scales with peak FLOP/s rather than memory bandwidth.

    f = measured utilization / the utilization of the most compute-bound
    measured architectures (``compute_bound_utilization`` in utilization.toml):
    a model running near that ceiling is limited by arithmetic, one far below it
    by memory traffic (depthwise convolutions, normalisation, activations).
    """
    ceiling = catalog.utilization["scaling"]["compute_bound_utilization"]
    return min(1.0, max(0.0, measured_utilization / ceiling))


def _measured_images_per_s(catalog, architecture, settings, measurement: Throughput) -> tuple[float, str, str]:
    reference = catalog.find_accelerator(measurement.gpu)
    rate = compute.resolution_scaled_images_per_s(
        measurement.train_images_per_s, measurement.resolution_px, architecture.resolution_px
    )
    target = settings.accelerator
    exact = reference.name == target.name and _same_precision_group(measurement.precision, settings.precision)
    note = (
        f"{measurement.train_images_per_s:,.0f} img/s measured on {reference.name} {measurement.precision} "
        f"at {measurement.resolution_px} px ({measurement.source}, {measurement.measured_on})"
    )
    if exact:
        return float(rate), "measured", note
    reference_peak, _ = reference.peak_flops_per_s(measurement.precision)
    target_peak, _ = target.peak_flops_per_s(settings.precision)
    forward_flops_at_reference = architecture.forward_gflops * 1e9 * (measurement.resolution_px / architecture.resolution_px) ** 2
    measured_utilization = compute.utilization_from_images_per_s(
        measurement.train_images_per_s, forward_flops_at_reference, reference_peak
    )
    fraction = _compute_bound_fraction(catalog, measured_utilization)
    scaled = compute.extrapolated_images_per_s(
        rate,
        reference_peak,
        target_peak,
        (reference.memory_bandwidth_gbs or 1.0) * 1e9,
        (target.memory_bandwidth_gbs or reference.memory_bandwidth_gbs or 1.0) * 1e9,
        fraction,
    )
    return float(scaled), "extrapolated", note + f"; scaled to {target.name} (compute-bound fraction {fraction:.2f})"


def training_compute(
    architecture: Architecture,
    n_training_images: float,
    epochs: float,
    settings: ComputeSettings,
    catalog: HardwareCatalog,
    mode: str,
) -> TrainingCompute:
    """Compute, time, cost, energy and CO2 of training ``architecture`` (``mode``: measured|flops)."""
    peak, precision_used = settings.accelerator.peak_flops_per_s(settings.precision)
    forward_flops = architecture.forward_gflops * 1e9
    utilization = None
    if mode == "measured":
        measurement = _pick_measurement(catalog.measurements(architecture.name), settings.accelerator, settings.precision)
        if measurement is None:
            raise InputError("cost_mode", f"no measured throughput for {architecture.name}; use cost_mode flops.")
        gpu_rate, source, reference = _measured_images_per_s(catalog, architecture, settings, measurement)
    else:
        utilization = settings.utilization or _utilization_of(catalog, architecture)
        gpu_rate = compute.flops_mode_images_per_s(peak, utilization, forward_flops)
        source = "flops"
        reference = f"{peak / 1e12:,.0f} TFLOP/s {precision_used} peak x utilization {utilization:.2f}"

    loader_rate = None
    if settings.loader_cores_per_gpu:  # 0 or None: data already decoded on the GPU
        loader_rate = float(compute.loader_images_per_s(settings.loader_cores_per_gpu, settings.loader_images_per_s_per_core))
    rate, bound = compute.bounded_images_per_s(gpu_rate, loader_rate)

    images_processed = n_training_images * epochs * settings.runs
    single_gpu_seconds = compute.gpu_seconds_from_throughput(images_processed, rate)
    gpu_hours = float(compute.billed_gpu_hours(single_gpu_seconds, settings.n_gpus, settings.scaling_efficiency))
    energy = float(compute.energy_kwh(gpu_hours, settings.power_w, settings.pue))
    return TrainingCompute(
        mode=mode,
        throughput_source=source,
        precision_used=precision_used,
        utilization=utilization,
        gpu_images_per_s=float(gpu_rate),
        loader_images_per_s=loader_rate,
        images_per_s=rate,
        bound=bound,
        gpu_hours=gpu_hours,
        wall_clock_hours=float(compute.wall_clock_hours(gpu_hours, settings.n_gpus)),
        compute_cost=None if settings.price_per_gpu_hour_usd is None else float(compute.compute_cost_usd(gpu_hours, settings.price_per_gpu_hour_usd)),
        energy_kwh=energy,
        co2_kg=float(compute.co2_kg(energy, settings.grid_gco2_per_kwh)),
        electricity_cost=None if settings.price_per_kwh_usd is None else float(compute.electricity_cost_usd(energy, settings.price_per_kwh_usd)),
        reference=reference,
    )


def _listed_price(scenario, catalog: HardwareCatalog, accelerator: Accelerator):
    """The listed instance that prices the job, and a note on how it was chosen.

    An explicit ``provider`` must rent the GPU in instances the job fits
    (:meth:`HardwareCatalog.default_price` says why not); a ``region`` prices from
    its cloud when that cloud rents the GPU at this size, else from the default.
    """
    if scenario.provider is not None or scenario.region is None:
        return catalog.default_price(accelerator, scenario.provider, scenario.gpus), ""
    region_provider = scenario.region.partition(":")[0].strip().lower()
    try:
        return catalog.default_price(accelerator, region_provider, scenario.gpus), ""
    except InputError as why:
        return catalog.default_price(accelerator, None, scenario.gpus), f" (region's cloud not used: {why})"


def resolve_settings(scenario, catalog: HardwareCatalog, need_price: bool) -> ComputeSettings:
    """Hardware inputs of a scenario, defaults filled from the catalog.

    Raises ``ValueError`` for an unknown GPU, provider, country or region, or when
    a price is needed and the catalog lists none for the GPU.
    """
    accelerator = catalog.find_accelerator(scenario.gpu)
    listed, price_note = _listed_price(scenario, catalog, accelerator)
    if scenario.price_per_hour is not None:
        price, price_source = scenario.price_per_hour, "given"
    elif listed is not None:
        price = listed.on_demand_usd_per_gpu_hour
        price_source = f"{listed.provider} {listed.instance} on-demand, {listed.price_date}{price_note}"
    else:
        price, price_source = None, "none listed"
        if need_price:
            raise InputError("price_per_hour",
                             f"price_per_hour is needed: the catalog lists no price for {accelerator.name}; give --price-per-hour.")
    if scenario.loader_cores is not None:
        loader_cores = scenario.loader_cores
    elif accelerator.kind == "cpu" or listed is None:
        loader_cores = None
    else:
        loader_cores = listed.vcpus_per_gpu
    grid, grid_source = catalog.grid_intensity(scenario.country, scenario.region)
    return ComputeSettings(
        accelerator=accelerator,
        n_gpus=scenario.gpus,
        precision=scenario.precision,
        utilization=scenario.utilization,
        runs=scenario.runs,
        scaling_efficiency=scenario.scaling_efficiency,
        price_per_gpu_hour_usd=price,
        price_source=price_source,
        loader_cores_per_gpu=loader_cores,
        loader_images_per_s_per_core=catalog.loader_images_per_s_per_core,
        power_w=scenario.power_w or accelerator.tdp_w,
        pue=scenario.pue or catalog.region_pue(scenario.region) or defaults()["pue"],
        grid_gco2_per_kwh=grid,
        grid_source=grid_source,
        price_per_kwh_usd=scenario.price_per_kwh,
    )
