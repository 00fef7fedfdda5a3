"""The embedding step as a Ray Data job (issue 15, ``dlcost distance --engine ray``): for image sets beyond one machine.

Ray Data reads the files (``read_binary_files``), a pool of actors decodes them and runs
Inception-V3 in batches (one GPU each on CUDA), and the driver streams the sums the mean and
covariance need (:class:`~dlcost.core.distance.EmbeddingStats`) from each batch as it arrives:
no embedding set is held in memory. Without a cluster address (``RAY_ADDRESS``) it starts a local
Ray instance. The single-machine path (:func:`dlcost.bench.embedding.embed_images`) is the
default and needs no Ray; both give the same numbers on the same images (tests/distance).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from dlcost.core.checks import InputError
from dlcost.core.distance import EmbeddingStats, partial_stats
from dlcost.iotools.embedding_stats import EMBEDDING_DIMENSION

__all__ = ["embed_images_ray"]


class _Embedder:
    """A Ray actor: loads the model once, then decodes and embeds batches of file bytes."""

    def __init__(self, weights: str | None, device: str):
        from dlcost.bench.embedding import load_inception_v3

        import torch

        self.device = device
        self.model = load_inception_v3(None if weights is None else Path(weights), device)
        # as the local path: bf16 and channels_last on a GPU, fp32 on the CPU
        self.dtype = torch.bfloat16 if device == "cuda" else torch.float32
        self.model = self.model.to(dtype=self.dtype, memory_format=torch.channels_last)

    def __call__(self, batch: dict) -> dict:
        import io

        import torch
        from PIL import Image

        from dlcost.bench.embedding import preprocess_image

        tensors, ok = [], []
        for data in batch["bytes"]:
            try:
                with Image.open(io.BytesIO(data)) as image:
                    tensors.append(preprocess_image(image))
                ok.append(True)
            except Exception:  # noqa: BLE001 - a corrupt or unreadable image is skipped and counted, never fatal
                ok.append(False)
        embeddings = np.zeros((len(ok), EMBEDDING_DIMENSION), dtype=np.float32)
        if tensors:
            with torch.inference_mode():
                batch_tensor = torch.stack(tensors).to(self.device, dtype=self.dtype, memory_format=torch.channels_last)
                values = self.model(batch_tensor).float().cpu().numpy()
            embeddings[np.flatnonzero(ok)] = values
        return {"embedding": embeddings, "ok": np.array(ok), "path": np.asarray(batch["path"])}


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise InputError("engine", "engine ray needs Ray Data: pip install 'dlcost[ray]'") from None
    return ray


def _start(ray, device: str) -> None:
    if ray.is_initialized():
        return
    import os

    import logging

    options = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    if not os.environ.get("RAY_ADDRESS"):
        options["num_cpus"] = max(1, os.cpu_count() or 1)
    ray.init(**options)
    if device == "cuda" and not ray.cluster_resources().get("GPU"):
        raise InputError("device", "device cuda: the Ray cluster has no GPU; use --device cpu.")


def embed_images_ray(paths, *, weights=None, device: str = "cpu", batch_size: int = 64, progress=None,
                     actors: int | None = None):
    """Embed ``paths`` with a Ray Data job; the same :class:`~dlcost.bench.embedding.EmbeddingResult` as the local path.

    ``actors``: model replicas (default: one per GPU on CUDA, one on the CPU, where torch already
    uses every core). ``progress(n)`` is called with the images done after each batch.
    """
    from dlcost.bench.embedding import EmbeddingResult

    from dlcost.bench.embedding import load_inception_v3

    ray = _ray()
    paths = [str(p) for p in paths]
    if not paths:
        raise InputError("target", "no images to embed.")
    started = time.perf_counter()
    load_inception_v3(None if weights is None else Path(weights), "cpu")  # a bad weights file is one line here, not in an actor
    _start(ray, device)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    gpus = int(ray.cluster_resources().get("GPU", 0)) if device == "cuda" else 0
    pool = actors or max(1, gpus)
    dataset = ray.data.read_binary_files(paths, include_paths=True, ignore_missing_paths=True)
    embedded = dataset.map_batches(_Embedder, fn_constructor_args=(None if weights is None else str(weights), device),
                                   batch_size=batch_size, batch_format="numpy",
                                   compute=ray.data.ActorPoolStrategy(size=pool), num_gpus=1 if gpus else 0)
    try:
        stats, skipped, examples, done = _stream(embedded, progress)
    except Exception as error:  # noqa: BLE001 - Ray wraps an actor's error: its InputError is the user's one line
        cause = _input_error(error)
        if cause is None:
            raise
        raise cause from None
    skipped += len(paths) - done  # files Ray could not read at all
    seconds = time.perf_counter() - started
    return EmbeddingResult(stats=stats, skipped=skipped, skipped_examples=examples, seconds=seconds,
                           images_per_s=stats.n / seconds if seconds > 0 else 0.0)


def _input_error(error: BaseException) -> InputError | None:
    """The InputError inside a Ray task error, if any (Ray keeps it as the cause)."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, InputError):
            return error
        error = getattr(error, "cause", None) or error.__cause__
        seen += 1
    return None


def _stream(embedded, progress):
    """Sum the embeddings batch by batch as Ray delivers them: (stats, skipped, examples, images done)."""
    stats, skipped, examples, done = EmbeddingStats.empty(EMBEDDING_DIMENSION), 0, [], 0
    for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):  # streamed: one batch in memory
        ok = batch["ok"].astype(bool)
        if ok.any():
            stats = stats.merge(partial_stats(batch["embedding"][ok]))
        skipped += int((~ok).sum())
        examples += [str(p) for p in batch["path"][~ok]][: max(0, 5 - len(examples))]
        done += len(ok)
        if progress is not None:
            progress(done)
    return stats, skipped, examples, done
