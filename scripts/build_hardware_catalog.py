#!/usr/bin/env python3
"""Build the hardware, price, carbon and throughput data files of the dlcost catalog.

Reads the public data in ``shared/data`` (``--data-dir``, default ``../shared/data``
relative to the repository root) and writes, into ``src/dlcost/catalog/``:

- ``hardware.csv``         peak dense FLOP/s per precision, memory, bandwidth, TDP
- ``gpu_prices.csv``       cloud $/GPU-hour (on-demand, spot) per provider/instance
- ``carbon_countries.csv`` grid carbon intensity per country (gCO2/kWh)
- ``carbon_regions.csv``   carbon intensity (and PUE where known) per cloud region
- ``throughput.csv``       measured training images/s (timm, RTX 3090, AMP)

Every number comes from a file in ``shared/data`` except the datasheet values in
``HAND_ENTERED`` below, each with its source string. The output is deterministic:
rows are sorted and floats are written with a fixed format, so re-running the script
on the same inputs gives byte-identical files (``--check`` verifies that).

Usage::

    python scripts/build_hardware_catalog.py [--data-dir ../shared/data] [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
DEFAULT_OUT_DIR = REPO / "src" / "dlcost" / "catalog"

EPOCH_CREDIT = "Epoch AI, 'Machine Learning Hardware' data set (CC BY 4.0)"
EPOCH_PRICES_CREDIT = "Epoch AI, training-cost-trends data/Hardware prices.csv (CC BY 4.0)"
FSDL_CREDIT = "Full Stack Deep Learning cloud-gpus.csv 2025-03 (MIT)"

HARDWARE_COLUMNS = [
    "name", "aliases", "kind", "fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops",
    "memory_gb", "memory_bandwidth_gbs", "tdp_w", "release_date", "source_specs", "notes",
]
PRICE_COLUMNS = [
    "gpu", "provider", "instance", "gpus_per_instance", "vcpus_per_instance",
    "on_demand_usd_per_gpu_hour", "spot_usd_per_gpu_hour", "price_date", "source",
]
COUNTRY_COLUMNS = ["iso3", "country", "gco2_per_kwh", "year", "source"]
REGION_COLUMNS = ["provider", "region", "country_iso3", "gco2_per_kwh", "pue", "source"]
THROUGHPUT_COLUMNS = [
    "architecture", "gpu", "precision", "resolution_px", "batch_size", "train_images_per_s",
    "source", "measured_on", "command", "versions", "notes",
]

SPEC_FIELDS = [
    "fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops",
    "memory_gb", "memory_bandwidth_gbs", "tdp_w", "release_date",
]

# --------------------------------------------------------------------------------------
# Hardware: which Epoch row each entry takes its numbers from, its aliases, and the
# values that Epoch lacks or reports as something other than a dense peak.
# --------------------------------------------------------------------------------------

# Epoch column -> (our field, scale). Tensor-FP16/BF16 is split into bf16/fp16 per entry.
EPOCH_FP32 = "FP32 (single precision) performance (FLOP/s)"
EPOCH_FP16 = "FP16 (half precision) performance (FLOP/s)"
EPOCH_TF32 = "TF32 (TensorFloat-32) performance (FLOP/s)"
EPOCH_TENSOR16 = "Tensor-FP16/BF16 performance (FLOP/s)"
EPOCH_MEMORY = "Memory size per board (Byte)"
EPOCH_BANDWIDTH = "Memory bandwidth (byte/s)"
EPOCH_TDP = "TDP (W)"
EPOCH_DATE = "Release date"

# Each entry: name, kind, epoch (row name in epoch/ml_hardware.csv or None), aliases,
# epoch_fields (our field -> Epoch column to read), notes.
HARDWARE = [
    {
        "name": "T4",
        "kind": "gpu",
        "epoch": "NVIDIA Tesla T4",
        "aliases": ["t4", "tesla t4", "nvidia t4", "nvidia tesla t4", "t4-16gb"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "memory_gb": EPOCH_MEMORY,
                         "memory_bandwidth_gbs": EPOCH_BANDWIDTH, "tdp_w": EPOCH_TDP,
                         "release_date": EPOCH_DATE},
        "notes": "Turing: no TF32/BF16 (empty; code falls back to fp32/fp16). fp16 = tensor-core "
                 "mixed precision (FP16 multiply, FP32 accumulate). Epoch's FP16 column holds "
                 "65.13 (the same tensor figure computed from the 1590 MHz boost clock); "
                 "non-tensor FP16 is 16.3.",
    },
    {
        "name": "L4",
        "kind": "gpu",
        "epoch": "NVIDIA L4",
        "aliases": ["l4", "nvidia l4", "l4-24gb"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "bf16_tflops": EPOCH_TENSOR16, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "Tensor figures are dense: Epoch halved the datasheet's sparse 120 (TF32) and "
                 "242 (FP16/BF16) TFLOPS.",
    },
    {
        "name": "A10G",
        "kind": "gpu",
        "epoch": "NVIDIA A10G",
        "aliases": ["a10g", "nvidia a10g", "a10g-24gb"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "memory_gb": EPOCH_MEMORY,
                         "memory_bandwidth_gbs": EPOCH_BANDWIDTH, "tdp_w": EPOCH_TDP,
                         "release_date": EPOCH_DATE},
        "notes": "AWS-only GA102 variant (EC2 G5); NVIDIA publishes no A10G datasheet. Tensor "
                 "figures (TF32 35, FP16/BF16 70 dense, FP32 accumulate) are the AWS/NVIDIA "
                 "A10G spec as widely reproduced; they match 80 SMs x 4 tensor cores at "
                 "1710 MHz at the GeForce rate (80*4*1.71e9*128 FLOP = 70.0 TFLOPS). "
                 "UNCERTAIN: the NVIDIA A10 (not G) datasheet gives 62.5 TF32 / 125 FP16 dense. "
                 "fp32 31.5 is Epoch's (TechPowerUp, 9216 cores); an 80-SM part would be 35.0.",
    },
    {
        "name": "V100",
        "kind": "gpu",
        "epoch": "NVIDIA Tesla V100 SXM2",
        "aliases": ["v100", "tesla v100", "nvidia v100", "nvidia tesla v100", "v100-sxm2",
                    "v100 sxm2 16gb", "v100-16gb", "v100-32gb", "tesla v100-sxm2-16gb"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "SXM2 16 GB. Volta: no TF32/BF16 (empty). fp16 = tensor-core FP16 with FP32 "
                 "accumulate (datasheet 125 TFLOPS). The PCIe card is 14 / 112 TFLOPS at 250 W; "
                 "32 GB variants have the same compute. Price rows include 32 GB instances.",
    },
    {
        "name": "A100-40GB",
        "kind": "gpu",
        "epoch": "NVIDIA A100 SXM4 40 GB",
        "aliases": ["a100-40gb", "a100 40gb", "a100-40", "a100-sxm4-40gb", "a100 sxm4 40gb",
                    "nvidia a100 40gb", "a100-40g"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "bf16_tflops": EPOCH_TENSOR16, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "SXM4 40 GB. Dense tensor figures (datasheet 312 BF16/FP16, 156 TF32; 624/312 "
                 "with sparsity). NVIDIA's datasheet gives 1,555 GB/s; Epoch 1,560.",
    },
    {
        "name": "A100-80GB",
        "kind": "gpu",
        "epoch": "NVIDIA A100 SXM4 80 GB",
        "aliases": ["a100", "nvidia a100", "a100-80gb", "a100 80gb", "a100-80", "a100-sxm4-80gb",
                    "a100 sxm4 80gb", "a100-sxm", "nvidia a100 80gb", "a100-80g"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "bf16_tflops": EPOCH_TENSOR16, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "SXM4 80 GB; plain 'a100' maps here (the common cloud A100 today). Dense "
                 "tensor figures. Some price rows are the PCIe 80 GB card (1,935 GB/s, 300 W, "
                 "same peak FLOP/s), e.g. Azure NC A100 v4.",
    },
    {
        "name": "H100",
        "kind": "gpu",
        "epoch": "NVIDIA H100 SXM5 80GB",
        "aliases": ["h100", "nvidia h100", "h100-sxm", "h100 sxm5", "h100-sxm5", "h100-sxm5-80gb",
                    "h100 80gb", "h100-hgx", "h100 hgx", "nvidia h100 sxm"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "bf16_tflops": EPOCH_TENSOR16, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "SXM5 80 GB; plain 'h100' maps here. Dense (Epoch: 'without sparsity'): BF16 "
                 "989.4 vs the datasheet's 1,979 with sparsity. Price rows whose listing does "
                 "not name the form factor are counted as SXM.",
    },
    {
        "name": "H100-PCIe",
        "kind": "gpu",
        "epoch": "NVIDIA H100 PCIe",
        "aliases": ["h100-pcie", "h100 pcie", "h100-pcie-80gb", "nvidia h100 pcie", "h100pcie"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "bf16_tflops": EPOCH_TENSOR16, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "PCIe 80 GB. Dense (Epoch: 'without sparsity'; datasheet 1,513 BF16 sparse). "
                 "Epoch's FP16 column (204.9) is the non-tensor rate and is not used.",
    },
    {
        "name": "H200",
        "kind": "gpu",
        "epoch": "NVIDIA H200 SXM",
        "aliases": ["h200", "nvidia h200", "h200-sxm", "h200 sxm", "h200-141gb", "h200 141gb"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "bf16_tflops": EPOCH_TENSOR16, "fp16_tflops": EPOCH_TENSOR16,
                         "memory_bandwidth_gbs": EPOCH_BANDWIDTH, "tdp_w": EPOCH_TDP,
                         "release_date": EPOCH_DATE},
        "notes": "SXM 141 GB HBM3e; same GH100 compute as H100 SXM (dense BF16 989.5; 1,979 "
                 "sparse). Memory size is not in Epoch's row (datasheet value).",
    },
    {
        "name": "L40S",
        "kind": "gpu",
        "epoch": None,
        "aliases": ["l40s", "nvidia l40s", "l40s-48gb"],
        "epoch_fields": {},
        "notes": "Not in Epoch's hardware table (only the L40). Dense = half the datasheet's "
                 "sparse 366 (TF32) / 733 (FP16, BF16) TFLOPS. TDP 350 W also in "
                 "mlco2/impact gpus.csv.",
    },
    {
        "name": "RTX3090",
        "kind": "gpu",
        "epoch": "NVIDIA GeForce RTX 3090",
        "aliases": ["rtx3090", "rtx 3090", "geforce rtx 3090", "nvidia geforce rtx 3090",
                    "3090", "rtx-3090"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "memory_gb": EPOCH_MEMORY,
                         "memory_bandwidth_gbs": EPOCH_BANDWIDTH, "tdp_w": EPOCH_TDP,
                         "release_date": EPOCH_DATE},
        "notes": "GeForce: tensor FP16/BF16 with FP32 accumulate runs at half the FP16-accumulate "
                 "rate (142 dense). The FP32-accumulate figure (71) is the one PyTorch AMP "
                 "reaches, so it is the peak here. Epoch has no tensor figures for this card.",
    },
    {
        "name": "RTX4090",
        "kind": "gpu",
        "epoch": "NVIDIA GeForce RTX 4090",
        "aliases": ["rtx4090", "rtx 4090", "geforce rtx 4090", "nvidia geforce rtx 4090",
                    "4090", "rtx-4090"],
        "epoch_fields": {"fp32_tflops": EPOCH_FP32, "tf32_tflops": EPOCH_TF32,
                         "memory_gb": EPOCH_MEMORY, "memory_bandwidth_gbs": EPOCH_BANDWIDTH,
                         "tdp_w": EPOCH_TDP, "release_date": EPOCH_DATE},
        "notes": "GeForce: fp16/bf16 = tensor with FP32 accumulate, dense (165.2). Epoch's "
                 "Tensor-FP16/BF16 value (330) is the FP16-accumulate dense rate and is not "
                 "used. timm's RTX 4090 AMP inference reaches up to ~78% of 165.2, "
                 "consistent with this peak.",
    },
    {
        "name": "RTX5090",
        "kind": "gpu",
        "epoch": None,
        "aliases": ["rtx5090", "rtx 5090", "geforce rtx 5090", "nvidia geforce rtx 5090",
                    "5090", "rtx-5090"],
        "epoch_fields": {},
        "notes": "Not in Epoch's table. fp16/bf16 = tensor with FP32 accumulate, dense (209.5; "
                 "419 with FP16 accumulate or with sparsity). UNCERTAIN from memory of the "
                 "whitepaper; consistent with timm's inference benchmarks, where compute-bound "
                 "ViTs run ~1.2x faster on the RTX 5090 than on the RTX 4090 (165.2).",
    },
    {
        "name": "CPU-EPYC-9654",
        "kind": "cpu",
        "epoch": None,
        "aliases": ["cpu", "epyc 9654", "amd epyc 9654", "epyc-9654", "epyc genoa", "genoa"],
        "epoch_fields": {},
        "notes": "One socket, AMD EPYC 9654 (Zen 4 'Genoa', 96 cores). No CPU is in Epoch's "
                 "table. fp32 = 96 cores x 2.4 GHz base x 32 FP32 FLOP/cycle (two 256-bit FMA "
                 "pipes: 2 x 8 lanes x 2 FLOP; AVX-512 is double-pumped) = 7.37 TFLOPS; at the "
                 "3.55 GHz all-core boost it would be 10.9. bf16/fp16 left empty (falls back to "
                 "fp32). memory_gb empty (system memory depends on the machine); bandwidth = "
                 "12 channels x DDR5-4800 x 8 B = 460.8 GB/s. tdp = default TDP (cTDP 320-400 W).",
    },
]

NVIDIA_DC_DATASHEET = "NVIDIA Tensor Core GPU datasheet"
HAND_ENTERED = {
    # name -> field -> (value, source)
    "T4": {
        "fp16_tflops": (65.0, "NVIDIA T4 Tensor Core GPU datasheet (t4-tensor-core-datasheet-951643): "
                              "Mixed Precision (FP16/FP32) 65 TFLOPS"),
    },
    "A10G": {
        "tf32_tflops": (35.0, "AWS EC2 G5 / NVIDIA A10G spec as tabulated by Baseten, 'NVIDIA A10 vs "
                              "A10G for ML model inference' (2023): TF32 tensor 35 TFLOPS dense"),
        "bf16_tflops": (70.0, "same: BF16 tensor 70 TFLOPS dense"),
        "fp16_tflops": (70.0, "same: FP16 tensor 70 TFLOPS dense"),
    },
    "H200": {
        "memory_gb": (141.0, "NVIDIA H200 Tensor Core GPU datasheet (SC23, nvdam.widen.net/s/"
                             "nb5zzzsjdf): GPU memory 141 GB"),
    },
    "RTX3090": {
        "tf32_tflops": (35.6, "NVIDIA Ampere GA102 GPU Architecture whitepaper V1 (2020), GeForce "
                              "RTX 3090 specifications: Peak TF32 Tensor TFLOPS 35.6/71 (dense/sparse)"),
        "bf16_tflops": (71.0, "same: Peak BF16 Tensor TFLOPS with FP32 Accumulate 71/142"),
        "fp16_tflops": (71.0, "same: Peak FP16 Tensor TFLOPS with FP32 Accumulate 71/142 "
                              "(142/284 with FP16 accumulate)"),
    },
    "RTX4090": {
        "bf16_tflops": (165.2, "NVIDIA Ada GPU Architecture whitepaper v2.1, GeForce RTX 4090 "
                               "specifications: Peak BF16 Tensor TFLOPS with FP32 Accumulate 165.2/330.4"),
        "fp16_tflops": (165.2, "same: Peak FP16 Tensor TFLOPS with FP32 Accumulate 165.2/330.4 "
                               "(330.3/660.6 with FP16 accumulate)"),
    },
    "RTX5090": {
        "fp32_tflops": (104.8, "NVIDIA RTX Blackwell GPU Architecture whitepaper (2025), GeForce RTX "
                               "5090 specifications: Peak FP32 TFLOPS (non-tensor) 104.8 "
                               "(21,760 CUDA cores x 2 x 2.407 GHz boost)"),
        "tf32_tflops": (104.8, "same: Peak TF32 Tensor TFLOPS 104.8/209.5 (dense/sparse)"),
        "bf16_tflops": (209.5, "same: Peak BF16 Tensor TFLOPS with FP32 Accumulate 209.5/419"),
        "fp16_tflops": (209.5, "same: Peak FP16 Tensor TFLOPS with FP32 Accumulate 209.5/419"),
        "memory_gb": (32.0, "same: 32 GB GDDR7"),
        "memory_bandwidth_gbs": (1792.0, "same: 28 Gbps x 512-bit = 1,792 GB/s"),
        "tdp_w": (575.0, "same: total graphics power 575 W"),
        "release_date": ("2025-01-30", "NVIDIA GeForce RTX 5090 retail availability, 2025-01-30"),
    },
    "L40S": {
        "fp32_tflops": (91.6, "NVIDIA L40S datasheet (resources.nvidia.com/en-us-l40s/"
                              "l40s-datasheet-28413): FP32 91.6 TFLOPS"),
        "tf32_tflops": (183.0, "same: TF32 Tensor Core 183/366* TFLOPS (*with sparsity)"),
        "bf16_tflops": (362.05, "same: BF16 Tensor Core 362.05/733* TFLOPS"),
        "fp16_tflops": (362.05, "same: FP16 Tensor Core 362.05/733* TFLOPS"),
        "memory_gb": (48.0, "same: 48 GB GDDR6 with ECC"),
        "memory_bandwidth_gbs": (864.0, "same: 864 GB/s"),
        "tdp_w": (350.0, "same: max power consumption 350 W (also mlco2/impact data/gpus.csv)"),
        "release_date": ("2023-08-08", "NVIDIA announcement of the L40S at SIGGRAPH, 2023-08-08"),
    },
    "CPU-EPYC-9654": {
        "fp32_tflops": (7.3728, "AMD EPYC 9654 product page: 96 cores, base 2.4 GHz; AMD Zen 4 "
                                "microarchitecture: 2 x 256-bit FMA pipes = 32 FP32 FLOP/cycle/core; "
                                "96 x 2.4e9 x 32 = 7.3728e12"),
        "memory_bandwidth_gbs": (460.8, "AMD EPYC 9654 product page: 12 channels DDR5-4800 "
                                        "(12 x 4.8e9 x 8 B)"),
        "tdp_w": (360.0, "AMD EPYC 9654 product page: default TDP 360 W"),
        "release_date": ("2022-11-10", "AMD EPYC 9004 'Genoa' launch, 2022-11-10"),
    },
}

LABELS = {
    "fp32_tflops": "fp32", "tf32_tflops": "tf32", "bf16_tflops": "bf16", "fp16_tflops": "fp16",
    "memory_gb": "memory", "memory_bandwidth_gbs": "bandwidth", "tdp_w": "tdp",
    "release_date": "release date",
}
REQUIRED_HARDWARE = ["name", "aliases", "kind", "fp32_tflops", "tdp_w", "release_date",
                     "source_specs"]

# --------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------

FSDL_GPU_MAP = {
    "A100 (80 GB)": ("A100-80GB", None),
    "A100 (40 GB)": ("A100-40GB", None),
    "V100 (16 GB)": ("V100", None),
    "V100 (32 GB)": ("V100", "V100 32 GB"),
    "T4 (16 GB)": ("T4", None),
    "A10G (24 GB)": ("A10G", None),
    "H100 (80 GB)": ("H100", "form factor not given, counted as SXM"),
    "H100 HGX (80GB)": ("H100", None),
    "H100 PCIe (80GB)": ("H100-PCIe", None),
    "L4 (24 GB)": ("L4", None),
}

EPOCH_PRICE_GPU_MAP = {
    # Epoch 'Hardware model' -> our name, only for GPUs absent from cloud-gpus.csv.
    "NVIDIA H200 SXM": "H200",
    "NVIDIA GeForce RTX 3090": "RTX3090",
    "NVIDIA GeForce RTX 4090": "RTX4090",
    "NVIDIA L40S": "L40S",
}

PROVIDERS = {
    "AWS": "aws", "Amazon Web Services": "aws",
    "GCP": "gcp", "Google Cloud": "gcp",
    "Azure": "azure", "Microsoft Azure": "azure",
    "Lambda": "lambda", "Lambda Labs": "lambda",
    "Oracle Cloud": "oracle", "OVHcloud": "ovhcloud",
    "Oblivus Cloud": "oblivus", "Cudo Compute": "cudo",
    "RunPod": "runpod", "vast.ai": "vast.ai", "Salad": "salad",
    "Datacrunch": "datacrunch", "FluidStack": "fluidstack",
    "NovoNimbus": "novonimbus", "Paperspace": "paperspace",
    "Jarvislabs": "jarvislabs", "CR8DL": "cr8dl", "Dataoorts": "dataoorts",
    "Exoscale": "exoscale", "Latitude.sh": "latitude.sh",
}

# --------------------------------------------------------------------------------------
# Carbon
# --------------------------------------------------------------------------------------

# Country names in the region files that differ from the energy-mix json's country_name.
COUNTRY_SYNONYMS = {
    "USA": "USA", "United States": "USA", "South Korea": "KOR", "Korea": "KOR",
    "Hong Kong": "HKG", "Taiwan": "TWN", "Russia": "RUS",
}
# Obvious typos in region names of the source files.
REGION_FIXES = {("gcp", "me-cenrtal1"): "me-central1"}
MLCO2_PROVIDERS = ("aws", "azure", "gcp")

# --------------------------------------------------------------------------------------
# Throughput
# --------------------------------------------------------------------------------------

TIMM_TRAIN_FILE = "benchmark-train-amp-nchw-pt112-cu113-rtx3090.csv"


def normalise(name: str) -> str:
    """Same rule as dlcost.catalog: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def fmt(value: float | None, digits: int = 3) -> str:
    """Fixed float format: at most ``digits`` decimals, no trailing zeros."""
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def to_float(text: str | None) -> float | None:
    if text is None:
        return None
    text = text.strip()
    if not text or text.lower() in {"nan", "unk", "inf"}:
        return None
    return float(text)


def write_csv(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


def build_hardware(data: Path) -> list[dict]:
    epoch = {row["Hardware name"]: row for row in read_csv(data / "epoch" / "ml_hardware.csv")}
    scale = {"fp32_tflops": 1e12, "tf32_tflops": 1e12, "bf16_tflops": 1e12, "fp16_tflops": 1e12,
             "memory_gb": 1e9, "memory_bandwidth_gbs": 1e9, "tdp_w": 1.0}
    digits = {"fp32_tflops": 3, "tf32_tflops": 3, "bf16_tflops": 3, "fp16_tflops": 3,
              "memory_gb": 1, "memory_bandwidth_gbs": 1, "tdp_w": 0}
    rows = []
    for entry in HARDWARE:
        values: dict[str, object] = {}
        sources: list[str] = []
        if entry["epoch"]:
            record = epoch[entry["epoch"]]
            used = []
            for field, column in entry["epoch_fields"].items():
                raw = record[column].strip()
                if not raw:
                    raise SystemExit(f"{entry['name']}: Epoch row {entry['epoch']!r} has no {column}")
                values[field] = raw[:10] if field == "release_date" else float(raw) / scale[field]
                used.append(LABELS[field])
            link = record["Link to datasheet"].split()[0].rstrip(";") if record["Link to datasheet"].strip() else ""
            sources.append(f"{EPOCH_CREDIT}, row '{entry['epoch']}' ({', '.join(used)})"
                           + (f"; Epoch's datasheet link {link}" if link else ""))
        for field, (value, source) in HAND_ENTERED.get(entry["name"], {}).items():
            if field in values:
                raise SystemExit(f"{entry['name']}: {field} is both read from Epoch and hand-entered")
            values[field] = value
            sources.append(f"{LABELS[field]}: {source}")
        row = {
            "name": entry["name"],
            "aliases": ";".join(entry["aliases"]),
            "kind": entry["kind"],
            "release_date": values.get("release_date", ""),
            "source_specs": " | ".join(sources),
            "notes": entry["notes"],
        }
        for field in scale:
            value = values.get(field)
            row[field] = fmt(value, digits[field]) if value is not None else ""
        rows.append(row)
    rows.sort(key=lambda r: (r["kind"] != "gpu", r["name"]))
    return rows


def _vcpus(text: str) -> tuple[str, str]:
    """(integer string, note) from a vCPU cell that may be a range like '20-26'."""
    text = text.strip()
    if not text:
        return "", ""
    if "-" in text:
        low = text.split("-")[0]
        return str(int(low)), f"vCPUs listed as {text}, lower bound kept"
    return str(int(text)), ""


def build_prices(data: Path, hardware_names: set[str]) -> list[dict]:
    rows: dict[tuple, dict] = {}
    for record in read_csv(data / "cloud_prices" / "cloud-gpus.csv"):
        mapped = FSDL_GPU_MAP.get(record["GPU Type"].strip())
        if mapped is None:
            continue
        gpu, mapping_note = mapped
        gpus = int(record["GPUs"])
        on_demand = float(record["On-demand"])
        spot = to_float(record["Spot"])
        vcpus, vcpu_note = _vcpus(record["vCPUs"])
        instance = record["Name"].strip() or f"{gpus}x {record['GPU Type'].strip()}"
        notes = [f"GPU Type '{record['GPU Type'].strip()}'"]
        if mapping_note:
            notes.append(mapping_note)
        if vcpu_note:
            notes.append(vcpu_note)
        if spot is not None:
            notes.append("spot = instance spot price / GPUs")
        row = {
            "gpu": gpu,
            "provider": PROVIDERS.get(record["Cloud"].strip(), record["Cloud"].strip().lower()),
            "instance": instance,
            "gpus_per_instance": str(gpus),
            "vcpus_per_instance": vcpus,
            "on_demand_usd_per_gpu_hour": fmt(on_demand / gpus, 4),
            "spot_usd_per_gpu_hour": fmt(spot / gpus, 4) if spot is not None else "",
            "price_date": "2025-03",
            "source": f"{FSDL_CREDIT}: {'; '.join(notes)}",
        }
        key = (row["gpu"], row["provider"], row["instance"], row["gpus_per_instance"],
               row["vcpus_per_instance"], row["on_demand_usd_per_gpu_hour"])
        rows.setdefault(key, row)  # the FSDL file lists a few instances twice

    # Epoch: on-demand cloud rows for GPUs that cloud-gpus.csv lacks; latest per listing.
    latest: dict[tuple, dict] = {}
    for record in read_csv(data / "epoch" / "hardware_prices.csv"):
        gpu = EPOCH_PRICE_GPU_MAP.get(record["Hardware model"].strip())
        price = to_float(record["Price per chip-hour (on-demand)"])
        vendor = record["Vendor"].strip()
        if gpu is None or price is None or not vendor:
            continue
        n = record["Number of GPUs"].strip() or "1"  # no count: a price per single GPU
        description = " ".join(record["Cloud GPU description"].split())
        if not description or description.startswith("http"):
            description = f"{n}x {gpu}" + ("" if record["Number of GPUs"].strip() else " (per-GPU listing)")
        provider = PROVIDERS.get(vendor, vendor.lower())
        key = (gpu, provider, description)
        row = {
            "gpu": gpu,
            "provider": provider,
            "instance": description,
            "gpus_per_instance": n,
            "vcpus_per_instance": (lambda m: m.group(1) if m else "")(
                re.search(r"(\d+) vCPU", description)),
            "on_demand_usd_per_gpu_hour": fmt(price, 4),
            "spot_usd_per_gpu_hour": "",
            "price_date": record["Price date"].strip(),
            "source": (f"{EPOCH_PRICES_CREDIT}: row '{record['Hardware model'].strip()}', "
                       f"{vendor}, {record['Price date'].strip()}; listing {record['Price source'].strip()}"),
        }
        if key not in latest or row["price_date"] > latest[key]["price_date"]:
            latest[key] = row
    out = list(rows.values()) + list(latest.values())
    for row in out:
        if row["gpu"] not in hardware_names:
            raise SystemExit(f"price row for unknown GPU {row['gpu']}")
    out.sort(key=lambda r: (r["gpu"], r["provider"], int(r["gpus_per_instance"] or 0),
                            r["instance"], float(r["on_demand_usd_per_gpu_hour"]), r["price_date"]))
    return out


def _energy_mix(data: Path) -> dict:
    with (data / "carbon" / "global_energy_mix.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def build_countries(data: Path) -> list[dict]:
    rows = []
    for iso3, record in _energy_mix(data).items():
        intensity = record.get("carbon_intensity")
        if intensity is None or float(intensity) <= 0:
            continue  # no carbon intensity (Central African Republic has 0.0: no data)
        rows.append({
            "iso3": iso3,
            "country": record["country_name"],
            "gco2_per_kwh": fmt(float(intensity), 3),
            "year": str(record["year"]),
            "source": "codecarbon 3.3.2 data/private_infra/global_energy_mix.json (MIT), "
                      "from Our World in Data energy data",
        })
    rows.sort(key=lambda r: r["iso3"])
    # The default when no country or region is given: the generation-weighted
    # mean over the same countries (sum of intensity x TWh generated / TWh).
    mix = _energy_mix(data)
    weighted = [(float(mix[r["iso3"]]["carbon_intensity"]), float(mix[r["iso3"]].get("total_TWh") or 0)) for r in rows]
    total_twh = sum(twh for _, twh in weighted)
    rows.append({
        "iso3": "WORLD",
        "country": "World (generation-weighted mean of the countries above)",
        "gco2_per_kwh": fmt(sum(ci * twh for ci, twh in weighted) / total_twh, 3),
        "year": max(r["year"] for r in rows),
        "source": "derived by scripts/build_hardware_catalog.py from codecarbon 3.3.2 "
                  "global_energy_mix.json (MIT): sum(carbon_intensity x total_TWh) / sum(total_TWh)",
    })
    return rows


def build_regions(data: Path) -> list[dict]:
    name_to_iso = {record["country_name"]: iso for iso, record in _energy_mix(data).items()}
    name_to_iso.update(COUNTRY_SYNONYMS)

    mlco2 = [r for r in read_csv(data / "carbon" / "cloud_region_impact_mlco2.csv")
             if r["provider"].strip() in MLCO2_PROVIDERS]
    mlco2_pue = {(r["provider"].strip(), r["region"].strip()): to_float(r["PUE"]) for r in mlco2}

    rows: dict[tuple, dict] = {}
    for record in read_csv(data / "carbon" / "gcp_region_impact.csv"):
        provider = record["provider"].strip()
        raw_region = record["region"].strip()
        region = REGION_FIXES.get((provider, raw_region), raw_region)
        pue = mlco2_pue.get((provider, region))
        source = "codecarbon 3.3.2 data/cloud/impact.csv (MIT), from Google's region carbon data"
        if region != raw_region:
            source += f" (region spelled '{raw_region}' there)"
        if pue is not None:
            source += "; PUE from mlco2/impact data/impact.csv (MIT)"
        rows[(provider, region)] = {
            "provider": provider,
            "region": region,
            "country_iso3": record["countryIsoCode"].strip(),
            "gco2_per_kwh": fmt(float(record["impact"]), 1),
            "pue": fmt(pue, 2) if pue is not None else "",
            "source": source,
        }
    for record in mlco2:
        provider = record["provider"].strip()
        region = record["region"].strip()
        if (provider, region) in rows:
            continue
        country = record["country"].strip()
        iso3 = name_to_iso.get(country, "")
        pue = to_float(record["PUE"])
        origin = " ".join(record["source"].split())
        rows[(provider, region)] = {
            "provider": provider,
            "region": region,
            "country_iso3": iso3,
            "gco2_per_kwh": fmt(float(record["impact"]), 1),
            "pue": fmt(pue, 2) if pue is not None else "",
            "source": "mlco2/impact data/impact.csv (MIT)" + (f"; their source: {origin}" if origin else ""),
        }
    return sorted(rows.values(), key=lambda r: (r["provider"], r["region"]))


def build_throughput(data: Path, repo: Path) -> list[dict]:
    catalog = read_csv(repo / "src" / "dlcost" / "catalog" / "architectures.csv")
    bench = {r["model"]: r for r in read_csv(data / "timm" / TIMM_TRAIN_FILE)}
    rows = []
    for arch in catalog:
        model = arch["timm_name"].strip()
        if not model or model not in bench:
            continue
        record = bench[model]
        size = int(record["train_img_size"])
        notes = [f"timm model {model}", f"train_step_time {record['train_step_time']} ms per batch",
                 f"param_count {record['param_count']} M"]
        if size != int(arch["resolution_px"]):
            notes.append(f"benchmark size {size} px differs from the catalog's native "
                         f"{arch['resolution_px']} px")
        rows.append({
            "architecture": arch["name"],
            "gpu": "RTX3090",
            "precision": "fp16",
            "resolution_px": str(size),
            "batch_size": str(int(record["train_batch_size"])),
            "train_images_per_s": fmt(float(record["train_samples_per_sec"]), 2),
            "source": f"timm results/{TIMM_TRAIN_FILE} (Apache-2.0)",
            "measured_on": "2022",
            "command": "timm benchmark.py --amp (train)",
            "versions": "PyTorch 1.12, CUDA 11.3, timm",
            "notes": "; ".join(notes),
        })
    rows.sort(key=lambda r: (r["architecture"], r["gpu"], r["precision"], int(r["resolution_px"])))
    return rows


# --------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------


def check(outputs: dict[str, str], repo: Path) -> list[str]:
    """Sanity checks on the generated text; returns a list of problems."""
    problems: list[str] = []

    def rows_of(name: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(outputs[name])))

    hardware = rows_of("hardware.csv")
    names = {r["name"] for r in hardware}
    seen: dict[str, str] = {}
    for row in hardware:
        for column in REQUIRED_HARDWARE:
            if not row[column].strip():
                problems.append(f"hardware {row['name']}: empty {column}")
        if row["kind"] not in ("gpu", "cpu"):
            problems.append(f"hardware {row['name']}: kind {row['kind']!r}")
        if row["kind"] == "gpu":
            for column in ("fp16_tflops", "memory_gb", "memory_bandwidth_gbs"):
                if not row[column].strip():
                    problems.append(f"hardware {row['name']}: empty {column}")
        for column in ("fp32_tflops", "tf32_tflops", "bf16_tflops", "fp16_tflops", "memory_gb",
                       "memory_bandwidth_gbs", "tdp_w"):
            if row[column].strip() and float(row[column]) <= 0:
                problems.append(f"hardware {row['name']}: {column} not positive")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["release_date"]):
            problems.append(f"hardware {row['name']}: release_date {row['release_date']!r}")
        for key in [row["name"], *row["aliases"].split(";")]:
            if key != key.strip() or (key != row["name"] and key != key.lower()):
                problems.append(f"hardware {row['name']}: alias {key!r} not trimmed lower case")
            norm = normalise(key)
            if norm in seen and seen[norm] != row["name"]:
                problems.append(f"alias {key!r} maps to {seen[norm]} and {row['name']}")
            seen[norm] = row["name"]
        # dense check: tensor bf16 never more than 40x fp32 (sparse H100 would be 29.6x; guard)
        if row["bf16_tflops"] and row["name"].startswith("H1") and float(row["bf16_tflops"]) > 1000:
            problems.append(f"hardware {row['name']}: bf16 looks sparse")

    for row in rows_of("gpu_prices.csv"):
        if row["gpu"] not in names:
            problems.append(f"price: unknown gpu {row['gpu']}")
        for column in ("gpu", "provider", "instance", "on_demand_usd_per_gpu_hour", "price_date",
                       "source"):
            if not row[column].strip():
                problems.append(f"price {row}: empty {column}")
        if float(row["on_demand_usd_per_gpu_hour"]) <= 0:
            problems.append(f"price {row}: non-positive")
        if row["provider"] != row["provider"].lower():
            problems.append(f"price {row}: provider not lower case")

    isos = set()
    for row in rows_of("carbon_countries.csv"):
        if not row["iso3"] or float(row["gco2_per_kwh"]) <= 0 or not row["year"]:
            problems.append(f"country {row}")
        if row["iso3"] in isos:
            problems.append(f"country {row['iso3']} twice")
        isos.add(row["iso3"])
    regions = set()
    for row in rows_of("carbon_regions.csv"):
        key = (row["provider"], row["region"])
        if key in regions:
            problems.append(f"region {key} twice")
        regions.add(key)
        if not row["region"] or float(row["gco2_per_kwh"]) <= 0:
            problems.append(f"region {row}")
        if row["pue"] and not 1.0 <= float(row["pue"]) < 3.0:
            problems.append(f"region {row}: pue")

    arch_names = {r["name"] for r in read_csv(repo / "src" / "dlcost" / "catalog" / "architectures.csv")}
    for row in rows_of("throughput.csv"):
        if row["architecture"] not in arch_names:
            problems.append(f"throughput: unknown architecture {row['architecture']}")
        if row["gpu"] not in names:
            problems.append(f"throughput: unknown gpu {row['gpu']}")
        if float(row["train_images_per_s"]) <= 0 or int(row["batch_size"]) <= 0:
            problems.append(f"throughput {row}: non-positive")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="shared data folder (default: ../shared/data from the repo root)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="where to write the CSVs (default: src/dlcost/catalog)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a file differs from what would be written")
    args = parser.parse_args(argv)
    data = args.data_dir.resolve()

    hardware = build_hardware(data)
    outputs = {
        "hardware.csv": write_csv(HARDWARE_COLUMNS, hardware),
        "gpu_prices.csv": write_csv(PRICE_COLUMNS, build_prices(data, {r["name"] for r in hardware})),
        "carbon_countries.csv": write_csv(COUNTRY_COLUMNS, build_countries(data)),
        "carbon_regions.csv": write_csv(REGION_COLUMNS, build_regions(data)),
        "throughput.csv": write_csv(THROUGHPUT_COLUMNS, build_throughput(data, REPO)),
    }
    problems = check(outputs, REPO)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    stale = []
    for name, text in outputs.items():
        path = args.out_dir / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path} "
              f"({text.count(chr(10)) - 1} rows)")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
