"""Fitting, validating and plotting models against the observations in a store.

Joins :mod:`dlcost.fitting` (numbers) with :mod:`dlcost.store` (persistence).
"""

from __future__ import annotations

import math

from dlcost import catalog
from dlcost.fitting import (
    FitResult, example_observations, fit_error_model, partial_regression_png, validate, validation_summary,
)
from dlcost.observations import Observation

__all__ = [
    "fit_and_save", "validate_model", "plot_model", "model_document", "paper_case_observations", "calibration_for",
    "scenario_summary", "scenario_document", "observation_record", "model_rows",
]


# ----- documents: the JSON shapes the CLI (--json) and the web API share --------------
def scenario_summary(row) -> dict:
    """One saved scenario in a list: name, when, which model, the best recommendation."""
    best = row.result["recommendations"][0] if row.result.get("recommendations") else {}
    return {"name": row.name, "created_at": row.created_at.isoformat(), "model": row.model_name,
            "catalog_version": row.catalog_version, "target_accuracy": row.inputs.get("target_accuracy"),
            "best_architecture": best.get("architecture"), "total_cost": best.get("total_cost")}


def scenario_document(row) -> dict:
    """A saved scenario with its result as computed when saved."""
    return {"name": row.name, "created_at": row.created_at.isoformat(), "model": row.model_name,
            "catalog_version": row.catalog_version, "result": row.result}


def observation_record(row) -> dict:
    """A stored observation with its id."""
    return {"id": row.id, **{field: getattr(row, field) for field in Observation.model_fields}}


def model_rows(store) -> list[dict]:
    """The published model and every fitted one, the active one marked."""
    active = store.active_model()
    paper = catalog.error_model(catalog.DEFAULT_MODEL)
    rows = [{"name": paper.name, "n": paper.n, "r2": paper.r2, "created_at": "2024 (published)", "active": active == paper.name}]
    return rows + [{"name": r.name, "n": r.n, "r2": r.r2, "created_at": r.created_at.isoformat(), "active": active == r.name}
                   for r in store.models()]


def paper_case_observations() -> list[Observation]:
    """The six Table 2 cases of seed 000 as observations."""
    return [o for o in example_observations() if o.source.startswith("seed 000 Table 2")]


def _as_observations(rows) -> list[Observation]:
    return [Observation.model_validate({f: getattr(row, f) for f in Observation.model_fields}) for row in rows]


def fit_and_save(store, name: str, filters: dict, with_paper_cases: bool) -> FitResult:
    """Fit eq. (1) on the store's (filtered) observations and save it under ``name``."""
    if name == catalog.DEFAULT_MODEL:
        raise ValueError("name 'paper-2024' is the published model and cannot be replaced; choose another name.")
    rows = store.observations(filters)
    observations = _as_observations(rows) + (paper_case_observations() if with_paper_cases else [])
    result = fit_error_model(observations, name)
    document = result.to_dict()
    store.save_model(
        name,
        dict(
            coefficients=document["coefficients"], covariance=document["covariance"], r2=document["r2"], n=document["n"],
            residual_variance=document["residual_variance"], df_resid=document["df_resid"],
            observation_ids=[row.id for row in rows], selection={"filters": filters, "held": result.held},
            with_paper_cases=with_paper_cases,
        ),
    )
    return result


def _fitted_observations(store, name: str) -> tuple[list[Observation], dict]:
    row = store.model(name)
    wanted = set(row.observation_ids)
    observations = _as_observations([r for r in store.observations() if r.id in wanted])
    if row.with_paper_cases:
        observations += paper_case_observations()
    return observations, row.selection.get("held", {})


def validate_model(store, name: str) -> dict:
    """Table 2-style validation: leave-one-dataset-out refits for a fitted model; for
    paper-2024, its predictions on every stored observation plus Table 2."""
    if name == catalog.DEFAULT_MODEL:
        observations = _as_observations(store.observations()) + paper_case_observations()
        rows = validate(observations, catalog.error_model(), refit=False)
        method = "published coefficients applied to every observation (no refit)"
    else:
        observations, held = _fitted_observations(store, name)
        rows = validate(observations, store.error_model(name), refit=True, hold=held)
        method = "leave-one-dataset-out: each dataset predicted by a refit without it"
    return {
        "model": name,
        "method": method,
        "cases": [
            {"case": r.case, "data": r.data, "relative_complexity": r.relative_complexity, "pretrained": r.pretrained,
             "observed_error": r.observed_error, "predicted_error": r.predicted_error, "log10_ratio": r.log10_ratio}
            for r in rows
        ],
        **validation_summary(rows),
    }


def plot_model(store, name: str, path) -> None:
    """Figure 3 (partial regression grid) on the observations a model was fitted on."""
    if name == catalog.DEFAULT_MODEL:
        raise ValueError("model: paper-2024's data is not public; plot a fitted model (dlcost model fit NAME).")
    observations, held = _fitted_observations(store, name)
    partial_regression_png(observations, path, hold=held)


def model_document(model: catalog.ErrorModel) -> dict:
    """A model's coefficient table as JSON (the shape of `dlcost model fit --json`)."""

    def clean(value):
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

    return {
        "name": model.name,
        "coefficients": [
            {"name": r.name, "regressor": r.regressor, "coef": r.coef, "std_err": r.std_err, "t": clean(r.t),
             "p": clean(r.p), "ci_low": r.ci_low, "ci_high": r.ci_high}
            for r in model.table
        ],
        "r2": model.r2,
        "n": model.n,
        "residual_variance": model.residual_variance,
        "df_resid": model.df_resid,
        "covariance": [list(row) for row in model.covariance] if model.covariance else None,
    }


def calibration_for(store, model: catalog.ErrorModel, level: float, method: str):
    """The interval calibration estimates use: on the store's observations when it has
    any, else on the shipped ones (Table 2 of seed 000 + VTAB)."""
    from dlcost.uncertainty import calibrate, default_calibration

    if method == "ols":
        return calibrate(model, [], level, "ols")
    rows = store.observations() if store is not None else []
    if not rows:
        return default_calibration(model, level)
    key = (store.url, model.name, float(level), len(rows), max(r.id for r in rows))
    if key not in _CALIBRATIONS:
        _CALIBRATIONS[key] = calibrate(model, _as_observations(rows), level,
                                       source=f"the store's {len(rows)} observations")
    return _CALIBRATIONS[key]


_CALIBRATIONS: dict = {}
