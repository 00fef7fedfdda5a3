"""The shared input checks: one wording everywhere."""

import math

import pytest

from dlcost.core import checks


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: checks.check_fraction(95, "target_accuracy"), "target_accuracy must be a fraction in (0, 1); got 95. For 95% pass 0.95."),
        (lambda: checks.check_fraction(0.0, "target_accuracy"), "target_accuracy must be a fraction in (0, 1); got 0.0."),
        (lambda: checks.check_fraction(math.nan, "x"), "x must be a finite number; got nan."),
        (lambda: checks.check_positive(0, "data_max"), "data_max must be greater than 0; got 0."),
        (lambda: checks.check_positive("a", "epochs"), "epochs must be a number; got 'a'."),
        (lambda: checks.check_positive(True, "epochs"), "epochs must be a number; got True."),
        (lambda: checks.check_non_negative(-1, "data_present"), "data_present must be 0 or more; got -1."),
        (lambda: checks.check_whole_count(2.5, "top", 1), "top must be a whole number of at least 1; got 2.5."),
        (lambda: checks.check_class_counts([1]), "class_counts must list at least 2 classes; got 1."),
        (lambda: checks.check_class_counts([1, 0]), "class_counts[1] must be greater than 0; got 0."),
        (lambda: checks.check_choice("x", "task", ("a", "b")), "task must be one of 'a', 'b'; got 'x'."),
    ],
)
def test_messages(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_good_values_pass_through():
    assert checks.check_fraction(0.5, "x") == 0.5
    assert checks.check_whole_count(3.0, "n", 1) == 3
