"""Seed 000's dataset distance tested as a covariate of eq. (1), as the paper did.

Seed 000 ("Regression Equation Setup") fitted eq. (1) with the dataset distance as one more
regressor and dropped it: it "repeatedly failed to meet our statistical significance threshold
of 0.05" on the paper's small data. :func:`distance_test` repeats that test on the user's
observations: OLS of log10(error) on eq. (1)'s regressors plus the distance (a linear term,
like RC), on the observations that carry one, and the distance's t test at ``ALPHA``.

It is a test reported beside the fit, not a model: the estimator's scenario has no dataset
distance, so the model saved and used for estimates stays eq. (1) without it (see
docs/validation.md, "Dataset distance").

The test needs at least ``MIN_OBSERVATIONS`` observations with a distance, from at least
``MIN_DATASETS`` datasets: a distance is one value per dataset (its images against the
pre-training data), so its coefficient rests on the number of datasets, not of rows.
Fewer, or a distance that the other regressors determine, and the result says why it was
not tested; the fit goes on without it.

The test is at the dataset level (see ``_ols``): observations of one dataset share its
distance, so it rests on the datasets, not the rows. With few datasets it has little power: read a result on
three or four datasets as a hint, not a finding.
"""

from __future__ import annotations

import math

import numpy as np

from dlcost import catalog
from dlcost.catalog import COEFFICIENT_ORDER
from dlcost.engine.refit import REGRESSORS, design, dataset_group

__all__ = ["distance_test", "COVARIATE", "MIN_OBSERVATIONS", "MIN_DATASETS", "ALPHA"]

#: The observation field tested.
COVARIATE = "dataset_distance"
#: Fewest observations with a distance, and fewest datasets among them, for the test to run.
MIN_OBSERVATIONS = 8
MIN_DATASETS = 5
#: The significance threshold of seed 000. [probability]
ALPHA = 0.05
_REGRESSOR = "Dataset distance (seed 000)"


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _untested(base: dict, reason: str) -> dict:
    return {**base, "tested": False, "reason": reason}


def distance_test(observations, hold: dict | None = None) -> dict:
    """The t test of the dataset distance added to eq. (1), on the observations that carry one.

    Parameters
    ----------
    observations : list of Observation
        Those eq. (1) is fitted on (classification and segmentation); only those with a
        ``dataset_distance`` enter the test.
    hold : dict, optional
        Coefficients held fixed, as in :func:`dlcost.engine.refit.fit_error_model`; Type
        is held at the published value when the observations tested share one task.

    Returns
    -------
    covariate_test : dict
        ``tested`` (bool), ``reason`` (why not, else None), ``n`` and ``n_datasets`` (the
        observations with a distance and their datasets), the rule (``min_observations``,
        ``min_datasets``, ``alpha``) and, when tested, the distance's ``coef`` [log10(error)
        per embedding unit], ``std_err``, ``t``, ``p``, ``ci_low``, ``ci_high``,
        ``significant`` (p < alpha), ``r2`` with the distance and ``r2_without`` it on the
        same observations, and the whole fit's ``coefficients``.
    """
    tested = [o for o in observations if o.dataset_distance is not None]
    datasets = {dataset_group(o.dataset) for o in tested}
    base = {"covariate": COVARIATE, "regressor": _REGRESSOR, "n": len(tested), "n_datasets": len(datasets),
            "min_observations": MIN_OBSERVATIONS, "min_datasets": MIN_DATASETS, "alpha": ALPHA}
    if not tested:
        return _untested(base, "no fitted observation has a dataset_distance")
    if len(tested) < MIN_OBSERVATIONS or len(datasets) < MIN_DATASETS:
        rows = "1 fitted observation has" if len(tested) == 1 else f"{len(tested)} fitted observations have"
        return _untested(base, f"{rows} a dataset_distance, from {len(datasets)} dataset{'s' if len(datasets) != 1 else ''}; "
                               f"the test needs at least {MIN_OBSERVATIONS} from at least {MIN_DATASETS} datasets")
    x, y = design(tested)
    hold = dict(hold or {})
    if np.ptp(x[:, 4]) == 0 and "segmentation" not in hold:
        hold["segmentation"] = catalog.error_coefficients().segmentation
    free = [name for name in COEFFICIENT_ORDER if name not in hold]
    offset = sum(value * x[:, COEFFICIENT_ORDER.index(key)] for key, value in hold.items()) if hold else 0.0
    without = x[:, [COEFFICIENT_ORDER.index(key) for key in free]]
    distance = np.fromiter((o.dataset_distance for o in tested), dtype=float, count=len(tested))
    regressors = np.column_stack([without, distance])
    if len(tested) <= regressors.shape[1]:
        return _untested(base, f"a fit of {regressors.shape[1]} coefficients needs more than {regressors.shape[1]} "
                               f"observations with a dataset_distance; got {len(tested)}")
    if np.linalg.matrix_rank(without) < len(free):
        return _untested(base, "eq. (1) is singular on the observations with a dataset_distance (vary data size, "
                               "pretraining and classes among them)")
    if np.linalg.matrix_rank(regressors) < regressors.shape[1]:
        return _untested(base, "the dataset_distance is a linear function of eq. (1)'s regressors on these observations "
                               "(e.g. one value for all of them)")
    groups = np.unique([dataset_group(o.dataset) for o in tested], return_inverse=True)[1]
    return {**base, "tested": True, "reason": None, **_ols(y - offset, regressors, without, free, hold, groups)}


def _ols(y: np.ndarray, regressors: np.ndarray, without: np.ndarray, free: list[str], hold: dict, groups: np.ndarray) -> dict:
    """The distance's test, and both fits' R2 on the rows.

    A distance is one value per dataset, and a dataset's rows share its other departures from
    eq. (1), so the rows are not independent tests of it (plain OLS on the rows, 4 datasets and no
    effect, called it significant in more than half of the simulations). The test is therefore at
    the dataset level: eq. (1) is fitted without the distance, each dataset's mean residual is
    regressed on its distance, and the slope's t has n_datasets - 2 degrees of freedom. The row-level
    fit with the distance gives the coefficient table and R2.
    """
    import statsmodels.api as sm

    fit = sm.OLS(y, regressors).fit()
    intervals = np.asarray(fit.conf_int(ALPHA))
    names = [*free, COVARIATE]
    coefficients = [
        {"name": name, "regressor": _REGRESSOR if name == COVARIATE else REGRESSORS[name], "coef": _finite(fit.params[i]),
         "std_err": _finite(fit.bse[i]), "t": _finite(fit.tvalues[i]), "p": _finite(fit.pvalues[i]),
         "ci_low": _finite(intervals[i, 0]), "ci_high": _finite(intervals[i, 1]), "held": False}
        for i, name in enumerate(names)
    ]
    coefficients += [{"name": key, "regressor": REGRESSORS[key] + " (held)", "coef": float(value), "std_err": 0.0, "t": None,
                      "p": None, "ci_low": float(value), "ci_high": float(value), "held": True} for key, value in hold.items()]
    first = sm.OLS(y, without).fit()
    count = np.bincount(groups)
    mean_residual = np.bincount(groups, weights=first.resid) / count
    distance = np.bincount(groups, weights=regressors[:, -1]) / count
    second = sm.OLS(mean_residual, sm.add_constant(distance, has_constant="add")).fit()
    low, high = np.asarray(second.conf_int(ALPHA))[1]
    p = _finite(second.pvalues[1])
    return {
        "coef": _finite(second.params[1]), "std_err": _finite(second.bse[1]), "t": _finite(second.tvalues[1]), "p": p,
        "ci_low": _finite(low), "ci_high": _finite(high), "df": int(second.df_resid),
        "test": "dataset level: each dataset's mean residual of eq. (1) on its distance (t on n_datasets - 2 df)",
        "significant": p is not None and p < ALPHA,
        "r2": _finite(fit.rsquared), "r2_without": _finite(first.rsquared),
        "coefficients": coefficients,
    }
