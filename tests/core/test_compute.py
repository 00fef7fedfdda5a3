"""GPU time, energy and carbon formulas (dlcost.core.compute), with hand-computed numbers."""

import math

import pytest

from dlcost.core import compute


def test_energy_and_co2_match_ml_co2_impact_formula():
    # ML CO2 Impact (Lacoste et al. 2019): kWh = TDP x hours; CO2 = kWh x intensity.
    # 100 GPU-hours on a 300 W V100, PUE 1, grid 400 gCO2/kWh: 30 kWh, 12 kg.
    kwh = compute.energy_kwh(100.0, power_w=300.0, pue=1.0)
    assert kwh == pytest.approx(30.0)
    assert compute.co2_kg(kwh, 400.0) == pytest.approx(12.0)
    assert compute.electricity_cost_usd(kwh, 0.2) == pytest.approx(6.0)


def test_pue_scales_energy():
    assert compute.energy_kwh(10.0, 700.0, 1.5) == pytest.approx(10.5)


def test_flops_mode_hours_by_hand():
    # 1e18 FLOPs at 1e15 FLOP/s x 0.25 utilization = 4000 s
    assert compute.gpu_seconds_from_flops(1e18, 1e15, 0.25) == pytest.approx(4000.0)


def test_throughput_mode_and_billing():
    seconds = compute.gpu_seconds_from_throughput(3.6e6, 1000.0)  # 3600 s
    assert compute.billed_gpu_hours(seconds) == pytest.approx(1.0)
    # 8 GPUs at 90% scaling: billed 1/0.9 GPU-hours, wall clock 1/(0.9 x 8) hours
    billed = compute.billed_gpu_hours(seconds, 8, 0.9)
    assert billed == pytest.approx(1 / 0.9)
    assert compute.wall_clock_hours(billed, 8) == pytest.approx(1 / 7.2)
    # One GPU: no scaling loss whatever the efficiency
    assert compute.billed_gpu_hours(seconds, 1, 0.5) == pytest.approx(1.0)
    assert compute.compute_cost_usd(2.0, 3.5) == pytest.approx(7.0)


def test_loader_bound():
    loader = compute.loader_images_per_s(8, 250.0)
    assert compute.bounded_images_per_s(5000.0, loader) == (2000.0, "loader")
    assert compute.bounded_images_per_s(1500.0, loader) == (1500.0, "gpu")
    assert compute.bounded_images_per_s(1500.0, None) == (1500.0, "gpu")


def test_roofline_extrapolation_limits():
    # Fully compute-bound: scales with peak; fully memory-bound: with bandwidth.
    assert compute.extrapolated_images_per_s(100.0, 1.0, 3.0, 1.0, 2.0, 1.0) == pytest.approx(300.0)
    assert compute.extrapolated_images_per_s(100.0, 1.0, 3.0, 1.0, 2.0, 0.0) == pytest.approx(200.0)
    half = compute.extrapolated_images_per_s(100.0, 1.0, 3.0, 1.0, 2.0, 0.5)
    assert half == pytest.approx(100.0 / (0.5 / 3 + 0.5 / 2))


def test_resolution_scaling():
    assert compute.resolution_scaled_images_per_s(1000.0, 224, 448) == pytest.approx(250.0)
    assert math.isclose(compute.resolution_scaled_images_per_s(1000.0, 300, 384), 1000 * (300 / 384) ** 2)
