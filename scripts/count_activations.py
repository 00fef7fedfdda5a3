#!/usr/bin/env python3
"""Count forward activations per image for every row of the architecture catalog.

Writes ``src/dlcost/catalog/activations.csv`` with the columns
``architecture,resolution_px,forward_activations_m,forward_gmacs_counted,source``: the
number of forward activation elements per image (millions) at the row's
``resolution_px``, counted the way timm's benchmark counts ``infer_macts`` (fvcore's
ActivationCountAnalysis: the output elements of every convolution, linear, matmul, bmm
and einsum; not batch-norm, activations, pooling, additions or interpolation).

Per row, in order of preference:

1. the row's ``timm_name`` (or its torchvision builder name) in
   ``shared/data/timm/benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv`` at the same image
   size: its ``infer_macts`` and ``infer_gmacs`` (a torch count of the torchvision model,
   where there is one, is given in the source as a cross-check);
2. a torchvision builder: the model is built with random weights and counted with forward
   hooks on one zeros image (output elements of ``Conv2d``, ``ConvTranspose2d`` and
   ``Linear``; for ``nn.MultiheadAttention`` its input and output projections and the two
   attention matmuls QK^T and attn x V, as fvcore counts the matmuls);
3. no builder: ResNet-32 (CIFAR), YOLOv3-416 (Darknet ``yolov3.cfg``) and YOLOv5l v6.1
   (ultralytics ``models/yolov5l.yaml``) are built here in plain torch from their published
   configurations and counted with the same hooks; each build is checked against the
   catalog's layer-by-layer parameter count.

``forward_gmacs_counted`` is the multiply-adds the same count sees (conv, linear,
attention matmuls), to compare with ``forward_gflops / 2``.

The output is deterministic (fixed seed, ``%.3f``, LF line ends); ``--check`` exits 1 when
the CSV on disk differs from what the script would write.

Usage::

    .venv/bin/python scripts/count_activations.py [--data-dir ../shared/data] [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO.parent / "shared" / "data"
CATALOG = REPO / "src" / "dlcost" / "catalog"
ARCH_CSV = CATALOG / "architectures.csv"
OUT_CSV = CATALOG / "activations.csv"
TIMM_FILE = "benchmark-infer-amp-nchw-pt240-cu124-rtx4090.csv"

COLUMNS = ["architecture", "resolution_px", "forward_activations_m", "forward_gmacs_counted", "source"]

# Models whose count is validated against timm's infer_macts before any row is written.
VALIDATION = [("resnet50", "resnet50", 224), ("vit_b_16", "vit_base_patch16_224", 224),
              ("efficientnet_b0", "efficientnet_b0", 224), ("convnext_tiny", "convnext_tiny", 224)]
VALIDATION_TOLERANCE = 0.10

DETECTION_BUILDERS = {"maskrcnn_resnet50_fpn", "fasterrcnn_resnet50_fpn", "retinanet_resnet50_fpn"}
SEGMENTATION_PREFIXES = ("deeplabv3_", "fcn_", "lraspp_")


# ---------------------------------------------------------------------------------------
# timm benchmark
# ---------------------------------------------------------------------------------------

def timm_rows(data: Path) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    with open(data / "timm" / TIMM_FILE, newline="") as f:
        for r in csv.DictReader(f):
            rows.setdefault(r["model"], []).append(r)
    return rows


def timm_source(r: dict) -> str:
    return (f"shared/data/timm/{TIMM_FILE} row {r['model']} @{r['infer_img_size']}: "
            f"infer_macts {r['infer_macts']}, infer_gmacs {r['infer_gmacs']} (Apache-2.0)")


# ---------------------------------------------------------------------------------------
# hook counter
# ---------------------------------------------------------------------------------------

class Counter:
    """Forward hooks summing output elements and multiply-adds, fvcore style."""

    def __init__(self) -> None:
        self.acts = 0
        self.macs = 0

    def attach(self, model) -> list:
        from torch import nn

        handles = []
        mha_children = set()
        for m in model.modules():
            if isinstance(m, nn.MultiheadAttention):
                mha_children.update(id(c) for c in m.modules() if c is not m)
        for m in model.modules():
            if id(m) in mha_children:
                continue  # MHA calls its projections functionally; counted in _mha
            if isinstance(m, nn.Conv2d):
                handles.append(m.register_forward_hook(self._conv))
            elif isinstance(m, nn.ConvTranspose2d):
                handles.append(m.register_forward_hook(self._convt))
            elif isinstance(m, nn.Linear):
                handles.append(m.register_forward_hook(self._linear))
            elif isinstance(m, nn.MultiheadAttention):
                handles.append(m.register_forward_hook(self._mha))
        return handles

    def _conv(self, m, inp, out) -> None:
        n = out.numel()
        self.acts += n
        self.macs += n * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def _convt(self, m, inp, out) -> None:
        self.acts += out.numel()
        x = inp[0]
        self.macs += x.numel() * (m.out_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def _linear(self, m, inp, out) -> None:
        n = out.numel()
        self.acts += n
        self.macs += n * m.in_features

    def _mha(self, m, inp, out) -> None:
        q, k = inp[0], inp[1]
        if m.batch_first:
            b, lq, e = q.shape
            lk = k.shape[1]
        else:
            lq, b, e = q.shape
            lk = k.shape[0]
        h = m.num_heads
        # in-projection (q, k, v), QK^T, attn x V, out-projection
        self.acts += b * lq * e + 2 * b * lk * e + b * h * lq * lk + b * lq * e + b * lq * e
        self.macs += (b * lq * e * e + 2 * b * lk * e * e + b * lq * lk * e + b * lq * lk * e
                      + b * lq * e * e)


def count_model(model, inputs) -> tuple[int, int]:
    import torch

    model.eval()
    c = Counter()
    handles = c.attach(model)
    with torch.no_grad():
        model(inputs)
    for hd in handles:
        hd.remove()
    return c.acts, c.macs


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def torchvision_model(builder: str):
    import torchvision

    kwargs = {"weights": None}
    if builder in DETECTION_BUILDERS or builder.startswith(SEGMENTATION_PREFIXES):
        kwargs["weights_backbone"] = None
    return torchvision.models.get_model(builder, **kwargs)


def count_torchvision(builder: str, res: int) -> tuple[int, int]:
    import torch

    torch.manual_seed(0)
    model = torchvision_model(builder)
    if builder in DETECTION_BUILDERS:
        return count_model(model, [torch.zeros(3, res, res)])
    return count_model(model, torch.zeros(1, 3, res, res))


def maskrcnn_breakdown(builder: str, res: int) -> str:
    """Per-part counts of a torchvision R-CNN (same seed and input as count_torchvision)."""
    import torch

    torch.manual_seed(0)
    model = torchvision_model(builder).eval()
    rh = model.roi_heads
    parts = {"backbone+FPN": [model.backbone], "RPN": [model.rpn],
             "box head": [rh.box_head, rh.box_predictor]}
    if rh.has_mask():
        parts["mask head"] = [rh.mask_head, rh.mask_predictor]
    counters, handles = {}, []
    for k, mods in parts.items():
        counters[k] = Counter()
        for m in mods:
            handles += counters[k].attach(m)
    n_prop = []
    handles.append(rh.register_forward_pre_hook(lambda m, a: n_prop.append(sum(len(p) for p in a[1]))))
    with torch.no_grad():
        out = model([torch.zeros(3, res, res)])
    for hd in handles:
        hd.remove()
    n_det = len(out[0]["boxes"])
    texts = []
    for k, c in counters.items():
        t = f"{k} {c.acts / 1e6:.3f} M / {c.macs / 1e9:.3f} GMAC"
        if k == "box head":
            t += f" over {n_prop[0]} RPN proposals"
        if k == "mask head" and n_det:
            t += (f" over {n_det} detections (random weights hit box_detections_per_img), i.e. "
                  f"{c.acts / n_det / 1e6:.3f} M / {c.macs / n_det / 1e9:.3f} GMAC per instance")
        texts.append(t)
    return "breakdown: " + "; ".join(texts)


def seg_aux_note(builder: str, res: int) -> str:
    """Extra count of the auxiliary FCN head that the published weights build with."""
    import torch
    import torchvision

    torch.manual_seed(0)
    try:
        model = torchvision.models.get_model(builder, weights=None, weights_backbone=None, aux_loss=True)
    except (TypeError, ValueError, NotImplementedError):
        return ""
    if getattr(model, "aux_classifier", None) is None:
        return ""
    a, m = count_model(model, torch.zeros(1, 3, res, res))
    a0, m0 = count_torchvision(builder, res)
    return (f"; default aux_loss leaves out the auxiliary FCN head, which torchvision's published "
            f"weights build with (aux_loss=True) and run in eval: it adds {(a - a0) / 1e6:.3f} M "
            f"activations and {(m - m0) / 1e9:.3f} GMAC ({a / 1e6:.3f} M, {m / 1e9:.3f} GMAC with it)")


# ---------------------------------------------------------------------------------------
# hand-built networks
# ---------------------------------------------------------------------------------------

def resnet32_cifar():
    """He et al. 2016 Sec. 4.2: 6n+2 layers, n=5, 16/32/64 channels, option-A shortcuts."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.pad = cout - cin
            self.stride = stride

        def forward(self, x):
            y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
            s = x
            if self.stride != 1 or self.pad:  # option A: subsample and zero-pad channels
                s = x[:, :, ::self.stride, ::self.stride]
                s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
            return F.relu(y + s)

    class Net(nn.Module):
        def __init__(self, n: int = 5, classes: int = 10) -> None:
            super().__init__()
            self.stem = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
            self.bn = nn.BatchNorm2d(16)
            layers, cin = [], 16
            for cout, stride in ((16, 1), (32, 2), (64, 2)):
                for i in range(n):
                    layers.append(Block(cin, cout, stride if i == 0 else 1))
                    cin = cout
            self.layers = nn.Sequential(*layers)
            self.fc = nn.Linear(64, classes)

        def forward(self, x):
            x = self.layers(F.relu(self.bn(self.stem(x))))
            return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    return Net()


def _conv_bn(cin: int, cout: int, k: int, s: int = 1, p: int | None = None, act: str = "leaky"):
    from torch import nn

    p = k // 2 if p is None else p
    a = nn.LeakyReLU(0.1) if act == "leaky" else nn.SiLU()
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), a)


def yolov3_darknet(classes: int = 80):
    """Darknet yolov3.cfg (Redmon and Farhadi 2018): Darknet-53 and three YOLO heads."""
    import torch
    from torch import nn

    out_ch = 3 * (classes + 5)

    class Res(nn.Module):
        def __init__(self, c: int) -> None:
            super().__init__()
            self.a = _conv_bn(c, c // 2, 1)
            self.b = _conv_bn(c // 2, c, 3)

        def forward(self, x):
            return x + self.b(self.a(x))

    def stage(cin: int, cout: int, n: int):
        return nn.Sequential(_conv_bn(cin, cout, 3, 2), *[Res(cout) for _ in range(n)])

    def head_convs(cin: int, c: int):
        # 1x1 c, 3x3 2c, 1x1 c, 3x3 2c, 1x1 c  (the route point), then 3x3 2c, 1x1 out
        return nn.Sequential(_conv_bn(cin, c, 1), _conv_bn(c, 2 * c, 3), _conv_bn(2 * c, c, 1),
                             _conv_bn(c, 2 * c, 3), _conv_bn(2 * c, c, 1))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = _conv_bn(3, 32, 3)
            self.s1 = stage(32, 64, 1)
            self.s2 = stage(64, 128, 2)
            self.s3 = stage(128, 256, 8)   # route 36 (52x52 at 416)
            self.s4 = stage(256, 512, 8)   # route 61 (26x26)
            self.s5 = stage(512, 1024, 4)  # 13x13
            self.h1 = head_convs(1024, 512)
            self.o1 = nn.Sequential(_conv_bn(512, 1024, 3), nn.Conv2d(1024, out_ch, 1))
            self.r1 = _conv_bn(512, 256, 1)
            self.h2 = head_convs(256 + 512, 256)
            self.o2 = nn.Sequential(_conv_bn(256, 512, 3), nn.Conv2d(512, out_ch, 1))
            self.r2 = _conv_bn(256, 128, 1)
            self.h3 = head_convs(128 + 256, 128)
            self.o3 = nn.Sequential(_conv_bn(128, 256, 3), nn.Conv2d(256, out_ch, 1))
            self.up = nn.Upsample(scale_factor=2, mode="nearest")

        def forward(self, x):
            x = self.s2(self.s1(self.stem(x)))
            c3 = self.s3(x)
            c4 = self.s4(c3)
            c5 = self.s5(c4)
            t = self.h1(c5)
            y1 = self.o1(t)
            t = self.h2(torch.cat([self.up(self.r1(t)), c4], 1))
            y2 = self.o2(t)
            t = self.h3(torch.cat([self.up(self.r2(t)), c3], 1))
            y3 = self.o3(t)
            return y1, y2, y3

    return Net()


def yolov5l_v61(classes: int = 80):
    """ultralytics YOLOv5 v6.1 models/yolov5l.yaml (depth 1.0, width 1.0)."""
    import torch
    from torch import nn

    def conv(cin, cout, k=1, s=1, p=None):
        return _conv_bn(cin, cout, k, s, p, act="silu")

    class Bottleneck(nn.Module):
        def __init__(self, c: int, shortcut: bool) -> None:
            super().__init__()
            self.cv1 = conv(c, c, 1)
            self.cv2 = conv(c, c, 3)
            self.add = shortcut

        def forward(self, x):
            y = self.cv2(self.cv1(x))
            return x + y if self.add else y

    class C3(nn.Module):
        def __init__(self, c1: int, c2: int, n: int, shortcut: bool = True) -> None:
            super().__init__()
            c_ = c2 // 2
            self.cv1 = conv(c1, c_, 1)
            self.cv2 = conv(c1, c_, 1)
            self.cv3 = conv(2 * c_, c2, 1)
            self.m = nn.Sequential(*[Bottleneck(c_, shortcut) for _ in range(n)])

        def forward(self, x):
            return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))

    class SPPF(nn.Module):
        def __init__(self, c1: int, c2: int, k: int = 5) -> None:
            super().__init__()
            c_ = c1 // 2
            self.cv1 = conv(c1, c_, 1)
            self.cv2 = conv(4 * c_, c2, 1)
            self.m = nn.MaxPool2d(k, 1, k // 2)

        def forward(self, x):
            x = self.cv1(x)
            y1 = self.m(x)
            y2 = self.m(y1)
            return self.cv2(torch.cat([x, y1, y2, self.m(y2)], 1))

    out_ch = 3 * (classes + 5)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.b0 = conv(3, 64, 6, 2, 2)
            self.b1 = conv(64, 128, 3, 2)
            self.b2 = C3(128, 128, 3)
            self.b3 = conv(128, 256, 3, 2)
            self.b4 = C3(256, 256, 6)
            self.b5 = conv(256, 512, 3, 2)
            self.b6 = C3(512, 512, 9)
            self.b7 = conv(512, 1024, 3, 2)
            self.b8 = C3(1024, 1024, 3)
            self.b9 = SPPF(1024, 1024, 5)
            self.h10 = conv(1024, 512, 1)
            self.h13 = C3(1024, 512, 3, False)
            self.h14 = conv(512, 256, 1)
            self.h17 = C3(512, 256, 3, False)
            self.h18 = conv(256, 256, 3, 2)
            self.h20 = C3(512, 512, 3, False)
            self.h21 = conv(512, 512, 3, 2)
            self.h23 = C3(1024, 1024, 3, False)
            self.detect = nn.ModuleList(nn.Conv2d(c, out_ch, 1) for c in (256, 512, 1024))
            self.up = nn.Upsample(scale_factor=2, mode="nearest")

        def forward(self, x):
            x4 = self.b4(self.b3(self.b2(self.b1(self.b0(x)))))
            x6 = self.b6(self.b5(x4))
            x9 = self.b9(self.b8(self.b7(x6)))
            x10 = self.h10(x9)
            x14 = self.h14(self.h13(torch.cat([self.up(x10), x6], 1)))
            x17 = self.h17(torch.cat([self.up(x14), x4], 1))
            x20 = self.h20(torch.cat([self.h18(x17), x14], 1))
            x23 = self.h23(torch.cat([self.h21(x20), x10], 1))
            return [d(t) for d, t in zip(self.detect, (x17, x20, x23))]

    return Net()


HAND_BUILT = {
    "ResNet-32": (resnet32_cifar, 464154,
                  ("ResNet-32 for CIFAR-10 built in this script (He et al. 2016 Sec. 4.2: 3 stages of 5 "
                   "basic blocks, 16/32/64 channels, option-A shortcuts, 64-10 FC)")),
    "YOLOv3": (yolov3_darknet, 61949149,
               ("YOLOv3-416 built in this script from Darknet yolov3.cfg (Darknet-53 + 3 YOLO heads, "
                "80 classes)")),
    "YOLOv5": (yolov5l_v61, 46563709,
               "YOLOv5l built in this script from ultralytics v6.1 models/yolov5l.yaml (80 classes)"),
}


def count_hand_built(name: str, res: int) -> tuple[int, int, str]:
    import torch

    build, expected_params, text = HAND_BUILT[name]
    torch.manual_seed(0)
    model = build()
    p = n_params(model)
    if p != expected_params:
        raise SystemExit(f"{name}: hand-built model has {p} parameters, catalog says {expected_params}")
    acts, macs = count_model(model, torch.zeros(1, 3, res, res))
    return acts, macs, f"{text}; {p:,} parameters (matches the catalog)"


# ---------------------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------------------

def validate(timm: dict[str, list[dict]]) -> list[str]:
    lines, bad = [], []
    for builder, timm_name, res in VALIDATION:
        acts, macs = count_torchvision(builder, res)
        ref = next(r for r in timm[timm_name] if int(r["infer_img_size"]) == res)
        t_acts, t_macs = float(ref["infer_macts"]), float(ref["infer_gmacs"])
        dev = acts / 1e6 / t_acts - 1
        lines.append(f"  {builder:16s} @{res}: hooks {acts / 1e6:8.3f} M acts {macs / 1e9:7.3f} GMAC | "
                     f"timm {timm_name} {t_acts:7.2f} M acts {t_macs:6.2f} GMAC | {dev:+.1%}")
        if abs(dev) > VALIDATION_TOLERANCE:
            bad.append(builder)
    if bad:
        raise SystemExit("counter disagrees with timm infer_macts:\n" + "\n".join(lines))
    return lines


def row_for(arch: dict, timm: dict[str, list[dict]]) -> dict:
    name, res = arch["name"], int(arch["resolution_px"])
    builder, tname = arch["torchvision_builder"].strip(), arch["timm_name"].strip()
    candidates = [n for n in (tname, builder) if n]
    same = other = None
    for n in candidates:
        for r in timm.get(n, []):
            if int(r["infer_img_size"]) == res and same is None:
                same = r
            elif other is None:
                other = r
    if same is not None:
        src = timm_source(same)
        if builder:
            a, m = count_torchvision(builder, res)
            src += (f"; cross-check: torchvision {builder} hook count {a / 1e6:.3f} M activations, "
                    f"{m / 1e9:.3f} GMAC")
        return _row(name, res, float(same["infer_macts"]), float(same["infer_gmacs"]), src)

    if builder:
        acts, macs = count_torchvision(builder, res)
        if builder in DETECTION_BUILDERS:
            inp = (f"one zeros 3x{res}x{res} image through torchvision's default transform "
                   f"(min_size 800, max_size 1333; eval mode, default post-processing, so box and "
                   f"mask heads count the proposals and detections random weights produce)")
        else:
            inp = f"one zeros 1x3x{res}x{res} image"
        src = (f"torchvision {builder} (weights=None"
               + (", weights_backbone=None" if builder in DETECTION_BUILDERS or
                  builder.startswith(SEGMENTATION_PREFIXES) else "")
               + f", default constructor args) counted with forward hooks on {inp}: output elements "
               "of Conv2d/ConvTranspose2d/Linear (fvcore infer_macts convention)")
        if builder in DETECTION_BUILDERS:
            src += "; " + maskrcnn_breakdown(builder, res)
        elif builder.startswith(SEGMENTATION_PREFIXES):
            src += seg_aux_note(builder, res)
    elif name in HAND_BUILT:
        acts, macs, text = count_hand_built(name, res)
        src = (f"{text}; counted with forward hooks on one zeros 1x3x{res}x{res} image: output "
               "elements of Conv2d/Linear (fvcore infer_macts convention)")
    else:
        raise SystemExit(f"{name}: no timm row, torchvision builder or hand-built model")
    if other is not None:
        src += f"; timm reports {other['model']} @{other['infer_img_size']}: infer_macts {other['infer_macts']}"
    return _row(name, res, acts / 1e6, macs / 1e9, src)


def _row(name: str, res: int, acts_m: float, gmacs: float, src: str) -> dict:
    return {"architecture": name, "resolution_px": str(res), "forward_activations_m": f"{acts_m:.3f}",
            "forward_gmacs_counted": f"{gmacs:.3f}", "source": src}


def build(data: Path, verbose: bool = True) -> str:
    timm = timm_rows(data)
    lines = validate(timm)
    if verbose:
        print("validation against timm infer_macts (RTX 4090 file):")
        print("\n".join(lines))
    with open(ARCH_CSV, newline="") as f:
        archs = list(csv.DictReader(f))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for a in archs:
        r = row_for(a, timm)
        if verbose:
            half = float(a["forward_gflops"]) / 2
            print(f"  {r['architecture']:24s} @{r['resolution_px']:>4s}: {r['forward_activations_m']:>9s} M acts, "
                  f"{r['forward_gmacs_counted']:>8s} GMAC counted vs forward_gflops/2 {half:.3f}")
        w.writerow(r)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if activations.csv differs from what would be written")
    args = parser.parse_args(argv)
    text = build(args.data_dir)
    if args.check:
        current = OUT_CSV.read_text() if OUT_CSV.exists() else None
        if current != text:
            print(f"{OUT_CSV.relative_to(REPO)} is out of date", file=sys.stderr)
            return 1
        print(f"{OUT_CSV.relative_to(REPO)} is up to date")
        return 0
    OUT_CSV.write_text(text)
    print(f"wrote {OUT_CSV.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
