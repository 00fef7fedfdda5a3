"""What the dataset-distance tests share: random Inception-V3 weights saved to a file once per session
(about 100 MB, loaded through ``--weights`` as a user's file would be), and generated image folders."""

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def weights_file(tmp_path_factory) -> Path:
    pytest.importorskip("torch")
    pytest.importorskip("torchvision")
    from dlcost.bench.embedding import save_random_weights

    return save_random_weights(tmp_path_factory.mktemp("weights") / "inception_v3_random.pth", seed=0)


def gradient_image(rng, height: int, width: int) -> np.ndarray:
    """A smooth linear colour gradient in a random direction between two random colours. [H x W x 3 uint8]"""
    angle = rng.uniform(0, 2 * np.pi)
    y, x = np.mgrid[0:height, 0:width]
    ramp = (np.cos(angle) * x / width + np.sin(angle) * y / height)
    ramp = (ramp - ramp.min()) / (np.ptp(ramp) or 1.0)
    start, end = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    return (start + ramp[..., None] * (end - start)).astype(np.uint8)


def noise_image(rng, height: int, width: int) -> np.ndarray:
    """Uniform random pixels. [H x W x 3 uint8]"""
    return rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)


def write_images(folder: Path, kind, n: int, seed: int, suffix: str = ".jpg") -> Path:
    """``n`` images of ``kind`` (64-120 px a side) in ``folder``, half of them in a sub-folder."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    (folder / "sub").mkdir(parents=True, exist_ok=True)
    for index in range(n):
        size = rng.integers(64, 121, size=2)
        where = folder / "sub" if index % 2 else folder
        Image.fromarray(kind(rng, int(size[0]), int(size[1]))).save(where / f"image-{index}{suffix}")
    return folder


@pytest.fixture(scope="session")
def folders(tmp_path_factory) -> dict[str, Path]:
    """``smooth`` (5 gradients and 3 corrupt files), ``smooth_again`` (5 other gradients), ``noise`` (5 noise PNGs)."""
    pytest.importorskip("PIL")
    root = tmp_path_factory.mktemp("images")
    smooth = write_images(root / "smooth", gradient_image, 5, seed=1)
    (smooth / "truncated.jpg").write_bytes((smooth / "image-0.jpg").read_bytes()[:200])
    (smooth / "sub" / "garbage.png").write_bytes(b"not an image at all")
    (smooth / "empty.JPEG").write_bytes(b"")
    (smooth / "notes.txt").write_text("not an image suffix: never listed")
    return {"smooth": smooth, "smooth_again": write_images(root / "smooth_again", gradient_image, 5, seed=2),
            "noise": write_images(root / "noise", noise_image, 5, seed=3, suffix=".png"), "root": root}
