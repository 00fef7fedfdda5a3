"""The store: saved scenarios, observed outcomes and fitted models (SQLAlchemy 2 + Alembic).

Embedded default: SQLite in the user's data directory (platformdirs), WAL mode.
``DLCOST_DATABASE_URL`` points it elsewhere, e.g. a team's PostgreSQL server
(``postgresql+psycopg://user:password@host/dbname``). Every write is one
transaction: an import of many rows lands whole or not at all.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dlcost.catalog import SHIPPED_MODELS  # shipped with the package: never stored, never replaced
from dlcost.core.checks import InputError, shown
from dlcost.iotools.user_files import data_dir
from dlcost.store import _observations
from dlcost.store._opening import READ, SCHEMA_REVISION, fault, open_engine, prepare
from dlcost.store._opening import migrate as _migrate
from dlcost.store._schema import BusinessCaseRow, CalibrationRow, FittedModelRow, ObservationRow, ScenarioRow, SettingRow

__all__ = ["Store", "database_url", "CATALOG_VERSION", "SCHEMA_REVISION", "existing_sqlite_store", "open_existing_store",
           "PUBLISHED_MODEL"]

#: The published model (Table 1 of seed 000): always there, never stored or replaced.
PUBLISHED_MODEL = "paper-2024"

#: Identifies the shipped catalog files a saved result was computed with.
CATALOG_VERSION = "2026-11"

#: Observations per chunk of an import (one transaction for all chunks).
IMPORT_CHUNK = 10_000


def database_url() -> str:
    """``DLCOST_DATABASE_URL``, else SQLite in the user's data directory."""
    named = os.environ.get("DLCOST_DATABASE_URL")
    if named:
        return named
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'dlcost.sqlite3'}"


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Saved scenarios, observations and fitted models in one database.

    Opening checks the schema revision and migrates only an older database, so a store
    at the newest revision opens with reads alone. A database that cannot be used (bad
    URL, not a database, newer revision, missing table or column, and later a corrupt
    page or a full disk) raises :class:`InputError` with field ``database`` and one line.
    """

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self.engine = open_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.engine.execution_options(**READ), expire_on_commit=False)
        try:
            prepare(self.engine)
        except InputError:
            self.engine.dispose()
            raise

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        _migrate(self.engine)

    def session(self) -> Session:
        """A session whose transactions may write (SQLite: BEGIN IMMEDIATE)."""
        return self._sessions()

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction; a database fault becomes one line (field ``database``)."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except IntegrityError:
            raise
        except DBAPIError as error:
            raise fault(self.engine, error, "written") from None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        """Reads only (SQLite: a deferred transaction, no write lock)."""
        try:
            with self._read_sessions() as session:
                yield session
        except DBAPIError as error:
            raise fault(self.engine, error, "read") from None

    def close(self) -> None:
        self.engine.dispose()

    # ----- scenarios -------------------------------------------------------
    def save_scenario(self, name: str, inputs: dict, result: dict, model_name: str, replace: bool = False) -> ScenarioRow:
        """Store a priced scenario under ``name``; an existing name needs ``replace``."""
        return self._save_named(ScenarioRow, "scenario", name, replace, inputs=inputs, result=result, model_name=model_name)

    def _save_named(self, table, what: str, name: str, replace: bool, **values):
        """Insert a named row of ``table`` (scenarios, business cases); an existing name needs ``replace``."""
        _check_name(name, "name")
        taken = f"name {shown(name)} is already a saved {what}; choose another name or replace it."
        with self._writing() as session:
            existing = session.scalar(select(table).where(table.name == name))
            if existing is not None and not replace:
                raise InputError("name", taken)
            if existing is not None:
                session.delete(existing)
                session.flush()
            row = table(name=name, catalog_version=CATALOG_VERSION, created_at=_now(), **values)
            session.add(row)
            try:
                session.flush()
            except IntegrityError:  # another process saved the same name first
                raise InputError("name", taken) from None
        return row

    def scenarios(self) -> list[ScenarioRow]:
        with self._reading() as session:
            return list(session.scalars(select(ScenarioRow).order_by(ScenarioRow.created_at, ScenarioRow.id)))

    def scenario(self, name: str) -> ScenarioRow:
        with self._reading() as session:
            row = session.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
        if row is None:
            known = [r.name for r in self.scenarios()]
            raise InputError("name", f"name must be a saved scenario; got {shown(name)}." + (f" Saved: {', '.join(known[:10])}." if known else " None saved yet."))
        return row

    def delete_scenario(self, name: str) -> None:
        self.scenario(name)
        with self._writing() as session:
            session.execute(delete(ScenarioRow).where(ScenarioRow.name == name))

    # ----- business cases ---------------------------------------------------
    def save_case(self, name: str, inputs: dict, result: dict, replace: bool = False) -> BusinessCaseRow:
        """Store a computed business case under ``name``; an existing name needs ``replace``."""
        return self._save_named(BusinessCaseRow, "business case", name, replace, inputs=inputs, result=result)

    def cases(self) -> list[BusinessCaseRow]:
        with self._reading() as session:
            return list(session.scalars(select(BusinessCaseRow).order_by(BusinessCaseRow.created_at, BusinessCaseRow.id)))

    def case(self, name: str) -> BusinessCaseRow:
        with self._reading() as session:
            row = session.scalar(select(BusinessCaseRow).where(BusinessCaseRow.name == name))
        if row is None:
            known = [r.name for r in self.cases()]
            raise InputError("name", f"name must be a saved business case; got {shown(name)}."
                                     + (f" Saved: {', '.join(known[:10])}." if known else " None saved yet."))
        return row

    def delete_case(self, name: str) -> None:
        self.case(name)
        with self._writing() as session:
            session.execute(delete(BusinessCaseRow).where(BusinessCaseRow.name == name))

    # ----- observations ----------------------------------------------------
    def add_observations(self, observations) -> list[int]:
        """Insert observations in one transaction, duplicates included; returns their ids."""
        return self.import_observations(observations, allow_duplicates=True)[0]

    def import_observations(self, observations, allow_duplicates: bool = False) -> tuple[list[int], int]:
        """Insert observations in one transaction; returns their ids and how many were skipped.

        An observation equal in every field to a stored one, or to an earlier one of the
        same batch, is skipped (counted) unless ``allow_duplicates``.
        """
        observations = list(observations)
        chunks = (observations[start:start + IMPORT_CHUNK] for start in range(0, len(observations), IMPORT_CHUNK))
        return self.import_observation_batches(chunks, allow_duplicates)

    def import_observation_batches(self, batches: Iterable, allow_duplicates: bool = False) -> tuple[list[int], int]:
        """:meth:`import_observations` of batches produced while importing: lists of observations, or
        of their validated records (``Observation.model_dump()`` dicts, as a bulk parser gives them).

        All batches go in one transaction: an error raised while producing a later batch
        (a bad row of a file read in chunks) leaves the store as it was.
        """
        with self._writing() as session:
            return _observations.insert_batches(session.connection(), batches, allow_duplicates)

    def observations(self, filters: dict | None = None) -> list[ObservationRow]:
        """Observations, optionally only those whose fields equal ``filters`` values.

        Filter values may be text (as typed on a command line): they are converted
        to the column's type (yes/no for booleans).
        """
        statement = select(ObservationRow).where(*_observations.where(filters)).order_by(ObservationRow.id)
        with self._reading() as session:
            return list(session.scalars(statement))

    def count_observations(self, filters: dict | None = None) -> int:
        """How many observations match ``filters`` (all of them by default), counted by the database."""
        statement = select(func.count()).select_from(ObservationRow).where(*_observations.where(filters))
        with self._reading() as session:
            return session.scalar(statement)

    def delete_observations(self, ids: list[int] | None = None, filters: dict | None = None) -> int:
        """Delete observations in one transaction; returns how many were deleted.

        ``ids`` keeps only those ids (unknown ones are not counted); ``filters`` as in
        :meth:`observations`, and ``filters={}`` matches every observation. Both given:
        both must match. Neither given raises, so nothing is deleted by accident.
        """
        if ids is None and filters is None:
            raise InputError("observations", "observations to delete: give ids or filters (filters={} deletes every observation).")
        with self._writing() as session:
            return _observations.delete_where(session.connection(), None if ids is None else list(ids), filters)

    def stored_observation_ids(self, ids: list[int], filters: dict | None = None) -> set[int]:
        """Which of ``ids`` are stored observations that match ``filters`` (the database looks them up by id)."""
        with self._reading() as session:
            return _observations.stored_ids(session.connection(), list(ids), filters)

    def observation_rows(self, fields=None) -> list:
        """Every observation's ``fields`` (default: those of :class:`dlcost.schemas.Observation`) as
        read-only rows, in id order.

        A row reads like an Observation (``row.n_train``, ``row.dataset``) without building
        one: for a computation over all observations (a recalibration), which names the few
        fields it reads.
        """
        columns = [ObservationRow.__table__.c[name] for name in (fields or _observations.FIELDS)]
        with self._reading() as session:
            return list(session.connection().execute(select(*columns).order_by(ObservationRow.id)))

    # ----- calibrations ----------------------------------------------------
    def observations_version(self) -> str:
        """A value that changes with every write to the observations (one cheap query)."""
        with self._reading() as session:
            return _observations.version(session.connection())

    def saved_calibration(self, model_digest: str, level: float, version: str) -> dict | None:
        """The calibration saved for this model, level and observations version, else None."""
        statement = select(CalibrationRow).where(CalibrationRow.model_digest == model_digest, CalibrationRow.level == float(level),
                                                 CalibrationRow.observations_version == version)
        with self._reading() as session:
            row = session.scalar(statement)
        return None if row is None else _calibration_values(row)

    def save_calibration(self, model_name: str, model_digest: str, version: str, values: dict) -> None:
        """Save a computed calibration (``values``: level, method, low_log10, high_log10,
        n_observations, n_datasets, source); calibrations of older versions are removed."""
        row = CalibrationRow(model_name=model_name, model_digest=model_digest, observations_version=version, created_at=_now(),
                             **{key: _finite_or_none(value) for key, value in values.items()})
        try:
            with self._writing() as session:
                session.execute(delete(CalibrationRow).where(CalibrationRow.observations_version != version))
                session.add(row)
        except IntegrityError:  # another process saved the same one first
            pass

    # ----- fitted models ---------------------------------------------------
    def save_model(self, name: str, fit: dict) -> FittedModelRow:
        _check_name(name, "name")
        if name in SHIPPED_MODELS:
            raise InputError("name", f"name {name!r} is a shipped model and cannot be replaced; choose another name.")
        with self._writing() as session:
            session.execute(delete(FittedModelRow).where(FittedModelRow.name == name))
            row = FittedModelRow(name=name, created_at=_now(), **fit)
            session.add(row)
        return row

    def models(self) -> list[FittedModelRow]:
        with self._reading() as session:
            return list(session.scalars(select(FittedModelRow).order_by(FittedModelRow.id)))

    def error_model(self, name: str):
        """A stored fit, or the published ``paper-2024``, as a :class:`dlcost.catalog.ErrorModel`."""
        from dlcost import catalog
        from dlcost.core.accuracy import ErrorCoefficients

        if name in SHIPPED_MODELS:
            return catalog.error_model(name)
        row = self.model(name)
        table = tuple(
            catalog.CoefficientRow(c["name"], c["regressor"], c["coef"], c["std_err"], c["t"], c["p"], c["ci_low"], c["ci_high"])
            for c in row.coefficients
        )
        return catalog.ErrorModel(
            name=row.name, coefficients=ErrorCoefficients(**{c.name: c.coef for c in table}), table=table, r2=row.r2,
            n=row.n, covariance=tuple(tuple(r) for r in row.covariance), residual_variance=row.residual_variance,
            df_resid=row.df_resid, description=f"OLS refit on {row.n} observations ({row.created_at:%Y-%m-%d})",
        )

    def model(self, name: str) -> FittedModelRow:
        with self._reading() as session:
            row = session.scalar(select(FittedModelRow).where(FittedModelRow.name == name))
        if row is None:
            known = [*SHIPPED_MODELS, *(r.name for r in self.models())]
            raise InputError("model", f"model must be one of {', '.join(known)}; got {shown(name)}.")
        return row

    # ----- settings --------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._reading() as session:
            row = session.scalar(select(SettingRow).where(SettingRow.key == key))
        return default if row is None else row.value

    def set_setting(self, key: str, value: str) -> None:
        with self._writing() as session:
            row = session.scalar(select(SettingRow).where(SettingRow.key == key))
            if row is None:
                session.add(SettingRow(key=key, value=value))
            else:
                row.value = value

    def active_model(self, default: str | None = None) -> str | None:
        """The model made active with ``use_model``, else ``default`` (None: the cost mode's default)."""
        return self.setting("active_model", default)

    def use_model(self, name: str) -> None:
        if name not in SHIPPED_MODELS:
            self.model(name)
        self.set_setting("active_model", name)


def _finite_or_none(value):
    """NaN as NULL (SQLite stores NaN as NULL anyway); other values unchanged."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _calibration_values(row: CalibrationRow) -> dict:
    values = {key: getattr(row, key) for key in ("level", "method", "low_log10", "high_log10", "n_observations", "n_datasets", "source")}
    for key in ("low_log10", "high_log10"):
        values[key] = math.nan if values[key] is None else values[key]
    return values


def _check_name(name: str, field: str) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InputError(field, f"{field} must be 1 to 200 characters; got {shown(name)}.")
    if "\x00" in name:
        raise InputError(field, f"{field} must not contain NUL characters.")


def existing_sqlite_store() -> Path | None:
    """The default SQLite file when it exists (so reading the active model creates nothing)."""
    if os.environ.get("DLCOST_DATABASE_URL"):
        return None
    path = data_dir() / "dlcost.sqlite3"
    return path if path.is_file() else None


def open_existing_store() -> Store | None:
    """The user's store when one exists (no SQLite file yet and no ``DLCOST_DATABASE_URL``: None)."""
    if existing_sqlite_store() is None and not os.environ.get("DLCOST_DATABASE_URL"):
        return None
    return Store()
