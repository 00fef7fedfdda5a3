"""GPU-hours, wall-clock, dollars, energy and CO2 of training one architecture.

Joins the hardware catalog (accelerators, prices, grid intensity, measured throughput)
with the throughput model (:mod:`dlcost.engine.throughput_model`) and the formulas of
:mod:`dlcost.core.compute`.

Modes
-----
``measured``
    Training images/s measured for the architecture: on the chosen GPU and precision when
    a measurement exists (``throughput_source = "measured"``), else scaled from one by the
    roofline (``"extrapolated from GPU PRECISION"``); an architecture never measured gets
    the roofline figure (``"flops"``) and says so.
``flops``
    The roofline alone: counted FLOPs and activations per image, the GPU's peak at the
    precision and its bandwidth (``catalog/throughput_model.toml``); with a given
    ``utilization``, images/s = peak x utilization / (3 x forward FLOPs) as in eq. (4).

Both are scaled by the software stack's factor and capped by the CPU data loader (cores
per GPU x images/s per core) unless images are decoded on the GPU, which instead adds
its decoding time to the GPU's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dlcost.catalog import Architecture, defaults
from dlcost.catalog.hardware import Accelerator, HardwareCatalog
from dlcost.core import compute
from dlcost.core.checks import InputError
from dlcost.engine.throughput_model import precision_peak, training_images_per_s

__all__ = ["ComputeSettings", "TrainingCompute", "training_compute", "has_measurement", "resolve_settings",
           "average_power_w", "DECODES"]

#: Where JPEGs are decoded: on CPU loader workers (a bound) or on the GPU (its time, no bound).
DECODES = ("cpu", "gpu")


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
    stack: str = "typical"
    decode: str = "cpu"
    power_source: str = "given"
    pue_source: str = "given"
    gpu_decode_images_per_s: float = 0.0


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


def has_measurement(catalog: HardwareCatalog, architecture: Architecture) -> bool:
    return bool(catalog.measurements(architecture.name))


def _gpu_rate(architecture: Architecture, settings: ComputeSettings, catalog: HardwareCatalog, mode: str):
    """The GPU's images/s with its decoding time when JPEGs are decoded on it, and the loader's bound."""
    rate, source, reference = training_images_per_s(architecture, settings.accelerator, settings.precision, catalog,
                                                     mode, settings.stack, settings.utilization)
    if settings.decode == "gpu":
        # Data-centre GPUs decode JPEGs on dedicated engines (NVJPG) beside the compute cores, so decoding
        # overlaps the training step: it caps the rate at its own, it does not add to the step time.
        capped = min(rate, settings.gpu_decode_images_per_s)
        note = f"; JPEGs decoded on the GPU, at most {settings.gpu_decode_images_per_s:,.0f} images/s"
        return capped, source, reference + note + (" (the bound)" if capped < rate else ""), None
    loader_rate = None
    if settings.loader_cores_per_gpu:  # 0 or None: no CPU loader bound
        loader_rate = float(compute.loader_images_per_s(settings.loader_cores_per_gpu, settings.loader_images_per_s_per_core))
    return rate, source, reference, loader_rate


def training_compute(
    architecture: Architecture,
    n_training_images: float,
    epochs: float,
    settings: ComputeSettings,
    catalog: HardwareCatalog,
    mode: str,
) -> TrainingCompute:
    """Compute, time, cost, energy and CO2 of training ``architecture`` (``mode``: measured|flops)."""
    _, precision_used = precision_peak(settings.accelerator, settings.precision)
    gpu_rate, source, reference, loader_rate = _gpu_rate(architecture, settings, catalog, mode)
    rate, bound = compute.bounded_images_per_s(gpu_rate, loader_rate)
    images_processed = n_training_images * epochs * settings.runs
    single_gpu_seconds = compute.gpu_seconds_from_throughput(images_processed, rate)
    gpu_hours = float(compute.billed_gpu_hours(single_gpu_seconds, settings.n_gpus, settings.scaling_efficiency))
    energy = float(compute.energy_kwh(gpu_hours, settings.power_w, settings.pue))
    peak, _ = precision_peak(settings.accelerator, settings.precision)
    return TrainingCompute(
        mode=mode,
        throughput_source=source,
        precision_used=precision_used,
        utilization=float(compute.utilization_from_images_per_s(gpu_rate, architecture.forward_gflops * 1e9, peak)),
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
    if scenario.decode == "gpu" and accelerator.kind != "gpu":
        raise InputError("decode", f"decode gpu needs a GPU; {accelerator.name} is a {accelerator.kind}. Use decode cpu.")
    grid, grid_source = catalog.grid_intensity(scenario.country, scenario.region)
    power, power_source = _power(scenario, accelerator)
    pue, pue_source = _pue(scenario, catalog, listed if price_source != "given" else None)
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
        power_w=power,
        pue=pue,
        grid_gco2_per_kwh=grid,
        grid_source=grid_source,
        price_per_kwh_usd=scenario.price_per_kwh,
        stack=scenario.stack,
        decode=scenario.decode,
        power_source=power_source,
        pue_source=pue_source,
        gpu_decode_images_per_s=float(defaults()["gpu_decode_images_per_s"]),
    )


def average_power_w(accelerator: Accelerator) -> tuple[float, str]:
    """Average draw of one accelerator in training: TDP x the documented fraction for its class. [W]"""
    fractions = defaults()["average_power_fraction"]
    kind = "cpu" if accelerator.kind == "cpu" else ("workstation" if accelerator.name.upper().startswith("RTX") else "datacenter")
    fraction = float(fractions[kind])
    return accelerator.tdp_w * fraction, f"{fraction:.2f} x TDP {accelerator.tdp_w:,.0f} W ({kind} average draw in training)"


def _power(scenario, accelerator: Accelerator) -> tuple[float, str]:
    """Power per GPU: given (the ML CO2 Impact identity holds with power = TDP), else the average draw; plus node overhead."""
    power, source = (scenario.power_w, "given") if scenario.power_w is not None else average_power_w(accelerator)
    if scenario.node_overhead_w:
        return power + scenario.node_overhead_w, f"{source} + node overhead {scenario.node_overhead_w:,.0f} W per GPU"
    return power, source


def _pue(scenario, catalog: HardwareCatalog, listed) -> tuple[float, str]:
    """PUE: given; the region's; a hyperscale cloud's when the job is priced on one; else the data-centre average."""
    if scenario.pue is not None:
        return scenario.pue, "given"
    regional = catalog.region_pue(scenario.region)
    if regional is not None:
        return regional, f"{scenario.region} (carbon_regions.csv)"
    table = defaults()
    if listed is not None and listed.provider.lower() in table["hyperscale_providers"]:
        return float(table["hyperscale_pue"]), f"hyperscale cloud ({listed.provider}): median of the cloud-region PUEs held"
    return float(table["pue"]), "data-centre average (Uptime Institute 2023)"
