"""The store's pages: saved scenarios, comparisons, observations and models, in the estimator's layout.

Nothing a user typed reaches a page other than through Jinja2's autoescape or
``textContent`` (static/store.js).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from dlcost.reports.comparison import comparison_rows
from dlcost.service import documents
from dlcost import catalog
from dlcost.service.corpus_model import range_factor
from dlcost.store import PUBLISHED_MODEL
from dlcost.web.display import coefficient_rows, count, estimator_link, input_rows, percent, result_rows, usd
from dlcost.web.store_access import (
    FILTERABLE, compare_names, detail_message, error_model, filtered, observation_filters, open_store, scenario_row,
)
from dlcost.web.store_api import validation

__all__ = ["router", "MAX_ROWS_SHOWN"]

#: Rows the observations page shows (the API returns every one).
MAX_ROWS_SHOWN = 1000

router = APIRouter()


def _page(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    context = {"token_required": request.app.state.write_token is not None, "quote": lambda s: quote(s, safe=""), **context}
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
def scenarios_page(request: Request, query: str = "") -> HTMLResponse:
    store = open_store(request)
    rows = [documents.scenario_summary(row) for row in store.scenarios()]
    for row in rows:
        row["saved"] = row["created_at"][:16].replace("T", " ")
        row["target"] = percent(row["target_accuracy"]) if row["target_accuracy"] is not None else "-"
        row["total"] = usd(row["total_cost"]) if row["total_cost"] is not None else "-"
    return _page(request, "scenarios.html", {"scenarios": rows, "query": query, "models": documents.model_rows(store)})


@router.get("/scenarios/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request) -> HTMLResponse:
    store = open_store(request)
    try:
        names = compare_names(request.query_params.getlist("names"), {row.name for row in store.scenarios()})
    except HTTPException as error:
        return _page(request, "compare.html", {"error": detail_message(error), "names": [], "rows": []}, error.status_code)
    rows = comparison_rows([(name, store.scenario(name).result) for name in names])
    return _page(request, "compare.html", {"names": names, "rows": rows})


@router.get("/scenarios/{name:path}", response_class=HTMLResponse, include_in_schema=False)
def scenario_page(request: Request, name: str) -> HTMLResponse:
    try:
        row = scenario_row(request, name)
    except HTTPException as error:
        return _page(request, "scenario.html", {"error": detail_message(error), "name": name}, error.status_code)
    result = row.result
    reach = " (target reachable)" if result["target_reachable"] else " (target not reachable within the limit)"
    return _page(request, "scenario.html", {
        "name": row.name, "saved": f"{row.created_at:%Y-%m-%d %H:%M} UTC", "model": row.model_name,
        "catalog_version": row.catalog_version, "result": result, "inputs": input_rows(row.inputs),
        "rows": result_rows(result), "recommendations": result.get("recommendations") or [],
        "estimator_link": estimator_link(row.inputs),
        "summary": {"rc": f"{result['relative_complexity']:.4f}", "needed": count(result["data_needed"]) + " images",
                    "max": percent(result["max_achievable_accuracy"]) + reach,
                    "headroom": percent(result.get("accuracy_at_data_max"))},
    })


@router.get("/observations", response_class=HTMLResponse, include_in_schema=False)
def observations_page(request: Request) -> HTMLResponse:
    store = open_store(request)
    try:
        filters = observation_filters(request.query_params.multi_items(), "query")
        rows = filtered(store, filters, "query")
    except HTTPException as error:
        return _page(request, "observations.html", {"error": detail_message(error), "observations": [],
                                                    "filters": dict(request.query_params), "total": store.count_observations()},
                     error.status_code)
    records = [documents.observation_record(row) for row in rows[:MAX_ROWS_SHOWN]]
    for record in records:
        record["classes"] = (str(record["n_classes"]) if record["n_classes"] else f"{len(record['class_counts'])} (counts)"
                             if record["class_counts"] else f"RC {record['relative_complexity']:.3f}")
    return _page(request, "observations.html", {"observations": records, "filters": filters, "matching": len(rows),
                                                "total": store.count_observations(), "fields": FILTERABLE})


@router.get("/models", response_class=HTMLResponse, include_in_schema=False)
def models_page(request: Request) -> HTMLResponse:
    store = open_store(request)
    return _page(request, "models.html", {"models": documents.model_rows(store), "n_observations": store.count_observations(),
                                          "fields": FILTERABLE})


@router.get("/models/{name:path}", response_class=HTMLResponse, include_in_schema=False)
def model_page(request: Request, name: str) -> HTMLResponse:
    try:
        document = documents.model_document(error_model(request, name))
    except HTTPException as error:
        return _page(request, "model.html", {"error": detail_message(error), "name": name}, error.status_code)
    try:
        report, validation_error = validation(request, name), None
    except HTTPException as error:
        report, validation_error = None, detail_message(error)
    if report is not None:
        report["cases_shown"] = [{**case, "ratio": f"{10 ** case['log10_ratio']:.2f}×"} for case in report["cases"]]
    store = open_store(request)
    row = None if name in catalog.SHIPPED_MODELS else store.model(name)
    return _page(request, "model.html", {
        "name": name, "document": document, "coefficients": coefficient_rows(document), "report": report,
        "validation_error": validation_error, "active": store.active_model(catalog.default_model()) == name, "published": name == PUBLISHED_MODEL,
        "fitted": None if row is None else f"{row.created_at:%Y-%m-%d %H:%M} UTC", "row": row,
        "held": [c["name"] for c in document["coefficients"] if c["t"] is None], "range_factor": range_factor, "corpus": name == catalog.CORPUS_MODEL,
    })
