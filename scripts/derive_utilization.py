#!/usr/bin/env python3
"""Derive the default hardware utilization for the ``flops`` cost mode.

For every model in timm's RTX 3090 training benchmark (AMP, PyTorch 1.12) whose
forward GMACs at the SAME image size are given by timm's RTX 4090 inference
benchmark (exact model name and image size), compute

    achieved training FLOP/s = train_samples_per_sec x 3 x 2 x infer_gmacs x 1e9
    utilization              = achieved / RTX 3090 dense fp16 tensor peak (hardware.csv)

(3 = forward + backward ~ 3 forward passes; 2 FLOPs per multiply-add). Prints the
summary, writes ``docs/utilization.md`` and ``src/dlcost/catalog/utilization.toml``.

Usage::

    python scripts/derive_utilization.py [--data-dir ../shared/data] [--check]
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
CATALOG = REPO / "src" / "dlcost" / "catalog"
TRAIN_FILE = "benchmark-train-amp-nchw-pt112-cu113-rtx3090.csv"
INFER_FILE = "benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv"
GPU = "RTX3090"
PEAK_COLUMN = "fp16_tflops"
FLOPS_PER_MAC = 2
TRAIN_PASSES = 3

# Families, tested in this order on the timm model name (first match wins).
FAMILIES = [
    ("vit", "vision transformers and attention hybrids (ViT, DeiT, Swin, XCiT, ...)",
     r"^(vit|deit|beit|cait|xcit|swin|twins|pit_|tnt_|convit|crossvit|levit|mvitv2|volo|coat_|"
     r"jx_nest|nest_|gcvit|davit|maxvit|maxxvit|coatnet|eva|efficientformer|visformer)"),
    ("mlp", "MLP, MetaFormer and recurrent token mixers (MLP-Mixer, ResMLP, gMLP, PoolFormer, "
            "Sequencer)",
     r"^(mixer|gmixer|resmlp|gmlp|poolformer|sequencer)"),
    ("depthwise", "depthwise-separable / efficientnet-style convnets (EfficientNet, MobileNet, "
                  "ConvNeXt, Xception, NASNet, ...)",
     r"^(efficientnet|tf_efficientnet|efficientnetv2|tf_efficientnetv2|mobilenet|tf_mobilenet|"
     r"mobilevit|mnasnet|semnasnet|spnasnet|fbnet|ghostnet|mixnet|tf_mixnet|tinynet|lcnet|"
     r"hardcorenas|rexnet|convnext|convmixer|edgenext|xception|gluon_xception|nasnet|pnasnet|"
     r"mobileone)"),
    ("convnet", "dense and grouped-convolution convnets (ResNet, VGG, Inception, RegNet, DenseNet, "
                "incl. ResNets with attention blocks such as BoTNet/HaloNet)",
     r"."),
]


def family_of(model: str) -> str:
    for key, _, pattern in FAMILIES:
        if re.match(pattern, model):
            return key
    raise AssertionError(model)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Q1, median, Q3 with linear interpolation (numpy's default, 'inclusive')."""
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def derive(data: Path) -> dict:
    hardware = {r["name"]: r for r in read_csv(CATALOG / "hardware.csv")}
    peak_tflops = float(hardware[GPU][PEAK_COLUMN])
    train = read_csv(data / "timm" / TRAIN_FILE)
    gmacs = {(r["model"], int(r["infer_img_size"])): float(r["infer_gmacs"])
             for r in read_csv(data / "timm" / INFER_FILE)}
    rows = []
    for record in train:
        key = (record["model"], int(record["train_img_size"]))
        if key not in gmacs:
            continue
        images_per_s = float(record["train_samples_per_sec"])
        achieved = images_per_s * TRAIN_PASSES * FLOPS_PER_MAC * gmacs[key] * 1e9
        rows.append({
            "model": record["model"],
            "size": key[1],
            "batch": int(record["train_batch_size"]),
            "images_per_s": images_per_s,
            "gmacs": gmacs[key],
            "achieved_tflops": achieved / 1e12,
            "utilization": achieved / (peak_tflops * 1e12),
            "family": family_of(record["model"]),
        })
    utils = [r["utilization"] for r in rows]
    q1, median, q3 = quartiles(utils)
    families = {}
    for key, label, _ in FAMILIES:
        values = [r["utilization"] for r in rows if r["family"] == key]
        if values:
            fq1, fmed, fq3 = quartiles(values) if len(values) > 1 else (values[0],) * 3
            families[key] = {"label": label, "n": len(values), "median": fmed, "q1": fq1, "q3": fq3}

    by_model = {(r["model"], r["size"]): r for r in rows}
    architectures = []
    for arch in read_csv(CATALOG / "architectures.csv"):
        model = arch["timm_name"].strip()
        match = [r for (m, _), r in by_model.items() if m == model]
        if match:
            r = match[0]
            architectures.append({"name": arch["name"], **r})
    return {
        "peak_tflops": peak_tflops,
        "n_train": len(train),
        "rows": rows,
        "n": len(rows),
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": min(utils),
        "max": max(utils),
        "families": families,
        "architectures": architectures,
    }


SOURCE = (f"timm results/{TRAIN_FILE} (train_samples_per_sec) and results/{INFER_FILE} "
          "(infer_gmacs), Apache-2.0; RTX 3090 peak from hardware.csv")
METHOD = ("utilization = train_samples_per_sec x 3 x 2 x infer_gmacs x 1e9 / (RTX 3090 dense FP16 "
          "tensor peak with FP32 accumulate, 71 TFLOPS); models matched by exact timm name and "
          "image size; median and quartiles (linear interpolation) over all matched models")


def render_toml(result: dict) -> str:
    lines = [
        "# Hardware utilization (achieved / peak dense FLOP/s) for the `flops` cost mode.",
        "# Generated by scripts/derive_utilization.py; explained in docs/utilization.md.",
        "# Measured at fp16 AMP on an RTX 3090: the default for bf16/fp16 training.",
        "",
        "[default]",
        f"value = {result['median']:.3f}",
        f"low = {result['q1']:.3f}",
        f"high = {result['q3']:.3f}",
        f"n_models = {result['n']}",
        'precision = "fp16"',
        f'gpu = "{GPU}"',
        f"peak_tflops = {result['peak_tflops']:g}",
        f'source = "{SOURCE}"',
        f'method = "{METHOD}"',
        "",
        "[families]",
        "# median utilization per model family (same data)",
    ]
    for key, fam in result["families"].items():
        lines.append(f"{key} = {{ value = {fam['median']:.3f}, low = {fam['q1']:.3f}, "
                     f"high = {fam['q3']:.3f}, n_models = {fam['n']} }}")
    lines += ["", "[architectures]",
              "# catalog name = utilization of its timm model in the same benchmark "
              "(benchmark image size; see docs/utilization.md)"]
    for arch in sorted(result["architectures"], key=lambda a: a["name"]):
        lines.append(f'"{arch["name"]}" = {arch["utilization"]:.3f}')
    return "\n".join(lines) + "\n"


OWN_TABLES = ("default", "families", "architectures")


def foreign_sections(path: Path) -> str:
    """Tables of an existing utilization.toml that this script does not generate
    (e.g. ``[scaling]``, maintained by hand or by another script), kept verbatim."""
    if not path.exists():
        return ""
    kept: list[str] = []
    keep = False
    for line in path.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[([^\[\]]+)\]\s*$", line)
        if header:
            keep = header.group(1).split(".")[0].strip() not in OWN_TABLES
        if keep:
            kept.append(line)
    return ("\n" + "\n".join(kept).rstrip() + "\n") if kept else ""


def render_markdown(result: dict) -> str:
    fam_rows = "\n".join(
        f"| {key} | {fam['label']} | {fam['n']} | {fam['median']:.3f} | {fam['q1']:.3f} | {fam['q3']:.3f} |"
        for key, fam in result["families"].items())
    arch_rows = "\n".join(
        f"| {a['name']} | `{a['model']}` | {a['size']} | {a['batch']} | {a['images_per_s']:.2f} | "
        f"{a['gmacs']:.2f} | {a['achieved_tflops']:.2f} | {a['utilization']:.3f} |"
        for a in sorted(result["architectures"], key=lambda a: a["utilization"]))
    family_rules = "\n".join(f"- **{key}** ({label}): timm name matches `{pattern}`"
                             for key, label, pattern in FAMILIES)
    top = sorted(result["rows"], key=lambda r: r["utilization"])
    lowest = ", ".join(f"`{r['model']}` {r['utilization']:.3f}" for r in top[:3])
    highest = ", ".join(f"`{r['model']}` {r['utilization']:.3f}" for r in top[-3:])
    return f"""# Default hardware utilization for the `flops` cost mode

Generated by `scripts/derive_utilization.py` (do not edit by hand); the numbers are also in
`src/dlcost/catalog/utilization.toml`.

In `flops` mode dlcost turns a training FLOP count into GPU-hours as
`FLOPs / (peak dense FLOP/s x utilization)`. The default utilization at bf16/fp16 is the
**median {result['median']:.3f}** (interquartile range {result['q1']:.3f} to {result['q3']:.3f}) measured
over {result['n']} image models trained with mixed precision on one GPU.

## Data

- Training throughput: timm `results/{TRAIN_FILE}`
  (Apache-2.0): images/s for {result['n_train']} models, RTX 3090, PyTorch 1.12, CUDA 11.3,
  AMP (fp16), NCHW, `benchmark.py` in train mode (forward, backward and optimizer step on
  synthetic inputs already on the GPU; no data loading), batch size as listed per model.
- Forward cost: timm `results/{INFER_FILE}` (Apache-2.0), column `infer_gmacs`
  (multiply-accumulates per image at `infer_img_size`).
- Peak: RTX 3090 dense FP16 tensor throughput with FP32 accumulate, **{result['peak_tflops']:g} TFLOPS**
  (`hardware.csv`, NVIDIA GA102 whitepaper). PyTorch AMP matmuls and convolutions accumulate
  in FP32, so this is the attainable peak; the FP16-accumulate figure (142) would halve every
  utilization below.

## Method

1. Take each training-benchmark row (model, `train_img_size`). Keep it only if the inference
   benchmark has the same model name at the same image size, and take its `infer_gmacs`.
   {result['n']} of {result['n_train']} rows match; the rest use weight-variant names that newer timm
   renamed (e.g. `tv_resnet50`, `gluon_*`, `*_in22ft1k`) or sizes absent from the newer file.
   They are dropped rather than guessed.
2. Training FLOPs per image = 3 x 2 x GMACs x 1e9 (backward ~ 2 forward passes; 2 FLOPs per
   multiply-add); the factor 3 is the forward + backward factor of eq. (4) of seed 000.
3. Achieved FLOP/s = `train_samples_per_sec` x training FLOPs per image.
4. Utilization = achieved / ({result['peak_tflops']:g} x 1e12).
5. Summary statistics over the matched models, each model weighted once: median and quartiles
   with linear interpolation (`statistics.quantiles(..., n=4, method="inclusive")`, numpy's default).

Example, ResNet-50 (`resnet50`, 224 px): 826.06 img/s x 6 x 4.11e9 = 20.37 TFLOP/s;
20.37 / 71 = 0.287.

## Results

| statistic | utilization |
|---|---|
| models | {result['n']} |
| median (default `value`) | {result['median']:.3f} |
| first quartile (`low`) | {result['q1']:.3f} |
| third quartile (`high`) | {result['q3']:.3f} |
| minimum | {result['min']:.3f} |
| maximum | {result['max']:.3f} |

Lowest: {lowest}. Highest: {highest}.

Per family (the family of a model is decided by its timm name, first rule that matches):

| family | what | models | median | Q1 | Q3 |
|---|---|---|---|---|---|
{fam_rows}

{family_rules}

Catalog architectures (written to `[architectures]` in `utilization.toml`):

| architecture | timm model | px | batch | img/s | GMACs | achieved TFLOP/s | utilization |
|---|---|---|---|---|---|---|---|
{arch_rows}

EfficientNetV2-S is benchmarked at 300 px (its catalog resolution is 384 px).

## Caveats

- Synthetic data on the GPU: real training adds data loading, augmentation and evaluation, so
  these are upper bounds for a single well-fed GPU; multi-GPU training adds communication.
- GMACs come from a newer timm (PyTorch 2.4 file) than the throughput (PyTorch 1.12); the
  match is by exact model name and size, which timm generally keeps for an unchanged
  architecture. A changed definition would show up as an outlier; no model exceeds
  {result['max']:.3f}.
- The 3x rule ignores optimizer, normalisation and activation costs, which are small in FLOPs
  but not in time for depthwise/mobile models: their low utilization is real time spent on
  memory-bound layers, and is what the estimate should charge for.
- One GPU (RTX 3090) and one precision (fp16 AMP). Data-center GPUs with a higher peak per
  byte/s of memory bandwidth may reach lower fractions, GPUs with more bandwidth per FLOP
  higher ones; the interquartile range is stored as `low`/`high` in `utilization.toml`.
  Nothing here measures fp32 or TF32 training.
- The family medians are per model, so the depthwise family is dominated by small mobile
  networks (ConvNeXt-T, in that family by its 7x7 depthwise convolutions, reaches 0.307).
  Use the per-architecture value when the architecture is in the catalog.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the outputs are out of date")
    args = parser.parse_args(argv)
    result = derive(args.data_dir.resolve())

    print(f"models matched: {result['n']} of {result['n_train']} (peak {result['peak_tflops']:g} TFLOPS)")
    print(f"utilization median {result['median']:.3f}  Q1 {result['q1']:.3f}  Q3 {result['q3']:.3f}  "
          f"min {result['min']:.3f}  max {result['max']:.3f}")
    for key, fam in result["families"].items():
        print(f"  {key:10s} n={fam['n']:4d}  median {fam['median']:.3f}  "
              f"IQR {fam['q1']:.3f}-{fam['q3']:.3f}")
    for arch in sorted(result["architectures"], key=lambda a: a["name"]):
        print(f"  {arch['name']:22s} {arch['model']:24s} {arch['size']:4d} px  {arch['utilization']:.3f}")

    toml_path = CATALOG / "utilization.toml"
    outputs = {
        toml_path: render_toml(result) + foreign_sections(toml_path),
        REPO / "docs" / "utilization.md": render_markdown(result),
    }
    stale = []
    for path, text in outputs.items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(REPO)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
