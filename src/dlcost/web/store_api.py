"""Saved scenarios, observed outcomes and fitted models over HTTP: the JSON API.

The API mirrors ``dlcost scenario|observation|model ... --json``: the same names, the
same documents, the same service functions. Every write depends on
:func:`~dlcost.web.security.require_write_token`. Bad input answers 422 naming the
field (and, for a CSV import, the line); an unknown name in the path 404; a database
that cannot be reached 503.
"""

from __future__ import annotations

import io
import math
import threading

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, create_model
from starlette.concurrency import run_in_threadpool

from dlcost.core.checks import InputError, shown
from dlcost.reports.comparison import comparison_rows
from dlcost.schemas import Observation, Scenario
from dlcost.service import documents
from dlcost.service.models import PLOT_REFUSALS, fit_and_save, plot_model, saved_covariate_test, validate_model
from dlcost.service.observations import delete_planned, import_observations_csv, plan_deletion
from dlcost.web.errors import BAD_INPUT, UNAVAILABLE, Problem, Problems, Unauthorized, input_error, problem
from dlcost.web.query import decode_link
from dlcost.web.security import require_write_token
from dlcost.web.store_access import compare_names, error_model, filtered, observation_filters, open_store, scenario_row

__all__ = ["router", "SaveScenario", "FitModel", "DeletedObservations"]


class SaveScenario(BaseModel):
    """``dlcost scenario save``: a scenario (or an estimator link) priced and saved under a name."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="Name to save it under.")
    scenario: dict | None = Field(None, description="Scenario inputs: the body of POST /api/estimate.")
    query: str | None = Field(None, max_length=8192, description="Instead of scenario: an estimator link or its query string.")
    model: str | None = Field(None, max_length=200, description="Error model; default: the active one.")
    replace: StrictBool = Field(False, description="Overwrite a scenario of that name.")


class FitModel(BaseModel):
    """``dlcost model fit``: OLS of eq. (1) on the store's observations."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="Name for the fitted model.")
    observations: dict[str, bool | float | str] | None = Field(None, description="FIELD: VALUE filters; fit only matching observations.")
    with_paper_cases: StrictBool = Field(False, description="Add the six Table 2 cases of seed 000.")


class DeletedObservations(BaseModel):
    """The answer of ``DELETE /api/observations``."""

    deleted: int = Field(description="Observations deleted.")
    ids: list[int] | None = Field(description="The ids named, or null for a delete by filters (or all=true).")


# A name the path pattern cannot match (a line break) gets the router's plain "Not Found".
_NotFound = create_model("NotFound", detail=(list[Problem] | str, ...), __doc__="No saved scenario or model of that name.")
MISSING = {404: {"model": _NotFound, "description": "No saved scenario or model of that name."}}
READS = {**BAD_INPUT, **UNAVAILABLE}
WRITES = {**BAD_INPUT, **UNAVAILABLE, 401: {"model": Unauthorized, "description": "A write token is configured and the request lacks it."}}
WRITE = [Depends(require_write_token)]
COUNT_DIFFERS = {409: {"model": Problems, "description": "expected_count is not the number of observations that match "
                                                      "(the problem's count gives it); nothing was deleted."}}
#: Query parameters of DELETE /api/observations that are not filters.
_DELETE_PARAMETERS = frozenset({"id", "all", "expected_count"})

router = APIRouter()
_plotting = threading.Lock()  # matplotlib's pyplot is not thread-safe
_plots: dict[tuple, bytes] = {}


def _finite(value):
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def _save_request_scenario(body: SaveScenario) -> Scenario:
    """The Scenario of a save request, its problems located under ``scenario`` (or ``query``)."""
    if (body.scenario is None) == (body.query is None):
        raise problem(422, "scenario", "scenario: give scenario (the inputs) or query (an estimator link), not both.")
    root = "query" if body.query is not None else "scenario"
    try:
        values = decode_link(body.query) if body.query is not None else body.scenario
        return Scenario.model_validate(values)
    except (ValidationError, InputError) as error:
        raise input_error(error, ("body", root)) from None


# ----- scenarios ------------------------------------------------------------------------
@router.get("/api/scenarios", tags=["store"], responses=UNAVAILABLE, summary="Saved scenarios, oldest first (dlcost scenario list --json)")
def api_scenarios(request: Request) -> dict:
    return {"scenarios": [documents.scenario_summary(row) for row in open_store(request).scenarios()]}


@router.post("/api/scenarios", tags=["store"], dependencies=WRITE, responses=WRITES,
             summary="Price a scenario and save it with its model and catalog version (dlcost scenario save --json)")
def api_save_scenario(body: SaveScenario, request: Request) -> dict:
    for field in ("name", "model"):
        if "\x00" in (getattr(body, field) or ""):
            raise problem(422, field, f"{field} must not contain NUL characters.")
    scenario = _save_request_scenario(body)
    workspace = request.app.state.workspace
    open_store(request)
    try:
        row, _ = workspace.save_estimate(body.name, scenario, body.model, body.replace)
    except InputError as error:
        prefix = ("body",) if error.field in {"name", "model"} else ("body", "scenario")
        raise input_error(error, prefix) from None
    return {"name": row.name, "model": row.model_name, "result": row.result}


@router.get("/api/scenarios-compare", tags=["store"], responses=READS,
            summary="Two or more saved scenarios side by side (dlcost scenario compare --json)")
def api_compare(request: Request,
                names: list[str] = Query([], description="Two or more saved scenario names: names=a,b or names=a&names=b.")) -> dict:
    store = open_store(request)
    names = compare_names(names, {row.name for row in store.scenarios()})
    table = comparison_rows([(name, store.scenario(name).result) for name in names])
    return {"scenarios": names, "rows": [{"label": label, "values": values} for label, values in table]}


@router.get("/api/scenarios/{name:path}", tags=["store"], responses={**MISSING, **UNAVAILABLE},
            summary="A saved scenario's result as computed when saved (dlcost scenario show --json)")
def api_scenario(name: str, request: Request) -> dict:
    return documents.scenario_document(scenario_row(request, name))


@router.delete("/api/scenarios/{name:path}", tags=["store"], dependencies=WRITE, responses={**WRITES, **MISSING},
               summary="Delete a saved scenario (dlcost scenario delete)")
def api_delete_scenario(name: str, request: Request) -> dict:
    scenario_row(request, name)
    open_store(request).delete_scenario(name)
    return {"deleted": name}


# ----- observations ---------------------------------------------------------------------
@router.get("/api/observations", tags=["store"], responses=READS,
            summary="Observations; query parameters FIELD=VALUE filter them (dlcost observation list --json)")
def api_observations(request: Request) -> dict:
    filters = observation_filters(request.query_params.multi_items(), "query")
    return {"observations": [documents.observation_record(row) for row in filtered(open_store(request), filters, "query")]}


@router.post("/api/observations", tags=["store"], dependencies=WRITE, responses=WRITES,
             summary="Record one observed outcome (dlcost observation add --json)")
def api_add_observation(observation: Observation, request: Request) -> dict:
    (identifier,) = open_store(request).add_observations([observation])
    return {"id": identifier, **observation.model_dump()}


@router.post("/api/observations/import", tags=["store"], dependencies=WRITE, responses=WRITES,
             summary="Import observations from CSV text, all or nothing; identical rows skipped (dlcost observation import --json)",
             openapi_extra={"requestBody": {"required": False, "content": {"text/csv": {"schema": {"type": "string"}}}}})
async def api_import_observations(
    request: Request,
    examples: str = Query("", description="true: import every shipped observation (Table 2 of seed 000, the VTAB calibration set and the public corpus: 657 rows) instead of a body."),
    allow_duplicates: str = Query("", description="true: import rows equal to stored ones too."),
) -> dict:
    flags = {}
    for name, value in (("examples", examples), ("allow_duplicates", allow_duplicates)):
        word = value.strip().lower()
        if word not in {"", "true", "false", "yes", "no", "1", "0"}:
            raise problem(422, name, f"{name} must be true or false; got {value!r}.", ["query", name])
        flags[name] = word in {"true", "yes", "1"}
    raw = await request.body()
    return await run_in_threadpool(_import, request, raw, flags["examples"], flags["allow_duplicates"])


@router.delete("/api/observations", tags=["store"], dependencies=WRITE, responses={**WRITES, **COUNT_DIFFERS},
               summary="Delete observations by id and/or FIELD=VALUE filters, confirmed by their count (dlcost observation delete)")
def api_delete_observations(
    request: Request,
    ids: list[int] = Query([], alias="id", description="An observation id (repeatable); each must be stored and match the filters."),
    everything: bool = Query(False, alias="all", description="true: delete every observation (without ids or filters)."),
    expected_count: int | None = Query(None, ge=0, description="Required: how many observations match (the 422 or 409 answer "
                                                                "gives the count); nothing is deleted unless it is equal."),
) -> DeletedObservations:
    """Other query parameters are FIELD=VALUE filters, as for GET /api/observations. The next
    estimate calibrates its interval on the observations that remain."""
    pairs = [(field, value) for field, value in request.query_params.multi_items() if field not in _DELETE_PARAMETERS]
    filters = observation_filters(pairs, "query")
    store = open_store(request)
    try:
        deletion = plan_deletion(store, ids, filters, everything)
    except InputError as error:
        if error.field == "database":
            raise
        raise input_error(error, ("query",)) from None
    count, where = deletion["count"], ["query", "expected_count"]
    if expected_count is None:
        raise problem(422, "expected_count", f"expected_count is required to delete: {count} observation(s) match; "
                                             f"send expected_count={count} to delete them.", where, count=count)
    if expected_count != count:
        raise problem(409, "expected_count", f"expected_count must be the number of observations that match, {count}; "
                                             f"got {shown(expected_count)}. Nothing was deleted.", where, type="count_differs", count=count)
    deleted = delete_planned(store, deletion)
    request.app.state.workspace.invalidate()
    return DeletedObservations(deleted=deleted, ids=deletion["ids"])


def _import(request: Request, raw: bytes, examples: bool, allow_duplicates: bool) -> dict:
    if examples == bool(raw.strip()):
        raise problem(422, "body", "body: give CSV text (content-type text/csv) or ?examples=true (not both).")
    text = None
    if not examples:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise problem(422, "body", "body must be CSV text in UTF-8.") from None
        if "\x00" in text:
            raise problem(422, "body", "body must not contain NUL characters.")
    try:
        return import_observations_csv(open_store(request), text, allow_duplicates)
    except InputError as error:  # "line N: FIELD must be ..."
        raise input_error(error) from None


# ----- models ----------------------------------------------------------------------------
@router.get("/api/models", tags=["store"], responses=UNAVAILABLE,
            summary="The published model and every fitted one; the active one is marked (dlcost model list --json)")
def api_models(request: Request) -> dict:
    return {"models": documents.model_rows(open_store(request))}


@router.post("/api/models", tags=["store"], dependencies=WRITE, responses=WRITES,
             summary="Fit eq. (1) on the store's observations and save it (dlcost model fit --json)")
def api_fit_model(body: FitModel, request: Request) -> dict:
    if "\x00" in body.name:
        raise problem(422, "name", "name must not contain NUL characters.")
    filters = observation_filters((body.observations or {}).items(), "observations")
    store = open_store(request)
    filtered(store, filters, "observations")  # a bad filter value names its field
    try:
        result = fit_and_save(store, body.name, filters, body.with_paper_cases)
    except InputError as error:  # too few observations, a singular design, a reserved name
        raise input_error(error) from None
    return _finite(result.to_dict())


@router.get("/api/models/{name:path}/validation", tags=["store"], responses={**READS, **MISSING},
            summary="Leave-one-dataset-out predictions against the observations, like Table 2 (dlcost model validate --json)")
def api_validation(name: str, request: Request) -> dict:
    return _finite(validation(request, name))


def validation(request: Request, name: str) -> dict:
    error_model(request, name)
    try:
        return validate_model(open_store(request), name)
    except InputError as error:
        raise problem(422, "observations", str(error), ["path", "name"]) from None


@router.post("/api/models/{name:path}/use", tags=["store"], dependencies=WRITE, responses={**WRITES, **MISSING},
             summary="Make estimates use this model (dlcost model use)")
def api_use_model(name: str, request: Request) -> dict:
    error_model(request, name)
    open_store(request).use_model(name)
    request.app.state.workspace.invalidate()
    return {"active": name}


@router.get("/api/models/{name:path}", tags=["store"], responses={**MISSING, **UNAVAILABLE},
            summary="A model's coefficient table, Table 1 for paper-2024, and a fit's dataset-distance test (dlcost model show --json)")
def api_model(name: str, request: Request) -> dict:
    document = documents.model_document(error_model(request, name))
    return _finite({**document, "covariate_test": saved_covariate_test(open_store(request), name)})


@router.get("/models/{name:path}/plot.png", tags=["store"], response_class=Response,
            responses={**READS, **MISSING, 200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                                                  "description": "The PNG image."}},
            summary="Figure 3: partial regression plots on a fitted model's observations (dlcost model plot)")
def model_plot(name: str, request: Request) -> Response:
    if name in PLOT_REFUSALS:  # before the cache key: a shipped model has no stored row
        raise problem(422, "name", PLOT_REFUSALS[name], ["path", "name"])
    error_model(request, name)
    store = open_store(request)
    key = (store.url, name, store.model(name).created_at)
    with _plotting:
        if key not in _plots:
            buffer = io.BytesIO()
            try:
                plot_model(store, name, buffer)
            except InputError as error:
                raise problem(422, "name", str(error), ["path", "name"]) from None
            if len(_plots) >= 16:
                _plots.pop(next(iter(_plots)))
            _plots[key] = buffer.getvalue()
        png = _plots[key]
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-cache"})
