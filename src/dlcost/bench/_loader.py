"""Data-loader throughput: JPEG decode + ImageNet training augmentation per CPU core.

The training bench feeds the GPU from memory; a real run must also decode and
augment every image on the CPU. This bench writes realistic JPEGs to a temporary
folder and times a ``torch.utils.data.DataLoader`` over a
``torchvision.datasets.ImageFolder`` with the standard ImageNet training
transforms, so that the CPU cores a GPU needs can be estimated.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from dlcost.bench._store import cpu_model, utc_now_iso

__all__ = ["LoaderBenchResult", "run_loader_bench"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
JPEG_QUALITY = 90
N_CLASS_FOLDERS = 2
# Smooth noise at a few scales, (columns, rows) of the noise grid -> amplitude [8-bit levels],
# plus per-pixel noise: gives ~110 KB JPEGs at 500 x 375 px and quality 90, near the
# ImageNet-1k training set's mean file size (~140 GB / 1.28 M images).
_NOISE_OCTAVES = (((4, 3), 60.0), ((25, 19), 30.0), ((125, 94), 20.0), ((250, 188), 20.0))
_PIXEL_NOISE = 12.0


@dataclass(frozen=True)
class LoaderBenchResult:
    """A measured data-loading throughput and the settings it was measured with.

    Attributes (units in brackets)
    ------------------------------
    images_per_s : decoded + augmented images delivered after the first batch of each
        worker (the time to start the workers and fill the pipeline is not counted). [images/s]
    images_per_s_per_core : images_per_s / cores_used. [images/s/core]
    workers : DataLoader worker processes (0 = main process); cores_used = max(workers, 1).
    n_images [images], image_size_px (width, height) [px], crop_px [px], batch_size [images], epochs.
    mean_jpeg_kb : mean size of the generated JPEGs. [kB, 1e3 bytes]
    n_images_timed [images], elapsed_s [s]: what images_per_s is the ratio of.
    cpu_model : from /proc/cpuinfo; n_cpu_cores : logical CPUs of the machine.
    measured_on : UTC time at the end of the measurement, ISO 8601.
    torch_version, torchvision_version, pillow_version, libjpeg_turbo, python_version.
    """

    images_per_s: float
    images_per_s_per_core: float
    workers: int
    cores_used: int
    n_images: int
    image_size_px: tuple[int, int]
    crop_px: int
    batch_size: int
    epochs: int
    mean_jpeg_kb: float
    n_images_timed: int
    elapsed_s: float
    cpu_model: str
    n_cpu_cores: int
    measured_on: str
    torch_version: str
    torchvision_version: str
    pillow_version: str
    libjpeg_turbo: bool | None
    python_version: str

    def to_dict(self) -> dict:
        record = asdict(self)
        record["image_size_px"] = list(self.image_size_px)
        return record

    def versions_text(self) -> str:
        """The software versions as one line, e.g. ``torch 2.14.1; Pillow 13.0.0; ...``."""
        jpeg = {True: "libjpeg-turbo", False: "libjpeg (not turbo)", None: ""}[self.libjpeg_turbo]
        parts = [
            f"python {self.python_version}",
            f"torch {self.torch_version}",
            f"torchvision {self.torchvision_version}",
            f"Pillow {self.pillow_version}",
            jpeg,
        ]
        return "; ".join(part for part in parts if part)


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return value


def _realistic_image(generator, width_px: int, height_px: int):
    """An RGB PIL image of smooth multi-scale noise (compresses like a photograph)."""
    import numpy as np
    from PIL import Image

    pixels = np.full((height_px, width_px, 3), 128.0, dtype=np.float32)
    for (columns, rows), amplitude in _NOISE_OCTAVES:
        grid = generator.normal(0.0, 1.0, (rows, columns, 3)).astype(np.float32)
        for channel in range(3):
            layer = Image.fromarray(grid[..., channel]).resize((width_px, height_px), Image.BICUBIC)
            pixels[..., channel] += amplitude * np.asarray(layer)
    pixels += generator.normal(0.0, _PIXEL_NOISE, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _write_jpegs(root: Path, n_images: int, image_size_px: tuple[int, int]) -> float:
    """Write ``n_images`` JPEGs in ImageFolder layout under ``root``; their mean size [kB]."""
    import numpy as np

    generator = np.random.default_rng(0)
    folders = [root / f"class_{index}" for index in range(N_CLASS_FOLDERS)]
    for folder in folders:
        folder.mkdir(parents=True)
    total_bytes = 0
    for index in range(n_images):
        path = folders[index % N_CLASS_FOLDERS] / f"image_{index:06d}.jpg"
        _realistic_image(generator, *image_size_px).save(path, "JPEG", quality=JPEG_QUALITY)
        total_bytes += path.stat().st_size
    return total_bytes / n_images / 1e3


def _libjpeg_turbo() -> bool | None:
    try:
        from PIL import features

        return bool(features.check_feature("libjpeg_turbo"))
    except (ImportError, ValueError):
        return None


def _untimed_batch_count(workers: int) -> int:
    """Batches left out of the timing: one per worker (the main process counts as one).

    Workers start together, so when the first batch arrives the others are nearly done
    too: timing starts once every worker has delivered one batch (steady state).
    """
    return max(workers, 1)


def _check_loader_settings(
    n_images: int, image_size_px: tuple[int, int], crop_px: int, workers: int, batch_size: int, epochs: int
) -> tuple[int, int]:
    """``(width_px, height_px)`` of the JPEGs; ValueError on a setting that can't be measured."""
    _check_int(n_images, "n_images", 1)
    _check_int(crop_px, "crop_px", 1)
    _check_int(workers, "workers", 0)
    _check_int(batch_size, "batch_size", 1)
    _check_int(epochs, "epochs", 1)
    if len(image_size_px) != 2:
        raise ValueError(f"image_size_px must be (width, height) in px; got {image_size_px!r}.")
    width_px, height_px = (_check_int(side, "image_size_px", 1) for side in image_size_px)
    n_untimed_batches = _untimed_batch_count(workers)
    if epochs * -(-n_images // batch_size) <= n_untimed_batches:
        raise ValueError(
            f"n_images x epochs must give more than {n_untimed_batches} batch(es), since the first "
            f"batch of each worker is not timed; got {n_images} images x {epochs} epochs with "
            f"batch_size {batch_size} and {workers} workers."
        )
    return width_px, height_px


def _imagenet_training_augmentation(transforms, crop_px: int):
    """The standard ImageNet training transforms, ending in a normalised ``crop_px`` square tensor."""
    return transforms.Compose([
        transforms.RandomResizedCrop(crop_px),
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])


def _time_loader(
    torch, torchvision, augment, *, n_images: int, image_size_px: tuple[int, int], workers: int,
    batch_size: int, epochs: int, progress: Callable[[int, int], None] | None,
) -> tuple[float, int, float]:
    """Write the JPEGs to a temporary folder and time a DataLoader over them.

    Returns ``(mean_jpeg_kb, n_images_timed, elapsed_s)``: the mean JPEG size [kB] and
    the images delivered after the untimed batches [images] in ``elapsed_s`` [s].
    """
    n_untimed_batches = _untimed_batch_count(workers)
    images_total = n_images * epochs
    threads_before = torch.get_num_threads()
    with tempfile.TemporaryDirectory(prefix="dlcost-loader-") as folder:
        mean_jpeg_kb = _write_jpegs(Path(folder), n_images, image_size_px)
        dataset = torchvision.datasets.ImageFolder(folder, transform=augment)
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=batch_size, shuffle=True, num_workers=workers,
            persistent_workers=workers > 0,
        )
        if workers == 0:
            torch.set_num_threads(1)  # one core, as each worker process uses
        try:
            started_s = None
            n_batches = images_done = n_images_timed = 0
            for _ in range(epochs):
                for images, _labels in loader:
                    n_batches += 1
                    if started_s is not None:
                        n_images_timed += images.shape[0]
                    elif n_batches == n_untimed_batches:
                        started_s = time.perf_counter()
                    images_done += images.shape[0]
                    if progress is not None:
                        progress(images_done, images_total)
            elapsed_s = time.perf_counter() - started_s
        finally:
            torch.set_num_threads(threads_before)
            del loader  # shut persistent workers down before the folder goes
    return mean_jpeg_kb, n_images_timed, elapsed_s


def run_loader_bench(
    *,
    n_images: int = 256,
    image_size_px: tuple[int, int] = (500, 375),
    crop_px: int = 224,
    workers: int = 1,
    batch_size: int = 32,
    epochs: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> LoaderBenchResult:
    """Measure JPEG decode + ImageNet training augmentation throughput on this CPU.

    Parameters
    ----------
    n_images : int
        JPEGs generated (smooth noise, quality 90). [images]
    image_size_px : (int, int)
        Width and height of each JPEG; 500 x 375 is a typical ImageNet photo. [px]
    crop_px : int
        Side of the RandomResizedCrop output. [px]
    workers : int
        DataLoader worker processes; 0 decodes in this process (one thread).
    batch_size : int
        Images per batch. [images]
    epochs : int
        Passes over the images; the time to the first batch of each worker is not counted.
    progress : callable, optional
        Called as ``progress(images_done, images_total)`` after every batch.

    Returns
    -------
    LoaderBenchResult
    """
    from dlcost.bench import _require_torch

    torch, torchvision = _require_torch()
    import PIL
    from torchvision import transforms

    width_px, height_px = _check_loader_settings(n_images, image_size_px, crop_px, workers, batch_size, epochs)
    augment = _imagenet_training_augmentation(transforms, crop_px)
    mean_jpeg_kb, n_images_timed, elapsed_s = _time_loader(
        torch, torchvision, augment, n_images=n_images, image_size_px=(width_px, height_px),
        workers=workers, batch_size=batch_size, epochs=epochs, progress=progress,
    )

    images_per_s = n_images_timed / elapsed_s
    cores_used = max(workers, 1)
    return LoaderBenchResult(
        images_per_s=images_per_s,
        images_per_s_per_core=images_per_s / cores_used,
        workers=workers,
        cores_used=cores_used,
        n_images=n_images,
        image_size_px=(width_px, height_px),
        crop_px=crop_px,
        batch_size=batch_size,
        epochs=epochs,
        mean_jpeg_kb=mean_jpeg_kb,
        n_images_timed=n_images_timed,
        elapsed_s=elapsed_s,
        cpu_model=cpu_model(),
        n_cpu_cores=os.cpu_count() or 1,
        measured_on=utc_now_iso(),
        torch_version=torch.__version__,
        torchvision_version=torchvision.__version__,
        pillow_version=PIL.__version__,
        libjpeg_turbo=_libjpeg_turbo(),
        python_version=platform.python_version(),
    )
