"""Plots written as PNG (matplotlib, imported when used): a pilot's learning curve, Figure 3's grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlcost.catalog import COEFFICIENT_ORDER
from dlcost.core.checks import InputError
from dlcost.engine.refit import design
from dlcost.iotools.files import write_error
from dlcost.schemas import LearningCurveResult, Observation

__all__ = ["plot_learning_curve", "partial_regression_png", "check_figure_path", "pyplot", "save_figure"]


def plot_learning_curve(result: LearningCurveResult, path: str | Path) -> Path:
    """Write a PNG: the points, every fitted curve (chosen one bold), the target and the interval band.

    Log-log axes: error against training images. Needs matplotlib (imported here).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plot", "plotting needs matplotlib: pip install matplotlib") from None
    path = Path(path)
    figure, axes = plt.subplots(figsize=(7.5, 5.0), dpi=120)
    grid = result.curves["n_train"]
    for series in result.curves["series"]:
        style = {"linewidth": 3.0, "zorder": 3} if series["chosen"] else {"linewidth": 1.0, "alpha": 0.7}
        if series["family"] == "power_law_prior" and not series["chosen"]:
            style["linestyle"] = "--"
        label = series["label"] + (" (chosen)" if series["chosen"] else "")
        axes.plot(grid, np.clip(series["error"], 1e-6, None), label=label, **style)
    points = result.points
    axes.scatter([p["n_train"] for p in points], [p["error"] for p in points], color="black", zorder=4, label="pilot points")
    axes.axhline(result.target_error, color="crimson", linestyle="--", linewidth=1.2,
                 label=f"target {result.inputs.target_accuracy:.2%}")
    if result.inputs.tau > 0 and result.target_error - result.inputs.tau > 0:
        axes.axhline(result.target_error - result.inputs.tau, color="crimson", linestyle=":", linewidth=1.0,
                     label=f"aim (+tau) {result.aim_accuracy:.2%}")
    if result.floor > 0:
        axes.axhline(result.floor, color="gray", linestyle=":", linewidth=1.0, label=f"fitted floor {result.floor:.3g}")
    if result.data_needed is not None:
        high = result.data_needed_high if result.data_needed_high is not None else grid[-1]
        axes.axvspan(result.data_needed_low, min(high, grid[-1]), color="crimson", alpha=0.12,
                     label=f"data needed, {result.interval['level']:.0%} interval")
        axes.axvline(result.data_needed, color="crimson", linewidth=1.0)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlim(grid[0], grid[-1])
    axes.set_xlabel("training images")
    axes.set_ylabel("error (1 - accuracy)")
    needed = f"{result.data_needed:,.0f} images" if result.data_needed is not None else "unreachable"
    axes.set_title(f"Learning curve: {result.family_label}; target {result.inputs.target_accuracy:.2%}: {needed}", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    _save(figure, path, "plot")
    return path


def partial_regression_png(observations: list[Observation], path, hold: dict | None = None) -> None:
    """Figure 3 of seed 000: the partial-regression (added-variable) grid, written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    import statsmodels.api as sm
    from statsmodels.graphics.regressionplots import plot_partregress_grid

    x, y = design(observations)
    frame = pd.DataFrame(x, columns=list(COEFFICIENT_ORDER))
    free = [c for c in COEFFICIENT_ORDER if c not in (hold or {}) and (c != "segmentation" or np.ptp(x[:, 4]) > 0)]
    names = {"intercept": "const", "log_data": "log10_data", "pretrain_log_data": "pretrain_x_log10_data",
             "complexity": "RC", "segmentation": "Type"}
    frame = frame[free].rename(columns=names)
    fit = sm.OLS(pd.Series(y, name="log10_error"), frame).fit()
    figure = plt.figure(figsize=(10, 8))
    plot_partregress_grid(fit, exog_idx=[names[c] for c in free if c != "intercept"], fig=figure)
    figure.suptitle("Partial regression of log10(error) (Figure 3 of seed 000)")
    figure.tight_layout()
    _save(figure, path, "out", dpi=110)


def check_figure_path(path: str | Path, field: str) -> None:
    """``path`` names a file a figure can be written to: not a folder, its suffix a format
    matplotlib writes (none: PNG). Raises InputError naming ``field``."""
    import errno

    from dlcost.core.checks import shown

    path = Path(path)
    if str(path) in ("", ".") or path.is_dir():
        raise write_error(path, f"{field} file", field, IsADirectoryError(errno.EISDIR, "Is a directory"))
    if not path.suffix:
        return
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        raise InputError(field, "plotting needs matplotlib: pip install matplotlib") from None
    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix[1:].lower() not in formats:
        others = ", ".join("." + f for f in sorted(formats) if f != "png")
        raise InputError(field, f"{field} must be a .png file (or {others}); got {shown(str(path))}.")


def pyplot():
    """matplotlib's pyplot on the Agg backend (imported when a plot is asked for); one line if matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plot", "plotting needs matplotlib: pip install matplotlib") from None
    return plt


def save_figure(figure, path, field: str = "plot", **options) -> Path:
    """Write ``figure`` as PNG to ``path`` and close it; a path that cannot be written raises InputError naming ``field``."""
    _save(figure, path, field, **options)
    return Path(path)


def _save(figure, path, field: str, **options) -> None:
    """Write the figure as PNG and close it (``path``: a file name, or a binary stream such as the
    web's BytesIO); a path that cannot be written raises InputError naming it."""
    import matplotlib.pyplot as plt

    try:
        if isinstance(path, str | Path):  # a stream has no name to check
            check_figure_path(path, field)
        figure.savefig(path, **options)
    except OSError as exc:
        raise write_error(path, f"{field} file", field, exc) from None
    finally:
        plt.close(figure)
