"""What the store's routes share: opening the store, 404 for unknown names, filters, names to compare."""

from __future__ import annotations

from fastapi import HTTPException, Request

from dlcost.core.checks import InputError
from dlcost.core.checks import shown as checks_shown
from dlcost.schemas import Observation
from dlcost.store import Store
from dlcost.web.errors import input_error, problem

__all__ = ["open_store", "scenario_row", "error_model", "observation_filters", "filtered", "compare_names",
           "FILTERABLE", "MAX_COMPARE", "detail_message"]

#: Most scenarios one comparison shows.
MAX_COMPARE = 20
FILTERABLE = sorted(field for field in Observation.model_fields if field != "class_counts")


def open_store(request: Request) -> Store:
    """The app's store (created on first use); 503 when the database cannot be opened."""
    try:
        return request.app.state.workspace.require_store()
    except InputError as error:  # Store() names the database and why it cannot be opened
        raise problem(503, "database", str(error), []) from None


def scenario_row(request: Request, name: str):
    try:
        return open_store(request).scenario(name)
    except InputError as error:
        raise problem(404, "name", str(error), ["path", "name"]) from None


def error_model(request: Request, name: str):
    try:
        return open_store(request).error_model(name)
    except InputError as error:
        raise problem(404, "name", str(error), ["path", "name"]) from None


def observation_filters(pairs, loc_root: str) -> dict:
    """Observation filters from FIELD=VALUE pairs (empty values ignored), checked like the store does."""
    filters: dict = {}
    for field, value in pairs:
        value = ("yes" if value else "no") if isinstance(value, bool) else str(value).strip()
        if value == "":
            continue
        if field not in FILTERABLE:
            raise problem(422, field, f"observations filter field must be one of {', '.join(FILTERABLE)}; got {field!r}.",
                          [loc_root, field])
        if field in filters:
            raise problem(422, field, f"observations filter {field} is given twice; give each field once.", [loc_root, field])
        if "\x00" in value:
            raise problem(422, field, f"{field} must not contain NUL characters.", [loc_root, field])
        filters[field] = value
    return filters


def filtered(store: Store, filters: dict, loc_root: str) -> list:
    try:
        return store.observations(filters)
    except InputError as error:
        raise input_error(error, (loc_root,)) from None


def compare_names(values: list[str], known: set[str]) -> list[str]:
    """names=a,b or names=a&names=b; a value that is a saved name is never split at its commas."""
    names = []
    for value in values:
        names += [value] if value in known else [part.strip() for part in value.split(",") if part.strip()]
    where = ["query", "names"]
    if len(names) < 2:
        raise problem(422, "names", f"names: compare needs at least 2 saved scenarios; got {len(names)}.", where)
    if len(names) > MAX_COMPARE:
        raise problem(422, "names", f"names: compare at most {MAX_COMPARE} scenarios; got {len(names)}.", where)
    for name in names:
        if name not in known:
            shown = ", ".join(sorted(known)[:10]) or "none saved yet"
            raise problem(422, "names", f"names must be saved scenarios; got {checks_shown(name)}. Saved: {shown}.", where)
    return names


def detail_message(error: HTTPException) -> str:
    return "; ".join(p["msg"] for p in error.detail) if isinstance(error.detail, list) else str(error.detail)
