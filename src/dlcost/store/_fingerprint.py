"""A content fingerprint of an observation, so importing the same rows twice adds nothing."""

from __future__ import annotations

import hashlib
from json.encoder import encode_basestring

__all__ = ["FINGERPRINT_FIELDS", "observation_fingerprint", "observation_fingerprints"]

#: Every field of an observation: two rows with equal values here are the same observation.
FINGERPRINT_FIELDS = ("dataset", "task", "n_train", "n_classes", "class_counts", "relative_complexity", "pretrained",
                      "architecture", "epochs", "metric_name", "metric_value", "gpu_hours", "cost_usd", "source",
                      "observed_on", "notes")

_SORTED = tuple(sorted(FINGERPRINT_FIELDS))
_EMPTY_AS_TEXT = ("source", "notes")  # None and "" are the same there
_TEMPLATE = "{{" + ", ".join(f'"{field}": {{}}' for field in _SORTED) + "}}"


def _json(value) -> str:
    """``json.dumps`` (``ensure_ascii=False``) of the canonical value: numbers as the text of a float."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int | float):
        return '"' + repr(float(value)) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(_json, value)) + "]"
    return encode_basestring(str(value))


def _blank(value) -> bool:
    """Whether the canonical value is falsy (then source and notes hash as "")."""
    if value is None or isinstance(value, bool | str):
        return not value
    if isinstance(value, int | float):
        return False
    if isinstance(value, list | tuple):
        return not value
    return not str(value)


def observation_fingerprint(record: dict) -> str:
    """SHA-256 of the observation's fields, numbers written as floats (1 and 1.0 are equal).

    The text hashed is ``json.dumps(fields, sort_keys=True, ensure_ascii=False)`` of the
    fields with every number as ``repr(float(number))``, written out directly (this runs
    once per imported row); tests/store checks it against that definition.
    """
    return hashlib.sha256(_TEMPLATE.format(*(_piece(field, record.get(field)) for field in _SORTED)).encode()).hexdigest()


def _piece(field: str, value) -> str:
    if field in _EMPTY_AS_TEXT and _blank(value):
        return '""'
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is float:
        return f'"{value!r}"'
    return _json(value)


def observation_fingerprints(records: list[dict]) -> list[str]:
    """:func:`observation_fingerprint` of every record, field by field (about twice as fast for a chunk)."""
    columns = []
    for field in _SORTED:
        values = [record.get(field) for record in records]
        kinds = set(map(type, values)) - {type(None)}
        if field in _EMPTY_AS_TEXT and kinds <= {str}:
            columns.append([encode_basestring(value) if value else '""' for value in values])
        elif field in _EMPTY_AS_TEXT or not kinds <= {float, int, str, bool}:
            columns.append([_piece(field, value) for value in values])
        elif kinds == {bool}:
            columns.append(["null" if value is None else ("true" if value else "false") for value in values])
        elif kinds <= {float}:
            columns.append(["null" if value is None else f'"{value!r}"' for value in values])
        elif kinds <= {int}:
            columns.append(["null" if value is None else f'"{float(value)!r}"' for value in values])
        elif kinds <= {str}:
            columns.append(["null" if value is None else encode_basestring(value) for value in values])
        else:
            columns.append([_piece(field, value) for value in values])
    template, sha256 = _TEMPLATE.format, hashlib.sha256
    return [sha256(template(*pieces).encode()).hexdigest() for pieces in zip(*columns)]
