"""Realistic cost modes wired through the library and the CLI: flops, measured, paper."""

import json

import pytest

import dlcost
from dlcost import Scenario
from dlcost.catalog.hardware import load_hardware
from dlcost.cli import main

FIGURE_2 = dict(target_accuracy=0.965, data_max=200_000, cost_per_datapoint=0.63, class_counts=[50_000, 1_000], epochs=50)


@pytest.fixture(scope="module")
def hardware():
    return load_hardware()


def one(hardware, **kwargs):
    return dlcost.estimate(Scenario(**{**FIGURE_2, **kwargs}), hardware=hardware).recommendations[0]


def test_flops_mode_by_hand(hardware):
    rec = one(hardware, architectures=["ResNet-50"], cost_mode="flops", gpu="A100-80GB", utilization=0.3,
              price_per_hour=2.0, loader_cores=0, pue=1.0, power_w=400)
    images = rec.training_images * 50
    flops = 3 * 8.178e9 * images  # 3 x forward FLOPs x images x epochs
    hours = flops / (312e12 * 0.3) / 3600
    assert rec.cost_mode == "flops" and rec.bound == "gpu"
    assert rec.training_flops == pytest.approx(flops)
    assert rec.gpu_hours == pytest.approx(hours)
    assert rec.compute_cost == pytest.approx(2.0 * hours)
    assert rec.training_cost == pytest.approx(2.0 * hours)
    assert rec.energy_kwh == pytest.approx(hours * 0.4)


def test_runs_and_gpus(hardware):
    base = dict(architectures=["ResNet-50"], cost_mode="flops", loader_cores=0, price_per_hour=2.0)
    single = one(hardware, **base)
    assert one(hardware, **base, runs=4).gpu_hours == pytest.approx(4 * single.gpu_hours)
    eight = one(hardware, **base, gpus=8, scaling_efficiency=0.8)
    assert eight.gpu_hours == pytest.approx(single.gpu_hours / 0.8)
    assert eight.wall_clock_hours == pytest.approx(single.gpu_hours / 0.8 / 8)


def test_loader_bound_reported(hardware):
    bounded = one(hardware, architectures=["MobileNetV3-L"], cost_mode="flops", loader_cores=1)
    free = one(hardware, architectures=["MobileNetV3-L"], cost_mode="flops", loader_cores=0)
    assert bounded.bound == "loader" and free.bound == "gpu"
    assert bounded.images_per_s == pytest.approx(hardware.loader_images_per_s_per_core)
    assert bounded.gpu_hours > free.gpu_hours


def test_measured_mode_is_extrapolated_off_the_reference_gpu(hardware):
    on_reference = one(hardware, architectures=["ResNet-50"], cost_mode="measured", gpu="RTX3090", precision="fp16", loader_cores=0)
    elsewhere = one(hardware, architectures=["ResNet-50"], cost_mode="measured", gpu="H100", loader_cores=0)
    assert on_reference.throughput_source == "measured" and elsewhere.throughput_source == "extrapolated from RTX3090 fp16"
    measured = next(t for t in hardware.throughputs if t.architecture == "ResNet-50")
    assert on_reference.images_per_s == pytest.approx(measured.train_images_per_s)
    assert elsewhere.images_per_s > on_reference.images_per_s


def test_default_mode_is_measured_where_available(hardware):
    result = dlcost.estimate(Scenario(**FIGURE_2, architectures=["ResNet-50", "AlexNet"], top=2), hardware=hardware)
    modes = {rec.architecture: rec.cost_mode for rec in result.recommendations}
    assert modes == {"ResNet-50": "measured", "AlexNet": "flops"} and result.cost_mode == "auto"


def test_measured_mode_prices_unmeasured_by_the_roofline_and_says_so(hardware):
    result = dlcost.estimate(Scenario(**FIGURE_2, cost_mode="measured", top=30), hardware=hardware)
    sources = {rec.architecture: rec.throughput_source for rec in result.recommendations}
    assert sources["AlexNet"] == "flops" and sources["ResNet-50"].startswith("extrapolated from ")
    assert any("AlexNet" in w and "roofline" in w for w in result.warnings)


def test_paper_mode_keeps_figure2_and_adds_compute(hardware):
    rec = one(hardware, cost_mode="paper", pretrained=True)
    assert rec.architecture == "EfficientNet-B0" and rec.cost_mode == "paper"
    assert rec.training_cost == pytest.approx(9_610.92, rel=0.03)
    assert rec.gpu_hours > 0 and rec.co2_kg > 0


def test_country_and_region_intensity(hardware):
    france = one(hardware, architectures=["ResNet-50"], cost_mode="flops", country="FRA")
    poland = one(hardware, architectures=["ResNet-50"], cost_mode="flops", country="POL")
    assert france.energy_kwh == pytest.approx(poland.energy_kwh) and france.co2_kg < poland.co2_kg
    intensity, _ = hardware.grid_intensity("FRA", None)
    assert france.co2_kg == pytest.approx(france.energy_kwh * intensity / 1000)


def test_electricity_cost_added_when_price_per_kwh_given(hardware):
    rec = one(hardware, architectures=["ResNet-50"], cost_mode="flops", price_per_kwh=0.3)
    assert rec.electricity_cost == pytest.approx(rec.energy_kwh * 0.3)
    assert rec.training_cost == pytest.approx(rec.compute_cost + rec.electricity_cost)


def test_user_config_overrides_price_and_adds_gpu(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[hardware.MyGPU]\naliases = ["mine"]\nfp32_tflops = 10\nbf16_tflops = 100\nmemory_bandwidth_gbs = 500\ntdp_w = 200\n'
        '[[prices]]\ngpu = "MyGPU"\nprovider = "home"\non_demand_usd_per_gpu_hour = 0.5\nvcpus_per_instance = 4\ngpus_per_instance = 1\n'
    )
    hardware = load_hardware(config)
    rec = one(hardware, architectures=["ResNet-50"], cost_mode="flops", gpu="mine")
    assert rec.gpu == "MyGPU" and rec.compute_cost == pytest.approx(rec.gpu_hours * 0.5)


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


CLI_BASE = ["--target-accuracy", "0.965", "--data-max", "200000", "--cost-per-datapoint", "0.63", "--class-counts", "50000,1000"]


def test_cli_json_has_compute_fields(capsys):
    code, out, _ = run(capsys, "estimate", *CLI_BASE, "--gpu", "a100", "--gpus", "4", "--country", "DEU", "--json")
    rec = json.loads(out)["recommendations"][0]
    assert code == 0
    for key in ("cost_mode", "training_images", "gpu_hours", "wall_clock_hours", "compute_cost", "energy_kwh", "co2_kg", "bound"):
        assert key in rec


@pytest.mark.parametrize(
    "args, message",
    [
        (["--gpu", "H1000"], "Error: gpu must be a hardware catalog name; got 'H1000'. Did you mean H100, A100-80GB, A100-40GB? (`dlcost hardware` lists all)"),
        (["--utilization", "0"], "Error: utilization must be greater than 0; got 0.0."),
        (["--utilization", "-0.2"], "Error: utilization must be greater than 0; got -0.2."),
        (["--utilization", "1.5"], "Error: utilization must be a fraction in [0.001, 1]; got 1.5."),
        (["--price-per-hour", "0"], "Error: price_per_hour must be greater than 0; got 0.0."),
        (["--price-per-hour", "-2"], "Error: price_per_hour must be greater than 0; got -2.0."),
        (["--epochs", "0"], "Error: epochs must be greater than 0; got 0.0."),
        (["--runs", "0"], "Error: runs must be greater than 0; got 0.0."),
        (["--runs", "-1"], "Error: runs must be greater than 0; got -1.0."),
        (["--gpus", "0"], "Error: gpus must be a whole number of at least 1; got 0."),
        (["--pue", "0.9"], "Error: pue must be 1 or more (facility energy / IT energy); got 0.9."),
        (["--precision", "int4"], "Error: precision must be one of 'bf16', 'fp16', 'tf32' or 'fp32'; got 'int4'."),
        (["--country", "XYZ"], "Error: country must be an ISO 3166 alpha-3 code with grid data, such as USA, DEU, FRA; got 'XYZ'."),
        (["--region", "aws:mars-1"], "Error: region must be PROVIDER:REGION from the carbon data; got 'aws:mars-1'. Did you mean aws:ap-east-1, aws:ap-south-1, aws:ap-northeast-1?"),
        (["--provider", "nocloud"], None),
        (["--gpu", "RTX5090", "--cost-mode", "flops"], "Error: price_per_hour is needed: the catalog lists no price for RTX5090; give --price-per-hour."),
        (["--config", "/nonexistent/c.toml"], "Error: config file '/nonexistent/c.toml' cannot be read: No such file or directory."),
    ],
)
def test_cli_bad_hardware_inputs(capsys, args, message):
    code, out, err = run(capsys, "estimate", *CLI_BASE, *args)
    assert code == 2 and out == ""
    if message is None:
        assert err.startswith("Error: provider must be one that lists H100: ") and err.endswith("; got 'nocloud'.\n")
    else:
        assert err == message + "\n"


def test_hardware_command(capsys):
    code, out, _ = run(capsys, "hardware", "--json")
    accelerators = {a["name"]: a for a in json.loads(out)["accelerators"]}
    assert code == 0
    for name in ("T4", "L4", "A10G", "V100", "A100-40GB", "A100-80GB", "H100", "H200"):
        assert name in accelerators and accelerators[name]["tdp_w"] > 0
    assert any(a["kind"] == "cpu" for a in accelerators.values())
    assert accelerators["H100"]["prices"] and accelerators["H100"]["prices"][0]["price_date"]
    code, out, _ = run(capsys, "hardware")
    assert code == 0 and "H100" in out
