"""Relative complexity (seed 000, "Relative Complexity")."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlcost.core.complexity import class_entropy, relative_complexity, uniform_class_entropy


def test_uniform_entropy_is_log_n():
    assert uniform_class_entropy(1000) == pytest.approx(math.log(1000))


def test_equal_counts_match_uniform():
    assert class_entropy([7, 7, 7, 7]) == pytest.approx(uniform_class_entropy(4))


def test_figure2_class_distribution():
    # p = 50000/51000 and 1000/51000: H = 0.096511 nats; RC = H / log(1000) = 0.013971
    rc = relative_complexity(class_entropy([50_000, 1_000]), uniform_class_entropy(1000))
    assert rc == pytest.approx(0.0139712, rel=1e-5)


def test_rc_of_imagenet_itself_is_one():
    assert relative_complexity(uniform_class_entropy(1000), uniform_class_entropy(1000)) == 1.0


@given(st.lists(st.floats(min_value=1.0, max_value=1e6), min_size=2, max_size=1000))
def test_rc_in_unit_interval_for_targets_no_harder_than_baseline(counts):
    rc = relative_complexity(class_entropy(counts), uniform_class_entropy(1000))
    assert 0.0 <= rc <= 1.0 + 1e-12


@given(st.integers(min_value=2, max_value=1000))
def test_rc_of_fewer_uniform_classes_in_unit_interval(n_classes):
    assert 0.0 < relative_complexity(uniform_class_entropy(n_classes), uniform_class_entropy(1000)) <= 1.0


@pytest.mark.parametrize("counts", [[5], [], [3, 0], [3, -1]])
def test_bad_counts(counts):
    with pytest.raises(ValueError, match="class_counts"):
        class_entropy(counts)


def test_one_class_rejected():
    with pytest.raises(ValueError, match=r"classes must be a whole number of at least 2; got 1\."):
        uniform_class_entropy(1)
