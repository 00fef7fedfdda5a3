"""Where a user's files live: config (hardware and price overrides) and saved measurements.

``DLCOST_CONFIG`` names the config file (ignored while it does not exist); otherwise ``config.toml`` in the user's
config directory is read when it exists. ``DLCOST_DATA_DIR`` overrides the data
directory (saved ``dlcost bench`` measurements).
"""

from __future__ import annotations

import os
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

    Every value of the config and of the saved measurements is checked against its range
    (:mod:`dlcost.iotools.hardware_files`); one that cannot be used raises :class:`InputError`
    naming its file, its key and the accepted range.
    """
    from dlcost.catalog.hardware import load_hardware
    from dlcost.iotools.hardware_files import (
        INFERENCE_COLUMNS, LOADER_COLUMNS, TRAINING_COLUMNS, check_prices_name_accelerators, read_config,
    )

    config = config or config_path()
    throughput, loader = user_throughput_path(), data_dir() / "loader_throughput.csv"
    inference = data_dir() / "inference_throughput.csv"
    settings = read_config(config) if config is not None else {}
    saved = _check_saved(throughput, "saved measurements file", TRAINING_COLUMNS)
    _check_saved(loader, "saved loader measurements file", LOADER_COLUMNS)
    served = _check_saved(inference, "saved inference measurements file", INFERENCE_COLUMNS)
    try:
        catalog = load_hardware(None, throughput, loader, config=settings, user_inference_rows=[values for _, values in served])
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # a form the checks above do not know yet
        files = " or ".join(repr(str(path)) for path in (config, throughput, loader) if path is not None and path.is_file())
        raise InputError("config", f"user file {files} cannot be used ({type(exc).__name__}: {exc}); "
                                   f"check it or move it aside.") from None
    if config is not None:
        check_prices_name_accelerators(settings, catalog, f"config file {str(config)!r}")
    for path, rows, key in ((throughput, saved, "gpu"), (inference, served, "hardware")):
        for line, values in rows:  # an estimate looks up the accelerator each measurement names
            try:
                catalog.find_accelerator(values[key])
            except InputError as error:
                raise InputError("saved_measurements", f"saved measurements file {str(path)!r} line {line}: {error} "
                                                       "Add it to the config, or move the file aside.", line=line) from None
    return catalog


def _check_saved(path: Path, kind: str, columns: dict) -> list[tuple[int, dict]]:
    """``(line, values)`` of a saved measurement file (none when there is no file), each value checked.

    The file has the columns the catalog reads, each value in its range.
    """
    if not path.is_file():
        return []
    from dlcost.iotools import hardware_files

    where = f"{kind} {str(path)!r}"
    rows = [(line, row) for line, row in csv_rows(read_user_text(path, kind, "saved_measurements"), where, "saved_measurements")
            if "".join(row).strip()]
    header = [name.strip() for name in rows[0][1]] if rows else []
    required = [name for name, (_, needed) in columns.items() if needed]
    if any(name not in header for name in required):
        raise InputError("saved_measurements", f"{where} must have the columns {', '.join(required)} (as `dlcost bench --save` "
                                               f"writes them); got {','.join(header)!r}. Move it aside and measure again.")
    checked = []
    for line, row in rows[1:]:
        values = {name: (row[index].strip() if index < len(row) else "") for index, name in enumerate(header)}
        for name, (rule, needed) in columns.items():
            if needed or values.get(name):
                hardware_files.check_cell(values.get(name, ""), rule, where, name, line)
        checked.append((line, values))
    return checked
