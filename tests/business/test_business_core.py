"""Issue 13's pure core: seed 002's slide, the newsvendor closed form, NPV, payback and amortization."""

import math

import numpy as np
import pytest

from dlcost.core import business

PILOT_UNITS = 15_000  # SKU-store combinations in the pilot (seed 002)


def test_the_slides_training_and_prediction_figures():
    training = business.cost_per_unit_per_run(16, 7.894, PILOT_UNITS)  # 16 h at $7.894/h
    prediction = business.cost_per_unit_per_run(4, 7.894, PILOT_UNITS)  # 4 h
    assert round(training, 4) == 0.0084 and round(prediction, 4) == 0.0021
    assert round(business.annual_cost_per_unit(training, 27), 2) == 0.23    # biweekly
    assert round(business.annual_cost_per_unit(prediction, 365), 2) == 0.77  # daily
    storage = business.annual_cost_per_unit(business.cost_per_unit_per_run(95, 0.01, PILOT_UNITS), 12)
    total = business.annual_cost_per_unit(training, 27) + business.annual_cost_per_unit(prediction, 365) + storage
    assert round(total, 0) == 1.0  # "Total annual cost per combination = $1"


def test_the_slides_storage_figures_do_not_follow_from_its_inputs():
    # 95 GB at $0.01 per GB-month over 15,000 combinations is $0.0000633 per combination per month.
    per_month = business.cost_per_unit_per_run(95, 0.01, PILOT_UNITS)
    assert per_month == pytest.approx(6.333e-5, rel=1e-3)
    # The slide's $0.00076 "per combination" is the ANNUAL figure (x 12 months) ...
    assert business.annual_cost_per_unit(per_month, 12) == pytest.approx(0.00076, rel=0.01)
    # ... and its annual $0.0091 multiplies that by 12 once more: inconsistent with its own inputs.
    assert 0.00076 * 12 == pytest.approx(0.0091, rel=0.01)
    assert business.annual_cost_per_unit(per_month, 12) != pytest.approx(0.0091, rel=0.5)


def test_newsvendor_matches_the_normal_closed_form_and_a_simulation():
    mean, sd, price, cost, salvage = 100.0, 20.0, 10.0, 6.0, 2.0
    result = business.newsvendor(mean, sd, price, cost, salvage)
    z = result["safety_z"]
    assert business.critical_ratio(price, cost, salvage) == pytest.approx(0.5)  # (10 - 6) / (10 - 2)
    assert z == pytest.approx(0.0, abs=1e-12)
    # At z = 0: L(0) = phi(0) = 0.398942; lost = leftover = 20 x 0.398942; profit = 4 x 100 - 20 x 8 x phi(0).
    phi0 = 1 / math.sqrt(2 * math.pi)
    assert result["expected_lost_sales"] == pytest.approx(sd * phi0)
    assert result["expected_leftover"] == pytest.approx(sd * phi0)
    assert result["expected_profit"] == pytest.approx(400 - 20 * 8 * phi0)
    assert result["expected_profit"] == pytest.approx(400 - result["lost_sales_usd"] - result["spoilage_usd"])
    # Monte Carlo of the same policy, 2 million periods.
    demand = np.random.default_rng(0).normal(mean, sd, 2_000_000)
    q = result["order"]
    profit = price * np.minimum(q, demand) + salvage * np.maximum(q - demand, 0) - cost * q
    assert profit.mean() == pytest.approx(result["expected_profit"], rel=2e-3)
    # A skewed margin: critical ratio 0.8, z* = 0.8416.
    skewed = business.newsvendor(mean, sd, 10.0, 3.0, 1.25)
    assert skewed["safety_z"] == pytest.approx(0.841621, rel=1e-5)
    assert skewed["expected_profit"] == pytest.approx(7 * 100 - 20 * 8.75 * 0.279962, rel=1e-5)


def test_a_better_forecast_gains_sd_reduction_x_margin_x_phi():
    before = business.newsvendor(100, 30, 10, 6, 2)["expected_profit"]
    after = business.newsvendor(100, 20, 10, 6, 2)["expected_profit"]
    assert after - before == pytest.approx(10 * 8 / math.sqrt(2 * math.pi))


def test_npv_payback_and_break_even_by_hand():
    # $100 now, $40 a year for 3 years at 10%: -100 + 40/1.1 + 40/1.21 + 40/1.331 = -0.526.
    assert business.net_present_value(100, 40, 3, 0.10) == pytest.approx(-100 + 40 / 1.1 + 40 / 1.21 + 40 / 1.331)
    assert business.net_present_value(100, 40, 3, 0.0) == pytest.approx(20)
    assert business.payback_years(100, 40) == pytest.approx(2.5)
    # Discounted at 10%: 36.36 + 33.06 + 30.05 = 99.47 after 3 years; the 0.53 left comes in year 4 (27.32 that year).
    assert business.payback_years(100, 40, 0.10) == pytest.approx(3 + (100 - 40 / 1.1 - 40 / 1.21 - 40 / 1.331) / (40 / 1.1 ** 4))
    assert business.payback_years(100, -1) == math.inf and business.payback_years(0, 5) == 0.0
    # A $1M build shared by stores netting $50k a year each, over 5 years at 0%: 4 stores.
    assert business.break_even_deployments(1e6, 5e4, 5, 0.0) == pytest.approx(4.0)
    assert business.break_even_deployments(1e6, -1.0, 5, 0.0) == math.inf
    assert business.annuity_factor(3, 0.1) == pytest.approx(1 / 1.1 + 1 / 1.21 + 1 / 1.331)
