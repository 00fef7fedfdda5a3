"""`dlcost bench` through the command line: real (CPU) measurement, --save feeding later
estimates, and the exit-2 message without PyTorch."""

import json
import os
import subprocess
import sys

import pytest

from dlcost.cli import main

TINY = ["--device", "cpu", "--resolution", "64", "--batch-size", "2", "--steps", "2", "--warmup-steps", "1"]


def test_bench_json_and_save_feeds_measured_mode(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    code = main(["bench", "resnet18", *TINY, "--gpu", "L4", "--save", "--json"])
    out, err = capsys.readouterr()
    result = json.loads(out)["results"][0]
    assert code == 0 and result["images_per_s"] > 0 and result["architecture"] == "ResNet-18"
    assert (tmp_path / "throughput.csv").is_file()
    # A later estimate on that GPU uses the saved figure (scaled from 64 px to 224 px).
    code = main(["estimate", "--target-accuracy", "0.9", "--data-max", "1e5", "--cost-per-datapoint", "1",
                 "--classes", "10", "--architecture", "resnet18", "--gpu", "L4", "--precision", "fp32",
                 "--cost-mode", "measured", "--loader-cores", "0", "--json"])
    rec = json.loads(capsys.readouterr()[0])["recommendations"][0]
    assert code == 0 and rec["throughput_source"] == "measured"
    assert rec["images_per_s"] == pytest.approx(result["images_per_s"] * (64 / 224) ** 2, rel=0.01)


def test_loader_bench_save_sets_the_per_core_rate(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    code = main(["bench", "--loader", "--images", "16", "--workers", "0", "--save", "--json"])
    saved = json.loads(capsys.readouterr()[0])["loader"]
    from dlcost.iotools.user_files import load_user_hardware

    assert code == 0 and load_user_hardware().loader_images_per_s_per_core == pytest.approx(saved["images_per_s_per_core"], rel=1e-3)


def test_bench_without_torch_exits_2_with_install_command(tmp_path):
    blocker = tmp_path / "torch"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('no torch here')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "dlcost.cli", "bench", "resnet18"], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "Error: dlcost bench needs PyTorch: pip install 'dlcost[torch]' (or: pip install torch==2.14.1 torchvision==0.29.1)\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "Error: architectures: name at least one catalog architecture to measure (or use --loader).\n"),
        (["yolov5"], "Error: YOLOv5 is a detection/segmentation network: dlcost bench measures classification training only\n"),
    ],
)
def test_bench_bad_input(capsys, args, message):
    code = main(["bench", *args])
    assert (code, capsys.readouterr()[1]) == (2, message)


def test_inference_bench_save_feeds_dlcost_inference(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCOST_DATA_DIR", str(tmp_path))
    code = main(["bench", "resnet18", *TINY, "--inference", "--gpu", "CPU-EPYC-9654", "--save", "--json"])
    result = json.loads(capsys.readouterr()[0])["results"][0]
    assert code == 0 and result["mode"] == "infer" and result["images_per_s"] > 0
    assert (tmp_path / "inference_throughput.csv").is_file() and not (tmp_path / "throughput.csv").exists()
    # The saved row is the measurement dlcost inference uses on that hardware, at its batch and resolution
    # scaled by pixels: the same images/s back at batch 2 (the fixed time per batch taken out and put back).
    code = main(["inference", "resnet18", "--hardware", "CPU-EPYC-9654", "--precision", "fp32", "--batch-size", "2", "--json"])
    served = json.loads(capsys.readouterr()[0])
    assert code == 0 and served["throughput_source"] == "measured" and "dlcost bench --inference" in served["reference"]
    assert served["images_per_s"] == pytest.approx(result["images_per_s"] * (64 / 224) ** 2, rel=0.05)


def test_tf32_bench_needs_cuda(capsys):
    assert main(["bench", "resnet18", "--device", "cpu", "--precision", "tf32", "--steps", "1"]) == 2
    assert "tf32" in capsys.readouterr()[1]


def test_prepared_gpu_run_smoke_test_on_the_cpu(tmp_path):
    """scripts/gpu_throughput_run.py (the one GPU run of issues 12/16) runs end to end with --tiny."""
    script = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "gpu_throughput_run.py")
    result = subprocess.run([sys.executable, script, "--out", str(tmp_path), "--tiny", "--gpu", "CPU-EPYC-9654"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "run.json").read_text())
    assert len(document["results"]) == 4 and not document["skipped"]
    assert {r["mode"] for r in document["results"]} == {"train", "infer"}
    assert (tmp_path / "throughput.csv").is_file() and (tmp_path / "inference_throughput.csv").is_file()
