"""The JSON API of the long view (issue 14, seed 003): each answer is the ``dlcost limits`` command's ``--json`` document."""

from __future__ import annotations

from fastapi import APIRouter, Request
from dlcost.schemas.limits import CurveQuery, FitQuery, LimitsQuery, WebSimulationQuery
from dlcost.web.errors import BAD_INPUT

__all__ = ["router"]

router = APIRouter()


@router.get("/api/limits/table", tags=["limits"], summary="Seed 003's Tables 1-4, Figure 4's coefficients and Figure 4 reproduced")
def api_limits_table() -> dict:
    from dlcost.engine.limits import limits_table

    return limits_table()


@router.post("/api/limits/project", tags=["limits"], responses=BAD_INPUT,
             summary="Computation, cost and CO2 of a target error (dlcost limits project --json)")
def api_limits_project(query: LimitsQuery, request: Request) -> dict:
    return request.app.state.workspace.limits_project(query)


@router.post("/api/limits/curve", tags=["limits"], responses=BAD_INPUT,
             summary="A scenario on seed 003's curve: each halving of error priced (dlcost limits curve --json)")
def api_limits_curve(query: CurveQuery, request: Request) -> dict:
    return request.app.state.workspace.limits_curve(query)


@router.post("/api/limits/simulate", tags=["limits"], responses=BAD_INPUT,
             summary="Seed 003's section 2 simulation (dlcost limits simulate --json)")
def api_limits_simulate(query: WebSimulationQuery) -> dict:
    from dlcost.engine.limits_simulation import simulate

    return simulate(reps=query.reps, seed=query.seed)


@router.post("/api/limits/fit", tags=["limits"], responses=BAD_INPUT,
             summary="Refit seed 003's regressions on columns (dlcost limits fit --json)")
def api_limits_fit(query: FitQuery) -> dict:
    from dlcost.engine.limits_fit import fit_limits

    return fit_limits(error=query.error, compute=query.compute, year=query.year)


@router.get("/api/limits/examples/{name}", tags=["limits"], responses=BAD_INPUT,
            summary="The fit of a shipped example data set (timm_imagenet.csv, epoch_vision_compute.csv)")
def api_limits_example(name: str) -> dict:
    from dlcost.engine.limits_fit import fit_example

    return fit_example(name)
