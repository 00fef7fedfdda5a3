"""The one query-string codec: a scenario in a URL, so that a shared link reproduces it.

Every Scenario field is a query parameter of the same name, in the Scenario's field
order. Lists are written comma-separated (``architectures=ResNet-50,VGG-16``); class
counts (and baseline class counts) either as comma-separated numbers
(``class_counts=50000,1000``) or as JSON for labels
(``class_counts={"Positive":50000,"Negative":1000}``); pilot points as
``pilot_points=1000:0.25,2000:0.19`` (n_train:error pairs); booleans as true/false.
Empty parameters are ignored. :func:`encode_query` and :func:`decode_query` are
inverses: ``Scenario(**decode_query(parse_qsl(encode_query(s))))`` equals ``s``.
:func:`query_parameters` states the same fields as OpenAPI query parameters, for the
downloads in /openapi.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode

from dlcost.core.checks import InputError, shown
from dlcost.iotools.points import format_points_text, parse_points_text
from dlcost.schemas import Scenario

__all__ = ["encode_query", "decode_query", "decode_link", "query_parameters", "query_rules", "FIELDS"]

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


#: One pilot point as links write it (:func:`~dlcost.iotools.points.format_points_text`): n_train, 1 to
#: 10^12 images, then error, 10^-12 to under 1, as Python writes a float (0.25, 1e-05).
_POINT_PATTERN = (r"^([1-9][0-9]{0,11}(\.[0-9]*[1-9])?|1000000000000)"
                  r":(0\.[0-9]*[1-9]|[1-9](\.[0-9]*[1-9])?e-(0[5-9]|1[0-2]))$")


def _wire_schema(name: str, field: dict, required: bool) -> dict:
    """The JSON schema of one field as this codec writes it in a URL (a string on the wire).

    An optional field may also be empty (``name=``, or an empty list): empty parameters are left out.
    """
    branches = [branch for branch in field.get("anyOf", [field]) if branch.get("type") != "null"]  # null: left out
    schema = next((branch for branch in branches if branch.get("type") == "array"), branches[0])  # counts: the list form
    schema = {key: value for key, value in schema.items() if key not in ("title", "description", "default")}
    if name == "pilot_points":  # n_train:error pairs; the object items become the codec's text pairs
        schema["items"] = {"type": "string", "pattern": _POINT_PATTERN}
    if not required and schema.get("type") == "array":  # an empty list: "type" stays on top, for the list's style
        least = schema.pop("minItems", 0)
        if least > 1:
            schema["anyOf"] = [{"minItems": least}, {"maxItems": 0}]
    elif not required:
        schema = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    if field.get("default") is not None:
        schema["default"] = field["default"]
    return schema


def query_parameters() -> list[dict]:
    """The OpenAPI parameters of a scenario in the URL query, in :data:`FIELDS` order.

    Types, bounds and descriptions are the Scenario's JSON schema; lists are written
    comma-separated (``style: form, explode: false``); an optional parameter may be
    empty (left out). The Scenario's rules across fields are :func:`query_rules`.
    """
    document = Scenario.model_json_schema()
    required = set(document.get("required", ()))
    parameters = []
    for name in FIELDS:
        field = document["properties"][name]
        schema = _wire_schema(name, field, name in required)
        description = field.get("description", "")
        if name in _COUNT_FIELDS:
            description += ' Comma-separated numbers, or JSON for labels: {"Positive":50000,"Negative":1000}.'
        elif name == "pilot_points":
            description += " Written n_train:error, comma-separated: 1000:0.25,2000:0.19."
        parameter = {"name": name, "in": "query", "required": name in required, "description": description, "schema": schema}
        if schema.get("type") == "array":
            parameter |= {"style": "form", "explode": False}
        parameters.append(parameter)
    return parameters


def query_rules() -> str:
    """The Scenario's rules across its fields (its JSON schema's ``allOf``), in words."""
    words = []
    for rule in Scenario.model_json_schema().get("allOf", ()):
        if "oneOf" in rule or "anyOf" in rule:
            names = [branch["required"][0] for branch in rule.get("oneOf", rule.get("anyOf"))]
            words.append(f"{'exactly' if 'oneOf' in rule else 'at least'} one of {', '.join(names)}")
        elif "not" in rule:
            names = dict.fromkeys(part["required"][0] for pair in rule["not"]["anyOf"] for part in pair["allOf"])
            words.append(f"at most one of {', '.join(names)}")
    return "Give " + "; ".join(words) + "." if words else ""
