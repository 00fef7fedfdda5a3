"""Observations in bulk: filters, imports in chunks, deletes, and the version every write changes.

An import is one transaction however many chunks it has: rows go in with the driver's
bulk path (SQLite ``executemany``, PostgreSQL ``COPY``), ids allocated up front, and
duplicates found through the fingerprint index chunk by chunk (rows of earlier chunks
are visible to later ones, inside the transaction).
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ARRAY, JSON, String, any_, bindparam, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from dlcost.core.checks import InputError
from dlcost.store._fingerprint import FINGERPRINT_FIELDS, observation_fingerprints
from dlcost.store._schema import ObservationRow, SettingRow

__all__ = ["VERSION_KEY", "FIELDS", "FILTERABLE", "where", "insert_batches", "delete_where", "stored_ids", "bump_version", "version"]

#: The settings key whose value changes with every write to the observations.
VERSION_KEY = "observations_version"

_TABLE = ObservationRow.__table__
#: The fields of an observation (those of :class:`dlcost.schemas.Observation`).
FIELDS = FINGERPRINT_FIELDS
#: Fields a filter may name (every stored field but the id, the time, the counts and the fingerprint).
FILTERABLE = {c.name: c for c in _TABLE.columns if c.name not in {"id", "created_at", "class_counts", "fingerprint"}}
_LOOKUP = 500  # fingerprints per IN (...) query
_IMPORT_CACHE_KIB = 65_536  # SQLite page cache while importing [KiB]


def where(filters: dict | None) -> list:
    """SQL conditions for ``filters`` (field: value, values may be text as typed on a command line)."""
    clauses = []
    for field, value in (filters or {}).items():
        if field not in FILTERABLE:
            raise InputError(field, f"observations filter field must be one of {', '.join(sorted(FILTERABLE))}; got {field!r}.")
        clauses.append(FILTERABLE[field] == _typed(FILTERABLE[field], value, field))
    return clauses


def _typed(column, value, field: str):
    if not isinstance(value, str):
        return value
    python_type = column.type.python_type
    if python_type is bool:
        word = value.strip().lower()
        if word in {"yes", "true", "1"}:
            return True
        if word in {"no", "false", "0"}:
            return False
        raise InputError(field, f"observations filter {field} must be yes or no; got {value!r}.")
    if python_type in (int, float):
        try:
            number = float(value)
        except ValueError:
            raise InputError(field, f"observations filter {field} must be a number; got {value!r}.") from None
        if not math.isfinite(number):
            raise InputError(field, f"observations filter {field} must be a finite number; got {value!r}.")
        if python_type is int:
            if number != int(number) or abs(number) > _LARGEST_ID:
                raise InputError(field, f"observations filter {field} must be a whole number from {-_LARGEST_ID:,} to "
                                        f"{_LARGEST_ID:,}; got {value!r}.")
            return int(number)
        return number
    return value


# ----- the version ---------------------------------------------------------------
def version(connection: Connection) -> str:
    """The current observations version ("" on a store whose settings row was removed)."""
    return connection.scalar(select(SettingRow.value).where(SettingRow.key == VERSION_KEY)) or ""


def bump_version(connection: Connection) -> None:
    """Give the observations a new version, inside the writing transaction."""
    token = uuid.uuid4().hex
    done = connection.execute(update(SettingRow).where(SettingRow.key == VERSION_KEY).values(value=token))
    if done.rowcount == 0:
        connection.execute(insert(SettingRow).values(key=VERSION_KEY, value=token))


# ----- imports -------------------------------------------------------------------
def insert_batches(connection: Connection, batches: Iterable, allow_duplicates: bool) -> tuple[list[int], int]:
    """Insert every batch of observations; returns the new ids and how many duplicates were skipped."""
    if connection.dialect.name != "sqlite":
        return _insert_batches(connection, batches, allow_duplicates)
    # SQLite's default page cache (2 MB) is far smaller than the fingerprint index of a large store.
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{_IMPORT_CACHE_KIB}")
    try:
        return _insert_batches(connection, batches, allow_duplicates)
    finally:
        try:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(previous)}")
        except DBAPIError:  # the import failed and took the connection with it: the error that matters is that one
            pass


def _insert_batches(connection: Connection, batches: Iterable, allow_duplicates: bool) -> tuple[list[int], int]:
    writer = _RowWriter(connection)
    identifiers, skipped = [], 0
    for batch in batches:
        records = [item if isinstance(item, dict) else item.model_dump() for item in batch]
        prints = observation_fingerprints(records)
        if not allow_duplicates:
            stored = _stored_fingerprints(connection, set(prints))
            kept = []
            for record, fingerprint in zip(records, prints, strict=True):
                if fingerprint not in stored:
                    stored.add(fingerprint)
                    kept.append((record, fingerprint))
            skipped += len(records) - len(kept)
        else:
            kept = list(zip(records, prints, strict=True))
        identifiers.extend(writer.write(kept))
    if identifiers:
        bump_version(connection)
    return identifiers, skipped


def _stored_fingerprints(connection: Connection, wanted: set[str]) -> set[str]:
    """The fingerprints of ``wanted`` already stored (rows written earlier in this transaction included)."""
    column = ObservationRow.fingerprint
    if connection.dialect.name == "postgresql":
        # One array parameter: PostgreSQL hashes it, where 500 separate parameters are compared one by one
        # (and, with the statistics of a table filled in this transaction, per row of a sequential scan).
        statement = select(column).where(column == any_(bindparam("wanted", type_=ARRAY(String))))
        return set(connection.scalars(statement, {"wanted": sorted(wanted)}))
    found, chunk = set(), sorted(wanted)
    for start in range(0, len(chunk), _LOOKUP):
        found.update(connection.scalars(select(column).where(column.in_(chunk[start:start + _LOOKUP]))))
    return found


#: The columns the writer fills itself; the others come from the records.
_OWN = ("id", "fingerprint", "created_at")


class _RowWriter:
    """Writes (record, fingerprint) pairs with the driver's bulk path, ids allocated first.

    Rows are assembled column by column (one list per column, converted with one ``map``),
    which keeps the per-row Python work to a tuple.
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect
        self.fields = [column.name for column in _TABLE.columns if column.name not in _OWN]
        self.names = [*_OWN, *self.fields]  # the order of the INSERT's (or COPY's) columns
        columns = [_TABLE.c[name] for name in self.names]
        self.created_at = datetime.now(UTC)
        if self.dialect.name == "sqlite":
            processors = [column.type.dialect_impl(self.dialect).bind_processor(self.dialect) for column in columns]
        else:  # COPY takes text for JSON
            processors = [json.dumps if isinstance(column.type, JSON) else None for column in columns]
        self.processors = [(i, p) for i, p in enumerate(processors) if p is not None]

    def write(self, pairs: list) -> list[int]:
        if not pairs:
            return []
        count = len(pairs)
        identifiers = self._allocate(count)
        records = [record for record, _ in pairs]
        columns = [identifiers, [fingerprint for _, fingerprint in pairs], [self.created_at] * count]
        columns += [[record[name] for record in records] for name in self.fields]
        if self.dialect.name != "sqlite" and not (self.dialect.name == "postgresql" and self.dialect.driver == "psycopg"):
            self.connection.execute(insert(_TABLE), [dict(zip(self.names, row, strict=True)) for row in zip(*columns)])
            return identifiers
        for index, processor in self.processors:
            if self.names[index] == "created_at":  # one value for the whole import
                columns[index] = [processor(self.created_at)] * count
            else:
                columns[index] = list(map(processor, columns[index]))
        rows = list(zip(*columns))
        preparer = self.dialect.identifier_preparer
        names = ", ".join(preparer.quote(name) for name in self.names)
        if self.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in self.names)
            self.connection.exec_driver_sql(f"INSERT INTO {preparer.format_table(_TABLE)} ({names}) VALUES ({marks})", rows)
        else:
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f"COPY {preparer.format_table(_TABLE)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return identifiers

    def _allocate(self, count: int) -> list[int]:
        if self.dialect.name == "postgresql":
            sequence = "SELECT nextval(pg_get_serial_sequence('observations', 'id')) FROM generate_series(1, :n)"
            return sorted(self.connection.scalars(text(sequence), {"n": count}))
        # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so nothing else takes ids meanwhile.
        start = (self.connection.scalar(select(func.max(ObservationRow.id))) or 0) + 1
        return list(range(start, start + count))


# ----- deletes -------------------------------------------------------------------
def delete_where(connection: Connection, ids: list[int] | None, filters: dict | None) -> int:
    """Delete the observations with these ids (all, when None) that match ``filters``; returns how many."""
    clauses = where(filters)
    if ids is None:
        count = connection.execute(delete(ObservationRow).where(*clauses)).rowcount
    else:
        wanted = _possible(ids)
        count = 0
        for start in range(0, len(wanted), _LOOKUP):
            part = wanted[start:start + _LOOKUP]
            count += connection.execute(delete(ObservationRow).where(ObservationRow.id.in_(part), *clauses)).rowcount
    if count:
        bump_version(connection)
    return count


def stored_ids(connection: Connection, ids: list[int], filters: dict | None) -> set[int]:
    """Which of ``ids`` are stored observations matching ``filters`` (looked up by id, chunk by chunk)."""
    clauses, wanted, found = where(filters), _possible(ids), set()
    for start in range(0, len(wanted), _LOOKUP):
        part = wanted[start:start + _LOOKUP]
        found.update(connection.scalars(select(ObservationRow.id).where(ObservationRow.id.in_(part), *clauses)))
    return found


#: The ids a row can have: the id column is a 32-bit integer on PostgreSQL (larger ones match nothing).
_LARGEST_ID = 2**31 - 1


def _possible(ids) -> list[int]:
    """The distinct ids, sorted, that a stored row could have (others are not looked up: no row has them)."""
    return sorted({identifier for identifier in map(_identifier, ids) if 1 <= identifier <= _LARGEST_ID})


def _identifier(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError("ids", f"ids must be whole numbers (observation ids); got {value!r}.")
    return value
