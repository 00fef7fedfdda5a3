"""Your project on seed 003's curve as a PNG (matplotlib, imported when used): error against computation, log-log."""

from __future__ import annotations

from pathlib import Path

from dlcost.reports.plots import pyplot, save_figure

__all__ = ["plot_curve"]


def plot_curve(result: dict, path: str | Path) -> Path:
    """Write a PNG: Figure 4's benchmark curves (hardware burden, Gflops) and the project's halvings on the same axes."""
    plt = pyplot()
    path = Path(path)
    figure, axes = plt.subplots(figsize=(7.5, 5.0), dpi=120)
    for curve in result["benchmarks"]:
        axes.plot([10 ** c for c in curve["log10_computation_gflops"]], curve["error"], linewidth=1.0, alpha=0.7,
                  label=f"{curve['label']} (O(perf^{curve['polynomial_exponent']:.0f}))")
    steps = result["steps"]
    if steps:
        over = [bool(s["flags"]) for s in steps]
        axes.plot([s["hardware_burden_gflops"] for s in steps], [s["target_error"] for s in steps], color="black",
                  linewidth=2.5, marker="o", label="your project, each halving")
        flagged = [s for s, bad in zip(steps, over) if bad]
        if flagged:
            axes.scatter([s["hardware_burden_gflops"] for s in flagged], [s["target_error"] for s in flagged], s=120,
                         facecolors="none", edgecolors="red", linewidths=2, zorder=5, label="over budget or data limit")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("computation: hardware burden (GPUs x peak x time) [Gflops]")
    axes.set_ylabel("error [fraction]")
    axes.set_title("Your project on the curves of seed 003, Figure 4")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=7, loc="best")
    figure.tight_layout()
    return save_figure(figure, path)
