"""Reading and writing a user's text files, with one wording for every failure.

Each failure raises :class:`~dlcost.core.checks.InputError` naming the file: one that
cannot be read or written, one that is not UTF-8 text, a CSV file that is not valid
CSV. Text is read as UTF-8 with or without a byte-order mark (as spreadsheet
programs save it); CSV rows may end in LF, CRLF or a bare CR.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dlcost.core.checks import InputError

__all__ = ["read_user_text", "csv_rows", "csv_error", "write_error"]


def read_user_text(path: str | Path, kind: str, field: str) -> str:
    """The text of a user's file; ``kind`` names it in errors (``"points file"``)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(field, f"{kind} {str(path)!r} cannot be read: {reason}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(field, f"{kind} {str(path)!r} must be UTF-8 text; byte {exc.object[exc.start]:#04x} at "
                                f"position {exc.start} is not. Save it as UTF-8.") from None


def csv_rows(text: str, where: str, field: str) -> list[tuple[int, list[str]]]:
    """``(line, row)`` pairs of CSV text, line numbers as an editor shows them (the first line is 1).

    ``where`` names the source in errors (``"points file 'p.csv'"``).
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num - _extra_lines(row), row))
    except csv.Error as exc:
        raise csv_error(exc, f"{where} line {reader.line_num}", field, reader.line_num) from None
    return rows


def _extra_lines(row: list[str]) -> int:
    """Line breaks inside quoted fields: a row spanning lines 3 to 5 is reported as line 3."""
    return sum(value.count("\n") + value.count("\r") - value.count("\r\n") for value in row)


def csv_error(exc: csv.Error, where: str, field: str, line: int) -> InputError:
    """The InputError for a malformed CSV line; ``where`` names it (``"line 3"``)."""
    reason = f"a field is longer than {csv.field_size_limit():,} characters" if "field limit" in str(exc) else str(exc)
    return InputError(field, f"{where} is not valid CSV: {reason}.", line=line)


def write_error(path: str | Path, kind: str, field: str, exc: OSError) -> InputError:
    """The InputError for a file that could not be written: a missing folder is named as such."""
    folder = Path(path).parent
    if isinstance(exc, FileNotFoundError) and not folder.is_dir():
        reason = f"the folder {str(folder)!r} does not exist; create it or choose another path"
    else:
        reason = exc.strerror or str(exc) or type(exc).__name__
    return InputError(field, f"{kind} {str(path)!r} cannot be written: {reason}.")
