"""`dlcost scenario|observation|model`: the store of saved scenarios, observed outcomes and refits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.cli._common import InputError, JsonOption, ModelOption, app, emit, open_store, run, workspace

scenario_app = typer.Typer(help="Saved scenarios: save, list, show, compare, delete.", no_args_is_help=True)
observation_app = typer.Typer(help="Observed project outcomes that calibrate the model.", no_args_is_help=True)
model_app = typer.Typer(help="Refit equation 1 on observations; validate, plot and choose the model estimates use.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
app.add_typer(observation_app, name="observation")
app.add_typer(model_app, name="model")


def _store():
    return open_store()


# ----- scenarios -----------------------------------------------------------
@scenario_app.command("save")
def scenario_save(
    name: Annotated[str, typer.Argument(help="Name to save it under.")],
    scenario: Annotated[Path, typer.Option(help="Scenario TOML file (the keys of `dlcost estimate`).")],
    model: ModelOption = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a scenario of that name.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Price a scenario file and save inputs, result, model and catalog version."""
    from dlcost.iotools.scenario_file import read_scenario_file
    from dlcost.schemas import Scenario

    values = run(lambda: read_scenario_file(scenario))
    parsed = run(lambda: Scenario.model_validate(values))
    row, _ = run(lambda: workspace().save_estimate(name, parsed, model, replace))
    if json_output:
        emit({"name": row.name, "model": row.model_name, "result": row.result})
    else:
        typer.echo(f"saved scenario {row.name!r} ({row.model_name}, best: {row.result['recommendations'][0]['architecture']})")


@scenario_app.command("list")
def scenario_list(json_output: JsonOption = False) -> None:
    """Saved scenarios, oldest first."""
    rows = _store().scenarios()
    from dlcost.service.documents import scenario_summary

    if json_output:
        emit({"scenarios": [scenario_summary(row) for row in rows]})
        return
    from dlcost.cli._views import print_view, scenarios_view

    print_view(scenarios_view([scenario_summary(row) for row in rows]))


@scenario_app.command("show")
def scenario_show(name: Annotated[str, typer.Argument()], json_output: JsonOption = False) -> None:
    """A saved scenario's result, as computed when it was saved."""
    row = run(lambda: _store().scenario(name))
    if json_output:
        from dlcost.service.documents import scenario_document

        emit(scenario_document(row))
        return
    from dlcost.cli._views import estimate_view, print_view
    from dlcost.schemas import Estimate

    typer.echo(f"{row.name}: saved {row.created_at:%Y-%m-%d %H:%M} UTC, model {row.model_name}, catalog {row.catalog_version}")
    print_view(estimate_view(Estimate.model_validate(row.result)))


@scenario_app.command("compare")
def scenario_compare(names: Annotated[list[str], typer.Argument(help="Two or more saved scenarios.")], json_output: JsonOption = False) -> None:
    """Two or more saved scenarios side by side."""
    if len(names) < 2:
        raise InputError("names", f"names: compare needs at least 2 saved scenarios; got {len(names)}.")
    store = _store()
    rows = [run(lambda n=n: store.scenario(n)) for n in names]
    from dlcost.reports.comparison import comparison_rows

    table = comparison_rows([(row.name, row.result) for row in rows])
    if json_output:
        emit({"scenarios": names, "rows": [{"label": label, "values": values} for label, values in table]})
        return
    from dlcost.cli._views import comparison_view, print_view

    print_view(comparison_view(names, table))


@scenario_app.command("delete")
def scenario_delete(name: Annotated[str, typer.Argument()]) -> None:
    """Delete a saved scenario."""
    run(lambda: _store().delete_scenario(name))
    typer.echo(f"deleted scenario {name!r}")


# ----- observations ----------------------------------------------------------
@observation_app.command("add")
def observation_add(
    dataset: Annotated[str, typer.Option(help="Dataset or project name (validation groups by it).")],
    n_train: Annotated[float, typer.Option(help="Training images.")],
    metric_value: Annotated[str, typer.Option(help="Accuracy or mean IoU reached: 0.93 or 93%.")],
    task: Annotated[str, typer.Option(help="classification, segmentation or detection (stored, left out of fits).")] = "classification",
    classes: Annotated[Optional[int], typer.Option(help="Number of classes.")] = None,
    class_counts: Annotated[Optional[str], typer.Option(help="Examples per class: 500,20,7.")] = None,
    rc: Annotated[Optional[float], typer.Option("--rc", help="Relative complexity, when classes are unknown.")] = None,
    pretrained: Annotated[bool, typer.Option("--pretrained/--no-pretrained", help="Fine-tuned from a checkpoint.")] = True,
    architecture: Annotated[Optional[str], typer.Option(help="Architecture trained.")] = None,
    epochs: Annotated[Optional[float], typer.Option(help="Epochs trained.")] = None,
    metric_name: Annotated[str, typer.Option(help="What metric_value is.")] = "accuracy",
    gpu_hours: Annotated[Optional[float], typer.Option(help="Actual GPU-hours.")] = None,
    cost_usd: Annotated[Optional[float], typer.Option(help="Actual cost in USD.")] = None,
    source: Annotated[str, typer.Option(help="Where the figure comes from.")] = "",
    observed_on: Annotated[Optional[str], typer.Option(help="Date, e.g. 2026-11-22.")] = None,
    dataset_distance: Annotated[Optional[float], typer.Option(help="Seed 000's dataset distance (`dlcost distance`'s wasserstein); model fit tests it.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Record one observed outcome."""
    from dlcost.schemas import Observation, parse_fraction

    counts = None
    if class_counts is not None:
        from dlcost.iotools.scenario_file import parse_class_counts

        parsed = run(lambda: parse_class_counts(class_counts))
        counts = list(parsed.values()) if isinstance(parsed, dict) else parsed
    values = dict(dataset=dataset, task=task, n_train=n_train, n_classes=classes, class_counts=counts, relative_complexity=rc,
                  pretrained=pretrained, architecture=architecture, epochs=epochs, metric_name=metric_name,
                  metric_value=run(lambda: parse_fraction(metric_value, "metric_value")), gpu_hours=gpu_hours,
                  cost_usd=cost_usd, source=source, observed_on=observed_on, dataset_distance=dataset_distance)
    observation = run(lambda: Observation.model_validate({k: v for k, v in values.items() if v is not None}))
    (identifier,) = run(lambda: _store().add_observations([observation]))
    if json_output:
        emit({"id": identifier, **observation.model_dump()})
    else:
        typer.echo(f"added observation {identifier}")


@observation_app.command("import")
def observation_import(
    file: Annotated[Optional[Path], typer.Argument(help="CSV with the columns of vtab_calibration.csv.")] = None,
    examples: Annotated[bool, typer.Option("--examples", help="Import every shipped observation: Table 2 of seed 000, the VTAB calibration set and the public corpus (657 rows).")] = False,
    allow_duplicates: Annotated[bool, typer.Option("--allow-duplicates", help="Import rows equal to stored ones too.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Import observations from a CSV file, all or nothing; rows already stored are skipped."""
    from dlcost.service.observations import EXAMPLES_LABEL, import_observations_csv

    if (file is None) == (not examples):
        raise InputError("file", "file: give a CSV file or --examples (not both).")
    text = None
    if not examples:
        from dlcost.iotools.files import read_user_text

        text = run(lambda: read_user_text(file, "observations file", "file"))
    answer = run(lambda: _named(file, lambda: import_observations_csv(_store(), text, allow_duplicates)))
    if json_output:
        emit(answer)
    else:
        skipped = f"; {answer['skipped_duplicates']} already stored, skipped" if answer["skipped_duplicates"] else ""
        typer.echo(f"imported {answer['imported']} observations from {EXAMPLES_LABEL if examples else file}{skipped}")


def _named(file: Optional[Path], work):
    """``work()``, its errors about the file's content (not the database) naming the file."""
    try:
        return work()
    except InputError as error:
        if file is None or error.field == "database":
            raise
        raise InputError(error.field, f"observations file {str(file)!r} {error}", line=error.line) from None


def _filters(pairs: Optional[list[str]]) -> dict:
    filters = {}
    for pair in pairs or []:
        field, sep, value = pair.partition("=")
        if not sep or not field:
            raise InputError("observations", f"observations: filters are FIELD=VALUE, e.g. pretrained=yes; got {pair!r}.")
        filters[field.strip()] = value.strip()
    return filters


@observation_app.command("list")
def observation_list(
    where: Annotated[Optional[list[str]], typer.Option("--where", help="FIELD=VALUE filter (repeatable).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Observations in the store."""
    from dlcost.service.documents import observation_record

    rows = run(lambda: _store().observations(_filters(where)))
    records = [observation_record(row) for row in rows]
    if json_output:
        emit({"observations": records})
        return
    from dlcost.cli._views import observations_view, print_view

    print_view(observations_view(records))


def _interactive() -> bool:
    """Whether a person can answer a confirmation (standard input is a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _identifier(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        from dlcost.core.checks import shown

        raise InputError("id", f"id must be a whole number (an observation id); got {shown(text)}.") from None


def _matched(deletion: dict) -> str:
    """``3 observation(s) match: ids 4, 7, 9`` (with the filters, or every observation)."""
    parts = []
    if deletion["ids"] is not None:
        ids = deletion["ids"]
        parts.append("ids " + ", ".join(map(str, ids[:10])) + (f", ... ({len(ids)} ids)" if len(ids) > 10 else ""))
    if deletion["filters"]:
        parts.append(" ".join(f"{field}={value}" for field, value in deletion["filters"].items()))
    return f"{deletion['count']} observation(s) match: {' and '.join(parts) or 'every observation in the store'}"


@observation_app.command("delete")
def observation_delete(
    ids: Annotated[Optional[list[str]], typer.Argument(help="Observation ids (see `dlcost observation list`).", show_default=False)] = None,
    where: Annotated[Optional[list[str]], typer.Option("--where", help="FIELD=VALUE filter (repeatable), as `observation list` takes.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Delete every observation (no ids or filters).")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking for confirmation.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what matches; delete nothing.")] = False,
) -> None:
    """Delete observations by id or filter: count what matches, confirm, then delete in one transaction.

    The interval calibration is recomputed from the remaining observations on the next estimate.
    """
    from dlcost.service.observations import delete_planned, plan_deletion

    store = _store()
    deletion = run(lambda: plan_deletion(store, [_identifier(text) for text in ids or []], _filters(where), everything))
    typer.echo(_matched(deletion))
    if dry_run or not deletion["count"]:
        typer.echo("nothing deleted" + (" (--dry-run)" if dry_run else ""))
        return
    if not yes:
        if not _interactive():
            raise InputError("yes", f"yes: standard input is not a terminal, so the delete cannot be confirmed; "
                                    f"pass --yes to delete these {deletion['count']} observation(s). Nothing was deleted.")
        if not typer.confirm(f"Delete {deletion['count']} observation(s)?", default=False):
            raise typer.Abort()
    typer.echo(f"deleted {run(lambda: delete_planned(store, deletion))} observation(s)")


@observation_app.command("export")
def observation_export(
    out: Annotated[Optional[Path], typer.Option(help="CSV file to write [default: standard output].")] = None,
    where: Annotated[Optional[list[str]], typer.Option("--where", help="FIELD=VALUE filter (repeatable).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Observations as an importable CSV (or JSON)."""
    rows = run(lambda: _store().observations(_filters(where)))
    if json_output:
        import json

        from dlcost.service.documents import observation_record

        document = {"observations": [observation_record(row) for row in rows]}
        if out is None:
            emit(document)
            return
        def write(handle):
            handle.write(json.dumps(document, indent=2) + "\n")
    else:
        from dlcost.iotools.observations_csv import observations_to_csv

        if out is None:
            observations_to_csv(rows, sys.stdout)
            return
        def write(handle):
            observations_to_csv(rows, handle)
    import errno

    from dlcost.iotools.files import write_error

    if out.is_dir():
        raise write_error(out, "out file", "out", IsADirectoryError(errno.EISDIR, "Is a directory"))
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            write(handle)
    except OSError as exc:
        raise write_error(out, "out file", "out", exc) from None
    if json_output:  # the file holds the document; standard output says where it went
        emit({"out": str(out), "observations": len(rows)})
    else:
        typer.echo(f"wrote {len(rows)} observations to {out}")


# ----- models ----------------------------------------------------------------
@model_app.command("fit")
def model_fit(
    name: Annotated[str, typer.Argument(help="Name for the fitted model.")],
    observations: Annotated[Optional[list[str]], typer.Option("--observations", help="FIELD=VALUE: fit only matching observations (repeatable).")] = None,
    with_paper_cases: Annotated[bool, typer.Option("--with-paper-cases", help="Add the six Table 2 cases of seed 000.")] = False,
    json_output: JsonOption = False,
) -> None:
    """OLS of log10(error) on the paper's variables (statsmodels), printed like Table 1, and the
    dataset distance's test as a covariate when enough observations carry one."""
    from dlcost.service.models import fit_and_save

    result = run(lambda: fit_and_save(_store(), name, _filters(observations), with_paper_cases))
    if json_output:
        emit(result.to_dict())
        return
    from dlcost.cli._views import fit_view, print_view

    print_view(fit_view(result.model, result.notes, result.covariate_test))


@model_app.command("validate")
def model_validate(
    name: Annotated[str, typer.Argument()],
    recompute: Annotated[bool, typer.Option("--recompute", help="dlcost-2026: refit every held-out fold (about 10 s) and list every case.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Leave-one-dataset-out predictions against the observations, like Table 2 (dlcost-2026: by dataset and by source, on the corpus)."""
    from dlcost.service.models import validate_model

    report = run(lambda: validate_model(_store(), name, recompute))
    if json_output:
        emit(report)
        return
    from dlcost.cli._views import print_view, validation_view

    print_view(validation_view(report))
    for note in report["notes"]:
        typer.echo(f"Note: {note}")


@model_app.command("plot")
def model_plot(
    name: Annotated[str, typer.Argument()],
    out: Annotated[Path, typer.Option(help="PNG file to write.")],
) -> None:
    """The partial-regression grid of Figure 3 for a fitted model's observations."""
    from dlcost.service.models import plot_model

    run(lambda: plot_model(_store(), name, out))
    typer.echo(f"wrote {out}")


@model_app.command("use")
def model_use(name: Annotated[str, typer.Argument()]) -> None:
    """Make estimates use this model (default: dlcost-2026; paper-2024 in paper cost mode)."""
    run(lambda: _store().use_model(name))
    typer.echo(f"estimates now use {name}")


@model_app.command("list")
def model_list(json_output: JsonOption = False) -> None:
    """The published model and every fitted one; the active one is marked."""
    from dlcost.service.documents import model_rows

    rows = model_rows(_store())
    if json_output:
        emit({"models": rows})
        return
    for row in rows:
        r2 = "-" if row["r2"] is None or row["r2"] != row["r2"] else f"{row['r2']:.3f}"
        typer.echo(f"{'*' if row['active'] else ' '} {row['name']}: n={row['n']}, R2={r2}, {row['created_at']}")


@model_app.command("show")
def model_show(name: Annotated[str, typer.Argument()], json_output: JsonOption = False) -> None:
    """A model's coefficient table (Table 1 for paper-2024), and a fit's dataset-distance test."""
    from dlcost.service.models import saved_covariate_test

    store = _store()
    model = run(lambda: store.error_model(name))
    if json_output:
        from dlcost.service.documents import model_document

        emit({**model_document(model), "covariate_test": saved_covariate_test(store, name)})
        return
    from dlcost.cli._views import fit_view, print_view

    print_view(fit_view(model, [], saved_covariate_test(store, name)))
