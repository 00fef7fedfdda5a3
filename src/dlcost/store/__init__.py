"""The store: saved scenarios, observed outcomes and fitted models (SQLAlchemy 2 + Alembic).

Embedded default: SQLite in the user's data directory (platformdirs), WAL mode.
``DLCOST_DATABASE_URL`` points it elsewhere, e.g. a team's PostgreSQL server
(``postgresql+psycopg://user:password@host/dbname``). Every write is one
transaction: an import of many rows lands whole or not at all.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, delete, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dlcost.core.checks import InputError
from dlcost.iotools.user_files import data_dir
from dlcost.store._fingerprint import observation_fingerprint
from dlcost.store._schema import FittedModelRow, ObservationRow, ScenarioRow, SettingRow

__all__ = ["Store", "database_url", "CATALOG_VERSION", "existing_sqlite_store", "open_existing_store", "PUBLISHED_MODEL"]

#: The published model (Table 1 of seed 000): always there, never stored or replaced.
PUBLISHED_MODEL = "paper-2024"

#: Identifies the shipped catalog files a saved result was computed with.
CATALOG_VERSION = "2026-11"


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


def _sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE so concurrent writers queue instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """Saved scenarios, observations and fitted models in one database."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        connect_args = {"timeout": 60} if self.url.startswith("sqlite") else {}
        self.engine = create_engine(self.url, connect_args=connect_args)
        if self.engine.dialect.name == "sqlite":
            _sqlite_setup(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        from alembic.util.exc import CommandError

        try:
            self.migrate()
        except (SQLAlchemyError, CommandError) as error:
            self.engine.dispose()
            where = "DLCOST_DATABASE_URL" if os.environ.get("DLCOST_DATABASE_URL") else "the default SQLite store"
            if isinstance(error, CommandError):  # a revision this dlcost does not know: a newer dlcost made it
                reason = f"its schema is newer than this dlcost knows ({str(error).strip().splitlines()[0]}); upgrade dlcost"
            else:
                reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise InputError("database", f"database ({where}, {self.engine.url.render_as_string(hide_password=True)}) cannot be opened: {reason}.") from None

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(resources.files("dlcost.store") / "migrations"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()

    # ----- scenarios -------------------------------------------------------
    def save_scenario(self, name: str, inputs: dict, result: dict, model_name: str, replace: bool = False) -> ScenarioRow:
        """Store a priced scenario under ``name``; an existing name needs ``replace``."""
        _check_name(name, "name")
        with self.session() as session, session.begin():
            existing = session.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
            if existing is not None and not replace:
                raise InputError("name", f"name {name!r} is already a saved scenario; choose another name or replace it.")
            if existing is not None:
                session.delete(existing)
                session.flush()
            row = ScenarioRow(name=name, inputs=inputs, result=result, model_name=model_name,
                              catalog_version=CATALOG_VERSION, created_at=_now())
            session.add(row)
            try:
                session.flush()
            except IntegrityError:  # another process saved the same name first
                raise InputError("name", f"name {name!r} is already a saved scenario; choose another name or replace it.") from None
        return row

    def scenarios(self) -> list[ScenarioRow]:
        with self.session() as session:
            return list(session.scalars(select(ScenarioRow).order_by(ScenarioRow.created_at, ScenarioRow.id)))

    def scenario(self, name: str) -> ScenarioRow:
        with self.session() as session:
            row = session.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
        if row is None:
            known = [r.name for r in self.scenarios()]
            raise InputError("name", f"name must be a saved scenario; got {name!r}." + (f" Saved: {', '.join(known[:10])}." if known else " None saved yet."))
        return row

    def delete_scenario(self, name: str) -> None:
        self.scenario(name)
        with self.session() as session, session.begin():
            session.execute(delete(ScenarioRow).where(ScenarioRow.name == name))

    # ----- observations ----------------------------------------------------
    def add_observations(self, observations) -> list[int]:
        """Insert observations in one transaction, duplicates included; returns their ids."""
        return self.import_observations(observations, allow_duplicates=True)[0]

    def import_observations(self, observations, allow_duplicates: bool = False) -> tuple[list[int], int]:
        """Insert observations in one transaction; returns their ids and how many were skipped.

        An observation equal in every field to a stored one, or to an earlier one of the
        same batch, is skipped (counted) unless ``allow_duplicates``.
        """
        records = [observation.model_dump() for observation in observations]
        prints = [observation_fingerprint(record) for record in records]
        with self.session() as session, session.begin():
            seen = set() if allow_duplicates else self._stored_fingerprints(session, set(prints))
            rows = []
            for record, fingerprint in zip(records, prints, strict=True):
                if fingerprint in seen:
                    continue
                if not allow_duplicates:
                    seen.add(fingerprint)
                rows.append(ObservationRow(**record, fingerprint=fingerprint, created_at=_now()))
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows], len(records) - len(rows)

    @staticmethod
    def _stored_fingerprints(session: Session, wanted: set[str]) -> set[str]:
        found, chunk = set(), sorted(wanted)
        for start in range(0, len(chunk), 500):
            part = chunk[start:start + 500]
            found.update(session.scalars(select(ObservationRow.fingerprint).where(ObservationRow.fingerprint.in_(part))))
        return found

    def observations(self, filters: dict | None = None) -> list[ObservationRow]:
        """Observations, optionally only those whose fields equal ``filters`` values.

        Filter values may be text (as typed on a command line): they are converted
        to the column's type (yes/no for booleans).
        """
        statement = select(ObservationRow).order_by(ObservationRow.id)
        columns = {c.name: c for c in ObservationRow.__table__.columns if c.name not in {"id", "created_at", "class_counts", "fingerprint"}}
        for field, value in (filters or {}).items():
            if field not in columns:
                raise InputError(field, f"observations filter field must be one of {', '.join(sorted(columns))}; got {field!r}.")
            statement = statement.where(getattr(ObservationRow, field) == _typed(columns[field], value, field))
        with self.session() as session:
            return list(session.scalars(statement))

    def count_observations(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(ObservationRow))

    # ----- fitted models ---------------------------------------------------
    def save_model(self, name: str, fit: dict) -> FittedModelRow:
        _check_name(name, "name")
        if name == PUBLISHED_MODEL:
            raise InputError("name", "name 'paper-2024' is the published model and cannot be replaced; choose another name.")
        with self.session() as session, session.begin():
            session.execute(delete(FittedModelRow).where(FittedModelRow.name == name))
            row = FittedModelRow(name=name, created_at=_now(), **fit)
            session.add(row)
        return row

    def models(self) -> list[FittedModelRow]:
        with self.session() as session:
            return list(session.scalars(select(FittedModelRow).order_by(FittedModelRow.id)))

    def error_model(self, name: str):
        """A stored fit, or the published ``paper-2024``, as a :class:`dlcost.catalog.ErrorModel`."""
        from dlcost import catalog
        from dlcost.core.accuracy import ErrorCoefficients

        if name == PUBLISHED_MODEL:
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
        with self.session() as session:
            row = session.scalar(select(FittedModelRow).where(FittedModelRow.name == name))
        if row is None:
            known = [PUBLISHED_MODEL, *(r.name for r in self.models())]
            raise InputError("model", f"model must be one of {', '.join(known)}; got {name!r}.")
        return row

    # ----- settings --------------------------------------------------------
    def setting(self, key: str, default: str | None = None) -> str | None:
        with self.session() as session:
            row = session.scalar(select(SettingRow).where(SettingRow.key == key))
        return default if row is None else row.value

    def set_setting(self, key: str, value: str) -> None:
        with self.session() as session, session.begin():
            row = session.scalar(select(SettingRow).where(SettingRow.key == key))
            if row is None:
                session.add(SettingRow(key=key, value=value))
            else:
                row.value = value

    def active_model(self) -> str:
        return self.setting("active_model", PUBLISHED_MODEL)

    def use_model(self, name: str) -> None:
        if name != PUBLISHED_MODEL:
            self.model(name)
        self.set_setting("active_model", name)


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
        if python_type is int:
            if number != int(number):
                raise InputError(field, f"observations filter {field} must be a whole number; got {value!r}.")
            return int(number)
        return number
    return value


def _check_name(name: str, field: str) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InputError(field, f"{field} must be 1 to 200 characters; got {name!r}.")
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
