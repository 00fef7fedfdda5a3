"""A fresh, empty store for each test, on SQLite and on a real PostgreSQL server.

SQLite is a file in ``tmp_path``. PostgreSQL is a new database with a unique name on
the server ``DLCOST_TEST_POSTGRES_URL`` names (``make test`` installs Debian's
``postgresql``, starts it and sets that variable), dropped after the test. No
server means the PostgreSQL half fails: it never skips.
"""

import os
import uuid

import pytest

from dlcost.cli import main

MAKE_TEST = ("`make test` installs PostgreSQL with apt, starts it, creates a role for this user "
             "and sets DLCOST_TEST_POSTGRES_URL (e.g. postgresql+psycopg://root@/postgres?host=/var/run/postgresql)")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """SQLAlchemy URL of an empty database on the parametrized backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    yield from _postgres_database()


def _postgres_database():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    server = os.environ.get("DLCOST_TEST_POSTGRES_URL")
    if not server:
        pytest.fail(f"DLCOST_TEST_POSTGRES_URL is not set; the store tests need a PostgreSQL server: {MAKE_TEST}.", pytrace=False)
    name = f"dlcost_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10})
    problem = None
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        problem = f"{type(cause).__name__}: {str(cause).strip().splitlines()[0]}"
    if problem is not None:
        admin.dispose()
        pytest.fail(f"PostgreSQL at DLCOST_TEST_POSTGRES_URL={server!r} is unreachable ({problem}); {MAKE_TEST}.", pytrace=False)
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:  # FORCE: a killed client's backend may linger a moment
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(store_url):
    """A migrated :class:`dlcost.store.Store` on ``store_url``."""
    from dlcost.store import Store

    opened = Store(store_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def use_store(store_url, monkeypatch):
    """Point ``DLCOST_DATABASE_URL`` (the CLI, ``resolve_error_model``) at ``store_url``."""
    monkeypatch.setenv("DLCOST_DATABASE_URL", store_url)
    return store_url


@pytest.fixture
def dlcost(use_store, capsys):
    """Run ``dlcost ARGS...`` in-process against the test store; returns (exit code, stdout, stderr)."""
    capsys.readouterr()

    def run(*args):
        code = main([str(arg) for arg in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
