"""Issue 12: compute on every GPU, precision and software stack, for training and inference."""

import json
import math

import pytest

from dlcost import catalog
from dlcost.catalog.hardware import load_hardware
from dlcost.cli import main
from dlcost.core import compute, throughput
from dlcost.core.checks import InputError
from dlcost.engine.estimate import estimate
from dlcost.engine.throughput_model import inference_figures, training_images_per_s
from dlcost.schemas import Scenario

BASE = {"target_accuracy": 0.9, "data_max": 100_000, "cost_per_datapoint": 0.5, "classes": 10}
TENSOR_CORE_GPUS = ["A100-80GB", "H100", "H200", "L4", "L40S", "A10G", "RTX4090", "RTX3090"]


@pytest.fixture(scope="module")
def hardware():
    return load_hardware()


def test_hand_computed_roofline_compute_bound_and_memory_bound():
    # Compute-bound: 10 GFLOP forward, 1 M activations, training (3 passes) on 100 TFLOP/s at 0.5, 2 bytes, k 10, 1 TB/s.
    compute_s = 3 * 10e9 / (100e12 * 0.5)          # 6.0e-4 s
    memory_s = 10 * 1e6 * 2 / 1e12                  # 2.0e-5 s
    assert throughput.roofline_seconds_per_image(10e9, 1e6, 3, 100e12, 0.5, 2, 10, 1e12) == pytest.approx(compute_s + memory_s)
    assert compute_s / (compute_s + memory_s) > 0.95
    # Memory-bound (a depthwise net): 0.5 GFLOP and 20 M activations, one forward pass.
    compute_s = 0.5e9 / (100e12 * 0.5)              # 1.0e-5 s
    memory_s = 10 * 20e6 * 2 / 1e12                 # 4.0e-4 s
    assert throughput.roofline_seconds_per_image(0.5e9, 20e6, 1, 100e12, 0.5, 2, 10, 1e12) == pytest.approx(compute_s + memory_s)
    # Twice the bandwidth nearly halves the memory-bound time, twice the peak hardly moves it.
    base = throughput.roofline_seconds_per_image(0.5e9, 20e6, 1, 100e12, 0.5, 2, 10, 1e12)
    assert throughput.roofline_seconds_per_image(0.5e9, 20e6, 1, 100e12, 0.5, 2, 10, 2e12) == pytest.approx(2.1e-4)  # 1e-5 + 2e-4
    assert throughput.roofline_seconds_per_image(0.5e9, 20e6, 1, 200e12, 0.5, 2, 10, 1e12) / base > 0.98


def test_batch_latency_and_cost_per_1000_predictions():
    # 1,000 images/s saturated, 1 ms per batch: batch 1 takes 2 ms (500 images/s), batch 1000 1.001 s.
    assert throughput.images_per_s_at_batch(1000.0, 1, 1e-3) == pytest.approx(500.0)
    assert throughput.batch_latency_s(1000.0, 1000, 1e-3) == pytest.approx(1.001)
    # $3.60/h at 1,000 images/s: 3.6e6 images per $3.60, i.e. $0.001 per 1,000.
    assert throughput.cost_per_1000_predictions_usd(3.6, 1000.0) == pytest.approx(0.001)


def test_ml_co2_impact_identity_with_power_equal_to_tdp(hardware):
    accelerator = hardware.find_accelerator("A100-80GB")
    result = estimate(Scenario(**BASE, gpu="A100-80GB", power_w=accelerator.tdp_w, pue=1.0, country="USA", architectures=["ResNet-50"]),
                      hardware=hardware)
    row = result.recommendations[0]
    assert row.energy_kwh == pytest.approx(accelerator.tdp_w / 1000 * row.gpu_hours)  # kWh = TDP x hours
    assert row.co2_kg == pytest.approx(row.energy_kwh * result.hardware["grid_gco2_per_kwh"] / 1000)


def test_default_power_is_the_average_draw_and_node_overhead_adds(hardware):
    plain = estimate(Scenario(**BASE, gpu="H100", architectures=["ResNet-50"]), hardware=hardware)
    assert plain.hardware["power_w"] == pytest.approx(0.75 * 700)
    assert "TDP" in plain.hardware["power_source"]
    node = estimate(Scenario(**BASE, gpu="H100", architectures=["ResNet-50"], node_overhead_w=182), hardware=hardware)
    assert node.hardware["power_w"] == pytest.approx(0.75 * 700 + 182)
    assert node.recommendations[0].energy_kwh > plain.recommendations[0].energy_kwh


def test_pue_from_region_then_hyperscale_cloud_then_average(hardware):
    region = estimate(Scenario(**BASE, gpu="A100-40GB", region="gcp:us-central1", architectures=["ResNet-50"]), hardware=hardware)
    assert region.hardware["pue"] == pytest.approx(hardware.region_pue("gcp:us-central1"))
    cloud = estimate(Scenario(**BASE, gpu="A100-40GB", provider="gcp", architectures=["ResNet-50"]), hardware=hardware)
    assert cloud.hardware["pue"] == pytest.approx(1.10) and "hyperscale" in cloud.hardware["pue_source"]
    owned = estimate(Scenario(**BASE, gpu="A100-40GB", price_per_hour=1.0, architectures=["ResNet-50"]), hardware=hardware)
    assert owned.hardware["pue"] == pytest.approx(1.58)


@pytest.mark.parametrize("gpu", TENSOR_CORE_GPUS)
def test_precision_ordering_on_tensor_core_gpus(hardware, gpu):
    accelerator = hardware.find_accelerator(gpu)
    for architecture in catalog.architectures():
        for mode in ("measured", "flops"):
            train = {p: training_images_per_s(architecture, accelerator, p, hardware, mode, "typical")[0] for p in ("bf16", "tf32", "fp32")}
            assert train["bf16"] >= train["tf32"] >= train["fp32"], (architecture.name, gpu, mode, train)
            serve = {p: inference_figures(architecture, accelerator, p, 64, hardware, mode=mode).images_per_s
                     for p in ("int8", "bf16", "tf32", "fp32")}
            assert serve["int8"] >= serve["bf16"] >= serve["tf32"] >= serve["fp32"], (architecture.name, gpu, mode, serve)


def test_every_architecture_has_a_figure_on_every_accelerator_in_every_mode(hardware):
    seen = set()
    for accelerator in hardware.accelerators:
        precision = "bf16"
        for architecture in catalog.architectures():
            for mode in ("measured", "flops"):
                rate, source, note = training_images_per_s(architecture, accelerator, precision, hardware, mode, "typical")
                served = inference_figures(architecture, accelerator, precision, 32, hardware, mode=mode)
                for value in (rate, served.images_per_s, served.latency_ms):
                    assert math.isfinite(value) and value > 0
                assert source == "measured" or source == "flops" or source.startswith("extrapolated from ")
                assert note and served.reference
                seen.add(source.split(" ")[0])
    assert seen == {"measured", "extrapolated", "flops"}


def test_a_dense_net_scales_with_peak_and_a_depthwise_one_with_bandwidth(hardware):
    a100, h100 = hardware.find_accelerator("A100-80GB"), hardware.find_accelerator("H100")
    vgg, effnet = catalog.find_architecture("VGG-16"), catalog.find_architecture("EfficientNet-B0")

    def gain(architecture):
        return (training_images_per_s(architecture, h100, "bf16", hardware, "flops", "typical")[0]
                / training_images_per_s(architecture, a100, "bf16", hardware, "flops", "typical")[0])

    peak_ratio, bandwidth_ratio = 989.4 / 312, 3350 / 2039
    assert bandwidth_ratio * 0.95 < gain(effnet) < gain(vgg) < peak_ratio


def test_stacks_order_and_gpu_decode_lifts_the_loader_bound(hardware):
    def row(**extra):
        return estimate(Scenario(**BASE, gpu="A100-80GB", architectures=["ResNet-18"], **extra), hardware=hardware).recommendations[0]

    research, typical, tuned = (row(stack=s, loader_cores=0).images_per_s for s in ("research", "typical", "tuned"))
    assert research < typical < tuned
    assert tuned / research == pytest.approx(1.534 / 0.5, rel=0.02)
    cpu, gpu = row(loader_cores=2), row(loader_cores=2, decode="gpu")
    assert cpu.bound == "loader" and gpu.bound == "gpu" and gpu.images_per_s > cpu.images_per_s


def test_recommendations_carry_serving_figures_for_the_deployment_hardware(hardware):
    result = estimate(Scenario(**BASE, gpu="H100", deploy_hardware="L4", deploy_precision="int8", deploy_batch_size=8), hardware=hardware)
    for row in result.recommendations:
        assert row.deploy_hardware == "L4" and row.inference_images_per_s > 0
        assert row.cost_per_1000_predictions is not None and row.cost_per_1000_predictions > 0
    same = estimate(Scenario(**BASE, gpu="H100"), hardware=hardware).recommendations[0]
    assert same.deploy_hardware == "H100"


@pytest.mark.parametrize("args, field", [
    (["inference", "ResNet-50", "--hardware", "H100", "--stack", "fast"], "stack"),
    (["inference", "ResNet-50", "--hardware", "V100", "--precision", "int8"], "precision"),
    (["inference", "ResNet-50", "--hardware", "V100", "--precision", "tf32"], "precision"),
    (["inference", "ResNet-50", "--hardware", "H100", "--batch-size", "0"], "batch_size"),
    (["inference", "ResNet-50", "--hardware", "H100", "--pruning", "0.99"], "pruning"),
    (["estimate", *sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in BASE.items()), []), "--decode", "disk"], "decode"),
    (["estimate", *sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in BASE.items()), []), "--stack", "fast"], "stack"),
    (["estimate", *sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in BASE.items()), []), "--gpu", "V100", "--precision", "tf32"],
     "precision"),
    (["estimate", *sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in BASE.items()), []), "--deploy-batch-size", "0"],
     "deploy_batch_size"),
    (["estimate", *sum(([f"--{k.replace('_', '-')}", str(v)] for k, v in BASE.items()), []), "--gpu", "V100",
      "--deploy-precision", "int8"], "deploy_precision"),
])
def test_bad_inputs_give_one_line_errors(capsys, args, field):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("Error: ") and field in err and "Traceback" not in err


def test_inference_cli_json_keys(capsys):
    assert main(["inference", "ResNet-50", "--hardware", "A100-80GB", "--batch-size", "64", "--precision", "bf16", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["throughput_source"].startswith("extrapolated from RTX")
    assert document["images_per_s"] < document["saturated_images_per_s"]
    assert document["cost_per_1000_predictions"] > 0


def test_precision_lacking_is_an_input_error_not_a_fallback(hardware):
    v100 = hardware.find_accelerator("V100")
    with pytest.raises(InputError, match="no TF32"):
        training_images_per_s(catalog.find_architecture("ResNet-50"), v100, "tf32", hardware, "flops", "typical")
    # bf16 and fp16 stand in for each other: V100 trains bf16 requests in fp16, and says so.
    rate, _, note = training_images_per_s(catalog.find_architecture("ResNet-50"), v100, "bf16", hardware, "flops", "typical")
    assert rate > 0 and "fp16" in note
