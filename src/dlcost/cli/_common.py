"""Shared pieces of the command line: the typer app, input errors, JSON output, options."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import UsageError  # noqa: F401 (re-exported to dlcost.cli)
except ImportError:  # pragma: no cover - older typer on click
    pass

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
ConfigOption = Annotated[
    Optional[Path], typer.Option(help="TOML file adding or overriding hardware and prices [default: $DLCOST_CONFIG].")
]
