"""A user's CSV of error, compute and year columns, read for ``dlcost limits fit`` (seed 003).

The columns are named by the caller (``error_col``, ``compute_col``, ``year_col``); other
columns are ignored. A cell must be:

- error: a fraction in (0, 1) (1 - accuracy); with ``accuracy_percent`` the column holds
  accuracy in percent, in (0, 100), read as error = 1 - value / 100;
- compute: a finite number greater than 0, in any one unit (GFLOPs per pass, training FLOP);
- year: a year from 1900 to 2100 (:data:`YEAR_RANGE`; decimal years such as 2017.5 are fine).

An empty line is ignored; a row with a blank named cell is skipped and counted (Epoch AI's
tables leave unknown compute blank). At least :data:`MIN_ROWS` usable rows are needed, and
the compute and error columns (the year column, for the growth fit) must not hold one value
throughout. Every failure raises
:class:`~dlcost.core.checks.InputError` with the option's field (``error_col``, ...) and,
for a bad cell, its line (the header is line 1).
"""

from __future__ import annotations

import math
from pathlib import Path

from dlcost.core.checks import InputError, shown
from dlcost.iotools.files import csv_rows, read_user_text

__all__ = ["read_limits_csv", "parse_limits_csv", "MIN_ROWS", "YEAR_RANGE"]

#: Fewest usable rows a fit takes: two coefficients and one residual degree of freedom.
#: The one definition: :mod:`dlcost.engine.limits_fit` imports it.
MIN_ROWS = 3
#: Years a fit accepts, inclusive (the engine's array check uses the same range). [year]
YEAR_RANGE = (1900.0, 2100.0)


def read_limits_csv(path: str | Path, *, compute_col: str, error_col: str | None = None, year_col: str | None = None,
                    accuracy_percent: bool = False) -> dict:
    """The columns of the CSV file at ``path`` for :func:`dlcost.engine.limits_fit.fit_limits`.

    Returns what :func:`parse_limits_csv` returns.
    """
    text = read_user_text(path, "limits file", "file")
    return parse_limits_csv(text, compute_col=compute_col, error_col=error_col, year_col=year_col,
                            accuracy_percent=accuracy_percent, where=repr(str(path)))


def parse_limits_csv(text: str, *, compute_col: str, error_col: str | None = None, year_col: str | None = None,
                     accuracy_percent: bool = False, where: str = "the file") -> dict:
    """The named columns of CSV ``text``; ``where`` names the source in messages (``"'data.csv'"``).

    Returns
    -------
    columns : dict
        ``error`` (list of fractions, or None without ``error_col``), ``compute``, ``year``
        (or None), ``lines`` (the file line of each row), ``n_rows``, ``n_skipped`` (rows
        with a blank named cell) and ``columns`` (the column names used, by option).
    """
    if error_col is None and year_col is None:
        raise InputError("error_col", "error_col or year_col is needed: error_col for the error-against-compute fits, "
                                      "year_col alone for the growth of compute by year.")
    rows = csv_rows(text, f"limits file {where}", "file")
    if not rows:
        raise InputError("file", f"limits file {where} is empty; it needs a header line and at least {MIN_ROWS} rows.")
    header = [name.strip() for name in rows[0][1]]
    wanted = {"compute_col": compute_col, "error_col": error_col, "year_col": year_col}
    index = {option: _column_index(header, option, name, where) for option, name in wanted.items() if name is not None}
    values = {option: [] for option in index}
    lines, skipped = [], 0
    for line, row in rows[1:]:
        if not any(value.strip() for value in row):
            continue
        cells = {option: (row[i].strip() if i < len(row) else "") for option, i in index.items()}
        if not all(cells.values()):
            skipped += 1
            continue
        for option, cell in cells.items():
            values[option].append(_cell(cell, option, wanted[option], line, accuracy_percent))
        lines.append(line)
    if len(lines) < MIN_ROWS:
        raise InputError("file", f"limits file {where} has {len(lines)} usable row(s) ({skipped} with a blank cell in "
                                 f"{', '.join(repr(wanted[o]) for o in index)}); the fit needs at least {MIN_ROWS}.")
    for option in ("compute_col", "error_col") if error_col is not None else ("compute_col", "year_col"):
        if len(set(values[option])) == 1:
            raise InputError(option, f"{option}: column {wanted[option]!r} of {where} must vary for a fit; all "
                                     f"{len(lines)} usable rows are {values[option][0]:g}.")
    return {"error": values.get("error_col"), "compute": values["compute_col"], "year": values.get("year_col"),
            "lines": lines, "n_rows": len(lines), "n_skipped": skipped,
            "columns": {option: name for option, name in wanted.items() if name is not None}}


def _column_index(header: list[str], option: str, name: str, where: str) -> int:
    if not isinstance(name, str) or not name.strip():
        raise InputError(option, f"{option} must name a column; got {shown(name)}.")
    if name.strip() not in header:
        listed = ", ".join(header[:20]) + (f", ... ({len(header)} columns)" if len(header) > 20 else "")
        raise InputError(option, f"{option}: column {name!r} is not in {where} (columns: {listed}).")
    return header.index(name.strip())


def _cell(text: str, option: str, column: str, line: int, accuracy_percent: bool) -> float:
    """One cell as a number, checked by the rule of its option."""
    rules = {"compute_col": "a finite number greater than 0", "year_col": f"a year from {YEAR_RANGE[0]:g} to {YEAR_RANGE[1]:g}",
             "error_col": "a number in (0, 100) (accuracy in percent)" if accuracy_percent else "a number in (0, 1)"}
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if option == "compute_col":
        good = math.isfinite(number) and number > 0
    elif option == "year_col":
        good = YEAR_RANGE[0] <= number <= YEAR_RANGE[1]
    else:
        high = 100.0 if accuracy_percent else 1.0
        good = 0.0 < number < high
    if not good:
        hint = ""
        if option == "error_col" and not accuracy_percent and 1.0 < number < 100.0:
            hint = " A percent column? Divide it by 100, or for accuracy in percent pass --accuracy-percent."
        raise InputError(option, f"line {line}: {column} must be {rules[option]}; got {shown(text)}.{hint}", line=line)
    if option == "error_col" and accuracy_percent:
        return 1.0 - number / 100.0
    return number
