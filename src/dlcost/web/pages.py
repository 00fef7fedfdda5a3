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


def _script_json(values: dict) -> str:
    """JSON safe inside <script>: key order kept (class labels stay in the link's order), markup escaped."""
    text = json.dumps(values, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@router.get("/static/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Plotly's JavaScript from the installed plotly package: no CDN."""
    import plotly

    return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", media_type="text/javascript")
