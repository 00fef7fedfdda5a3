"""Eqs. (3)-(5) of seed 000."""

import math

from hypothesis import given
from hypothesis import strategies as st

from dlcost.core import cost


def test_eq4_by_hand():
    # $3e-11 x 2 x 1e6 params x 3 x 50 epochs x 1e5 images = $900
    flops = cost.training_flops(cost.paper_forward_flops(1e6), 1e5, 50)
    assert math.isclose(float(cost.training_cost_usd(flops, 3e-11)), 900.0, rel_tol=1e-12)


def test_runs_multiply_compute():
    assert cost.training_flops(1.0, 10, 2, runs=4) == 3 * 10 * 2 * 4


def test_eq5_clips_at_zero():
    assert cost.data_cost_usd(0.5, 1000, 5000) == 0.0
    assert cost.data_cost_usd(0.5, 5000, 1000) == 2000.0


def test_training_images_is_capped_by_limit():
    assert cost.training_images(3e5, 2e5) == 2e5
    assert cost.training_images(1e5, 2e5) == 1e5


@given(st.floats(0, 1e9), st.floats(0, 1e9), st.floats(0, 100))
def test_costs_never_negative(n_training, n_present, price):
    assert cost.data_cost_usd(price, n_training, n_present) >= 0
    assert cost.total_cost_usd(cost.training_cost_usd(cost.training_flops(1e9, n_training, 1), 1e-12), 0) >= 0
