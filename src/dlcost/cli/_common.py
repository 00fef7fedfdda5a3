"""Shared pieces of the command line: the typer app, the workspace, input errors, JSON output, options."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dlcost.catalog import defaults
from dlcost.core.checks import InputError, shown

#: Every default input (catalog/defaults.toml): the help texts show them from here.
DEFAULTS = defaults()

try:  # typer >= 0.22 vendors click
    from typer._click.exceptions import UsageError  # noqa: F401 (re-exported to dlcost.cli)
except ImportError:  # pragma: no cover - older typer on click
    from click.exceptions import UsageError  # noqa: F401

app = typer.Typer(
    help="Estimate what a deep-learning vision system will cost, how much data it needs and what accuracy it reaches.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

__all__ = ["DEFAULTS", "app", "InputError", "UsageError", "run", "emit", "workspace", "open_store", "class_counts_option",
           "whole_in_range", "name_or_none", "measured"]


def run(call):
    """Call the library; a bad input (pydantic's or an InputError) becomes one :class:`InputError` line."""
    from pydantic import ValidationError

    from dlcost.schemas.errors import first_message

    try:
        return call()
    except ValidationError as exc:
        raise InputError("input", first_message(exc)) from None
    except ValueError as exc:
        raise InputError(getattr(exc, "field", "input"), str(exc)) from None


def whole_in_range(value: int | None, name: str, low: int, high: float) -> int | None:
    """``value`` (None passes) if it is a whole number from ``low`` to ``high``; one line naming ``name`` if not."""
    if value is not None and not low <= value <= high:
        raise InputError(name, f"{name} must be a whole number from {low:,} to {high:,.0f}; got {shown(value)}.")
    return value


def name_or_none(value: str | None, name: str, what: str, default: str = "for the default") -> str | None:
    """``value`` (None passes) unless it is empty: an empty name is an error, not the default."""
    if value is not None and not value.strip():
        raise InputError(name, f"{name} must name {what}; got {value!r}. Leave --{name.replace('_', '-')} out {default}.")
    return value


def measured(call, what: str):
    """``run(call)`` for a measurement: running out of memory is one line naming the settings to lower."""
    try:
        return run(call)
    except (RuntimeError, MemoryError) as exc:
        text = str(exc).strip()
        if not isinstance(exc, MemoryError) and "memory" not in text.lower():
            raise
        first = text.splitlines()[0][:160] if text else type(exc).__name__
        raise InputError("batch_size", f"batch_size: the {what} ran out of memory ({first}); "
                                       "choose a smaller --batch-size or --resolution.") from None


def emit(document: dict) -> None:
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def workspace(config: Path | None = None):
    """The user's workspace: the hardware catalog with their config and saved measurements, and
    the store when one exists (opened only when an answer needs it)."""
    from dlcost.iotools.user_files import load_user_hardware
    from dlcost.service.workspace import Workspace
    from dlcost.store import open_existing_store

    return Workspace(run(lambda: load_user_hardware(config)), open_store=lambda: run(open_existing_store))


def open_store():
    """The store, opened once per command and closed when the process exits."""
    import atexit

    from dlcost.store import Store

    store = run(Store)
    atexit.register(store.close)
    return store


def class_counts_option(text: Optional[str], name: str = "class_counts"):
    """``--class-counts`` (or ``--baseline-class-counts``, ``name``) as numbers or a CSV file's label-to-count mapping."""
    if text is None:
        return None
    from dlcost.iotools.scenario_file import parse_class_counts

    return run(lambda: parse_class_counts(text, name))


TaskOption = Annotated[Optional[str], typer.Option(help="classification (error = 1 - accuracy) or segmentation (error = 1 - mean IoU).")]
ClassesOption = Annotated[Optional[int], typer.Option(help="Number of equally likely classes (>= 2).")]
CountsOption = Annotated[
    Optional[str], typer.Option(help="Examples per class: 50000,1000 or a CSV file of label,count rows.")
]
BaselineClassesOption = Annotated[Optional[int], typer.Option(help=f"Baseline classes for relative complexity [default: {DEFAULTS['baseline_classes']}, ImageNet-1000].")]
PretrainedOption = Annotated[
    Optional[bool], typer.Option("--pretrained/--no-pretrained", help="Fine-tuned from a pretrained checkpoint [default: pretrained].")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON (docs/json.md).")]
ConfigOption = Annotated[
    Optional[Path], typer.Option(help="TOML file adding or overriding hardware and prices [default: $DLCOST_CONFIG].")
]


def _model_name(value: Optional[str]) -> Optional[str]:
    """``--model`` as given; an empty name is an error, not the default (leaving the option out is)."""
    if value is not None and not value.strip():
        raise InputError("model", f"model must name an error model, dlcost-2026, paper-2024 or a fitted one (`dlcost model list`); "
                                  f"got {value!r}. Leave --model out for the active model.")
    return value


ModelOption = Annotated[
    Optional[str], typer.Option("--model", "--error-model", callback=_model_name,
                                help="Error model: dlcost-2026, paper-2024 or a fitted one [default: the active model, else dlcost-2026 (paper-2024 in paper cost mode)].")
]


def _print_version(value: bool) -> None:
    if value:
        from dlcost import __version__

        typer.echo(f"dlcost {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    pass
