"""dlcost-2026: the chance-bounded error model fitted on observations, and its validation.

:func:`features` turns observations into the regressors of
:mod:`dlcost.core.bounded_error`; :func:`fit_bounded` fits the mixed model (statsmodels
MixedLM, REML: fixed effects, and a random intercept and data slope per dataset);
:func:`cross_validate` leaves whole datasets, or whole sources, out and scores the
held-out predictions of dlcost-2026, of paper-2024 and of an OLS refit of eq. (1)'s form.

Rules that decide what an observation says (each is named in docs/validation.md):

- The pretraining kind: none when not pretrained; a VTAB method's kind from its name in
  the notes ("VTAB method Rotation;" is self-supervised, see :data:`VTAB_KINDS`); else supervised.
- The backbone's ImageNet top-1: the longest backbone name of ``catalog/backbones.csv``
  found in the architecture (22K-pretrained when the notes say ImageNet-22K), else the
  architecture catalog's top-1; an observation without an architecture is taken at the
  reference (ResNet-50); an architecture found in neither is an error.
- Left out of the fit, with the reason: AUC rows (not an error rate), semi-supervised
  training on unlabelled images (the labelled count understates the data), rows whose
  pretraining the source does not state, and ImageNet-1k rows (their top-1 is the covariate).
- The dataset of an observation: its name without a "VTAB/" prefix or a trailing
  parenthetical, lower case; every COCO 2017 split is one dataset ("coco 2017").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from dlcost import catalog
from dlcost.core import bounded_error as be
from dlcost.core.checks import InputError
from dlcost.engine.complexity import baseline_entropy_nats, relative_complexity_of

__all__ = ["VTAB_KINDS", "left_out_reason", "Features", "features", "fit_bounded", "FittedBounded", "cross_validate", "dataset_key",
           "source_key", "backbone_top1", "pretraining_kind", "Z_CLIP"]

#: The pretraining kind of each VTAB method (Zhai et al. 2019, Table 1's groups).
VTAB_KINDS = {
    "Cond-BigGAN": "generative", "Uncond-BigGAN": "generative", "VAE": "generative", "WAE-GAN": "generative",
    "WAE-MMD": "generative", "WAE-UKL": "generative", "Exemplar": "self-supervised", "Jigsaw": "self-supervised",
    "Rel.Pat.Loc": "self-supervised", "Rotation": "self-supervised", "Semi-Exemplar-10%": "semi-supervised",
    "Semi-Rotation-10%": "semi-supervised", "Sup-Exemplar-100%": "supervised", "Sup-Rotation-100%": "supervised",
}
#: error / chance is clipped to [Z_CLIP, 1 - Z_CLIP] before the logit (a 0% error on a held-out set
#: would be an infinite z). [fraction]
Z_CLIP = 1e-3
_VTAB_METHOD = re.compile(r"VTAB method ([^;]+);")


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def dataset_key(name: str) -> str:
    """The dataset an observation belongs to for grouped validation and the random effect."""
    key = re.sub(r"\s*\([^)]*\)\s*$", "", re.sub(r"^vtab/", "", name.strip().lower())).strip()
    return "coco 2017" if key.startswith("coco 2017") else key


def source_key(source: str) -> str:
    """The publisher of an observation: a repository (owner/name), a PMC article, seed 000, VTAB."""
    if "task_adaptation" in source or "VTAB" in source:
        return "google-research/task_adaptation (VTAB)"
    if source.startswith("seed 000"):
        return "seed 000 Table 2"
    repo = re.match(r"([\w.-]+/[\w.-]+)", source)
    if repo:
        return repo.group(1)
    pmc = re.search(r"PMC\d+", source)
    return pmc.group(0) if pmc else (source[:60] or "(no source)")


def pretraining_kind(pretrained: bool, notes: str) -> str:
    """none, supervised, or a VTAB method's kind (semi-supervised, self-supervised, generative)."""
    if not pretrained:
        return "none"
    method = _VTAB_METHOD.search(notes or "")
    return VTAB_KINDS.get(method.group(1).strip(), "supervised") if method else "supervised"


def _backbones() -> list[tuple[str, str, float]]:
    rows = [(_normal(name), pretraining, top1) for name, pretraining, top1, _ in catalog.backbones()]
    return sorted(rows, key=lambda row: -len(row[0]))


_BACKBONES: list = []


def backbone_top1(architecture: str | None, notes: str = "") -> float | None:
    """ImageNet top-1 of an observation's backbone (None: not given, the reference is used). [fraction]"""
    if architecture is None or not architecture.strip():
        return None
    if not _BACKBONES:
        _BACKBONES.extend(_backbones())
    name, wide = _normal(architecture), "22k" in (notes or "").lower()
    matches = [row for row in _BACKBONES if row[0] in name]
    if matches:
        longest = [row for row in matches if len(row[0]) == len(matches[0][0])]
        chosen = next((row for row in longest if (row[1] == "ImageNet-22K") == wide), longest[0])
        return chosen[2]
    try:
        top1 = catalog.find_architecture(architecture).imagenet_top1
    except InputError:
        top1 = None
    if top1 is None:
        raise InputError("architecture", f"architecture {architecture!r} has no ImageNet top-1: it is neither in "
                                         "catalog/backbones.csv nor a classification architecture of the catalog; "
                                         "leave architecture empty to take the reference (ResNet-50).")
    return top1


def left_out_reason(observation) -> str | None:
    """Why the fit leaves ``observation`` out (see the module docstring), or None."""
    notes = observation.notes or ""
    if "auc" in observation.metric_name.lower():
        return "AUC is not an error rate"
    if "semi-supervised" in notes and "VTAB method" not in notes:
        return "semi-supervised training on unlabelled images"
    if "pretraining not stated" in notes:
        return "pretraining not stated by the source"
    if dataset_key(observation.dataset) == "imagenet-1k":
        return "ImageNet-1k rows: their top-1 is the backbone covariate"
    return None


@dataclass
class Features:
    """The regressors and outcome of the observations a fit uses, and what was left out."""

    x: np.ndarray  # n x len(REGRESSORS)
    z: np.ndarray  # logit(error / chance), clipped
    log10_error: np.ndarray
    chance: np.ndarray
    datasets: np.ndarray  # dataset_key per row (object)
    sources: np.ndarray  # source_key per row (object)
    kinds: np.ndarray
    observations: list
    left_out: dict = field(default_factory=dict)  # reason -> count

    def __len__(self) -> int:
        return len(self.z)


def features(observations) -> Features:
    """The regressors of every observation the fit may use (the others counted in ``left_out``)."""
    baseline = baseline_entropy_nats()
    rows, left_out = [], {}
    for index, observation in enumerate(observations):
        reason = left_out_reason(observation)
        if reason:
            left_out[reason] = left_out.get(reason, 0) + 1
            continue
        try:
            top1 = backbone_top1(observation.architecture, observation.notes)
        except InputError as error:
            raise InputError("architecture", f"observation {index + 1} ({observation.dataset}): {error.message}") from None
        rc = relative_complexity_of(observation)
        chance = be.chance_error(observation.task, rc * baseline)
        kind = pretraining_kind(observation.pretrained, observation.notes)
        x = be.regressors(observation.n_train, rc, observation.pretrained, observation.task, top1, kind)
        rows.append((x, observation.error, chance, dataset_key(observation.dataset), source_key(observation.source), kind,
                     observation))
    if not rows:
        return Features(np.zeros((0, len(be.REGRESSORS))), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, object),
                        np.zeros(0, object), np.zeros(0, object), [], left_out)
    x = np.vstack([row[0] for row in rows])
    error = np.array([row[1] for row in rows])
    chance = np.array([row[2] for row in rows])
    share = np.clip(error / chance, Z_CLIP, 1.0 - Z_CLIP)
    return Features(x, np.log(share) - np.log1p(-share), np.log10(error), chance,
                    np.array([row[3] for row in rows], dtype=object), np.array([row[4] for row in rows], dtype=object),
                    np.array([row[5] for row in rows], dtype=object), [row[6] for row in rows], left_out)


@dataclass(frozen=True)
class FittedBounded:
    """A MixedLM fit: the model, the standard errors, and which regressors it could not estimate."""

    model: be.BoundedModel
    std_errors: tuple
    held_at_zero: tuple  # regressors the data could not identify (0, not estimated)
    n_observations: int
    n_datasets: int
    converged: bool


def _identifiable(x: np.ndarray) -> list[int]:
    keep: list[int] = []
    for column in range(x.shape[1]):
        trial = x[:, keep + [column]]
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            keep.append(column)
    return keep


def fit_bounded(data: Features, random_slope: bool = True) -> FittedBounded:
    """REML fit of z on the regressors with a random intercept (and data slope) per dataset.

    Raises InputError for fewer than 2 datasets (the dataset spread cannot be estimated)
    or no more observations than regressors.
    """
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM

    groups = np.asarray(data.datasets)
    n_datasets = len(set(groups.tolist()))
    if n_datasets < 2:
        raise InputError("observations", f"observations: a fit of dlcost-2026 needs at least 2 datasets (the spread between "
                                         f"datasets is part of the model); got {n_datasets}.")
    keep = _identifiable(data.x)
    if len(data) <= len(keep) + 3:
        raise InputError("observations", f"observations: a fit of {len(keep)} coefficients and the dataset spread needs more "
                                         f"than {len(keep) + 3} observations; got {len(data)}.")
    exog_re = data.x[:, :2] if random_slope and np.ptp(data.x[:, 1]) > 0 else data.x[:, :1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; `converged` reports the outcome
        result = MixedLM(data.z, data.x[:, keep], groups=groups, exog_re=exog_re).fit(reml=True, method=["lbfgs", "powell"])
    size = len(be.REGRESSORS)
    beta, se, covariance = np.zeros(size), np.zeros(size), np.zeros((size, size))
    fe = np.asarray(result.fe_params)
    fe_cov = np.asarray(result.cov_params())[: len(keep), : len(keep)]
    beta[keep] = fe
    se[keep] = np.sqrt(np.maximum(np.diag(fe_cov), 0.0))
    covariance[np.ix_(keep, keep)] = fe_cov
    g = np.zeros((2, 2))
    re_cov = np.asarray(result.cov_re)
    g[: re_cov.shape[0], : re_cov.shape[1]] = re_cov
    model = be.BoundedModel(tuple(map(float, beta)), tuple(tuple(map(float, row)) for row in covariance),
                            tuple(tuple(map(float, row)) for row in g), float(result.scale))
    held = tuple(be.REGRESSORS[i] for i in range(size) if i not in keep)
    return FittedBounded(model, tuple(map(float, se)), held, len(data), n_datasets, bool(result.converged))


# ----- validation ------------------------------------------------------------------------
Z80 = 1.2815515655446004  # standard normal 0.9 quantile: an 80% central interval


def _bounded_scores(model: be.BoundedModel, data: Features, rows: np.ndarray) -> dict:
    x = data.x[rows]
    mean = be.z_mean(model, x)
    sd = be.z_sd(model, x)
    predicted = np.maximum(1e-12, data.chance[rows] * 0.5 * (1.0 + np.tanh(0.5 * mean)))
    beta = model.beta()
    slope = beta[1] + beta[2] * x[:, 8] + beta[3] * x[:, 5]
    with np.errstate(divide="ignore"):
        width = np.where(slope < 0, 2 * Z80 * sd / np.abs(slope), np.inf)  # log10 images, at the observation
    covered = np.abs(data.z[rows] - mean) <= Z80 * sd
    return {"log10_ratio": np.log10(predicted) - data.log10_error[rows], "covered": covered, "width_log10": width,
            "predicted_error": predicted}


def _eq1_design(data: Features) -> np.ndarray:
    """Eq. (1)'s regressors (plus a detection Type) rebuilt from the bounded regressors."""
    log_n = data.x[:, 1] + be.LOG_DATA_CENTRE
    return np.column_stack([np.ones(len(data)), log_n, log_n * data.x[:, 8], data.x[:, 4], data.x[:, 5], data.x[:, 6]])


def _eq1_scores(beta: np.ndarray, residual_sd: float, data: Features, rows: np.ndarray, design: np.ndarray) -> dict:
    predicted = design[rows] @ beta
    slope = beta[1] + beta[2] * data.x[rows, 8]
    with np.errstate(divide="ignore"):
        width = np.where(slope < 0, 2 * Z80 * residual_sd / np.abs(slope), np.inf)
    ratio = predicted - data.log10_error[rows]
    return {"log10_ratio": ratio, "covered": np.abs(ratio) <= Z80 * residual_sd, "width_log10": width}


def _paper_scores(data: Features, rows: np.ndarray, design: np.ndarray) -> dict:
    from dlcost.engine.uncertainty import default_calibration

    coefficients = catalog.error_coefficients("paper-2024")
    beta = np.array([coefficients.intercept, coefficients.log_data, coefficients.pretrain_log_data, coefficients.complexity,
                     coefficients.segmentation, coefficients.segmentation])  # detection taken as Type = 1 (dense task)
    calibration = default_calibration(catalog.error_model("paper-2024"), 0.8)
    ratio = design[rows] @ beta - data.log10_error[rows]
    slope = beta[1] + beta[2] * data.x[rows, 8]
    width = (calibration.high_log10 - calibration.low_log10) / np.abs(slope)
    covered = (-ratio >= calibration.low_log10) & (-ratio <= calibration.high_log10)
    return {"log10_ratio": ratio, "covered": covered, "width_log10": width}


def _summary(parts: list[dict], kinds: np.ndarray | None = None, only: tuple | None = None) -> dict:
    ratio = np.concatenate([p["log10_ratio"] for p in parts]) if parts else np.zeros(0)
    covered = np.concatenate([p["covered"] for p in parts]) if parts else np.zeros(0, bool)
    width = np.concatenate([p["width_log10"] for p in parts]) if parts else np.zeros(0)
    if only is not None:
        mask = np.isin(kinds, only)
        ratio, covered, width = ratio[mask], covered[mask], width[mask]
    absolute = np.abs(ratio)
    return {
        "n": int(len(ratio)),
        "median_abs_log10_ratio": float(np.median(absolute)) if len(ratio) else math.nan,
        "share_within_2x": float(np.mean(absolute <= math.log10(2))) if len(ratio) else math.nan,
        "coverage_80": float(np.mean(covered)) if len(ratio) else math.nan,
        "median_data_range_factor": float(10 ** min(300.0, np.median(width))) if len(width) else math.nan,
    }


def cross_validate(data: Features, by: str = "dataset", models=("dlcost-2026", "eq1-refit", "paper-2024"),
                   random_slope: bool = True) -> dict:
    """Held-out scores of each model, leaving one dataset (``by='dataset'``) or one source out.

    Returns ``{model: {"all": summary, "supervised_or_none": summary}}``; a summary has the
    median |log10(predicted/observed error)|, the share within 2x, the coverage of the 80%
    interval, and the median factor (high/low) of the 80% data-needed range, each over the
    held-out observations. Folds whose training part has a single dataset are skipped (named).
    """
    import statsmodels.api as sm

    keys = data.datasets if by == "dataset" else data.sources
    design = _eq1_design(data)
    parts: dict = {name: [] for name in models}
    order, skipped = [], []
    for key in sorted(set(keys.tolist())):
        held = np.flatnonzero(keys == key)
        kept = np.flatnonzero(keys != key)
        train = Features(data.x[kept], data.z[kept], data.log10_error[kept], data.chance[kept], data.datasets[kept],
                         data.sources[kept], data.kinds[kept], [])
        if len(set(train.datasets.tolist())) < 2:
            skipped.append(key)
            continue
        order.append(held)
        if "dlcost-2026" in parts:
            parts["dlcost-2026"].append(_bounded_scores(fit_bounded(train, random_slope).model, data, held))
        if "eq1-refit" in parts:
            columns = _identifiable(design[kept])
            fit = sm.OLS(data.log10_error[kept], design[kept][:, columns]).fit()
            beta = np.zeros(design.shape[1])
            beta[columns] = fit.params
            parts["eq1-refit"].append(_eq1_scores(beta, math.sqrt(fit.scale), data, held, design))
        if "paper-2024" in parts:
            parts["paper-2024"].append(_paper_scores(data, held, design))
    kinds = np.concatenate([data.kinds[rows] for rows in order]) if order else np.zeros(0, object)
    cases = []
    if "dlcost-2026" in parts and order:
        held_rows = np.concatenate(order)
        predicted = np.concatenate([p["predicted_error"] for p in parts["dlcost-2026"]])
        for row, value in zip(held_rows.tolist(), predicted.tolist(), strict=True):
            observation = data.observations[row] if data.observations else None
            cases.append({"case": data.datasets[row] if observation is None else observation.dataset,
                          "data": float(10 ** (data.x[row, 1] + be.LOG_DATA_CENTRE)), "relative_complexity": float(data.x[row, 4]),
                          "pretrained": bool(data.x[row, 8]), "kind": str(data.kinds[row]),
                          "observed_error": float(10 ** data.log10_error[row]), "predicted_error": float(value),
                          "log10_ratio": float(math.log10(value) - data.log10_error[row])})
    return {
        "by": by, "folds": len(order), "skipped": skipped, "cases": cases,
        "scores": {name: {"all": _summary(p), "supervised_or_none": _summary(p, kinds, ("supervised", "none"))}
                   for name, p in parts.items()},
    }

