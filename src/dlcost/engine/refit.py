"""Refitting eq. (1) on observed outcomes, and validating a model on them.

The paper fitted its GLM with statsmodels OLS on log10(error) (seed 000,
"Regression Model"); so does :func:`fit_error_model`, with the same regressors:
intercept, log10(data), Pretrain x log10(data), RC and Type. statsmodels is
imported only when used.

Validation is leave-one-dataset-out: each dataset's observations are predicted
by a model fitted without them (Table 2 of seed 000 is the paper's own check).
Datasets are grouped by name with a trailing parenthetical removed, so
"CIFAR-100 (VTAB-1k)" and "CIFAR-100 (VTAB full)" are one dataset.

Eq. (1) has terms for classification and segmentation only: :func:`design` refuses a
detection observation, and callers leave them out first with :func:`eq1_observations`.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass

import numpy as np

from dlcost import catalog
from dlcost.catalog import COEFFICIENT_ORDER, CoefficientRow, ErrorModel
from dlcost.core.accuracy import ErrorCoefficients
from dlcost.core.checks import InputError
from dlcost.engine.complexity import relative_complexity_of
from dlcost.iotools.observations_csv import parse_observations_csv
from dlcost.schemas.observation import Observation

__all__ = [
    "example_observations",
    "corpus_observations",
    "eq1_observations",
    "EQ1_TASKS",
    "design",
    "fit_error_model",
    "fit_design",
    "validation_predictions",
    "validate",
    "dataset_group",
    "FitResult",
    "ValidationRow",
    "validation_summary",
]

REGRESSORS = {
    "intercept": "Intercept",
    "log_data": "log10(datapoints)",
    "pretrain_log_data": "Pretrain * log10(datapoints)",
    "complexity": "Relative complexity (RC)",
    "segmentation": "Type (1 = semantic segmentation)",
}
#: The tasks eq. (1) models (Type = 1 for segmentation); observations of any other task are left out of fits.
EQ1_TASKS = ("classification", "segmentation")


def example_observations() -> list[Observation]:
    """The shipped observations: Table 2 of seed 000 and 36 published VTAB ResNet-50 results."""
    paper = [
        Observation(
            dataset=case["case"], task=case["task"], n_train=case["n_train"],
            relative_complexity=case["relative_complexity"], pretrained=case["pretrained"],
            metric_name="accuracy", metric_value=1.0 - case["observed_error"], source=case["source"],
            notes="IBM client test case (seed 000, Table 2): observed error as printed, whole percent",
        )
        for case in catalog.paper_cases()
    ]
    return paper + parse_observations_csv(catalog.shipped_observations_csv())


def corpus_observations() -> list[Observation]:
    """Every shipped observation: :func:`example_observations` (Table 2 of seed 000 and
    ``vtab_calibration.csv``) and the 615 rows of ``public_corpus.csv`` (657 in all).

    What ``dlcost observation import --examples`` stores. It holds detection results,
    which eq. (1) cannot fit: see :func:`eq1_observations`.
    """
    return example_observations() + parse_observations_csv(catalog.public_corpus_csv())


def eq1_observations(observations) -> tuple[list, str | None]:
    """The observations eq. (1) can be fitted on (tasks ``EQ1_TASKS``), and a note on those left out (None: none were).

    ``observations`` are Observations or rows with their fields (``task`` at least).
    """
    observations = list(observations)
    kept = [o for o in observations if o.task in EQ1_TASKS]
    left_out = len(observations) - len(kept)
    if not left_out:
        return kept, None
    return kept, (f"{left_out} detection observation{'s' if left_out != 1 else ''} left out: "
                  "eq. (1) has no detection term")


def dataset_group(name: str) -> str:
    """The dataset an observation belongs to for grouped validation."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip().lower()


def design(observations: list[Observation]) -> tuple[np.ndarray, np.ndarray]:
    """Regressors (n x 5, order of ``COEFFICIENT_ORDER``) and log10(error) of observations.

    Raises :class:`InputError` for a detection observation (eq. (1) has no term for it;
    leave such observations out with :func:`eq1_observations`).
    """
    count = len(observations)
    other = next((o for o in observations if o.task not in EQ1_TASKS), None)
    if other is not None:
        raise InputError("observations",
            f"observations: eq. (1) has no {other.task} term; got a {other.task} observation ({other.dataset!r}). "
            "Filter them out (--observations task=classification or task=segmentation).")
    log_n = np.log10(np.fromiter((o.n_train for o in observations), dtype=float, count=count))
    pretrained = np.fromiter((o.pretrained for o in observations), dtype=float, count=count)
    segmentation = np.fromiter((o.task == "segmentation" for o in observations), dtype=float, count=count)
    seen: dict = {}  # observations of one dataset share their classes: RC once per distinct set
    complexity = np.fromiter((_complexity(o, seen) for o in observations), dtype=float, count=count)
    x = np.column_stack([np.ones(count), log_n, log_n * pretrained, complexity, segmentation])
    error = 1.0 - np.fromiter((o.metric_value for o in observations), dtype=float, count=count)
    return x, np.log10(error)


def _complexity(observation: Observation, seen: dict) -> float:
    counts = observation.class_counts
    key = (observation.n_classes, None if counts is None else tuple(counts), observation.relative_complexity)
    if key not in seen:
        seen[key] = relative_complexity_of(observation)
    return seen[key]


@dataclass(frozen=True)
class FitResult:
    """An OLS refit of eq. (1)."""

    model: ErrorModel
    held: dict  # coefficient name -> value held fixed (not estimated)
    notes: list
    covariate_test: dict | None = None  # the dataset distance's test (dlcost.engine.covariate), reported beside the fit

    def to_dict(self) -> dict:
        return {
            "name": self.model.name,
            "coefficients": [
                {"name": row.name, "regressor": row.regressor, "coef": row.coef, "std_err": row.std_err, "t": row.t,
                 "p": row.p, "ci_low": row.ci_low, "ci_high": row.ci_high, "held": row.name in self.held}
                for row in self.model.table
            ],
            "r2": self.model.r2,
            "n": self.model.n,
            "residual_variance": self.model.residual_variance,
            "df_resid": self.model.df_resid,
            "covariance": [list(row) for row in self.model.covariance],
            "notes": self.notes,
            "covariate_test": self.covariate_test,
        }


def _singular_cause(x: np.ndarray, free: list[str]) -> str:
    column = {name: x[:, COEFFICIENT_ORDER.index(name)] for name in COEFFICIENT_ORDER}
    pretrained = column["pretrain_log_data"] != 0
    if "pretrain_log_data" in free and (pretrained.all() or not pretrained.any()):
        which = "pretrained" if pretrained.all() else "trained from scratch"
        return (f"every observation is {which}: log10(data) and Pretrain x log10(data) cannot be told apart; "
                "add observations of the other kind")
    if np.ptp(column["log_data"]) == 0:
        return "every observation has the same data size: the data slope cannot be fitted; add other sizes"
    if "complexity" in free and np.ptp(column["complexity"]) == 0:
        return "every observation has the same relative complexity: its coefficient cannot be fitted; add other class counts"
    return "the regressors are linearly dependent; add observations that vary data size, pretraining and classes independently"


def fit_error_model(observations: list[Observation], name: str, hold: dict | None = None) -> FitResult:
    """OLS of log10(error) on the paper's regressors (statsmodels, as the paper did).

    Type (segmentation) is held at the published 0.622 when every observation has
    the same task, since it cannot be estimated then; ``hold`` holds any other
    coefficient at a given value. Raises ``ValueError`` naming the cause for too
    few observations or a singular design.
    """
    x, y = design(observations)
    return fit_design(x, y, name, hold)


def fit_design(x: np.ndarray, y: np.ndarray, name: str, hold: dict | None = None) -> FitResult:
    """:func:`fit_error_model` on a design already built (regressors ``x``, log10 errors ``y``)."""
    import statsmodels.api as sm

    hold = dict(hold or {})
    notes = []
    if len(x) and np.ptp(x[:, 4]) == 0 and "segmentation" not in hold:
        hold["segmentation"] = catalog.error_coefficients().segmentation
        task = "segmentation" if x[0, 4] else "classification"
        notes.append(f"every observation is {task}: Type held at the published {hold['segmentation']} (Table 1)")
    free = [name_ for name_ in COEFFICIENT_ORDER if name_ not in hold]
    if len(x) <= len(free):
        raise InputError("observations",
            f"observations: a fit of {len(free)} coefficients needs more than {len(free)} observations; got {len(x)}."
        )
    offset = sum(value * x[:, COEFFICIENT_ORDER.index(key)] for key, value in hold.items()) if hold else 0.0
    columns = [COEFFICIENT_ORDER.index(key) for key in free]
    design_free = x[:, columns]
    if np.linalg.matrix_rank(design_free) < len(free):
        raise InputError("observations", f"observations: singular design: {_singular_cause(x, free)}.")
    fit = sm.OLS(y - offset, design_free).fit()
    intervals = np.asarray(fit.conf_int(0.05))
    estimates = dict(zip(free, fit.params, strict=True))
    table = []
    covariance = np.zeros((5, 5))
    free_cov = np.asarray(fit.cov_params())
    for i, key in enumerate(free):
        for j, other in enumerate(free):
            covariance[COEFFICIENT_ORDER.index(key), COEFFICIENT_ORDER.index(other)] = free_cov[i, j]
    for key in COEFFICIENT_ORDER:
        if key in estimates:
            i = free.index(key)
            table.append(CoefficientRow(key, REGRESSORS[key], float(fit.params[i]), float(fit.bse[i]), float(fit.tvalues[i]),
                                        float(fit.pvalues[i]), float(intervals[i, 0]), float(intervals[i, 1])))
        else:
            value = float(hold[key])
            table.append(CoefficientRow(key, REGRESSORS[key] + " (held)", value, 0.0, None, None, value, value))
    coefficients = ErrorCoefficients(**{row.name: row.coef for row in table})
    model = ErrorModel(
        name=name, coefficients=coefficients, table=tuple(table), r2=float(fit.rsquared), n=int(fit.nobs),
        covariance=tuple(tuple(float(v) for v in row) for row in covariance),
        residual_variance=float(fit.scale), df_resid=float(fit.df_resid),
        description=f"OLS refit on {int(fit.nobs)} observations",
    )
    return FitResult(model=model, held=hold, notes=notes)


@dataclass(frozen=True)
class ValidationRow:
    """One held-out observation: observed and predicted error (Table 2's columns)."""

    case: str
    data: float
    relative_complexity: float
    pretrained: bool
    observed_error: float
    predicted_error: float

    @property
    def log10_ratio(self) -> float:
        return math.log10(self.predicted_error / self.observed_error)


def _predict(model: ErrorModel, x: np.ndarray) -> np.ndarray:
    coef = np.array([getattr(model.coefficients, key) for key in COEFFICIENT_ORDER])
    with np.errstate(over="ignore"):  # an absurd refit predicts inf: its residual says so
        return 10.0 ** (x @ coef)


def validate(observations: list[Observation], model: ErrorModel, refit: bool, hold: dict | None = None) -> list[ValidationRow]:
    """Predictions for every observation, leaving its dataset out of the fit when ``refit``.

    With ``refit`` False (the published model) the model is simply applied. Rows come
    dataset by dataset (sorted by group name), in the order of ``observations`` within one.
    """
    order, predicted, x, y = validation_predictions(observations, model, refit, hold)
    return [ValidationRow(observations[i].dataset, observations[i].n_train, float(x[i, 3]), observations[i].pretrained,
                          observations[i].error, float(p)) for i, p in zip(order.tolist(), predicted.tolist(), strict=True)]


def validation_predictions(observations: list[Observation], model: ErrorModel, refit: bool,
                           hold: dict | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What :func:`validate` computes, as arrays: the observation indices in row order, the
    predicted errors, and the design (regressors, log10 error) of every observation.

    The design and the groups are built once, so a refit costs one OLS per dataset however
    many observations there are (a million observations in 40 datasets: seconds).
    """
    x, y = design(observations)
    names: dict[str, str] = {}
    groups = np.array([names.setdefault(o.dataset, dataset_group(o.dataset)) for o in observations], dtype=object)
    order_parts, predicted_parts = [], []
    for group in sorted(set(names.values())):
        held_out = np.flatnonzero(groups == group)
        if refit:
            kept = groups != group
            fitted = fit_design(x[kept], y[kept], name=f"{model.name} without {group}", hold=hold).model
        else:
            fitted = model
        order_parts.append(held_out)
        predicted_parts.append(_predict(fitted, x[held_out]))
    if not order_parts:
        return np.zeros(0, dtype=int), np.zeros(0), x, y
    return np.concatenate(order_parts), np.concatenate(predicted_parts), x, y


def validation_summary(rows: list[ValidationRow]) -> dict:
    """Median |log10(predicted/observed)| and the share within a factor of 2."""
    ratios = [abs(row.log10_ratio) for row in rows]
    return {
        "n": len(rows),
        "median_abs_log10_ratio": statistics.median(ratios) if ratios else math.nan,
        "share_within_2x": sum(r <= math.log10(2) for r in ratios) / len(ratios) if ratios else math.nan,
    }
