"""The seed 003 refits as a reader sees them: tables laid out like the seed's and a log-log PNG.

:func:`format_limits_fit` prints the result of :func:`dlcost.engine.limits_fit.fit_limits`
as the seed prints Tables 1 and 2 (a column per model; coefficient with stars, standard
error below in parentheses; Observations, R², Adjusted R², Residual Std. Error (df),
F Statistic), followed by what the fits imply: alpha of compute ~ Performance^alpha and the
compute a target error needs, or the growth of compute per year. :func:`plot_limits_fit`
draws the points, the fitted lines and the projections (matplotlib, imported when used).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlcost.core.checks import InputError
from dlcost.reports.plots import check_figure_path, pyplot, save_figure

__all__ = ["format_limits_fit", "plot_limits_fit"]

#: Decades of compute the plot extends beyond the data to show projections.
_MAX_EXTENSION_DECADES = 10.0
_TITLES = {"polynomial": "polynomial", "exponential": "exponential", "quantile": "quantile", "time_trend": "time trend",
           "growth": "growth"}


def _stars(p) -> str:
    if p is None:
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _number(value, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals; a very small or very large one in exponent form; None as ""."""
    if value is None:
        return ""
    if (value != 0 and abs(value) < 0.5 * 10 ** -digits) or abs(value) >= 1e6:
        return f"{value:.{digits}g}"
    return f"{value:,.{digits}f}"


def _table_rows(models: list[dict]) -> list:
    """The rows of the regression table: lists of cells, or "-" for a rule."""
    rows = [[""] + [f"({i})" for i in range(1, len(models) + 1)],
            [""] + [m["dependent"] for m in models], [""] + [m["method"] for m in models], "-"]
    labels = {}
    for model in models:
        for term in model["terms"]:
            labels.setdefault(term["name"], term["label"])
    for name, label in labels.items():
        terms = [next((t for t in m["terms"] if t["name"] == name), None) for m in models]
        rows.append([label] + ["" if t is None else _number(t["coef"]) + _stars(t["p"]) for t in terms])
        rows.append([""] + ["" if t is None or t["se"] is None else f"({_number(t['se'])})" for t in terms])
    rows.append("-")
    rows.append(["Observations"] + [f"{m['n']:,}" for m in models])
    for key, label in (("r2", "R²"), ("adj_r2", "Adjusted R²"), ("pseudo_r2", "Pseudo R² (quantile)")):
        if any(m.get(key) is not None for m in models):
            rows.append([label] + [_number(m.get(key)) for m in models])
    rows.append(["Residual Std. Error"] + [f"{_number(m['resid_se'])} (df = {m['df_resid']})" if m["resid_se"] is not None
                                           else "" for m in models])
    rows.append(["F Statistic"] + [f"{_number(m['f_stat'], 2)}{_stars(m['f_p'])} (df = {m['df_model']}; {m['df_resid']})"
                                   if m["f_stat"] is not None else "" for m in models])
    return rows


def _layout(rows: list) -> list[str]:
    cells = [row for row in rows if row != "-"]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    total = sum(widths) + 3 * (len(widths) - 1)
    lines = ["=" * total]
    for row in rows:
        if row == "-":
            lines.append("-" * total)
        else:
            lines.append("   ".join([row[0].ljust(widths[0])] + [c.center(w) for c, w in zip(row[1:], widths[1:])]).rstrip())
    lines.append("=" * total)
    lines.append("Note: *p<0.1; **p<0.05; ***p<0.01")
    return lines


def _interval(values: dict, digits: int, level: float) -> str:
    low, high = values.get("low"), values.get("high")
    shown_low = "unknown" if low is None else _number(low, digits)
    shown_high = "no upper bound" if high is None else _number(high, digits)
    return f"{level:.0%} CI {shown_low} to {shown_high}"


def _compute_text(projection: dict) -> str:
    log = projection["log10_compute"]
    if log is None:
        return "-"
    number = f"{projection['compute']:.3g}" if projection["compute"] is not None else f"10^{log:.1f}"
    return f"{number} (10^{projection['log10_times_max_observed']:.1f} x max)"


def _implications(result: dict) -> list[str]:
    lines, level = [], result["level"]
    for i, model in enumerate(result["models"], 1):
        derived = model["derived"]
        if "alpha" in derived and derived["alpha"]["value"] is not None:
            lines.append(f"({i}) {_TITLES[model['name']]}: computation ~ Performance^{_number(derived['alpha']['value'], 2)} "
                         f"({_interval(derived['alpha'], 2, level)}), Performance = 1/error")
        if (derived.get("error_drop_per_10x_compute") or 0) > 0:
            lines.append(f"({i}) exponential: each 10x computation lowers the error by "
                         f"{100 * derived['error_drop_per_10x_compute']:.2f} percentage points (computation exponential in performance)")
        if derived.get("years_per_10x_compute") is not None:
            factor = derived["compute_factor_per_year"]
            lines.append(f"({i}) time trend: {_number(derived['years_per_10x_compute'], 2)} years of the trend are worth 10x "
                         f"computation" + ("" if factor is None else f" ({_number(factor, 2)}x a year)"))
        if "growth_factor_per_year" in derived:
            growth, doubling = derived["growth_factor_per_year"], derived["doubling_months"]
            if growth["value"] is not None:
                lines.append(f"({i}) computation grows {_number(growth['value'], 2)}x a year ({_interval(growth, 2, level)})")
            if doubling["value"] is not None:
                lines.append(f"({i}) doubling time {_number(doubling['value'], 1)} months ({_interval(doubling, 1, level)})")
    return lines


def _projection_lines(result: dict) -> list[str]:
    projected = [(i, m) for i, m in enumerate(result["models"], 1)
                 if any(p["log10_compute"] is not None for p in m.get("projections", []))]
    if not projected:
        return []
    rows = [["target error"] + [f"({i}) {_TITLES[m['name']]}" for i, m in projected]]
    for k, target in enumerate(result["targets"]):
        rows.append([f"{target:.2%}"] + [_compute_text(m["projections"][k]) for _, m in projected])
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return ["Computation needed for a target error (unit of the compute column; x max: over the largest observed; "
            "-: not given, see the notes):"] + \
           ["  " + "   ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def format_limits_fit(result: dict) -> str:
    """The fit as text: the regression table laid out like seed 003's Tables 1-2, then its implications."""
    kind = "error against computation" if result["kind"] == "error_vs_compute" else "growth of computation by year"
    skipped = result.get("n_skipped", 0)
    lines = [f"Seed 003 regressions, {kind}: {result['n']:,} observations"
             + (f" ({skipped:,} row(s) with a blank cell skipped)" if skipped else "")]
    lines += _layout(_table_rows(result["models"]))
    lines += [""] + _implications(result)
    projections = _projection_lines(result)
    if projections:
        lines += [""] + projections
    if result["notes"]:
        lines += [""] + [f"[{i}] {note}" for i, note in enumerate(result["notes"], 1)]
    return "\n".join(lines) + "\n"


def plot_limits_fit(result: dict, columns, path: str | Path, *, compute_label: str | None = None) -> Path:
    """Write a PNG of :func:`~dlcost.engine.limits_fit.fit_limits`'s ``result`` and the ``columns`` it was fitted on.

    ``columns`` maps ``compute`` and ``error`` (or, for the growth fit, ``year``) to the
    values, as :func:`~dlcost.iotools.limits_csv.read_limits_csv` returns them. Error against
    computation on log-log axes, with the OLS line, the quantile line, the exponential form
    and the projections to the target errors; or computation against year on a log axis
    with its trend. ``compute_label`` names the compute axis (by default the compute
    column's name, when ``columns`` has it). Needs matplotlib (imported here).
    """
    growth = result["kind"] == "compute_growth"
    compute, other = columns.get("compute"), columns.get("year" if growth else "error")
    if compute is None or other is None or len(other) != len(compute) or len(compute) != result["n"]:
        wanted = "compute and year" if growth else "compute and error"
        raise InputError("plot", f"plot_limits_fit needs the {wanted} the result was fitted on ({result['n']} values each).")
    if compute_label is None:
        compute_label = (columns.get("columns") or {}).get("compute_col") or "computation"
    plt = pyplot()
    path = Path(path)
    check_figure_path(path, "plot")
    figure, axes = plt.subplots(figsize=(7.5, 5.0), dpi=120)
    (_draw_growth if growth else _draw_error)(axes, result, np.asarray(compute, float), np.asarray(other, float))
    axes.set_xlabel("publication year" if growth else compute_label)
    if growth:
        axes.set_ylabel(compute_label)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return save_figure(figure, path)


def _coefficients(model: dict) -> tuple[float, float]:
    terms = {t["name"]: t["coef"] for t in model["terms"]}
    return terms["const"], terms.get("log10_compute", terms.get("year"))


def _draw_error(axes, result: dict, compute: np.ndarray, error: np.ndarray) -> None:
    models = {m["name"]: m for m in result["models"]}
    low, high = float(np.log10(compute.min())), float(np.log10(compute.max()))
    reach = [p["log10_compute"] for name in ("polynomial", "quantile") for p in models[name]["projections"]
             if p["log10_compute"] is not None]
    right = min(max([high, *reach]), high + _MAX_EXTENSION_DECADES)
    grid = np.linspace(low, right + 0.05 * (right - low), 300)
    axes.scatter(compute, error, s=10, color="black", alpha=0.5, label=f"models (n = {result['n']:,})", zorder=3)
    styles = {"polynomial": ("tab:blue", "-"), "quantile": ("tab:green", "--"), "exponential": ("tab:orange", ":")}
    for name, (color, line) in styles.items():
        const, slope = _coefficients(models[name])
        if const is None or slope is None:
            continue
        curve = const + slope * grid
        values = 10 ** curve if name != "exponential" else np.where(curve > 0, curve, np.nan)
        label = {"polynomial": "OLS, log10(error)", "quantile": f"{result['quantile']:.0%} quantile",
                 "exponential": "OLS, error (exponential form)"}[name]
        axes.plot(10 ** grid, values, color=color, linestyle=line, linewidth=1.6, label=f"{label}: slope {slope:.3f}")
        for projection in models[name].get("projections", []):
            if name != "exponential" and projection["log10_compute"] is not None and projection["log10_compute"] <= right:
                axes.plot(10 ** projection["log10_compute"], projection["target_error"], marker="o", color=color,
                          markersize=6, zorder=4)
    for target in result["targets"]:
        axes.axhline(target, color="crimson", linestyle="--", linewidth=0.8)
    axes.plot([], [], color="crimson", linestyle="--", linewidth=0.8, label="target errors (dots: projections)")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_ylim(min(min(result["targets"]), float(error.min())) / 1.5, min(1.0, float(error.max()) * 1.5))
    axes.set_ylabel("error (1 - accuracy)")
    alpha = models["polynomial"]["derived"]["alpha"]["value"]
    shown = f"computation ~ Performance^{alpha:.1f}" if alpha is not None else "no decrease of error with compute"
    capped = "; projections beyond 10 decades not drawn" if max(reach, default=high) > right else ""
    axes.set_title(f"Error against computation (seed 003 Fig. 2b, 8): {shown}{capped}", fontsize=9)


def _draw_growth(axes, result: dict, compute: np.ndarray, year: np.ndarray) -> None:
    model = result["models"][0]
    const, slope = _coefficients(model)
    grid = np.linspace(float(year.min()), float(year.max()), 200)
    axes.scatter(year, compute, s=12, color="black", alpha=0.6, label=f"systems (n = {result['n']:,})", zorder=3)
    if const is not None and slope is not None:
        growth = model["derived"]["growth_factor_per_year"]["value"]
        doubling = model["derived"]["doubling_months"]["value"]
        label = "OLS" + (f": {_number(growth, 2)}x a year" if growth is not None else "") + \
            (f", doubling {_number(doubling, 1)} months" if doubling is not None else "")
        axes.plot(grid, 10 ** (const + slope * (grid - result["year_origin"])), color="tab:blue", linewidth=1.6, label=label)
    axes.set_yscale("log")
    axes.set_title("Growth of computation by year (seed 003 section 3.1)", fontsize=10)
