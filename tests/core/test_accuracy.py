"""Eq. (1) of seed 000 and its inverse: exact numbers and properties."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dlcost import catalog
from dlcost.core.accuracy import images_needed, predicted_error

COEF = catalog.error_coefficients("paper-2024")

data_sizes = st.floats(min_value=10.0, max_value=1e9)
complexities = st.floats(min_value=0.0, max_value=1.0)
flags = st.booleans()


def test_eq1_by_hand():
    # log10(e) = -0.813 - 0.070*5 - 0.053*5 + 0.609*0.5 + 0.622*1 = -0.5015 at 1e5 images.
    error = predicted_error(1e5, 0.5, True, True, COEF)
    assert math.isclose(float(error), 10**-0.5015, rel_tol=1e-12)


def test_from_scratch_slope_is_log_data_only():
    ratio = predicted_error(1e5, 0.2, False, False, COEF) / predicted_error(1e4, 0.2, False, False, COEF)
    assert math.isclose(float(ratio), 10**-0.070, rel_tol=1e-12)


def test_vectorised():
    errors = predicted_error(np.array([1e3, 1e4, 1e5]), 0.1, True, False, COEF)
    assert errors.shape == (3,) and np.all(np.diff(errors) < 0)


@given(data_sizes, data_sizes, complexities, flags, flags)
def test_error_falls_as_data_grows(n1, n2, rc, pretrained, segmentation):
    low, high = sorted((n1, n2))
    assert predicted_error(high, rc, pretrained, segmentation, COEF) <= predicted_error(low, rc, pretrained, segmentation, COEF)


@given(data_sizes, complexities, flags, flags)
def test_images_needed_inverts_eq1(n_images, rc, pretrained, segmentation):
    error = predicted_error(n_images, rc, pretrained, segmentation, COEF)
    assert math.isclose(float(images_needed(error, rc, pretrained, segmentation, COEF)), n_images, rel_tol=1e-9)


@given(st.floats(min_value=0.001, max_value=0.999), complexities, flags, flags)
def test_eq1_round_trips_from_error(error, rc, pretrained, segmentation):
    n_images = images_needed(error, rc, pretrained, segmentation, COEF)
    assert math.isclose(float(predicted_error(n_images, rc, pretrained, segmentation, COEF)), error, rel_tol=1e-9)


@given(st.floats(0.01, 0.98), st.floats(0.01, 0.98), complexities, flags)
def test_stricter_target_needs_more_data(e1, e2, rc, pretrained):
    strict, loose = sorted((e1, e2))
    assert images_needed(strict, rc, pretrained, False, COEF) >= images_needed(loose, rc, pretrained, False, COEF)
