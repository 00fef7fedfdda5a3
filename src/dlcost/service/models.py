"""Error models on the store's observations: fit (statsmodels OLS), validate, plot (Figure 3).

Eq. (1) has no detection term: fits and validations leave detection observations out,
with a note. The six Table 2 cases are added only where the store does not hold them
already (``observation import --examples`` stores them), so none counts twice.

A fit also tests seed 000's dataset distance as a covariate, on the observations that
carry one (:func:`dlcost.engine.covariate.distance_test`); the test is reported and saved
beside the model, which stays eq. (1) without it (a scenario has no distance to give it).
"""

from __future__ import annotations

from dataclasses import replace

from dlcost import catalog
from dlcost.core.checks import InputError
from dlcost.engine.covariate import distance_test
from dlcost.engine.refit import (
    FitResult, eq1_observations, example_observations, fit_error_model, validate, validation_summary,
)
from dlcost.schemas import Observation
from dlcost.service.workspace import as_observations
from dlcost.store import PUBLISHED_MODEL

__all__ = ["fit_and_save", "validate_model", "plot_model", "paper_case_observations", "saved_covariate_test", "PLOT_REFUSALS"]

#: Why a shipped model has no Figure 3 (the CLI and the web answer with these).
PLOT_REFUSALS = {
    PUBLISHED_MODEL: "model: paper-2024's data is not public; plot a fitted model (dlcost model fit NAME).",
    catalog.CORPUS_MODEL: "model: dlcost-2026 is not eq. (1), so Figure 3 does not apply; "
                          "see `dlcost model validate dlcost-2026` and docs/validation.md.",
}


def paper_case_observations() -> list[Observation]:
    """The six Table 2 cases of seed 000 as observations."""
    return [o for o in example_observations() if o.source.startswith("seed 000 Table 2")]


def fit_and_save(store, name: str, filters: dict, with_paper_cases: bool) -> FitResult:
    """Fit eq. (1) on the store's (filtered) observations and save it under ``name``."""
    if name == PUBLISHED_MODEL:
        raise InputError("name", "name 'paper-2024' is the published model and cannot be replaced; choose another name.")
    selected = store.observations(filters)
    rows, left_out = eq1_observations(selected)
    if selected and not rows and not with_paper_cases:
        raise InputError("observations", "observations: eq. (1) has no detection term and every selected observation is "
                                         "detection; select classification or segmentation ones (task=classification).")
    observations = as_observations(rows)
    observations = _with_paper_cases(observations) if with_paper_cases else observations
    result = fit_error_model(observations, name)
    test = distance_test(observations)
    notes = [*result.notes, *([left_out] if left_out else [])]
    if test["n"] and not test["tested"]:  # some carry a distance, too few (none at all: no note)
        notes.append(f"dataset_distance not tested as a covariate: {test['reason']}; the fit is eq. (1) without it")
    result = replace(result, notes=notes, covariate_test=test)
    document = result.to_dict()
    store.save_model(
        name,
        dict(
            coefficients=document["coefficients"], covariance=document["covariance"], r2=document["r2"], n=document["n"],
            residual_variance=document["residual_variance"], df_resid=document["df_resid"],
            observation_ids=[row.id for row in rows], selection={"filters": filters, "held": result.held},
            with_paper_cases=with_paper_cases, covariate_test=test,
        ),
    )
    return result


def saved_covariate_test(store, name: str) -> dict | None:
    """The dataset-distance test saved with a fitted model (None: a shipped model, or one fitted before the test existed)."""
    if name in catalog.SHIPPED_MODELS:
        return None
    return store.model(name).covariate_test


def _fitted_observations(store, name: str) -> tuple[list[Observation], dict]:
    row = store.model(name)
    wanted = set(row.observation_ids)
    observations = as_observations([r for r in store.observations() if r.id in wanted])
    if row.with_paper_cases:
        observations = _with_paper_cases(observations)
    return observations, row.selection.get("held", {})


def _with_paper_cases(observations: list[Observation]) -> list[Observation]:
    """``observations`` and those of the six Table 2 cases they do not hold already."""
    cases = paper_case_observations()
    sources = {case.source for case in cases}
    held = [o for o in observations if o.source in sources]
    return observations + [case for case in cases if case not in held]


def _corpus_validation(recompute: bool) -> dict:
    """dlcost-2026's held-out scores on the shipped corpus: from its model file, or refitted (with every case)."""
    from dlcost.service.corpus_model import validation_report

    model = catalog.error_model(catalog.CORPUS_MODEL)
    if recompute:
        live = validation_report()
        comparison = {by: live[by]["scores"] for by in ("dataset", "source")}
        cases = live["dataset"]["cases"]
        notes = ["left out of the fit: " + "; ".join(f"{k} ({v})" for k, v in sorted(live["left_out"].items()))]
    else:
        comparison, cases = model.validation, []
        notes = ["figures from the shipped model file (scripts/fit_dlcost_2026.py); "
                 "`dlcost model validate dlcost-2026 --recompute` refits them and lists every case"]
    headline = comparison["dataset"]["dlcost-2026"]["all"]
    return {
        "model": model.name,
        "method": "leave-one-dataset-out on the shipped corpus: each dataset predicted by a MixedLM fit without it",
        "notes": notes, "cases": cases, "comparison": comparison,
        "n": headline["n"], "median_abs_log10_ratio": headline["median_abs_log10_ratio"],
        "share_within_2x": headline["share_within_2x"],
    }


def validate_model(store, name: str, recompute: bool = False) -> dict:
    """Table 2-style validation: leave-one-dataset-out refits for a fitted model; for
    paper-2024, its predictions on every stored observation plus Table 2; for dlcost-2026,
    its held-out scores on the shipped corpus against the eq. (1) refit and paper-2024
    (``comparison``; refitted when ``recompute``)."""
    if name == catalog.CORPUS_MODEL:
        return _corpus_validation(recompute)
    notes = []
    if name == PUBLISHED_MODEL:
        stored, left_out = eq1_observations(store.observations())
        notes += [left_out] if left_out else []
        rows = validate(_with_paper_cases(as_observations(stored)), catalog.error_model(), refit=False)
        method = "published coefficients applied to every observation (no refit)"
    else:
        observations, held = _fitted_observations(store, name)
        rows = validate(observations, store.error_model(name), refit=True, hold=held)
        method = "leave-one-dataset-out: each dataset predicted by a refit without it"
    return {
        "model": name,
        "method": method,
        "notes": notes,
        "cases": [
            {"case": r.case, "data": r.data, "relative_complexity": r.relative_complexity, "pretrained": r.pretrained,
             "observed_error": r.observed_error, "predicted_error": r.predicted_error, "log10_ratio": r.log10_ratio}
            for r in rows
        ],
        **validation_summary(rows),
    }


def plot_model(store, name: str, path) -> None:
    """Figure 3 (partial regression grid) on the observations a model was fitted on."""
    from dlcost.reports.plots import partial_regression_png

    if name in PLOT_REFUSALS:
        raise InputError("name", PLOT_REFUSALS[name])
    observations, held = _fitted_observations(store, name)
    partial_regression_png(observations, path, hold=held)
