"""A pilot on one's own images: train on nested subsets, measure the validation error.

``dlcost learning-curve run DATA_DIR`` calls :func:`run_pilot`. DATA_DIR is in
``torchvision.datasets.ImageFolder`` layout (one sub-folder of images per class).
A fixed, stratified share of each class (``validation_fraction``, seeded) is held out;
the rest is the training split. One seeded permutation of the training split gives
nested subsets: the first 10% of it is inside the first 20%, and so on. For each
fraction a fresh network (a catalog architecture built by torchvision or timm, random
weights, or a state dict from ``pretrained_weights``; nothing is downloaded) is
trained for ``epochs`` passes over its subset (AdamW, cosine learning-rate decay,
no augmentation; bf16 autocast on cuda) and its top-1 error on the held-out split
is one pilot point.

PyTorch is an optional extra, imported when :func:`run_pilot` is called.
"""

from __future__ import annotations

import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dlcost import catalog
from dlcost.bench._pilot_training import _count_wrong, _drops_last_batch, _train_epochs

__all__ = ["PilotRun", "run_pilot", "load_weights", "DEFAULT_FRACTIONS"]

DEFAULT_FRACTIONS = (0.1, 0.2, 0.4)
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


def _require_torch():
    from dlcost.bench import MISSING_TORCH_MESSAGE, MissingTorch

    try:
        import torch
        import torchvision
    except ImportError as error:
        raise MissingTorch(MISSING_TORCH_MESSAGE.replace("dlcost bench", "dlcost learning-curve run")) from error
    return torch, torchvision


@dataclass(frozen=True)
class PilotRun:
    """The measured points of a pilot and how they were measured.

    ``points``: one dict per fraction with ``fraction``, ``n_train`` [images],
    ``error`` [fraction], ``n_wrong`` and ``n_validation`` [images], ``wall_s`` [s]
    and ``gpu_hours`` (cuda: wall time x 1 GPU) or ``cpu_hours`` (cpu: wall time x
    the torch threads used) [h]. ``class_counts`` are the training split's.
    """

    architecture: str
    builder: str
    data_dir: str
    device: str
    device_name: str
    classes: list[str]
    class_counts: dict[str, int]
    n_train_full: int
    n_validation: int
    validation_fraction: float
    epochs: int
    batch_size: int
    resolution_px: int
    learning_rate: float
    seed: int
    pretrained_weights: str | None
    weights_skipped: list[str]
    points: list[dict]
    gpu_hours: float | None
    cpu_hours: float | None
    torch_version: str
    torchvision_version: str
    python_version: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def noise_sd_log10(self) -> float:
        """Measurement noise of the points for the fit: the larger of the default (0.03) and the
        RMS over points of the binomial sd of log10(error), sqrt((1 - e) / (e m)) / ln 10, with m
        validation images. [log10]"""
        from dlcost.core.learning_curves import NOISE_SD_LOG10

        variances = [(1 - p["error"]) / (p["error"] * p["n_validation"]) / math.log(10) ** 2 for p in self.points]
        return max(NOISE_SD_LOG10, math.sqrt(sum(variances) / len(variances)))

    def pilot_points(self) -> list[dict]:
        """The points as :class:`dlcost.schemas.PilotPoint` dicts."""
        return [{"n_train": float(p["n_train"]), "error": p["error"]} for p in self.points]


def _check_fractions(fractions: Sequence[float]) -> list[float]:
    values = [float(f) for f in fractions]
    shown = ",".join(f"{f:g}" for f in values)
    if not values or any(not 0.0 < f <= 1.0 for f in values) or any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"fractions must be increasing shares of the training split, each in (0, 1], e.g. 0.1,0.2,0.4; got {shown or 'none'}.")
    return values


def _check_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}; got {value!r}.")
    return value


def _split(targets: np.ndarray, validation_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified held-out split, then one permutation of the training split (seeded)."""
    rng = np.random.default_rng(seed)
    validation, train = [], []
    for label in np.unique(targets):
        members = rng.permutation(np.flatnonzero(targets == label))
        n_validation = min(max(round(validation_fraction * len(members)), 1), len(members) - 1)
        validation.append(members[:n_validation])
        train.append(members[n_validation:])
    return rng.permutation(np.concatenate(train)), np.sort(np.concatenate(validation))


def load_weights(model, path: str | Path, torch) -> list[str]:
    """Load a state dict saved with ``torch.save`` into ``model``; never downloads.

    Tensors whose shape differs from the model's (the classifier head of a network
    trained for another number of classes) are skipped; a ``module.`` prefix (from
    DataParallel) and a ``state_dict``/``model`` wrapper are accepted.

    Returns
    -------
    weights_skipped : list of str
        Keys left at random initialisation because their shape differs.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"pretrained_weights must be a file saved with torch.save(model.state_dict(), path); {str(path)!r} does not exist.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a bad input
        raise ValueError(f"pretrained_weights {str(path)!r} cannot be read as a PyTorch state dict: {type(exc).__name__}.") from None
    for wrapper in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    if not isinstance(state, dict):
        raise ValueError(f"pretrained_weights {str(path)!r} holds a {type(state).__name__}, not a state dict.")
    state = {key.removeprefix("module."): value for key, value in state.items()}
    own = model.state_dict()
    loadable = {k: v for k, v in state.items() if k in own and hasattr(v, "shape") and v.shape == own[k].shape}
    skipped = sorted(k for k, v in state.items() if k in own and k not in loadable)
    if not loadable:
        raise ValueError(
            f"pretrained_weights {str(path)!r} match none of the network's parameters; save them from the same "
            "architecture with torch.save(model.state_dict(), path)."
        )
    model.load_state_dict(loadable, strict=False)
    return skipped


def _architecture(name: str) -> catalog.Architecture:
    architecture = catalog.find_architecture(name)
    if architecture.task != "classification":
        raise ValueError(f"{architecture.name} is a detection/segmentation network: dlcost learning-curve run trains classifiers only.")
    return architecture


def _check_settings(torch, architecture: str, fractions: Sequence[float], epochs, batch_size, resolution, device, workers,
                    validation_fraction: float, learning_rate: float) -> tuple[list[float], catalog.Architecture, int, str, int]:
    """``(fractions, spec, resolution, device, workers)``, defaults filled in; ValueError on a bad setting."""
    from dlcost.bench._training import _resolve_device

    fractions = _check_fractions(fractions)
    _check_int(epochs, "epochs")
    _check_int(batch_size, "batch_size")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be a fraction in (0, 1); got {validation_fraction!r}.")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be greater than 0; got {learning_rate!r}.")
    spec = _architecture(architecture)
    resolution = _check_int(spec.resolution_px if resolution is None else resolution, "resolution")
    device = _resolve_device(torch, device)
    workers = (0 if device == "cpu" else min(8, os.cpu_count() or 1)) if workers is None else _check_int(workers, "workers", 0)
    return fractions, spec, resolution, device, workers


def _image_folder(torchvision, root: Path, resolution: int):
    """``(dataset, targets)``: the ImageFolder at ``root``, resized to ``resolution`` px squares and normalised."""
    if not root.is_dir():
        raise ValueError(f"data_dir must be a folder with one sub-folder of images per class; {str(root)!r} is not a folder.")
    transform = torchvision.transforms.Compose([
        torchvision.transforms.Resize((resolution, resolution)),
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(_IMAGENET_MEAN, _IMAGENET_STD),
    ])
    try:
        dataset = torchvision.datasets.ImageFolder(str(root), transform=transform)
    except (FileNotFoundError, OSError) as exc:
        raise ValueError(f"data_dir {str(root)!r} is not in ImageFolder layout (one sub-folder of images per class): {exc}") from None
    targets = np.asarray(dataset.targets)
    counts = np.bincount(targets, minlength=len(dataset.classes))
    if len(dataset.classes) < 2 or counts.min() < 2:
        raise ValueError(f"data_dir {str(root)!r} must hold at least 2 classes with at least 2 images each; "
                         f"got {len(dataset.classes)} class(es), the smallest with {int(counts.min())} image(s).")
    return dataset, targets


def _subset_sizes(fractions: list[float], n_train: int) -> list[int]:
    """Images in each nested subset of a training split of ``n_train`` images; ValueError when two are equal."""
    sizes = [max(1, round(f * n_train)) for f in fractions]
    if any(b <= a for a, b in zip(sizes, sizes[1:])):
        raise ValueError(f"fractions give subsets of equal size {sizes} on a training split of {n_train} images; space them further apart.")
    return sizes


def _pilot_point(fraction: float, size: int, wrong: int, n_validation: int, wall_s: float, device: str,
                 n_threads: int) -> tuple[dict, str | None]:
    """``(point, note)``: one pilot point, and a note when the error was moved off 0 or 1 (else None)."""
    error = wrong / n_validation
    note = None
    if wrong in (0, n_validation):
        error = min(max(error, 0.5 / n_validation), 1 - 0.5 / n_validation)
        note = (f"fraction {fraction:g}: {wrong} of {n_validation} validation images wrong; the error is "
                f"set half an image inside (0, 1) ({error:.4g}) so that it can be fitted.")
    hours = wall_s / 3600.0
    point = {
        "fraction": fraction, "n_train": size, "error": error, "n_wrong": wrong, "n_validation": n_validation,
        "wall_s": wall_s, "gpu_hours": hours if device == "cuda" else None,
        "cpu_hours": hours * n_threads if device == "cpu" else None,
    }
    return point, note


def _measure_points(torch, torchvision, dataset, spec: catalog.Architecture, train_order: np.ndarray,
                    validation: np.ndarray, fractions: list[float], sizes: list[int], *, epochs: int,
                    batch_size: int, device: str, workers: int, learning_rate: float, seed: int,
                    pretrained_weights: str | Path | None, progress: Callable[[int, int], None] | None,
                    ) -> tuple[list[dict], list[str], str, list[str]]:
    """Train a fresh network on each nested subset and measure it: ``(points, notes, builder, weights_skipped)``."""
    from torch.utils.data import DataLoader, Subset

    from dlcost.bench._training import _build_model

    steps_per_epoch = [math.ceil(s / batch_size) - (1 if _drops_last_batch(s, batch_size) else 0) for s in sizes]
    total_steps, done = epochs * sum(steps_per_epoch), 0
    validation_loader = DataLoader(Subset(dataset, validation.tolist()), batch_size=2 * batch_size, num_workers=workers)
    autocast = torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda")
    points, notes, builder, skipped = [], [], "", []
    for index, (fraction, size) in enumerate(zip(fractions, sizes)):
        torch.manual_seed(seed + index)
        started = time.perf_counter()
        model, builder = _build_model(spec, len(dataset.classes), torchvision)
        if pretrained_weights is not None:
            skipped = load_weights(model, pretrained_weights, torch)
        model = model.to(device)
        subset = Subset(dataset, train_order[:size].tolist())
        loader = DataLoader(subset, batch_size=batch_size, shuffle=True, num_workers=workers,
                            drop_last=_drops_last_batch(size, batch_size),
                            generator=torch.Generator().manual_seed(seed + index))
        done = _train_epochs(torch, model, loader, autocast, device=device, epochs=epochs, learning_rate=learning_rate,
                             n_steps=epochs * steps_per_epoch[index], done=done, total_steps=total_steps, progress=progress)
        wrong = _count_wrong(torch, model, validation_loader, autocast, device)
        if device == "cuda":
            torch.cuda.synchronize()
        point, note = _pilot_point(fraction, size, wrong, len(validation), time.perf_counter() - started, device,
                                   torch.get_num_threads())
        points.append(point)
        if note is not None:
            notes.append(note)
    return points, notes, builder, skipped


def _pilot_run(torch, torchvision, dataset, targets: np.ndarray, train_order: np.ndarray, validation: np.ndarray, *,
               spec: catalog.Architecture, builder: str, root: Path, device: str, validation_fraction: float,
               epochs: int, batch_size: int, resolution: int, learning_rate: float, seed: int,
               pretrained_weights: str | Path | None, skipped: list[str], points: list[dict], notes: list[str]) -> PilotRun:
    """The :class:`PilotRun` of measured ``points``, with the split's class counts and the software versions."""
    from dlcost.bench._store import cpu_model

    train_counts = np.bincount(targets[train_order], minlength=len(dataset.classes))
    return PilotRun(
        architecture=spec.name, builder=builder, data_dir=str(root), device=device,
        device_name=torch.cuda.get_device_name() if device == "cuda" else cpu_model(),
        classes=list(dataset.classes), class_counts={c: int(n) for c, n in zip(dataset.classes, train_counts)},
        n_train_full=len(train_order), n_validation=len(validation), validation_fraction=validation_fraction,
        epochs=epochs, batch_size=batch_size, resolution_px=resolution, learning_rate=learning_rate, seed=seed,
        pretrained_weights=None if pretrained_weights is None else str(pretrained_weights), weights_skipped=skipped,
        points=points,
        gpu_hours=sum(p["gpu_hours"] for p in points) if device == "cuda" else None,
        cpu_hours=sum(p["cpu_hours"] for p in points) if device == "cpu" else None,
        torch_version=torch.__version__, torchvision_version=torchvision.__version__,
        python_version=platform.python_version(), notes=notes,
    )


def run_pilot(
    data_dir: str | Path,
    architecture: str,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    epochs: int = 10,
    device: str | None = None,
    pretrained_weights: str | Path | None = None,
    batch_size: int = 32,
    resolution: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    *,
    validation_fraction: float = 0.2,
    learning_rate: float = 1e-3,
    workers: int | None = None,
) -> PilotRun:
    """Train ``architecture`` on nested subsets of ``data_dir`` and measure each validation error.

    Parameters
    ----------
    data_dir : path
        ImageFolder layout: ``data_dir/<class>/<image>``, at least 2 classes of 2 images.
    architecture : str
        Catalog name or alias of a classification network, e.g. ``"ResNet-18"``.
    fractions : sequence of float
        Increasing shares of the training split, each in (0, 1]. [fraction]
    epochs : int
        Passes over each subset.
    device : {"cuda", "cpu"}, optional
        Default: cuda when available.
    pretrained_weights : path, optional
        State dict saved with ``torch.save``; tensors of another shape (the head) are skipped.
    batch_size : int
        [images]
    resolution : int, optional
        Square input side. [px] Default: the catalog's native resolution.
    seed : int
        Seeds the split, the subsets, the initialisation and the batch order.
    progress : callable, optional
        ``progress(done_steps, total_steps)`` after every optimiser step, over all fractions.
    validation_fraction : float
        Share of each class held out. [fraction]
    learning_rate : float
        AdamW peak learning rate, decayed to 0 by a cosine over each run.
    workers : int, optional
        DataLoader worker processes. Default: 0 on cpu, min(8, CPUs) on cuda.

    Returns
    -------
    PilotRun
    """
    torch, torchvision = _require_torch()
    fractions, spec, resolution, device, workers = _check_settings(
        torch, architecture, fractions, epochs, batch_size, resolution, device, workers, validation_fraction, learning_rate)
    root = Path(data_dir)
    dataset, targets = _image_folder(torchvision, root, resolution)
    train_order, validation = _split(targets, validation_fraction, seed)
    sizes = _subset_sizes(fractions, len(train_order))
    points, notes, builder, skipped = _measure_points(
        torch, torchvision, dataset, spec, train_order, validation, fractions, sizes, epochs=epochs,
        batch_size=batch_size, device=device, workers=workers, learning_rate=learning_rate, seed=seed,
        pretrained_weights=pretrained_weights, progress=progress)
    return _pilot_run(
        torch, torchvision, dataset, targets, train_order, validation, spec=spec, builder=builder, root=root,
        device=device, validation_fraction=validation_fraction, epochs=epochs, batch_size=batch_size,
        resolution=resolution, learning_rate=learning_rate, seed=seed, pretrained_weights=pretrained_weights,
        skipped=skipped, points=points, notes=notes)
