"""``dlcost business``: is it worth it? The whole bill of a vision system against what it brings (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.cli._common import ConfigOption, JsonOption, app, emit, run, workspace

__all__ = ["business_app"]

business_app = typer.Typer(help="Is it worth it: operating cost per unit, the whole bill, NPV and go/no-go (seed 002).",
                           no_args_is_help=True)
app.add_typer(business_app, name="business")
CaseArgument = Annotated[Path, typer.Argument(help="Business case TOML (examples/business-supermarket.toml).")]


def _case(path: Path):
    from dlcost.iotools.scenario_file import read_case_file
    from dlcost.schemas.business import BusinessCase

    return run(lambda: BusinessCase.model_validate(read_case_file(path)))


def _usd(value) -> str:
    return "-" if value is None else f"${value:,.2f}" if abs(value) < 100 else f"${value:,.0f}"


@business_app.command("unit-cost")
def unit_cost(case_file: CaseArgument, json_output: JsonOption = False) -> None:
    """Seed 002's table: cost per prediction unit per run and per year of each activity, and the total."""
    case = _case(case_file)
    result = run(lambda: workspace().business_unit_cost(case))
    if json_output:
        emit(result)
        return
    lines = [f"{'activity':12s} {'per unit per run':>18s} {'runs/yr':>8s} {'per unit per yr':>16s} {'total per yr':>14s}"]
    for row in result["activities"]:
        lines.append(f"{row['activity']:12s} {row['cost_per_unit_per_run']:>18.5g} {row['runs_per_year']:>8g} "
                     f"{row['annual_cost_per_unit']:>16.4g} {_usd(row['total_annual_cost']):>14s}")
    lines.append(f"annual cost per unit {result['annual_cost_per_unit']:.4g} USD; total {_usd(result['total_annual_cost'])} a year "
                 f"for {result['prediction_units']:,.0f} units")
    typer.echo("\n".join(lines))


@business_app.command("case")
def case(case_file: CaseArgument, config: ConfigOption = None,
         save: Annotated[Optional[str], typer.Option(help="Also save the case and its result in the store under this name.")] = None,
         replace: Annotated[bool, typer.Option("--replace", help="With --save: overwrite a saved case of that name.")] = False,
         json_output: JsonOption = False) -> None:
    """The whole bill, the benefit, NPV, payback, break-even, probabilities and a go/no-go."""
    from dlcost.core.checks import InputError

    if replace and save is None:
        raise InputError("replace", "replace: give --save NAME to say which saved case to replace.")
    parsed = _case(case_file)
    context = workspace(config)
    if save is not None:
        _, result = run(lambda: context.save_business_case(save, parsed, replace))
    else:
        result = run(lambda: context.business_case(parsed))
    if json_output:
        emit(result)
        return
    lines = [f"{result['name']}: {result['decision'].upper()}"]
    lines += [f"  - {reason}" for reason in result["reasons"]]
    lines.append(f"One-off {_usd(result['one_off_cost'])}:")
    lines += [f"  {line['item']:22s} {_usd(line['amount_usd']):>14s}  {line['source']}" for line in result["one_off_lines"]]
    lines.append(f"Recurring {_usd(result['annual_recurring_cost'])} a year:")
    lines += [f"  {line['item']:22s} {_usd(line['amount_usd']):>14s}  {line['source']}" for line in result["recurring_lines"]]
    lines.append(f"Benefit {_usd(result['annual_benefit'])} a year ({result['benefit_source']})")
    if result["break_even_volume"] is not None:
        lines.append(f"Break-even: {result['break_even_volume']:,.0f} {result['break_even_volume_unit']}"
                     + ("" if result["break_even_deployments"] is None else f"; {result['break_even_deployments']:.3g} deployments"))
    typer.echo("\n".join(lines))


@business_app.command("optimal-accuracy")
def optimal_accuracy(case_file: CaseArgument, config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Sweep the target accuracy: the target whose net present value is highest."""
    parsed = _case(case_file)
    result = run(lambda: workspace(config).business_optimal_accuracy(parsed))
    if json_output:
        emit(result)
        return
    lines = [f"{'target':>8s} {'one-off':>14s} {'benefit/yr':>14s} {'NPV':>16s}"]
    lines += [f"{row['target_accuracy']:>8.1%} {_usd(row['one_off_cost']):>14s} {_usd(row['annual_benefit']):>14s} {_usd(row['npv']):>16s}"
              for row in result["sweep"]]
    lines.append(f"optimal target accuracy {result['optimal_target_accuracy']:.1%}: NPV {_usd(result['optimal_npv'])}")
    typer.echo("\n".join(lines))


@business_app.command("budget")
def budget(case_file: CaseArgument, budget: Annotated[float, typer.Option("--budget", help="Most the build may cost, USD.")],
           deadline_weeks: Annotated[Optional[float], typer.Option(help="Most weeks of wall-clock training.")] = None,
           config: ConfigOption = None, json_output: JsonOption = False) -> None:
    """Budget first: the best accuracy and architecture a budget (and a deadline) buys."""
    parsed = _case(case_file)
    result = run(lambda: workspace(config).business_budget(parsed, budget, deadline_weeks))
    if json_output:
        emit(result)
        return
    typer.echo(f"{_usd(budget)} buys {result['target_accuracy']:.1%} with {result['architecture']} "
               f"(build {_usd(result['one_off_cost'])}, {result['wall_clock_hours']:,.1f} h of training; NPV {_usd(result['npv'])})")


@business_app.command("list")
def list_cases(json_output: JsonOption = False) -> None:
    """Saved business cases: name, decision, NPV, when."""
    rows = run(lambda: workspace().require_store().cases())
    records = [{"name": r.name, "decision": r.result.get("decision"), "npv": r.result.get("npv"),
                "created_at": r.created_at.isoformat()} for r in rows]
    if json_output:
        emit({"cases": records})
        return
    typer.echo("\n".join(f"{r['name']}: {r['decision']}, NPV {_usd(r['npv'])} ({r['created_at']})" for r in records)
               or "No saved business cases (dlcost business case FILE --save NAME).")


@business_app.command("show")
def show_case(name: Annotated[str, typer.Argument(help="A saved case's name.")], json_output: JsonOption = False) -> None:
    """A saved business case: its inputs and the result as computed then."""
    row = run(lambda: workspace().require_store().case(name))
    document = {"name": row.name, "inputs": row.inputs, "result": row.result, "catalog_version": row.catalog_version,
                "created_at": row.created_at.isoformat()}
    if json_output:
        emit(document)
        return
    result = row.result
    typer.echo(f"{row.name}: {result['decision'].upper()}, NPV {_usd(result['npv'])}, one-off {_usd(result['one_off_cost'])}, "
               f"recurring {_usd(result['annual_recurring_cost'])} a year, benefit {_usd(result['annual_benefit'])} a year "
               f"(saved {row.created_at.isoformat()})")
