"""The bulk import's fast table check never accepts what the Observation model rejects.

``dlcost.schemas.observation.validated_columns`` reads the bounds from the model's JSON
Schema and checks whole columns; when it accepts a table, every record must equal what
``Observation.model_validate(record).model_dump()`` gives, and when the model rejects
any row the fast check must not accept the table. Tables are generated around every
bound the schema states (inside, at and beyond the ends), with missing values, odd types
and text the model refuses.
"""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dlcost import catalog
from dlcost.iotools.observations_csv import parse_observation_records
from dlcost.schemas import _fast
from dlcost.schemas.observation import Observation, validated_columns

SCHEMA = Observation.model_json_schema()["properties"]


def _rule(name: str) -> dict:
    rule = SCHEMA[name]
    return next((b for b in rule.get("anyOf", [rule]) if b.get("type") != "null"), rule)


def _numbers(rule: dict):
    ends = [rule[key] for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if key in rule]
    near = [float(e) + d for e in ends for d in (-1.0, -1e-9, 0.0, 1e-9, 1.0)]
    low, high = min(ends, default=-1e6), max(ends, default=1e6)
    return st.one_of(st.floats(low, high, allow_nan=False), st.sampled_from(near + [math.nan, math.inf, -math.inf, 0.5, 2.0]),
                     st.integers(-3, 10), st.booleans(), st.text(max_size=3))


def _texts(rule: dict):
    longest = rule.get("maxLength", 50)
    odd = ["", " ", "\x00", "a\x00b", "x" * longest, "x" * (longest + 1), "\t"]
    choices = rule.get("enum")
    base = st.sampled_from(choices) if choices else st.text(max_size=8)
    return st.one_of(base, st.sampled_from(odd + (["classification", "Segmentation"] if choices else [])), st.floats(0, 1))


def _value(name: str):
    rule = _rule(name)
    kind = rule.get("type")
    if kind in ("number", "integer"):
        values = _numbers(rule)
    elif kind == "string":
        values = _texts(rule)
    elif kind == "boolean":
        values = st.one_of(st.booleans(), st.sampled_from([0, 1, "yes"]))
    else:  # class counts
        values = st.one_of(st.lists(st.floats(0.5, 1e6), min_size=2, max_size=4),
                           st.lists(_numbers(rule["items"]), min_size=0, max_size=3), st.just("1;2"))
    return st.one_of(st.none(), values)


ROW = st.fixed_dictionaries({name: _value(name) for name in SCHEMA})


def _model(record: dict):
    try:
        return Observation.model_validate({k: v for k, v in record.items() if v is not None}).model_dump()
    except (ValidationError, ValueError, OverflowError):
        return None


@given(st.lists(ROW, min_size=1, max_size=4))
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
def test_whatever_the_fast_check_accepts_the_model_accepts_alike(rows):
    columns = {name: [row[name] for row in rows] for name in SCHEMA}
    fast = validated_columns(columns, len(rows))
    slow = [_model(row) for row in rows]
    if fast is not None:
        assert None not in slow, "the fast check accepted a row the model rejects"
        assert fast == slow


def test_plainly_valid_tables_take_the_fast_path():
    """The shipped examples and a generated bulk file are read by columns (else the fast path is dead code)."""
    text = catalog.shipped_observations_csv()
    records = parse_observation_records(text)
    assert len(records) == 36
    assert validated_columns({k: [r[k] for r in records] for k in records[0]}, len(records)) == records


def test_the_public_corpus_and_its_detection_rows_take_the_fast_path():
    """Issue 10: task "detection" flows from the model's enum into the column check."""
    records = parse_observation_records(catalog.public_corpus_csv())
    assert len(records) == 615 and {r["task"] for r in records} == {"classification", "segmentation", "detection"}
    assert validated_columns({k: [r[k] for r in records] for k in records[0]}, len(records)) == records
    row = {k: [v] for k, v in records[0].items()}
    assert validated_columns({**row, "task": ["detection"]}, 1)[0]["task"] == "detection"
    assert validated_columns({**row, "task": ["Detection"]}, 1) is None


def test_a_schema_rule_it_does_not_know_is_refused_not_skipped():
    with pytest.raises(ValueError, match="does not understand"):
        _fast.columns_check({"additionalProperties": False, "properties": {"x": {"type": "number", "multipleOf": 2}}}, {})
    with pytest.raises(ValueError, match="unknown keys"):
        _fast.columns_check({"properties": {}}, {})
