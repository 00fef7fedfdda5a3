"""scripts/validate_training_time.py at tiny scale on the CPU: a real (tiny) training run
over a real DataLoader of generated JPEGs, against dlcost's measured-mode prediction."""

import importlib.util
import json
from pathlib import Path

import pytest

HAS_TORCH = all(importlib.util.find_spec(name) for name in ("torch", "torchvision"))
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validate_training_time.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("validate_training_time", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is an optional extra: pip install 'dlcost[torch]'")
def test_validate_script_runs_on_cpu(tmp_path, capsys):
    script = _load_script()
    out = tmp_path / "tmp.json"
    returned = script.main([
        "--device", "cpu", "--architectures", "ResNet-18", "--images", "32", "--epochs", "1",
        "--batch-size", "8", "--workers", "0", "--resolution", "64", "--gpu", "CPU-EPYC-9654",
        "--precision", "fp32", "--out", str(out), "--markdown",
    ])
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document == json.loads(json.dumps(returned))

    assert {"script", "command", "date", "tolerance", "settings", "environment", "dataset", "results", "summary"} <= set(document)
    assert document["command"].startswith("python scripts/validate_training_time.py --device cpu")
    assert document["date"].endswith("+00:00")
    environment = document["environment"]
    assert environment["torch"] and environment["torchvision"] and environment["device"] == "cpu"
    assert environment["device_name"] and environment["cuda"] is None
    assert document["dataset"]["n_images"] == 32 and document["dataset"]["n_classes"] == 10
    assert document["dataset"]["mean_jpeg_kb"] > 10

    (row,) = document["results"]
    assert row["architecture"] == "ResNet-18"
    assert row["predicted_s"] > 0 and row["measured_s"] > 0
    assert row["predicted_steady_s"] > 0 and row["measured_steady_s"] > 0
    assert row["ratio"] == pytest.approx(row["measured_s"] / row["predicted_s"])
    assert row["error"] == pytest.approx((row["predicted_s"] - row["measured_s"]) / row["measured_s"])
    assert row["within_tolerance"] == (abs(row["error"]) <= 0.15)
    assert row["bound"] in ("gpu", "loader")
    # The shipped catalog measured ResNet-18 (on an RTX 3090): measured mode, scaled to the CPU.
    assert row["cost_mode"] == "measured" and row["throughput_source"].startswith("extrapolated from ")
    prediction, measured = row["prediction"], row["measured"]
    assert prediction["gpu"] == "CPU-EPYC-9654" and prediction["loader_cores"] == 1
    assert "resolution-adjusted" in prediction["note"]
    assert prediction["seconds"] == pytest.approx(prediction["gpu_hours"] * 3600)
    assert measured["images"] == 32 and measured["steps"] == 4 and measured["steady_images"] == 24
    assert measured["images_per_s"] > 0 and measured["loss_finite"]
    assert measured["resolution_px"] == 64 and len(measured["epoch_seconds"]) == 1
    assert document["summary"]["n_architectures"] == 1

    printed = capsys.readouterr().out
    assert "[ResNet-18] predicted" in printed and "[ResNet-18] measured" in printed
    assert "| architecture |" in printed and "| ResNet-18 |" in printed
