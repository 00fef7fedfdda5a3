"""Opening a store: the engine, the schema revision, and one clear line when a database is unusable.

A store at the newest revision is opened with reads only (no write transaction), so a
read-only SQLite file or a read-only PostgreSQL role can still be read. Only an older
or empty database is migrated, in one write transaction.
"""

from __future__ import annotations

import os
import re
from importlib import resources

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from dlcost.core.checks import InputError
from dlcost.store._schema import Base

__all__ = ["SCHEMA_REVISION", "READ", "open_engine", "prepare", "migrate", "known_revisions", "fault", "describe"]

#: The newest Alembic revision this code knows (tests/store checks it is Alembic's head).
SCHEMA_REVISION = "0005"

#: Execution option of read-only work: SQLite begins it deferred (no write lock).
READ = {"dlcost_read": True}

_EXAMPLES = "e.g. sqlite:///path/to/dlcost.sqlite3 or postgresql+psycopg://user@host/dbname"


def _masked(url: str) -> str:
    """``url`` with any password replaced (it may not parse, so no SQLAlchemy here)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def describe(engine_or_url) -> str:
    """``database (WHERE, URL)``: which setting named the database, and its URL without the password."""
    where = "DLCOST_DATABASE_URL" if os.environ.get("DLCOST_DATABASE_URL") else "the default SQLite store"
    if isinstance(engine_or_url, Engine):
        shown = engine_or_url.url.render_as_string(hide_password=True)
    else:
        shown = _masked(str(engine_or_url))
    return f"database ({where}, {shown})"


def _reason(error: BaseException) -> str:
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__).rstrip(".")


def fault(engine: Engine, error: BaseException, doing: str) -> InputError:
    """The one-line error of a database that failed while being ``doing`` (read, written)."""
    return InputError("database", f"{describe(engine)} cannot be {doing}: {_reason(error)}.")


def open_engine(url: str) -> Engine:
    """An engine for ``url``; a URL that names no usable database raises :class:`InputError`."""
    try:
        connect_args = {"timeout": 60} if url.startswith("sqlite") else {}
        engine = create_engine(url, connect_args=connect_args)
    except (ArgumentError, ImportError) as error:
        raise InputError("database", f"{describe(url)} is not a valid database URL: {_reason(error)}; {_EXAMPLES}.") from None
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return engine


def _sqlite_setup(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for writes so concurrent writers queue instead of failing.

    Reads (execution option ``READ``) begin deferred: they take no write lock, so they
    neither wait for a long import nor fail on a read-only file.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        import sqlite3

        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # a read-only file keeps its journal mode
            pass
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        reading = connection.get_execution_options().get("dlcost_read", False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def prepare(engine: Engine) -> None:
    """Check the schema revision; migrate an older (or empty) database; check the tables.

    Raises :class:`InputError` (field ``database``) naming the database and why it cannot be used.
    """
    try:
        with engine.execution_options(**READ).connect() as connection:
            current = _current_revision(connection)
            if current == SCHEMA_REVISION:
                _check_tables(engine, connection)
                return
        _check_known(engine, current)
        _migrate_from(engine, current)
        with engine.execution_options(**READ).connect() as connection:
            _check_tables(engine, connection)
    except InputError:
        raise
    except SQLAlchemyError as error:
        raise InputError("database", f"{describe(engine)} cannot be opened: {_reason(error)}{_hint(engine, error)}.") from None


def _hint(engine: Engine, error: BaseException) -> str:
    """What to do about a read-only SQLite file that SQLite cannot even read (WAL needs its -shm file)."""
    if engine.dialect.name != "sqlite" or "readonly" not in _reason(error):
        return ""
    return ("; SQLite reads a WAL-mode file only with write access to its folder (for the -shm file): grant it, "
            "or open it as sqlite:///file:PATH?mode=ro&immutable=1&uri=true if nothing writes to it meanwhile")


def _current_revision(connection: Connection) -> str | None:
    """The revision Alembic recorded (None: a new database), read without importing Alembic (slow to import)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revisions = list(connection.scalars(text("SELECT version_num FROM alembic_version")))
    if len(revisions) > 1:
        raise InputError("database", f"{describe(connection.engine)} records several schema revisions ({', '.join(revisions)}); "
                                     "it is not a dlcost store.")
    return revisions[0] if revisions else None


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("dlcost.store") / "migrations"))
    return config


def known_revisions() -> list[str]:
    """Every revision of the migrations, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _check_known(engine: Engine, current: str | None) -> None:
    if current is not None and current not in known_revisions():
        raise InputError("database", f"{describe(engine)} has schema revision {current!r}, newer than this dlcost knows "
                                     f"({SCHEMA_REVISION!r}); upgrade dlcost, or point DLCOST_DATABASE_URL at another database.")


def _migrate_from(engine: Engine, current: str | None) -> None:
    try:
        migrate(engine)
    except DBAPIError as error:
        if current is None:
            raise
        raise InputError("database", f"{describe(engine)} has schema revision {current!r} and must be migrated to "
                                     f"{SCHEMA_REVISION!r}, which failed: {_reason(error)}.") from None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision, in one write transaction."""
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _check_tables(engine: Engine, connection: Connection) -> None:
    """Every table and column this code uses is there (a cheap empty SELECT each, details on failure)."""
    try:
        for table in Base.metadata.sorted_tables:
            connection.execute(select(*table.columns).limit(0))
        return
    except DBAPIError as error:
        failed = error
        connection.rollback()
    problem = _missing(inspect(connection))
    if problem is None:
        raise failed  # not a missing table or column: the caller words it
    raise InputError("database", f"{describe(engine)} is not a complete dlcost store (revision {SCHEMA_REVISION}): {problem}; "
                                 "restore it from a backup, or point DLCOST_DATABASE_URL at another database.")


def _missing(inspector) -> str | None:
    tables = set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in tables:
            return f"table {table.name!r} is missing"
        present = {column["name"] for column in inspector.get_columns(table.name)}
        lacking = [column.name for column in table.columns if column.name not in present]
        if lacking:
            return f"table {table.name!r} lacks column(s) {', '.join(lacking)}"
    return None
