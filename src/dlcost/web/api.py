"""The JSON API of the estimator and its downloads: each answer is the CLI's ``--json`` document.

Every route answers through the app's :class:`~dlcost.service.workspace.Workspace`
(``request.app.state.workspace``): the same model, calibration and hardware as
``dlcost estimate`` on the same store.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from dlcost import catalog
from dlcost.core.checks import InputError
from dlcost.reports.charts import chart_series
from dlcost.reports.documents import html_report, markdown_report, recommendations_csv
from dlcost.schemas.business import BusinessCase
from dlcost.schemas.inference import InferenceQuery, InferenceResult
from dlcost.schemas import ErrorPrediction, ErrorQuery, Estimate, LearningCurveQuery, Scenario
from dlcost.web.errors import BAD_INPUT, input_error
from dlcost.web.query import decode_query, encode_query, query_parameters, query_rules

__all__ = ["router"]

router = APIRouter()


def _workspace(request: Request):
    return request.app.state.workspace


@router.post("/api/estimate", tags=["api"], responses=BAD_INPUT,
             summary="Data needed, costs and top-k architectures (dlcost estimate --json)")
async def api_estimate(scenario: Scenario, request: Request) -> Estimate:
    # A millisecond of arithmetic on the event loop answers about twice the requests a thread-pool
    # hop does (benchmarks/bench_http.py); an answer that must read the store (every 2 s, and a
    # recalibration after a write: seconds for a million observations) goes to a thread.
    workspace = _workspace(request)
    if workspace.resolved(None, scenario.interval_level, scenario.interval_method, scenario.cost_mode):
        return workspace.estimate(scenario)
    return await run_in_threadpool(workspace.estimate, scenario)


@router.post("/api/predict-error", tags=["api"], responses=BAD_INPUT, summary="Eq. (1): error after training on N images")
def api_predict_error(query: ErrorQuery, request: Request) -> ErrorPrediction:
    return _workspace(request).predict_error(query)


@router.post("/api/inference", tags=["api"], responses=BAD_INPUT, summary="Serving cost of one architecture (dlcost inference)")
def api_inference(query: InferenceQuery, request: Request) -> InferenceResult:
    return _workspace(request).inference(query)


@router.get("/api/business/examples", tags=["business"], summary="The shipped example cases, by name")
def api_business_examples() -> dict:
    return catalog.business_examples()


@router.post("/api/business/unit-cost", tags=["business"], responses=BAD_INPUT, summary="Seed 002's cost per prediction unit")
def api_business_unit_cost(case: BusinessCase, request: Request) -> dict:
    return _workspace(request).business_unit_cost(case)


@router.post("/api/business/case", tags=["business"], responses=BAD_INPUT, summary="The whole bill, benefit, NPV and go/no-go")
def api_business_case(case: BusinessCase, request: Request) -> dict:
    return _workspace(request).business_case(case)


@router.put("/api/business/cases/{name}", tags=["business"], responses=BAD_INPUT, summary="Compute and save a business case")
def api_business_save(name: str, case: BusinessCase, request: Request, replace: bool = False) -> dict:
    _, result = _workspace(request).save_business_case(name, case, replace)
    return result


@router.get("/api/business/cases", tags=["business"], summary="Saved business cases")
def api_business_cases(request: Request) -> dict:
    rows = _workspace(request).require_store().cases()
    return {"cases": [{"name": r.name, "decision": r.result.get("decision"), "npv": r.result.get("npv"),
                       "created_at": r.created_at.isoformat()} for r in rows]}


@router.post("/api/business/optimal-accuracy", tags=["business"], responses=BAD_INPUT, summary="The target accuracy worth paying for")
def api_business_optimal_accuracy(case: BusinessCase, request: Request) -> dict:
    return _workspace(request).business_optimal_accuracy(case)


@router.post("/api/business/budget", tags=["business"], responses=BAD_INPUT, summary="The best accuracy a budget buys")
def api_business_budget(case: BusinessCase, request: Request, budget: float, deadline_weeks: float | None = None) -> dict:
    return _workspace(request).business_budget(case, budget, deadline_weeks)


@router.post("/api/learning-curve", tags=["api"], responses=BAD_INPUT,
             summary="Fit a pilot's learning curve (dlcost learning-curve fit --json)")
def api_learning_curve(query: LearningCurveQuery, request: Request) -> dict:
    result = _workspace(request).fit_pilot(query)
    if not result.reachable:
        raise InputError("target_accuracy", result.unreachable_message)
    return result.to_dict()


@router.post("/api/charts", tags=["api"], responses=BAD_INPUT, summary="Series for the page's charts")
def api_charts(scenario: Scenario, request: Request) -> dict:
    workspace = _workspace(request)
    result = workspace.estimate(scenario)
    return chart_series(result, model=workspace.resolve(None, scenario.interval_level, scenario.interval_method, scenario.cost_mode)[0])


@router.post("/api/link", tags=["api"], summary="The estimator link of scenario inputs (the one query codec)")
def api_link(values: dict) -> dict:
    """``{"query": "..."}``: the query string that reproduces ``values`` on the estimator page."""
    return {"query": encode_query(values)}


@router.get("/api/architectures", tags=["api"], summary="The architecture catalog (dlcost architectures --json)")
def api_architectures() -> dict:
    return {"architectures": [row.to_dict() for row in catalog.architectures()]}


@router.get("/api/hardware", tags=["api"], summary="The hardware catalog with listed prices (dlcost hardware --json)")
def api_hardware(request: Request) -> dict:
    from dlcost.service.documents import hardware_document

    return hardware_document(_workspace(request).hardware)


@router.get("/api/grid", tags=["api"], summary="Countries and cloud regions with grid carbon intensity")
def api_grid(request: Request) -> dict:
    hw = _workspace(request).hardware
    return {
        "countries": [{"iso3": code, "gco2_per_kwh": value, "year": year}
                      for code, (value, year, _) in sorted(hw.country_gco2_per_kwh.items())],
        "regions": [{"region": f"{provider}:{region}", "gco2_per_kwh": value, "pue": pue}
                    for (provider, region), (value, pue, _) in sorted(hw.region_gco2_per_kwh.items())],
    }


# ----- downloads: the scenario from the URL query -------------------------------------
def _from_query(request: Request) -> Estimate:
    """The estimate of the URL's scenario; a bad input is located in the query (422), not in a body."""
    try:
        return _workspace(request).estimate(Scenario.model_validate(decode_query(request.query_params.multi_items())))
    except (ValidationError, InputError) as error:
        if getattr(error, "field", None) == "database":  # an outage, not bad input: the app's 503
            raise
        raise input_error(error, ("query",)) from None


def _text_file(media_type: str) -> dict:
    return {**BAD_INPUT, 200: {"content": {media_type: {"schema": {"type": "string"}}}, "description": "The file."}}


def _scenario_query() -> dict:
    """The download's query parameters in /openapi.json: the one codec's (:func:`~dlcost.web.query.query_parameters`)."""
    return {"parameters": query_parameters(),
            "description": f"The scenario is the URL query, as the estimator's links write it. {query_rules()}"}


@router.get("/estimate.json", tags=["downloads"], response_model=Estimate, responses=BAD_INPUT,
            openapi_extra=_scenario_query(), summary="The estimate of the URL's scenario as JSON")
def download_json(request: Request) -> Response:
    return Response(_from_query(request).model_dump_json(indent=2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="dlcost-estimate.json"'})


@router.get("/estimate.csv", tags=["downloads"], responses=_text_file("text/csv"), openapi_extra=_scenario_query(),
            summary="The recommendations as CSV")
def download_csv(request: Request) -> Response:
    return Response(recommendations_csv(_from_query(request)), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="dlcost-estimate.csv"'})


@router.get("/report.md", tags=["downloads"], responses=_text_file("text/markdown"), openapi_extra=_scenario_query(),
            summary="A one-page Markdown report")
def download_markdown(request: Request) -> PlainTextResponse:
    return PlainTextResponse(markdown_report(_from_query(request)), media_type="text/markdown",
                             headers={"Content-Disposition": 'attachment; filename="dlcost-report.md"'})


@router.get("/report.html", tags=["downloads"], responses=_text_file("text/html"), openapi_extra=_scenario_query(),
            summary="A one-page HTML report")
def download_html(request: Request) -> HTMLResponse:
    return HTMLResponse(html_report(_from_query(request)))
