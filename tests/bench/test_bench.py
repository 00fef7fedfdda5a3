"""dlcost bench: real (tiny) measurements on the CPU, FLOP counts against the catalog,
the throughput files, and the message when PyTorch is missing."""

import csv
import importlib.util
import os
import subprocess
import sys

import pytest

from dlcost import bench, catalog

HAS_TORCH = all(importlib.util.find_spec(name) for name in ("torch", "torchvision"))
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is an optional extra: pip install 'dlcost[torch]'")


@pytest.fixture(scope="module")
def resnet18_result():
    calls = []
    result = bench.run_training_bench(
        "ResNet-18", device="cpu", resolution_px=64, batch_size=2, steps=2, warmup_steps=1,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]
    return result


@pytest.fixture(scope="module")
def loader_result():
    return bench.run_loader_bench(n_images=16, workers=0, epochs=1, batch_size=4)


@needs_torch
def test_training_bench_measures_resnet18(resnet18_result):
    result = resnet18_result
    assert result.images_per_s > 0 and result.step_time_s > 0 and result.peak_memory_gb > 0
    assert (result.device, result.precision, result.batch_size, result.resolution_px) == ("cpu", "fp32", 2, 64)
    assert result.n_parameters == catalog.find_architecture("ResNet-18").n_parameters
    # Convolution FLOPs scale with the input area: (64/224)^2 of the catalog's 224 px count.
    expected_gflops = (64 / 224) ** 2 * catalog.find_architecture("ResNet-18").forward_gflops
    assert result.forward_gflops_per_image == pytest.approx(expected_gflops, rel=0.10)
    assert result.achieved_tflops == pytest.approx(result.images_per_s * 3 * result.forward_gflops_per_image / 1e3)
    assert result.utilization is None
    record = result.to_dict()
    assert {
        "architecture", "device", "device_name", "precision", "batch_size", "resolution_px", "steps",
        "warmup_steps", "images_per_s", "forward_gflops_per_image", "achieved_tflops", "utilization",
        "peak_memory_gb", "measured_on", "torch_version", "torchvision_version",
    } <= set(record)
    assert record["measured_on"].endswith("+00:00")


@needs_torch
def test_efficientnet_b0_flops_match_the_catalog():
    # Catalog: 0.772 GFLOP at 224 px (torchvision's 0.386 GMACs x 2).
    assert bench.count_forward_gflops("EfficientNet-B0", 224) == pytest.approx(0.772, rel=0.05)


@needs_torch
def test_vit_attention_flops_are_counted():
    # Catalog: 35.128 GFLOP; the attention matmuls (1.43 GFLOP) must be in the count.
    assert bench.count_forward_gflops("ViT-B/16") == pytest.approx(35.128, rel=0.01)


BUILDABLE = [row.name for row in catalog.architectures() if row.task == "classification" and row.torchvision_builder]


@needs_torch
@pytest.mark.parametrize("name", BUILDABLE)
def test_counted_flops_match_the_catalog_at_native_resolution(name):
    # The catalog's FLOPs (docs/catalog-architectures.md) are torchvision's GMACs x 2.
    expected_gflops = catalog.find_architecture(name).forward_gflops
    assert bench.count_forward_gflops(name) == pytest.approx(expected_gflops, rel=0.01)


@needs_torch
def test_loader_bench_decodes_and_augments(loader_result):
    assert loader_result.images_per_s > 0
    assert loader_result.images_per_s_per_core == loader_result.images_per_s  # workers=0: one core
    assert loader_result.n_images_timed == 12  # 16 images, the first batch of 4 not timed
    assert 50 < loader_result.mean_jpeg_kb < 200
    assert loader_result.to_dict()["image_size_px"] == [500, 375]


@needs_torch
def test_loader_bench_needs_a_second_batch():
    with pytest.raises(ValueError, match="must give more than 1 batch"):
        bench.run_loader_bench(n_images=16, workers=0, epochs=1, batch_size=32)


@needs_torch
def test_save_round_trip(tmp_path, resnet18_result, loader_result):
    path = tmp_path / "throughput.csv"
    bench.save_training_result(resnet18_result, "CPU-test", path, command="dlcost bench ResNet-18")
    bench.save_training_result(resnet18_result, "CPU-test", path, command="dlcost bench ResNet-18", notes="again")
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(bench.TRAINING_COLUMNS)
    assert len(rows) == 2 and rows[1]["notes"] == "again"
    assert rows[0]["architecture"] == "ResNet-18" and rows[0]["gpu"] == "CPU-test"
    assert rows[0]["source"] == "dlcost bench" and rows[0]["command"] == "dlcost bench ResNet-18"
    assert float(rows[0]["train_images_per_s"]) == pytest.approx(resnet18_result.images_per_s, rel=1e-5)
    assert "torch 2." in rows[0]["versions"]

    loader_path = tmp_path / "loader_throughput.csv"
    bench.save_loader_result(loader_result, loader_path)
    with loader_path.open(newline="") as file:
        (row,) = list(csv.DictReader(file))
    assert list(row) == list(bench.LOADER_COLUMNS)
    assert row["source_image_px"] == "500x375" and row["cores_used"] == "1"
    assert float(row["images_per_s_per_core"]) == pytest.approx(loader_result.images_per_s_per_core, rel=1e-5)


@needs_torch
def test_save_is_atomic(tmp_path, resnet18_result, monkeypatch):
    path = tmp_path / "throughput.csv"
    bench.save_training_result(resnet18_result, "CPU-test", path)
    before = path.read_bytes()

    def crash(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        bench.save_training_result(resnet18_result, "CPU-test", path)
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == ["throughput.csv"]


@needs_torch
def test_save_refuses_a_foreign_file(tmp_path, resnet18_result):
    path = tmp_path / "throughput.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="must have the columns architecture,gpu"):
        bench.save_training_result(resnet18_result, "CPU-test", path)


@needs_torch
@pytest.mark.parametrize("name", ["Mask R-CNN", "YOLOv3", "yolov5"])
def test_detection_models_are_rejected(name):
    official = catalog.find_architecture(name).name
    message = f"{official} is a detection/segmentation network: dlcost bench measures classification training only"
    with pytest.raises(ValueError) as error:
        bench.run_training_bench(name, device="cpu")
    assert str(error.value) == message


@needs_torch
def test_unbuildable_and_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="ResNet-32 can't be built"):
        bench.run_training_bench("ResNet-32", device="cpu")
    with pytest.raises(ValueError, match="precision 'fp16' needs device 'cuda'"):
        bench.run_training_bench("ResNet-18", device="cpu", precision="fp16")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1; got 0"):
        bench.run_training_bench("ResNet-18", device="cpu", batch_size=0)
    with pytest.raises(ValueError, match="device must be one of"):
        bench.run_training_bench("ResNet-18", device="tpu")


@needs_torch
def test_timm_only_architecture_needs_timm():
    if importlib.util.find_spec("timm"):
        pytest.skip("timm is installed")
    with pytest.raises(ValueError, match="Inception-v4 can't be built without timm"):
        bench.count_forward_gflops("Inception-v4")


def test_missing_torch_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "torchvision", None)
    expected = (
        "dlcost bench needs PyTorch: pip install 'dlcost[torch]' "
        "(or: pip install torch==2.14.1 torchvision==0.29.1)"
    )
    for call in (
        lambda: bench.run_training_bench("ResNet-18"),
        lambda: bench.count_forward_gflops("ResNet-18"),
        lambda: bench.run_loader_bench(),
    ):
        with pytest.raises(bench.MissingTorch) as error:
            call()
        assert str(error.value) == expected
        assert isinstance(error.value, ValueError)


def test_importing_dlcost_does_not_import_torch():
    code = "import sys, dlcost, dlcost.cli, dlcost.bench; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
