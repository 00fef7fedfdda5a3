"""Observations from and to CSV (``dlcost observation import|export``).

Columns are those of ``shared/data/transfer/vtab_calibration.csv``: ``dataset, task,
n_train, n_classes, pretrained, metric_name, metric_value`` are required; ``source,
architecture, epochs, class_counts (a;b;c), relative_complexity, gpu_hours, cost_usd,
observed_on, notes, dataset_distance`` are optional, other columns are ignored. A metric is read as
percent when its name contains "%" or "percent". ``pretrained`` is yes/no (text
after yes/no is ignored: "yes (ImageNet-1k)").
"""

from __future__ import annotations

import csv
import re
import io

from pydantic import ValidationError

from dlcost.core.checks import InputError
from dlcost.iotools.files import csv_error
from dlcost.schemas.errors import describe_error
from dlcost.schemas.observation import Observation, validated_columns

__all__ = ["parse_observations_csv", "parse_observation_records", "observations_to_csv", "neutralised", "REQUIRED_COLUMNS"]

REQUIRED_COLUMNS = ("dataset", "task", "n_train", "pretrained", "metric_name", "metric_value")
_OPTIONAL = ("n_classes", "class_counts", "relative_complexity", "source", "architecture", "epochs",
             "gpu_hours", "cost_usd", "observed_on", "notes", "dataset_distance")


#: The words read as ``pretrained`` yes or no (the first word of the cell, brackets and punctuation around it dropped).
_YES_NO = {"yes": True, "true": True, "1": True, "y": True, "no": False, "false": False, "0": False, "n": False}


def _first_word(text: str) -> str:
    return text.strip().lower().split(" ", 1)[0].strip("(),;")


def _yes_no(text: str, line: int) -> bool:
    try:
        return _YES_NO[_first_word(text)]
    except KeyError:
        raise InputError("pretrained", f"line {line}: pretrained must be yes or no; got {text!r}.", line=line) from None


def _number(text: str, name: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(name, f"line {line}: {name} must be a number; got {text!r}.", line=line) from None


#: A cell a spreadsheet would run as a formula (OWASP, "CSV Injection"), after any quotes we added.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_TEXT_COLUMNS = ("dataset", "task", "architecture", "metric_name", "source", "observed_on", "notes")


def neutralised(text: str) -> str:
    """A text cell safe to open in a spreadsheet: a leading ``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'``."""
    return "'" + text if _FORMULA.match(text) else text


def _restored(text: str) -> str:
    """The inverse of :func:`neutralised`, so that export then import gives the same observation."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text) else text


_COLUMNS = (*REQUIRED_COLUMNS, *_OPTIONAL)
_NUMBERS = ("n_train", "metric_value", "relative_complexity", "epochs", "gpu_hours", "cost_usd", "n_classes",
            "dataset_distance")


def _record(row: dict, line: int) -> dict:
    record = {}
    for key in _COLUMNS:
        value = row.get(key)
        if value and (value := value.strip()):
            record[key] = _restored(value) if key in _TEXT_COLUMNS else value
    for name in _NUMBERS:
        if name in record:
            record[name] = _number(record[name], name, line)
    if "class_counts" in record:
        record["class_counts"] = [_number(part, "class_counts", line) for part in record["class_counts"].split(";")]
    if "pretrained" in record:
        record["pretrained"] = _yes_no(record["pretrained"], line)
    metric_name = record.get("metric_name", "").lower()
    if "metric_value" in record and ("%" in metric_name or "percent" in metric_name):
        record["metric_value"] = record["metric_value"] / 100.0
    return record


def parse_observations_csv(text: str) -> list[Observation]:
    """Observations from CSV text; the first bad row raises :class:`InputError` naming its line and field.

    Line numbers count the header as line 1, as an editor shows them. A leading
    byte-order mark is ignored; rows may end in LF, CRLF or a bare CR.
    """
    everything = frozenset(Observation.model_fields)
    return [Observation.model_construct(everything, **record) for record in parse_observation_records(text)]


def parse_observation_records(text: str) -> list[dict]:
    """:func:`parse_observations_csv` as validated records (``Observation.model_dump()`` dicts): what a bulk import stores.

    A table whose every cell is plainly valid is read column by column; any other is
    read again row by row, so the first bad row is named with its line and field.
    """
    text = text.removeprefix("\ufeff")
    fast = _by_columns(text)
    if fast is not None:
        return fast
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _records(reader)
    except csv.Error as exc:
        line = reader.reader.line_num  # the DictReader's own count stops at the last good row
        raise csv_error(exc, f"line {line}", "file", line) from None


def _records(reader: csv.DictReader) -> list[dict]:
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise InputError("columns", f"line 1: missing column(s) {', '.join(missing)}; required: {', '.join(REQUIRED_COLUMNS)}.", line=1)
    records = []
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        try:
            records.append(Observation.model_validate(_record(row, line)).model_dump())
        except ValidationError as error:
            problem = error.errors(include_url=False)[0]
            field = next((str(p) for p in problem["loc"] if isinstance(p, str)), None)
            field = field or getattr((problem.get("ctx") or {}).get("error"), "field", "body")
            raise InputError(field, f"line {line}: {describe_error(problem)}", line=line) from None
    return records


def _by_columns(text: str) -> list[dict] | None:
    """The records of ``text`` read by columns, or None for the row-by-row reading to decide."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error:
        return None
    if not rows or len(set(rows[0])) != len(rows[0]) or any(column not in rows[0] for column in REQUIRED_COLUMNS):
        return None
    header, body = rows[0], rows[1:]
    if any(len(row) != len(header) for row in body):
        return None
    cells = dict(zip(header, zip(*body))) if body else {name: () for name in header}
    try:
        columns = {key: _column(key, cells[key]) for key in _COLUMNS if key in cells}
    except (ValueError, KeyError):
        return None
    if "metric_value" in columns:
        names = columns.get("metric_name") or [None] * len(body)
        columns["metric_value"] = [value / 100.0 if value is not None and name and _percent(name) else value
                                   for value, name in zip(columns["metric_value"], names, strict=True)]
    return validated_columns(columns, len(body))


def _percent_text(fraction: float) -> str:
    """A fraction as the shortest percent text that reads back (text / 100) as the same float."""
    for digits in range(1, 18):
        text = f"{fraction * 100.0:.{digits}g}"
        if float(text) / 100.0 == fraction:
            return text
    return repr(fraction * 100.0)


def _percent(metric_name: str) -> bool:
    lowered = metric_name.lower()
    return "%" in lowered or "percent" in lowered


def _column(key: str, cells) -> list:
    """A column's values as :func:`_record` makes them (None: an empty cell); ValueError or KeyError for the row reading."""
    values = [cell.strip() or None for cell in cells]
    if key in _NUMBERS:
        return [None if value is None else float(value) for value in values]
    if key == "class_counts":
        return [None if value is None else [float(part) for part in value.split(";")] for value in values]
    if key == "pretrained":
        return [None if value is None else _YES_NO[_first_word(value)] for value in values]
    if key in _TEXT_COLUMNS:
        return [value if value is None or not value.startswith("'") else _restored(value) for value in values]
    return values


def observations_to_csv(observations, handle) -> None:
    """Write observations (rows of the store or Observation models) as an importable CSV."""
    fields = list(Observation.model_fields)
    writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for obs in observations:
        record = {field: getattr(obs, field) for field in fields}
        record["pretrained"] = "yes" if record["pretrained"] else "no"
        name = (record["metric_name"] or "").lower()
        if "%" in name or "percent" in name:  # written back in the unit its name says, as imported
            record["metric_value"] = _percent_text(record["metric_value"])
        if record["class_counts"] is not None:
            record["class_counts"] = ";".join(f"{c:.17g}" for c in record["class_counts"])
        for column in _TEXT_COLUMNS:
            if isinstance(record[column], str):
                record[column] = neutralised(record[column])
        writer.writerow({k: ("" if v is None else v) for k, v in record.items()})
