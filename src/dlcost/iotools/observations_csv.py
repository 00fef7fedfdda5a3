"""Observations from and to CSV (``dlcost observation import|export``).

Columns are those of ``shared/data/transfer/vtab_calibration.csv``: ``dataset, task,
n_train, n_classes, pretrained, metric_name, metric_value`` are required; ``source,
architecture, epochs, class_counts (a;b;c), relative_complexity, gpu_hours, cost_usd,
observed_on, notes`` are optional, other columns are ignored. A metric is read as
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
from dlcost.schemas.observation import Observation

__all__ = ["parse_observations_csv", "observations_to_csv", "neutralised", "REQUIRED_COLUMNS"]

REQUIRED_COLUMNS = ("dataset", "task", "n_train", "pretrained", "metric_name", "metric_value")
_OPTIONAL = ("n_classes", "class_counts", "relative_complexity", "source", "architecture", "epochs",
             "gpu_hours", "cost_usd", "observed_on", "notes")


def _yes_no(text: str, line: int) -> bool:
    word = text.strip().lower().split(" ", 1)[0].strip("(),;")
    if word in {"yes", "true", "1", "y"}:
        return True
    if word in {"no", "false", "0", "n"}:
        return False
    raise InputError("pretrained", f"line {line}: pretrained must be yes or no; got {text!r}.", line=line)


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


def _record(row: dict, line: int) -> dict:
    record: dict = {key: (row.get(key) or "").strip() for key in (*REQUIRED_COLUMNS, *_OPTIONAL) if key in row}
    record = {key: _restored(value) if key in _TEXT_COLUMNS else value for key, value in record.items()}
    record = {key: value for key, value in record.items() if value != ""}
    for name in ("n_train", "metric_value", "relative_complexity", "epochs", "gpu_hours", "cost_usd", "n_classes"):
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
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        return _observations(reader)
    except csv.Error as exc:
        line = reader.reader.line_num  # the DictReader's own count stops at the last good row
        raise csv_error(exc, f"line {line}", "file", line) from None


def _observations(reader: csv.DictReader) -> list[Observation]:
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise InputError("columns", f"line 1: missing column(s) {', '.join(missing)}; required: {', '.join(REQUIRED_COLUMNS)}.", line=1)
    observations = []
    for row in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        try:
            observations.append(Observation.model_validate(_record(row, line)))
        except ValidationError as error:
            problem = error.errors(include_url=False)[0]
            field = next((str(p) for p in problem["loc"] if isinstance(p, str)), None)
            field = field or getattr((problem.get("ctx") or {}).get("error"), "field", "body")
            raise InputError(field, f"line {line}: {describe_error(problem)}", line=line) from None
    return observations


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
            record["metric_value"] = round(record["metric_value"] * 100.0, 10)
        if record["class_counts"] is not None:
            record["class_counts"] = ";".join(f"{c:.17g}" for c in record["class_counts"])
        for column in _TEXT_COLUMNS:
            if isinstance(record[column], str):
                record[column] = neutralised(record[column])
        writer.writerow({k: ("" if v is None else v) for k, v in record.items()})
