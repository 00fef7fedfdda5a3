"""``dlcost limits``: the long view of seed 003, how fast cost grows with the accuracy wanted (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.cli._common import ConfigOption, JsonOption, app, emit, run, workspace

__all__ = ["limits_app"]

limits_app = typer.Typer(help="The computational limits of deep learning (seed 003): regressions, projections, refits, the "
                              "simulation of section 2, and your project on the same curve.", no_args_is_help=True)
app.add_typer(limits_app, name="limits")
PlotOption = Annotated[Optional[Path], typer.Option(help="Also write the chart as a PNG to this file.")]


def _check_plot(plot: Path | None) -> None:
    """A --plot that cannot be written is an error before any work is done."""
    if plot is not None:
        from dlcost.reports.plots import check_figure_path

        run(lambda: check_figure_path(plot, "plot"))


def _power(log10_value: float) -> str:
    return f"10^{log10_value:.1f}"


@limits_app.command("table")
def table(json_output: JsonOption = False) -> None:
    """Seed 003's Tables 1-4, the coefficients Figure 4 implies, and Figure 4 reproduced from both sets."""
    from dlcost.engine.limits import limits_table

    result = limits_table()
    if json_output:
        emit(result)
        return
    lines = [f"Seed 003 ({result['source']['citation']})", "",
             f"{'table':7s} {'benchmark':15s} {'form':18s} {'constant':>16s} {'slope':>14s} {'n':>4s} {'R2':>5s}  alpha"]
    for row in result["regressions"]:
        alpha = f"{row['polynomial_exponent']:.1f}" if "polynomial_exponent" in row else "-"
        lines.append(f"{row['table']:7s} {row['benchmark']:15s} {row['form']:18s} {row['constant']:>8g} ({row['constant_se']:g})"
                     f" {row['slope']:>7g} ({row['slope_se']:g}) {row['n']:>4d} {row['r2']:>5.2f}  {alpha}")
    lines += ["", "Coefficients Figure 4 implies (least squares on its three rows) against the tables' rounded values:",
              f"{'benchmark':15s} {'form':12s} {'table':>18s} {'Figure 4':>22s}  residual"]
    for row in result["recovered"]:
        lines.append(f"{row['benchmark']:15s} {row['form']:12s} {row['table_constant']:>8g} {row['table_slope']:>9g} "
                     f"{row['figure4_constant']:>10.4f} {row['figure4_slope']:>11.5f}  {row['largest_residual_orders']:.2f} orders")
    lines += ["", "Figure 4 (log10 Gflops; printed / from the table / from Figure 4's coefficients):"]
    for cell in result["figure4"]:
        missed = [name for name, mine, printed in zip(("Gflops", "CO2", "cost"), cell["table"], cell["printed"])
                  if abs(mine - printed) > 1.0]
        mark = f"  <- the table misses {', '.join(missed)} by more than one order" if missed else ""
        lines.append(f"  {cell['benchmark']:15s} {cell['form']:12s} error {cell['error']:<7g} {cell['printed'][0]:>4g} / "
                     f"{cell['table'][0]:6.1f} / {cell['figure-4'][0]:6.1f}{mark}")
    paper = result["paper_conversion"]
    lines.append(f"\npaper-2020 conversion: 10^{paper['log10_usd_per_gflop']:.2f} USD and 10^{paper['log10_co2_lbs_per_gflop']:.2f} "
                 f"lbs CO2 per Gflop ({paper['cells']} cells)")
    typer.echo("\n".join(lines))


@limits_app.command("project")
def project(
    benchmark: Annotated[str, typer.Option(help="imagenet, ms-coco, squad-1.1, conll-2003 or wmt-2014-en-fr.")],
    target_error: Annotated[str, typer.Option(help="Error to reach, a fraction in (0, 1) (1 - the benchmark's metric).")],
    form: Annotated[Optional[str], typer.Option(help="polynomial or exponential [default: polynomial].")] = None,
    conversion: Annotated[Optional[str], typer.Option(help="paper-2020 (the seed's) or today (the hardware catalog) [default: paper-2020].")] = None,
    coefficients: Annotated[Optional[str], typer.Option(help="figure-4 (implied by Figure 4) or table (as printed) [default: figure-4].")] = None,
    gpu: Annotated[Optional[str], typer.Option(help="today: the GPU [default: H100].")] = None,
    precision: Annotated[Optional[str], typer.Option(help="today: bf16, fp16, tf32 or fp32 [default: bf16].")] = None,
    price_per_hour: Annotated[Optional[str], typer.Option(help="today: USD per GPU-hour [default: median listed].")] = None,
    provider: Annotated[Optional[str], typer.Option(help="today: the cloud whose price is used.")] = None,
    country: Annotated[Optional[str], typer.Option(help="today: ISO alpha-3 code of the grid [default: world average].")] = None,
    region: Annotated[Optional[str], typer.Option(help="today: PROVIDER:REGION for grid, PUE and price.")] = None,
    pue: Annotated[Optional[str], typer.Option(help="today: power usage effectiveness.")] = None,
    power_w: Annotated[Optional[str], typer.Option(help="today: average watts per GPU [default: 0.75 x TDP].")] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Figure 4 for one target: the computation (Gflops), dollars and CO2 it needs, and whether that is meaningful."""
    given = {k: v for k, v in locals().items() if k not in ("config", "json_output") and v is not None}
    from dlcost.schemas.limits import LimitsQuery

    query = run(lambda: LimitsQuery.model_validate(given))
    result = run(lambda: workspace(config).limits_project(query))
    if json_output:
        emit(result)
        return
    lines = [f"{result['benchmark_label']} at error {result['target_error']:g} ({result['error_definition']}), {result['form']} form, "
             f"coefficients {result['coefficients']} (constant {result['constant']:.4g}, slope {result['slope']:.4g})",
             f"  computation   {_power(result['log10_computation_gflops'])} Gflops "
             f"({_power(result['log10_times_today_computation'])} x today's at {result['today_error']:g})",
             f"  cost          {_power(result['log10_cost_usd'])} USD",
             f"  CO2           {_power(result['log10_co2_lbs'])} lbs ({_power(result['log10_co2_kg'])} kg)",
             f"  conversion    {result['conversion_detail']}"]
    lines += [f"  flag: {flag}" for flag in result["flags"]]
    typer.echo("\n".join(lines))


@limits_app.command("fit")
def fit(
    file: Annotated[Path, typer.Argument(help="CSV file, one row per model (src/dlcost/catalog/limits_examples/ has examples).")],
    compute_col: Annotated[str, typer.Option(help="Column of computation (Gflops per pass, or training FLOPs).")],
    error_col: Annotated[Optional[str], typer.Option(help="Column of error, fractions in (0, 1); leave out to fit compute growth by year.")] = None,
    year_col: Annotated[Optional[str], typer.Option(help="Column of the year, 1900 to 2100: a time trend (Table 2), or compute growth without --error-col.")] = None,
    accuracy_percent: Annotated[bool, typer.Option("--accuracy-percent", help="The --error-col column holds accuracy in percent, in (0, 100): error = 1 - value / 100.")] = False,
    plot: PlotOption = None,
    json_output: JsonOption = False,
) -> None:
    """Refit seed 003's regressions on your data: polynomial and exponential OLS, 10% quantile, time trend or growth."""
    from dlcost.engine.limits_fit import fit_limits
    from dlcost.reports.limits_plots import format_limits_fit
    from dlcost.iotools.limits_csv import read_limits_csv

    _check_plot(plot)
    columns = run(lambda: read_limits_csv(file, error_col=error_col, compute_col=compute_col, year_col=year_col,
                                          accuracy_percent=accuracy_percent))
    result = run(lambda: fit_limits(error=columns.get("error"), compute=columns["compute"], year=columns.get("year"),
                                    n_skipped=columns["n_skipped"]))
    if plot is not None:
        from dlcost.reports.limits_plots import plot_limits_fit

        run(lambda: plot_limits_fit(result, columns, plot))
    if json_output:
        emit(result)
        return
    typer.echo(format_limits_fit(result) + (f"\nplot written to {plot}" if plot is not None else ""))


@limits_app.command("simulate")
def simulate(
    reps: Annotated[Optional[str], typer.Option(help="Simulations per model and sample size [default: 1000, as the seed].")] = None,
    seed: Annotated[Optional[str], typer.Option(help="Random seed [default: 0].")] = None,
    plot: PlotOption = None,
    json_output: JsonOption = False,
) -> None:
    """Seed 003's section 2: oracle, expert, flexible and Lasso models, performance and computation against sample size."""
    from dlcost.engine.limits_simulation import simulate as run_simulation
    from dlcost.schemas.limits import SimulationQuery

    _check_plot(plot)
    query = run(lambda: SimulationQuery.model_validate({k: v for k, v in {"reps": reps, "seed": seed}.items() if v is not None}))
    result = run(lambda: run_simulation(reps=query.reps, seed=query.seed))
    if plot is not None:
        from dlcost.reports.simulation_plot import plot_simulation

        run(lambda: plot_simulation(result, plot))
    if json_output:
        emit(result)
        return
    lines = [f"{query.reps} simulations per case (seed {query.seed}); performance = -log10(normalized MSE)"]
    for model in result["models"]:
        match = model.get("matches_oracle_at_15")
        lines.append(f"  {model['name']:12s} matches the oracle's performance at 15 observations at "
                     + ("never, within the grid" if match is None else f"{match:,.0f} observations"))
    lines += [f"  note: {note}" for note in result.get("notes", [])]
    if plot is not None:
        lines.append(f"plot written to {plot}")
    typer.echo("\n".join(lines))


@limits_app.command("curve")
def curve(
    scenario: Annotated[Path, typer.Option(help="Estimate scenario TOML (examples/figure2.toml).")],
    halvings: Annotated[Optional[str], typer.Option(help="Targets: the scenario's error and each halving after it [default: 5].")] = None,
    budget: Annotated[Optional[str], typer.Option(help="Most the project may spend, USD: steps above it are flagged.")] = None,
    plot: PlotOption = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Your project on seed 003's curve: compute and cost of each further halving of error, beside the benchmarks."""
    from dlcost.iotools.scenario_file import read_scenario_file
    from dlcost.schemas.limits import CurveQuery

    _check_plot(plot)
    values = {"scenario": run(lambda: read_scenario_file(scenario)), "halvings": halvings, "budget_usd": budget}
    query = run(lambda: CurveQuery.model_validate({k: v for k, v in values.items() if v is not None}))
    result = run(lambda: workspace(config).limits_curve(query))
    if plot is not None:
        from dlcost.reports.curve_plot import plot_curve

        run(lambda: plot_curve(result, plot))
    if json_output:
        emit(result)
        return
    lines = [f"{'error':>8s} {'architecture':18s} {'images':>14s} {'total cost':>16s} {'burden Gflops':>14s} {'x cost':>9s}"]
    for step in result["steps"]:
        multiple = "" if step["cost_multiple"] is None else f"{step['cost_multiple']:,.3g}"
        lines.append(f"{step['target_error']:>8.4g} {step['architecture']:18s} {step['data_needed']:>14,.0f} "
                     f"{'$' + format(step['total_cost_usd'], ',.0f'):>16s} {_power_or(step['hardware_burden_gflops']):>14s} {multiple:>9s}"
                     + "".join(f"  [{flag}]" for flag in step["flags"]))
    lines += [f"note: {note}" for note in result["notes"]]
    typer.echo("\n".join(lines))


def _power_or(value: float) -> str:
    import math

    return _power(math.log10(value)) if value > 0 else "0"
