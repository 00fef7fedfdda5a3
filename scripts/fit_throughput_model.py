#!/usr/bin/env python3
"""Fit dlcost's throughput model on public references and write ``catalog/throughput_model.toml``.

The model (``dlcost.core.throughput``) prices one image as a sum roofline [1]:

    t = passes x F / (P_p x eta_p) + k x A x b_p / W

F forward FLOPs, A forward activation elements (timm's ``infer_macts``), P_p the peak
at precision p, b_p bytes per element (4 fp32/tf32, 2 fp16/bf16, 1 int8), W memory
bandwidth; passes = 3 for a training step (seed 000, eq. (4)), 1 for inference. Fitted:
k_train and k_infer (bytes moved per activation element and byte of precision, a training
step and a forward pass). The compute efficiencies of the 16-bit tensor cores and of the
fp32 CUDA cores are set, not fitted, at ETA_MATRIX = 0.7, the share of dense peak that
large GEMMs reach: the references hardly constrain them. Left free, the tensor efficiency
runs to 1.0 (the in-sample median |log10| on the training source moves only from 0.066
to 0.057), and the fp32 one, which only tf_cnn_benchmarks' 20 rows see, runs to 0.77 on
all sources and to 1.0 on tf_cnn_benchmarks alone, trading off against k_train
(docs/throughput.md has the sensitivity).

References fitted (each weighted so that every source counts the same):

- timm ``benchmark-train-amp-nchw-pt112-cu113-rtx3090.csv`` (AMP training, 670 models);
- timm ``benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv`` and ``...-pt291-cu130-5090.csv``
  (AMP inference, two GPUs whose peak-to-bandwidth ratios differ, which separates the
  compute term from the memory term);
- tf_cnn_benchmarks (``shared/data/throughput/train_public.csv``: P100 and K80, fp32, 1 GPU).

Set from published ratios rather than fitted (no public per-model TF32 table is held):
eta_tf32 / eta_tensor, so that ResNet-50 on an A100 trains in TF32 at 0.37 of its
mixed-precision rate (the middle of the 0.31-0.43 that published tables give for
classification CNNs; issue 12). Stack factors come from ``inference_public.csv``
(timm's eager AMP against torch.compile bf16 on the same GPU).

Usage::

    python scripts/fit_throughput_model.py [--data-dir ../shared/data] [--check]

.. [1] S. Williams, A. Waterman, D. Patterson, "Roofline", CACM 2009.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import statistics
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
CATALOG = REPO / "src" / "dlcost" / "catalog"
OUT = CATALOG / "throughput_model.toml"
INFERENCE_OUT = CATALOG / "inference_throughput.csv"
INFERENCE_COLUMNS = ["architecture", "hardware", "precision", "batch_size", "resolution_px", "images_per_s", "latency_ms", "source"]
TRAIN_FILE = "benchmark-train-amp-nchw-pt112-cu113-rtx3090.csv"
INFER_FILES = {"RTX4090": "benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv",
               "RTX5090": "benchmark-infer-amp-nchw-pt291-cu130-5090.csv"}
#: GPUs of the tf_cnn_benchmarks rows (per GPU die): peak fp32 FLOP/s and bandwidth, Epoch AI ml_hardware.csv
#: ('NVIDIA Tesla P100 SXM2' 10.61 TFLOP/s with the 'NVIDIA P100' bandwidth 732 GB/s; 'NVIDIA Tesla K80'
#: 8.126 TFLOP/s and 480 GB/s per board of two dies, halved).
LEGACY_GPUS = {"P100": (10.61e12, 732e9), "K80": (4.063e12, 240.5e9)}
TF_CNN_MODELS = {"InceptionV3": ("inception_v3", 299), "ResNet-50": ("resnet50", 224),
                 "ResNet-152": ("resnet152", 224), "VGG16": ("vgg16", 224)}
TF32_TARGET_RATIO = 0.37
ETA_MATRIX = 0.7


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def hardware() -> dict:
    rows = read_csv(REPO / "src" / "dlcost" / "catalog" / "hardware.csv")
    return {r["name"]: (float(r["fp16_tflops"] or r["fp32_tflops"]) * 1e12, float(r["memory_bandwidth_gbs"]) * 1e9) for r in rows}


def infer_table(data: Path, gpu: str) -> dict:
    return {(r["model"], int(r["infer_img_size"])): r for r in read_csv(data / "timm" / INFER_FILES[gpu])
            if not r["model"].startswith("test_")}


def reference_rows(data: Path) -> list[dict]:
    """Every reference as {source, passes, precision, F, A, P, W, images_per_s, label}."""
    hw = hardware()
    i4090 = infer_table(data, "RTX4090")
    rows = []
    for record in read_csv(data / "timm" / TRAIN_FILE):
        key = (record["model"], int(record["train_img_size"]))
        if key in i4090:
            rows.append({"source": "timm-train-rtx3090", "passes": 3, "precision": "fp16", "gpu": "RTX3090",
                         "F": float(i4090[key]["infer_gmacs"]) * 2e9, "A": float(i4090[key]["infer_macts"]) * 1e6,
                         "P": hw["RTX3090"][0], "W": hw["RTX3090"][1],
                         "images_per_s": float(record["train_samples_per_sec"]), "label": f"{key[0]}@{key[1]}"})
    for gpu in INFER_FILES:
        for key, record in infer_table(data, gpu).items():
            if float(record["infer_gmacs"]) <= 0 or float(record["infer_macts"]) <= 0:
                continue
            rows.append({"source": f"timm-infer-{gpu.lower()}", "passes": 1, "precision": "fp16", "gpu": gpu,
                         "F": float(record["infer_gmacs"]) * 2e9, "A": float(record["infer_macts"]) * 1e6,
                         "P": hw[gpu][0], "W": hw[gpu][1],
                         "images_per_s": float(record["infer_samples_per_sec"]), "label": f"{key[0]}@{key[1]}"})
    for record in read_csv(data / "throughput" / "train_public.csv"):
        if "tensorflow/tensorflow" not in record["source"] or record["model"] not in TF_CNN_MODELS:
            continue
        if float(record["n_gpus"] or 0) != 1:
            continue
        gpu = "P100" if "P100" in record["gpu"] else "K80"
        timm = i4090[TF_CNN_MODELS[record["model"]]]
        rows.append({"source": "tf_cnn_benchmarks", "passes": 3, "precision": "fp32", "gpu": gpu,
                     "F": float(timm["infer_gmacs"]) * 2e9, "A": float(timm["infer_macts"]) * 1e6,
                     "P": LEGACY_GPUS[gpu][0], "W": LEGACY_GPUS[gpu][1],
                     "images_per_s": float(record["images_per_s_per_gpu"]), "label": f"{record['model']} {record['gpu']}"})
    return rows


def _arrays(rows):
    def col(key):
        return np.array([r[key] for r in rows], dtype=float)
    fp32 = np.array([r["precision"] == "fp32" for r in rows])
    train = np.array([r["passes"] == 3 for r in rows])
    return col("F"), col("A"), col("P"), col("W"), col("passes"), fp32, train, col("images_per_s")


def predict(params: dict, rows: list[dict]) -> np.ndarray:
    """Images/s of each row under ``params`` (the formula of dlcost.core.throughput)."""
    F, A, P, W, passes, fp32, train, _ = _arrays(rows)
    eta = np.where(fp32, params["eta_fp32"], params["eta_tensor"])
    k = np.where(train, params["k_train"], params["k_infer"])
    bytes_per_element = np.where(fp32, 4.0, 2.0)
    return 1.0 / (passes * F / (P * eta) + k * A * bytes_per_element / W)


def fit(rows: list[dict], eta: float = ETA_MATRIX) -> dict:
    """k_train and k_infer by least squares on log images/s, each source weighted to count once (soft-L1, 0.1 in log)."""
    sources = [r["source"] for r in rows]
    weight = np.array([1.0 / math.sqrt(sources.count(s)) for s in sources])
    observed = np.log(_arrays(rows)[-1])

    def params(x) -> dict:
        return {"eta_tensor": eta, "eta_fp32": eta, "k_train": float(math.exp(x[0])), "k_infer": float(math.exp(x[1]))}

    def residuals(x):
        return weight * (np.log(predict(params(x), rows)) - observed)

    solution = least_squares(residuals, [math.log(20.0), math.log(5.0)], loss="soft_l1", f_scale=0.1)
    return params(solution.x)


def tf32_share(params: dict) -> float:
    """eta_tf32 / eta_tensor giving ResNet-50 on an A100 a TF32 / mixed-precision ratio of TF32_TARGET_RATIO."""
    peak16, peak_tf32, bandwidth = 312e12, 156e12, 2039e9
    flops, acts = 3 * 8.18e9, 11.11e6
    t16 = flops / (peak16 * params["eta_tensor"]) + params["k_train"] * acts * 2 / bandwidth
    memory32 = params["k_train"] * acts * 4 / bandwidth
    compute32 = t16 / TF32_TARGET_RATIO - memory32
    return float(flops / (peak_tf32 * params["eta_tensor"]) / compute32)


def tuned_factor(data: Path) -> tuple[float, list[float]]:
    """Median ratio torch.compile bf16 / eager AMP, same GPU and model (timm, RTX PRO 6000 Max-Q)."""
    eager, compiled = {}, {}
    for record in read_csv(data / "throughput" / "inference_public.csv"):
        if "pro6000maxq" not in record["source"]:
            continue
        (compiled if "dynamo" in record["source"] else eager)[record["model"]] = float(record["images_per_s"])
    ratios = sorted(compiled[m] / eager[m] for m in eager if m in compiled)
    return statistics.median(ratios), ratios


def launch_overhead_ms(data: Path) -> tuple[float, float, int]:
    """Intercept and slope of batch-1 latency against GFLOPs (ultralytics YOLOv8, A100 TensorRT)."""
    gflops = {"YOLOv8n": 8.7, "YOLOv8s": 28.6, "YOLOv8m": 78.9, "YOLOv8l": 165.2, "YOLOv8x": 257.8}
    points = [(gflops[r["model"]], float(r["latency_ms"])) for r in read_csv(data / "throughput" / "inference_public.csv")
              if "ultralytics" in r["source"] and "A100" in r["hardware"] and r["model"] in gflops and r["latency_ms"]]
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points])
    slope, intercept = np.polyfit(x, y, 1)
    return float(intercept), float(slope), len(points)


def errors(params: dict, rows: list[dict]) -> dict:
    e = np.abs(np.log10(predict(params, rows) / _arrays(rows)[-1]))
    return {"n": len(rows), "median_abs_log10": float(np.median(e)), "within_30pct": float(np.mean(e <= math.log10(1.3)))}


def dense_activations_per_flop(data: Path) -> tuple[float, int]:
    sys.path.insert(0, str(REPO / "scripts"))
    from derive_utilization import family_of

    ratios = [float(r["infer_macts"]) * 1e6 / (float(r["infer_gmacs"]) * 2e9)
              for (model, _), r in infer_table(data, "RTX4090").items()
              if family_of(model) == "convnet" and float(r["infer_gmacs"]) > 0]
    return statistics.median(ratios), len(ratios)


def render(params: dict, share: float, tuned: tuple, launch: tuple, rows: list[dict], dense: tuple) -> str:
    by_source = sorted({r["source"] for r in rows})
    fit_lines = "\n".join(f'"{s}" = {{ n = {v["n"]}, median_abs_log10 = {v["median_abs_log10"]:.3f}, within_30pct = {v["within_30pct"]:.2f} }}'
                          for s, v in ((s, errors(params, [r for r in rows if r["source"] == s])) for s in by_source))
    ratios = ", ".join(f"{r:.2f}" for r in tuned[1])
    return f"""# dlcost's throughput model: fitted by scripts/fit_throughput_model.py (do not edit by hand).
# t per image = passes x F / (peak_p x eta_p) + k x activations x bytes_p / bandwidth  (dlcost.core.throughput)
# Explained in docs/throughput.md; validated leave-one-source-out by scripts/validate_throughput.py.

[efficiency]
# Share of the dense peak a matrix-heavy layer reaches, by the units that run it.
tensor = {params['eta_tensor']:.4f}   # fp16/bf16 tensor cores: set (large GEMMs reach ~0.7 of peak); the references hardly constrain it
fp32 = {params['eta_fp32']:.4f}     # CUDA-core fp32: set the same (fitting it on tf_cnn_benchmarks' 20 rows is ill-conditioned)
tf32 = {params['eta_tensor'] * share:.4f}     # TF32 tensor cores: {share:.3f} x tensor, set so ResNet-50 on an A100 trains in TF32 at {TF32_TARGET_RATIO} of AMP (published 0.31-0.43)
int8 = {params['eta_tensor']:.4f}     # int8 tensor cores: as tensor (no held reference; quantization_speedup caps the gain)

[memory]
# Bytes moved per forward activation element, per byte of the precision's element size.
k_train = {params['k_train']:.3f}   # a training step (forward, backward, optimizer): fitted
k_infer = {params['k_infer']:.3f}    # one forward pass: fitted

[stacks]
# Throughput factor of a software stack against the fitted one (eager PyTorch, AMP, NCHW, synthetic data).
typical = 1.0
tuned = {tuned[0]:.3f}        # median torch.compile bf16 / eager AMP on one GPU, 9 timm models ({ratios})
research = 0.5      # full research recipe (heavy augmentation, evaluation every epoch): about half the pure step rate (issue 12)

[activations_per_flop]
# Forward activation elements per forward FLOP, for an architecture without its own count:
# the median over timm's RTX 4090 rows of dense and grouped-convolution convnets ({dense[1]} models).
dense = {dense[0]:.4e}

[quantization]
# int8 inference throughput over 16-bit, on GPUs with int8 tensor cores and on CPUs. An assumption,
# not fitted (no held reference measures int8): TensorRT-style post-training int8 on CNNs is commonly
# quoted at 1.5-2x over fp16. A user states their own with --quantization-speedup.
int8_speedup = 1.6

[batch]
# Fixed time per inference batch (kernel launches, synchronisation): intercept of batch-1 latency
# against GFLOPs, ultralytics YOLOv8 on an A100 with TensorRT ({launch[2]} models; slope {launch[1]:.4f} ms/GFLOP).
launch_overhead_ms = {launch[0]:.3f}

[fit]
# In-sample error of the fitted parameters, per source (|log10(predicted / published)|).
{fit_lines}
"""


def inference_measurements(data: Path) -> str:
    """Measured inference rows of the catalog's architectures: timm's RTX 4090 and RTX 5090 AMP benchmarks.

    A catalog row matches a timm model by its timm name, else its torchvision builder name,
    at the catalog's resolution when timm ran it there, else at timm's nearest size.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=INFERENCE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for arch in read_csv(CATALOG / "architectures.csv"):
        for gpu, filename in INFER_FILES.items():
            table = infer_table(data, gpu)
            for name in filter(None, (arch["timm_name"], arch["torchvision_builder"])):
                sizes = sorted((abs(size - int(arch["resolution_px"])), size) for model, size in table if model == name)
                if not sizes:
                    continue
                size = sizes[0][1]
                record = table[(name, size)]
                writer.writerow({
                    "architecture": arch["name"], "hardware": gpu, "precision": "fp16",
                    "batch_size": record["infer_batch_size"], "resolution_px": size,
                    "images_per_s": record["infer_samples_per_sec"], "latency_ms": record["infer_step_time"],
                    "source": f"timm results/{filename} row {name} @{size} (Apache-2.0); AMP, eager PyTorch, channels-first",
                })
                break
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = parser.parse_args(argv)
    rows = reference_rows(args.data_dir)
    params = fit(rows)
    text = render(params, tf32_share(params), tuned_factor(args.data_dir), launch_overhead_ms(args.data_dir), rows,
                  dense_activations_per_flop(args.data_dir))
    inference = inference_measurements(args.data_dir)
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text and INFERENCE_OUT.read_text(encoding="utf-8") == inference
        print("throughput_model.toml and inference_throughput.csv are up to date" if same
              else "throughput_model.toml or inference_throughput.csv differs: rerun without --check")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    INFERENCE_OUT.write_text(inference, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
