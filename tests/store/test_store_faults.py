"""Store faults give one clear line naming the database (issue 11): InputError, field ``database``.

A bad URL, a file that is not a database, a corrupt page, a newer schema revision, a
missing table or column, a full disk; and a read-only store can still be read (an open
at the newest revision writes nothing).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from dlcost.core.checks import InputError
from dlcost.schemas import Observation
from dlcost.store import SCHEMA_REVISION, Store
from dlcost.store._opening import known_revisions


def _observation(**changes) -> Observation:
    values = dict(dataset="Bolts", task="classification", n_train=1000, n_classes=10, pretrained=True,
                  metric_name="accuracy", metric_value=0.9)
    return Observation(**{**values, **changes})


def _opening_error(url: str) -> str:
    with pytest.raises(InputError) as caught:
        Store(url)
    assert caught.value.field == "database"
    message = str(caught.value)
    assert "\n" not in message
    return message


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_schema_revision_is_the_alembic_head():
    assert known_revisions() == ["0001", "0002", "0003", "0004", "0005"]
    assert SCHEMA_REVISION == known_revisions()[-1]


def test_bad_database_urls(monkeypatch):
    monkeypatch.delenv("DLCOST_DATABASE_URL", raising=False)
    message = _opening_error("nonsense")
    assert message == ("database (the default SQLite store, nonsense) is not a valid database URL: Could not parse SQLAlchemy "
                       "URL from given URL string; e.g. sqlite:///path/to/dlcost.sqlite3 or postgresql+psycopg://user@host/dbname.")
    assert "Can't load plugin: sqlalchemy.dialects:nodb" in _opening_error("nodb://user:secret@host/x")
    assert "secret" not in _opening_error("nodb://user:secret@host/x")
    monkeypatch.setenv("DLCOST_DATABASE_URL", "postgresql+psycopg://user:secret@127.0.0.1:1/none")
    refused = _opening_error("postgresql+psycopg://user:secret@127.0.0.1:1/none")
    assert refused.startswith("database (DLCOST_DATABASE_URL, postgresql+psycopg://user:***@127.0.0.1:1/none) cannot be opened: ")
    assert "secret" not in refused
    assert _opening_error("sqlite:////no/such/folder/x.sqlite3").endswith("cannot be opened: unable to open database file.")


def test_newer_schema_revision_is_named(store_url, monkeypatch):
    monkeypatch.delenv("DLCOST_DATABASE_URL", raising=False)
    Store(store_url).close()
    _execute(store_url, "UPDATE alembic_version SET version_num = '9999'")
    message = _opening_error(store_url)
    assert message.endswith(" has schema revision '9999', newer than this dlcost knows ('0005'); upgrade dlcost, "
                            "or point DLCOST_DATABASE_URL at another database.")


@pytest.mark.parametrize(("statement", "problem"), [
    ("DROP TABLE calibrations", "table 'calibrations' is missing"),
    ("ALTER TABLE observations DROP COLUMN notes", "table 'observations' lacks column(s) notes"),
])
def test_missing_table_or_column_is_named(store_url, statement, problem):
    Store(store_url).close()
    _execute(store_url, statement)
    assert f"is not a complete dlcost store (revision 0005): {problem}; restore it" in _opening_error(store_url)


def test_an_older_store_is_migrated_with_its_rows(store_url):
    """A store at revision 0002 (before calibrations were saved) opens, migrated, rows kept."""
    from alembic import command

    from dlcost.store._opening import _alembic_config

    engine = create_engine(store_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    _execute(store_url, "INSERT INTO observations (dataset, task, n_train, n_classes, pretrained, metric_name, metric_value,"
                        " source, notes, created_at) VALUES ('Bolts', 'classification', 1000, 10, true, 'accuracy', 0.9, '', '',"
                        " '2026-11-01 00:00:00')")
    store = Store(store_url)
    assert [row.dataset for row in store.observations()] == ["Bolts"]
    assert len(store.observations_version()) == 32
    store.close()


def test_not_a_database_and_corrupt_pages(tmp_path, monkeypatch):
    monkeypatch.delenv("DLCOST_DATABASE_URL", raising=False)
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 500)
    assert _opening_error(f"sqlite:///{garbage}").endswith("cannot be opened: file is not a database.")

    path = tmp_path / "store.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.add_observations([_observation(n_train=1000 + i, notes="n" * 500) for i in range(2_000)])
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(len(data) // 2 // page * page, len(data) * 3 // 4, page):  # pages of the observations table
        data[start:start + page] = b"\xff" * page
    path.write_bytes(bytes(data))
    store = Store(f"sqlite:///{path}")  # the schema page is intact: it opens
    with pytest.raises(InputError) as caught:
        store.observations()
    assert caught.value.field == "database"
    assert str(caught.value) == f"database (the default SQLite store, sqlite:///{path}) cannot be read: database disk image is malformed."
    store.close()


def test_disk_full_is_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("DLCOST_DATABASE_URL", raising=False)
    path = tmp_path / "store.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.add_observations([_observation(dataset="kept")])
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(store.engine, "connect")
    def _small_disk(dbapi_connection, _record):  # SQLITE_FULL, as a full disk gives it
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 5}")

    store.engine.dispose()
    with pytest.raises(InputError) as caught:
        store.add_observations([_observation(n_train=1000 + i, notes="n" * 2000) for i in range(500)])
    assert caught.value.field == "database"
    assert str(caught.value) == f"database (the default SQLite store, sqlite:///{path}) cannot be written: database or disk is full."
    assert [row.dataset for row in store.observations()] == ["kept"]
    store.close()


# ----- read-only -------------------------------------------------------------------------
READER = """
import json, sys
from dlcost.catalog.hardware import load_hardware
from dlcost.core.checks import InputError
from dlcost.schemas import Observation, Scenario
from dlcost.service.workspace import Workspace
from dlcost.store import Store
answer = {}
try:
    store = Store(sys.argv[1])
except InputError as error:
    print(json.dumps({"open": str(error)}))
    raise SystemExit
answer["count"] = store.count_observations()
scenario = Scenario.model_validate({"target_accuracy": 0.9, "data_max": 100000, "cost_per_datapoint": 0.5, "classes": 10})
answer["calibration"] = Workspace(load_hardware(), store=store).estimate(scenario).to_dict()["interval"]["calibration"]
try:
    store.add_observations([Observation(dataset="x", task="classification", n_train=10, n_classes=2, pretrained=True, metric_value=0.5)])
except InputError as error:
    answer["write"] = str(error)
print(json.dumps(answer))
"""


def _as_other_user(url: str) -> dict:
    """Run READER as a user who cannot write the file (as root: nobody, since root writes anything)."""
    command = [sys.executable, "-c", READER, url]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "HOME": "/tmp"}
    environment.pop("DLCOST_DATABASE_URL", None)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def shared_folder():
    """A folder another user can reach (pytest's tmp_path is private to this user)."""
    folder = Path(tempfile.mkdtemp(prefix="dlcost-readonly-"))
    folder.chmod(0o755)
    yield folder
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def _read_only_store(folder: Path) -> Path:
    path = folder / "store.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.add_observations([_observation(dataset=f"d{i}", n_train=1000 * (i + 1), metric_value=0.5 + i / 100) for i in range(30)])
    store.use_model("paper-2024")  # an eq. (1) model: the stored observations calibrate it
    store.close()
    path.chmod(0o444)
    return path


def test_read_only_sqlite_store_can_be_read(shared_folder):
    folder = shared_folder / "writable-folder"
    folder.mkdir()
    path = _read_only_store(folder)
    folder.chmod(0o777)  # SQLite may create its -shm file here; the database file stays read-only
    answer = _as_other_user(f"sqlite:///{path}")
    assert answer["count"] == 30
    assert answer["calibration"] == "the store's 30 observations"
    assert answer["write"].endswith("cannot be written: attempt to write a readonly database.")


def test_read_only_folder_is_explained(shared_folder):
    folder = shared_folder / "read-only-folder"
    folder.mkdir()
    path = _read_only_store(folder)
    folder.chmod(0o555)
    answer = _as_other_user(f"sqlite:///{path}")
    assert "cannot be opened: attempt to write a readonly database; SQLite reads a WAL-mode file only with write access" in answer["open"]
    answer = _as_other_user(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")  # the way out the message gives
    assert answer["count"] == 30
