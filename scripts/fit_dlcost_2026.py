"""Refit dlcost-2026 on the shipped corpus and write src/dlcost/catalog/dlcost_2026.toml.

    .venv/bin/python scripts/fit_dlcost_2026.py            # refit, validate, write the model file
    .venv/bin/python scripts/fit_dlcost_2026.py --check    # exit 1 if the shipped file differs

Prints the coefficient table and the validation table of docs/validation.md. The fit is
deterministic (REML by L-BFGS from statsmodels' start), so a rerun reproduces the file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dlcost.core.bounded_error import REGRESSORS
from dlcost.service.corpus_model import fit_corpus, model_file_text, validation_markdown, validation_report

TARGET = Path(__file__).resolve().parents[1] / "src" / "dlcost" / "catalog" / "dlcost_2026.toml"


def main(argv: list[str]) -> int:
    fitted, data = fit_corpus()
    report = validation_report()
    text = model_file_text(fitted, data, report)
    print(f"dlcost-2026: {fitted.n_observations} observations, {fitted.n_datasets} datasets, converged {fitted.converged}")
    for name, coef, se in zip(REGRESSORS, fitted.model.coefficients, fitted.std_errors, strict=True):
        print(f"  {name:24s} {coef:9.4f}  (se {se:.4f})")
    print(f"  dataset sd: intercept {fitted.model.random_covariance[0][0] ** 0.5:.4f}, slope {fitted.model.random_covariance[1][1] ** 0.5:.4f}; "
          f"residual sd {fitted.model.residual_variance ** 0.5:.4f}")
    print()
    print(validation_markdown(report))
    if "--check" in argv:
        same = TARGET.read_text(encoding="utf-8") == text
        print("shipped file " + ("matches" if same else "DIFFERS"))
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
