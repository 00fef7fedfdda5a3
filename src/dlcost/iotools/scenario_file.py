"""Scenario TOML files and class-count options into the plain values the schemas take.

Every failure raises :class:`~dlcost.core.checks.InputError` naming the input.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

from dlcost.core.checks import InputError

__all__ = ["read_scenario_file", "parse_class_counts"]


def read_scenario_file(path: str | Path) -> dict:
    """Keys of a scenario TOML file, with ``-`` in key names read as ``_``.

    The keys are the CLI's option names: ``target_accuracy = "96.5%"``,
    ``class_counts = [50000, 1000]`` or ``class_counts = {positive = 50000, negative = 1000}``,
    ``architectures = ["EfficientNet-B0"]``.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError("scenario", f"scenario file {str(path)!r} cannot be read: {reason}.") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("scenario", f"scenario file {str(path)!r} is not valid TOML: {exc}.") from None
    return {key.replace("-", "_"): value for key, value in data.items()}


def parse_class_counts(text: str) -> list[float] | dict[str, float]:
    """Class counts from ``"50000,1000"`` or from a CSV file of ``label,count`` rows.

    A CSV file gives a label-to-count mapping; a header row is skipped when its
    count column is not a number. Counts are checked later by the Scenario model.
    """
    path = Path(text)
    if text.lower().endswith(".csv") or path.is_file():
        return _class_counts_from_csv(path)
    values = []
    for index, item in enumerate(part.strip() for part in text.split(",")):
        try:
            values.append(float(item))
        except ValueError:
            raise InputError("class_counts", 
                f"class_counts must be comma-separated numbers such as 50000,1000 or a CSV file; "
                f"item {index + 1} is {item!r}."
            ) from None
    return values


def _class_counts_from_csv(path: Path) -> dict[str, float]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError("class_counts", f"class_counts file {str(path)!r} cannot be read: {reason}.") from None
    counts: dict[str, float] = {}
    for line_number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise InputError("class_counts", f"class_counts file {str(path)!r} line {line_number}: expected label,count; got {','.join(row)!r}.")
        label, count_text = row[0].strip(), row[1].strip()
        try:
            count = float(count_text)
        except ValueError:
            if line_number == 1:
                continue  # header
            raise InputError("class_counts", 
                f"class_counts file {str(path)!r} line {line_number}: count must be a number; got {count_text!r}."
            ) from None
        if label in counts:
            raise InputError("class_counts", f"class_counts file {str(path)!r} line {line_number}: label {label!r} appears twice.")
        counts[label] = count
    return counts
