"""The dataset distance between a target and a baseline (seed 000; issue 15): the one call every interface makes.

TARGET and BASELINE are each an image folder (searched recursively) or a stats file saved earlier
with ``save_stats`` (:mod:`dlcost.iotools.embedding_stats`). A folder is sampled (``sample``
images, seeded), embedded with Inception-V3 (:mod:`dlcost.bench.embedding`, or the Ray Data job of
:mod:`dlcost.bench.ray_embedding` with ``engine="ray"``) and summed; a stats file is read. The
result holds the paper's measure (:func:`~dlcost.core.distance.wasserstein_of_means`) and the
Fréchet distance (:func:`~dlcost.core.distance.frechet_distance`).

``save_stats`` saves the stats of the side that was embedded: the BASELINE's when it is a folder
(the baseline is what a team computes once and shares), else the TARGET's.
Comparing two stats files needs no PyTorch.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

from dlcost.core.checks import InputError, check_choice, shown

__all__ = ["distance", "MIN_IMAGES", "PAPER_SAMPLE", "ENGINES", "MAX_SAMPLE", "MAX_SEED"]

#: Fewest images a side may have: the covariance of the Fréchet distance needs two.
MIN_IMAGES = 2
#: Images seed 000 samples from each data set. [images]
PAPER_SAMPLE = 10_000
#: Bounds on the settings: far beyond any use, small enough that a slip is caught before work.
MAX_SAMPLE = 100_000_000
MAX_SEED = 2**63 - 1
MAX_BATCH_SIZE = 65_536
ENGINES = ("local", "ray")
DEVICES = ("cuda", "cpu")


@dataclass
class _Side:
    """One side of the comparison: where it comes from and, once read or embedded, its stats."""

    name: str  # "target" or "baseline"
    source: Path
    kind: str  # "folder" or "stats file"
    paths: list = field(default_factory=list)
    n_found: int | None = None
    stats: object = None
    metadata: dict = field(default_factory=dict)
    skipped: int = 0
    skipped_examples: list = field(default_factory=list)


def _whole(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(name, f"{name} must be a whole number from {low:,} to {high:,}; got {shown(value)}.")
    return value


def _check_options(sample, seed, batch_size, device, engine, weights, save_stats, target=None, baseline=None) -> None:
    _whole(sample, "sample", MIN_IMAGES, MAX_SAMPLE)
    _whole(seed, "seed", 0, MAX_SEED)
    _whole(batch_size, "batch_size", 1, MAX_BATCH_SIZE)
    if device is not None:
        check_choice(device, "device", DEVICES)
    check_choice(engine, "engine", ENGINES)
    if weights is not None and not Path(weights).is_file():
        state = "is a folder" if Path(weights).is_dir() else "does not exist"
        raise InputError("weights", f"weights must be an Inception-V3 state_dict file; {str(weights)!r} {state}.")
    if save_stats is not None:
        path = Path(save_stats)
        if str(save_stats).strip() == "" or path.is_dir():
            raise InputError("save_stats", f"save_stats must be a file path for the stats (FILE.npz); got {str(save_stats)!r}, a folder.")
        if not path.parent.is_dir():
            raise InputError("save_stats", f"save_stats: the folder {str(path.parent)!r} does not exist; create it or "
                                           "choose another path.")
        for name, given in (("target", target), ("baseline", baseline), ("weights", weights)):
            if given is not None and Path(given).exists() and Path(given).resolve() == path.resolve():
                raise InputError("save_stats", f"save_stats must not overwrite the {name} file {str(given)!r}; "
                                               "choose another path.")


def _open_side(name: str, source, sample: int, seed: int) -> _Side:
    """A side named ``name``: a folder listed and sampled, or a stats file read."""
    from dlcost.bench.embedding import IMAGE_SUFFIXES, list_images, sample_images
    from dlcost.iotools.embedding_stats import load_stats

    path = Path(source)
    if path.is_dir():
        found = list_images(path)
        if len(found) < MIN_IMAGES:
            raise InputError(name, f"{name}: the folder {str(path)!r} holds {len(found)} image(s) "
                                   f"({', '.join(IMAGE_SUFFIXES)}, in it or its sub-folders); the distance needs at least "
                                   f"{MIN_IMAGES}, and seed 000 samples {PAPER_SAMPLE:,}.")
        return _Side(name, path, "folder", paths=sample_images(found, sample, seed), n_found=len(found))
    if path.is_file():
        stats, metadata = load_stats(path, name=name)
        return _Side(name, path, "stats file", stats=stats, metadata=metadata, skipped=int(metadata.get("skipped") or 0))
    raise InputError(name, f"{name} must be an image folder or a stats file saved by --save-stats; {str(source)!r} does not exist.")


def _check_same_weights(sides: list[_Side], identity: dict | None) -> None:
    """Stats made with other weights than these (or than the other side's) are refused: the embeddings differ."""
    files = [side for side in sides if side.kind == "stats file" and side.metadata.get("weights_sha256")]
    reference, label = (identity or {}).get("weights_sha256"), "these weights"
    if reference is None and files:
        reference, label = files[0].metadata["weights_sha256"], f"the {files[0].name}'s stats file"
    for side in files:
        made_with = side.metadata["weights_sha256"]
        if made_with != reference:
            raise InputError(side.name, f"{side.name}: the stats file {str(side.source)!r} was made with other Inception-V3 "
                                        f"weights (sha256 {made_with[:12]}...) than {label} (sha256 {reference[:12]}...); "
                                        "embeddings of two networks can't be compared. Pass the --weights it was made "
                                        "with, or embed the folder.")


def _embedder(engine: str):
    if engine == "ray":
        try:
            from dlcost.bench.ray_embedding import embed_images_ray
        except ImportError as exc:
            raise InputError("engine", f"engine ray needs Ray Data: pip install 'dlcost[ray]' ({exc}).") from None
        return embed_images_ray
    from dlcost.bench.embedding import embed_images

    return embed_images


def _embed(side: _Side, engine: str, settings: dict, advance) -> float:
    """Embed a folder side in place; returns the embedding seconds. Running out of memory names --batch-size."""
    try:
        result = _embedder(engine)(side.paths, progress=advance, **settings)
    except (RuntimeError, MemoryError) as exc:
        text = str(exc).strip()
        if not isinstance(exc, MemoryError) and "out of memory" not in text.lower():
            raise
        first = text.splitlines()[0][:160] if text else type(exc).__name__
        raise InputError("batch_size", f"batch_size: embedding ran out of memory at --batch-size {settings['batch_size']} "
                                       f"({first}); choose a smaller --batch-size.") from None
    side.stats, side.skipped, side.skipped_examples = result.stats, result.skipped, list(result.skipped_examples)
    if side.stats.n < MIN_IMAGES:
        examples = ", ".join(repr(p) for p in side.skipped_examples[:3])
        raise InputError(side.name, f"{side.name}: only {side.stats.n} of the {len(side.paths)} images sampled from "
                                    f"{str(side.source)!r} could be read ({side.skipped} skipped, e.g. {examples}); "
                                    f"the distance needs at least {MIN_IMAGES}.")
    if not (math.isfinite(float(side.stats.total.sum())) and math.isfinite(float(side.stats.outer.trace()))):
        raise InputError("weights", "weights: the network's embeddings are not finite numbers; the weights file may be corrupt.")
    return result.seconds


def _embed_folders(sides, engine, weights, device, batch_size, progress) -> dict:
    """Embed the folder sides; the run's settings and times (empty when both sides are stats files)."""
    folders = [side for side in sides if side.kind == "folder"]
    if not folders:
        return {}
    from dlcost.bench.embedding import check_device, precision_of, weights_identity

    device = check_device(device)
    total, offset, seconds = sum(len(side.paths) for side in folders), 0, 0.0
    settings = {"weights": None if weights is None else Path(weights), "device": device, "batch_size": batch_size}
    for side in folders:
        def advance(done, _offset=offset):
            if progress is not None:
                progress(_offset + done, total)

        seconds += _embed(side, engine, settings, advance)
        offset += len(side.paths)
    n_embedded = sum(side.stats.n for side in folders)
    precision = precision_of(device)  # both engines: bf16 on a GPU, fp32 on the CPU
    return {"device": device, "precision": precision, "embedding_seconds": seconds, "n_embedded": n_embedded,
            "images_per_s": n_embedded / seconds if seconds > 0 else None, **weights_identity(settings["weights"])}


def _saved_side(sides: list[_Side], save_stats) -> _Side | None:
    """The side ``save_stats`` saves: the baseline when it is a folder, else the target; an error when neither is."""
    if save_stats is None:
        return None
    for side in (sides[1], sides[0]):
        if side.kind == "folder":
            return side
    raise InputError("save_stats", "save_stats: TARGET and BASELINE are both stats files, so nothing is embedded to save; "
                                   "give an image folder, or leave --save-stats out.")


def _save(side: _Side, path, run: dict, sample: int, seed: int, engine: str) -> str:
    from dlcost.bench.embedding import DEFAULT_WEIGHTS_NAME
    from dlcost.iotools.embedding_stats import save_stats

    metadata = {"source": str(side.source), "n_found": side.n_found, "sample": sample, "seed": seed, "skipped": side.skipped,
                "model": "torchvision inception_v3, penultimate pooled layer", "device": run["device"],
                "precision": run["precision"], "engine": engine, "weights": run.get("weights", DEFAULT_WEIGHTS_NAME),
                "weights_sha256": run.get("weights_sha256"), **_versions()}
    return str(save_stats(path, side.stats, metadata))


def _versions() -> dict:
    import platform

    try:
        import torch
        import torchvision
    except ImportError:
        return {"python_version": platform.python_version()}
    return {"python_version": platform.python_version(), "torch_version": torch.__version__,
            "torchvision_version": torchvision.__version__}


def _notes(sides: list[_Side]) -> list[str]:
    from dlcost.iotools.embedding_stats import EMBEDDING_DIMENSION

    notes = []
    for side in sides:
        n = side.stats.n
        if n < EMBEDDING_DIMENSION:
            notes.append(f"{side.name}: {n:,} images, fewer than the {EMBEDDING_DIMENSION:,} embedding values, so its covariance "
                         "is singular and the Fréchet distance is biased upward; compare distances made from equal samples.")
        elif n < PAPER_SAMPLE:
            notes.append(f"{side.name}: {n:,} images, fewer than the {PAPER_SAMPLE:,} seed 000 samples; its mean is noisier.")
        if side.skipped:
            example = f", e.g. {side.skipped_examples[0]!r}" if side.skipped_examples else ""
            notes.append(f"{side.name}: {side.skipped:,} unreadable image file(s) skipped{example}.")
    precisions = {side.metadata.get("precision") for side in sides if side.kind == "stats file"} - {None}
    if len(precisions) > 1:
        notes.append(f"the stats were embedded in different precisions ({', '.join(sorted(precisions))}): "
                     "differences of that order are rounding, not distance.")
    return notes


def _side_record(side: _Side) -> dict:
    record = {"source": str(side.source), "kind": side.kind, "n_images": side.stats.n, "skipped": side.skipped,
              "skipped_examples": side.skipped_examples}
    if side.kind == "folder":
        record["n_found"] = side.n_found
    else:
        metadata = side.metadata
        record.update(made_from=metadata.get("source"), created=metadata.get("created"), weights=metadata.get("weights"),
                      weights_sha256=metadata.get("weights_sha256"), precision=metadata.get("precision"))
    return record


def distance(target: str | Path, baseline: str | Path, *, sample: int = PAPER_SAMPLE, seed: int = 0,
             weights: str | Path | None = None, device: str | None = "cpu", batch_size: int = 64, engine: str = "local",
             save_stats: str | Path | None = None, progress=None) -> dict:
    """The dataset distance of ``target`` from ``baseline``: seed 000's measure and the Fréchet distance.

    Parameters
    ----------
    target, baseline : an image folder (recursive; jpg, jpeg, png, bmp, gif, webp, tif, tiff) or a
        stats file saved by ``save_stats``.
    sample : images drawn from each folder (all when fewer). [images, >= 2; seed 000: 10,000]
    seed : seed of the sample. [int >= 0]
    weights : an Inception-V3 state_dict file, or None for torchvision's ImageNet weights.
    device : ``cuda``, ``cpu``, or None for cuda when PyTorch sees a GPU.
    batch_size : images per forward pass. [images]
    engine : ``local`` (this machine) or ``ray`` (a Ray Data job; ``RAY_ADDRESS`` or a local instance).
    save_stats : a ``.npz`` path to save the embedded side's stats to: the BASELINE's when it is a
        folder, else the TARGET's.
    progress : called as ``progress(done, total)`` with the images embedded (both folders together).

    Returns
    -------
    distance : dict (JSON-able) with ``wasserstein`` (seed 000's measure) [embedding units, >= 0],
        ``frechet`` [squared embedding units, >= 0], ``n_target``, ``n_baseline`` [images],
        ``skipped`` (both sides) [files], ``seconds`` (the whole call) [s], ``images_per_s``
        (images embedded per second of embedding; None when nothing was embedded) [images/s],
        ``target`` and ``baseline`` (source, kind, images, skipped), the device, precision, weights
        and engine of the embedding, ``saved_stats`` and ``notes``.
    """
    from dlcost.core.distance import frechet_distance, wasserstein_of_means

    started = time.perf_counter()
    _check_options(sample, seed, batch_size, device, engine, weights, save_stats, target, baseline)
    sides = [_open_side("target", target, sample, seed), _open_side("baseline", baseline, sample, seed)]
    saved_side = _saved_side(sides, save_stats)
    if weights is not None:
        from dlcost.bench.embedding import weights_identity

        _check_same_weights(sides, weights_identity(Path(weights)))  # before the embedding, not after
    else:
        _check_same_weights(sides, None)
    run = _embed_folders(sides, engine, weights, device, batch_size, progress)
    _check_same_weights(sides, run or None)
    wasserstein, frechet = wasserstein_of_means(sides[0].stats, sides[1].stats), frechet_distance(sides[0].stats, sides[1].stats)
    saved = _save(saved_side, save_stats, run, sample, seed, engine) if saved_side is not None else None
    embedded = bool(run)
    return {
        "wasserstein": wasserstein, "frechet": frechet, "n_target": sides[0].stats.n, "n_baseline": sides[1].stats.n,
        "skipped": sides[0].skipped + sides[1].skipped, "skipped_target": sides[0].skipped, "skipped_baseline": sides[1].skipped,
        "seconds": time.perf_counter() - started, "images_per_s": run.get("images_per_s"),
        "embedding_seconds": run.get("embedding_seconds"), "n_embedded": run.get("n_embedded", 0),
        "target": _side_record(sides[0]), "baseline": _side_record(sides[1]),
        "device": run.get("device"), "precision": run.get("precision"), "engine": engine if embedded else None,
        "weights": run.get("weights"), "weights_sha256": run.get("weights_sha256"),
        "sample": sample, "seed": seed, "saved_stats": saved, "saved_side": saved_side.name if saved else None,
        "notes": _notes(sides),
    }
