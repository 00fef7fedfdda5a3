"""Where a user's files live: config (hardware and price overrides) and saved measurements.

``DLCOST_CONFIG`` names the config file (ignored while it does not exist); otherwise ``config.toml`` in the user's
config directory is read when it exists. ``DLCOST_DATA_DIR`` overrides the data
directory (saved ``dlcost bench`` measurements).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from dlcost.core.checks import InputError
from dlcost.iotools.files import csv_rows, read_user_text

__all__ = ["config_path", "data_dir", "writable_data_dir", "user_throughput_path", "load_user_hardware"]


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


def writable_data_dir() -> Path:
    """The data directory, created when missing; one that cannot be raises :class:`InputError` naming it."""
    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("save", f"data directory {str(folder)!r} (DLCOST_DATA_DIR) cannot be created: "
                                 f"{exc.strerror or exc}. Set DLCOST_DATA_DIR to a folder.") from None
    return folder


def user_throughput_path() -> Path:
    return data_dir() / "throughput.csv"


def load_user_hardware(config: Path | None = None):
    """The hardware catalog with the user's config and saved measurements merged in.

    A config or saved measurement that cannot be used raises :class:`InputError` naming its file.
    """
    from dlcost.catalog.hardware import load_hardware

    config = config or config_path()
    throughput, loader = user_throughput_path(), data_dir() / "loader_throughput.csv"
    if config is not None:
        _check_config(config)
    _check_saved(throughput, "saved measurements file", _THROUGHPUT_COLUMNS)
    _check_saved(loader, "saved loader measurements file", _LOADER_COLUMNS)
    try:
        return load_hardware(config, throughput, loader)
    except InputError:
        raise
    except (KeyError, TypeError, ValueError) as exc:  # a form the checks above do not know yet
        files = " or ".join(repr(str(path)) for path in (config, throughput, loader) if path is not None and path.is_file())
        raise InputError("config", f"user file {files} cannot be used ({type(exc).__name__}: {exc}); "
                                   f"check it or move it aside.") from None


#: Columns a saved measurement needs, with True for those that hold a number (as ``dlcost bench --save`` writes them).
_THROUGHPUT_COLUMNS = {"architecture": False, "gpu": False, "precision": False, "resolution_px": True,
                       "train_images_per_s": True}
_LOADER_COLUMNS = {"cpu_model": False, "cores_used": True, "images_per_s_per_core": True, "measured_on": False}


def _check_config(path: Path) -> None:
    text = read_user_text(path, "config file", "config")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("config", f"config file {str(path)!r} is not valid TOML: {exc}.") from None


def _check_saved(path: Path, kind: str, columns: dict[str, bool]) -> None:
    """A saved measurement file, if there is one, has the columns and numbers the catalog reads."""
    if not path.is_file():
        return
    where = f"{kind} {str(path)!r}"
    rows = [(line, row) for line, row in csv_rows(read_user_text(path, kind, "saved_measurements"), where, "saved_measurements")
            if "".join(row).strip()]
    header = [name.strip() for name in rows[0][1]] if rows else []
    missing = [name for name in columns if name not in header]
    if missing:
        raise InputError("saved_measurements", f"{where} must have the columns {', '.join(columns)} (as `dlcost bench --save` "
                                               f"writes them); got {','.join(header)!r}. Move it aside and measure again.")
    for line, row in rows[1:]:
        for name, numeric in columns.items():
            index = header.index(name)
            value = row[index].strip() if index < len(row) else ""
            if not value or (numeric and not _is_number(value)):
                rule = "must be a number" if numeric else "must not be empty"
                raise InputError("saved_measurements", f"{where} line {line}: {name} {rule}; got {value!r}.", line=line)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
