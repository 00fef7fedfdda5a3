"""The JSON documents the CLI (``--json``) and the web API share: one shape per answer."""

from __future__ import annotations

import math

from dlcost import catalog
from dlcost.schemas import Observation

__all__ = ["scenario_summary", "scenario_document", "observation_record", "model_rows", "model_document", "hardware_document"]


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
    active = store.active_model(catalog.default_model())
    paper = catalog.error_model(catalog.DEFAULT_MODEL)
    corpus = catalog.error_model(catalog.CORPUS_MODEL)
    rows = [{"name": paper.name, "n": paper.n, "r2": paper.r2, "created_at": "2024 (published)", "active": active == paper.name},
            {"name": corpus.name, "n": corpus.n, "r2": None, "created_at": "2026 (shipped; docs/validation.md)",
             "active": active == corpus.name}]
    return rows + [{"name": r.name, "n": r.n, "r2": r.r2, "created_at": r.created_at.isoformat(), "active": active == r.name}
                   for r in store.models()]


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
        "r2": clean(model.r2),
        "n": model.n,
        "residual_variance": model.residual_variance,
        "df_resid": model.df_resid,
        "covariance": [list(row) for row in model.covariance] if model.covariance else None,
        "form": model.form,
        "random_covariance": None if model.bounded is None else [list(row) for row in model.bounded.random_covariance],
        "validation": model.validation,
    }


def hardware_document(hardware) -> dict:
    """The hardware catalog with each GPU's listed prices and the default price estimates use."""
    def entry(accelerator) -> dict:
        default = hardware.default_price(accelerator)
        return {**accelerator.to_dict(), "default_price_usd_per_gpu_hour": None if default is None else default.on_demand_usd_per_gpu_hour,
                "prices": [vars(p) for p in hardware.prices_for(accelerator)]}

    return {"accelerators": [entry(a) for a in hardware.accelerators]}
