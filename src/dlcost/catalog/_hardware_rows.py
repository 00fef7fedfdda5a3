"""The rows of the hardware catalog: accelerators, listed prices, measured throughputs."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from dlcost.core.checks import InputError

__all__ = ["Accelerator", "Price", "Throughput", "PRECISIONS", "accelerator_from", "price_from", "throughput_from",
           "normalise", "number", "MIN_TFLOPS", "MAX_TFLOPS", "MAX_MEMORY_GB", "MIN_BANDWIDTH_GBS", "MAX_BANDWIDTH_GBS",
           "MAX_POWER_W", "MAX_VCPUS", "MIN_IMAGES_PER_S", "MAX_IMAGES_PER_S", "MAX_RESOLUTION_PX", "MAX_ALIASES"]

PRECISIONS = ("bf16", "fp16", "tf32", "fp32")

# Bounds on what a user's config and saved measurements may state; the shipped rows lie far inside.
# Each is far beyond any real device and close enough that every figure derived from the largest
# inputs the schemas accept stays finite: FLOPs / (peak FLOP/s x utilization) and images / (images/s)
# stay below 1e30 s, and nothing is negative or zero where it divides.
#: Dense peak throughput of one accelerator: 1 GFLOP/s (below one CPU core) to 1 EFLOP/s
#: (about 1,000 times an H100's dense bf16). [TFLOP/s]
MIN_TFLOPS = 1e-3
MAX_TFLOPS = 1e6
#: Memory of one accelerator (a wafer-scale chip has 44 GB on chip, a GH200 node under 1 TB). [GB]
MAX_MEMORY_GB = 1e6
#: Memory bandwidth of one accelerator, for the extrapolation between GPUs (an H200 has 4,800). [GB/s]
MIN_BANDWIDTH_GBS = 1e-3
MAX_BANDWIDTH_GBS = 1e9
#: Power of one accelerator, the bound the Scenario's power_w also has (a wafer-scale system draws ~25 kW). [W]
MAX_POWER_W = 1e6
#: CPU cores of one instance, and the cores a saved loader measurement used: the Scenario's loader_cores bound. [vCPUs]
MAX_VCPUS = 100_000
#: Measured training or loader throughput: one image per 1,000 s to a billion images/s. [images/s]
MIN_IMAGES_PER_S = 1e-3
MAX_IMAGES_PER_S = 1e9
#: Input side of a measurement or a benchmark (ImageNet models use 224 to 600). [px]
MAX_RESOLUTION_PX = 100_000
#: Aliases one accelerator may list.
MAX_ALIASES = 100


_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


def normalise(name: str) -> str:
    return _NOT_ALPHANUMERIC.sub("", str(name).lower())


def number(text) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return float(text)


@dataclass(frozen=True)
class Accelerator:
    """One accelerator: dense peak throughput per precision, memory, power."""

    name: str
    aliases: tuple[str, ...]
    kind: str
    fp32_tflops: float
    tf32_tflops: float | None
    bf16_tflops: float | None
    fp16_tflops: float | None
    memory_gb: float | None
    memory_bandwidth_gbs: float | None
    tdp_w: float
    release_date: str
    source_specs: str
    notes: str

    def peak_flops_per_s(self, precision: str) -> tuple[float, str]:
        """Dense peak FLOP/s at ``precision`` and the precision it actually is.

        A chip without that format falls back: bf16 -> fp16 -> fp32 (V100 and T4
        have no bf16 tensor cores), tf32 -> fp32.
        """
        chains = {
            "bf16": ("bf16", "fp16", "fp32"),
            "fp16": ("fp16", "bf16", "fp32"),
            "tf32": ("tf32", "fp32"),
            "fp32": ("fp32",),
        }
        for candidate in chains[precision]:
            value = getattr(self, f"{candidate}_tflops")
            if value:
                return value * 1e12, candidate
        raise InputError("precision", f"precision {precision!r}: {self.name} has no peak throughput for it.")

    @property
    def supports_int8(self) -> bool:
        """int8 inference: CPUs (VNNI), and GPUs with int8 tensor cores (Turing, September 2018, and later)."""
        return self.kind != "gpu" or not self.release_date or self.release_date >= "2018-09"

    def to_dict(self) -> dict:
        record = asdict(self)
        record["aliases"] = list(self.aliases)
        return record


@dataclass(frozen=True)
class Price:
    """On-demand rental price of one GPU in a cloud instance."""

    gpu: str
    provider: str
    instance: str
    gpus_per_instance: float | None
    vcpus_per_instance: float | None
    on_demand_usd_per_gpu_hour: float
    spot_usd_per_gpu_hour: float | None
    price_date: str
    source: str

    @property
    def vcpus_per_gpu(self) -> float | None:
        if self.vcpus_per_instance and self.gpus_per_instance:
            return self.vcpus_per_instance / self.gpus_per_instance
        return None


@dataclass(frozen=True)
class Throughput:
    """A measured training throughput."""

    architecture: str
    gpu: str
    precision: str
    resolution_px: int
    batch_size: int | None
    train_images_per_s: float
    source: str
    measured_on: str
    command: str
    versions: str
    notes: str


def accelerator_from(record: dict) -> Accelerator:
    aliases = record.get("aliases", ())
    if isinstance(aliases, str):
        aliases = tuple(a.strip() for a in aliases.split(";") if a.strip())
    return Accelerator(
        name=str(record["name"]),
        aliases=tuple(aliases),
        kind=str(record.get("kind") or "gpu"),
        fp32_tflops=float(record["fp32_tflops"]),
        tf32_tflops=number(record.get("tf32_tflops")),
        bf16_tflops=number(record.get("bf16_tflops")),
        fp16_tflops=number(record.get("fp16_tflops")),
        memory_gb=number(record.get("memory_gb")),
        memory_bandwidth_gbs=number(record.get("memory_bandwidth_gbs")),
        tdp_w=float(record["tdp_w"]),
        release_date=str(record.get("release_date") or ""),
        source_specs=str(record.get("source_specs") or "user config"),
        notes=str(record.get("notes") or ""),
    )


def price_from(record: dict) -> Price:
    return Price(
        gpu=str(record["gpu"]),
        provider=str(record.get("provider") or "user"),
        instance=str(record.get("instance") or ""),
        gpus_per_instance=number(record.get("gpus_per_instance")),
        vcpus_per_instance=number(record.get("vcpus_per_instance")),
        on_demand_usd_per_gpu_hour=float(record["on_demand_usd_per_gpu_hour"]),
        spot_usd_per_gpu_hour=number(record.get("spot_usd_per_gpu_hour")),
        price_date=str(record.get("price_date") or ""),
        source=str(record.get("source") or "user config"),
    )


def throughput_from(record: dict) -> Throughput:
    return Throughput(
        architecture=record["architecture"],
        gpu=record["gpu"],
        precision=record["precision"],
        resolution_px=int(float(record["resolution_px"])),
        batch_size=int(float(record["batch_size"])) if number(record.get("batch_size")) else None,
        train_images_per_s=float(record["train_images_per_s"]),
        source=record.get("source", ""),
        measured_on=record.get("measured_on", ""),
        command=record.get("command", ""),
        versions=record.get("versions", ""),
        notes=record.get("notes", ""),
    )
