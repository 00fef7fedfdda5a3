"""Listing and sampling image folders, and stats files (no PyTorch needed)."""

import numpy as np
import pytest

from dlcost.bench.embedding import IMAGE_SUFFIXES, list_images, sample_images
from dlcost.core.checks import InputError
from dlcost.core.distance import EmbeddingStats, partial_stats
from dlcost.iotools.embedding_stats import load_stats, save_stats


def test_images_are_listed_recursively_by_suffix_hidden_ones_left_out(tmp_path):
    for name in ["b.JPG", "a.png", "sub/c.webp", "sub/deep/d.tiff", "x.txt", ".hidden.jpg", ".cache/e.jpg", "sub/f.jpeg"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = [path.relative_to(tmp_path).as_posix() for path in list_images(tmp_path)]
    assert found == ["a.png", "b.JPG", "sub/c.webp", "sub/deep/d.tiff", "sub/f.jpeg"]
    assert {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"} == set(IMAGE_SUFFIXES)


def test_a_sample_is_seeded_ordered_and_all_when_fewer(tmp_path):
    paths = [tmp_path / f"{k:03d}.jpg" for k in range(100)]
    first, again, other = sample_images(paths, 10, 0), sample_images(paths, 10, 0), sample_images(paths, 10, 1)
    assert first == again != other and len(first) == 10 and first == sorted(first)
    assert sample_images(paths, 1000, 0) == paths
    with pytest.raises(InputError, match="sample must be"):
        sample_images(paths, 0, 0)


def _stats(n: int = 3, dimension: int = 2048) -> EmbeddingStats:
    return partial_stats(np.random.default_rng(0).normal(size=(n, dimension)))


def test_a_stats_file_round_trips_with_its_metadata(tmp_path):
    stats = _stats()
    path = save_stats(tmp_path / "base.npz", stats, {"weights": "w.pth", "weights_sha256": "ab" * 32, "skipped": 1})
    loaded, metadata = load_stats(path)
    assert loaded.n == 3
    np.testing.assert_array_equal(loaded.total, stats.total)
    np.testing.assert_array_equal(loaded.outer, stats.outer)
    assert metadata["weights"] == "w.pth" and metadata["dimension"] == 2048 and metadata["n_images"] == 3
    assert metadata["format"] == "dlcost-embedding-stats" and metadata["created"].endswith("+00:00")
    assert [p.name for p in tmp_path.iterdir()] == ["base.npz"]  # no temporary file left


def _write(path, **arrays):
    defaults = {"n": np.int64(3), "total": np.zeros(2048), "outer": np.eye(2048),
                "metadata": np.array('{"format": "dlcost-embedding-stats", "format_version": 1}')}
    np.savez(path, **{**defaults, **arrays})
    return path


@pytest.mark.parametrize("arrays, text", [
    ({"n": np.int64(1)}, "n must be at least 2"),
    ({"n": np.float64(3.0)}, "n must be a whole number"),
    ({"total": np.zeros(512), "outer": np.eye(512)}, "total must hold 2,048 values"),
    ({"outer": np.eye(2047)}, "outer must be 2,048 x 2,048"),
    ({"total": np.full(2048, np.nan)}, "total must hold finite numbers"),
    ({"outer": -np.eye(2048)}, "non-negative diagonal"),
    ({"metadata": np.array("[1, 2]")}, "is not a dlcost stats file"),
    ({"metadata": np.array('{"format": "dlcost-embedding-stats", "format_version": 9}')}, "format version 9"),
    ({"metadata": np.array('{"format": "dlcost-embedding-stats", "format_version": 1, "skipped": NaN}')}, "not a dlcost stats file"),
    ({"metadata": np.array('{"format": "dlcost-embedding-stats", "format_version": 1, "skipped": "x"}')}, "field skipped"),
])
def test_a_bad_stats_file_is_one_error_naming_its_input(tmp_path, arrays, text):
    path = _write(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError, match=text) as error:
        load_stats(path, name="baseline")
    assert error.value.field == "baseline" and str(error.value).startswith("baseline: ")


@pytest.mark.parametrize("content", [b"", b"garbage", b"PK\x03\x04 truncated zip"])
def test_a_file_that_is_not_npz_is_one_error(tmp_path, content):
    path = tmp_path / "x.npz"
    path.write_bytes(content)
    with pytest.raises(InputError, match="not a dlcost stats file|cannot be read") as error:
        load_stats(path, name="target")
    assert error.value.field == "target"


def test_an_npz_without_the_sums_names_what_it_lacks(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(InputError, match="lacks n, total, outer, metadata"):
        load_stats(path)


def test_saving_into_a_missing_folder_is_one_error(tmp_path):
    with pytest.raises(InputError, match="does not exist") as error:
        save_stats(tmp_path / "absent" / "x.npz", _stats(), {})
    assert error.value.field == "save_stats"
