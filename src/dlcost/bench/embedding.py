"""Inception-V3 embeddings of image folders, summed for the dataset distance (seed 000; issue 15).

PyTorch is an optional extra: importing this module never imports torch; the functions import it
when called and say ``distance needs PyTorch: pip install 'dlcost[torch]'`` when it is absent.

- :func:`list_images`, :func:`sample_images`: the image files of a folder, and a seeded sample.
- :func:`load_inception_v3`, :func:`preprocess_image`: the network (torchvision's ImageNet weights, or
  a state_dict file) cut at its 2,048-value penultimate pooled layer, and its input transform.
- :func:`embed_images`: the :class:`~dlcost.core.distance.EmbeddingStats` of a list of image files,
  streamed (no embedding set is held); unreadable files are skipped and counted.
  On CUDA, JPEGs are decoded and resized on the GPU and the network runs in bf16 with channels_last;
  on the CPU, DataLoader workers decode with PIL and the network runs in fp32.
- :func:`weights_identity`, :func:`save_random_weights`: which weights made an embedding, and random
  weights for tests and benchmarks.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

from dlcost.bench._embedding_model import (
    DEFAULT_WEIGHTS_NAME,
    DEVICES,
    MISSING_TORCH_MESSAGE,
    check_device,
    load_inception_v3,
    precision_of,
    preprocess_image,
    require_torch,
    save_random_weights,
    weights_identity,
)
from dlcost.core.checks import InputError, shown
from dlcost.core.distance import EmbeddingStats
from dlcost.iotools.embedding_stats import EMBEDDING_DIMENSION

__all__ = [
    "IMAGE_SUFFIXES", "EMBEDDING_DIMENSION", "DEFAULT_WEIGHTS_NAME", "DEVICES", "MISSING_TORCH_MESSAGE", "MAX_BATCH_SIZE",
    "list_images", "sample_images", "load_inception_v3", "preprocess_image", "EmbeddingResult", "embed_images",
    "check_device", "precision_of", "weights_identity", "save_random_weights", "require_torch",
]

#: File suffixes taken as images (any case).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")
#: Most images per forward pass.
MAX_BATCH_SIZE = 65_536
#: Unreadable files named in a result (all are counted).
N_SKIPPED_EXAMPLES = 5


def list_images(folder: Path) -> list[Path]:
    """The image files under ``folder`` and its sub-folders (by suffix, see ``IMAGE_SUFFIXES``), sorted.

    Hidden files and folders (names starting with ``.``, such as macOS's ``._photo.jpg``) are left out.
    """
    found = []
    for root, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [Path(root) / name for name in files
                  if not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES]
    return sorted(found)


def sample_images(paths: list[Path], sample: int, seed: int) -> list[Path]:
    """``sample`` of ``paths`` drawn without replacement (seeded), in their order; all of them when fewer."""
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise InputError("sample", f"sample must be a whole number of images >= 1; got {shown(sample)}.")
    if len(paths) <= sample:
        return list(paths)
    chosen = random.Random(seed).sample(range(len(paths)), sample)
    return [paths[index] for index in sorted(chosen)]


@dataclass
class EmbeddingResult:
    """What :func:`embed_images` returns.

    stats : the sums of the embeddings of the images read. [EmbeddingStats, 2,048 values]
    skipped : files that could not be read or decoded. [files]
    skipped_examples : up to 5 of their paths.
    seconds : wall time of reading, decoding and the network, after the model is loaded. [s]
    images_per_s : images embedded per second of ``seconds``. [images/s]
    """

    stats: EmbeddingStats
    skipped: int
    skipped_examples: list[str]
    seconds: float
    images_per_s: float


def _workers(workers: int | None, n_files: int, batch_size: int, device: str) -> int:
    """DataLoader worker processes: the given number, else none for a single batch, else a few per device."""
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
            raise InputError("workers", f"workers must be a whole number >= 0; got {shown(workers)}.")
        return workers
    if n_files <= batch_size:
        return 0
    cores = os.cpu_count() or 1
    return min(8, cores) if device == "cuda" else min(4, max(1, cores - 1))


def embed_images(paths, *, weights: Path | None = None, device: str | None = "cpu", batch_size: int = 64,
                 workers: int | None = None, progress=None) -> EmbeddingResult:
    """Embed the image files ``paths`` with Inception-V3 and return their sums, skipping unreadable files.

    Parameters
    ----------
    paths : list of image files (see :func:`list_images`).
    weights : a state_dict file, or None for torchvision's ImageNet weights.
    device : ``cuda`` (bf16, GPU decoding), ``cpu`` (fp32) or None (cuda when there is a GPU).
    batch_size : images per forward pass. [images]
    workers : DataLoader worker processes reading files [default: none for a single batch, else up
        to 4 on the CPU (one core left to the network), 8 on CUDA].
    progress : called as ``progress(done)`` with the files done (read or skipped) after each batch.
    """
    torch, _ = require_torch()
    device = check_device(device)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InputError("batch_size", f"batch_size must be a whole number from 1 to {MAX_BATCH_SIZE:,}; got {shown(batch_size)}.")
    paths = [Path(path) for path in paths]
    n_workers = _workers(workers, len(paths), batch_size, device)
    model = load_inception_v3(weights, device)
    if device == "cuda":
        from dlcost.bench._embedding_cuda import embed_on_cuda as run
    else:
        from dlcost.bench._embedding_pipeline import embed_on_cpu as run
    started = time.perf_counter()
    stats, failed = run(torch, model, paths, batch_size, n_workers, progress)
    seconds = time.perf_counter() - started
    return EmbeddingResult(stats=stats, skipped=len(failed), skipped_examples=failed[:N_SKIPPED_EXAMPLES], seconds=seconds,
                           images_per_s=stats.n / seconds if seconds > 0 else 0.0)
