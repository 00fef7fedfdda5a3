"""Saved scenarios, observed outcomes and fitted models over HTTP: the JSON API and its pages.

The API mirrors ``dlcost scenario|observation|model ... --json``: the same names and
the same documents. Every write (POST, DELETE) depends on the app's
``require_write_token``. Bad input answers 422 in the app's format, naming the
field (and, for a CSV import, the line); an unknown name in the path answers 404;
a database that cannot be reached answers 503. Nothing a user typed reaches a page
other than through Jinja2's autoescape or ``textContent`` (static/store.js).
"""

from __future__ import annotations

import math
import threading
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from sqlalchemy.exc import SQLAlchemyError

from dlcost import registry
from dlcost.models import MAX_CLASSES, Scenario, describe_error, ordered_problems
from dlcost.observations import Observation
from dlcost.web._store_display import (
    _coefficient_rows,
    _count,
    _estimator_link,
    _input_rows,
    _percent,
    _result_rows,
    _usd,
)

__all__ = ["store_router", "MAX_COMPARE"]

#: Most scenarios one comparison shows.
MAX_COMPARE = 20
_FILTERABLE = sorted(field for field in Observation.model_fields if field != "class_counts")
#: Rows the observations page shows (the API returns every one).
MAX_ROWS_SHOWN = 1000
_PAPER_MODEL = "paper-2024"


class SaveScenario(BaseModel):
    """``dlcost scenario save``: a scenario (or an estimator link) priced and saved under a name."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="Name to save it under.")
    scenario: dict | None = Field(None, description="Scenario inputs: the body of POST /api/estimate.")
    query: str | None = Field(None, max_length=8192, description="Instead of scenario: an estimator link or its query string.")
    model: str | None = Field(None, max_length=200, description="Error model; default: the active one.")
    replace: bool = Field(False, description="Overwrite a scenario of that name.")


class FitModel(BaseModel):
    """``dlcost model fit``: OLS of eq. (1) on the store's observations."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="Name for the fitted model.")
    observations: dict[str, bool | float | str] | None = Field(None, description="FIELD: VALUE filters; fit only matching observations.")
    with_paper_cases: bool = Field(False, description="Add the six Table 2 cases of seed 000.")


class Unauthorized(BaseModel):
    """The answer to a write without the configured token."""

    detail: str


class _StoreRoute(APIRoute):
    """A route whose database failures answer 503 with the app's error format, never 500."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request):
            try:
                return await handler(request)
            except SQLAlchemyError as error:
                reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
                return JSONResponse(status_code=503, content={"detail": [
                    {"loc": [], "field": "database", "msg": f"database unavailable: {reason}", "type": "database"}]})

        return guarded


# ----- errors --------------------------------------------------------------------
def _problem(status: int, field: str, message: str, loc: list | None = None, **extra) -> HTTPException:
    """An HTTPException the app renders as ``{"detail": [{"loc", "field", "msg", "type"}]}``."""
    return HTTPException(status, detail=[{"loc": ["body", field] if loc is None else loc, "field": field, "msg": message,
                                          "type": "value_error" if status == 422 else "not_found", **extra}])


def _first_word(message: str) -> str:
    return message.split(" ", 1)[0].split("[", 1)[0].rstrip(":")


def _check_text(value, field: str, loc: list | None = None) -> None:
    """PostgreSQL cannot store NUL characters: reject them (anywhere in ``value``) as bad input."""
    if isinstance(value, str) and "\x00" in value:
        raise _problem(422, field, f"{field} must not contain NUL characters.", loc)
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, field, loc)
            _check_text(item, field, loc)
    elif isinstance(value, list):
        for item in value:
            _check_text(item, field, loc)


def _check_observation(observation: Observation, where: str = "") -> None:
    """Bounds the store's columns need beyond the model's own checks (PostgreSQL enforces String(n))."""
    from dlcost.store._schema import ObservationRow

    limits = {c.name: c.type.length for c in ObservationRow.__table__.columns if getattr(c.type, "length", None)}
    for field, limit in limits.items():
        value = getattr(observation, field)
        if value is not None and len(value) > limit:
            raise _problem(422, field, f"{where}{field} must be at most {limit} characters; got {len(value)}.")
    if observation.n_classes is not None and observation.n_classes > MAX_CLASSES:
        raise _problem(422, "n_classes", f"{where}n_classes must be at most {MAX_CLASSES:,}; got {observation.n_classes!r}.")
    if observation.class_counts is not None and len(observation.class_counts) > MAX_CLASSES:
        raise _problem(422, "class_counts", f"{where}class_counts must list at most {MAX_CLASSES:,} classes; "
                                            f"got {len(observation.class_counts):,}.")
    for field in ("dataset", "architecture", "metric_name", "source", "observed_on", "notes"):
        _check_text(getattr(observation, field), field)


def _finite(value):
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


# ----- documents (the CLI's --json shapes) -------------------------------------------
_scenario_summary = registry.scenario_summary
_scenario_document = registry.scenario_document
_observation_record = registry.observation_record
_model_rows = registry.model_rows


def _filters(pairs, loc_root: str) -> dict:
    """Observation filters from FIELD=VALUE pairs (empty values ignored), checked like the store does."""
    filters: dict = {}
    for field, value in pairs:
        value = ("yes" if value else "no") if isinstance(value, bool) else str(value).strip()
        if value == "":
            continue
        if field not in _FILTERABLE:
            raise _problem(422, field, f"observations filter field must be one of {', '.join(_FILTERABLE)}; got {field!r}.", [loc_root, field])
        if field in filters:
            raise _problem(422, field, f"observations filter {field} is given twice; give each field once.", [loc_root, field])
        _check_text(value, field, [loc_root, field])
        filters[field] = value
    return filters


def _filtered(store, filters: dict, loc_root: str) -> list:
    try:
        return store.observations(filters)
    except ValueError as error:  # "observations filter FIELD must be ..."
        words = str(error).split(" ")
        field = words[2] if len(words) > 2 and words[2] in filters else "observations"
        raise _problem(422, field, str(error), [loc_root, field]) from None


def _scenario_values(body: SaveScenario) -> Scenario:
    """The Scenario of a save request, its problems located under ``scenario``."""
    from dlcost.web.query import scenario_from_query

    if (body.scenario is None) == (body.query is None):
        raise _problem(422, "scenario", "scenario: give scenario (the inputs) or query (an estimator link), not both.")
    if body.query is not None:
        query = body.query.split("?", 1)[1] if "?" in body.query else body.query
        _check_text(query, "query")
        try:
            values = scenario_from_query(dict(parse_qsl(query.split("#", 1)[0])))
        except ValueError as error:
            raise _problem(422, "query", str(error)) from None
        root = "query"
    else:
        _check_text(body.scenario, "scenario")
        values, root = body.scenario, "scenario"
    try:
        return Scenario.model_validate(values)
    except ValidationError as error:
        problems = []
        for problem in ordered_problems(error):
            message = describe_error(problem)
            named = [str(part) for part in problem["loc"] if not isinstance(part, int)]
            word = _first_word(message)  # a cross-field rule names its field first
            field = named[0] if named else word if word in Scenario.model_fields else root
            problems.append({"loc": ["body", root, *problem["loc"]] if named else ["body", root, field],
                             "field": field, "msg": message, "type": problem["type"]})
        raise HTTPException(422, detail=problems) from None


def _compare_names(values: list[str], known: set[str]) -> list[str]:
    """names=a,b or names=a&names=b; a value that is a saved name is never split at its commas."""
    names = []
    for value in values:
        names += [value] if value in known else [part.strip() for part in value.split(",") if part.strip()]
    if len(names) < 2:
        raise _problem(422, "names", f"names: compare needs at least 2 saved scenarios; got {len(names)}.", ["query", "names"])
    if len(names) > MAX_COMPARE:
        raise _problem(422, "names", f"names: compare at most {MAX_COMPARE} scenarios; got {len(names)}.", ["query", "names"])
    for name in names:
        if name not in known:
            shown = ", ".join(sorted(known)[:10]) or "none saved yet"
            raise _problem(422, "names", f"names must be saved scenarios; got {name!r}. Saved: {shown}.", ["query", "names"])
    return names


# ----- the router ------------------------------------------------------------------------
def store_router(get_store, require_write_token, templates) -> APIRouter:
    """Routes of the store: ``get_store()`` returns the app's (shared, lazily opened) Store."""
    from dlcost.web.app import BAD_INPUT, Problem, Problems

    # A name the path pattern cannot match (a line break) gets the router's plain "Not Found".
    not_found = create_model("NotFound", detail=(list[Problem] | str, ...), __doc__="No saved scenario or model of that name.")

    router = APIRouter(route_class=_StoreRoute)
    opening = threading.Lock()
    plotting = threading.Lock()  # matplotlib's pyplot is not thread-safe
    plots: dict[tuple, bytes] = {}
    unavailable = {503: {"model": Problems, "description": "The database cannot be reached."}}
    missing = {404: {"model": not_found, "description": "No saved scenario or model of that name."}}
    reads = {**BAD_INPUT, **unavailable}
    writes = {**BAD_INPUT, **unavailable, 401: {"model": Unauthorized, "description": "A write token is configured and the request lacks it."}}
    write = [Depends(require_write_token)]

    def store():
        with opening:
            try:
                return get_store()
            except ValueError as error:  # Store() names the database and why it cannot be opened
                raise _problem(503, "database", str(error), []) from None

    def scenario_row(name: str):
        try:
            return store().scenario(name)
        except ValueError as error:
            raise _problem(404, "name", str(error), ["path", "name"]) from None

    def error_model(name: str):
        try:
            return store().error_model(name)
        except ValueError as error:
            raise _problem(404, "name", str(error), ["path", "name"]) from None

    def page(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
        context = {"token_required": request.app.state.write_token is not None, "quote": lambda s: quote(s, safe=""), **context}
        return templates.TemplateResponse(request, template, context, status_code=status)

    def detail_message(error: HTTPException) -> str:
        return "; ".join(problem["msg"] for problem in error.detail) if isinstance(error.detail, list) else str(error.detail)

    # ----- scenarios: API ----------------------------------------------------------------
    @router.get("/api/scenarios", tags=["store"], responses=unavailable, summary="Saved scenarios, oldest first (dlcost scenario list --json)")
    def api_scenarios() -> dict:
        return {"scenarios": [_scenario_summary(row) for row in store().scenarios()]}

    @router.post("/api/scenarios", tags=["store"], dependencies=write, responses=writes,
                 summary="Price a scenario and save it with its model and catalog version (dlcost scenario save --json)")
    def api_save_scenario(body: SaveScenario, request: Request) -> dict:
        from dlcost.estimation import estimate

        _check_text(body.name, "name")
        _check_text(body.model, "model")
        scenario = _scenario_values(body)
        opened = store()
        model_name = body.model or opened.active_model()
        try:
            model = opened.error_model(model_name)
        except ValueError as error:
            raise _problem(422, "model", str(error)) from None
        try:
            result = estimate(scenario, model=model, hardware=request.app.state.hardware)
        except ValueError as error:
            word = {"architecture": "architectures"}.get(_first_word(str(error)), _first_word(str(error)))
            field = word if word in Scenario.model_fields else "scenario"
            raise _problem(422, field, str(error), ["body", "scenario", field]) from None
        try:
            row = opened.save_scenario(body.name, scenario.model_dump(mode="json"), result.to_dict(), result.model, body.replace)
        except ValueError as error:
            raise _problem(422, "name", str(error)) from None
        return {"name": row.name, "model": row.model_name, "result": row.result}

    @router.get("/api/scenarios-compare", tags=["store"], responses={**reads},
                summary="Two or more saved scenarios side by side (dlcost scenario compare --json)")
    def api_compare(names: list[str] = Query([], description="Two or more saved scenario names: names=a,b or names=a&names=b.")) -> dict:
        opened = store()
        names = _compare_names(names, {row.name for row in opened.scenarios()})
        from dlcost.comparison import comparison_rows

        table = comparison_rows([(name, opened.scenario(name).result) for name in names])
        return {"scenarios": names, "rows": [{"label": label, "values": values} for label, values in table]}

    @router.get("/api/scenarios/{name:path}", tags=["store"], responses={**missing, **unavailable},
                summary="A saved scenario's result as computed when saved (dlcost scenario show --json)")
    def api_scenario(name: str) -> dict:
        return _scenario_document(scenario_row(name))

    @router.delete("/api/scenarios/{name:path}", tags=["store"], dependencies=write, responses={**writes, **missing},
                   summary="Delete a saved scenario (dlcost scenario delete)")
    def api_delete_scenario(name: str) -> dict:
        scenario_row(name)
        store().delete_scenario(name)
        return {"deleted": name}

    # ----- observations: API -------------------------------------------------------------
    @router.get("/api/observations", tags=["store"], responses=reads,
                summary="Observations; query parameters FIELD=VALUE filter them (dlcost observation list --json)")
    def api_observations(request: Request) -> dict:
        filters = _filters(request.query_params.multi_items(), "query")
        return {"observations": [_observation_record(row) for row in _filtered(store(), filters, "query")]}

    @router.post("/api/observations", tags=["store"], dependencies=write, responses=writes,
                 summary="Record one observed outcome (dlcost observation add --json)")
    def api_add_observation(observation: Observation) -> dict:
        _check_observation(observation)
        (identifier,) = store().add_observations([observation])
        return {"id": identifier, **observation.model_dump()}

    @router.post("/api/observations/import", tags=["store"], dependencies=write, responses=writes,
                 summary="Import observations from CSV text, all or nothing (dlcost observation import --json)",
                 openapi_extra={"requestBody": {"required": False, "content": {"text/csv": {"schema": {"type": "string"}}}}})
    async def api_import_observations(
        request: Request, examples: str = Query("", description="true: import the shipped VTAB calibration set (36 rows) instead of a body."),
    ) -> dict:
        from starlette.concurrency import run_in_threadpool

        word = examples.strip().lower()
        if word not in {"", "true", "false", "yes", "no", "1", "0"}:
            raise _problem(422, "examples", f"examples must be true or false; got {examples!r}.", ["query", "examples"])
        raw = await request.body()
        return await run_in_threadpool(_import, raw, word in {"true", "yes", "1"})

    def _import(raw: bytes, examples: bool) -> dict:
        from dlcost.observations import parse_observations_csv

        if examples == bool(raw.strip()):
            raise _problem(422, "body", "body: give CSV text (content-type text/csv) or ?examples=true (not both).")
        if examples:
            from importlib import resources

            text = resources.files("dlcost.catalog").joinpath("vtab_calibration.csv").read_text(encoding="utf-8")
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise _problem(422, "body", "body must be CSV text in UTF-8.") from None
            _check_text(text, "body")
        try:
            observations = parse_observations_csv(text)
        except ValueError as error:  # "line N: FIELD must be ..."
            message = str(error)
            head, _, rest = message.partition(": ")
            line = int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else None
            word = _first_word(rest)
            field = word if word in Observation.model_fields else "columns" if rest.startswith("missing column") else "body"
            raise _problem(422, field, message, ["body", line, field] if line else ["body", field], line=line) from None
        for number, observation in enumerate(observations, start=1):
            _check_observation(observation, f"observation {number} of the file: ")
        identifiers = store().add_observations(observations)
        return {"imported": len(identifiers), "ids": identifiers}

    # ----- models: API -------------------------------------------------------------------
    @router.get("/api/models", tags=["store"], responses=unavailable,
                summary="The published model and every fitted one; the active one is marked (dlcost model list --json)")
    def api_models() -> dict:
        return {"models": _model_rows(store())}

    @router.post("/api/models", tags=["store"], dependencies=write, responses=writes,
                 summary="Fit eq. (1) on the store's observations and save it (dlcost model fit --json)")
    def api_fit_model(body: FitModel) -> dict:
        from dlcost.registry import fit_and_save

        _check_text(body.name, "name")
        filters = _filters((body.observations or {}).items(), "observations")
        opened = store()
        _filtered(opened, filters, "observations")  # a bad filter value names its field
        try:
            result = fit_and_save(opened, body.name, filters, body.with_paper_cases)
        except ValueError as error:  # too few observations, a singular design, a reserved name
            field = _first_word(str(error))
            field = field if field in {"name", "observations"} else "observations"
            raise _problem(422, field, str(error)) from None
        return _finite(result.to_dict())  # a refit has a new created_at: its plot is drawn afresh

    @router.get("/api/models/{name:path}/validation", tags=["store"], responses={**reads, **missing},
                summary="Leave-one-dataset-out predictions against the observations, like Table 2 (dlcost model validate --json)")
    def api_validation(name: str) -> dict:
        return _finite(validation(name))

    def validation(name: str) -> dict:
        from dlcost.registry import validate_model

        error_model(name)
        try:
            return validate_model(store(), name)
        except ValueError as error:
            raise _problem(422, "observations", str(error), ["path", "name"]) from None

    @router.post("/api/models/{name:path}/use", tags=["store"], dependencies=write, responses={**writes, **missing},
                 summary="Make estimates use this model (dlcost model use)")
    def api_use_model(name: str) -> dict:
        error_model(name)
        store().use_model(name)
        return {"active": name}

    @router.get("/api/models/{name:path}", tags=["store"], responses={**missing, **unavailable},
                summary="A model's coefficient table, Table 1 for paper-2024 (dlcost model show --json)")
    def api_model(name: str) -> dict:
        from dlcost.registry import model_document

        return _finite(model_document(error_model(name)))

    @router.get("/models/{name:path}/plot.png", tags=["store"], response_class=Response,
                responses={**reads, **missing, 200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
                                                      "description": "The PNG image."}},
                summary="Figure 3: partial regression plots on a fitted model's observations (dlcost model plot)")
    def model_plot(name: str) -> Response:
        import io

        from dlcost.registry import plot_model

        if name == _PAPER_MODEL:
            raise _problem(422, "name", "model: paper-2024's data is not public; plot a fitted model (dlcost model fit NAME).", ["path", "name"])
        error_model(name)
        key = (name, store().model(name).created_at)
        with plotting:
            if key not in plots:
                buffer = io.BytesIO()
                try:
                    plot_model(store(), name, buffer)
                except ValueError as error:
                    raise _problem(422, "name", str(error), ["path", "name"]) from None
                if len(plots) >= 16:
                    plots.pop(next(iter(plots)))
                plots[key] = buffer.getvalue()
            png = plots[key]
        return Response(png, media_type="image/png", headers={"Cache-Control": "no-cache"})

    # ----- pages -------------------------------------------------------------------------
    @router.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
    def scenarios_page(request: Request, query: str = "") -> HTMLResponse:
        rows = [_scenario_summary(row) for row in store().scenarios()]
        for row in rows:
            row["saved"] = row["created_at"][:16].replace("T", " ")
            row["target"] = _percent(row["target_accuracy"]) if row["target_accuracy"] is not None else "-"
            row["total"] = _usd(row["total_cost"]) if row["total_cost"] is not None else "-"
        return page(request, "scenarios.html", {"scenarios": rows, "query": query, "models": _model_rows(store())})

    @router.get("/scenarios/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request) -> HTMLResponse:
        opened = store()
        try:
            names = _compare_names(request.query_params.getlist("names"), {row.name for row in opened.scenarios()})
        except HTTPException as error:
            return page(request, "compare.html", {"error": detail_message(error), "names": [], "rows": []}, error.status_code)
        from dlcost.comparison import comparison_rows

        rows = comparison_rows([(name, opened.scenario(name).result) for name in names])
        return page(request, "compare.html", {"names": names, "rows": rows})

    @router.get("/scenarios/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def scenario_page(request: Request, name: str) -> HTMLResponse:
        try:
            row = scenario_row(name)
        except HTTPException as error:
            return page(request, "scenario.html", {"error": detail_message(error), "name": name}, error.status_code)
        result = row.result
        return page(request, "scenario.html", {
            "name": row.name, "saved": f"{row.created_at:%Y-%m-%d %H:%M} UTC", "model": row.model_name,
            "catalog_version": row.catalog_version, "result": result, "inputs": _input_rows(row.inputs),
            "rows": _result_rows(result), "recommendations": result.get("recommendations") or [],
            "estimator_link": _estimator_link(row.inputs),
            "summary": {"rc": f"{result['relative_complexity']:.4f}", "needed": _count(result["data_needed"]) + " images",
                        "max": _percent(result["max_achievable_accuracy"]) + (" (target reachable)" if result["target_reachable"]
                                                                                 else " (target not reachable within the limit)")},
        })

    @router.get("/observations", response_class=HTMLResponse, include_in_schema=False)
    def observations_page(request: Request) -> HTMLResponse:
        given = dict(request.query_params)
        try:
            filters = _filters(request.query_params.multi_items(), "query")
            rows = _filtered(store(), filters, "query")
        except HTTPException as error:
            return page(request, "observations.html", {"error": detail_message(error), "observations": [], "filters": given,
                                                       "total": store().count_observations()}, error.status_code)
        records = [_observation_record(row) for row in rows[:MAX_ROWS_SHOWN]]
        for record in records:
            record["classes"] = (str(record["n_classes"]) if record["n_classes"] else f"{len(record['class_counts'])} (counts)"
                                 if record["class_counts"] else f"RC {record['relative_complexity']:.3f}")
        return page(request, "observations.html", {"observations": records, "filters": filters, "matching": len(rows),
                                                   "total": store().count_observations(), "fields": _FILTERABLE})

    @router.get("/models", response_class=HTMLResponse, include_in_schema=False)
    def models_page(request: Request) -> HTMLResponse:
        return page(request, "models.html", {"models": _model_rows(store()), "n_observations": store().count_observations(),
                                             "fields": _FILTERABLE})

    @router.get("/models/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def model_page(request: Request, name: str) -> HTMLResponse:
        from dlcost.registry import model_document

        try:
            document = model_document(error_model(name))
        except HTTPException as error:
            return page(request, "model.html", {"error": detail_message(error), "name": name}, error.status_code)
        try:
            report, validation_error = validation(name), None
        except HTTPException as error:
            report, validation_error = None, detail_message(error)
        if report is not None:
            report["cases_shown"] = [{**case, "ratio": f"{10 ** case['log10_ratio']:.2f}×"} for case in report["cases"]]
        row = None if name == _PAPER_MODEL else store().model(name)
        return page(request, "model.html", {
            "name": name, "document": document, "coefficients": _coefficient_rows(document), "report": report,
            "validation_error": validation_error, "active": store().active_model() == name, "published": name == _PAPER_MODEL,
            "fitted": None if row is None else f"{row.created_at:%Y-%m-%d %H:%M} UTC", "row": row,
            "held": [c["name"] for c in document["coefficients"] if c["t"] is None],
        })

    return router
