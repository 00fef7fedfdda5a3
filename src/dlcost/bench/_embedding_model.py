"""The network of the dataset distance: torchvision's Inception-V3 cut at its penultimate pooled layer.

Torch is imported inside the functions (an optional extra). The weights are torchvision's
ImageNet ones (``Inception_V3_Weights.IMAGENET1K_V1``, downloaded by torchvision when it can),
or a state_dict file. The model is built on the ``meta`` device and the file's tensors are
assigned to it, so no random initialisation is spent on weights that are then overwritten.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from dlcost.core.checks import InputError, shown

__all__ = ["MISSING_TORCH_MESSAGE", "DEFAULT_WEIGHTS_NAME", "DEVICES", "require_torch", "check_device",
           "load_inception_v3", "preprocess_image", "preprocess_batch", "weights_identity", "save_random_weights", "precision_of"]

MISSING_TORCH_MESSAGE = "distance needs PyTorch: pip install 'dlcost[torch]'"
#: How the default weights are named in results and stats files.
DEFAULT_WEIGHTS_NAME = "torchvision Inception_V3_Weights.IMAGENET1K_V1"
DEVICES = ("cuda", "cpu")


def require_torch():
    """``(torch, torchvision)``; one line naming the extra when they are not installed."""
    try:
        import torch
        import torchvision
    except ImportError:
        raise InputError("torch", MISSING_TORCH_MESSAGE) from None
    return torch, torchvision


def check_device(device: str | None) -> str:
    """``cuda`` or ``cpu`` (None: cuda when PyTorch sees a GPU); a clear error for cuda without one."""
    if device is not None and device not in DEVICES:
        raise InputError("device", f"device must be one of cuda, cpu; got {shown(device)}.")
    torch, _ = require_torch()
    available = torch.cuda.is_available()
    if device == "cuda" and not available:
        raise InputError("device", "device cuda: PyTorch sees no CUDA GPU on this machine (torch.cuda.is_available() is "
                                   "False); use --device cpu, or install a CUDA build of PyTorch.")
    return device or ("cuda" if available else "cpu")


def precision_of(device: str) -> str:
    """The precision the local pipeline embeds in on ``device``: bf16 on CUDA, fp32 on the CPU."""
    return "bf16" if device == "cuda" else "fp32"


def load_inception_v3(weights: Path | None, device: str):
    """Inception-V3 in eval mode on ``device`` (fp32), its output the 2,048-value penultimate pooled embedding.

    ``weights``: None for torchvision's ImageNet weights, else a state_dict file (``torch.save(
    model.state_dict(), PATH)``, or a checkpoint holding one under ``state_dict`` or ``model``).
    The classifier (``fc``) and the auxiliary head are dropped; the input transform of
    torchvision's pretrained model (``transform_input=True``) is kept, so a file saved from
    ``inception_v3(weights="IMAGENET1K_V1")`` gives the same embeddings as the default.
    """
    torch, torchvision = require_torch()
    device = check_device(device)
    state, where = _state_dict(torch, torchvision, weights)
    with torch.device("meta"):
        model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False, transform_input=True)
    model.fc = torch.nn.Identity()
    try:
        model.load_state_dict(state, strict=True, assign=True)
    except RuntimeError as exc:
        reason = " ".join(str(exc).split())[:240]
        raise InputError("weights", f"weights: {where} is not an Inception-V3 state_dict ({reason}).") from None
    model = model.to(device=device, dtype=torch.float32).eval()
    model.requires_grad_(False)
    return model


def _state_dict(torch, torchvision, weights: Path | None) -> tuple[dict, str]:
    if weights is None:
        default = torchvision.models.Inception_V3_Weights.IMAGENET1K_V1
        try:
            state = default.get_state_dict(progress=False, check_hash=True)
        except Exception as exc:  # noqa: BLE001 - offline, a proxy, a truncated download: one line whatever the cause
            reason = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise InputError("weights", f"weights: torchvision could not load its ImageNet Inception-V3 weights ({reason}). "
                                        f"Offline, fetch {default.url} on a machine online and pass --weights PATH.") from None
        return _embedding_state(state), "torchvision's ImageNet weights"
    path, where = Path(weights), f"{str(weights)!r}"
    if not path.is_file():
        raise InputError("weights", f"weights must be a state_dict file; {where} "
                                    f"{'is a folder' if path.is_dir() else 'does not exist'}.")
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch.load raises many types for a file that is not a checkpoint
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError("weights", f"weights: {where} is not a PyTorch state_dict file that torch.load reads safely "
                                    f"({reason}); save one with torch.save(model.state_dict(), PATH).") from None
    for key in ("state_dict", "model"):
        if isinstance(loaded, dict) and isinstance(loaded.get(key), dict):
            loaded = loaded[key]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise InputError("weights", f"weights: {where} holds no state_dict (a mapping of names to tensors).")
    return _embedding_state(loaded), where


def _embedding_state(state: dict) -> dict:
    """The tensors of the embedding network: no classifier, no auxiliary head, no DataParallel prefix."""
    if state and all(key.startswith("module.") for key in state):
        state = {key.removeprefix("module."): value for key, value in state.items()}
    return {key: value for key, value in state.items() if not key.startswith(("fc.", "AuxLogits."))}


@functools.lru_cache(maxsize=1)
def _transforms():
    _, torchvision = require_torch()
    return torchvision.models.Inception_V3_Weights.IMAGENET1K_V1.transforms()


def preprocess_image(image):
    """``image`` (PIL) as the network expects it: RGB, shorter side 342 px (bilinear, antialiased), centre crop
    299 x 299, float in [0, 1] normalised with ImageNet's mean and std (torchvision's
    ``Inception_V3_Weights.IMAGENET1K_V1.transforms()``). [3 x 299 x 299 float32]"""
    return _transforms()(image.convert("RGB"))


def preprocess_batch(images):
    """The same transform on a batch of decoded images of one size [N x 3 x H x W uint8, any device]."""
    return _transforms()(images)


def weights_identity(weights: Path | None) -> dict:
    """``{"weights": name, "weights_sha256": hex or None}``: which network made an embedding.

    The SHA-256 is of the weights file (for the default weights, torchvision's cached download),
    so a stats file made with ``--weights`` pointing at that download matches the default.
    """
    if weights is None:
        torch, torchvision = require_torch()
        url = torchvision.models.Inception_V3_Weights.IMAGENET1K_V1.url
        path, name = Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1], DEFAULT_WEIGHTS_NAME
    else:
        path = Path(weights)
        name = path.name
    if not path.is_file():
        return {"weights": name, "weights_sha256": None}
    status = path.stat()
    return {"weights": name, "weights_sha256": _sha256(str(path.resolve()), status.st_size, status.st_mtime_ns)}


@functools.lru_cache(maxsize=8)
def _sha256(path: str, size: int, mtime_ns: int) -> str:  # size and mtime: a rewritten file is hashed again
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_random_weights(path: str | Path, seed: int = 0) -> Path:
    """Save an Inception-V3 state_dict with random weights to ``path``, for tests and benchmarks (no download).

    The network is torchvision's ``inception_v3(weights=None, aux_logits=False, init_weights=False)``;
    its batch-norm statistics are set by one pass over random images in training mode, so that
    the embeddings keep a unit scale (with the untouched statistics they shrink to ~1e-8, and
    the distances with them). Throughput does not depend on the weights' values.
    """
    torch, torchvision = require_torch()
    torch.manual_seed(seed)
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False, transform_input=True)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None  # a cumulative average over the calibration pass
    model.train()
    with torch.no_grad():
        model(torch.randn(2, 3, 160, 160, generator=torch.Generator().manual_seed(seed)))  # 160 px: quick, and enough
    path = Path(path)
    torch.save(model.eval().state_dict(), path)
    return path

