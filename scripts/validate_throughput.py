#!/usr/bin/env python3
"""Validate dlcost's throughput model against every public reference the project holds.

Leave one source out: the model's parameters are fitted (scripts/fit_throughput_model.py)
on every source but one and scored on the one left out, in two ways:

- ``roofline``: the model alone, from each reference's FLOPs and activations (flops mode);
- ``extrapolated``: what measured mode does for a catalog architecture, a measurement on
  another GPU or precision moved by the ratio of the model's times (RTX 4090 -> RTX 5090 for
  inference; the RTX 3090 AMP training rows -> tf_cnn_benchmarks' P100/K80 fp32 rows).

Printed: median |log10(predicted / published)| and the share within 30%, by source, GPU,
precision and family; and the model's precision ratios against the published ones.
Not scored: DAWNBench time-to-accuracy entries (whole recipes with evaluation, custom
networks without FLOP or activation counts) and timm's CPU rows (CPUs not in the catalog).

Usage::

    python scripts/validate_throughput.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fit_throughput_model as fit_module  # noqa: E402
from derive_utilization import family_of  # noqa: E402

WITHIN = math.log10(1.3)
#: Published precision ratios (issue 12, from published throughput tables of classification CNNs).
PUBLISHED = {"A100 tf32/fp16 (classification CNNs)": (0.31, 0.43), "V100 fp32/fp16": (0.43, 0.43)}
TF_CNN_TIMM = {"InceptionV3": "inception_v3@299", "ResNet-50": "resnet50@224", "VGG16": "vgg16@224"}


def score(errors: list[float]) -> str:
    e = np.abs(np.array(errors))
    return f"n={len(e):5d}  median |log10| {np.median(e):.3f}  within 30% {np.mean(e <= WITHIN):4.0%}"


def family(row: dict) -> str:
    name = row["label"].split("@")[0]
    return {"InceptionV3": "convnet", "ResNet-50": "convnet", "ResNet-152": "convnet", "VGG16": "convnet"}.get(name.split(" ")[0]) \
        or family_of(name)


def leave_one_out(rows: list[dict]) -> dict:
    """Per source: parameters fitted without it, and its rows' log10 errors (roofline)."""
    out = {}
    for source in sorted({r["source"] for r in rows}):
        train = [r for r in rows if r["source"] != source]
        test = [r for r in rows if r["source"] == source]
        params = fit_module.fit(train)
        errors = np.log10(fit_module.predict(params, test) / np.array([r["images_per_s"] for r in test]))
        out[source] = (params, test, errors)
    return out


def extrapolated(rows: list[dict], loso: dict) -> dict:
    """Measured mode's path: a measurement scaled by the model's time ratio, with the target's source left out."""
    by = {}
    for r in rows:
        by.setdefault((r["source"], r["label"].split(" ")[0] if r["source"] == "tf_cnn_benchmarks" else r["label"]), []).append(r)
    results = {}
    params = loso["timm-infer-rtx5090"][0]
    pairs = [(by[("timm-infer-rtx4090", label)][0], r) for r in loso["timm-infer-rtx5090"][1]
             if ("timm-infer-rtx4090", (label := r["label"])) in by]
    results["inference RTX 4090 -> RTX 5090"] = [
        math.log10(ref["images_per_s"] * fit_module.predict(params, [tgt])[0] / fit_module.predict(params, [ref])[0] / tgt["images_per_s"])
        for ref, tgt in pairs]
    params = loso["tf_cnn_benchmarks"][0]
    train = {r["label"]: r for r in rows if r["source"] == "timm-train-rtx3090"}
    errors = []
    for tgt in loso["tf_cnn_benchmarks"][1]:
        ref = train.get(TF_CNN_TIMM.get(tgt["label"].split(" ")[0], ""))
        if ref is not None:
            errors.append(math.log10(ref["images_per_s"] * fit_module.predict(params, [tgt])[0]
                                     / fit_module.predict(params, [ref])[0] / tgt["images_per_s"]))
    results["training RTX 3090 fp16 -> P100/K80 fp32"] = errors
    return results


def precision_ratios(params: dict, share: float) -> dict:
    """ResNet-50 (and VGG-16, EfficientNet-B0) training ratios in the model, TF32 as min(TF32, fp32)."""
    def rate(flops, acts, peak, eta, bytes_per, bandwidth):
        return 1.0 / (3 * flops / (peak * eta) + params["k_train"] * acts * bytes_per / bandwidth)
    out = {}
    for name, flops, acts in (("ResNet-50", 8.18e9, 11.11e6), ("VGG-16", 30.94e9, 13.56e6), ("EfficientNet-B0", 0.772e9, 6.7e6)):
        a16 = rate(flops, acts, 312e12, params["eta_tensor"], 2, 2039e9)
        a32 = rate(flops, acts, 19.49e12, params["eta_fp32"], 4, 2039e9)
        a19 = max(rate(flops, acts, 156e12, params["eta_tensor"] * share, 4, 2039e9), a32)
        v16 = rate(flops, acts, 125e12, params["eta_tensor"], 2, 897e9)
        v32 = rate(flops, acts, 15.67e12, params["eta_fp32"], 4, 897e9)
        out[name] = {"A100 tf32/fp16": a19 / a16, "V100 fp32/fp16": v32 / v16}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=fit_module.DEFAULT_DATA)
    args = parser.parse_args(argv)
    rows = fit_module.reference_rows(args.data_dir)
    loso = leave_one_out(rows)
    print("Leave one source out, roofline alone (flops mode)")
    for source, (params, _, errors) in loso.items():
        print(f"  {source:22s} {score(errors)}   fitted without it: "
              + ", ".join(f"{k} {v:.3g}" for k, v in params.items()))
    training = [e for s, (_, _, err) in loso.items() if s in ("timm-train-rtx3090", "tf_cnn_benchmarks") for e in err]
    inference = [e for s, (_, _, err) in loso.items() if s.startswith("timm-infer") for e in err]
    print(f"  {'training, all':22s} {score(training)}")
    print(f"  {'inference, all':22s} {score(inference)}")
    print("By GPU / precision / family (left-out errors)")
    groups: dict = {}
    for source, (_, test, errors) in loso.items():
        for row, error in zip(test, errors):
            kind = "train" if row["passes"] == 3 else "infer"
            for key in (f"gpu {row['gpu']} {kind}", f"precision {row['precision']} {kind}", f"family {family(row)} {kind}"):
                groups.setdefault(key, []).append(error)
    for key in sorted(groups):
        print(f"  {key:30s} {score(groups[key])}")
    print("Extrapolated (measured mode's path), target source left out of the fit")
    for key, errors in extrapolated(rows, loso).items():
        print(f"  {key:42s} {score(errors)}")
    full = fit_module.fit(rows)
    share = fit_module.tf32_share(full)
    print("Precision ratios (training, model fitted on all sources) against the published")
    for name, ratios in precision_ratios(full, share).items():
        print(f"  {name:16s} " + "  ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    for key, (low, high) in PUBLISHED.items():
        print(f"  published {key}: {low:.2f}" + (f"-{high:.2f}" if high != low else ""))
    print("Stacks: typical 1.0 (the fitted references), tuned and research factors in throughput_model.toml [stacks]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
