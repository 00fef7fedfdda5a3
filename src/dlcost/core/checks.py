"""Input checks shared by every interface, with one wording and one error type.

Each check raises :class:`InputError`, a ``ValueError`` that carries the input it
names (``field``), so no caller ever parses the message text. The message names
the input, states the rule, shows the value received and, where there is a likely
fix, suggests it. The CLI prints it as ``Error: ...`` (exit 2) and the web API
returns it with 422 and its field.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = [
    "InputError",
    "check_fraction",
    "check_positive",
    "check_non_negative",
    "check_whole_count",
    "check_class_counts",
    "check_choice",
    "check_at_most",
    "check_number_input",
    "shown",
]


def _top_field(name: str) -> str:
    """The input a name such as ``pilot_points[2].n_train`` belongs to: ``pilot_points``."""
    return name.split("[", 1)[0].split(".", 1)[0]


class InputError(ValueError):
    """A bad input: one line naming ``field`` (and ``line``, for a file read row by row)."""

    def __init__(self, field: str, message: str, *, line: int | None = None):
        super().__init__(message)
        self.field = _top_field(field)
        self.line = line

    @property
    def message(self) -> str:
        return str(self)


#: Longest text a message repeats whole; longer values are shortened.
_SHOWN_CHARACTERS = 80


def shown(value) -> str:
    """``repr(value)`` for a message: an integer beyond float range by its digits, a long value shortened.

    Python refuses ``repr`` of integers over 4,300 digits (and of structures nested too
    deep), and a message should not repeat a megabyte of input.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1024:
        try:
            return f"an integer of {len(str(abs(value))):,} digits"
        except ValueError:  # over Python's 4,300-digit limit for str(int)
            return "an integer of over 4,300 digits"
    if isinstance(value, str) and len(value) > _SHOWN_CHARACTERS:
        return f"{value[:_SHOWN_CHARACTERS]!r}... ({len(value):,} characters)"
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a huge integer, or a structure nested too deep, inside it
        return f"a {type(value).__name__}"
    return text if len(text) <= _SHOWN_CHARACTERS else f"{text[:_SHOWN_CHARACTERS]}..."


def _as_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(name, f"{name} must be a number; got {shown(value)}.")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float range (over 309 digits)
        number = math.inf
    if math.isnan(number) or math.isinf(number):
        raise InputError(name, f"{name} must be a finite number; got {shown(value)}.")
    return number


def check_number_input(value, name: str):
    """Return ``value`` unless it is a boolean or an integer beyond float range: a check before conversion.

    ``True`` is not the number 1 here, and an integer of hundreds of digits is not a
    finite number. Anything else (a number, or text such as ``"0.63"`` from a URL)
    passes on unchanged to the conversion and the checks of the input.
    """
    if isinstance(value, bool):
        raise InputError(name, f"{name} must be a number; got {value!r}.")
    if isinstance(value, int):
        _as_number(value, name)  # an integer beyond float range is not a finite number
    return value


def check_fraction(value, name: str) -> float:
    """Return ``value`` if it is a fraction strictly between 0 and 1."""
    number = _as_number(value, name)
    if not 0.0 < number < 1.0:
        hint = f" For {number:g}% pass {number / 100:g}." if 5.0 <= number < 100.0 else ""
        raise InputError(name, f"{name} must be a fraction in (0, 1); got {value!r}.{hint}")
    return number


def check_positive(value, name: str) -> float:
    """Return ``value`` if it is a finite number greater than 0."""
    number = _as_number(value, name)
    if number <= 0.0:
        raise InputError(name, f"{name} must be greater than 0; got {value!r}.")
    return number


def check_non_negative(value, name: str) -> float:
    """Return ``value`` if it is a finite number of at least 0."""
    number = _as_number(value, name)
    if number < 0.0:
        raise InputError(name, f"{name} must be 0 or more; got {value!r}.")
    return number


def check_whole_count(value, name: str, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is a whole number of at least ``minimum``."""
    number = _as_number(value, name)
    if number != int(number) or number < minimum:
        raise InputError(name, f"{name} must be a whole number of at least {minimum}; got {value!r}.")
    return int(number)


def check_at_most(value, name: str, maximum: float):
    """Return ``value`` (None passes) if it is at most ``maximum``."""
    if value is not None and value > maximum:
        raise InputError(name, f"{name} must be at most {maximum:g}; got {shown(value)}.")
    return value


def check_class_counts(counts, name: str = "class_counts", maximum: float | None = None) -> list[float]:
    """Return per-class example counts if there are at least 2, each greater than 0 (and at most ``maximum``)."""
    counts = list(counts)
    if len(counts) < 2:
        raise InputError(name, f"{name} must list at least 2 classes; got {len(counts)}.")
    for index, count in enumerate(counts):
        check_at_most(check_positive(count, f"{name}[{index}]"), f"{name}[{index}]", math.inf if maximum is None else maximum)
    return [float(count) for count in counts]


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        accepted = ", ".join(repr(choice) for choice in choices)
        raise InputError(name, f"{name} must be one of {accepted}; got {value!r}.")
    return value
