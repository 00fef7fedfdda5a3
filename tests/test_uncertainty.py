"""Intervals wired through estimates: monotone relations, levels, methods, the pilot."""

import math

import pytest

import dlcost
from dlcost import catalog
from dlcost.catalog.hardware import load_hardware
from dlcost.engine.refit import example_observations, fit_error_model
from dlcost.engine.uncertainty import calibrate, data_needed_bounds, error_bounds

BASE = dict(target_accuracy=0.9, data_max=1e6, cost_per_datapoint=0.5, classes=10, cost_mode="paper")
HARDWARE = load_hardware()


def test_bounds_bracket_the_central_values():
    result = dlcost.estimate(dlcost.Scenario(**BASE), hardware=HARDWARE)
    assert result.predicted_error_low <= result.predicted_error <= result.predicted_error_high
    for rec in result.recommendations:
        assert rec.data_needed_low <= rec.data_needed <= rec.data_needed_high
        assert rec.total_cost_low <= rec.total_cost <= rec.total_cost_high
    assert result.interval["level"] == 0.8 and result.interval["method"] == "conformal"


def test_wider_level_gives_wider_interval():
    narrow = dlcost.estimate(dlcost.Scenario(**BASE, interval_level=0.5), hardware=HARDWARE).recommendations[0]
    wide = dlcost.estimate(dlcost.Scenario(**BASE, interval_level=0.9), hardware=HARDWARE).recommendations[0]
    assert wide.data_needed_low <= narrow.data_needed_low and wide.data_needed_high >= narrow.data_needed_high


def test_data_bounds_follow_from_the_error_bounds():
    # n(r) = images_needed(target x 10^-r): at the data bounds, the model's error scaled by
    # the interval's offsets is the target again.
    model = catalog.error_model()
    calibration = calibrate(model, example_observations(), 0.8)
    target, rc = 0.05, 0.3
    low_n, high_n = data_needed_bounds(calibration, target, rc, True, False, 1e5)
    from dlcost.core.accuracy import predicted_error

    assert predicted_error(high_n, rc, True, False, model.coefficients) * 10**calibration.high_log10 == pytest.approx(target)
    assert predicted_error(low_n, rc, True, False, model.coefficients) * 10**calibration.low_log10 == pytest.approx(target)


def test_ols_interval_for_a_fitted_model():
    fitted = fit_error_model(example_observations(), "refit").model
    scenario = dlcost.Scenario(**BASE, interval_method="ols")
    result = dlcost.estimate(scenario, model=fitted, hardware=HARDWARE)
    assert result.interval["method"] == "ols"
    assert result.predicted_error_low < result.predicted_error < result.predicted_error_high
    calibration = calibrate(fitted, [], 0.8, "ols")
    low, high = error_bounds(calibration, 1e4, 0.3, True, False)
    assert low < high


def test_ols_interval_needs_a_fitted_model():
    with pytest.raises(ValueError, match="interval_method 'ols' needs a fitted model"):
        dlcost.estimate(dlcost.Scenario(**BASE, interval_method="ols"), hardware=HARDWARE)


def test_predict_error_has_bounds():
    prediction = dlcost.predict_error(dlcost.ErrorQuery(data=3000, relative_complexity=0.403))
    assert prediction.error_low < prediction.error < prediction.error_high <= 1.0


def test_pilot_points_size_the_data():
    points = [[144, 0.0752], [288, 0.0418], [575, 0.0223]]
    scenario = dlcost.Scenario(target_accuracy=0.98, data_max=1438, data_present=575, cost_per_datapoint=0.5,
                               classes=10, pilot_points=points, cost_mode="paper", architectures=["ResNet-18"])
    result = dlcost.estimate(scenario, hardware=HARDWARE)
    rec = result.recommendations[0]
    assert result.data_need_source == "pilot: power law" and result.pilot["family"] == "power_law"
    assert rec.data_needed == pytest.approx(656, rel=0.05)
    assert rec.data_needed_low <= rec.data_needed <= rec.data_needed_high
    assert result.pilot["next_round_size"] > 0


def test_pilot_below_its_floor_is_unreachable():
    # A curve that has levelled off at ~5% error: 99% accuracy is out of reach at any size.
    points = [[1000, 0.20], [2000, 0.12], [4000, 0.08], [8000, 0.062], [16000, 0.055], [32000, 0.052]]
    scenario = dlcost.Scenario(target_accuracy=0.99, data_max=1e6, cost_per_datapoint=0.5, classes=10,
                               pilot_points=points, cost_mode="paper", architectures=["ResNet-18"])
    result = dlcost.estimate(scenario, hardware=HARDWARE)
    assert not result.pilot["reachable"] and result.pilot["floor"] == pytest.approx(0.05, abs=0.01)
    assert result.data_needed is None and not result.target_reachable
    assert any("not reachable" in w for w in result.warnings)
    assert not math.isnan(result.recommendations[0].max_achievable_accuracy)


def test_charts_follow_the_pilot_curve():
    from dlcost.reports.charts import chart_series

    points = [[144, 0.0752], [288, 0.0418], [575, 0.0223]]
    common = dict(target_accuracy=0.98, data_max=1438, data_present=575, cost_per_datapoint=0.5, classes=10,
                  cost_mode="paper", architectures=["ResNet-18"])
    with_pilot = chart_series(dlcost.estimate(dlcost.Scenario(**common, pilot_points=points), hardware=HARDWARE))
    without = chart_series(dlcost.estimate(dlcost.Scenario(**common), hardware=HARDWARE))
    # The pilot learns far faster than eq. (1): at 1,438 images it reaches ~99% where eq. (1) says ~85%.
    assert with_pilot["cost_vs_accuracy"]["data_limit_accuracy"] == pytest.approx(0.99, abs=0.005)
    assert without["cost_vs_accuracy"]["data_limit_accuracy"] < 0.9
    assert with_pilot["pilot"]["family"] == "power law" and len(with_pilot["pilot"]["points"]) == 3
    costs = with_pilot["cost_vs_accuracy"]["series"][0]["total_cost"]
    assert all(b >= a - 1e-9 for a, b in zip(costs, costs[1:]))  # never falls as the target rises


def test_scenario_and_pilot_share_tau():
    DEFAULT_TAU = catalog.defaults()["tau"]
    from dlcost.schemas import LearningCurveQuery

    assert dlcost.Scenario.model_fields["tau"].default == LearningCurveQuery.model_fields["tau"].default == DEFAULT_TAU
    with pytest.raises(ValueError, match=r"tau must be a fraction of accuracy in \[0, 1\); got 2"):
        dlcost.Scenario(**BASE, tau=2)
