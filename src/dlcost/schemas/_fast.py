"""A fast acceptance check of a table, compiled from a schema's own JSON Schema.

Bulk imports validate hundreds of thousands of rows; the pydantic model with its
Python validators takes about 40 us a row. :func:`columns_check` reads the bounds the
model states in its JSON Schema (the ones its validators enforce and ``/openapi.json``
publishes) and checks a whole column at once (numbers with numpy, text with C-level
``map``). For a table plainly inside those bounds it gives the records the model would
give (``model_validate(record).model_dump()`` of every row); for anything else it gives
None and the caller runs the model row by row, which accepts or names the field. So it
never rejects: it only skips work for tables that are plainly valid.
tests/test_fast_check.py checks, on generated tables, that whatever it accepts the model
accepts with the same records.

Understood: ``type`` (string, number, integer, boolean, array, null), ``anyOf`` of one
such branch and null, ``enum``, ``minimum``/``maximum`` (exclusive too), ``maxLength``,
``pattern`` and ``not: {pattern}``, ``items``/``minItems``/``maxItems`` for arrays of
numbers, ``required``, ``additionalProperties: false``, and model rules of the form
``allOf: [{anyOf: [{required: [a]}, {required: [b]}]}]`` (at least one given). A schema
using anything else makes :func:`columns_check` raise, so a new rule cannot be skipped
silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

__all__ = ["columns_check"]

_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_KNOWN = {"type", "anyOf", "enum", "maxLength", "pattern", "not", "items", "minItems", "maxItems", "title", "description",
          "default", "examples", *_NUMBER_KEYS}
#: Integers beyond this are left to the model (its overflow check names them).
_LARGEST_EXACT = 2**53


def _inside(rule: dict, numbers: np.ndarray) -> bool:
    """Whether every number is finite and within the rule's bounds."""
    low, high = rule.get("minimum", -math.inf), rule.get("maximum", math.inf)
    above, below = rule.get("exclusiveMinimum", -math.inf), rule.get("exclusiveMaximum", math.inf)
    return bool(np.all(np.isfinite(numbers) & (numbers >= low) & (numbers <= high) & (numbers > above) & (numbers < below)))


def _numbers(rule: dict, integer: bool) -> Callable:
    def check(values: list, present: list):
        kinds = set(map(type, present))
        if not kinds <= {float, int} or (int in kinds and not all(abs(v) <= _LARGEST_EXACT for v in present if type(v) is int)):
            return None  # booleans, text, integers beyond float precision: the model decides
        numbers = np.array(present, dtype=float)
        if not _inside(rule, numbers) or (integer and not np.all(numbers == np.floor(numbers))):
            return None
        if not integer and int not in kinds:
            return values
        converted = iter(numbers.astype(np.int64).tolist() if integer else numbers.tolist())
        return [None if value is None else next(converted) for value in values]

    return check


def _texts(rule: dict) -> Callable:
    longest = rule.get("maxLength", math.inf)
    must = re.compile(rule["pattern"]).search if "pattern" in rule else None
    excluded = rule.get("not", {})
    if set(excluded) - {"pattern"}:
        raise ValueError(f"columns_check does not understand 'not' of {sorted(excluded)}")
    never = re.compile(excluded["pattern"]).search if excluded else None
    choices = set(rule["enum"]) if "enum" in rule else None

    def check(values: list, present: list):
        if not set(map(type, present)) <= {str} or (present and max(map(len, present)) > longest):
            return None
        if choices is not None and not set(present) <= choices:
            return None
        if (must is not None and not all(map(must, present))) or (never is not None and any(map(never, present))):
            return None
        return values

    return check


def _arrays(rule: dict) -> Callable:
    items = rule.get("items", {})
    if items.get("type") != "number" or set(items) - {"type", *_NUMBER_KEYS}:
        raise ValueError(f"columns_check understands arrays of numbers only, not {items}")
    fewest, most = rule.get("minItems", 0), rule.get("maxItems", math.inf)

    def check(values: list, present: list):
        if not set(map(type, present)) <= {list} or any(not fewest <= len(value) <= most for value in present):
            return None
        flat = [number for value in present for number in value]
        if not set(map(type, flat)) <= {float} or not _inside(items, np.array(flat, dtype=float)):
            return None
        return values

    return check


def _column(rule: dict) -> tuple[Callable, bool]:
    """The column check of a field's rule, and whether the rule allows null."""
    unknown = set(rule) - _KNOWN
    if unknown:
        raise ValueError(f"columns_check does not understand {sorted(unknown)}")
    if "anyOf" in rule:
        branches = [branch for branch in rule["anyOf"] if branch.get("type") != "null"]
        if len(branches) != 1 or len(rule["anyOf"]) != 2:
            raise ValueError(f"columns_check understands anyOf of one type and null only, not {rule['anyOf']}")
        return _column(branches[0])[0], True
    kind = rule.get("type")
    if kind in ("number", "integer"):
        return _numbers(rule, integer=kind == "integer"), False
    if kind == "string":
        return _texts(rule), False
    if kind == "boolean":
        return (lambda values, present: values if set(map(type, present)) <= {bool} else None), False
    if kind == "array":
        return _arrays(rule), False
    raise ValueError(f"columns_check does not understand type {kind!r}")


def _at_least_one(schema: dict) -> list[tuple[str, ...]]:
    groups = []
    for rule in schema.get("allOf", []):
        options = rule.get("anyOf")
        if set(rule) != {"anyOf"} or any(set(option) - {"properties", "required"} for option in options):
            raise ValueError(f"columns_check does not understand the model rule {rule}")
        groups.append(tuple(name for option in options for name in option["required"]))
    return groups


def columns_check(schema: dict, defaults: dict) -> Callable[[dict, int], list[dict] | None]:
    """A check of a table against ``schema`` (a model's JSON Schema): ``check(columns, count)``.

    ``columns`` maps field names to lists of ``count`` values, None where a row gives no
    value (the field's default then, as for a record without the key; ``defaults`` holds
    them). Returns every row's record as the model would dump it, or None when the model
    must decide (a value outside what the schema states, a missing required value, an
    unknown column).
    """
    if schema.get("additionalProperties", True) is not False:
        raise ValueError("columns_check needs a schema that refuses unknown keys")
    if any(isinstance(value, list | dict) for value in defaults.values()):
        raise ValueError("columns_check does not copy mutable defaults")
    required, groups = set(schema.get("required", ())), _at_least_one(schema)
    fields = {name: _column(rule) for name, rule in schema["properties"].items()}

    def check(columns: dict, count: int) -> list[dict] | None:
        if not columns.keys() <= fields.keys() or any(len(values) != count for values in columns.values()):
            return None
        table = {}
        for name, (column, nullable) in fields.items():
            values = list(columns.get(name) or [None] * count)
            present = [value for value in values if value is not None]
            if len(present) < count:
                if name in required:
                    return None
                default = defaults[name]
                if default is None and not nullable:
                    return None
                if default is not None:
                    values = [default if value is None else value for value in values]
            checked = column(values, present)
            if checked is None:
                return None
            table[name] = checked
        for group in groups:
            missing = [{i for i, value in enumerate(table[name]) if value is None} for name in group]
            if set.intersection(*missing):
                return None
        return [dict(zip(table, row)) for row in zip(*table.values())] if count else []

    return check
