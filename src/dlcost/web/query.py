"""A scenario in a URL query string, so that a shared link reproduces it.

Every Scenario field is a query parameter of the same name. Lists are written
comma-separated (``architectures=ResNet-50,VGG-16``); class counts either as
comma-separated numbers (``class_counts=50000,1000``) or as JSON for labels
(``class_counts={"Positive":50000,"Negative":1000}``); pilot points as
``pilot_points=1000:0.25,2000:0.19`` (n_train:error pairs). Empty parameters are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

__all__ = ["scenario_from_query"]

_LIST_FIELDS = {"architectures"}
_COUNT_FIELDS = {"class_counts", "baseline_class_counts"}


def _counts(text: str, name: str):
    text = text.strip()
    if text.startswith("{") or text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{name} must be comma-separated numbers or a JSON object of label: count; got {text!r}.") from None
    return [item.strip() for item in text.split(",") if item.strip()]


def _points(text: str) -> list:
    points = []
    for item in (part.strip() for part in text.split(",") if part.strip()):
        size, sep, error = item.partition(":")
        if not sep:
            raise ValueError(f"pilot_points must be n_train:error pairs such as 1000:0.25,2000:0.19; got {item!r}.")
        points.append([size.strip(), error.strip()])
    return points


def scenario_from_query(params: Mapping[str, str]) -> dict:
    """Scenario inputs from query parameters (values stay strings; the model converts them)."""
    values: dict = {}
    for key, value in params.items():
        if value is None or str(value).strip() == "":
            continue
        if key in _LIST_FIELDS:
            values[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif key in _COUNT_FIELDS:
            values[key] = _counts(value, key)
        elif key == "pilot_points":
            values[key] = _points(value)
        else:
            values[key] = value
    return values
