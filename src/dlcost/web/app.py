"""The HTTP API and the estimator page (FastAPI, server-rendered Jinja2 templates).

API: request fields are the CLI's option names in snake_case and every response
is the CLI's ``--json`` document. Bad input answers 422 with
``{"detail": [{"loc": [...], "field": ..., "msg": ...}]}``; a body over
``MAX_BODY_BYTES`` answers 413. Pages: ``/`` is the estimator; the scenario lives
in the URL query (see :mod:`dlcost.web.query`), so a shared link reproduces it,
and ``/estimate.json``, ``/estimate.csv``, ``/report.md`` and ``/report.html``
take the same query.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

import dlcost
from dlcost import catalog
from dlcost.charts import chart_series
from dlcost.estimation import estimate as run_estimate
from dlcost.estimation import predict_error as run_prediction
from dlcost.learning_curves import LearningCurveQuery
from dlcost.models import (
    ErrorPrediction,
    ErrorQuery,
    Estimate,
    Scenario,
    describe_error,
    ordered_problems,
)
from dlcost.report import html_report, markdown_report, recommendations_csv
from dlcost.web.query import scenario_from_query

__all__ = ["create_app", "MAX_BODY_BYTES"]

MAX_BODY_BYTES = 256 * 1024
#: How long the active model and its calibration are reused before the store is read again. [s]
MODEL_CACHE_SECONDS = 2.0


class Problem(BaseModel):
    """One bad input: where it is, the field it names, and the one-line message."""

    loc: list[str | int]
    field: str
    msg: str
    type: str | None = None


class Problems(BaseModel):
    detail: list[Problem]


#: Documented error answers of every endpoint that takes input.
BAD_INPUT = {
    422: {"model": Problems, "description": "Bad input: each problem names its field and the accepted range."},
    413: {"model": Problems, "description": "Request body larger than the limit."},
}
_HERE = resources.files("dlcost.web")


def _field_of(message: str) -> str:
    """The input a library error message names: its first word, e.g. ``gpu`` in "gpu must be ..."."""
    word = message.split(" ", 1)[0].split("[", 1)[0].rstrip(":")
    word = {"architecture": "architectures"}.get(word, word)  # the CLI's --architecture is the field architectures
    return word if word in Scenario.model_fields or word in ErrorQuery.model_fields else "body"


def _unprocessable(problems: list[dict]) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": problems})


def _problem_from_value_error(error: ValueError) -> dict:
    message = str(error)
    field = _field_of(message)
    return {"loc": ["body", field] if field != "body" else ["body"], "field": field, "msg": message, "type": "value_error"}


def _problems_from_validation(error: ValidationError | RequestValidationError) -> list[dict]:
    problems = ordered_problems(error) if isinstance(error, ValidationError) else sorted(
        error.errors(), key=lambda p: {"extra_forbidden": 0, "missing": 2}.get(p["type"], 1)
    )
    described = []
    for problem in problems:
        message = describe_error(problem)
        location = [str(part) if not isinstance(part, int) else part for part in problem["loc"]]
        named = [part for part in location if part not in ("body", "query", "path") and not isinstance(part, int)]
        field = named[0] if named else _field_of(message)
        if not named and field != "body":
            location = [*location, field]  # a cross-field rule: point at the field its message names
        described.append({"loc": location, "field": field, "msg": message, "type": problem["type"]})
    return described


class _BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit`` bytes, declared or streamed."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._reject(send)
        # Read the whole body first (it is small by construction), so a streamed
        # body without Content-Length is bounded too, then replay it to the app.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message], receive), send)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                return await self._reject(send)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _reject(self, send):
        body = ('{"detail":[{"loc":["body"],"field":"body","msg":"request body must be at most %d bytes."}]}' % self.limit).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list, receive):
    """An ASGI receive that yields ``messages`` first, then defers to ``receive``."""
    queue = list(messages)

    async def replayed():
        return queue.pop(0) if queue else await receive()

    return replayed


def _is_loopback(host: str) -> bool:
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(host: str = "127.0.0.1", write_token: str | None = None, hardware=None) -> FastAPI:
    """The dlcost web application.

    Parameters
    ----------
    host : address the server is bound to. Off loopback, write endpoints need
        ``write_token`` in an ``Authorization: Bearer`` header.
    write_token : the token writes require (always, when given).
    hardware : a hardware catalog; default: the user's (config and saved measurements).
    """
    if hardware is None:
        from dlcost.config import load_user_hardware

        hardware = load_user_hardware()
    if not _is_loopback(host) and not write_token:
        raise ValueError("write_token is required when the server is bound to a non-loopback address.")

    app = FastAPI(
        title="dlcost",
        version=dlcost.__version__,
        description="Cost, data and accuracy of deep-learning vision systems (after Thompson et al., AAAI 2024).",
    )
    app.add_middleware(_BodyLimit, limit=MAX_BODY_BYTES)
    app.state.hardware = hardware
    app.state.write_token = write_token
    app.state.store = None  # the store (dlcost.store.Store): opened on first use, then shared
    app.state.model_cache = {}  # (interval level, method) -> (time, (model, calibration))

    def get_store():
        if app.state.store is None:
            from dlcost.store import Store

            app.state.store = Store()  # DLCOST_DATABASE_URL, else the SQLite default
        return app.state.store

    templates = Jinja2Templates(directory=str(_HERE / "templates"))  # autoescape on for .html

    @app.exception_handler(RequestValidationError)
    async def _on_request_validation(request: Request, error: RequestValidationError):
        return _unprocessable(_problems_from_validation(error))

    @app.exception_handler(StarletteHTTPException)
    async def _on_http_error(request: Request, error: StarletteHTTPException):
        if error.status_code == 400:  # FastAPI's "error parsing the body" (bytes that are not UTF-8 JSON)
            return _unprocessable([{"loc": ["body"], "field": "body", "msg": "request body must be valid JSON (UTF-8 text).",
                                    "type": "json_invalid"}])
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=getattr(error, "headers", None))

    @app.exception_handler(ValueError)
    async def _on_value_error(request: Request, error: ValueError):
        if isinstance(error, ValidationError):
            return _unprocessable(_problems_from_validation(error))
        return _unprocessable([_problem_from_value_error(error)])

    def require_write_token(authorization: str | None = Header(default=None)) -> None:
        """Dependency of write endpoints: a matching bearer token when one is configured.

        A write may change the active model or the observations: estimates re-read them.
        """
        app.state.model_cache.clear()
        if app.state.write_token is None:
            return
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token, app.state.write_token):
            raise HTTPException(status_code=401, detail="a valid 'Authorization: Bearer <token>' header is required to write.")

    app.state.require_write_token = require_write_token  # write endpoints depend on it

    def _model_and_calibration(level: float, method: str):
        """The store's active model and the interval calibration on its observations
        (the published model and the shipped observations when there is no store yet).
        Cached for a few seconds, so a burst of requests reads the store once."""
        import time

        from dlcost.registry import calibration_for
        from dlcost.store import existing_sqlite_store

        key = (float(level), method)
        cached = app.state.model_cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < MODEL_CACHE_SECONDS:
            return cached[1]
        has_store = app.state.store is not None or existing_sqlite_store() is not None or os.environ.get("DLCOST_DATABASE_URL")
        store = get_store() if has_store else None
        model = store.error_model(store.active_model()) if store is not None else catalog.error_model()
        value = (model, calibration_for(store, model, level, method))
        app.state.model_cache[key] = (time.monotonic(), value)
        return value

    def _estimate(scenario: Scenario) -> Estimate:
        model, calibration = _model_and_calibration(scenario.interval_level, scenario.interval_method)
        return run_estimate(scenario, model=model, hardware=app.state.hardware, calibration=calibration)

    # ----- JSON API -------------------------------------------------------
    @app.post("/api/estimate", tags=["api"], responses=BAD_INPUT, summary="Data needed, costs and top-k architectures (dlcost estimate --json)")
    async def api_estimate(scenario: Scenario) -> Estimate:
        # async: a sub-millisecond computation runs on the event loop, not a thread pool
        return _estimate(scenario)

    @app.post("/api/predict-error", tags=["api"], responses=BAD_INPUT, summary="Eq. (1): error after training on N images")
    async def api_predict_error(query: ErrorQuery) -> ErrorPrediction:
        model, calibration = _model_and_calibration(query.interval_level, query.interval_method)
        return run_prediction(query, model=model, calibration=calibration)

    @app.post("/api/learning-curve", tags=["api"], responses=BAD_INPUT,
              summary="Fit a pilot's learning curve (dlcost learning-curve fit --json)")
    async def api_learning_curve(query: LearningCurveQuery) -> dict:
        from dlcost.learning_curves import fit_pilot

        model, _ = _model_and_calibration(query.interval_level, "conformal")
        result = fit_pilot(query, model)
        if not result.reachable:
            raise ValueError(result.unreachable_message)
        return result.to_dict()

    @app.post("/api/charts", tags=["api"], responses=BAD_INPUT, summary="Series for the page's charts")
    async def api_charts(scenario: Scenario) -> dict:
        result = _estimate(scenario)
        return chart_series(result, model=_model_and_calibration(scenario.interval_level, scenario.interval_method)[0])

    @app.get("/api/architectures", tags=["api"], summary="The architecture catalog (dlcost architectures --json)")
    def api_architectures() -> dict:
        return {"architectures": [row.to_dict() for row in catalog.architectures()]}

    @app.get("/api/hardware", tags=["api"], summary="The hardware catalog with listed prices (dlcost hardware --json)")
    def api_hardware() -> dict:
        hw = app.state.hardware
        return {"accelerators": [{**a.to_dict(), "prices": [vars(p) for p in hw.prices_for(a)]} for a in hw.accelerators]}

    @app.get("/api/grid", tags=["api"], summary="Countries and cloud regions with grid carbon intensity")
    def api_grid() -> dict:
        hw = app.state.hardware
        return {
            "countries": [{"iso3": code, "gco2_per_kwh": value, "year": year} for code, (value, year, _) in sorted(hw.country_gco2_per_kwh.items())],
            "regions": [
                {"region": f"{provider}:{region}", "gco2_per_kwh": value, "pue": pue}
                for (provider, region), (value, pue, _) in sorted(hw.region_gco2_per_kwh.items())
            ],
        }

    # ----- downloads: the scenario from the URL query ----------------------
    def _from_query(request: Request) -> Estimate:
        return _estimate(Scenario.model_validate(scenario_from_query(request.query_params)))

    @app.get("/estimate.json", tags=["downloads"], response_model=Estimate, responses=BAD_INPUT, summary="The estimate of the URL's scenario as JSON")
    def download_json(request: Request) -> Response:
        body = _from_query(request).model_dump_json(indent=2)
        return Response(body, media_type="application/json", headers={"Content-Disposition": 'attachment; filename="dlcost-estimate.json"'})

    @app.get("/estimate.csv", tags=["downloads"], responses={**BAD_INPUT, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The file."}}, summary="The recommendations as CSV")
    def download_csv(request: Request) -> Response:
        return Response(recommendations_csv(_from_query(request)), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="dlcost-estimate.csv"'})

    @app.get("/report.md", tags=["downloads"], responses={**BAD_INPUT, 200: {"content": {"text/markdown": {"schema": {"type": "string"}}}, "description": "The file."}}, summary="A one-page Markdown report")
    def download_markdown(request: Request) -> PlainTextResponse:
        return PlainTextResponse(markdown_report(_from_query(request)), media_type="text/markdown",
                                 headers={"Content-Disposition": 'attachment; filename="dlcost-report.md"'})

    @app.get("/report.html", tags=["downloads"], responses={**BAD_INPUT, 200: {"content": {"text/html": {"schema": {"type": "string"}}}, "description": "The file."}}, summary="A one-page HTML report")
    def download_html(request: Request) -> HTMLResponse:
        return HTMLResponse(html_report(_from_query(request)))

    # ----- the page --------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request) -> HTMLResponse:
        hw = app.state.hardware
        return templates.TemplateResponse(
            request,
            "index.html",
            {
                "architectures": catalog.architectures(),
                "accelerators": hw.accelerators,
                "regions": sorted(f"{p}:{r}" for p, r in hw.region_gco2_per_kwh),
                "countries": sorted(code for code in hw.country_gco2_per_kwh if code != "WORLD"),
                "version": dlcost.__version__,
            },
        )

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """Plotly's JavaScript from the installed plotly package: no CDN."""
        import plotly

        return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", media_type="text/javascript")

    from dlcost.web.store_routes import store_router

    app.include_router(store_router(get_store, require_write_token, templates))
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")
    return app
