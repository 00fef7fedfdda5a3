"""The embedding step as a Ray Data job (issue 15): on a local Ray instance on the CPU, the same numbers as the local path."""

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("ray")


@pytest.fixture(scope="module")
def weights(weights_file) -> Path:
    """Random Inception-V3 weights with calibrated BatchNorm statistics (conftest), loaded as a user's --weights."""
    return weights_file


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> list[Path]:
    from PIL import Image

    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(1)
    paths = []
    for k in range(6):
        path = folder / f"image-{k}.jpg"
        Image.fromarray(rng.integers(0, 255, size=(90, 120, 3), dtype=np.uint8)).save(path, quality=90)
        paths.append(path)
    corrupt = folder / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8\xff not a jpeg")
    return [*paths, corrupt]


@pytest.fixture(scope="module")
def local_ray():
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def test_ray_gives_the_local_paths_numbers(weights, images, local_ray):
    from dlcost.bench.embedding import embed_images
    from dlcost.bench.ray_embedding import embed_images_ray

    local = embed_images(images, weights=weights, device="cpu", batch_size=4)
    seen = []
    distributed = embed_images_ray(images, weights=weights, device="cpu", batch_size=4, progress=seen.append)
    assert distributed.stats.n == local.stats.n == 6
    assert distributed.skipped == local.skipped == 1
    assert seen and seen[-1] == 7
    assert np.abs(local.stats.mean).max() > 1e-3  # embeddings of real size: the comparison below can fail
    # the same to float32 rounding: batches of other composition sum in another order
    scale = np.abs(local.stats.mean).max()
    np.testing.assert_allclose(distributed.stats.mean, local.stats.mean, rtol=1e-3, atol=1e-4 * scale)
    np.testing.assert_allclose(distributed.stats.outer, local.stats.outer, rtol=1e-3, atol=1e-4 * np.abs(local.stats.outer).max())


def test_the_distance_is_the_same_through_either_engine(weights, folders, local_ray):
    from dlcost.service.distance import distance

    local = distance(folders["smooth"], folders["noise"], sample=10, weights=weights, batch_size=4)
    distributed = distance(folders["smooth"], folders["noise"], sample=10, weights=weights, batch_size=4, engine="ray")
    assert local["frechet"] > 0 and local["wasserstein"] > 0 and local["skipped"] == 3
    for key in ("wasserstein", "frechet", "n_target", "n_baseline", "skipped"):
        assert distributed[key] == pytest.approx(local[key], rel=1e-3, abs=1e-6), key
    assert distributed["engine"] == "ray" and distributed["precision"] == "fp32"


def test_a_bad_weights_file_is_one_line_on_the_ray_path_too(images, tmp_path, local_ray):
    from dlcost.bench.ray_embedding import embed_images_ray
    from dlcost.core.checks import InputError

    bad = tmp_path / "weights.txt"
    bad.write_text("not a torch.save file")
    with pytest.raises(InputError) as caught:
        embed_images_ray(images, weights=bad, device="cpu", batch_size=4)
    assert caught.value.field == "weights"


def test_save_stats_never_overwrites_an_input(weights, folders, tmp_path):
    from dlcost.core.checks import InputError
    from dlcost.service.distance import distance

    shared = tmp_path / "baseline.npz"
    distance(folders["smooth_again"], folders["noise"], sample=10, weights=weights, batch_size=4, save_stats=shared)
    before = shared.read_bytes()
    with pytest.raises(InputError) as caught:
        distance(folders["smooth"], shared, sample=10, weights=weights, batch_size=4, save_stats=shared)
    assert caught.value.field == "save_stats" and "must not overwrite the baseline" in str(caught.value)
    assert shared.read_bytes() == before
    assert oct(shared.stat().st_mode & 0o044) != "0o0"  # readable by the team it is shared with
