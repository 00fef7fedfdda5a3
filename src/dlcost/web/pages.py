"""The estimator page: server-rendered, its initial inputs decoded from the URL by the one codec."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

import dlcost
from dlcost import catalog
from dlcost.web.query import FIELDS, decode_query

__all__ = ["router"]

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request) -> HTMLResponse:
    hw = request.app.state.workspace.hardware
    try:
        initial = decode_query(request.query_params.multi_items())
    except ValueError:  # a malformed link still opens the page; the estimate then names the field
        initial = {key: value for key, value in request.query_params.items() if key in FIELDS}
    return request.app.state.templates.TemplateResponse(
        request,
        "index.html",
        {
            "architectures": catalog.architectures(),
            "accelerators": hw.accelerators,
            "regions": sorted(f"{p}:{r}" for p, r in hw.region_gco2_per_kwh),
            "countries": sorted(code for code in hw.country_gco2_per_kwh if code != "WORLD"),
            "version": dlcost.__version__,
            "initial_json": _script_json({key: value for key, value in initial.items() if key in FIELDS}),
            "defaults": catalog.defaults(),
        },
    )


@router.get("/business", response_class=HTMLResponse, include_in_schema=False)
def business_page(request: Request) -> HTMLResponse:
    """The business-case page (issue 13): the same case, bill and decision as `dlcost business case`."""
    return request.app.state.templates.TemplateResponse(
        request, "business.html", {"examples": list(catalog.business_examples()), "version": dlcost.__version__})


#: The scenario the Outlook page prices without a link: seed 000's Figure 2 (examples/figure2.toml).
FIGURE2_SCENARIO = {"task": "classification", "target_accuracy": 0.965, "data_max": 200000, "cost_per_datapoint": 0.63,
                    "class_counts": {"Positive": 50000, "Negative": 1000}, "pretrained": True, "epochs": 50, "cost_mode": "paper"}


@router.get("/outlook", response_class=HTMLResponse, include_in_schema=False)
def outlook_page(request: Request) -> HTMLResponse:
    """The Outlook page (issue 14): Figure 4, a target-error slider, and the estimator's scenario (its link's query) on the curve."""
    from dlcost.catalog import limits

    try:
        given = decode_query(request.query_params.multi_items())
    except ValueError:  # a malformed link still opens the page with its fields; pricing the curve names the bad one
        given = {key: value for key, value in request.query_params.items() if key in FIELDS}
    scenario = {key: value for key, value in given.items() if key in FIELDS}
    note = ("The scenario of the estimator link you came from." if scenario else
            "Seed 000's Figure 2 example; open this page from the estimator's \"On the long-view curve\" link to see yours.")
    scenario = scenario or FIGURE2_SCENARIO
    return request.app.state.templates.TemplateResponse(
        request, "outlook.html", {"benchmarks": limits.regressions_file()["benchmarks"], "version": dlcost.__version__,
                                  "scenario_json": _script_json(scenario), "scenario_note": note})


def _script_json(values: dict) -> str:
    """JSON safe inside <script>: key order kept (class labels stay in the link's order), markup escaped."""
    text = json.dumps(values, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Plotly's JavaScript from the installed plotly package: no CDN."""
    import plotly

    return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", media_type="text/javascript")
