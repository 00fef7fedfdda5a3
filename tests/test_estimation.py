"""The library API: wiring of Scenario -> Estimate, properties across inputs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import dlcost
from dlcost import ErrorQuery, Scenario

BASE = dict(target_accuracy=0.9, data_max=1e6, cost_per_datapoint=0.5, classes=10)


def test_public_api():
    result = dlcost.estimate(Scenario(**BASE))
    assert result.model == "dlcost-2026" and result.cost_mode == "auto"
    assert dlcost.estimate(Scenario(**BASE, cost_mode="paper")).model == "paper-2024"  # paper mode: the paper's model
    # auto: measured throughput where the catalog has one for the architecture, else flops
    assert {rec.cost_mode for rec in result.recommendations} <= {"measured", "flops"}
    assert [rec.rank for rec in result.recommendations] == [1, 2, 3]
    costs = [rec.total_cost for rec in result.recommendations]
    assert costs == sorted(costs)
    assert result.to_dict()["inputs"]["classes"] == 10


def test_predict_error_api_uses_classes():
    prediction = dlcost.predict_error(ErrorQuery(data=1e4, classes=1000, pretrained=False), model="paper-2024")
    # RC = 1: log10(e) = -0.813 - 0.07 x 4 + 0.609 = -0.484
    assert prediction.error == pytest.approx(10**-0.484)


def test_baseline_can_be_replaced():
    tougher = dlcost.estimate(Scenario(**BASE, baseline_classes=20))
    assert tougher.relative_complexity == pytest.approx(0.7686217, rel=1e-6)  # log 10 / log 20
    counts = dlcost.estimate(Scenario(**BASE, baseline_class_counts=[1] * 20))
    assert counts.relative_complexity == pytest.approx(tougher.relative_complexity)


def test_rc_above_one_warns():
    result = dlcost.estimate(Scenario(**BASE, baseline_classes=5))
    assert any("above 1" in warning for warning in result.warnings)


def test_data_present_beyond_need_costs_no_data():
    result = dlcost.estimate(Scenario(**{**BASE, "target_accuracy": 0.5, "data_max": 2e6}, data_present=1e6))
    assert result.recommendations[0].data_cost == 0 and result.recommendations[0].additional_data == 0


def test_validation_error_names_field():
    with pytest.raises(ValidationError) as info:
        Scenario(**{**BASE, "target_accuracy": 2})
    assert dlcost.schemas.errors.describe_validation_error(info.value) == "target_accuracy must be a fraction in (0, 1); got 2."


accuracies = st.floats(min_value=0.5, max_value=0.995)


@settings(max_examples=60, deadline=None)
@given(accuracies, accuracies, st.booleans(), st.sampled_from(["classification", "segmentation"]))
def test_cost_never_falls_as_target_rises(a1, a2, pretrained, task):
    low, high = sorted((a1, a2))
    common = dict(BASE, pretrained=pretrained, task=task, data_max=1e9, architectures=["ResNet-50" if task == "classification" else "DeepLabV3-ResNet50"])
    cheap = dlcost.estimate(Scenario(**{**common, "target_accuracy": low})).recommendations[0]
    dear = dlcost.estimate(Scenario(**{**common, "target_accuracy": high})).recommendations[0]
    assert dear.total_cost >= cheap.total_cost
    assert dear.training_cost >= cheap.training_cost and dear.data_cost >= cheap.data_cost
