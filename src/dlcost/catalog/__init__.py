"""Dated, cited data files and the only code that reads them.

- ``architectures.csv``: parameters, forward FLOPs, resolution, ImageNet top-1 and
  the source of every number (see docs/catalog-architectures.md).
- ``coefficients.toml``: Table 1 of seed 000 and the range it was fitted on.
- ``defaults.toml``: every default input, with its source.
- ``paper_cases.csv``: Table 2 of seed 000 (the paper's test cases).
"""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from dlcost.core.checks import InputError

if TYPE_CHECKING:
    from dlcost.core.accuracy import ErrorCoefficients

__all__ = [
    "Architecture",
    "CoefficientRow",
    "architectures",
    "find_architecture",
    "business_examples",
    "coefficient_table",
    "error_coefficients",
    "error_model",
    "ErrorModel",
    "COEFFICIENT_ORDER",
    "defaults",
    "fitted_range",
    "paper_cases",
    "shipped_observations_csv",
    "backbones",
    "public_corpus_csv",
    "DEFAULT_MODEL",
    "CORPUS_MODEL",
    "SHIPPED_MODELS",
    "default_model",
    "BOUNDED_REGRESSOR_LABELS",
]

DEFAULT_MODEL = "paper-2024"
#: The chance-bounded model fitted on the shipped corpus (``dlcost_2026.toml``, scripts/fit_dlcost_2026.py).
CORPUS_MODEL = "dlcost-2026"
#: Every model shipped with the package.
SHIPPED_MODELS = (CORPUS_MODEL, DEFAULT_MODEL)


def default_model(cost_mode: str | None = None) -> str:
    """The model an answer uses when none is named or made active: paper-2024 in paper mode (the
    paper's own model, so Figure 2 reproduces), else dlcost-2026 (docs/validation.md)."""
    return DEFAULT_MODEL if cost_mode == "paper" else CORPUS_MODEL
COEFFICIENT_ORDER = _COEFFICIENT_ORDER = ("intercept", "log_data", "pretrain_log_data", "complexity", "segmentation")


def _read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Architecture:
    """One row of the architecture catalog."""

    name: str
    aliases: tuple[str, ...]
    family: str
    task: str
    in_paper: bool
    default_candidate: bool
    n_parameters: int
    forward_gflops: float
    resolution_px: int
    imagenet_top1: float | None
    variant: str
    torchvision_builder: str
    timm_name: str
    source_parameters: str
    source_flops: str
    source_top1: str
    notes: str
    forward_activations_m: float | None = None
    source_activations: str = ""

    def to_dict(self) -> dict:
        record = asdict(self)
        record["aliases"] = list(self.aliases)
        return record


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _to_bool(text: str) -> bool:
    return text.strip().lower() in {"true", "yes", "1"}


@cache
def architectures() -> tuple[Architecture, ...]:
    """All catalog rows, in file order (the paper's list first)."""
    rows = csv.DictReader(_read_text("architectures.csv").splitlines())
    activations = {row["architecture"]: row for row in csv.DictReader(_read_text("activations.csv").splitlines())}
    return tuple(
        Architecture(
            name=row["name"],
            aliases=tuple(alias.strip() for alias in row["aliases"].split(";") if alias.strip()),
            family=row["family"],
            task=row["task"],
            in_paper=_to_bool(row["in_paper"]),
            default_candidate=_to_bool(row["default_candidate"]),
            n_parameters=int(row["n_parameters"]),
            forward_gflops=float(row["forward_gflops"]),
            resolution_px=int(row["resolution_px"]),
            imagenet_top1=float(row["imagenet_top1"]) if row["imagenet_top1"].strip() else None,
            variant=row["variant"],
            torchvision_builder=row["torchvision_builder"],
            timm_name=row["timm_name"],
            source_parameters=row["source_parameters"],
            source_flops=row["source_flops"],
            source_top1=row["source_top1"],
            notes=row["notes"],
            forward_activations_m=float(activations[row["name"]]["forward_activations_m"]) if row["name"] in activations else None,
            source_activations=activations[row["name"]]["source"] if row["name"] in activations else "",
        )
        for row in rows
    )


@cache
def _architecture_index() -> dict[str, Architecture]:
    index: dict[str, Architecture] = {}
    for architecture in architectures():
        for key in (architecture.name, *architecture.aliases):
            index.setdefault(_normalise(key), architecture)
    return index


def find_architecture(name: str, field: str = "architectures") -> Architecture:
    """The catalog row for a name or alias (case and punctuation ignored).

    Raises :class:`InputError` naming the closest catalog names when there is no match.
    """
    found = _architecture_index().get(_normalise(name))
    if found is not None:
        return found
    names = [architecture.name for architecture in architectures()]
    keys = {_normalise(key): arch.name for arch in architectures() for key in (arch.name, *arch.aliases)}
    close = difflib.get_close_matches(_normalise(name), list(keys), n=6, cutoff=0.5)
    suggestions = list(dict.fromkeys(keys[key] for key in close))[:3] or names[:3]
    raise InputError(field,
        f"{'architecture' if field == 'architectures' else field} must be a catalog name; got {name!r}. "
        f"Did you mean {', '.join(suggestions)}? (`dlcost architectures` lists all)"
    )


@dataclass(frozen=True)
class ErrorModel:
    """A coefficient set of eq. (1) with what is known of its uncertainty.

    ``covariance`` (5 x 5, order of ``ErrorCoefficients``), ``residual_variance``
    and ``df_resid`` are those of an OLS fit; the published model has standard
    errors only (Table 1), so its covariance is diagonal.
    """

    name: str
    coefficients: ErrorCoefficients
    table: tuple  # of CoefficientRow
    r2: float
    n: int
    covariance: tuple | None = None
    residual_variance: float | None = None
    df_resid: float | None = None
    description: str = ""
    bounded: object = None  # a dlcost.core.bounded_error.BoundedModel: the chance-bounded form (coefficients None)
    validation: dict | None = None  # held-out scores from the model file

    @property
    def form(self) -> str:
        """``eq1`` (seed 000's log-linear form) or ``bounded`` (dlcost-2026's chance-bounded logit)."""
        return "eq1" if self.bounded is None else "bounded"


@dataclass(frozen=True)
class CoefficientRow:
    """One row of a coefficient table like Table 1 of seed 000."""

    name: str
    regressor: str
    coef: float
    std_err: float
    t: float
    p: float
    ci_low: float
    ci_high: float


@cache
def _coefficients_file() -> dict:
    return tomllib.loads(_read_text("coefficients.toml"))


def coefficient_table(model: str = DEFAULT_MODEL) -> tuple[CoefficientRow, ...]:
    """The published coefficient table of a shipped model (Table 1 for paper-2024)."""
    if model == CORPUS_MODEL:
        return error_model(model).table
    models = _coefficients_file()["models"]
    if model not in models:
        raise InputError("model", f"model must be one of {', '.join(SHIPPED_MODELS)}; got {model!r}.")
    table = models[model]["coefficients"]
    return tuple(CoefficientRow(name=name, **table[name]) for name in _COEFFICIENT_ORDER)


def error_coefficients(model: str = DEFAULT_MODEL) -> ErrorCoefficients:
    """Eq. (1) coefficients of a shipped model."""
    from dlcost.core.accuracy import ErrorCoefficients  # numpy: imported when needed, so the CLI starts fast

    return ErrorCoefficients(**{row.name: row.coef for row in coefficient_table(model)})


#: What each regressor of dlcost-2026 is, as its coefficient table shows it.
BOUNDED_REGRESSOR_LABELS = {
    "intercept": "Intercept (1,000 images, from scratch, RC 0, classification, ResNet-50)",
    "log_data": "log10(datapoints) - 3",
    "pretrain_log_data": "Pretrain * (log10(datapoints) - 3)",
    "segmentation_log_data": "Type=segmentation * (log10(datapoints) - 3)",
    "complexity": "Relative complexity (RC)",
    "segmentation": "Type = semantic segmentation",
    "detection": "Type = detection",
    "imagenet_top1": "Backbone ImageNet top-1, points above 76.13",
    "pretrain": "Pretrain",
    "kind_semi_supervised": "Pretraining kind: semi-supervised",
    "kind_self_supervised": "Pretraining kind: self-supervised",
    "kind_generative": "Pretraining kind: generative",
}


@cache
def _bounded_model() -> ErrorModel:
    import math

    from dlcost.core.bounded_error import REGRESSORS, BoundedModel

    document = tomllib.loads(_read_text("dlcost_2026.toml"))
    head, table = document["model"], []
    for name in REGRESSORS:
        row = document["coefficients"][name]
        coef, se = float(row["coef"]), float(row["std_err"])
        t = coef / se if se > 0 else None
        p = math.erfc(abs(t) / math.sqrt(2.0)) if t is not None else None
        held = " (held at 0: not identified)" if name in head.get("held_at_zero", []) else ""
        table.append(CoefficientRow(name, BOUNDED_REGRESSOR_LABELS[name] + held, coef, se, t, p, coef - 1.959964 * se, coef + 1.959964 * se))
    bounded = BoundedModel(tuple(r.coef for r in table), tuple(tuple(map(float, r)) for r in head["covariance"]),
                           tuple(tuple(map(float, r)) for r in head["random_covariance"]), float(head["residual_variance"]))
    return ErrorModel(name=head["name"], coefficients=None, table=tuple(table), r2=math.nan, n=int(head["n"]),
                      covariance=bounded.covariance, residual_variance=bounded.residual_variance, df_resid=None,
                      description=head["description"], bounded=bounded, validation=document.get("validation"))


def error_model(model: str = DEFAULT_MODEL) -> ErrorModel:
    """A shipped model as an :class:`ErrorModel` (paper-2024: diagonal covariance from Table 1)."""
    if model == CORPUS_MODEL:
        return _bounded_model()
    table = coefficient_table(model)
    summary = model_summary(model)
    diagonal = tuple(
        tuple(row.std_err**2 if i == j else 0.0 for j in range(len(table))) for i, row in enumerate(table)
    )
    return ErrorModel(
        name=model, coefficients=error_coefficients(model), table=table, r2=summary["r2"], n=summary["n"],
        covariance=diagonal, description=summary["description"],
    )


def model_summary(model: str = DEFAULT_MODEL) -> dict:
    """Description, source, R^2 and n of a shipped model."""
    if model == CORPUS_MODEL:
        head = tomllib.loads(_read_text("dlcost_2026.toml"))["model"]
        return {"description": head["description"], "source": head["source"], "r2": None, "n": head["n"]}
    entry = _coefficients_file()["models"][model]
    return {key: entry[key] for key in ("description", "source", "r2", "n")}


@cache
def _defaults_file() -> dict:
    return tomllib.loads(_read_text("defaults.toml"))


@cache
def _flat_defaults() -> dict:
    return {key: value for section in _defaults_file().values() for key, value in section.items()}


def defaults() -> dict:
    """Every default input, by name (``defaults.toml``: the paper's soft assumptions of Figure 2 and dlcost's own)."""
    return dict(_flat_defaults())


def fitted_range() -> dict:
    """Range of inputs the regression was fitted on."""
    return dict(_coefficients_file()["fitted_range"])


@cache
def backbones() -> tuple[tuple[str, str, float, str], ...]:
    """``backbones.csv``: (backbone, pretraining, ImageNet top-1 [fraction], source) of the corpus's backbones."""
    rows = csv.DictReader(_read_text("backbones.csv").splitlines())
    return tuple((r["backbone"], r["pretraining"], float(r["imagenet_top1"]), r["source"]) for r in rows)


def shipped_observations_csv() -> str:
    """``vtab_calibration.csv``: published VTAB results, in the observation CSV format."""
    return _read_text("vtab_calibration.csv")


def public_corpus_csv() -> str:
    """``public_corpus.csv``: 615 published error-vs-data results (24 datasets), in the observation CSV format.

    Built by ``scripts/build_corpus.py``; sources and caveats in ``SOURCES-public_corpus.md``.
    """
    return _read_text("public_corpus.csv")


@cache
def paper_cases() -> tuple[dict, ...]:
    """Table 2 of seed 000, as rows of ``paper_cases.csv``."""
    rows = csv.DictReader(_read_text("paper_cases.csv").splitlines())
    return tuple(
        {
            "case": row["case"],
            "n_train": int(row["n_train"]),
            "relative_complexity": float(row["relative_complexity"]),
            "task": row["task"],
            "pretrained": _to_bool(row["pretrained"]),
            "observed_error": float(row["observed_error"]),
            "printed_predicted_error": float(row["printed_predicted_error"]),
            "source": row["source"],
        }
        for row in rows
    )


def business_examples() -> dict[str, dict]:
    """The shipped business cases (``catalog/cases/*.toml``, also ``examples/``), by file stem, as their TOML values."""
    folder = resources.files("dlcost.catalog").joinpath("cases")
    return {entry.name.removesuffix(".toml"): tomllib.loads(entry.read_text(encoding="utf-8"))
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".toml")}
