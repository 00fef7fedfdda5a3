"""`dlcost learning-curve run`: a real (CPU) pilot on scikit-learn's load_digits written out
as 8 x 8 PNG images, weight loading, the held-out split and the exit-2 errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from dlcost.cli import main

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


def write_digits(root, n_images=None):
    """load_digits (1,797 8 x 8 images, 10 classes) as ImageFolder PNGs under ``root``."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    for index, (image, label) in enumerate(zip(digits.images[:n_images], digits.target[:n_images])):
        folder = root / str(label)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray((image * 255 / 16).astype(np.uint8), mode="L").save(folder / f"{index:04d}.png")
    return root


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    pytest.importorskip("sklearn")
    return write_digits(tmp_path_factory.mktemp("digits"))


def run(capsys, *args):
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_on_digits_with_generated_weights(capsys, digits, tmp_path):
    # Random-init ResNet-18 weights with a 1,000-class head: every tensor loads but the head.
    # Seeded, and subsets 8x apart, so the curve falls on every run (an unseeded init with
    # subsets 2x apart once gave a flat curve, and the target was unreachable).
    torch.manual_seed(0)
    weights = tmp_path / "resnet18.pt"
    torch.save(torchvision.models.resnet18(weights=None, num_classes=1000).state_dict(), weights)
    points = tmp_path / "points.csv"
    code, out, err = run(capsys, "learning-curve", "run", digits, "--architecture", "resnet18", "--resolution", 32,
                         "--fractions", "0.1,0.8", "--epochs", 1, "--batch-size", 64, "--device", "cpu", "--pretrained-weights", weights,
                         "--target-accuracy", "0.95", "--save-points", points, "--json")
    assert code == 0, err
    document = json.loads(out)
    pilot, fit = document["pilot"], document["fit"]
    assert pilot["architecture"] == "ResNet-18" and pilot["device"] == "cpu" and pilot["classes"] == [str(d) for d in range(10)]
    assert pilot["n_validation"] == 359 and pilot["n_train_full"] == 1438  # 20% of each class held out
    assert [p["n_train"] for p in pilot["points"]] == [144, 1150]
    assert all(0 < p["error"] < 1 and p["n_validation"] == 359 for p in pilot["points"])
    assert pilot["gpu_hours"] is None and pilot["cpu_hours"] > 0
    assert pilot["weights_skipped"] == ["fc.bias", "fc.weight"]
    assert fit["method"] == "prior" and fit["inputs"]["pretrained"] is True
    assert fit["prediction"]["n_train"] == 1438 and fit["data_needed"] > 0
    assert fit["inputs"]["noise_sd_log10"] >= 0.03
    from dlcost.iotools.points import read_points_csv

    assert [p["n_train"] for p in read_points_csv(points)] == [144, 1150]


def test_load_weights_skips_only_shape_mismatches(tmp_path):
    from dlcost.bench.pilot_run import load_weights

    source = torchvision.models.resnet18(weights=None, num_classes=1000)
    path = tmp_path / "w.pt"
    torch.save({"state_dict": {f"module.{k}": v for k, v in source.state_dict().items()}}, path)
    target = torchvision.models.resnet18(weights=None, num_classes=10)
    assert load_weights(target, path, torch) == ["fc.bias", "fc.weight"]
    assert torch.equal(target.conv1.weight, source.conv1.weight)
    assert not torch.equal(target.fc.weight[:10], source.fc.weight[:10])

    other = tmp_path / "mobilenet.pt"
    torch.save(torchvision.models.mobilenet_v3_large(weights=None).state_dict(), other)
    with pytest.raises(ValueError, match="match none of the network's parameters"):
        load_weights(target, other, torch)
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="cannot be read as a PyTorch state dict"):
        load_weights(target, garbage, torch)


def test_split_is_stratified_seeded_and_subsets_are_nested():
    from dlcost.bench.pilot_run import _split

    targets = np.repeat(np.arange(4), [10, 20, 30, 40])
    train, validation = _split(targets, 0.2, seed=3)
    assert np.bincount(targets[validation]).tolist() == [2, 4, 6, 8]
    assert set(train).isdisjoint(validation) and len(train) + len(validation) == 100
    again, _ = _split(targets, 0.2, seed=3)
    assert np.array_equal(train, again)
    # Subsets are prefixes of one permutation, so the 0.1 subset lies inside the 0.2 subset.
    assert set(train[:8]) <= set(train[:16])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--fractions", "0.4,0.2"],
         "Error: fractions must be increasing shares of the training split, each in (0, 1], e.g. 0.1,0.2,0.4; got 0.4,0.2.\n"),
        (["--fractions", "0.2,1.5"],
         "Error: fractions must be increasing shares of the training split, each in (0, 1], e.g. 0.1,0.2,0.4; got 0.2,1.5.\n"),
        (["--fractions", "a,b"], "Error: fractions must be comma-separated numbers such as 0.1,0.2,0.4; got 'a,b'.\n"),
        (["--architecture", "yolov5"],
         "Error: YOLOv5 is a detection/segmentation network: dlcost learning-curve run trains classifiers only.\n"),
        (["--epochs", "0"], "Error: epochs must be a whole number from 1 to 100,000; got 0.\n"),
    ],
)
def test_bad_run_inputs(capsys, digits, args, message):
    base = {"--architecture": "resnet18", "--device": "cpu"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    code, out, err = run(capsys, "learning-curve", "run", digits, *[x for item in base.items() for x in item])
    assert code == 2 and err == message


def test_missing_folder_and_weights(capsys, digits, tmp_path):
    code, _, err = run(capsys, "learning-curve", "run", tmp_path / "absent", "--architecture", "resnet18", "--device", "cpu")
    assert code == 2 and err == (f"Error: data_dir must be a folder with one sub-folder of images per class; "
                                 f"{str(tmp_path / 'absent')!r} is not a folder.\n")
    code, _, err = run(capsys, "learning-curve", "run", digits, "--architecture", "resnet18", "--device", "cpu",
                       "--resolution", 32, "--fractions", "0.1", "--pretrained-weights", tmp_path / "none.pt")
    assert code == 2 and err == ("Error: pretrained_weights must be a file saved with torch.save(model.state_dict(), "
                                 f"path); {str(tmp_path / 'none.pt')!r} does not exist.\n")


def test_run_without_torch_exits_2_with_install_command(tmp_path):
    blocker = tmp_path / "torch"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('no torch here')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "dlcost.cli", "learning-curve", "run", str(tmp_path),
                             "--architecture", "resnet18"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr == ("Error: dlcost learning-curve run needs PyTorch: pip install 'dlcost[torch]' "
                             "(or: pip install torch==2.14.1 torchvision==0.29.1)\n")
