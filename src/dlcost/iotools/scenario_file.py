"""Scenario TOML files and class-count options into the plain values the schemas take.

Every failure raises :class:`~dlcost.core.checks.InputError` naming the input.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from dlcost.core.checks import InputError, shown
from dlcost.iotools.files import csv_rows, read_user_text

__all__ = ["read_scenario_file", "read_case_file", "parse_class_counts"]


def read_scenario_file(path: str | Path) -> dict:
    """Keys of a scenario TOML file, with ``-`` in key names read as ``_``.

    The keys are the CLI's option names: ``target_accuracy = "96.5%"``,
    ``class_counts = [50000, 1000]`` or ``class_counts = {positive = 50000, negative = 1000}``,
    ``architectures = ["EfficientNet-B0"]``.
    """
    text = read_user_text(path, "scenario file", "scenario")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("scenario", f"scenario file {str(path)!r} is not valid TOML: {exc}.") from None
    return {key.replace("-", "_"): value for key, value in data.items()}


def parse_class_counts(text: str, name: str = "class_counts") -> list[float] | dict[str, float]:
    """Class counts from ``"50000,1000"`` or from a CSV file of ``label,count`` rows.

    Text that is a list of numbers is read as one, however long (CIFAR-100's 100
    classes); otherwise it names a CSV file, which gives a label-to-count mapping (a
    header row is skipped when its count column is not a number). Counts are checked
    later by the Scenario model. ``name`` is the input errors name (``baseline_class_counts``).
    """
    items = [part.strip() for part in text.split(",")]
    values = [_number(item) for item in items]
    if None not in values:
        return values
    if text.lower().endswith(".csv") or _is_file(text):
        return _class_counts_from_csv(Path(text), name)
    index = values.index(None)
    raise InputError(name,
        f"{name} must be comma-separated numbers such as 50000,1000 or a CSV file; "
        f"item {index + 1} is {shown(items[index])}."
    )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a name too long for the system, or with a NUL byte
        return False


def _class_counts_from_csv(path: Path, name: str) -> dict[str, float]:
    where = f"{name} file {str(path)!r}"
    rows = csv_rows(read_user_text(path, f"{name} file", name), where, name)
    counts: dict[str, float] = {}
    for line_number, row in rows:
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise InputError(name, f"{where} line {line_number}: expected label,count; got {shown(','.join(row))}.")
        label, count_text = row[0].strip(), row[1].strip()
        count = _number(count_text)
        if count is None:
            if line_number == 1:
                continue  # header
            raise InputError(name, f"{where} line {line_number}: count must be a number; got {shown(count_text)}.")
        if label in counts:
            raise InputError(name, f"{where} line {line_number}: label {shown(label)} appears twice.")
        counts[label] = count
    return counts


def read_case_file(path: str | Path) -> dict:
    """Keys of a business-case TOML file (``dlcost business``), with ``-`` in key names read as ``_``.

    ``scenario_file = "figure2.toml"`` (relative to the case file) stands for an embedded ``[scenario]``
    table: the estimate whose data and training cost, ranges and serving figures the bill takes.
    """
    text = read_user_text(path, "case file", "case")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("case", f"case file {str(path)!r} is not valid TOML: {exc}.") from None
    def snake(value):
        if isinstance(value, dict):
            return {key.replace("-", "_"): snake(item) for key, item in value.items()}
        return [snake(item) for item in value] if isinstance(value, list) else value

    values = snake(data)
    reference = values.pop("scenario_file", None)
    if reference is not None:
        if "scenario" in values:
            raise InputError("scenario_file", "give either scenario_file or a [scenario] table, not both.")
        if not isinstance(reference, str) or not reference:
            raise InputError("scenario_file", f"scenario_file must be a path to a scenario TOML file; got {shown(reference)}.")
        values["scenario"] = read_scenario_file(Path(path).parent / reference)
    return values
