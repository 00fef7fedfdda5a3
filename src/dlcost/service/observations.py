"""Importing observations into the store: all or nothing, identical rows skipped and counted.

A file is parsed and written in chunks of about a megabyte, all in one transaction: memory
stays flat however long the file, and a bad row anywhere (the last one included) leaves
the store as it was. Errors name the line of the whole file, as an editor shows it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from dlcost.core.checks import InputError
from dlcost.iotools.observations_csv import parse_observation_records
from dlcost.store import Store

__all__ = ["import_observations_csv", "observation_chunks", "EXAMPLES_LABEL", "CHUNK_CHARACTERS"]

#: What ``observation import --examples`` names as its source: :func:`dlcost.engine.refit.corpus_observations`.
EXAMPLES_LABEL = "shipped Table 2 (seed 000), vtab_calibration.csv and public_corpus.csv"

#: Characters of CSV text parsed at a time (rows are never split). [characters]
CHUNK_CHARACTERS = 1_000_000


def import_observations_csv(store: Store, text: str | None, allow_duplicates: bool = False) -> dict:
    """Parse CSV text (None: every shipped observation, :func:`dlcost.engine.refit.corpus_observations`)
    and add its rows in one transaction.

    Returns ``{"imported": n, "skipped_duplicates": m, "ids": [...]}``; rows equal in
    every field to a stored one (or to an earlier row of the file) are skipped unless
    ``allow_duplicates``, so importing the same file twice adds nothing.
    """
    if text is None:
        from dlcost.engine.refit import corpus_observations  # numpy: imported when needed

        batches = [corpus_observations()]
    else:
        batches = observation_chunks(text)
    identifiers, skipped = store.import_observation_batches(batches, allow_duplicates=allow_duplicates)
    return {"imported": len(identifiers), "skipped_duplicates": skipped, "ids": identifiers}


def observation_chunks(text: str, size: int | None = None) -> Iterator[list]:
    """The observations of CSV ``text``, parsed ``size`` characters (whole rows; default
    ``CHUNK_CHARACTERS``) at a time.

    Each chunk is the header plus whole records, parsed by
    :func:`dlcost.iotools.observations_csv.parse_observation_records`; an error's line
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
        return parse_observation_records(text)
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


# ----- deletes ---------------------------------------------------------------------------
def plan_deletion(store: Store, ids=None, filters: dict | None = None, everything: bool = False) -> dict:
    """What a delete of observations would remove, checked and counted; deletes nothing.

    ``ids`` name observations (each must be stored and match ``filters``), ``filters``
    are those of :meth:`Store.observations`, ``everything`` selects every observation.
    Returns ``{"count": n, "ids": [...] or None, "filters": {...}}`` for
    :func:`delete_planned`. Raises :class:`InputError` naming ``id`` when nothing is
    selected, ``all`` when ``everything`` comes with ids or filters, and ``id`` for an id
    that is not a stored (matching) observation: a delete does all it was asked, or nothing.
    """
    from dlcost.core.checks import shown

    ids, filters = list(dict.fromkeys(ids or [])), dict(filters or {})
    if everything and (ids or filters):
        raise InputError("all", "all deletes every observation: give it without ids or filters.")
    if not (ids or filters or everything):
        raise InputError("id", "id: name the observations to delete by id or by filter, or choose all of them "
                               "(--all; all=true in the API); got none.")
    if not ids:
        return {"count": store.count_observations(filters), "ids": None, "filters": filters}
    stored = store.stored_observation_ids(ids, filters)
    missing = [identifier for identifier in ids if identifier not in stored]
    if missing:
        which = "a stored observation matching the filters" if filters else "a stored observation"
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise InputError("id", f"id must name {which}; got {shown(missing[0])}{more}. Nothing was deleted.")
    return {"count": len(ids), "ids": ids, "filters": filters}


def delete_planned(store: Store, deletion: dict) -> int:
    """Delete what :func:`plan_deletion` counted, in one transaction; returns how many were deleted.

    By ids, only those ids (still matching the filters) go, so a row added meanwhile is never
    deleted; by filters alone, what matches them now.
    """
    return store.delete_observations(ids=deletion["ids"], filters=deletion["filters"])
