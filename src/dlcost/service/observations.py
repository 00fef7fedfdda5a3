"""Importing observations into the store: all or nothing, identical rows skipped and counted.

A file is parsed and written in chunks of about a megabyte, all in one transaction: memory
stays flat however long the file, and a bad row anywhere (the last one included) leaves
the store as it was. Errors name the line of the whole file, as an editor shows it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from dlcost import catalog
from dlcost.core.checks import InputError
from dlcost.iotools.observations_csv import parse_observations_csv
from dlcost.store import Store

__all__ = ["import_observations_csv", "observation_chunks", "EXAMPLES_LABEL", "CHUNK_CHARACTERS"]

EXAMPLES_LABEL = "shipped vtab_calibration.csv"

#: Characters of CSV text parsed at a time (rows are never split). [characters]
CHUNK_CHARACTERS = 1_000_000


def import_observations_csv(store: Store, text: str | None, allow_duplicates: bool = False) -> dict:
    """Parse CSV text (None: the shipped examples) and add its rows in one transaction.

    Returns ``{"imported": n, "skipped_duplicates": m, "ids": [...]}``; rows equal in
    every field to a stored one (or to an earlier row of the file) are skipped unless
    ``allow_duplicates``, so importing the same file twice adds nothing.
    """
    text = catalog.shipped_observations_csv() if text is None else text
    identifiers, skipped = store.import_observation_batches(observation_chunks(text), allow_duplicates=allow_duplicates)
    return {"imported": len(identifiers), "skipped_duplicates": skipped, "ids": identifiers}


def observation_chunks(text: str, size: int | None = None) -> Iterator[list]:
    """The observations of CSV ``text``, parsed ``size`` characters (whole rows; default
    ``CHUNK_CHARACTERS``) at a time.

    Each chunk is the header plus whole records, parsed by
    :func:`dlcost.iotools.observations_csv.parse_observations_csv`; an error's line
    number is that of the whole text.
    """
    pieces = _pieces(text, size or CHUNK_CHARACTERS)
    header, _ = next(pieces)
    first = True
    for body, lines_before in pieces:
        first = False
        yield _parse(header + body, lines_before)
    if first:  # a header alone (or nothing): its columns are still checked
        yield _parse(header, 0)


def _parse(text: str, lines_before: int) -> list:
    try:
        return parse_observations_csv(text)
    except InputError as error:
        named = error.line is not None and re.match(rf"line {error.line}(?!\d)", str(error))
        if not lines_before or not named:
            raise
        line = error.line + lines_before
        raise InputError(error.field, f"line {line}{str(error)[named.end():]}", line=line) from None


def _pieces(text: str, size: int) -> Iterator[tuple[str, int]]:
    """The header record, then bodies of whole records of about ``size`` characters, with
    how many physical lines of body came before each (LF, CRLF or a bare CR ends a line).

    Record ends come from :mod:`csv` itself, so a quoted field spanning lines is never split;
    text that is not valid CSV goes whole into the last body, for the parser to name the line.
    """
    offsets = _LineOffsets(text)
    reader = csv.reader(offsets)
    try:
        next(reader, None)
    except csv.Error:
        yield text, 0
        return
    header_end, header_lines = offsets.position, reader.line_num
    yield text[:header_end], 0
    start, lines_at_start = header_end, header_lines
    try:
        for _ in reader:
            if offsets.position - start >= size:
                yield text[start:offsets.position], lines_at_start - header_lines
                start, lines_at_start = offsets.position, reader.line_num
    except csv.Error:
        pass
    if start < len(text):
        yield text[start:], lines_at_start - header_lines


_LINE_END = re.compile(r"\r\n|\r|\n")


class _LineOffsets:
    """Iterates the lines of ``text`` as ``io.StringIO(text, newline="")`` does (after LF, CRLF
    or a bare CR) without copying it, keeping ``position``: where the next line starts."""

    def __init__(self, text: str):
        self.text, self.position = text, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.position >= len(self.text):
            raise StopIteration
        found = _LINE_END.search(self.text, self.position)
        end = len(self.text) if found is None else found.end()
        line, self.position = self.text[self.position:end], end
        return line
