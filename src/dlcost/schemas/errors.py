"""Bad input as located problems: one function for every interface.

:func:`input_problems` turns a pydantic ``ValidationError`` or an
:class:`~dlcost.core.checks.InputError` into ``[{"loc", "field", "msg", "type"}]``:
the CLI prints the first ``msg``, the web API answers 422 with the list. The field
comes from the error's location or from the ``InputError`` itself, never from
parsing a message.
"""

from __future__ import annotations

from pydantic import ValidationError

from dlcost.core.checks import InputError, shown

__all__ = ["InputError", "describe_error", "ordered_problems", "describe_validation_error", "input_problems", "first_message"]

_TYPE_WORDS = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "string_type": "a string",
}


def describe_error(problem: dict) -> str:
    """One line for one entry of ``ValidationError.errors()``, naming the field."""
    location = [part for part in problem["loc"] if part not in ("body", "query")]
    field = (str(location[0]) if location else "input") + "".join(
        f"[{part}]" for part in location[1:] if isinstance(part, int)
    )
    kind = problem["type"]
    if kind == "json_invalid":
        return f"request body must be valid JSON ({problem.get('ctx', {}).get('error', problem['msg'])})."
    if kind == "value_error":
        return str(problem["ctx"]["error"])
    if kind == "missing":
        return f"{field} is required."
    if kind == "extra_forbidden":
        return f"{field} is not an input this command knows; check its spelling."
    if kind == "literal_error":
        return f"{field} must be one of {problem['ctx']['expected']}; got {shown(problem['input'])}."
    if kind in _TYPE_WORDS:
        return f"{field} must be {_TYPE_WORDS[kind]}; got {shown(problem['input'])}."
    return f"{field}: {problem['msg']}; got {shown(problem.get('input'))}."


def ordered_problems(problems: list[dict]) -> list[dict]:
    """Problems with unknown keys first and missing ones last: a misspelt key explains a missing one."""
    return sorted(problems, key=lambda p: {"extra_forbidden": 0, "missing": 2}.get(p["type"], 1))


def describe_validation_error(error: ValidationError) -> str:
    """One line for the first problem in a pydantic ``ValidationError``, naming the field."""
    return describe_error(ordered_problems(error.errors(include_url=False))[0])


def _located(problem: dict, prefix: list) -> dict:
    location = [part for part in problem["loc"] if part not in ("body", "query", "path")]
    named = [part for part in location if isinstance(part, str)]
    cause = (problem.get("ctx") or {}).get("error")
    field = named[0] if named else getattr(cause, "field", None) or "body"
    if not named and field != "body":
        location = [field]  # a cross-field rule: point at the field its InputError names
    return {"loc": [*prefix, *location], "field": field, "msg": describe_error(problem), "type": problem["type"]}


def input_problems(error: Exception, prefix: tuple = ("body",)) -> list[dict]:
    """Located problems of a bad input: a ``ValidationError`` (every entry) or an ``InputError``.

    ``prefix`` is where the input sits in a request (``("body",)``, ``("body", "scenario")``).
    """
    if isinstance(error, ValidationError) or hasattr(error, "errors"):
        return [_located(p, list(prefix)) for p in ordered_problems(list(error.errors()))]
    field = getattr(error, "field", None) or "body"
    line = getattr(error, "line", None)
    loc = [*prefix, *([line] if line else []), *([field] if field != "body" else [])]
    problem = {"loc": loc or ["body"], "field": field, "msg": str(error), "type": "value_error"}
    if line:
        problem["line"] = line
    return [problem]


def first_message(error: Exception) -> str:
    """The one line the CLI prints for a bad input."""
    if isinstance(error, ValidationError):
        return describe_validation_error(error)
    return str(error)

