"""Pilot points from text: ``N:ERROR`` items (the CLI's ``--point``, the URL) and CSV files."""

from __future__ import annotations

from pathlib import Path

from dlcost.core import checks
from dlcost.core.checks import InputError
from dlcost.iotools.files import csv_rows, read_user_text, write_error

__all__ = ["parse_point", "parse_points_text", "format_points_text", "read_points_csv", "write_points_csv"]


def parse_point(text: str, name: str = "point") -> list[float]:
    """``"1000:0.25"`` -> ``[1000.0, 0.25]`` (training images, error fraction)."""
    size, sep, error = str(text).strip().partition(":")
    try:
        if not sep or ":" in error:
            raise ValueError
        return [float(size), float(error)]
    except ValueError:
        raise InputError(name, f"{name} must be N:ERROR such as 1000:0.25 (training images:error fraction); "
                               f"got {str(text).strip()!r}.") from None


def parse_points_text(text: str, name: str = "pilot_points") -> list[list[float]]:
    """``"1000:0.25,2000:0.19"`` -> ``[[1000.0, 0.25], [2000.0, 0.19]]``."""
    return [parse_point(item, name) for item in str(text).split(",") if item.strip()]


def format_points_text(points) -> str:
    """The inverse of :func:`parse_points_text`, for [n, error] pairs or objects with n_train and error."""
    texts = []
    for index, point in enumerate(points):
        try:
            if isinstance(point, dict):
                n_train, error = point["n_train"], point["error"]
            elif hasattr(point, "n_train"):
                n_train, error = point.n_train, point.error
            else:
                n_train, error = point
            texts.append(f"{_number(n_train)}:{_number(error)}")
        except (KeyError, TypeError, ValueError):
            raise InputError("pilot_points", f"pilot_points[{index}] must be a pair [n_train, error] such as [1000, 0.25]; "
                                             f"got {point!r}.") from None
    return ",".join(texts)


def _number(value: float) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


_SIZE_COLUMNS = ("n", "n_train", "n_images", "images")
_VALUE_COLUMNS = ("error", "accuracy")


def read_points_csv(path: str | Path, kind: str = "points file") -> list[dict]:
    """Pilot points from a CSV file with a header: ``n,error``, ``n_train,error`` or ``n_train,accuracy``.

    Blank lines and lines starting with ``#`` are skipped; accuracy is turned into
    error = 1 - accuracy. Returns ``[{"n_train": ..., "error": ...}, ...]`` in file order.
    ``kind`` names the file in errors (``"pilot file"`` for ``estimate --pilot``).
    """
    text = read_user_text(path, kind, "pilot_points")
    rows = [(number, row) for number, row in csv_rows(text, f"{kind} {str(path)!r}", "pilot_points")
            if row and "".join(row).strip() and not row[0].lstrip().startswith("#")]
    if not rows:
        raise InputError("pilot_points", f"{kind} {str(path)!r} is empty; expected a header n_train,error and one row per point.")
    header = [name.strip().lower() for name in rows[0][1]]
    size = next((header.index(name) for name in _SIZE_COLUMNS if name in header), None)
    value_name = next((name for name in _VALUE_COLUMNS if name in header), None)
    if size is None or value_name is None:
        raise InputError("pilot_points", f"{kind} {str(path)!r} must have a header with columns n,error, n_train,error or "
                                         f"n_train,accuracy; got {','.join(rows[0][1])!r}.")
    value = header.index(value_name)
    points = []
    for line, row in rows[1:]:
        where = f"{kind} {str(path)!r} line {line}"
        try:
            n_train, measured = float(row[size]), float(row[value])
        except (ValueError, IndexError):
            raise InputError("pilot_points", f"{where}: expected numbers in columns {header[size]} and {value_name}; "
                                             f"got {','.join(row)!r}.", line=line) from None
        try:
            measured = checks.check_fraction(measured, value_name)
        except ValueError as exc:
            raise InputError("pilot_points", f"{where}: {exc}", line=line) from None
        points.append({"n_train": n_train, "error": measured if value_name == "error" else 1.0 - measured})
    return points


def write_points_csv(points, path: str | Path) -> Path:
    """Write ``[{"n_train": ..., "error": ...}, ...]`` as a CSV that :func:`read_points_csv` reads back."""
    lines = ["n_train,error"] + [f"{point['n_train']},{point['error']!r}" for point in points]
    try:
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as exc:
        raise write_error(path, "points file", "save_points", exc) from None
    return Path(path)
