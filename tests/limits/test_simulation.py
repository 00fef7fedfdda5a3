"""Seed 003's section 2 simulation (Figure 1): the seed's statements, the exact laws, bad input, the PNG.

The seed is N. C. Thompson et al., "The Computational Limits of Deep Learning" (arXiv:2007.05558):
"1,500 observations are needed for the flexible model to reach the same performance as the
oracle reaches with 15. Regularization helps with this, dropping the data need to 175."
"""

import json
import math
import sys

import numpy as np
import pytest
from scipy.special import digamma

from dlcost.core.checks import InputError
from dlcost.engine.limits_simulation import DEFAULT_SAMPLE_SIZES, MODELS, simulate
from dlcost.reports.simulation_plot import plot_simulation

SMALL = {"n_covariates": 50, "n_relevant": 5}


@pytest.fixture(scope="module")
def figure1():
    """The default grid, d = 1000, s = 10, at 200 simulations (the seed used 1,000)."""
    return simulate(reps=200, seed=0)


def _model(result: dict, name: str) -> dict:
    return next(model for model in result["models"] if model["name"] == name)


def _mean_log_performance(n: int, k: int, noise_sd: float, norm2: float) -> float:
    """E[-log10(err / ||theta||^2)] for least squares on k covariates with all true ones in:
    err = noise_sd^2 chi^2_k / chi^2_{n-k+1}, and E ln chi^2_m = digamma(m / 2) + ln 2."""
    return (math.log(norm2 / noise_sd**2) - digamma(k / 2) + digamma((n - k + 1) / 2)) / math.log(10)


def test_the_seeds_two_statements_hold_within_a_factor_of_1_5(figure1):
    flexible = _model(figure1, "flexible")["matches_oracle_at_15"]
    regularized = _model(figure1, "regularized")["matches_oracle_at_15"]
    assert 1500 / 1.5 <= flexible <= 1500 * 1.5, flexible
    assert 175 / 1.5 <= regularized <= 175 * 1.5, regularized
    assert _model(figure1, "oracle")["matches_oracle_at_15"] == 15
    assert regularized < flexible


def test_oracle_and_flexible_follow_their_exact_laws(figure1):
    """Both reduced (sizes >= d) and plain (sizes < d) paths give the chi-square-ratio law's mean."""
    settings = figure1["settings"]
    norm2 = settings["n_relevant"] * settings["coefficient"] ** 2
    for name, k in (("oracle", settings["n_relevant"]), ("flexible", settings["n_covariates"])):
        model = _model(figure1, name)
        for n, mean, sem in zip(figure1["sample_sizes"], model["performance_mean"], model["performance_sem"]):
            if mean is None:
                assert n <= k + 1
                continue
            expected = _mean_log_performance(n, k, settings["noise_sd"], norm2)
            assert abs(mean - expected) < 4 * sem, (name, n, mean, expected, sem)


def test_reduced_and_direct_methods_agree():
    """The Bartlett-reduced d x d problem and the n x d data give the same distribution:
    means within sampling error and spreads (sd = sem * sqrt(reps)) within a third."""
    options = dict(reps=300, sample_sizes=[30, 50, 55, 70, 120, 400], **SMALL)
    reduced, direct = simulate(seed=1, method="reduced", **options), simulate(seed=2, method="direct", **options)
    compared = 0
    for one, other in zip(reduced["models"], direct["models"]):
        pairs = zip(one["performance_mean"], one["performance_sem"], other["performance_mean"], other["performance_sem"])
        for mean, sem, other_mean, other_sem in pairs:
            assert (mean is None) == (other_mean is None)
            if mean is None:
                continue
            assert abs(mean - other_mean) < 4 * math.hypot(sem, other_sem), (one["name"], mean, other_mean)
            assert 0.75 < sem / other_sem < 1.33, (one["name"], sem, other_sem)
            compared += 1
    assert compared == 4 * 7 - 3  # the flexible model is undefined at 15, 30 and 50


def test_a_larger_lasso_penalty_needs_more_data():
    """The sensitivity check of the module docstring, small: half and twice the universal threshold."""
    options = {"reps": 80, "seed": 4, "sample_sizes": [15, 30, 50, 70, 100, 150, 200, 300, 500]}
    matches = [_model(simulate(alpha_scale=scale, **options), "regularized")["matches_oracle_at_15"]
               for scale in (0.5, 1.0, 2.0)]
    assert matches[0] < matches[1] < matches[2], matches
    assert matches[2] > 2 * matches[1]


def test_the_expert_plateaus_while_the_oracle_keeps_improving(figure1):
    expert, oracle = _model(figure1, "expert"), _model(figure1, "oracle")
    sizes = figure1["sample_sizes"]
    at_1000, at_5000 = sizes.index(1000), sizes.index(5000)
    ceiling = -math.log10(1 / figure1["settings"]["n_relevant"])  # the missed coefficient's share of ||theta||^2
    assert expert["performance_mean"][at_5000] - expert["performance_mean"][at_1000] < 0.03
    assert expert["performance_mean"][at_5000] < ceiling
    assert ceiling - expert["performance_mean"][at_1000] < 0.05
    assert oracle["performance_mean"][at_5000] - oracle["performance_mean"][at_1000] > 0.5


def test_oracle_beats_flexible_and_regularized_overtakes_expert(figure1):
    oracle, flexible = _model(figure1, "oracle"), _model(figure1, "flexible")
    both = [(o, f) for o, f in zip(oracle["performance_mean"], flexible["performance_mean"]) if f is not None]
    assert len(both) >= 5 and all(o > f for o, f in both)
    expert, regularized = _model(figure1, "expert"), _model(figure1, "regularized")
    assert expert["performance_mean"][0] > regularized["performance_mean"][0] + 0.2  # at 15: experts learn faster
    assert regularized["performance_mean"][-1] > expert["performance_mean"][-1] + 1.0  # at 5,000: flexibility wins


def test_computation_is_counted_and_grows_with_n(figure1):
    flexible, regularized = _model(figure1, "flexible"), _model(figure1, "regularized")
    n, d = 5000, figure1["settings"]["n_covariates"]
    assert flexible["computation_flops"][-1] == pytest.approx(n * d**2 + 2 * n * d + d**3 / 3 + 2 * d**2)
    assert regularized["computation_flops"][-1] == pytest.approx((regularized["sweeps_mean"][-1] + 1) * 2 * n * d)
    assert flexible["matches_oracle_at_15_flops"] > regularized["matches_oracle_at_15_flops"] > 0
    assert regularized["unconverged_fits"] == 0


def test_every_number_is_finite_and_the_result_is_json(figure1):
    text = json.dumps(figure1, allow_nan=False)
    numbers = []

    def walk(value):
        if isinstance(value, dict):
            [walk(item) for item in value.values()]
        elif isinstance(value, list):
            [walk(item) for item in value]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers.append(value)

    walk(json.loads(text))
    assert numbers and all(math.isfinite(number) for number in numbers)
    assert [model["name"] for model in figure1["models"]] == list(MODELS)
    assert figure1["sample_sizes"] == list(DEFAULT_SAMPLE_SIZES)
    for model in figure1["models"]:
        assert len(model["performance_mean"]) == len(model["computation_flops"]) == len(DEFAULT_SAMPLE_SIZES)


def test_the_same_seed_gives_the_same_answer_on_any_thread_count():
    options = dict(reps=12, sample_sizes=[20, 60, 200], **SMALL)
    first = simulate(seed=7, n_threads=1, **options)
    assert simulate(seed=7, n_threads=2, **options) == first
    assert simulate(seed=8, **options)["models"][0]["performance_mean"] != first["models"][0]["performance_mean"]
    assert 15 in first["sample_sizes"]  # the reference is always simulated


@pytest.mark.parametrize("options, field, message", [
    ({"reps": 0}, "reps", "reps must be a whole number from 1 to 100,000; got 0."),
    ({"reps": 100_001}, "reps", "reps must be a whole number from 1 to 100,000; got 100001."),
    ({"reps": 2.5}, "reps", "reps must be a whole number from 1 to 100,000; got 2.5."),
    ({"reps": True}, "reps", "reps must be a whole number from 1 to 100,000; got True."),
    ({"reps": "10"}, "reps", "reps must be a whole number from 1 to 100,000; got '10'."),
    ({"seed": -1}, "seed", "seed must be a whole number from 0 to 4,294,967,295; got -1."),
    ({"seed": 2**32}, "seed", "seed must be a whole number from 0 to 4,294,967,295; got 4294967296."),
    ({"sample_sizes": [1]}, "sample_sizes", "sample_sizes[0] must be a whole number from 2 to 1,000,000; got 1."),
    ({"sample_sizes": [20, 10.5]}, "sample_sizes", "sample_sizes[1] must be a whole number from 2 to 1,000,000; got 10.5."),
    ({"sample_sizes": [math.nan]}, "sample_sizes", "sample_sizes[0] must be a whole number from 2 to 1,000,000; got nan."),
    ({"sample_sizes": "100"}, "sample_sizes", "sample_sizes must be a list of whole numbers; got '100'."),
    ({"sample_sizes": []}, "sample_sizes", "sample_sizes must list 1 to 60 sizes; got 0."),
    ({"sample_sizes": list(range(2, 100))}, "sample_sizes", "sample_sizes must list 1 to 60 sizes; got 98."),
    ({"n_covariates": 1}, "n_covariates", "n_covariates must be a whole number from 2 to 2,000; got 1."),
    ({"n_relevant": 14}, "n_relevant", "n_relevant must be a whole number from 1 to 13; got 14."),
    ({"noise_sd": 0}, "noise_sd", "noise_sd must be greater than 0; got 0."),
    ({"method": "exact"}, "method", "method must be one of 'reduced', 'direct'; got 'exact'."),
    ({"method": "direct", "sample_sizes": [30_000]}, "sample_sizes",
     ("method 'direct' holds max(sample_sizes) x n_covariates numbers, at most 20,000,000; got 30,000 x 1,000. "
     "Use method 'reduced'.")),
])
def test_bad_input_is_refused_with_the_standard_message(options, field, message):
    with pytest.raises(InputError) as info:
        simulate(**options)
    assert info.value.field == field
    assert str(info.value) == message


def test_without_scikit_learn_it_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)
    with pytest.raises(InputError) as info:
        simulate(reps=1, sample_sizes=[20], **SMALL)
    assert info.value.field == "simulate"
    assert str(info.value) == "the simulation needs scikit-learn: pip install scikit-learn"


def test_the_png_is_written(figure1, tmp_path):
    path = plot_simulation(figure1, tmp_path / "figure1.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000


def test_the_plot_refuses_a_folder_and_a_foreign_dict(figure1, tmp_path):
    with pytest.raises(InputError) as info:
        plot_simulation(figure1, tmp_path)
    assert info.value.field == "plot"
    with pytest.raises(InputError) as info:
        plot_simulation({"models": []}, tmp_path / "x.png")
    assert info.value.field == "result"


def test_small_problems_and_single_simulations_stay_finite():
    result = simulate(reps=1, seed=3, sample_sizes=np.array([2, 16, 40]), n_covariates=14, n_relevant=3)
    json.dumps(result, allow_nan=False)
    assert all(sem is None for model in result["models"] for sem in model["performance_sem"])
    assert _model(result, "flexible")["performance_mean"][:2] == [None, None]  # n = 2 and 15 <= d + 1 = 15
