"""dlcost-2026 from the shipped corpus: refit it, validate it, and write its model file.

``scripts/fit_dlcost_2026.py`` calls :func:`model_file_text` and writes
``catalog/dlcost_2026.toml``; ``dlcost model validate dlcost-2026`` calls
:func:`validation_report`. Both read the same observations (:func:`corpus`): the six
Table 2 cases of seed 000, ``vtab_calibration.csv`` and ``public_corpus.csv``.
"""

from __future__ import annotations

import math

from dlcost.core import bounded_error as be
from dlcost.engine import bounded_fit

__all__ = ["corpus", "fit_corpus", "validation_report", "model_file_text", "validation_markdown", "range_factor", "MODEL_NAME"]

MODEL_NAME = "dlcost-2026"


def corpus() -> list:
    """Every shipped observation (Table 2 + vtab_calibration + public_corpus)."""
    from dlcost.engine.refit import corpus_observations

    return corpus_observations()


def fit_corpus(observations=None) -> tuple[bounded_fit.FittedBounded, bounded_fit.Features]:
    data = bounded_fit.features(corpus() if observations is None else observations)
    return bounded_fit.fit_bounded(data), data


def validation_report(observations=None) -> dict:
    """Leave-one-dataset-out and leave-one-source-out scores of dlcost-2026, the eq. (1) refit and paper-2024
    (each ``by`` block also lists the held-out predictions of dlcost-2026 as ``cases``)."""
    data = bounded_fit.features(corpus() if observations is None else observations)
    return {
        "n_observations": len(data), "n_datasets": len(set(data.datasets.tolist())),
        "n_sources": len(set(data.sources.tolist())), "left_out": data.left_out,
        "dataset": bounded_fit.cross_validate(data, "dataset"),
        "source": bounded_fit.cross_validate(data, "source"),
    }


def _number(value: float) -> str:
    return "inf" if math.isinf(value) else ("nan" if math.isnan(value) else repr(float(value)))


def model_file_text(fitted: bounded_fit.FittedBounded, data: bounded_fit.Features, report: dict) -> str:
    """The TOML of ``catalog/dlcost_2026.toml``: coefficients, standard errors, covariances and the validation."""
    model = fitted.model
    lines = [
        "# dlcost-2026: chance-bounded error model (dlcost.core.bounded_error), fitted by",
        "# scripts/fit_dlcost_2026.py with statsmodels MixedLM (REML) on the shipped corpus.",
        "# Regenerate with: .venv/bin/python scripts/fit_dlcost_2026.py  (do not edit by hand)",
        "",
        "[model]",
        f'name = "{MODEL_NAME}"',
        'description = "logit(error / chance) = x . beta + dataset effect; MixedLM on the shipped corpus (docs/validation.md)"',
        'source = "catalog/public_corpus.csv, vtab_calibration.csv and seed 000 Table 2; scripts/fit_dlcost_2026.py"',
        f"n = {fitted.n_observations}",
        f"n_datasets = {fitted.n_datasets}",
        f"converged = {'true' if fitted.converged else 'false'}",
        f"residual_variance = {_number(model.residual_variance)}",
        "random_covariance = [" + ", ".join("[" + ", ".join(_number(v) for v in row) + "]" for row in model.random_covariance) + "]",
        "covariance = [",
        *("  [" + ", ".join(_number(v) for v in row) + "]," for row in model.covariance),
        "]",
        "held_at_zero = [" + ", ".join(f'"{name}"' for name in fitted.held_at_zero) + "]",
        "",
    ]
    for name, coef, se in zip(be.REGRESSORS, model.coefficients, fitted.std_errors, strict=True):
        lines += [f"[coefficients.{name}]", f"coef = {_number(coef)}", f"std_err = {_number(se)}", ""]
    lines += ["[left_out]"] + [f'"{reason}" = {count}' for reason, count in sorted(data.left_out.items())] + [""]
    for by in ("dataset", "source"):
        for name, parts in report[by]["scores"].items():
            for subset, summary in parts.items():
                lines.append(f'[validation.{by}."{name}".{subset}]')
                lines += [f"{key} = {_number(value) if isinstance(value, float) else value}" for key, value in summary.items()]
                lines.append("")
    return "\n".join(lines)


def range_factor(factor: float) -> str:
    """A data range's high/low factor as a table shows it: 'unbounded' at the float limit."""
    if not factor < 1e299:
        return "unbounded"
    return f"{factor:,.0f}x" if factor < 1e6 else f"{factor:.2g}x"


_LABELS = {"dlcost-2026": "dlcost-2026 (this model)", "eq1-refit": "eq. (1) refit (OLS, same rows)", "paper-2024": "paper-2024 (Table 1)"}


def validation_markdown(report: dict) -> str:
    """The validation table of docs/validation.md."""
    out = [f"{report['n_observations']} observations of {report['n_datasets']} datasets from {report['n_sources']} sources; "
           "left out: " + "; ".join(f"{reason} ({count})" for reason, count in sorted(report["left_out"].items())) + ".", ""]
    for by, title in (("dataset", "Leave one dataset out"), ("source", "Leave one source out")):
        block = report[by]
        out += [f"**{title}** ({block['folds']} folds" + (f"; skipped: {', '.join(block['skipped'])}" if block["skipped"] else "") + ")", "",
                "| model | rows | median abs log10(pred/obs) | within 2x | 80% interval coverage | median 80% data-range (high/low) |",
                "|---|---|---|---|---|---|"]
        for name, parts in block["scores"].items():
            for subset, summary in parts.items():
                label = _LABELS.get(name, name) + ("" if subset == "all" else ", supervised or from-scratch rows")
                out.append(f"| {label} | {summary['n']} | {summary['median_abs_log10_ratio']:.3f} | {summary['share_within_2x']:.0%} | "
                           f"{summary['coverage_80']:.0%} | {range_factor(summary['median_data_range_factor'])} |")
        out.append("")
    return "\n".join(out)
