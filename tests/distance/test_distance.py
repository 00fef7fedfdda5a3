"""The dataset distance end to end (issue 15): image folders embedded by a random-weight Inception-V3 loaded
from a file (no download), stats files, the command line, and the errors a user can meet.

The embedding costs about 11 GFLOP an image on the CPU, so the folders are embedded a few times in
all: the module-scoped ``runs`` computes each distance once and the tests read it.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from dlcost.cli import main
from dlcost.core.checks import InputError

pytest.importorskip("torch")
pytest.importorskip("torchvision")


@pytest.fixture(scope="module")
def runs(folders, weights_file, tmp_path_factory):
    """The distances the tests compare, each computed once (stats files saved on the way)."""
    from dlcost.service.distance import distance

    saved = tmp_path_factory.mktemp("stats")
    seen = []
    common = {"weights": weights_file, "batch_size": 4}
    results = {
        "self": distance(folders["smooth"], folders["smooth"], save_stats=saved / "smooth.npz", **common),
        "noise": distance(folders["smooth"], folders["noise"], save_stats=saved / "noise.npz",
                          progress=lambda done, total: seen.append((done, total)), **common),
        "same_kind": distance(folders["smooth"], folders["smooth_again"], **common),
    }
    results["from_stats"] = distance(folders["smooth"], saved / "noise.npz", **common)
    return {**results, "progress": seen, "smooth_stats": saved / "smooth.npz", "noise_stats": saved / "noise.npz"}


def test_a_folder_is_at_distance_zero_from_itself(runs):
    result = runs["self"]
    assert result["wasserstein"] == pytest.approx(0.0, abs=1e-6)
    # Fréchet values are squared embedding units (~1e7 here): zero up to the rounding of a 2,048 x 2,048 eigenproblem
    assert result["frechet"] == pytest.approx(0.0, abs=1e-8 * runs["noise"]["frechet"])
    assert result["n_target"] == result["n_baseline"] == 5


def test_a_visibly_different_set_is_farther_than_another_sample_of_the_same_kind(runs):
    for measure in ("wasserstein", "frechet"):
        assert runs["noise"][measure] > runs["same_kind"][measure] > 0, measure


def test_unreadable_files_are_skipped_and_counted_not_fatal(runs):
    result = runs["self"]
    assert result["skipped"] == 6 and result["skipped_target"] == result["skipped_baseline"] == 3
    assert result["target"]["n_found"] == 8  # notes.txt is not listed: its suffix is not an image's
    assert {Path(p).name for p in result["target"]["skipped_examples"]} == {"truncated.jpg", "garbage.png", "empty.JPEG"}
    assert any("3 unreadable image file(s) skipped" in note for note in result["notes"])


def test_a_stats_file_stands_for_its_folder(runs):
    folder, stats_file = runs["noise"], runs["from_stats"]
    assert stats_file["wasserstein"] == pytest.approx(folder["wasserstein"], rel=1e-9)
    assert stats_file["frechet"] == pytest.approx(folder["frechet"], rel=1e-9)
    assert stats_file["baseline"]["kind"] == "stats file" and stats_file["n_embedded"] == 5
    assert stats_file["baseline"]["weights_sha256"] == folder["weights_sha256"]


def test_the_progress_counts_both_folders(runs):
    assert runs["progress"][-1] == (13, 13)  # 8 files of the target (3 unreadable), 5 of the baseline
    assert [done for done, _ in runs["progress"]] == sorted(done for done, _ in runs["progress"])


def test_the_saved_stats_hold_the_baseline_and_its_provenance(runs, folders):
    from dlcost.iotools.embedding_stats import load_stats

    stats, metadata = load_stats(runs["noise_stats"])
    assert runs["noise"]["saved_side"] == "baseline" and stats.n == 5 and stats.dimension == 2048
    assert metadata["source"] == str(folders["noise"]) and metadata["precision"] == "fp32"
    assert metadata["weights"] == "inception_v3_random.pth" and len(metadata["weights_sha256"]) == 64
    assert {"created", "dlcost_version", "torch_version", "n_found", "sample", "seed"} <= set(metadata)


def test_the_command_line_json_is_symmetric_and_has_the_documented_keys(runs, capsys):
    assert main(["distance", str(runs["noise_stats"]), str(runs["smooth_stats"]), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"wasserstein", "frechet", "n_target", "n_baseline", "skipped", "seconds", "images_per_s"} <= set(result)
    assert result["wasserstein"] == pytest.approx(runs["noise"]["wasserstein"], rel=1e-9)
    assert result["frechet"] == pytest.approx(runs["noise"]["frechet"], rel=1e-6)
    assert (result["n_target"], result["n_baseline"], result["images_per_s"], result["device"]) == (5, 5, None, None)


def test_the_text_output_names_both_measures(runs, capsys):
    assert main(["distance", str(runs["noise_stats"]), str(runs["smooth_stats"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wasserstein: ") and "\nfrechet: " in out and "stats file" in out


# ----- errors: each before any embedding, one line naming the input --------------------------------
def _error(capsys, *args) -> str:
    assert main(["distance", *map(str, args)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    return captured.err


def test_an_empty_folder_or_a_single_image_is_a_clear_error(folders, capsys):
    empty = folders["root"] / "empty"
    empty.mkdir(exist_ok=True)
    (empty / "readme.txt").write_text("no images")
    assert _error(capsys, empty, folders["noise"]).startswith("Error: target: the folder")
    single = folders["root"] / "single"
    single.mkdir(exist_ok=True)
    (single / "one.jpg").write_bytes((folders["smooth"] / "image-0.jpg").read_bytes())
    assert "holds 1 image(s)" in _error(capsys, folders["noise"], single)


def test_too_few_readable_images_is_a_clear_error(folders, weights_file):
    from dlcost.service.distance import distance

    folder = folders["root"] / "mostly_broken"
    folder.mkdir(exist_ok=True)
    (folder / "good.jpg").write_bytes((folders["smooth"] / "image-0.jpg").read_bytes())
    (folder / "bad.jpg").write_bytes(b"\xff\xd8\xff broken")
    with pytest.raises(InputError, match=r"only 1 of the 2 images .* could be read") as error:
        distance(folder, folders["noise"], weights=weights_file)
    assert error.value.field == "target"


@pytest.mark.parametrize("args, field, text", [
    (["{noise}", "{root}/absent"], "baseline", "must be an image folder or a stats file"),
    (["{garbage}", "{noise}"], "target", "is not a dlcost stats file"),
    (["{noise}", "{noise}", "--sample", "1"], "sample", "sample must be a whole number from 2"),
    (["{noise}", "{noise}", "--seed", "-1"], "seed", "seed must be a whole number from 0"),
    (["{noise}", "{noise}", "--batch-size", "0"], "batch_size", "batch_size must be"),
    (["{noise}", "{noise}", "--engine", "spark"], "engine", "engine must be one of"),
    (["{noise}", "{noise}", "--device", "tpu"], "device", "device must be one of"),
    (["{noise}", "{noise}", "--weights", "{root}/absent.pth"], "weights", "does not exist"),
    (["{noise}", "{noise}", "--weights", "{garbage}"], "weights", "is not a PyTorch state_dict file"),
    (["{noise}", "{noise}", "--save-stats", "{root}"], "save_stats", "a folder"),
    (["{noise}", "{noise}", "--save-stats", "{root}/absent/x.npz"], "save_stats", "does not exist"),
])
def test_bad_inputs_name_their_field(folders, capsys, args, field, text):
    garbage = folders["root"] / "garbage.npz"
    garbage.write_bytes(b"\x00not a zip file")
    names = {"noise": folders["noise"], "root": folders["root"], "garbage": garbage}
    err = _error(capsys, *[arg.format(**names) for arg in args])
    assert text in err, err
    assert field.replace("_", "") in err.replace("_", "").replace("-", "")


def test_cuda_without_a_gpu_is_a_clear_error(folders, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert "device cuda: PyTorch sees no CUDA GPU" in _error(capsys, folders["noise"], folders["noise"], "--device", "cuda")


def test_without_pytorch_one_line_names_the_extra(folders, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)  # import torch now raises ImportError
    assert _error(capsys, folders["noise"], folders["noise"]) == "Error: distance needs PyTorch: pip install 'dlcost[torch]'\n"


def test_two_stats_files_need_no_pytorch_but_have_nothing_to_save(runs, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    assert "nothing is embedded to save" in _error(capsys, runs["noise_stats"], runs["smooth_stats"], "--save-stats", "x.npz")


def test_stats_made_with_other_weights_are_refused(runs, tmp_path):
    from dlcost.iotools.embedding_stats import load_stats, save_stats
    from dlcost.service.distance import distance

    stats, metadata = load_stats(runs["smooth_stats"])
    other = save_stats(tmp_path / "other.npz", stats, {**metadata, "weights_sha256": "0" * 64})
    with pytest.raises(InputError, match="made with other Inception-V3 weights") as error:
        distance(runs["noise_stats"], other)
    assert error.value.field == "baseline"


def test_offline_without_a_weights_file_is_a_clear_error(monkeypatch):
    import torchvision

    from dlcost.bench.embedding import load_inception_v3

    def offline(*args, **kwargs):
        raise OSError("<urlopen error [Errno -3] Temporary failure in name resolution>")

    monkeypatch.setattr(type(torchvision.models.Inception_V3_Weights.IMAGENET1K_V1), "get_state_dict", offline)
    with pytest.raises(InputError, match=r"could not load its ImageNet Inception-V3 weights .* pass --weights PATH") as error:
        load_inception_v3(None, "cpu")
    assert error.value.field == "weights"


def test_a_state_dict_of_another_network_is_refused(tmp_path):
    import torch

    from dlcost.bench.embedding import load_inception_v3

    path = tmp_path / "linear.pth"
    torch.save({"state_dict": torch.nn.Linear(3, 2).state_dict()}, path)
    with pytest.raises(InputError, match="is not an Inception-V3 state_dict"):
        load_inception_v3(path, "cpu")


def test_the_running_sums_are_the_cores_sums():
    import torch

    from dlcost.bench._embedding_pipeline import RunningSums
    from dlcost.core.distance import partial_stats

    embeddings = torch.randn(7, 2048)
    sums = RunningSums(torch, "cpu")
    sums.add(embeddings[:3])
    sums.add(embeddings[3:])
    expected = partial_stats(embeddings.numpy())
    assert sums.stats().n == 7
    np.testing.assert_allclose(sums.stats().total, expected.total, rtol=1e-12)
    np.testing.assert_allclose(sums.stats().outer, expected.outer, rtol=1e-10, atol=1e-10)


def test_preprocessing_is_torchvisions_inception_transform():
    from PIL import Image

    from dlcost.bench.embedding import preprocess_image

    image = Image.fromarray(np.full((375, 500), 255, dtype=np.uint8))  # grey: converted to RGB
    tensor = preprocess_image(image)
    assert tuple(tensor.shape) == (3, 299, 299)
    np.testing.assert_allclose(tensor[:, 0, 0].numpy(), (1 - np.array([0.485, 0.456, 0.406])) / [0.229, 0.224, 0.225], rtol=1e-5)
