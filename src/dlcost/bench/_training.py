"""Training throughput of a catalog architecture on synthetic data.

One training step is what an ImageNet classification run does per batch: forward,
cross-entropy, backward and an SGD (momentum 0.9) update, on random images and
labels already on the device, so neither the disk nor the data loader limits it.
The forward FLOPs are counted with ``torch.utils.flop_counter.FlopCounterMode``
(one multiply-add = 2 FLOPs, as in the catalog), and a training step is taken as
3 x forward FLOPs (forward + backward for activations + backward for weights).
"""

from __future__ import annotations

import importlib.util
import platform
import resource
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass

from dlcost import catalog
from dlcost.bench._store import cpu_model, utc_now_iso
from dlcost.bench._training_loop import _allow_tf32, _synthetic_inference_step, _synthetic_training_step, _timed_training_s

__all__ = ["TrainingBenchResult", "run_training_bench", "count_forward_gflops"]

PRECISIONS = ("bf16", "fp16", "tf32", "fp32")
DEVICES = ("cuda", "cpu")
TRAINING_FLOPS_PER_FORWARD_FLOP = 3  # forward + 2 x forward for the backward pass


@dataclass(frozen=True)
class TrainingBenchResult:
    """A measured training throughput and the exact settings it was measured with.

    Attributes (units in brackets)
    ------------------------------
    architecture : catalog name of the network.
    builder : how it was built, e.g. ``torchvision.models.resnet18(weights=None)``.
    device : ``cuda`` or ``cpu``; device_name : GPU or CPU model.
    precision : ``bf16``, ``fp16`` or ``fp32`` (autocast dtype; fp32 = no autocast).
    channels_last : memory format used for the model and images.
    batch_size [images], resolution_px [px], num_classes, steps, warmup_steps.
    images_per_s : training throughput over the timed steps. [images/s]
    step_time_s : mean wall time of one timed step. [s]
    forward_gflops_per_image : counted forward FLOPs at ``resolution_px``. [GFLOP/image]
    achieved_tflops : images_per_s x 3 x forward FLOPs. [TFLOP/s]
    peak_tflops : the device's peak passed in, or None. [TFLOP/s]
    utilization : achieved_tflops / peak_tflops, or None. [fraction]
    peak_memory_gb : ``torch.cuda.max_memory_allocated`` on cuda; on cpu the
        process's maximum resident set size (whole process, not just training). [GB, 1e9 bytes]
    n_parameters : parameters of the built network. [parameters]
    measured_on : UTC time at the end of the measurement, ISO 8601.
    torch_version, torchvision_version, timm_version, cuda_version, cudnn_version,
    python_version : software the number was measured with (None when absent).
    mode : ``train`` (a training step) or ``infer`` (a forward pass in eval mode, no autograd);
        images_per_s and achieved_tflops are then inference figures (1 x forward FLOPs).
    """

    architecture: str
    builder: str
    device: str
    device_name: str
    precision: str
    channels_last: bool
    batch_size: int
    resolution_px: int
    num_classes: int
    steps: int
    warmup_steps: int
    images_per_s: float
    step_time_s: float
    forward_gflops_per_image: float
    achieved_tflops: float
    peak_tflops: float | None
    utilization: float | None
    peak_memory_gb: float
    n_parameters: int
    measured_on: str
    torch_version: str
    torchvision_version: str
    timm_version: str | None
    cuda_version: str | None
    cudnn_version: str | None
    python_version: str
    mode: str = "train"

    def to_dict(self) -> dict:
        return asdict(self)

    def versions_text(self) -> str:
        """The software versions as one line, e.g. ``torch 2.14.1; torchvision 0.29.1; ...``."""
        parts = [
            ("python", self.python_version),
            ("torch", self.torch_version),
            ("torchvision", self.torchvision_version),
            ("timm", self.timm_version),
            ("cuda", self.cuda_version),
            ("cudnn", self.cudnn_version),
        ]
        return "; ".join(f"{name} {version}" for name, version in parts if version)


def _require_torch():
    from dlcost.bench import _require_torch as require

    return require()


def _check_positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return value


def _classification_architecture(architecture_name: str) -> catalog.Architecture:
    architecture = catalog.find_architecture(architecture_name)
    if architecture.task != "classification":
        raise ValueError(
            f"{architecture.name} is a detection/segmentation network: "
            "dlcost bench measures classification training only"
        )
    return architecture


def _build_model(architecture: catalog.Architecture, num_classes: int, torchvision):
    """``(model, builder_text)`` with random weights; never downloads anything."""
    if architecture.torchvision_builder:
        options = {"weights": None, "num_classes": num_classes}
        if architecture.torchvision_builder == "inception_v3":
            options.update(aux_logits=False, init_weights=False)
        model = torchvision.models.get_model(architecture.torchvision_builder, **options)
        shown = ", ".join(f"{key}={value!r}" for key, value in options.items())
        return model, f"torchvision.models.{architecture.torchvision_builder}({shown})"
    if architecture.timm_name and importlib.util.find_spec("timm") is not None:
        import timm

        model = timm.create_model(architecture.timm_name, pretrained=False, num_classes=num_classes)
        return model, f"timm.create_model({architecture.timm_name!r}, pretrained=False, num_classes={num_classes})"
    if architecture.timm_name:
        raise ValueError(
            f"{architecture.name} can't be built without timm (catalog timm name "
            f"{architecture.timm_name!r}): pip install timm"
        )
    raise ValueError(
        f"{architecture.name} can't be built: the catalog has no torchvision builder "
        "or timm name for it."
    )


def _counted_forward_flops(torch, model, resolution_px: int, device: str) -> int:
    """Forward FLOPs of ``model`` for one image of ``resolution_px`` [FLOP]."""
    from torch.utils.flop_counter import FlopCounterMode

    was_training = model.training
    model.eval()
    try:
        images = torch.zeros(1, 3, resolution_px, resolution_px, device=device)
        # Gradients stay enabled: under no_grad, nn.MultiheadAttention takes a fused
        # "fast path" kernel the counter does not see.
        with FlopCounterMode(display=False) as counter:
            model(images)
    finally:
        model.train(was_training)
    return counter.get_total_flops()


def _forward_flops_per_image(torch, torchvision, architecture, num_classes, resolution_px) -> int:
    """Forward FLOPs per image [FLOP], counted on a shape-only ("meta") copy.

    The meta device runs every layer's shapes without arithmetic, and takes the
    plain matmul path for attention, which the counter sees; the CPU's fused
    attention kernel is not counted (ViT-B/16 would lose 1.4 of 35.1 GFLOP).
    Falls back to a CPU forward pass with the plain attention path.
    """
    try:
        with torch.device("meta"):
            model, _ = _build_model(architecture, num_classes, torchvision)
        return _counted_forward_flops(torch, model, resolution_px, "meta")
    except (NotImplementedError, RuntimeError):
        from torch.nn.attention import SDPBackend, sdpa_kernel

        model, _ = _build_model(architecture, num_classes, torchvision)
        with sdpa_kernel(SDPBackend.MATH):
            return _counted_forward_flops(torch, model, resolution_px, "cpu")


def count_forward_gflops(architecture_name: str, resolution_px: int | None = None, *, num_classes: int = 1000) -> float:
    """Counted forward FLOPs per image of a catalog architecture.

    Parameters
    ----------
    architecture_name : str
        Catalog name or alias, e.g. ``"ResNet-50"``.
    resolution_px : int, optional
        Square input side. [px] Default: the catalog's native resolution.
    num_classes : int
        Outputs of the classifier head. [classes]

    Returns
    -------
    forward_gflops : float
        One multiply-add = 2 FLOPs, batch of 1. [GFLOP/image]
    """
    torch, torchvision = _require_torch()
    architecture = _classification_architecture(architecture_name)
    resolution_px = architecture.resolution_px if resolution_px is None else resolution_px
    _check_positive_int(resolution_px, "resolution_px")
    _check_positive_int(num_classes, "num_classes")
    return _forward_flops_per_image(torch, torchvision, architecture, num_classes, resolution_px) / 1e9


def _resolve_device(torch, device: str | None) -> str:
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)} or None; got {device!r}.")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' needs a CUDA GPU visible to PyTorch; none is. Use device='cpu'.")
    return device


def _resolve_precision(precision: str | None, device: str) -> str:
    if precision is None:
        return "bf16" if device == "cuda" else "fp32"
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}; got {precision!r}.")
    if precision in ("fp16", "tf32") and device == "cpu":
        raise ValueError(f"precision {precision!r} needs device 'cuda'; got device 'cpu'. Use 'bf16' or 'fp32' on CPU.")
    return precision


def _device_name(torch, device: str) -> str:
    if device == "cuda":
        return torch.cuda.get_device_name(torch.cuda.current_device())
    return cpu_model()


def _cpu_peak_memory_gb() -> float:
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bytes_per_unit = 1 if sys.platform == "darwin" else 1024  # macOS: bytes; Linux: KiB
    return max_rss * bytes_per_unit / 1e9


def _check_settings(
    torch, architecture_name: str, *, device: str | None, precision: str | None, batch_size: int | None,
    resolution_px: int | None, steps: int, warmup_steps: int, num_classes: int, peak_tflops: float | None,
) -> tuple[catalog.Architecture, str, str, int, int]:
    """``(architecture, device, precision, batch_size, resolution_px)``, defaults filled in; ValueError on a bad one."""
    architecture = _classification_architecture(architecture_name)
    device = _resolve_device(torch, device)
    precision = _resolve_precision(precision, device)
    if batch_size is None:
        batch_size = 64 if device == "cuda" else 8
    _check_positive_int(batch_size, "batch_size")
    resolution_px = _check_positive_int(
        architecture.resolution_px if resolution_px is None else resolution_px, "resolution_px"
    )
    _check_positive_int(steps, "steps")
    _check_positive_int(warmup_steps, "warmup_steps", minimum=0)
    _check_positive_int(num_classes, "num_classes", minimum=2)
    if peak_tflops is not None and not peak_tflops > 0:
        raise ValueError(f"peak_tflops must be a positive number of TFLOP/s or None; got {peak_tflops!r}.")
    return architecture, device, precision, batch_size, resolution_px


def _training_result(
    torch, torchvision, architecture: catalog.Architecture, builder: str, *, device: str, precision: str,
    channels_last: bool, batch_size: int, resolution_px: int, num_classes: int, steps: int, warmup_steps: int,
    elapsed_s: float, forward_flops: int, peak_tflops: float | None, n_parameters: int, mode: str = "train",
) -> TrainingBenchResult:
    """The result of ``steps`` timed steps in ``elapsed_s`` [s]; peak memory and versions are read now."""
    images_per_s = steps * batch_size / elapsed_s
    passes = TRAINING_FLOPS_PER_FORWARD_FLOP if mode == "train" else 1
    achieved_tflops = images_per_s * passes * forward_flops / 1e12
    if device == "cuda":
        peak_memory_gb = torch.cuda.max_memory_allocated() / 1e9
        cuda_version = torch.version.cuda
        cudnn = torch.backends.cudnn.version()
        cudnn_version = str(cudnn) if cudnn else None
    else:
        peak_memory_gb = _cpu_peak_memory_gb()
        cuda_version = cudnn_version = None
    timm_version = None
    if "timm" in sys.modules:
        timm_version = getattr(sys.modules["timm"], "__version__", None)

    return TrainingBenchResult(
        architecture=architecture.name,
        builder=builder,
        device=device,
        device_name=_device_name(torch, device),
        precision=precision,
        channels_last=channels_last,
        batch_size=batch_size,
        resolution_px=resolution_px,
        num_classes=num_classes,
        steps=steps,
        warmup_steps=warmup_steps,
        images_per_s=images_per_s,
        step_time_s=elapsed_s / steps,
        forward_gflops_per_image=forward_flops / 1e9,
        achieved_tflops=achieved_tflops,
        peak_tflops=peak_tflops,
        utilization=None if peak_tflops is None else achieved_tflops / peak_tflops,
        peak_memory_gb=peak_memory_gb,
        n_parameters=n_parameters,
        measured_on=utc_now_iso(),
        torch_version=torch.__version__,
        torchvision_version=torchvision.__version__,
        timm_version=timm_version,
        cuda_version=cuda_version,
        cudnn_version=cudnn_version,
        python_version=platform.python_version(),
        mode=mode,
    )


def run_training_bench(
    architecture_name: str,
    *,
    device: str | None = None,
    precision: str | None = None,
    batch_size: int | None = None,
    resolution_px: int | None = None,
    steps: int = 30,
    warmup_steps: int = 10,
    num_classes: int = 1000,
    peak_tflops: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    inference: bool = False,
) -> TrainingBenchResult:
    """Measure training (or, with ``inference``, forward-pass) images/s of a catalog architecture on synthetic data.

    Parameters
    ----------
    architecture_name : str
        Catalog name or alias of a classification network.
    device : {"cuda", "cpu"}, optional
        Default: cuda when available, else cpu.
    precision : {"bf16", "fp16", "tf32", "fp32"}, optional
        Autocast dtype (fp16 adds a GradScaler; fp16 and tf32 need cuda; tf32 lets cuBLAS and
        cuDNN use TF32, fp32 forbids it). Default: bf16 on cuda, fp32 on cpu.
    batch_size : int, optional
        Images per step. [images] Default: 64 on cuda, 8 on cpu.
    resolution_px : int, optional
        Square input side. [px] Default: the catalog's native resolution.
    steps, warmup_steps : int
        Timed steps, and untimed steps run before them.
    num_classes : int
        Outputs of the classifier head. [classes]
    peak_tflops : float, optional
        The device's peak at this precision, for ``utilization``. [TFLOP/s]
    progress : callable, optional
        Called as ``progress(done_steps, total_steps)`` after every step, warm-up included.
    inference : bool
        Time forward passes in eval mode without autograd instead of training steps.

    Returns
    -------
    TrainingBenchResult
    """
    torch, torchvision = _require_torch()
    architecture, device, precision, batch_size, resolution_px = _check_settings(
        torch, architecture_name, device=device, precision=precision, batch_size=batch_size,
        resolution_px=resolution_px, steps=steps, warmup_steps=warmup_steps, num_classes=num_classes,
        peak_tflops=peak_tflops,
    )
    forward_flops = _forward_flops_per_image(torch, torchvision, architecture, num_classes, resolution_px)

    channels_last = device == "cuda"
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model, builder = _build_model(architecture, num_classes, torchvision)
    model = model.to(device=device, memory_format=memory_format)
    model.train(not inference)
    n_parameters = sum(parameter.numel() for parameter in model.parameters())
    settings = dict(device=device, precision=precision, batch_size=batch_size, resolution_px=resolution_px,
                    memory_format=memory_format)
    step = (_synthetic_inference_step(torch, model, **settings) if inference
            else _synthetic_training_step(torch, model, num_classes=num_classes, **settings))
    previous = _allow_tf32(torch, precision)
    try:
        elapsed_s = _timed_training_s(torch, step, device=device, steps=steps, warmup_steps=warmup_steps, progress=progress)
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = previous
    return _training_result(
        torch, torchvision, architecture, builder, device=device, precision=precision,
        channels_last=channels_last, batch_size=batch_size, resolution_px=resolution_px,
        num_classes=num_classes, steps=steps, warmup_steps=warmup_steps, elapsed_s=elapsed_s,
        forward_flops=forward_flops, peak_tflops=peak_tflops, n_parameters=n_parameters,
        mode="infer" if inference else "train",
    )
