"""Every test sees an empty user config, data directory and store, never the developer's own."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_user_files(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("dlcost-user")
    monkeypatch.setenv("DLCOST_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("DLCOST_CONFIG", str(home / "absent-config.toml"))
    monkeypatch.delenv("DLCOST_DATABASE_URL", raising=False)  # the store is the SQLite file in DLCOST_DATA_DIR
