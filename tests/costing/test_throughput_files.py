"""The throughput model's shipped files: complete, and reproducible from shared/data."""

import csv
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from dlcost import catalog
from dlcost.catalog.hardware import load_hardware

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"


def _text(name: str) -> str:
    return resources.files("dlcost.catalog").joinpath(name).read_text(encoding="utf-8")


def test_every_architecture_has_an_activation_count_with_its_source():
    rows = {row["architecture"]: row for row in csv.DictReader(_text("activations.csv").splitlines())}
    for architecture in catalog.architectures():
        assert architecture.forward_activations_m and architecture.forward_activations_m > 0, architecture.name
        assert rows[architecture.name]["source"] and int(rows[architecture.name]["resolution_px"]) == architecture.resolution_px


def test_inference_rows_name_catalog_architectures_and_hardware():
    hardware = load_hardware()
    names = {a.name for a in catalog.architectures()}
    for row in hardware.inference_measurements:
        assert row["architecture"] in names and hardware.find_accelerator(row["hardware"])
        assert float(row["images_per_s"]) > 0 and "timm" in row["source"]


def test_model_parameters_are_in_physical_ranges():
    model = tomllib.loads(_text("throughput_model.toml"))
    assert all(0 < model["efficiency"][key] <= 1 for key in ("tensor", "fp32", "tf32", "int8"))
    assert model["memory"]["k_train"] > model["memory"]["k_infer"] > 0
    assert model["stacks"]["research"] < model["stacks"]["typical"] == 1.0 < model["stacks"]["tuned"]
    assert 0 < model["batch"]["launch_overhead_ms"] < 10 and model["quantization"]["int8_speedup"] >= 1


@pytest.mark.skipif(not (DATA / "timm").is_dir(), reason="needs ../shared/data")
def test_fit_script_reproduces_the_shipped_files():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "fit_throughput_model.py"), "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
