"""Where a user's files live: config (hardware and price overrides) and saved measurements.

``DLCOST_CONFIG`` names the config file (ignored while it does not exist); otherwise ``config.toml`` in the user's
config directory is read when it exists. ``DLCOST_DATA_DIR`` overrides the data
directory (saved ``dlcost bench`` measurements).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["config_path", "data_dir", "user_throughput_path", "load_user_hardware"]


def config_path() -> Path | None:
    named = os.environ.get("DLCOST_CONFIG")
    if named:
        return Path(named) if Path(named).is_file() else None
    import platformdirs

    default = Path(platformdirs.user_config_dir("dlcost")) / "config.toml"
    return default if default.is_file() else None


def data_dir() -> Path:
    named = os.environ.get("DLCOST_DATA_DIR")
    if named:
        return Path(named)
    import platformdirs

    return Path(platformdirs.user_data_dir("dlcost"))


def user_throughput_path() -> Path:
    return data_dir() / "throughput.csv"


def load_user_hardware(config: Path | None = None):
    """The hardware catalog with the user's config and saved measurements merged in."""
    from dlcost.catalog.hardware import load_hardware

    return load_hardware(config or config_path(), user_throughput_path(), data_dir() / "loader_throughput.csv")
