"""Figure 1 of seed 003 as PNG (matplotlib, imported when used): the simulation of section 2.

Panel (a): each model's mean performance against sample size, the oracle's level at 15
observations and where each model reaches it. Panel (b): the same performance against the
computation of the fit. The result is :func:`dlcost.engine.limits_simulation.simulate`'s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlcost.core.checks import InputError
from dlcost.reports.plots import check_figure_path, pyplot, save_figure

__all__ = ["plot_simulation"]

_STYLE = {"oracle": ("tab:green", "o"), "expert": ("tab:orange", "s"),
          "flexible": ("tab:red", "^"), "regularized": ("tab:blue", "D")}
_KEYS = ("settings", "sample_sizes", "reference_performance", "models")


def plot_simulation(result: dict, path: str | Path) -> Path:
    """Write Figure 1 of seed 003 for ``result`` as a PNG at ``path``; return the path.

    Needs matplotlib (imported here); a path that cannot be written raises InputError("plot").
    """
    plt = pyplot()
    if not isinstance(result, dict) or any(key not in result for key in _KEYS):
        raise InputError("result", f"result must be what simulate() returns, a dict with {', '.join(_KEYS)}.")
    path = Path(path)
    check_figure_path(path, "plot")
    figure, (by_size, by_flops) = plt.subplots(1, 2, figsize=(12.0, 4.8), dpi=120)
    sizes = np.array(result["sample_sizes"], dtype=float)
    reference = result["reference_performance"]
    for model in result["models"]:
        _draw(by_size, by_flops, model, sizes)
    settings = result["settings"]
    for axes, label in ((by_size, "sample size n [observations]"), (by_flops, "computation of the fit [FLOP]")):
        axes.axhline(reference, color="gray", linestyle="--", linewidth=1.0,
                     label=f"oracle at n = {settings['reference_size']}: {reference:.2f}")
        axes.set_xscale("log")
        axes.set_xlabel(label)
        axes.set_ylabel("performance, -log10(normalized MSE)")
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7.5, loc="best")
    by_size.set_title("(a) average performance as sample size grows", fontsize=10)
    by_flops.set_title("(b) average computation needed for performance", fontsize=10)
    figure.suptitle(f"Seed 003, Figure 1: d = {settings['n_covariates']:,}, s = {settings['n_relevant']}, "
                    f"noise sd {settings['noise_sd']:g}, {settings['reps']:,} simulations per case (seed {settings['seed']})",
                    fontsize=10)
    figure.tight_layout()
    return save_figure(figure, path)


def _draw(by_size, by_flops, model: dict, sizes: np.ndarray) -> None:
    """One model's curve in both panels, its standard-error band and its match point."""
    color, marker = _STYLE.get(model["name"], ("black", "."))
    mean = np.array([np.nan if v is None else v for v in model["performance_mean"]], dtype=float)
    sem = np.array([np.nan if v is None else v for v in model["performance_sem"]], dtype=float)
    flops = np.array([np.nan if v is None else v for v in model["computation_flops"]], dtype=float)
    shown = ~np.isnan(mean)
    by_size.plot(sizes[shown], mean[shown], color=color, marker=marker, markersize=3.5, linewidth=1.5, label=model["label"])
    by_size.fill_between(sizes[shown], (mean - sem)[shown], (mean + sem)[shown], color=color, alpha=0.2, linewidth=0)
    by_flops.plot(flops[shown], mean[shown], color=color, marker=marker, markersize=3.5, linewidth=1.5, label=model["label"])
    match, match_flops = model.get("matches_oracle_at_15"), model.get("matches_oracle_at_15_flops")
    if match is not None and model["name"] != "oracle":
        level = np.interp(np.log(match), np.log(sizes[shown]), mean[shown])
        by_size.plot([match], [level], marker="*", markersize=12, color=color, markeredgecolor="black", zorder=5)
        by_size.annotate(f"{match:,.0f}", (match, level), textcoords="offset points", xytext=(6, -12), fontsize=8, color=color)
        if match_flops is not None:
            by_flops.plot([match_flops], [level], marker="*", markersize=12, color=color, markeredgecolor="black", zorder=5)
            by_flops.annotate(f"{match_flops:.2g}", (match_flops, level), textcoords="offset points", xytext=(6, -12),
                              fontsize=8, color=color)
