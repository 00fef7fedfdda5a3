"""The data-collection plan of Mahmood et al., NeurIPS 2022 (LOC), solved exactly on the draws.

Expected values are solved by hand in the comments, or by brute force over every
sorted plan with the public objective ``expected_plan_cost``.
"""

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcost.core.collection_plan import MAX_ROUNDS, expected_plan_cost, plan_collection


def _brute_force_cost(samples, n0, c, P, T, data_max=math.inf, c_round=0.0, midpoints=True):
    """Least expected cost over every non-decreasing plan of 0..T rounds from a wide candidate set."""
    finite = np.unique([s for s in samples if math.isfinite(s) and n0 < s <= data_max])
    points = [n0, *finite]
    if midpoints:  # points between draws too, so the draws-only claim is tested, not assumed
        points += list((np.asarray(points[:-1]) + np.asarray(points[1:])) / 2)
    if math.isfinite(data_max):
        points.append(data_max)
    points = sorted({float(p) for p in points})
    return min(expected_plan_cost(plan, samples, n0, c, P, c_round)
               for k in range(T + 1) for plan in itertools.combinations_with_replacement(points, k))


# --- one round, by hand ----------------------------------------------------------------------

def test_one_round_two_point_posterior_by_hand():
    # n* = 1,000 or 3,000, each with probability 1/2; n0 = 0, c = 1 $/image, P = 3,000 $.
    # Candidate plans: none: P = 3,000; q = 1,000: 1,000 + 0.5 x 3,000 = 2,500; q = 3,000: 3,000.
    plan = plan_collection([1000, 3000], 0, 1.0, 3000.0, 1)
    assert plan.round_totals_images == (1000.0,)
    assert plan.expected_cost_usd == pytest.approx(2500.0, rel=1e-12)
    assert plan.probability_met_by_round == (0.5,)
    assert plan.probability_missed == 0.5


def test_one_round_uniform_posterior_goes_to_the_top():
    # n* uniform on [1,000, 2,000], n0 = 0, c = 1, P = 5,000: E(q) = q + P (b - q) / (b - a) for a <= q <= b,
    # dE/dq = 1 - 5,000 / 1,000 < 0, so q = b = 2,000 and E = 2,000 (collecting nothing costs 5,000).
    samples = np.linspace(1000.0, 2000.0, 1001)
    plan = plan_collection(samples, 0, 1.0, 5000.0, 1)
    assert plan.round_totals_images == (2000.0,)
    assert plan.expected_cost_usd == pytest.approx(2000.0, rel=1e-12)


def test_one_round_exponential_posterior_has_an_interior_optimum():
    # n* = a + Exp(mean 1,000), a = 1,000; n0 = 0, c = 1, P = 5,000. For q >= a,
    # E(q) = c q + P exp(-(q - a) / 1,000); dE/dq = 0 at density f(q) = c / P:
    # exp(-(q - a) / 1,000) / 1,000 = 1 / 5,000, so q* = a + 1,000 ln 5 = 2,609.44
    # and E(q*) = 2,609.44 + 5,000 / 5 = 3,609.44 (q < a costs q + 5,000 > 5,000).
    u = (np.arange(10_000) + 0.5) / 10_000
    samples = 1000.0 - 1000.0 * np.log1p(-u)  # evenly spaced quantiles
    plan = plan_collection(samples, 0, 1.0, 5000.0, 1)
    (q,) = plan.round_totals_images
    assert q == pytest.approx(1000.0 + 1000.0 * math.log(5.0), abs=5.0)
    assert plan.expected_cost_usd == pytest.approx(1000.0 + 1000.0 * math.log(5.0) + 1000.0, rel=1e-3)


# --- two rounds, by hand ---------------------------------------------------------------------

def test_two_rounds_two_point_posterior_by_hand():
    # n* = 1,000 or 10,000, each 1/2; n0 = 0, c = 1, P = 1e6.
    # (1,000, 10,000): 1,000 + 0.5 x 9,000 = 5,500. (10,000): 10,000. (1,000): 1,000 + 0.5e6.
    plan = plan_collection([1000, 10000], 0, 1.0, 1e6, 2)
    assert plan.round_totals_images == (1000.0, 10000.0)
    assert plan.expected_cost_usd == pytest.approx(5500.0, rel=1e-12)
    assert plan.expected_images_collected == pytest.approx(5500.0, rel=1e-12)
    assert plan.expected_rounds == pytest.approx(1.5, rel=1e-12)
    assert plan.probability_met_by_round == (0.5, 1.0)
    assert plan.probability_missed == 0.0


def test_a_fixed_round_cost_makes_one_round_optimal():
    # As above with c_round = 10,000: two rounds 5,500 + (1 + 0.5) x 10,000 = 20,500;
    # one round 10,000 + 10,000 = 20,000. (Two rounds win while c_round < 9,000.)
    plan = plan_collection([1000, 10000], 0, 1.0, 1e6, 2, cost_per_round_usd=10_000.0)
    assert plan.round_totals_images == (10000.0,)
    assert plan.expected_cost_usd == pytest.approx(20_000.0, rel=1e-12)
    plan = plan_collection([1000, 10000], 0, 1.0, 1e6, 2, cost_per_round_usd=8_000.0)
    assert plan.round_totals_images == (1000.0, 10000.0)
    assert plan.expected_cost_usd == pytest.approx(5500.0 + 1.5 * 8000.0, rel=1e-12)


def test_infinite_draws_are_never_met():
    # n* = 1,000 or never, each 1/2; n0 = 0, c = 1, P = 1e6: collect 1,000, miss with probability 1/2.
    plan = plan_collection([1000, math.inf], 0, 1.0, 1e6, 3)
    assert plan.round_totals_images == (1000.0,)
    assert plan.probability_missed == 0.5
    assert plan.expected_cost_usd == pytest.approx(1000.0 + 0.5e6, rel=1e-12)


def test_a_pilot_that_may_already_suffice_discounts_every_round():
    # n* = 500 (met by the pilot n0 = 800), 2,000 or 4,000, each 1/3; c = 1, P = 1e5, T = 1:
    # q = 4,000 costs (2/3) x 3,200 = 2,133.33; q = 2,000 costs (2/3) x 1,200 + 1e5 / 3.
    plan = plan_collection([500, 2000, 4000], 800, 1.0, 1e5, 1)
    assert plan.round_totals_images == (4000.0,)
    assert plan.expected_cost_usd == pytest.approx(2 / 3 * 3200.0, rel=1e-12)
    assert plan.probability_met_by_round == (1.0,)


# --- brute force -----------------------------------------------------------------------------

@pytest.mark.parametrize("max_rounds", [2, 3])
@pytest.mark.parametrize("seed", range(40))
def test_small_discrete_posteriors_match_brute_force(seed, max_rounds):
    rng = np.random.default_rng(1000 * max_rounds + seed)
    support = rng.choice(np.arange(1, 40), size=rng.integers(2, 6), replace=False) * 100.0
    samples = list(rng.choice(support, size=rng.integers(3, 15)))
    if rng.random() < 0.3:
        samples.append(math.inf)
    n0 = float(rng.choice([0.0, 150.0, 500.0]))
    data_max = float(rng.choice([math.inf, 2500.0]))
    c, P = rng.uniform(0.1, 3.0), rng.uniform(0.0, 20_000.0)
    c_round = float(rng.choice([0.0, rng.uniform(0.0, 2000.0)]))
    plan = plan_collection(samples, n0, c, P, max_rounds, data_max, c_round)
    best = _brute_force_cost(samples, n0, c, P, max_rounds, data_max, c_round)
    assert plan.expected_cost_usd == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert plan.expected_cost_usd == pytest.approx(
        expected_plan_cost(plan.round_totals_images, samples, n0, c, P, c_round), rel=1e-12, abs=1e-12)
    assert len(plan.round_totals_images) <= max_rounds


@pytest.mark.parametrize("max_rounds, n_support", [(2, 40), (3, 20), (4, 9)])
@pytest.mark.parametrize("seed", range(3))
def test_wider_posteriors_match_brute_force(seed, max_rounds, n_support):
    rng = np.random.default_rng(seed)
    samples = np.round(rng.lognormal(8.0, 1.0, n_support))
    P, c_round = rng.uniform(1e3, 1e6), float(rng.choice([0.0, 300.0]))
    plan = plan_collection(samples, 100.0, 1.0, P, max_rounds, cost_per_round_usd=c_round)
    best = _brute_force_cost(samples, 100.0, 1.0, P, max_rounds, c_round=c_round, midpoints=False)
    assert plan.expected_cost_usd == pytest.approx(best, rel=1e-9)


# --- properties ------------------------------------------------------------------------------

@pytest.mark.parametrize("max_rounds, c_round", [(1, 0.0), (1, 500.0), (2, 0.0), (3, 0.0)])
def test_a_larger_penalty_never_gives_a_smaller_final_total(max_rounds, c_round):
    samples = np.random.default_rng(7).lognormal(9.0, 1.2, 500)
    finals = []
    for penalty in np.geomspace(1e2, 1e8, 40):
        plan = plan_collection(samples, 1000.0, 1.0, penalty, max_rounds, cost_per_round_usd=c_round)
        finals.append(plan.round_totals_images[-1] if plan.round_totals_images else 1000.0)
    assert all(later >= earlier for earlier, later in itertools.pairwise(finals))
    assert finals[-1] > finals[0]  # the check is not vacuous


def test_plans_respect_data_max():
    samples = np.random.default_rng(3).lognormal(9.0, 1.0, 2000)
    plan = plan_collection(samples, 500.0, 1.0, 1e9, 3, data_max_images=8000.0)
    assert plan.round_totals_images and max(plan.round_totals_images) <= 8000.0
    assert plan.probability_missed == pytest.approx(np.mean(samples > max(plan.round_totals_images)))
    assert list(plan.round_totals_images) == sorted(set(plan.round_totals_images))


def test_already_met_collects_nothing_and_costs_nothing():
    plan = plan_collection([100.0, 400.0, 900.0], 1000.0, 2.0, 1e6, 3, cost_per_round_usd=50.0)
    assert plan.round_totals_images == ()
    assert plan.expected_cost_usd == 0.0
    assert plan.expected_images_collected == 0.0 and plan.expected_rounds == 0.0
    assert plan.probability_missed == 0.0


def test_to_dict_is_plain_data():
    data = plan_collection([1000, 10000], 0, 1.0, 1e6, 2).to_dict()
    assert data["round_totals_images"] == [1000.0, 10000.0]
    assert json.loads(json.dumps(data)) == data


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e5) | st.just(math.inf), min_size=1, max_size=30),
       st.floats(0, 5e4), st.floats(0, 10), st.floats(0, 1e7), st.integers(1, 4), st.floats(0, 1e4))
def test_cost_is_never_negative_nor_above_doing_nothing(samples, n0, c, P, T, c_round):
    plan = plan_collection(samples, n0, c, P, T, cost_per_round_usd=c_round)
    nothing = expected_plan_cost((), samples, n0, c, P, c_round)
    assert 0.0 <= plan.expected_cost_usd <= nothing * (1 + 1e-9)
    assert all(n0 < q for q in plan.round_totals_images)


# --- bad input -------------------------------------------------------------------------------

GOOD = {"needed_samples_images": [1000.0, 2000.0], "n_current_images": 0.0, "cost_per_image_usd": 1.0,
        "penalty_usd": 1e4, "max_rounds": 2}


@pytest.mark.parametrize("name, value", [
    ("needed_samples_images", []),
    ("needed_samples_images", [1000.0, math.nan]),
    ("needed_samples_images", [-5.0]),
    ("needed_samples_images", [[1.0, 2.0]]),
    ("needed_samples_images", ["many"]),
    ("cost_per_image_usd", math.inf),
    ("cost_per_image_usd", math.nan),
    ("cost_per_image_usd", -1.0),
    ("penalty_usd", -1.0),
    ("penalty_usd", math.inf),
    ("cost_per_round_usd", -0.5),
    ("cost_per_round_usd", math.inf),
    ("max_rounds", 0),
    ("max_rounds", MAX_ROUNDS + 1),
    ("max_rounds", 1.5),
    ("n_current_images", -1.0),
    ("data_max_images", math.nan),
    ("data_max_images", -1.0),
])
def test_bad_input_raises_naming_the_argument(name, value):
    with pytest.raises(ValueError, match=f"^{name} ") as raised:
        plan_collection(**{**GOOD, name: value})
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("plan", [(500.0, 400.0), (-1.0,), (math.inf,), ((1.0, 2.0),)])
def test_expected_plan_cost_rejects_an_unsorted_or_unreachable_plan(plan):
    with pytest.raises(ValueError, match="^round_totals_images "):
        expected_plan_cost(plan, [1000.0], 0.0, 1.0, 1e4)


def test_expected_plan_cost_checks_its_other_inputs():
    with pytest.raises(ValueError, match="^needed_samples_images "):
        expected_plan_cost((1.0,), [], 0.0, 1.0, 1e4)
    with pytest.raises(ValueError, match="^penalty_usd "):
        expected_plan_cost((1.0,), [1.0], 0.0, 1.0, -1.0)


def test_ties_go_to_fewer_rounds_and_fewer_images():
    # Free images, free rounds and no penalty: every plan costs 0, so the plan collects nothing.
    assert plan_collection([1000.0, 2000.0], 0.0, 0.0, 0.0, 3).round_totals_images == ()
    # Free images, P = 1: any plan reaching 2,000 costs 0; the first such, one round to 2,000, is taken.
    assert plan_collection([1000.0, 2000.0], 0.0, 0.0, 1.0, 3).round_totals_images == (2000.0,)
