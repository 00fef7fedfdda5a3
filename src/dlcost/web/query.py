"""The one query-string codec: a scenario in a URL, so that a shared link reproduces it.

Every Scenario field is a query parameter of the same name, in the Scenario's field
order. Lists are written comma-separated (``architectures=ResNet-50,VGG-16``); class
counts (and baseline class counts) either as comma-separated numbers
(``class_counts=50000,1000``) or as JSON for labels
(``class_counts={"Positive":50000,"Negative":1000}``); pilot points as
``pilot_points=1000:0.25,2000:0.19`` (n_train:error pairs); booleans as true/false.
Empty parameters are ignored. :func:`encode_query` and :func:`decode_query` are
inverses: ``Scenario(**decode_query(parse_qsl(encode_query(s))))`` equals ``s``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

from dlcost.core.checks import InputError, shown
from dlcost.iotools.points import format_points_text, parse_points_text
from dlcost.schemas import Scenario

__all__ = ["encode_query", "decode_query", "decode_link", "FIELDS"]

#: Query parameters, in the order links write them.
FIELDS = tuple(Scenario.model_fields)
_LIST_FIELDS = {"architectures"}
_COUNT_FIELDS = {"class_counts", "baseline_class_counts"}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _encoded(key: str, value) -> str:
    if key in _COUNT_FIELDS and isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if key == "pilot_points" and isinstance(value, list | tuple):
        return format_points_text(value)
    if isinstance(value, list | tuple):
        return ",".join(_text(item) for item in value)
    return _text(value)


def encode_query(values: Mapping | Scenario) -> str:
    """The query string of scenario inputs (a Scenario, its ``model_dump()``, or a request body); None left out."""
    if isinstance(values, Scenario):
        values = values.model_dump(mode="json")
    pairs = [(key, _encoded(key, values[key])) for key in FIELDS if values.get(key) is not None]
    return urlencode([(key, text) for key, text in pairs if text != ""])


def _counts(text: str, name: str):
    text = text.strip()
    if text.startswith("{") or text.startswith("["):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # not JSON, nested too deep, or an integer of over 4,300 digits
            raise InputError(name, f"{name} must be comma-separated numbers or a JSON object of label: count; "
                                   f"got {shown(text)}.") from None
    return [item.strip() for item in text.split(",") if item.strip()]


def decode_query(params: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict:
    """Scenario inputs from query parameters (values stay text; the Scenario converts and checks them)."""
    items = params.items() if isinstance(params, Mapping) else params
    values: dict = {}
    for key, value in items:
        if value is None or str(value).strip() == "":
            continue
        if key in _LIST_FIELDS:
            values[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif key in _COUNT_FIELDS:
            values[key] = _counts(value, key)
        elif key == "pilot_points":
            values[key] = parse_points_text(value, "pilot_points")
        else:
            values[key] = value
    return values


def decode_link(link: str) -> dict:
    """Scenario inputs from an estimator link (``/?...``, a whole URL, or the bare query string)."""
    query = link.split("?", 1)[1] if "?" in link else link
    return decode_query(parse_qsl(query.split("#", 1)[0]))
