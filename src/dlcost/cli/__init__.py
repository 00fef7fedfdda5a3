"""The ``dlcost`` command line: thin commands that parse, call the library, then format.

Heavy modules (numpy, pydantic, rich tables) are imported inside the commands so
that ``dlcost --help`` starts fast. Every bad input ends with one line
``Error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations

import warnings

import typer

from dlcost.cli import bench, business, distance, estimate, inference, learning_curve, limits, serve, store  # noqa: F401  (registers the commands)
from dlcost.cli._common import InputError, UsageError, app

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dlcost`` script; returns the exit code.

    Floating-point RuntimeWarnings (numpy's overflow on extreme inputs) are not shown:
    the answer, its notes or the ``Error:`` line say what the user needs to know.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
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
