"""The CUDA embedding pipeline: file bytes read by DataLoader workers, JPEGs decoded and resized on the GPU.

Workers only read files (and decode the few that are not JPEG with PIL), so reading overlaps
the GPU's work. JPEGs are decoded in one batched nvJPEG call (``torchvision.io.decode_jpeg(list,
device="cuda")``), grouped by size, resized and cropped on the GPU with the same transform as on
the CPU, and the network runs in bf16 with channels_last. A batch whose decoding fails is decoded
again one file at a time, so that one corrupt file costs only itself (tried once more with PIL).
The CI machine has no GPU: this path runs only where ``torch.cuda.is_available()``.
"""

from __future__ import annotations

import io

from dlcost.bench._embedding_model import preprocess_batch, preprocess_image
from dlcost.bench._embedding_pipeline import RunningSums, batches_done
from dlcost.core.distance import EmbeddingStats

__all__ = ["RawImages", "collate_raw", "embed_on_cuda"]

_JPEG_START = b"\xff\xd8\xff"


class RawImages:
    """A map-style dataset: ``(jpeg bytes, None, path)``, ``(None, tensor, path)`` for other formats, or
    ``(None, None, path)`` for a file that can't be used."""

    def __init__(self, paths):
        self.paths = [str(path) for path in paths]

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        import torch

        path = self.paths[index]
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            return None, None, path
        if data.startswith(_JPEG_START):
            return torch.frombuffer(bytearray(data), dtype=torch.uint8), None, path
        return None, _decoded_on_cpu(data), path


def _decoded_on_cpu(data: bytes):
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return preprocess_image(image)
    except Exception:  # noqa: BLE001 - a corrupt or unreadable file is skipped and counted, never fatal
        return None


def collate_raw(items):
    """``(jpeg bytes, their paths, tensors decoded on the CPU, failed paths, files)`` of a batch."""
    jpegs = [(data, path) for data, _, path in items if data is not None]
    ready = [tensor for data, tensor, _ in items if data is None and tensor is not None]
    failed = [path for data, tensor, path in items if data is None and tensor is None]
    return [data for data, _ in jpegs], [path for _, path in jpegs], ready, failed, len(items)


def _decode_jpegs(jpegs, paths):
    """``(decoded uint8 CHW tensors on the GPU, tensors preprocessed on the CPU, failed paths)``."""
    from torchvision.io import ImageReadMode, decode_jpeg

    try:
        return decode_jpeg(jpegs, mode=ImageReadMode.RGB, device="cuda"), [], []
    except RuntimeError:
        pass
    decoded, fallback, failed = [], [], []
    for data, path in zip(jpegs, paths):
        try:
            decoded.append(decode_jpeg(data, mode=ImageReadMode.RGB, device="cuda"))
        except RuntimeError:  # nvJPEG refuses some files (CMYK, progressive corner cases): PIL may not
            tensor = _decoded_on_cpu(data.numpy().tobytes())
            if tensor is None:
                failed.append(path)
            else:
                fallback.append(tensor)
    return decoded, fallback, failed


def _preprocessed(torch, images):
    """The decoded images resized, cropped and normalised on the GPU, a group of equal sizes at a time."""
    groups: dict[tuple, list[int]] = {}
    for index, image in enumerate(images):
        groups.setdefault(tuple(image.shape), []).append(index)
    return [preprocess_batch(torch.stack([images[i] for i in indices])) for indices in groups.values()]


def embed_on_cuda(torch, model, paths, batch_size: int, workers: int, progress) -> tuple[EmbeddingStats, list[str]]:
    """``(stats, failed paths)`` of the images at ``paths``, in bf16 on the GPU."""
    model = model.to(dtype=torch.bfloat16, memory_format=torch.channels_last)
    loader = torch.utils.data.DataLoader(RawImages(paths), batch_size=batch_size, shuffle=False, num_workers=workers,
                                         collate_fn=collate_raw, prefetch_factor=4 if workers else None)
    sums, failed, advance = RunningSums(torch, "cuda"), [], batches_done(progress)
    benchmark = torch.backends.cudnn.benchmark
    torch.backends.cudnn.benchmark = True  # batches of one shape: let cuDNN pick its fastest kernels
    try:
        with torch.inference_mode():
            for jpegs, jpeg_paths, ready, bad, count in loader:
                decoded, fallback, broken = _decode_jpegs(jpegs, jpeg_paths) if jpegs else ([], [], [])
                parts = _preprocessed(torch, decoded) if decoded else []
                if ready or fallback:
                    parts.append(torch.stack(ready + fallback).to("cuda", non_blocking=True))
                if parts:
                    batch = torch.cat(parts).to(dtype=torch.bfloat16, memory_format=torch.channels_last)
                    sums.add(model(batch))
                failed += bad + broken
                advance(count)
    finally:
        torch.backends.cudnn.benchmark = benchmark
    return sums.stats(), failed
