"""dlcost.core.bounded_error: the chance bound, the inverse, and the predictive sd."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcost import catalog
from dlcost.core import bounded_error as be

MODEL = catalog.error_model("dlcost-2026").bounded


@settings(max_examples=300, deadline=None)
@given(n=st.floats(1, 1e12), rc=st.floats(0, 20), pretrained=st.booleans(), task=st.sampled_from(["classification", "segmentation", "detection"]),
       top1=st.one_of(st.none(), st.floats(0.3, 0.95)), entropy=st.floats(0.01, 12), kind=st.sampled_from(be.PRETRAINING_KINDS),
       q=st.floats(0, 4))
def test_never_worse_than_chance(n, rc, pretrained, task, top1, entropy, kind, q):
    chance = be.chance_error(task, entropy)
    x = be.regressors(n, rc, pretrained, task, top1, kind)
    error = float(be.predicted_error(MODEL, x, chance))
    low, high = be.error_interval(MODEL, x, chance, q)
    assert 0 < error < chance or (error == chance and chance == 1e-6)
    assert 0 < low <= error + 1e-15 and error - 1e-15 <= high <= chance


def test_chance_is_a_guess():
    assert be.chance_error("classification", math.log(5)) == pytest.approx(0.8)
    assert be.chance_error("classification", math.log(1000)) == pytest.approx(0.999)
    assert be.chance_error("segmentation", 3.0) == 1.0 and be.chance_error("detection", None) == 1.0


def test_one_image_per_class_of_1000_classes_saturates_above_eq1():
    # the issue: eq. (1) predicts 27% error for 1,000 images of a 1,000-class task (pretrained)
    chance = be.chance_error("classification", math.log(1000))
    error = float(be.predicted_error(MODEL, be.regressors(1000, 1.0, True, "classification", None), chance))
    assert error > 0.35  # 42% with the shipped fit, above eq. (1)'s 27%


@pytest.mark.parametrize("target", [0.3, 0.1, 0.02, 0.005])
@pytest.mark.parametrize("pretrained", [True, False])
def test_images_needed_inverts_the_prediction(target, pretrained):
    chance = be.chance_error("classification", math.log(10))
    centre = be.regressors(1000, 0.33, pretrained, "classification", 0.8)
    n = be.images_needed(MODEL, centre, chance, target)
    assert 1 < n < math.inf
    x = be.regressors(n, 0.33, pretrained, "classification", 0.8)
    assert float(be.predicted_error(MODEL, x, chance)) == pytest.approx(target, rel=1e-9)


def test_targets_at_chance_need_one_image_and_a_flat_model_none():
    chance = be.chance_error("classification", math.log(2))
    centre = be.regressors(1000, 0.1, True, "classification", None)
    assert be.images_needed(MODEL, centre, chance, 0.6) == 1.0
    flat = be.BoundedModel(tuple([0.0] * len(be.REGRESSORS)), MODEL.covariance, MODEL.random_covariance, MODEL.residual_variance)
    assert be.images_needed(flat, centre, chance, 0.1) == math.inf
    assert be.images_needed(flat, centre, chance, 0.3) == 1.0  # z = 0: error = chance / 2 = 0.25, already below 0.3


def test_a_better_backbone_needs_less_data():
    chance = be.chance_error("classification", math.log(5))
    needed = [be.images_needed(MODEL, be.regressors(1000, 0.23, True, "classification", top1), chance, 0.02) for top1 in (0.57, 0.76, 0.84)]
    assert needed[0] > needed[1] > needed[2]


def test_the_sd_holds_every_variance_part():
    x = be.regressors(10_000, 0.3, True, "classification", None)
    sd = float(be.z_sd(MODEL, x))
    g = np.asarray(MODEL.random_covariance)
    u = np.array([1.0, 1.0])
    assert sd**2 == pytest.approx(x @ np.asarray(MODEL.covariance) @ x + u @ g @ u + MODEL.residual_variance)
    assert sd > math.sqrt(MODEL.residual_variance)
