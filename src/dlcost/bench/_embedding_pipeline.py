"""The CPU embedding pipeline, and the running sums both pipelines keep.

On the CPU, a DataLoader's worker processes open and decode the files with PIL and apply the
network's transform while the main process runs the network (fp32, channels_last, which the
CPU's convolution kernels run faster), so decoding overlaps compute. A file that cannot be
read or decoded is returned as a failure, counted and named, never raised.
"""

from __future__ import annotations

from dlcost.bench._embedding_model import preprocess_image
from dlcost.core.distance import EmbeddingStats
from dlcost.iotools.embedding_stats import EMBEDDING_DIMENSION

__all__ = ["RunningSums", "DecodedImages", "collate_decoded", "embed_on_cpu", "batches_done"]


class RunningSums:
    """Count, sum and sum of outer products of embeddings, kept in float64 on the device they are made on."""

    def __init__(self, torch, device: str):
        self.n = 0
        self.total = torch.zeros(EMBEDDING_DIMENSION, dtype=torch.float64, device=device)
        self.outer = torch.zeros(EMBEDDING_DIMENSION, EMBEDDING_DIMENSION, dtype=torch.float64, device=device)

    def add(self, embeddings) -> None:
        values = embeddings.double()
        self.n += int(values.shape[0])
        self.total += values.sum(dim=0)
        self.outer.addmm_(values.T, values)

    def stats(self) -> EmbeddingStats:
        return EmbeddingStats(self.n, self.total.cpu().numpy(), self.outer.cpu().numpy())


class DecodedImages:
    """A map-style dataset of image files: ``(tensor, path)``, or ``(None, path)`` for a file that can't be used."""

    def __init__(self, paths):
        self.paths = [str(path) for path in paths]

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        from PIL import Image

        path = self.paths[index]
        try:
            with Image.open(path) as image:
                return preprocess_image(image), path
        except Exception:  # noqa: BLE001 - a corrupt, truncated or unreadable file is skipped and counted, never fatal
            return None, path


def collate_decoded(items):
    """``(batch or None, failed paths, files)`` of a list of ``DecodedImages`` items."""
    import torch

    tensors = [tensor for tensor, _ in items if tensor is not None]
    failed = [path for tensor, path in items if tensor is None]
    return (torch.stack(tensors) if tensors else None), failed, len(items)


def batches_done(progress):
    """A callback counting files done, or None: ``add(n)`` after each batch calls ``progress(done)``."""
    done = 0

    def add(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done)

    return add


def embed_on_cpu(torch, model, paths, batch_size: int, workers: int, progress) -> tuple[EmbeddingStats, list[str]]:
    """``(stats, failed paths)`` of the images at ``paths``, in fp32 on the CPU."""
    model = model.to(memory_format=torch.channels_last)
    loader = torch.utils.data.DataLoader(DecodedImages(paths), batch_size=batch_size, shuffle=False, num_workers=workers,
                                         collate_fn=collate_decoded, prefetch_factor=2 if workers else None)
    sums, failed, advance = RunningSums(torch, "cpu"), [], batches_done(progress)
    with torch.inference_mode():
        for images, bad, count in loader:
            if images is not None:
                sums.add(model(images.contiguous(memory_format=torch.channels_last)))
            failed += bad
            advance(count)
    return sums.stats(), failed
