"""The ``dlcost`` command line: thin commands that parse, call the library, then format.

Heavy modules (numpy, pydantic, rich tables) are imported inside the commands so
that ``dlcost --help`` starts fast. Every bad input ends with one line
``Error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer on click
    from click.exceptions import UsageError

app = typer.Typer(
    help="Estimate what a deep-learning vision system will cost, how much data it needs and what accuracy it reaches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class InputError(Exception):
    """A bad input: printed as one line, exit 2."""


def _run(call):
    """Call the library, turning its input errors into :class:`InputError`."""
    from pydantic import ValidationError

    from dlcost.models import describe_validation_error

    try:
        return call()
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _emit(document: dict) -> None:
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def _class_counts(text: Optional[str]):
    if text is None:
        return None
    from dlcost.inputs import parse_class_counts

    return _run(lambda: parse_class_counts(text))


TaskOption = Annotated[Optional[str], typer.Option(help="classification (error = 1 - accuracy) or segmentation (error = 1 - mean IoU).")]
ClassesOption = Annotated[Optional[int], typer.Option(help="Number of equally likely classes (>= 2).")]
CountsOption = Annotated[
    Optional[str], typer.Option(help="Examples per class: 50000,1000 or a CSV file of label,count rows.")
]
PretrainedOption = Annotated[
    Optional[bool], typer.Option("--pretrained/--no-pretrained", help="Fine-tuned from a pretrained checkpoint [default: pretrained].")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (docs/json.md).")]


@app.command()
def estimate(
    task: TaskOption = None,
    target_accuracy: Annotated[Optional[str], typer.Option(help="Accuracy to reach: 0.965 or 96.5%.")] = None,
    data_present: Annotated[Optional[float], typer.Option(help="Labelled images at hand [default: sum of class counts, else 0].")] = None,
    data_max: Annotated[Optional[float], typer.Option(help="Most labelled images that could be had (data limit).")] = None,
    cost_per_datapoint: Annotated[Optional[float], typer.Option(help="USD to label one more image.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    pretrained: PretrainedOption = None,
    architecture: Annotated[
        Optional[list[str]], typer.Option("--architecture", help="Candidate architecture (repeatable) [default: whole catalog].")
    ] = None,
    cost_per_flop: Annotated[Optional[float], typer.Option(help="USD per FLOP in paper mode [default: 3e-11].")] = None,
    epochs: Annotated[Optional[float], typer.Option(help="Passes over the training data [default: 50].")] = None,
    top: Annotated[Optional[int], typer.Option(help="How many recommendations [default: 3].")] = None,
    cost_mode: Annotated[Optional[str], typer.Option(help="paper: eq. (4) of seed 000 [default: paper].")] = None,
    scenario: Annotated[Optional[Path], typer.Option(help="TOML file with the same keys; flags override it.")] = None,
    json_output: JsonOption = False,
) -> None:
    """Data needed, costs and the cheapest architectures for a target accuracy (Figure 2 of seed 000).

    Inputs come from flags or from --scenario FILE.toml with the same keys (flags win).
    """
    from dlcost.estimation import estimate as run_estimate
    from dlcost.inputs import read_scenario_file
    from dlcost.models import Scenario

    values = _run(lambda: read_scenario_file(scenario)) if scenario is not None else {}
    flags = dict(
        task=task, target_accuracy=target_accuracy, data_present=data_present, data_max=data_max,
        cost_per_datapoint=cost_per_datapoint, classes=classes, class_counts=_class_counts(class_counts),
        pretrained=pretrained, architectures=architecture or None, cost_per_flop=cost_per_flop, epochs=epochs,
        top=top, cost_mode=cost_mode,
    )
    given = {key: value for key, value in flags.items() if value is not None}
    if {"classes", "class_counts"} & given.keys():
        values.pop("classes", None)
        values.pop("class_counts", None)
    values.update(given)
    result = _run(lambda: run_estimate(Scenario.model_validate(values)))
    if json_output:
        _emit(result.to_dict())
    else:
        from dlcost._render import estimate_view, print_view

        print_view(estimate_view(result))


@app.command("predict-error")
def predict_error(
    data: Annotated[float, typer.Option(help="Training images.")],
    rc: Annotated[Optional[float], typer.Option("--rc", help="Relative complexity, instead of --classes or --class-counts.")] = None,
    classes: ClassesOption = None,
    class_counts: CountsOption = None,
    pretrained: PretrainedOption = None,
    task: TaskOption = None,
    json_output: JsonOption = False,
) -> None:
    """Predicted error and accuracy after training on a given number of images (equation 1 of seed 000)."""
    from dlcost.estimation import predict_error as run_prediction
    from dlcost.models import ErrorQuery

    values = dict(
        data=data, relative_complexity=rc, classes=classes, class_counts=_class_counts(class_counts),
        pretrained=pretrained, task=task,
    )
    result = _run(lambda: run_prediction(ErrorQuery.model_validate({k: v for k, v in values.items() if v is not None})))
    if json_output:
        _emit(result.to_dict())
    else:
        from dlcost._render import prediction_view, print_view

        print_view(prediction_view(result))


@app.command()
def architectures(json_output: JsonOption = False) -> None:
    """The architecture catalog: parameters, FLOPs, resolution, ImageNet top-1 and sources."""
    from dlcost import catalog

    rows = catalog.architectures()
    if json_output:
        _emit({"architectures": [row.to_dict() for row in rows]})
    else:
        from dlcost._render import architectures_view, print_view

        print_view(architectures_view(rows))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dlcost`` script; returns the exit code."""
    try:
        code = app(args=argv, prog_name="dlcost", standalone_mode=False)
    except InputError as exc:
        typer.echo(f"Error: {exc}", err=True)
        return 2
    except UsageError as exc:
        typer.echo(f"Error: {exc.format_message()}", err=True)
        return 2
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 1
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
